"""Whether this database holds the demo (so every page and report can say 演示数据).

Every page asks, so the answer is kept in the process for ``MEMO_SECONDS``: the flag changes once in an
installation's life (``kesu demo``, usually before the server starts), and a page that says 演示数据 a few seconds late
after that is no harm, whereas a query on every page is a cost paid on every request.
"""

import time

from .models import SiteFlag

DEMO_FLAG = "demo"
MEMO_SECONDS = 30.0

_memo: dict[str, tuple[float, bool]] = {}


def demo_loaded() -> bool:
    now = time.monotonic()
    found = _memo.get(DEMO_FLAG)
    if found is not None and now - found[0] < MEMO_SECONDS:
        return found[1]
    loaded = SiteFlag.objects.filter(key=DEMO_FLAG).exists()
    _memo[DEMO_FLAG] = (now, loaded)
    return loaded


def forget() -> None:
    """Ask the database again on the next call (after the flag changed, or a test rolled the database back)."""
    _memo.clear()


def set_demo_loaded() -> None:
    SiteFlag.objects.update_or_create(key=DEMO_FLAG, defaults={"value": "1"})
    forget()
