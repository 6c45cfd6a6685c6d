"""The REST API: each app contributes a django-ninja router, mounted here."""

from ninja import NinjaAPI

api = NinjaAPI(title="kesu API", version="1", urls_namespace="api", docs_url="/docs")


@api.get("/health", auth=None, summary="健康检查")
def health(request):
    return {"status": "ok"}
