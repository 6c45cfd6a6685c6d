"""The one place the application asks what day it is.

Everything that depends on the date (which period is open, which year a dashboard defaults to, how much of a year
has elapsed for a target) reads ``today()``. ``settings.KESU_TODAY`` (a ``date``) pins the day: tests freeze it to
walk a year's turn, and a training installation can hold a fixed day for its exercises. ``held()`` keeps one day for
the length of a long operation (the demo build), so a run that crosses midnight does not see two dates.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date

from django.conf import settings
from django.utils import timezone

_held: ContextVar[date | None] = ContextVar("kesu_held_day", default=None)


def today() -> date:
    pinned = getattr(settings, "KESU_TODAY", None)
    if pinned is not None:
        return date.fromisoformat(pinned) if isinstance(pinned, str) else pinned
    return _held.get() or timezone.localdate()


@contextmanager
def held() -> Iterator[date]:
    """Within the block, ``today()`` stays the day it was on entry."""
    token = _held.set(today())
    try:
        yield _held.get()
    finally:
        _held.reset(token)
