"""URLs of the Excel import, included into the ``collection`` namespace by kesu/collection/urls.py."""

from django.urls import path

from . import views

_reporter = "<str:period_id>/<int:region_id>/<int:unit_id>"

urlpatterns = [
    path("excel/", views.excel_start, name="excel_start"),
    path(f"excel/{_reporter}/template/", views.excel_template, name="excel_template"),
    path(f"excel/{_reporter}/upload/", views.excel_upload, name="excel_upload"),
    path("excel/imports/<int:pk>/", views.excel_preview, name="excel_preview"),
    path("excel/imports/<int:pk>/commit/", views.excel_commit, name="excel_commit"),
    path("excel/imports/<int:pk>/retry/", views.excel_retry, name="excel_retry"),
    path("excel/imports/<int:pk>/progress/", views.excel_job, name="excel_job"),
    path("excel/imports/<int:pk>/problems.csv", views.excel_problems, name="excel_problems"),
]
