"""Page data kept in the process while the data it shows has not changed: keyed by the page data version.

Every change of stored data goes through a service that records an audit event in its own transaction (figures,
returns and their approval — and with them the stored roll-ups —, plans, units, accounts). The pages kept here
show approved figures, returns' approval, regions, units and plans — never a figure still being entered into an
open return. So the page data version is the newest audit event's id, except for the events of figures saved into
an open return (``DRAFT_FIGURE_TYPE``: a grid cell, an import, the API), which change nothing such a page shows:
in a busy office most events are cell saves, and the kept pages outlive them.

The version is read in one statement on the primary key: the events newer than the newest one this process has read
(at most ``SCAN`` of them; more count as a change). A page's data read after version N is valid for as long as the
version is N. Two limits, both bounded by ``MEMO_SECONDS``: set-up commands that write without audit events
(loading the region list, ``kesu bench generate``), and, on PostgreSQL, two transactions that commit in the other
order than they took their audit ids (the earlier id, seen late, is never read). Within those seconds a page may
show what it showed a moment before — never another scope's data, since the scope is part of the key; and a user
who changed what the page shows sees the change on the next visit, since their event is committed before their next
request.
"""

import threading
import time
from collections import OrderedDict

from .models import AuditEvent

MEMO_SECONDS = 60.0
MEMO_ENTRIES = 512
SCAN = 500  # the newest events read per check; a process that missed more takes them as a change

# The figure service's own audit events of an ordinary save (kesu/collection/services/figures.py: its object type,
# and the actions of COLLECT mode; history and amendments — approved figures — have actions of their own).
DRAFT_FIGURE_TYPE = "collection.indicatorvalue"
DRAFT_FIGURE_ACTIONS = frozenset({"create", "update", "delete"})

_lock = threading.Lock()
_memo: OrderedDict = OrderedDict()
# The newest audit id this process has read (None: not looked yet), and the newest of them that changes a kept page.
_seen: dict = {"newest": None, "version": 0}


def data_version() -> int:
    """The id of the newest audit event that may change a kept page (see the module docstring)."""
    with _lock:
        after = _seen["newest"]
    if after is None:  # a process's first look: everything before now counts, no scan of the whole table
        newest = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
        changing = newest
    else:  # usually a few rows: the events since this process last looked
        newer = list(AuditEvent.objects.filter(id__gt=after).order_by("-id")
                     .values_list("id", "object_type", "action")[:SCAN])
        newest = newer[0][0] if newer else 0
        changing = newest if len(newer) >= SCAN else next(
            (pk for pk, object_type, action in newer if not _draft_figure(object_type, action)), 0)
    with _lock:
        _seen["newest"] = max(_seen["newest"] or 0, newest)
        _seen["version"] = max(_seen["version"], changing)
        return _seen["version"]


def _draft_figure(object_type: str, action: str) -> bool:
    return object_type == DRAFT_FIGURE_TYPE and action in DRAFT_FIGURE_ACTIONS


def remembered(key: tuple, compute):
    """``compute()``, or what it returned for ``key`` at the current data version within ``MEMO_SECONDS``.

    The version is read before computing, so what is kept is never older than the version it is kept under.
    """
    version, now = data_version(), time.monotonic()
    with _lock:
        found = _memo.get(key)
        if found is not None and found[0] == version and now - found[1] < MEMO_SECONDS:
            _memo.move_to_end(key)
            return found[2]
    value = compute()
    with _lock:
        _memo[key] = (version, now, value)
        _memo.move_to_end(key)
        while len(_memo) > MEMO_ENTRIES:
            _memo.popitem(last=False)
    return value


def forget() -> None:
    """Empty the memo and what this process has read of the audit events (tests, whose rolled-back ids return)."""
    with _lock:
        _memo.clear()
        _seen.update(newest=None, version=0)
