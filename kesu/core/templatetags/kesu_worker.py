"""``{% worker_warning %}``: a banner on every signed-in page while tasks wait and no worker is alive."""

from django import template

from kesu.core.recent import Recent
from kesu.core.worker import stalled_queue

register = template.Library()

# A task counts as stalled only after it has waited 5 s, and a dead worker is noticed after 30 s: an answer a few
# seconds old says the same, so each process asks the queue at most this often rather than on every full page.
BANNER_SECONDS = 5.0

_stalled = Recent(stalled_queue)


def stalled_recently() -> dict | None:
    """``stalled_queue()`` as answered within the last ``BANNER_SECONDS`` in this process."""
    return _stalled.get(BANNER_SECONDS)


def forget() -> None:
    _stalled.forget()


@register.inclusion_tag("core/worker_warning.html", takes_context=True)
def worker_warning(context):
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"stalled": None}
    return {"stalled": stalled_recently(), "is_admin": user.is_superuser or user.role == "admin"}
