from django.urls import path

from . import views

app_name = "assessment"

urlpatterns = [
    path("", views.index, name="index"),
    path("create/", views.create, name="create"),
    path("<int:pk>/", views.scheme, name="scheme"),
    path("<int:pk>/open/", views.scheme_open, name="scheme_open"),
    path("<int:pk>/export/", views.export, name="export"),
    path("a/<int:pk>/", views.assessment, name="assessment"),
    path("a/<int:pk>/self/", views.self_score, name="self_score"),
    path("a/<int:pk>/review/", views.review, name="review"),
]
