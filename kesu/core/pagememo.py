"""Page data kept in the process while the data has not changed: keyed by the data version.

The data version is the newest audit event's id. Every change of stored data goes through a service that records
an audit event in its own transaction (figures, returns and their approval — and with them the stored roll-ups —,
plans, units, accounts), so a page's data read after version N is valid for as long as the version is N; one
indexed read of the newest id replaces the page's queries. Two limits, both bounded by ``MEMO_SECONDS``: set-up
commands that write without audit events (loading the region list, ``kesu bench generate``), and, on PostgreSQL,
two transactions that commit in the other order than they took their audit ids (the later id becomes visible
first). Within those seconds a page may show what it showed a moment before — never another scope's data, since
the scope is part of the key.
"""

import threading
import time
from collections import OrderedDict

from .models import AuditEvent

MEMO_SECONDS = 60.0
MEMO_ENTRIES = 512

_lock = threading.Lock()
_memo: OrderedDict = OrderedDict()


def data_version() -> int:
    return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


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
    with _lock:
        _memo.clear()
