"""The one place the application asks what day it is.

Everything that depends on the date (which period is open, which year a dashboard defaults to, how much of a year
has elapsed for a target) reads ``today()``. ``settings.KESU_TODAY`` (a ``date``) pins the day: tests freeze it to
walk a year's turn, and a training installation can hold a fixed day for its exercises.
"""

from datetime import date

from django.conf import settings
from django.utils import timezone


def today() -> date:
    pinned = getattr(settings, "KESU_TODAY", None)
    if pinned is not None:
        return date.fromisoformat(pinned) if isinstance(pinned, str) else pinned
    return timezone.localdate()
