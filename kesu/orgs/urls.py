from django.urls import path

from . import views

app_name = "orgs"

urlpatterns = [
    path("units/", views.unit_list, name="unit_list"),
    path("units/new/", views.unit_create, name="unit_create"),
    path("units/defaults/", views.create_default_units, name="create_default_units"),
    path("units/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("units/<int:pk>/edit/", views.unit_edit, name="unit_edit"),
    path("units/<int:pk>/end/", views.unit_end, name="unit_end"),
    path("units/<int:pk>/contacts/new/", views.contact_create, name="contact_create"),
    path("contacts/<int:pk>/edit/", views.contact_edit, name="contact_edit"),
    path("contacts/<int:pk>/delete/", views.contact_delete, name="contact_delete"),
    path("body/", views.body_detail, name="body_detail"),
    path("body/edit/", views.body_edit, name="body_edit"),
    path("body/posts/new/", views.body_post_add, name="body_post_add"),
    path("body/posts/<int:pk>/delete/", views.body_post_remove, name="body_post_remove"),
]
