"""Configuration held: read once per key for a bulk run, or kept in the process while its version is unchanged.

The configuration is what offices edit now and then and every write of figures reads again: the data sets covering a
reporter and their indicators, validation rules, activity and outlier rules (which models: kesu/collection/
configuration.py). ``held(key, compute)`` reads one piece of it; what happens depends on the block around it:

- no block: it just computes (a page that reads the configuration once gains nothing from keeping it);
- ``configuration_held()`` — a bulk run (the demo's years of returns, an import of many reporters): each key is read
  once and kept until the block ends;
- ``configuration_held(per_version=True)`` — one write of figures (a grid cell, an API call): the version token is
  read once (one statement) and each key is taken from what this process kept under that token, read only if absent.

The version token changes in the same transaction as every change of the configuration (``configuration_changed``:
model signals for saves, deletes and m2m changes; explicit calls where ``QuerySet.update`` or ``bulk_create`` bypass
the signals; every ``migrate``). A change made in this process also detaches the open block from what was kept, so
the rest of the block reads the new configuration.

Why a kept value is as fresh as a plain read. The token is read before any key is computed, so a value kept under
token T was read when T or a later configuration was committed: never older than T. A request that read T while a
change was being committed elsewhere uses T's configuration — the same it would have read had its statements run a
moment earlier; under READ COMMITTED (PostgreSQL) and SQLite's single writer a plain read gives no more than that
(each statement sees what was committed when it started, and a figure write takes no lock a configuration change
waits for, so a save checked against the configuration being replaced can commit just after it either way). Once
the change is committed its new token is what every
later read gets, so no request that starts afterwards sees the old configuration. A token is random, not a counter:
a change rolled back (or a test's transaction) never leaves its token to name another configuration later.

Only configuration is kept, never figures, returns or statuses. Kept values are shared between requests and must be
treated as read-only.
"""

import secrets
import threading
from collections import OrderedDict
from contextlib import contextmanager
from contextvars import ContextVar

from .models import ConfigurationVersion

KEPT_VERSIONS = 2  # the token being replaced and the new one, while requests that read the old one finish
KEPT_ENTRIES = 4096  # keys per version (one per reporter for the covering data sets): bounded memory

_held: ContextVar[dict | None] = ContextVar("configuration_held", default=None)
_lock = threading.Lock()
_versions: OrderedDict = OrderedDict()  # token → _Kept, newest last


class _Kept:
    """What this process read under one version token: shared by threads, least recently used dropped first."""

    def __init__(self):
        self.entries: OrderedDict = OrderedDict()

    def get(self, key, default=None):
        with _lock:
            if key not in self.entries:
                return default
            self.entries.move_to_end(key)
            return self.entries[key]

    def __setitem__(self, key, value) -> None:
        with _lock:
            self.entries[key] = value
            while len(self.entries) > KEPT_ENTRIES:
                self.entries.popitem(last=False)


def version() -> int:
    """The configuration's current token (0 before the first change is recorded)."""
    return ConfigurationVersion.objects.filter(pk=1).values_list("token", flat=True).first() or 0


def configuration_changed(*, create: bool = True) -> None:
    """The configuration changes in the current transaction: a new token, and the open block reads afresh.

    Call it from any write that bypasses model signals (``QuerySet.update``, ``bulk_create``, ``bulk_update``).
    ``create=False`` (``migrate``) leaves an instance without a token without one: an empty instance stays empty,
    as a restore requires; its token 0 is replaced by the first change of the configuration.
    """
    token = secrets.randbits(62) or 1
    if not ConfigurationVersion.objects.filter(pk=1).update(token=token) and create:
        ConfigurationVersion.objects.update_or_create(pk=1, defaults={"token": token})
    forget()


def forget() -> None:
    """What this process kept is dropped; an open block goes on with a private store of its own.

    Private, so that what the block reads from now on — possibly a change not yet committed — is never kept under
    a token other requests read.
    """
    with _lock:
        _versions.clear()
    if _held.get() is not None:
        _held.set({})


def _kept_for(token: int) -> _Kept:
    with _lock:
        kept = _versions.get(token)
        if kept is None:
            kept = _versions[token] = _Kept()
            while len(_versions) > KEPT_VERSIONS:
                _versions.popitem(last=False)
        return kept


@contextmanager
def configuration_held(*, per_version: bool = False):
    """Within the block, configuration reads are done once per key (nested blocks share the outer one's)."""
    if _held.get() is not None:
        yield
        return
    token = _held.set(_kept_for(version()) if per_version else {})
    try:
        yield
    finally:
        _held.reset(token)


def held(key: tuple, compute):
    """``compute()``, kept under ``key`` while a ``configuration_held()`` block is open."""
    kept = _held.get()
    if kept is None:
        return compute()
    value = kept.get(key, _MISSING)
    if value is _MISSING:
        value = kept[key] = compute()
    return value


_MISSING = object()
