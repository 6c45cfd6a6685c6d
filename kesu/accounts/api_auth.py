"""How a REST call says who it is: the signed-in session, a personal access token (tokens belong to the accounts),
or — when an installation enables it for DHIS2 clients — HTTP Basic. ``AUTH`` is the one list every router is
mounted with (``kesu/api.py``); ``scope_of`` is the caller's scope in every route."""

from django.conf import settings
from django.contrib.auth import authenticate
from ninja.security import APIKeyCookie, HttpBasicAuth, HttpBearer
from ninja.utils import check_csrf

from kesu.core.api import CsrfRefused

from . import throttle
from .scope import Scope
from .services import token_user


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
