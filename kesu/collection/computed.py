"""Indicators computed from activities (``ActivityIndicatorRule``): never typed twice, always summed from the rows.

The one computation used by the grid, the validation rules and later by analytics.
"""

from decimal import Decimal

from django.db.models import Count, Sum

from kesu.core.configuration import held
from kesu.core.periods import Period

from .models import Activity, ActivityIndicatorRule, Measure

# Every measure a rule can add up: summed once per (kind, population) group, so a reporter's computed indicators
# cost one query however many rules there are.
_SUMMED = [m.value for m in Measure if m != Measure.COUNT]


def activity_rules() -> list[ActivityIndicatorRule]:
    """Every activity-derived indicator's rule, with its indicator: a short list, held whole (one key for every
    reporter and cell, rather than one per set of indicators asked about)."""
    return held(("activity_rules",), lambda: list(ActivityIndicatorRule.objects.select_related("indicator")))


def activity_fed_ids() -> set[int]:
    """Ids of the indicators summed from activities: no figure is typed or accepted for them directly (but as
    history)."""
    return {r.indicator_id for r in activity_rules()}


def activity_queryset(rule: ActivityIndicatorRule | None, *, region, unit, period: Period):
    """Activities counted for ``rule`` for one reporter: the unit's own, or all units' in the region subtree.

    ``rule=None`` gives every activity of the reporter in the period.
    """
    qs = Activity.objects.filter(start_date__gte=period.start, start_date__lte=period.end)
    qs = qs.filter(unit=unit) if unit is not None else qs.filter(unit__region__path__startswith=region.path)
    if rule is not None and rule.kinds:
        qs = qs.filter(kind__in=rule.kinds)
    if rule is not None and rule.populations:
        qs = qs.filter(population__in=rule.populations)
    return qs


def activities_registered(*, region, unit, period: Period) -> bool:
    """Whether the reporter has any activity in the period: then its activity-summed indicators are theirs, and a
    typed figure for them (history) is refused."""
    return activity_queryset(None, region=region, unit=unit, period=period).exists()


def compute_many(rules, *, region, unit, period: Period) -> dict[int, Decimal]:
    """{indicator id: computed value} for ``rules``, from one grouped query over the reporter's activities."""
    rules = list(rules)
    if not rules:
        return {}
    groups = list(activity_queryset(None, region=region, unit=unit, period=period)
                  .order_by().values("kind", "population")
                  .annotate(count=Count("id"), **{m: Sum(m) for m in _SUMMED}))
    out = {}
    for rule in rules:
        matching = [g for g in groups if (not rule.kinds or g["kind"] in rule.kinds)
                    and (not rule.populations or g["population"] in rule.populations)]
        total = sum((g[rule.measure] or 0 for g in matching), 0)
        out[rule.indicator_id] = Decimal(total or 0)
    return out


def computed_values(indicator_ids, *, region, unit, period: Period) -> dict[int, Decimal]:
    """{indicator id: computed value} for those of ``indicator_ids`` that are defined over activities."""
    wanted = set(indicator_ids)
    rules = [r for r in activity_rules() if r.indicator_id in wanted]
    return compute_many(rules, region=region, unit=unit, period=period)
