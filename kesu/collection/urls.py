from django.urls import path

from . import audit_views, views

app_name = "collection"

_reporter = "<int:ds_id>/<str:period_id>/<int:region_id>/<int:unit_id>"

urlpatterns = [
    path("", views.home, name="home"),
    path(f"grid/{_reporter}/", views.grid, name="grid"),
    path(f"grid/{_reporter}/cell/<int:indicator_id>/", views.cell_save, name="cell_save"),
    path(f"grid/{_reporter}/cell/<int:indicator_id>/history/", views.value_history, name="value_history"),
    path("activities/", views.activity_list, name="activity_list"),
    path("activities/new/", views.activity_edit, name="activity_create"),
    path("activities/<int:pk>/", views.activity_edit, name="activity_edit"),
    path("activities/<int:pk>/attachments/", views.attachment_upload, name="attachment_upload"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment_download"),
    path("activities/<int:pk>/delete/", views.activity_delete, name="activity_delete"),
    path("narratives/<str:period_id>/<int:region_id>/<int:unit_id>/", views.narratives, name="narratives"),
    path("submissions/<int:pk>/", views.submission_detail, name="submission"),
    path("submissions/<int:pk>/reopen/", views.submission_reopen, name="submission_reopen"),
    path("submissions/<int:pk>/<str:action>/", views.submission_action, name="submission_action"),
    path("rules/", views.rules, name="rules"),
    path("review/", views.review, name="review"),
    path("review/approve/", views.review_approve, name="review_approve"),
    path("completeness/", views.completeness, name="completeness"),
    path("violations/", views.violations, name="violations"),
    path("audit/", audit_views.audit_log_view, name="audit_log"),
]

# The Excel import's pages (kesu/collection/excel/urls.py) live in this namespace too.
from .excel.urls import urlpatterns as excel_urlpatterns  # noqa: E402

urlpatterns += excel_urlpatterns
