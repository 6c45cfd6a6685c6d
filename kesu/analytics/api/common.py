"""Authentication, scope and the error shape shared by every endpoint.

Every error is ``{"code": ..., "message": 中文说明, "fields": [...]}`` (plus ``row`` for imports)."""

from typing import Annotated

from django.conf import settings
from django.contrib.auth import authenticate
from django.core.exceptions import PermissionDenied
from django.db import DataError
from django.http import Http404
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import APIKeyCookie, HttpBasicAuth, HttpBearer
from ninja.utils import check_csrf
from pydantic import Field

from kesu.accounts import throttle
from kesu.accounts.scope import Scope
from kesu.accounts.services import token_user
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


class SessionAuth(APIKeyCookie):
    """The signed-in browser session (CSRF checked on writes).

    Without a signed-in session this method simply does not apply (the call ends as 401 when no other method
    does): a script with a wrong token, or none, is told to authenticate, not that a CSRF check failed.
    """

    param_name = "sessionid"

    def _get_key(self, request):
        if not request.user.is_authenticated:
            return None
        if self.csrf and not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise CsrfRefused()
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request, key):  # noqa: ARG002 (django-ninja's APIKeyCookie signature)
        return request.user if request.user.is_authenticated else None


class TokenAuth(HttpBearer):
    """``Authorization: Bearer ksu_…`` — a personal access token."""

    def __call__(self, request):
        # Only a Bearer header is ours; any other scheme (Basic) is left to the next method without a word — the
        # library's own check would log the whole header, credentials included.
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer":
            return None
        return self.authenticate(request, token.strip())

    def authenticate(self, request, token):
        user = token_user(token)
        if user is not None:
            request.user = user
        return user


class BasicAuth(HttpBasicAuth):
    """HTTP Basic with a kesu user name and password, for DHIS2 clients that know no other way.

    Off unless ``KESU_API_BASIC_AUTH`` is set: a password sent with every call is weaker than a token, so an
    installation turns it on only for such clients (over HTTPS). Repeated failures count towards the same
    lock-out as the login page.
    """

    def authenticate(self, request, username, password):
        if not settings.KESU_API_BASIC_AUTH:
            return None
        ip = throttle.client_ip(request)
        if throttle.is_locked(username, ip):
            return None
        user = authenticate(request, username=username, password=password)
        if user is None or not user.is_active:
            throttle.record_failure(username, ip)
            return None
        request.user = user
        return user


# The token is tried first: a script that sends a Bearer token is never asked for a CSRF token, even when it also
# carries a session cookie (the session check refuses a write without one, before the next method is tried).
AUTH = [TokenAuth(), BasicAuth(), SessionAuth()]


def scope_of(request) -> Scope:
    return Scope.for_user(request.auth if request.auth is not None else request.user)


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
