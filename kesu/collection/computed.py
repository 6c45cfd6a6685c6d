"""Indicators computed from activities (``ActivityIndicatorRule``): never typed twice, always summed from the rows.

The one computation used by the grid, the validation rules and later by analytics.
"""

from decimal import Decimal

from django.db.models import Count, Sum

from kesu.core.periods import Period

from .models import Activity, ActivityIndicatorRule, Measure


def activity_queryset(rule: ActivityIndicatorRule, *, region, unit, period: Period):
    """Activities counted for ``rule`` for one reporter: the unit's own, or all units' in the region subtree."""
    qs = Activity.objects.filter(start_date__gte=period.start, start_date__lte=period.end)
    qs = qs.filter(unit=unit) if unit is not None else qs.filter(unit__region__path__startswith=region.path)
    if rule.kinds:
        qs = qs.filter(kind__in=rule.kinds)
    if rule.populations:
        qs = qs.filter(population__in=rule.populations)
    return qs


def compute(rule: ActivityIndicatorRule, *, region, unit, period: Period) -> Decimal:
    qs = activity_queryset(rule, region=region, unit=unit, period=period)
    if rule.measure == Measure.COUNT:
        total = qs.aggregate(n=Count("id"))["n"]
    else:
        total = qs.aggregate(n=Sum(rule.measure))["n"]
    return Decimal(total or 0)


def computed_values(indicator_ids, *, region, unit, period: Period) -> dict[int, Decimal]:
    """{indicator id: computed value} for those of ``indicator_ids`` that are defined over activities."""
    rules = ActivityIndicatorRule.objects.filter(indicator_id__in=list(indicator_ids))
    return {r.indicator_id: compute(r, region=region, unit=unit, period=period) for r in rules}
