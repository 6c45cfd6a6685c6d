"""The REST API: each app contributes a django-ninja router, mounted here.

Every API view is exempt from the login redirect at the Django level (``login_required = False``): the API answers
an anonymous call itself, with a 401 JSON error, and authenticates by session or personal access token.
"""

from ninja import NinjaAPI

from kesu.analytics.api import register


class KesuAPI(NinjaAPI):
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
def health(request):
    return {"status": "ok"}


register(api)
