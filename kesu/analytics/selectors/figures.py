"""The roll-up engine: figures of indicators × regions × periods, honouring each indicator's semantics.

Two sources give the same numbers (tests prove it):

- ``live``: reads the raw values and returns of a region subtree and applies the rules from
  ``kesu.collection.rollup`` bottom-up. Used when submitted (unapproved) data is included, and as the reference.
- ``stored``: reads ``RollupRow`` (approved data only), which the approval services keep in step in the same
  transaction, so the next request after an approval sees it — no batch job.

Ratio indicators are recomputed from the figures of their numerator and denominator parts at every region and
period; indicators defined over activities are summed from approved activities.
"""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from django.conf import settings
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Sum

from kesu.collection.models import (
    Activity,
    ActivityIndicatorRule,
    IndicatorValue,
    Measure,
    RollupRow,
    Submission,
)
from kesu.collection.rollup import containing, inside, period, region_figure, time_combine
from kesu.collection.selectors import approval_keys as status_keys
from kesu.collection.selectors import counted_statuses as statuses_for
from kesu.core.configuration import held
from kesu.plans.models import Indicator, RegionAggregation
from kesu.regions.models import Region


class Fig(NamedTuple):
    """One figure. ``unapproved`` marks a figure that includes submitted but not yet approved values.

    A named tuple rather than a dataclass: a province-by-county table makes ~6,000 of them per request, and a tuple
    is several times cheaper to create than a frozen dataclass.
    """

    value: Decimal | None
    own: Decimal | None = None
    parts: Decimal | None = None
    unapproved: bool = False


EMPTY = Fig(None)


def use_stored() -> bool:
    return getattr(settings, "KESU_ANALYTICS_STORED", True)


@dataclass
class Plan:
    """What one request computes: the indicators asked for plus the parts their ratios need."""

    indicators: list  # Indicator rows asked for
    rules: dict  # id -> Indicator (asked + parts)
    parts: dict  # ratio id -> (numerator ids, denominator ids)
    activity_rules: dict  # indicator id -> ActivityIndicatorRule

    @classmethod
    def for_indicators(cls, indicators) -> "Plan":
        indicators = list(indicators)
        rules = {i.pk: i for i in indicators}
        codes = {c for i in indicators if i.is_ratio for c in [*i.numerator, *i.denominator]}
        by_code = held(("indicators_by_code", frozenset(codes)),
                       lambda: {i.code: i for i in Indicator.objects.filter(code__in=codes)}) if codes else {}
        parts = {}
        for i in indicators:
            if i.is_ratio and i.numerator and i.denominator:
                num = [by_code[c].pk for c in i.numerator if c in by_code]
                den = [by_code[c].pk for c in i.denominator if c in by_code]
                if num and den:
                    parts[i.pk] = (num, den)
        for ind in by_code.values():
            rules.setdefault(ind.pk, ind)
        ids = frozenset(rules)
        activity_rules = held(("activity_rules", ids), lambda: {
            r.indicator_id: r for r in ActivityIndicatorRule.objects.filter(indicator_id__in=list(ids))})
        return cls(indicators, rules, parts, activity_rules)

    @property
    def value_ids(self) -> list[int]:
        return [pk for pk in self.rules if pk not in self.activity_rules]


# ---------------------------------------------------------------------------------------------------------------
# Live computation over a subtree
# ---------------------------------------------------------------------------------------------------------------


def _tree(root: Region):
    tree = list(Region.objects.filter(path__startswith=root.path).values_list("id", "parent_id", "depth"))
    children = defaultdict(list)
    for pk, parent, _ in tree:
        if parent is not None:
            children[parent].append(pk)
    order = [pk for pk, _, _ in sorted(tree, key=lambda t: -t[2])]
    return tree, children, order


def live_figures(plan: Plan, root: Region, period_ids, *, include_submitted=False) -> dict[tuple, Fig]:
    """{(indicator, region, period): Fig} for every region of ``root``'s subtree."""
    period_ids = list(period_ids)
    candidates = sorted({i for pid in period_ids for i in inside(pid)})
    tree, children, order = _tree(root)
    ids = plan.value_ids
    keys = status_keys(root, candidates, ids, include_submitted)
    series = defaultdict(dict)  # (ind, region, unit) -> {pid: value}
    flagged = defaultdict(set)  # (ind, region, unit) -> pids of unapproved values
    if keys:
        rows = IndicatorValue.objects.filter(region__path__startswith=root.path, indicator_id__in=ids,
                                             period_id__in=candidates, value__isnull=False)
        for ind, region, unit, pid, value in rows.values_list("indicator_id", "region_id", "unit_id", "period_id",
                                                              "value"):
            approved = keys.get((region, unit, pid, ind))
            if approved is None:
                continue
            series[(ind, region, unit)][pid] = value
            if not approved:
                flagged[(ind, region, unit)].add(pid)
    reporters = defaultdict(list)  # (ind, region) -> [(unit, key)]
    for key in series:
        reporters[(key[0], key[1])].append((key[2], key))
    out: dict[tuple, Fig] = {}
    for ind in ids:
        rule = plan.rules[ind]
        for pid in period_ids:
            inner = set(inside(pid))
            for region in order:
                own, own_flag, items, flags = None, False, [], []
                for unit, key in reporters.get((ind, region), ()):
                    v = time_combine(series[key], pid, rule.time_aggregation)
                    f = bool(flagged[key] & inner)
                    if unit is None:
                        own, own_flag = v, f
                    elif v is not None:
                        items.append(v)
                        flags.append(f)
                for child in children.get(region, ()):
                    fig = out.get((ind, child, pid))
                    if fig is not None and fig.value is not None:
                        items.append(fig.value)
                        flags.append(fig.unapproved)
                value, parts = region_figure(own, items, rule.region_aggregation)
                if value is None and parts is None:
                    continue
                flag = own_flag if own is not None else any(flags)
                out[(ind, region, pid)] = Fig(value, own, parts, flag)
    _add_activities(out, plan, root, children, order, period_ids, include_submitted)
    _add_ratios(out, plan, [pk for pk, _, _ in tree], period_ids)
    return out


def _activity_approved(rule: ActivityIndicatorRule, statuses):
    """An activity counts when the return of its unit for a period containing its start date is in ``statuses``."""
    return Exists(Submission.objects.filter(
        region_id=OuterRef("unit__region_id"), unit_id=OuterRef("unit_id"), status__in=statuses,
        period_start__lte=OuterRef("start_date"), period_end__gte=OuterRef("start_date"),
        data_set__indicators=rule.indicator_id))


def activity_queryset(rule: ActivityIndicatorRule, root: Region, pid: str, *, include_submitted=False):
    p = period(pid)
    qs = Activity.objects.filter(unit__region__path__startswith=root.path, start_date__gte=p.start,
                                 start_date__lte=p.end)
    if rule.kinds:
        qs = qs.filter(kind__in=rule.kinds)
    if rule.populations:
        qs = qs.filter(population__in=rule.populations)
    return qs.filter(_activity_approved(rule, statuses_for(include_submitted)))


def activity_measure(rule: ActivityIndicatorRule):
    return Count("id") if rule.measure == Measure.COUNT else Sum(rule.measure)


def _recorded(plan, root, period_ids, include_submitted) -> dict[tuple, tuple[Decimal, bool]]:
    """{(indicator, region, period): (value, unapproved)}: a region's own figure of an indicator summed from
    activities, recorded for a year before the system (history from an old report or a workbook).

    Such a figure is the region's own and wins over its activities, as an own figure wins over its parts. Usually
    there is none: the values are read first and the returns only when some exist.
    """
    ids = list(plan.activity_rules)
    candidates = sorted({i for pid in period_ids for i in inside(pid)})
    rows = list(IndicatorValue.objects.filter(region__path__startswith=root.path, unit__isnull=True,
                                              indicator_id__in=ids, period_id__in=candidates, value__isnull=False)
                .values_list("indicator_id", "region_id", "period_id", "value"))
    if not rows:
        return {}
    keys = status_keys(root, sorted({pid for _, _, pid, _ in rows}), ids, include_submitted)
    series, flagged = defaultdict(dict), defaultdict(set)
    for ind, region, pid, value in rows:
        approved = keys.get((region, None, pid, ind))
        if approved is not None:
            series[(ind, region)][pid] = value
            if not approved:
                flagged[(ind, region)].add(pid)
    out = {}
    for (ind, region), values in series.items():
        for pid in period_ids:
            value = time_combine(values, pid, plan.rules[ind].time_aggregation)
            if value is not None:
                out[(ind, region, pid)] = (value, bool(flagged[(ind, region)] & set(inside(pid))))
    return out


def _add_activities(out, plan, root, children, order, period_ids, include_submitted):
    recorded = _recorded(plan, root, period_ids, include_submitted)
    for ind, rule in plan.activity_rules.items():
        for pid in period_ids:
            own = defaultdict(Decimal)
            rows = (activity_queryset(rule, root, pid, include_submitted=include_submitted)
                    .values("unit__region_id").annotate(n=activity_measure(rule)).values_list("unit__region_id", "n"))
            for region, n in rows:
                own[region] += Decimal(n or 0)
            if include_submitted:
                approved_only = activity_queryset(rule, root, pid).values("unit__region_id").annotate(
                    n=activity_measure(rule)).values_list("unit__region_id", "n")
                approved = defaultdict(Decimal, {r: Decimal(n or 0) for r, n in approved_only})
            totals, summed = {}, {}
            for region in order:
                summed[region] = own.get(region, Decimal(0)) + sum((totals[c] for c in children.get(region, ())),
                                                                   Decimal(0))
                record = recorded.get((ind, region, pid))
                totals[region] = record[0] if record else summed[region]
            unflagged = {}
            if include_submitted:
                for region in order:
                    record = recorded.get((ind, region, pid))
                    unflagged[region] = record[0] if record and not record[1] else approved.get(
                        region, Decimal(0)) + sum((unflagged[c] for c in children.get(region, ())), Decimal(0))
            for region, total in totals.items():
                flag = include_submitted and unflagged[region] != total
                record = recorded.get((ind, region, pid))
                if record:
                    out[(ind, region, pid)] = Fig(total, record[0], summed[region] or None, flag)
                else:
                    out[(ind, region, pid)] = Fig(total, None, total, flag)


def _sum(figs) -> tuple[Decimal | None, bool]:
    figs = [f for f in figs if f is not None and f.value is not None]
    if not figs:
        return None, False
    return sum(f.value for f in figs), any(f.unapproved for f in figs)


def _add_ratios(out, plan, region_ids, period_ids):
    """Ratios: Σnumerator ÷ Σdenominator × factor wherever both parts are there, else the own reported ratio."""
    for ind, (num, den) in plan.parts.items():
        factor = plan.rules[ind].factor
        for region in region_ids:
            for pid in period_ids:
                n, nf = _sum(out.get((i, region, pid)) for i in num)
                d, df = _sum(out.get((i, region, pid)) for i in den)
                reported = out.get((ind, region, pid))
                own = reported.own if reported else None
                if n is not None and d:
                    out[(ind, region, pid)] = Fig(n / d * factor, own, n / d * factor, nf or df)
                elif reported is None:
                    out.pop((ind, region, pid), None)


# ---------------------------------------------------------------------------------------------------------------
# Stored roll-up rows (approved only)
# ---------------------------------------------------------------------------------------------------------------


def stored_figures(plan: Plan, root: Region, regions, period_ids) -> dict[tuple, Fig]:
    """{(indicator, region, period): Fig} for the given regions, read from the roll-up rows."""
    region_ids = [r.pk for r in regions]
    period_ids = list(period_ids)
    out: dict[tuple, Fig] = stored_rows(region_ids, period_ids, plan.value_ids)
    if plan.activity_rules:
        tree, children, order = _tree(root)
        _add_activities(out, plan, root, children, order, period_ids, False)
    _add_ratios(out, plan, region_ids, period_ids)
    return out


RANGE_READ_FROM = 16  # indicators asked; measured: a descent costs about as much as reading four index entries


def stored_rows(region_ids, period_ids, indicator_ids) -> dict[tuple, Fig]:
    """{(indicator, region, period): Fig(value, own, parts)} straight from the roll-up rows.

    Plain SQL rather than a queryset: building the ORM filter over a few hundred ids and running the row iterator
    cost more than the index read itself (docs/analytics.md §7). Values are the same ``Decimal``s the ORM returns.
    For many indicators, ``indicator_id + 0`` keeps the indicator list out of the index condition on purpose: the
    rows of one region and period sit together in the key index (the covering one on PostgreSQL), so one range read
    per region × period that drops unwanted indicators is far cheaper than one index descent per region × period ×
    indicator. For a few indicators over many periods the descents read less, so they are kept.
    """
    if not (region_ids and period_ids and indicator_ids):
        return {}
    table = RollupRow._meta.db_table
    cols = "indicator_id, region_id, period_id, value, own, parts"
    ind = "indicator_id + 0" if len(indicator_ids) >= RANGE_READ_FROM else "indicator_id"
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            # One array parameter per list keeps the statement short whatever the number of regions.
            cur.execute(f"SELECT {cols} FROM {table} WHERE region_id = ANY(%s) AND period_id = ANY(%s) "
                        f"AND {ind} = ANY(%s)", [list(region_ids), list(period_ids), list(indicator_ids)])
            rows = cur.fetchall()
            make = Fig._make
            return {(i, r, p): make((v, o, s, False)) for i, r, p, v, o, s in rows}
        marks = lambda seq: ", ".join(["%s"] * len(seq))  # noqa: E731
        cur.execute(f"SELECT {cols} FROM {table} WHERE region_id IN ({marks(region_ids)}) "
                    f"AND period_id IN ({marks(period_ids)}) AND {ind} IN ({marks(indicator_ids)})",
                    [*region_ids, *period_ids, *indicator_ids])
        rows = cur.fetchall()
    dec = _decimal_reader()
    out = {}
    for i, r, p, v, o, s in rows:
        value = dec(v)
        # a region's own reported figure, or the sum of its parts, is usually its value too: convert it once
        out[(i, r, p)] = Fig(value, value if o == v and o is not None else dec(o),
                             value if s == v and s is not None else dec(s))
    return out


def _decimal_reader():
    """The ORM's own conversion of a stored roll-up number (SQLite keeps them as int/float), so both reads agree."""
    col = RollupRow._meta.get_field("value").get_col(RollupRow._meta.db_table)
    convert = connection.ops.get_decimalfield_converter(col)
    return lambda v: convert(v, col, connection) if v is not None else None


def figures(plan: Plan, root: Region, regions, period_ids, *, include_submitted=False) -> dict[tuple, Fig]:
    """Figures for ``regions`` (root and/or its descendants) using the fastest correct source."""
    if include_submitted or not use_stored():
        return live_figures(plan, root, period_ids, include_submitted=include_submitted)
    return stored_figures(plan, root, regions, period_ids)


__all__ = ["EMPTY", "Fig", "Plan", "containing", "figures", "live_figures", "stored_figures", "statuses_for",
           "RegionAggregation", "stored_rows"]
