"""Indicator explorer: indicators × a region subtree × periods, grouped by child region, unit, item, population or
period. Every chart, table and JSON twin of the analytics pages is built from a ``Table`` made here."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from kesu.accounts.scope import Scope
from kesu.collection.models import IndicatorValue, Population
from kesu.collection.rollup import inside, period, time_combine
from kesu.core.configuration import held
from kesu.core.exceptions import ApplicationError
from kesu.core.periods import Period
from kesu.orgs.models import Unit
from kesu.plans.models import FrameworkItem, Indicator
from kesu.plans.selectors import indicators_for_scope
from kesu.regions.models import Region
from kesu.regions.selectors import region_held

from .figures import EMPTY, Fig, Plan, activity_measure, activity_queryset, figures, status_keys

GROUPS = {"region": "下级区域", "period": "报告期", "unit": "成员单位", "item": "纲要条目", "population": "重点人群"}


@dataclass(frozen=True)
class Group:
    key: str
    label: str


@dataclass
class Table:
    """Figures of ``indicators`` (rows) by ``groups`` (columns), with the root's total per indicator."""

    title: str
    root: Region
    group_by: str
    indicators: list
    groups: list
    cells: dict = field(default_factory=dict)  # (indicator id, group key) -> Fig
    totals: dict = field(default_factory=dict)  # indicator id -> Fig
    periods: list = field(default_factory=list)
    include_submitted: bool = False

    def cell(self, indicator, group) -> Fig:
        return self.cells.get((indicator.pk, group.key), EMPTY)

    def total(self, indicator) -> Fig:
        return self.totals.get(indicator.pk, EMPTY)

    @property
    def rows(self):
        return [(ind, [self.cell(ind, g) for g in self.groups], self.total(ind)) for ind in self.indicators]

    @property
    def any_unapproved(self) -> bool:
        return any(f.unapproved for f in [*self.cells.values(), *self.totals.values()])

    def trimmed(self) -> tuple[list, list, int]:
        """(rows, the groups with a figure other than 0, how many groups were left out): sixty columns of “—” or
        0 around the one figure a source link points at hide it rather than show it."""
        groups = [g for g in self.groups if any(self.cell(i, g).value for i in self.indicators)]
        rows = [(ind, g_cells, self.total(ind)) for ind, g_cells in
                ((ind, [self.cell(ind, g) for g in groups]) for ind in self.indicators)]
        return rows, groups, len(self.groups) - len(groups)

    def as_json(self) -> dict:
        keys = [g.key for g in self.groups]
        return {
            "title": self.title,
            "region": {"code": self.root.code, "name": self.root.name},
            "group_by": self.group_by,
            "periods": [p.id for p in self.periods],
            "include_submitted": self.include_submitted,
            "groups": [{"key": g.key, "label": g.label} for g in self.groups],
            "indicators": [{"code": i.code, "name": i.name, "unit": i.unit} for i in self.indicators],
            "rows": [self._json_row(ind, keys) for ind in self.indicators],
            "includes_unapproved": self.any_unapproved,
        }

    def _json_row(self, ind, keys) -> dict:
        # the rows of ``rows``, read with the indicator's id once (a 101 × 101 table is 10,000 cells)
        get, pk = self.cells.get, ind.pk
        cells = [get((pk, key), EMPTY) for key in keys]
        return {"indicator": ind.code, "values": [num(c.value) for c in cells],
                "total": num(self.totals.get(pk, EMPTY).value), "unapproved": [c.unapproved for c in cells]}


def num(value: Decimal | None):
    """A JSON number: integers stay integers, others rounded to 4 places."""
    if value is None:
        return None
    value = Decimal(value)
    if value == value.to_integral_value():
        return int(value)
    return float(round(value, 4))


# -- scope -------------------------------------------------------------------------------------------------------


def default_root(scope: Scope) -> Region:
    if scope.region_id:
        root = region_held(scope.region_id)
    else:
        root = held(("top_region",), lambda: Region.objects.filter(parent__isnull=True).order_by("path").first())
    if root is None:
        raise Http404("尚未载入行政区域")
    return root


def analysis_root(scope: Scope, region: Region | str | int | None = None) -> Region:
    """The region an analysis is about, checked against the scope (a 填报员 analyses no region roll-up)."""
    if scope.is_filler:
        raise PermissionDenied("填报员只能查看本单位的填报任务")
    if region is None or region == "":
        return default_root(scope)
    if not isinstance(region, Region):
        key = str(region)
        region = held(("region_named", key), lambda: Region.objects.filter(code=key).first() or (
            Region.objects.filter(pk=int(key)).first() if key.isdigit() and len(key) < 6 else None))
        if region is None:
            raise ApplicationError(f"区域“{key}”不存在。", field="region")
    if not scope.sees_region(region):
        raise PermissionDenied("无权查看该区域的数据")
    return region


def resolve_indicators(scope: Scope, codes) -> list[Indicator]:
    """The indicators named by ``codes`` (all the scope may use when none is named); another region's local
    indicator is unknown here, as on the pickers."""
    codes = [c.strip() for c in (codes or []) if c and c.strip()]
    if not codes:
        return indicators_for_scope(scope)
    # which indicators a scope may name depends on its role and region only
    found = held(("indicators_named", scope.role, scope.region_path, tuple(codes)), lambda: {
        i.code: i for i in Indicator.objects.filter(Q(region__isnull=True) | scope.region_or_ancestor_q("region__"))
        .filter(code__in=codes)})
    missing = [c for c in codes if c not in found]
    if missing:
        raise ApplicationError(f"指标编码“{'、'.join(missing)}”不存在。", field="indicators")
    return [found[c] for c in codes]


def resolve_periods(ids) -> list[Period]:
    out = []
    for pid in ids or []:
        if str(pid).strip():
            out.append(Period.parse(pid))
    if not out:
        raise ApplicationError("请至少选择一个报告期。", field="periods")
    if len(out) > 60:
        raise ApplicationError("报告期过多（最多 60 个）。", field="periods")
    return out


def expand_periods(start: str, end: str, kind: str) -> list[Period]:
    """All periods of ``kind`` from the one containing ``start`` to the one containing ``end`` (months → years)."""
    a, b = Period.parse(start), Period.parse(end)
    if b < a:
        raise ApplicationError("结束报告期不能早于开始报告期。", field="periods")
    out = []
    for year in range(a.year, b.year + 1):
        for p in Period(year, "Y", 1).children(kind) or [Period(year, "Y", 1)]:
            if p.end >= a.start and p.start <= b.end:
                out.append(p)
    return out


def child_regions(root: Region) -> list[Region]:
    return held(("children", root.pk), lambda: list(Region.objects.filter(parent=root).order_by("sort", "code")))


# -- the explorer ------------------------------------------------------------------------------------------------


def explore(scope: Scope, *, indicators, region=None, periods, group_by: str = "region",
            include_submitted: bool = False) -> Table:
    root = analysis_root(scope, region)
    if group_by not in GROUPS:
        raise ApplicationError(f"不支持的分组方式“{group_by}”，可选：{'、'.join(GROUPS)}。", field="group_by")
    indicators = list(indicators)
    periods = list(periods)
    plan = Plan.for_indicators(indicators)
    label = "、".join(p.label for p in periods[:3]) + ("等" if len(periods) > 3 else "")
    table = Table(title=f"{root.name} {label} 按{GROUPS[group_by]}", root=root, group_by=group_by,
                  indicators=indicators, groups=[], periods=periods, include_submitted=include_submitted)
    if group_by == "period":
        figs = figures(plan, root, [root], [p.id for p in periods], include_submitted=include_submitted)
        table.groups = [Group(p.id, p.label) for p in periods]
        for ind in indicators:
            for p in periods:
                table.cells[(ind.pk, p.id)] = figs.get((ind.pk, root.pk, p.id), EMPTY)
            table.totals[ind.pk] = span_total(ind, {p.id: figs.get((ind.pk, root.pk, p.id), EMPTY) for p in periods})
        return table
    if len(periods) != 1:
        raise ApplicationError("按区域、单位、条目或人群分组时只能选择一个报告期。", field="periods")
    pid = periods[0].id
    if group_by == "region":
        kids = child_regions(root)
        figs = figures(plan, root, [root, *kids], [pid], include_submitted=include_submitted)
        table.groups = [Group(str(r.code), r.name) for r in kids]
        kid_keys = [(r.code, r.pk) for r in kids]  # plain values: this loop runs indicators × child regions times
        cells, get = table.cells, figs.get
        for ind in indicators:
            ip = ind.pk
            for code, rp in kid_keys:
                cells[(ip, code)] = get((ip, rp, pid), EMPTY)
            table.totals[ip] = get((ip, root.pk, pid), EMPTY)
        return table
    figs = figures(plan, root, [root], [pid], include_submitted=include_submitted)
    for ind in indicators:
        table.totals[ind.pk] = figs.get((ind.pk, root.pk, pid), EMPTY)
    if group_by == "unit":
        by_unit(table, plan, root, pid, include_submitted)
    elif group_by == "item":
        _by_item(table, plan, root, pid, include_submitted)
    else:
        _by_population(table, plan, root, pid, include_submitted)
    return table


def span_total(indicator: Indicator, figs: dict) -> Fig:
    """The figure over several periods: flows sum, stocks take the last, averages average; ratios have none."""
    if indicator.is_ratio:
        return EMPTY
    series = {pid: f.value for pid, f in figs.items() if f.value is not None}
    if not series:
        return EMPTY
    how = indicator.time_aggregation
    values = [series[k] for k in sorted(series, key=period)]
    value = {"latest": values[-1], "avg": sum(values) / len(values), "max": max(values)}.get(how, sum(values))
    return Fig(value, unapproved=any(f.unapproved for f in figs.values()))


def by_unit(table, plan, root, pid, include_submitted):
    """Member units of the root region: each unit's own figures (units report values, not roll-ups)."""
    units = list(Unit.objects.filter(region=root).order_by("sort", "id"))
    table.groups = [Group(str(u.pk), u.short_name or u.name) for u in units]
    candidates = list(inside(pid))
    keys = status_keys(root, candidates, plan.value_ids, include_submitted)
    series, flags = defaultdict(dict), defaultdict(bool)
    for ind, unit, p, value in IndicatorValue.objects.filter(
            region=root, unit__isnull=False, indicator_id__in=plan.value_ids, period_id__in=candidates,
            value__isnull=False).values_list("indicator_id", "unit_id", "period_id", "value"):
        approved = keys.get((root.pk, unit, p, ind))
        if approved is not None:
            series[(ind, unit)][p] = value
            flags[(ind, unit)] |= not approved
    for ind in table.indicators:
        rule = ind
        if ind.pk in plan.activity_rules:
            ar = plan.activity_rules[ind.pk]
            rows = (activity_queryset(ar, root, pid, include_submitted=include_submitted).filter(unit__region=root)
                    .values("unit_id").annotate(n=activity_measure(ar)).values_list("unit_id", "n"))
            for unit, n in rows:
                table.cells[(ind.pk, str(unit))] = Fig(Decimal(n or 0))
            continue
        for u in units:
            s = series.get((ind.pk, u.pk))
            if s:
                table.cells[(ind.pk, str(u.pk))] = Fig(time_combine(s, pid, rule.time_aggregation),
                                                       unapproved=flags[(ind.pk, u.pk)])


def _top_item(item_id, parents) -> int:
    while parents.get(item_id):
        item_id = parents[item_id]
    return item_id


def _by_item(table, plan, root, pid, include_submitted):
    """纲要条目: activity-derived figures split by the activities' item; other indicators under their tasks' item."""
    parents = dict(FrameworkItem.objects.values_list("id", "parent_id"))
    links = defaultdict(set)
    for ind, item in Indicator.objects.filter(pk__in=[i.pk for i in table.indicators], tasks__item__isnull=False) \
            .values_list("pk", "tasks__item_id"):
        links[ind].add(_top_item(item, parents))
    sliced = defaultdict(Decimal)
    for ind_id, ar in plan.activity_rules.items():
        rows = (activity_queryset(ar, root, pid, include_submitted=include_submitted)
                .filter(framework_item__isnull=False).values("framework_item_id")
                .annotate(n=activity_measure(ar)).values_list("framework_item_id", "n"))
        for item, n in rows:
            sliced[(ind_id, _top_item(item, parents))] += Decimal(n or 0)
    used = {i for items in links.values() for i in items} | {k[1] for k in sliced}
    items = list(FrameworkItem.objects.filter(pk__in=used).order_by("framework__start_year", "sort", "id"))
    table.groups = [Group(str(i.pk), i.name) for i in items]
    for ind in table.indicators:
        for item in items:
            if ind.pk in plan.activity_rules:
                if (ind.pk, item.pk) in sliced:
                    table.cells[(ind.pk, str(item.pk))] = Fig(sliced[(ind.pk, item.pk)])
            elif item.pk in links.get(ind.pk, ()):
                table.cells[(ind.pk, str(item.pk))] = table.totals.get(ind.pk, EMPTY)


def _by_population(table, plan, root, pid, include_submitted):
    """重点人群: activity-derived figures split by the activities' population; others by the indicator's own."""
    table.groups = [Group(key, label) for key, label in Population.choices]
    labels = {label: key for key, label in Population.choices}
    for ind in table.indicators:
        if ind.pk in plan.activity_rules:
            ar = plan.activity_rules[ind.pk]
            rows = (activity_queryset(ar, root, pid, include_submitted=include_submitted)
                    .values("population").annotate(n=activity_measure(ar)).values_list("population", "n"))
            for pop, n in rows:
                table.cells[(ind.pk, pop)] = Fig(Decimal(n or 0))
        elif ind.population:
            key = ind.population if ind.population in dict(Population.choices) else labels.get(ind.population)
            if key:
                table.cells[(ind.pk, key)] = table.totals.get(ind.pk, EMPTY)
