"""Whether this database holds the demo (so every page and report can say 演示数据).

Every page asks, so the answer is kept in the process for ``MEMO_SECONDS``: the flag changes once in an
installation's life (``kesu demo``, usually before the server starts), and a page that says 演示数据 a few seconds late
after that is no harm, whereas a query on every page is a cost paid on every request.
"""

from .models import SiteFlag
from .recent import Recent

DEMO_FLAG = "demo"
MEMO_SECONDS = 30.0

_flag = Recent(lambda: SiteFlag.objects.filter(key=DEMO_FLAG).exists())


def demo_loaded() -> bool:
    return _flag.get(MEMO_SECONDS)


def forget() -> None:
    """Ask the database again on the next call (after the flag changed, or a test rolled the database back)."""
    _flag.forget()


def set_demo_loaded() -> None:
    SiteFlag.objects.update_or_create(key=DEMO_FLAG, defaults={"value": "1"})
    forget()
