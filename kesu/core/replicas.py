"""Read replicas: analytics and report pages read from a PostgreSQL streaming replica when one is healthy.

Configured by ``KESU_DATABASE_REPLICA_URLS`` (comma-separated); without it nothing here does anything. The rules:

- Only GET/HEAD requests to the read-side pages (the ``analytics`` and ``reports`` URL namespaces) read from a
  replica, and only for the view itself: the session and the user are loaded from the primary before the view runs,
  so a fresh sign-in never looks signed out. Every write, every other page, every background task reads the primary.
- Read your writes: a response to a write request (POST, PUT, PATCH, DELETE) sets a short-lived cookie; while it
  lives, that browser reads the primary, so the figure a user has just saved or approved is there on the next page.
- A replica is used only while it is reachable and caught up: replay within ``KESU_REPLICA_MAX_LAG_SECONDS`` of what
  it has received. The check is one query, remembered for ``KESU_REPLICA_CHECK_SECONDS`` per process.
- A replica that fails (refuses connections, dies mid-request) is set aside for ``KESU_REPLICA_RETRY_SECONDS``; the
  request is answered from the primary (a GET is safe to run again), so users see no error.
"""

from __future__ import annotations

import contextvars
import itertools
import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

log = logging.getLogger(__name__)

READ_SIDE_NAMESPACES = frozenset({"analytics", "reports"})
PIN_COOKIE = "kesu_primary"

# The replica alias chosen for the view running in this thread/context, or None for the primary.
_reading_from: contextvars.ContextVar[str | None] = contextvars.ContextVar("kesu_reading_from", default=None)

# Lag in seconds of a replica: 0 when it has replayed all it received, else the age of the last replayed transaction.
LAG_SQL = (
    "SELECT CASE WHEN NOT pg_is_in_recovery() THEN NULL "
    "WHEN pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn() THEN 0 "
    "ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 1e9) END"
)


def replica_aliases() -> list[str]:
    return list(getattr(settings, "KESU_REPLICA_ALIASES", []))


@dataclass
class _Health:
    checked_at: float = 0.0
    usable: bool = False
    down_until: float = 0.0


_health: dict[str, _Health] = {}
_turn = itertools.count()


def mark_down(alias: str, reason: str) -> None:
    """Set a failing replica aside for a while and drop its connection."""
    health = _health.setdefault(alias, _Health())
    health.usable = False
    health.down_until = time.monotonic() + settings.KESU_REPLICA_RETRY_SECONDS
    log.warning("只读副本 %s 暂停使用 %s 秒：%s", alias, settings.KESU_REPLICA_RETRY_SECONDS, reason)
    try:
        connections[alias].close()
    except DatabaseError:
        pass  # the connection is already broken; closing it is all we wanted


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _lag(alias: str) -> float | None:
    with connections[alias].cursor() as cursor:
        cursor.execute(LAG_SQL)
        value = cursor.fetchone()[0]
    return None if value is None else float(value)


def _is_usable(alias: str, now: float) -> bool:
    health = _health.setdefault(alias, _Health())
    if now < health.down_until:
        return False
    if now - health.checked_at < settings.KESU_REPLICA_CHECK_SECONDS:
        return health.usable
    try:
        lag = _lag(alias)
    except DatabaseError as exc:  # unreachable or shut down: the primary answers instead
        mark_down(alias, _first_line(exc))
        return False
    health.checked_at = now
    # A "replica" that is not in recovery (promoted, or misconfigured to the primary) is not used as one.
    health.usable = lag is not None and lag <= settings.KESU_REPLICA_MAX_LAG_SECONDS
    return health.usable


def choose_replica() -> str | None:
    """A usable replica, taking turns among several; None when the primary must answer."""
    aliases = replica_aliases()
    if not aliases:
        return None
    now = time.monotonic()
    start = next(_turn)
    for offset in range(len(aliases)):
        alias = aliases[(start + offset) % len(aliases)]
        if _is_usable(alias, now):
            return alias
    return None


class ReplicaRouter:
    """Sends reads to the replica chosen for the running read-side view; everything else to the primary."""

    def db_for_read(self, model, **hints):
        alias = _reading_from.get()
        if alias is None or connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        return alias

    def db_for_write(self, model, **hints):
        # Explicitly the primary: an object read from a replica would otherwise be saved back to it.
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replicas are physical copies of the primary: same rows, same ids

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS


class ReplicaReadMiddleware:
    """Chooses primary or replica per request (see the module docstring) and pins writers to the primary."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not replica_aliases():
            return self.get_response(request)
        token = _reading_from.set(None)
        try:
            response = self.get_response(request)
        finally:
            _reading_from.reset(token)
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            response.set_cookie(PIN_COOKIE, "1", max_age=settings.KESU_REPLICA_PIN_SECONDS, httponly=True,
                                samesite="Lax", secure=request.is_secure())
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not self._may_read_replica(request):
            return None
        # Load the session and the user from the primary before the view's reads move to the replica.
        user = getattr(request, "user", None)
        if user is not None:
            user.is_authenticated  # noqa: B018 - evaluates the lazy user now
        alias = choose_replica()
        if alias:
            _reading_from.set(alias)
            request._kesu_view = (view_func, view_args, view_kwargs)
        return None

    def process_exception(self, request, exception):
        alias = _reading_from.get()
        if alias is None or not isinstance(exception, DatabaseError):
            return None
        # The replica failed under the view (shut down, connection lost): answer this GET from the primary.
        mark_down(alias, _first_line(exception))
        _reading_from.set(None)
        view_func, view_args, view_kwargs = request._kesu_view
        response = view_func(request, *view_args, **view_kwargs)
        if hasattr(response, "render") and callable(response.render):
            response = response.render()
        return response

    @staticmethod
    def _may_read_replica(request) -> bool:
        if request.method not in ("GET", "HEAD") or request.COOKIES.get(PIN_COOKIE):
            return False
        match = request.resolver_match
        return bool(match and match.app_name in READ_SIDE_NAMESPACES)
