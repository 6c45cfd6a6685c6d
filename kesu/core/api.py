"""What every REST route shares, whatever app it belongs to: the bounded parameter types, the one error shape, the
error handlers and paging. Authentication lives with the accounts (``kesu.accounts.api_auth``); ``kesu/api.py``
mounts each app's routers and installs the handlers once.

Every error is ``{"code": ..., "message": 中文说明, "fields": [...]}`` (plus ``row`` for imports)."""

from typing import Annotated

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import DataError
from django.http import Http404
from ninja.errors import AuthenticationError, HttpError, ValidationError
from pydantic import Field

from kesu.core.exceptions import ApplicationError

# Integers the API accepts, bounded in the OpenAPI document: a database integer column holds at most 2**31 - 1, so a
# larger id, count or offset is refused (422) before any query instead of overflowing inside the database (500).
INT_MAX = 2**31 - 1
Id = Annotated[int, Field(ge=1, le=INT_MAX)]
Count = Annotated[int, Field(ge=0, le=INT_MAX)]
Version = Annotated[int, Field(ge=0, le=INT_MAX)]
Offset = Annotated[int, Field(ge=0, le=INT_MAX)]
Limit = Annotated[int, Field(ge=1, le=5000)]
Year = Annotated[int, Field(ge=1949, le=2200)]
Amount = Annotated[float, Field(ge=0, le=1e12)]
# The formats the services enforce, stated in the document so that a schema-valid call is never refused for them.
PERIOD_PATTERN = r"^(19\d\d|2[01]\d\d|2200)(S[12]|Q[1-4]|0[1-9]|1[0-2])?$"
PeriodId = Annotated[str, Field(pattern=PERIOD_PATTERN, description="报告期：2026、2026S1、2026Q3 或 202611")]
PeriodList = Annotated[str, Field(pattern=r"^(19\d\d|2[01]\d\d|2200)(S[12]|Q[1-4]|0[1-9]|1[0-2])?"
                                          r"(,(19\d\d|2[01]\d\d|2200)(S[12]|Q[1-4]|0[1-9]|1[0-2])?)*$",
                                  description="逗号分隔的报告期")]




class CsrfRefused(Exception):
    """A signed-in browser session wrote without its CSRF token (answered 403 with a Chinese reason)."""


def error(api, request, status: int, code: str, message: str, fields=None, **extra):
    body = {"code": code, "message": message, "fields": list(fields or []), **extra}
    return api.create_response(request, body, status=status)


MESSAGES = {"missing": "缺少必填字段", "int_parsing": "应为整数", "float_parsing": "应为数字",
            "bool_parsing": "应为 true 或 false", "date_from_datetime_parsing": "应为日期（2026-05-20）",
            "date_parsing": "应为日期（2026-05-20）", "string_type": "应为文本", "int_type": "应为整数"}


def install_error_handlers(api) -> None:
    @api.exception_handler(ApplicationError)
    def _app(request, exc: ApplicationError):
        extra = {"row": exc.row} if exc.row else {}
        return error(api, request, 400, "invalid", exc.message, [exc.field] if exc.field else [], **extra)

    @api.exception_handler(PermissionDenied)
    def _denied(request, exc):
        return error(api, request, 403, "forbidden", str(exc) or "无权访问该数据。")

    @api.exception_handler(Http404)
    def _missing(request, _exc):
        return error(api, request, 404, "not_found", "请求的对象不存在或无权查看。")

    @api.exception_handler(AuthenticationError)
    def _auth(request, _exc):
        response = error(api, request, 401, "unauthorized", "未登录或访问令牌无效。请登录或在请求头中提供有效令牌。")
        challenge = 'Bearer realm="kesu"'
        if settings.KESU_API_BASIC_AUTH:
            challenge += ', Basic realm="kesu", charset="UTF-8"'
        response["WWW-Authenticate"] = challenge
        return response

    @api.exception_handler(CsrfRefused)
    def _csrf(request, _exc):
        return error(api, request, 403, "csrf_failed", "CSRF 校验失败：浏览器会话的写操作须带 X-CSRFToken 请求头（取自 csrftoken "
                                                       "Cookie）；脚本请改用访问令牌（Authorization: Bearer ksu_…）。")

    @api.exception_handler(ValidationError)
    def _validation(request, exc: ValidationError):
        fields = [str((e.get("loc") or [""])[-1]) for e in exc.errors]
        reasons = [f"{f}：{MESSAGES.get(e.get('type'), e.get('msg', ''))}"
                   for f, e in zip(fields, exc.errors, strict=True)]
        return error(api, request, 422, "validation", "请求参数不正确（" + "；".join(reasons) + "）。", fields)

    @api.exception_handler(OverflowError)
    @api.exception_handler(DataError)
    def _overflow(request, _exc):
        # A last line behind the bounded parameter types: a value the database cannot hold is the caller's error.
        return error(api, request, 400, "invalid", "数值超出允许范围。")

    @api.exception_handler(HttpError)
    def _http(request, exc: HttpError):
        return error(api, request, exc.status_code, "error", str(exc))


def page(qs, limit: int, offset: int, max_limit: int = 1000):
    limit = max(1, min(int(limit), max_limit))
    offset = max(0, int(offset))
    return qs[offset:offset + limit]
