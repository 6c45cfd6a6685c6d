"""The API document keeps its operation ids when routes move between apps: a generated client's method names are
part of the interface (the ids below are those the document was first published with)."""

from kesu.api import api

OPERATIONS = {
    ("get", "/api/health"): "kesu_api_health",
    ("get", "/api/regions"): "kesu_analytics_api_meta_regions",
    ("get", "/api/units"): "kesu_analytics_api_meta_units",
    ("get", "/api/frameworks"): "kesu_analytics_api_meta_frameworks",
    ("get", "/api/indicators"): "kesu_analytics_api_meta_indicators",
    ("get", "/api/plans"): "kesu_analytics_api_meta_plans",
    ("get", "/api/plans/{plan_id}/tasks"): "kesu_analytics_api_meta_tasks",
    ("get", "/api/plans/{plan_id}/targets"): "kesu_analytics_api_meta_targets",
    ("get", "/api/values"): "kesu_analytics_api_records_values",
    ("post", "/api/values"): "kesu_analytics_api_records_value_save",
    ("get", "/api/activities"): "kesu_analytics_api_records_activities",
    ("post", "/api/activities"): "kesu_analytics_api_records_activity_create",
    ("get", "/api/narratives"): "kesu_analytics_api_records_narratives",
    ("post", "/api/narratives"): "kesu_analytics_api_records_narrative_save",
    ("get", "/api/submissions"): "kesu_analytics_api_workflow_submissions",
    ("post", "/api/submissions/{submission_id}/{action}"): "kesu_analytics_api_workflow_act",
    ("get", "/api/analytics"): "kesu_analytics_api_query_analytics",
    ("get", "/api/dataValueSets"): "kesu_collection_api_export",
    ("post", "/api/dataValueSets"): "kesu_collection_api_import_",
    ("get", "/api/dataValueSets.{suffix}"): "kesu_collection_api_export_suffixed",
    ("post", "/api/dataValueSets.{suffix}"): "kesu_collection_api_import_suffixed",
}


def test_every_operation_keeps_its_published_id():
    paths = api.get_openapi_schema()["paths"]
    found = {(method, path): op["operationId"] for path, item in paths.items() for method, op in item.items()}
    assert found == OPERATIONS
