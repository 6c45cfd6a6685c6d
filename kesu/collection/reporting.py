"""Who reports what and when: data sets covering a reporter, reporting windows, expected reporters, reviewers.

Shared by services and selectors; reads only.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Q

from kesu.core.configuration import held
from kesu.core.periods import Period
from kesu.orgs.models import Unit
from kesu.regions.models import Region

from .models import DataSet, LockException


@dataclass(frozen=True)
class Window:
    opens: date
    due: date
    closes: date


def window(data_set: DataSet, period: Period) -> Window:
    return Window(opens=period.start, due=period.end + timedelta(days=data_set.due_days),
                  closes=period.end + timedelta(days=data_set.close_days))


def lock_exception_until(data_set: DataSet, period: Period, region: Region, unit: Unit | None) -> date | None:
    """The latest date an office reopened entry for this reporter (an exception without unit covers the region)."""
    rows = LockException.objects.filter(data_set=data_set, period_id=period.id, region=region)
    rows = rows.filter(Q(unit__isnull=True) | Q(unit=unit)) if unit is not None else rows.filter(unit__isnull=True)
    return max((r.until for r in rows), default=None)


def is_open(data_set: DataSet, period: Period, region: Region, unit: Unit | None, today: date) -> bool:
    w = window(data_set, period)
    if w.opens <= today <= w.closes:
        return True
    if today > w.closes:
        until = lock_exception_until(data_set, period, region, unit)
        return until is not None and today <= until
    return False


def covers(data_set: DataSet, region: Region, unit: Unit | None) -> bool:
    """Does ``data_set`` expect a return from this reporter?"""
    if not region.path.startswith(data_set.region.path):
        return False
    is_owner = region.pk == data_set.region_id
    region_reports = is_owner or (data_set.lowest_level is not None and region.level <= data_set.lowest_level)
    if unit is None:
        return region_reports
    if not data_set.units_report or not region_reports:
        return False
    explicit = held(("data_set_units", data_set.pk), lambda: [u.pk for u in data_set.units.all()])
    return not explicit or unit.pk in explicit


def data_sets_for(region: Region, unit: Unit | None, *, indicator=None, period_type: str | None = None):
    """Active data sets that expect a return from this reporter (optionally containing ``indicator``)."""
    key = ("data_sets_for", region.pk, unit.pk if unit else None, getattr(indicator, "pk", indicator), period_type)
    return list(held(key, lambda: _data_sets_for(region, unit, indicator=indicator, period_type=period_type)))


def _data_sets_for(region: Region, unit: Unit | None, *, indicator, period_type: str | None):
    paths = [*region.ancestor_paths, region.path]
    qs = DataSet.objects.filter(is_active=True, region__path__in=paths).select_related("region")
    if indicator is not None:
        qs = qs.filter(indicators=indicator)
    if period_type:
        qs = qs.filter(period_type=period_type)
    return [ds for ds in qs.prefetch_related("units") if covers(ds, region, unit)]


def reviewer_region(region: Region, unit: Unit | None) -> Region | None:
    """The region whose office reviews this reporter's return: the unit's own region, or the parent region."""
    return region if unit is not None else region.parent


@dataclass(frozen=True)
class Reporter:
    region: Region
    unit: Unit | None

    @property
    def name(self) -> str:
        return self.unit.name if self.unit else f"{self.region.name}（本级汇总）"

    @property
    def key(self) -> tuple[int, int | None]:
        return (self.region.pk, self.unit.pk if self.unit else None)


def child_reporters(data_set: DataSet, region: Region, *, on: date | None = None) -> list[Reporter]:
    """The reporters whose returns must be approved before ``region``'s own return: its units and child regions."""
    reporters: list[Reporter] = []
    if not covers(data_set, region, None):
        return reporters
    if data_set.units_report:
        explicit = list(data_set.units.all())
        units = [u for u in explicit if u.region_id == region.pk] if explicit else list(
            Unit.objects.filter(region=region).order_by("sort", "id"))
        for unit in units:
            if unit.valid_to is None or on is None or unit.valid_to >= on:
                reporters.append(Reporter(region, unit))
    if data_set.lowest_level is not None:
        for child in Region.objects.filter(parent=region, level__lte=data_set.lowest_level).order_by("sort", "code"):
            reporters.append(Reporter(child, None))
    return reporters


def period_containing(kind: str, day: date) -> Period:
    size = {"Y": 12, "S": 6, "Q": 3, "M": 1}[kind]
    return Period(day.year, kind, 1 if kind == "Y" else (day.month - 1) // size + 1)


def recent_periods(data_set: DataSet, today: date, count: int = 2) -> list[Period]:
    """The current period of the data set's type and the ones just before it (newest first)."""
    periods, day = [], today
    for _ in range(count):
        period = period_containing(data_set.period_type, day)
        periods.append(period)
        day = period.start - timedelta(days=1)
    return periods


def all_reporters(data_set: DataSet, root: Region | None = None) -> list[Reporter]:
    """Every reporter the data set expects within ``root``'s subtree (default: the owner's), regions first."""
    root = root or data_set.region
    base = root if root.path.startswith(data_set.region.path) else data_set.region
    regions = [r for r in Region.objects.filter(path__startswith=base.path).order_by("path")
               if covers(data_set, r, None)]
    explicit = list(data_set.units.all())
    reporters: list[Reporter] = []
    by_region: dict[int, list[Unit]] = {}
    if data_set.units_report:
        units = explicit or Unit.objects.filter(region__in=regions, valid_to__isnull=True).order_by("sort", "id")
        for unit in units:
            by_region.setdefault(unit.region_id, []).append(unit)
    for region in regions:
        for unit in by_region.get(region.pk, []):
            unit.region = region
            reporters.append(Reporter(region, unit))
        reporters.append(Reporter(region, None))
    return reporters


def reopen_hint(status: str, region: Region, unit: Unit | None) -> str:
    """Who can open a locked return again and how, said in the lock message rather than left to guesswork."""
    reviewer = reviewer_region(region, unit)
    office = f"{reviewer.name}科协" if reviewer else "上级办公室"
    if status == "submitted":
        return f"如需修改，请在“提交与审核”页点击“撤回”（{office}审核前可撤回），或请{office}退回。"
    if status == "approved":
        return f"如需修改，请联系{office}在“提交与审核”页取消审核并退回。"
    if status == "accepted":
        # Accepted means the figures already count in the reviewer's own totals; the reviewer (or an office above
        # it) can still cancel it, unless the upper return it rolls into is approved too (that one is cancelled first).
        return (f"数据已计入{office}的汇总。如需修改，请联系{office}或其上级办公室在“提交与审核”页取消审核并退回；"
                f"若上级汇总已审核，须先取消上级汇总的审核。")
    return ""


def closed_hint(region: Region, unit: Unit | None) -> str:
    reviewer = reviewer_region(region, unit)
    office = f"{reviewer.name}科协" if reviewer else "上级办公室"
    return f"如需补报，请联系{office}在本期“提交与审核”页开放补报。"
