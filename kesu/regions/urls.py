from django.urls import path

from . import views

app_name = "regions"

urlpatterns = [
    path("", views.region_list, name="region_list"),
    path("template.xlsx", views.region_import_template, name="region_import_template"),
    path("<int:pk>/", views.region_detail, name="region_detail"),
    path("<int:pk>/children/", views.region_children_partial, name="region_children"),
    path("<int:pk>/add/", views.region_add_child, name="region_add_child"),
    path("<int:pk>/edit/", views.region_edit, name="region_edit"),
    path("<int:pk>/import/", views.region_import, name="region_import"),
]
