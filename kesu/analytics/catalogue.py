"""Reference data every analytics request reads again — regions, indicators, activity rules — kept in the process
while it has not changed, keyed by a catalogue version token that the database itself replaces on every change.

Why the database: a token advanced by the services would miss the writes that bypass them (``kesu regions load``,
``bulk_create``, ``QuerySet.update``, the admin, a restore, raw SQL). Triggers on the watched tables (``WATCHED``,
installed by migration ``analytics.0003``) write a new random token into one row in the same transaction as any
INSERT, UPDATE or DELETE (and TRUNCATE on PostgreSQL), whoever writes and in whichever process; so the token a
statement reads names the watched tables as that statement sees them.

Why a kept value is as fresh as a plain read: the token is read before anything is computed, so what is kept under
token T was read when T, or a later catalogue, was committed — never older than T. A token is random, not a
counter: a change rolled back (or a test's transaction) never leaves its token to name another catalogue later.
The token is read from the database the request reads from (a replica, for the analytics pages), so a lagging
replica's token never names data from ahead of it... and at worst newer data.

``kept(key, compute)`` reads the token (one statement) unless a ``catalogue_held()`` block is open, which reads it
once for the block: a read-only selector (the analytics API, a dashboard) opens one around its reads, so its several
lookups cost one statement. A block must not write the watched tables. Only values computed from the watched tables
are kept; kept model instances are handed out as copies, so a caller's change to one never reaches another request.
"""

import functools
import threading
from collections import OrderedDict
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import connections, router
from django.db.models import Model
from django.db.models.base import ModelState

from kesu.regions.models import Region

WATCHED = ("regions_region", "plans_indicator", "collection_activityindicatorrule")
TABLE = "analytics_catalogue_version"
KEPT_ENTRIES = 1024

_NOT_COPIED = {"_state", "_prefetched_objects_cache"}
_NO_BLOCK = object()
_held: ContextVar = ContextVar("catalogue_held", default=_NO_BLOCK)
_lock = threading.Lock()
_kept: OrderedDict = OrderedDict()  # (token, key) → value, least recently used first


def version() -> str | None:
    """The current token (None if the row is missing: nothing is kept then)."""
    with connections[router.db_for_read(Region)].cursor() as cur:
        cur.execute(f"SELECT token FROM {TABLE} WHERE id = 1")
        row = cur.fetchone()
    return row[0] if row else None


@contextmanager
def catalogue_held():
    """Within the block the token is read once (nested blocks share the outer one's). For reads only."""
    if _held.get() is not _NO_BLOCK:
        yield
        return
    token = _held.set(version())
    try:
        yield
    finally:
        _held.reset(token)


def catalogue_read(view):
    """A read-only view (the analytics pages answer GET and HEAD only): its catalogue reads share one token read."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        with catalogue_held():
            return view(*args, **kwargs)

    return wrapped


def kept(key: tuple, compute):
    """``compute()``, or what it returned for ``key`` under the current catalogue token (model instances copied)."""
    token = _held.get()
    if token is _NO_BLOCK:
        token = version()
    if token is None:
        return compute()
    with _lock:
        found = _kept.get((token, key), _kept)
        if found is not _kept:
            _kept.move_to_end((token, key))
    if found is _kept:
        found = compute()
        with _lock:
            _kept[(token, key)] = found
            while len(_kept) > KEPT_ENTRIES:
                _kept.popitem(last=False)
    return _copied(found)


def _copied(value):
    if isinstance(value, list):
        return [_copied(v) for v in value]
    if isinstance(value, dict):
        return {k: _copied(v) for k, v in value.items()}
    if isinstance(value, Model):
        return _instance_copy(value)
    return value


def _instance_copy(instance: Model) -> Model:
    """The instance's field values in a new instance with a state of its own (no related objects cached):
    what ``copy.copy`` gives, at a fifth of its cost (it goes through pickling's protocol)."""
    clone = Model.__new__(type(instance))
    clone.__dict__ = {k: v for k, v in instance.__dict__.items() if k not in _NOT_COPIED}
    clone._state = ModelState()
    clone._state.db, clone._state.adding = instance._state.db, instance._state.adding
    return clone


def forget() -> None:
    with _lock:
        _kept.clear()
