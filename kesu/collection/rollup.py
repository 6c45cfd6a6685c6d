"""Stored roll-up rows of approved figures, and the aggregation semantics they (and analytics) follow.

One ``RollupRow`` per indicator × region × period holds the region's *approved* figure for that period, computed
by the same rule the live selectors use (docs/analytics.md):

- a reporter's figure for a period P is its value stored for P itself, else the values of the coarsest period type
  stored inside P, combined by the indicator's time aggregation (flows sum, stocks take the latest period);
- a region's figure is its own region-level value (unit empty) when that was reported, else the combination (by
  the indicator's region aggregation) of its member units' figures and its child regions' figures. ``own`` and
  ``parts`` keep both sides so that cross-level consistency is a plain filter;
- ratio indicators are never stored combined: analytics recomputes them from their parts; only an own reported
  ratio is kept.

Rows exist for every period that holds a value *and* every longer period containing it (month → quarter, half,
year), so a year query reads one row per region and indicator. ``rollup_refresh`` recomputes the rows of one
region and of each of its ancestors, bottom-up, from the region's values and its children's rows; the approval
services call it in the same transaction as the status change, so the next request sees the approved figure.
Values can change only while their return is editable (never approved), so value saves need no refresh.

A bulk load that approves hundreds of returns (the demo, a migration of old years) wraps them in
``rollup_deferred()``: the refreshes asked for inside the block are collected and each affected region is
recomputed once at the end, bottom-up, in the block's transaction — the same rows as refreshing after every write.
"""

from collections import defaultdict
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal
from functools import lru_cache

from django.db import transaction

from kesu.core.periods import HALF, MONTH, QUARTER, YEAR, Period

from .models import RollupRow

KIND_RANK = {YEAR: 0, HALF: 1, QUARTER: 2, MONTH: 3}  # coarsest first


# ---------------------------------------------------------------------------------------------------------------
# Semantics (pure functions, shared with analytics)
# ---------------------------------------------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def period(pid: str) -> Period:
    return Period.parse(pid)


@lru_cache(maxsize=4096)
def containing(pid: str) -> tuple[str, ...]:
    """The period itself and every longer standard period that contains it (202611 → 202611, 2026Q4, 2026S2, 2026)."""
    p = period(pid)
    out = [p.id]
    month = p.first_month
    if KIND_RANK[p.kind] > KIND_RANK[QUARTER]:
        out.append(Period(p.year, QUARTER, (month - 1) // 3 + 1).id)
    if KIND_RANK[p.kind] > KIND_RANK[HALF]:
        out.append(Period(p.year, HALF, (month - 1) // 6 + 1).id)
    if p.kind != YEAR:
        out.append(str(p.year))
    return tuple(out)


@lru_cache(maxsize=1024)
def inside(pid: str) -> tuple[str, ...]:
    """Every standard period id within ``pid`` including itself (a year has 19)."""
    p = period(pid)
    ids = [p.id]
    for kind in (HALF, QUARTER, MONTH):
        if KIND_RANK[kind] > KIND_RANK[p.kind]:
            ids.extend(c.id for c in p.children(kind))
    return tuple(ids)


def time_combine(series: dict[str, Decimal], pid: str, how: str) -> Decimal | None:
    """A reporter's figure for ``pid`` from its values by period (only values inside ``pid`` are looked at)."""
    if pid in series:
        return series[pid]
    target = period(pid)
    found = [(period(k), v) for k, v in series.items() if v is not None and target.contains(period(k))]
    if not found:
        return None
    coarsest = min(KIND_RANK[p.kind] for p, _ in found)
    found = sorted((p, v) for p, v in found if KIND_RANK[p.kind] == coarsest)
    values = [v for _, v in found]
    if how == "latest":
        return values[-1]
    if how == "avg":
        return sum(values) / len(values)
    if how == "max":
        return max(values)
    return sum(values)


def combine(items, how: str) -> Decimal | None:
    """Values of sibling reporters combined by a region aggregation (sum/avg/max/min); None when there are none."""
    items = [v for v in items if v is not None]
    if not items or how in ("none", "ratio"):
        return None
    if how == "avg":
        return sum(items) / len(items)
    if how == "max":
        return max(items)
    if how == "min":
        return min(items)
    return sum(items)


def region_figure(own: Decimal | None, items, how: str) -> tuple[Decimal | None, Decimal | None]:
    """(figure, parts): the own region-level value wins when reported; else the combined parts."""
    parts = combine(items, how)
    return (own if own is not None else parts), parts


# ---------------------------------------------------------------------------------------------------------------
# Maintenance
# ---------------------------------------------------------------------------------------------------------------


def approved_keys(*, region_ids, period_ids, indicator_ids, statuses) -> set[tuple]:
    """{(region id, unit id|None, period id, indicator id)} whose covering return is in ``statuses``."""
    from .models import DataSet, Submission

    subs = list(Submission.objects.filter(region_id__in=region_ids, period_id__in=period_ids, status__in=statuses)
                .values_list("region_id", "unit_id", "period_id", "data_set_id"))
    if not subs:
        return set()
    through = DataSet.indicators.through
    ds_inds = defaultdict(list)
    for ds_id, ind_id in through.objects.filter(dataset_id__in={s[3] for s in subs},
                                                indicator_id__in=indicator_ids).values_list("dataset_id",
                                                                                             "indicator_id"):
        ds_inds[ds_id].append(ind_id)
    return {(r, u, p, i) for r, u, p, ds in subs for i in ds_inds[ds]}


def rollup_refresh(*, indicator_ids, region, period_ids) -> int:
    """Recompute the rows of ``region`` and its ancestors for these indicators and periods. Returns rows written.

    Called inside the approving transaction. Cost: a handful of queries per ancestor level. Inside
    ``rollup_deferred()`` the request is only noted and carried out once when the block ends.
    """
    from kesu.regions.models import Region

    indicator_ids = list(indicator_ids)
    if not indicator_ids:
        return 0
    pending = _pending.get()
    if pending is not None:
        _, ids, pids = pending.setdefault(region.pk, (region, set(), set()))
        ids.update(indicator_ids)
        pids.update(period_ids)
        return 0
    nodes = [region, *Region.objects.filter(path__in=region.ancestor_paths).order_by("-depth")]
    return _refresh_nodes([(node, indicator_ids, period_ids) for node in nodes])


def _refresh_nodes(work) -> int:
    """Recompute each (node, indicator ids, period ids) in the order given (children before their parents)."""
    from kesu.plans.models import Indicator

    from .models import LOCKED_STATUSES

    written = 0
    for node, indicator_ids, period_ids in work:
        targets = sorted({c for pid in period_ids for c in containing(pid)})
        candidates = sorted({i for year in {period(t).year for t in targets} for i in inside(str(year))})
        rules = {i["id"]: i for i in Indicator.objects.filter(id__in=list(indicator_ids))
                 .values("id", "region_aggregation", "time_aggregation")}
        written += _refresh_node(node, rules, targets, candidates, LOCKED_STATUSES)
    return written


_pending: ContextVar[dict | None] = ContextVar("rollup_pending", default=None)


@contextmanager
def rollup_deferred():
    """Defer ``rollup_refresh`` inside the block; refresh every affected region once, bottom-up, at its end.

    The block runs in one transaction: if it raises, neither its writes nor any roll-up row are kept. Nested
    blocks join the outermost one. The rows written equal those of refreshing after every single approval, because
    a node's rows depend only on its approved values and its children's rows, and children are refreshed first.
    """
    if _pending.get() is not None:
        yield
        return
    from kesu.regions.models import Region

    pending: dict = {}
    token = _pending.set(pending)
    try:
        with transaction.atomic():
            yield
            _pending.reset(token)
            token = None
            nodes: dict = {}  # region id -> (region, indicator ids, period ids), each ancestor included
            for region, ids, pids in pending.values():
                chain = [region, *Region.objects.filter(path__in=region.ancestor_paths)]
                for node in chain:
                    _, node_ids, node_pids = nodes.setdefault(node.pk, (node, set(), set()))
                    node_ids.update(ids)
                    node_pids.update(pids)
            _refresh_nodes(sorted(nodes.values(), key=lambda n: (-n[0].depth, n[0].path)))
    finally:
        if token is not None:
            _pending.reset(token)


def _refresh_node(node, rules, targets, candidates, statuses) -> int:
    from .models import IndicatorValue

    ids = list(rules)
    ok = approved_keys(region_ids=[node.pk], period_ids=candidates, indicator_ids=ids, statuses=statuses)
    series = defaultdict(dict)  # (indicator, unit) -> {period: value}
    for ind, unit, pid, value in IndicatorValue.objects.filter(
            region=node, indicator_id__in=ids, period_id__in=candidates, value__isnull=False).values_list(
            "indicator_id", "unit_id", "period_id", "value"):
        if (node.pk, unit, pid, ind) in ok:
            series[(ind, unit)][pid] = value
    children = defaultdict(list)  # (indicator, period) -> [child figures]
    for ind, pid, value in RollupRow.objects.filter(region__parent=node, indicator_id__in=ids, period_id__in=targets,
                                                    value__isnull=False).values_list("indicator_id", "period_id",
                                                                                     "value"):
        children[(ind, pid)].append(value)
    by_indicator = defaultdict(list)
    for (ind, unit), s in series.items():
        by_indicator[ind].append((unit, s))

    wanted = {}
    for ind, rule in rules.items():
        how_r, how_t = rule["region_aggregation"], rule["time_aggregation"]
        for pid in targets:
            own, items = None, list(children.get((ind, pid), ()))
            for unit, s in by_indicator.get(ind, ()):
                v = time_combine(s, pid, how_t)
                if unit is None:
                    own = v
                else:
                    items.append(v)
            value, parts = region_figure(own, items, how_r)
            if value is not None or parts is not None:
                wanted[(ind, pid)] = (value, own, parts)

    existing = {(r.indicator_id, r.period_id): r for r in RollupRow.objects.filter(
        region=node, indicator_id__in=ids, period_id__in=targets)}
    create, update, delete = [], [], []
    for key, row in existing.items():
        if key not in wanted:
            delete.append(row.pk)
    for key, (value, own, parts) in wanted.items():
        row = existing.get(key)
        if row is None:
            create.append(RollupRow(indicator_id=key[0], region=node, period_id=key[1], value=value, own=own,
                                    parts=parts))
        elif (row.value, row.own, row.parts) != (value, own, parts):
            row.value, row.own, row.parts = value, own, parts
            update.append(row)
    if delete:
        RollupRow.objects.filter(pk__in=delete).delete()
    if create:
        RollupRow.objects.bulk_create(create)
    if update:
        RollupRow.objects.bulk_update(update, ["value", "own", "parts"])
    return len(create) + len(update) + len(delete)


def rollup_rebuild(*, indicator_ids=None) -> int:
    """Rebuild every row from the values (bottom-up over the whole tree). For repairs and after bulk loads."""
    from kesu.plans.models import Indicator
    from kesu.regions.models import Region

    from .models import LOCKED_STATUSES, IndicatorValue

    qs = Indicator.objects.all() if indicator_ids is None else Indicator.objects.filter(id__in=indicator_ids)
    rules = {i["id"]: i for i in qs.values("id", "region_aggregation", "time_aggregation")}
    RollupRow.objects.filter(indicator_id__in=list(rules)).delete()
    pids = set(IndicatorValue.objects.filter(indicator_id__in=list(rules)).values_list("period_id", flat=True))
    targets = sorted({c for pid in pids for c in containing(pid)})
    candidates = sorted({i for year in {period(t).year for t in targets} for i in inside(str(year))})
    written = 0
    for node in Region.objects.order_by("-depth", "path"):
        written += _refresh_node(node, rules, targets, candidates, LOCKED_STATUSES)
    return written
