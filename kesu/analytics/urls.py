from django.urls import path

from . import views

app_name = "analytics"

urlpatterns = [
    path("", views.dashboard_view, name="dashboard"),
    path("dashboard/partial/", views.dashboard_partial, name="dashboard_partial"),
    path("explorer/", views.indicator_explorer, name="indicator_explorer"),
    path("ranking/", views.ranking_view, name="ranking"),
    path("consistency/", views.consistency_view, name="consistency"),
    path("progress/", views.progress_view, name="progress"),
    path("compare/", views.compare_view, name="compare"),
    path("pivot/", views.pivot_view, name="pivot"),
    path("chart/<slug:name>.json", views.chart_json, name="chart_json"),
    path("chart/<slug:name>/table/", views.chart_table, name="chart_table"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("publications/", views.publications, name="publications"),
    path("publications/new/", views.publication_edit, name="publication_new"),
    path("publications/<int:pk>/", views.publication_edit, name="publication_edit"),
    path("publications/<int:pk>/preview/", views.publication_preview, name="publication_preview"),
    path("publications/<int:pk>/<slug:action>/", views.publication_action, name="publication_action"),
]
