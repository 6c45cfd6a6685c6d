from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("generate/", views.generate, name="generate"),
    path("versions/<int:pk>/", views.version_detail, name="version_detail"),
    path("versions/<int:pk>/regenerate/", views.regenerate, name="regenerate"),
    path("versions/<int:pk>/download/", views.download, name="download"),
    path("versions/<int:pk>/compare/", views.compare, name="compare"),
    path("templates/", views.template_list, name="templates"),
    path("templates/builtin/", views.template_builtin, name="template_builtin"),
    path("templates/<int:pk>/download/", views.template_download, name="template_download"),
    path("templates/upload/", views.template_upload, name="template_upload"),
    path("templates/reset/", views.template_reset, name="template_reset"),
    path("packs/", views.pack_create, name="pack_create"),
    path("packs/<int:pk>/", views.pack_detail, name="pack_detail"),
    path("packs/<int:pk>/download/", views.pack_download, name="pack_download"),
]
