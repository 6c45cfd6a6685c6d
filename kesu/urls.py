from django.contrib import admin
from django.urls import include, path

from .accounts.views import home
from .core.health import healthz
from .api import api

admin.site.site_header = "科素 系统管理"
admin.site.site_title = "科素"

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
]
