from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from .accounts.forms import ThrottledAdminAuthenticationForm
from .accounts.views import home
from .api import api
from .core.health import healthz

admin.site.site_header = "科素 系统管理"
admin.site.site_title = "科素"
admin.site.index_title = "系统管理"
# The admin's login door is throttled like the site's (docs/security.md).
admin.site.login_form = ThrottledAdminAuthenticationForm

urlpatterns = [
    path("", home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("accounts/", include("kesu.accounts.urls")),
    path("regions/", include("kesu.regions.urls")),
    path("orgs/", include("kesu.orgs.urls")),
    path("plans/", include("kesu.plans.urls")),
    path("collection/", include("kesu.collection.urls")),
    path("analytics/", include("kesu.analytics.urls")),
    path("reports/", include("kesu.reports.urls")),
    path("extraction/", include("kesu.extraction.urls")),
    path("surveys/", include("kesu.surveys.urls")),
    path("assessment/", include("kesu.assessment.urls")),
    path("public/", include("kesu.analytics.public_urls")),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    # Browsers ask for /favicon.ico on pages without a <link rel="icon"> (the API's JSON, files): the drawn SVG.
    path("favicon.ico", login_not_required(RedirectView.as_view(url=static("kesu/favicon.svg"), permanent=True))),
]

# Chinese error pages in the site's layout (kesu/templates/4xx.html, 500.html).
handler403 = "kesu.core.errors.permission_denied"
handler404 = "kesu.core.errors.page_not_found"
