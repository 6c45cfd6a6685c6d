"""The REST API routers (metadata, data, workflow, analytics, DHIS2-style data value sets), their authentication
(session or personal access token) and the one error shape. ``register(api)`` wires them into the NinjaAPI."""

from .common import AUTH, install_error_handlers


def register(api) -> None:
    from kesu.collection.api import router as collection_router

    from . import meta, query, records, workflow

    install_error_handlers(api)
    api.add_router("/", meta.router, auth=AUTH, tags=["元数据"])
    api.add_router("/", records.router, auth=AUTH, tags=["数据"])
    api.add_router("/", workflow.router, auth=AUTH, tags=["审核流程"])
    api.add_router("/", query.router, auth=AUTH, tags=["统计分析"])
    api.add_router("/", collection_router, auth=AUTH, tags=["数据交换"])
