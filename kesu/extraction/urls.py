from django.urls import path

from . import views

app_name = "extraction"

urlpatterns = [
    path("", views.index, name="index"),
    path("upload/", views.upload, name="upload"),
    path("<int:pk>/", views.document, name="document"),
    path("<int:pk>/file/", views.document_file, name="document_file"),
    path("<int:pk>/bulk-accept/", views.bulk_accept, name="bulk_accept"),
    path("facts/<int:pk>/", views.fact, name="fact"),
    path("facts/<int:pk>/accept/", views.fact_accept, name="fact_accept"),
    path("facts/<int:pk>/ignore/", views.fact_ignore, name="fact_ignore"),
]
