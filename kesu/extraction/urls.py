from django.urls import path

from . import views

app_name = "extraction"

urlpatterns = [
    path("", views.index, name="index"),
    path("upload/", views.upload, name="upload"),
    path("<int:pk>/", views.document, name="document"),
    path("<int:pk>/file/", views.document_file, name="document_file"),
    path("<int:pk>/bulk-accept/", views.bulk_accept, name="bulk_accept"),
    path("<int:pk>/retry/", views.document_retry, name="document_retry"),
    path("<int:pk>/delete/", views.document_delete, name="document_delete"),
    path("reports/<int:pk>/confirm/", views.report_confirm, name="report_confirm"),
    path("facts/<int:pk>/", views.fact, name="fact"),
    path("facts/<int:pk>/accept/", views.fact_accept, name="fact_accept"),
    path("facts/<int:pk>/ignore/", views.fact_ignore, name="fact_ignore"),
]
