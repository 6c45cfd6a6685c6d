from datetime import date, timedelta

from django.utils import timezone

from kesu.core import clock


def test_a_held_day_survives_midnight(monkeypatch):
    """A long run (the demo build) that crosses midnight keeps the day it started on; afterwards the clock moves."""
    start = date(2026, 12, 3)
    monkeypatch.setattr(timezone, "localdate", lambda: start)
    with clock.held() as day:
        monkeypatch.setattr(timezone, "localdate", lambda: start + timedelta(days=1))
        assert day == start and clock.today() == start
    assert clock.today() == start + timedelta(days=1)


def test_a_pinned_day_wins_over_a_held_one(settings):
    settings.KESU_TODAY = date(2026, 1, 2)
    with clock.held():
        assert clock.today() == date(2026, 1, 2)
