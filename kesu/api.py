"""The REST API: each app contributes a django-ninja router from its own ``api.py``; this module only mounts them,
with the one authentication list (``kesu.accounts.api_auth.AUTH``) and the one set of error handlers
(``kesu.core.api``).

Every API view is exempt from the login redirect at the Django level (``login_required = False``): the API answers
an anonymous call itself, with a 401 JSON error, and authenticates by session or personal access token.

Operation ids are pinned on each route (``operation_id=…``) to the ids the document had when the routes were first
published, so that a generated client keeps its method names when a route moves between apps.
"""

from ninja import NinjaAPI

from kesu.accounts.api_auth import AUTH
from kesu.analytics.api import router as analytics_router
from kesu.collection.api import exchange_router, records_router, workflow_router
from kesu.core.api import install_error_handlers
from kesu.orgs.api import router as orgs_router
from kesu.plans.api import router as plans_router
from kesu.regions.api import router as regions_router

# Every error has one shape (see kesu.core.api.error); the document says so for every operation, so a
# client (and the schema fuzzer) knows what a refusal looks like.
ERROR_SCHEMA = {
    "type": "object",
    "required": ["code", "message", "fields"],
    "properties": {"code": {"type": "string"}, "message": {"type": "string"},
                   "fields": {"type": "array", "items": {"type": "string"}}, "row": {"type": "integer"}},
}
ERRORS = {400: "请求内容不正确", 401: "未登录或访问令牌无效", 403: "无权执行该操作", 404: "对象不存在或无权查看",
          422: "请求参数不正确"}


class KesuAPI(NinjaAPI):
    def get_openapi_schema(self, **kwargs):
        schema = super().get_openapi_schema(**kwargs)
        schema["components"].setdefault("schemas", {})["Error"] = ERROR_SCHEMA
        ref = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
        for item in schema["paths"].values():
            for operation in item.values():
                public = "security" not in operation
                for status, text in ERRORS.items():
                    if not (public and status in (401, 403)):
                        operation["responses"].setdefault(status, {"description": text, **ref})
        return schema

    @property
    def urls(self):
        patterns, app_name, namespace = super().urls
        for pattern in patterns:
            callback = getattr(pattern, "callback", None)
            if callback is not None:
                callback.login_required = False  # what django's login_not_required sets
        return patterns, app_name, namespace


api = KesuAPI(title="kesu API", version="1", urls_namespace="api", docs_url="/docs",
              description="科素 REST API：元数据、填报数据、审核流程、统计分析、DHIS2 格式数据交换。"
                          "认证：登录会话或个人访问令牌（Authorization: Bearer ksu_…）。")


@api.get("/health", auth=None, summary="健康检查")
def health(request):  # noqa: ARG001 (an API operation's signature)
    return {"status": "ok"}


install_error_handlers(api)
# Mount order is the order of the document: metadata, figures, workflow, analytics, exchange.
for router, tag in [(regions_router, "元数据"), (orgs_router, "元数据"), (plans_router, "元数据"),
                    (records_router, "数据"), (workflow_router, "审核流程"), (analytics_router, "统计分析"),
                    (exchange_router, "数据交换")]:
    api.add_router("/", router, auth=AUTH, tags=[tag])
