"""Public pages (no login): mounted at /public/ by kesu/urls.py."""

from django.urls import path

from . import views

urlpatterns = [
    path("<str:slug>/", views.public_page, name="public_page"),
    path("<str:slug>/chart.json", views.public_chart_json, name="public_chart_json"),
]
