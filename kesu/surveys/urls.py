from django.urls import path

from . import views

app_name = "surveys"

urlpatterns = [
    path("", views.index, name="index"),
    path("create/", views.create, name="create"),
    path("published/", views.published_record, name="published_record"),
    path("questionnaires/import/", views.questionnaire_import, name="questionnaire_import"),
    path("questionnaires/template/", views.itembank_template, name="itembank_template"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/upload/", views.upload, name="upload"),
    path("<int:pk>/analyse/", views.analyse, name="analyse"),
    path("<int:pk>/accept/", views.accept, name="accept"),
    path("<int:pk>/report/", views.report, name="report"),
]
