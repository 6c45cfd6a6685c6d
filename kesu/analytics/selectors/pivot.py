"""Statistical tables: a pivot of figures with rows × columns chosen from region, unit, item, indicator, period.

The region dimension keeps the hierarchy: the root's total, each child region (a subtotal of its own children)
and the grandchildren beneath it. ``item`` lists indicators under the framework item their tasks belong to.
"""

from dataclasses import dataclass, field

from kesu.accounts.scope import Scope
from kesu.core.exceptions import ApplicationError
from kesu.orgs.models import Unit
from kesu.plans.models import FrameworkItem
from kesu.regions.models import Region

from .explore import analysis_root
from .figures import EMPTY, Fig, Plan, figures

DIMENSIONS = {"region": "区域", "unit": "成员单位", "item": "纲要条目", "indicator": "指标", "period": "报告期"}


@dataclass
class Header:
    key: tuple  # ("region", pk) / ("indicator", pk) / ("period", id) / ("unit", pk)
    label: str
    level: int = 0
    subtotal: bool = False
    heading: bool = False  # an item heading row without figures
    parent: tuple | None = None  # the key of the row this one folds under (regions)


@dataclass
class Pivot:
    title: str
    rows_dim: str
    cols_dim: str
    row_headers: list
    col_headers: list
    cells: dict = field(default_factory=dict)  # (row key, col key) -> Fig
    note: str = ""

    def cell(self, r: Header, c: Header) -> Fig:
        return self.cells.get((r.key, c.key), EMPTY)

    @property
    def body(self):
        return [(r, [self.cell(r, c) for c in self.col_headers]) for r in self.row_headers]

    @property
    def any_unapproved(self) -> bool:
        return any(f.unapproved for f in self.cells.values())


def _label(ind) -> str:
    return f"{ind.name}（{ind.unit}）" if ind.unit else ind.name


def _region_headers(root: Region, depth: int = 2) -> list[Header]:
    regions = list(Region.objects.filter(path__startswith=root.path, depth__lte=root.depth + depth)
                   .order_by("path"))
    has_children = {r.parent_id for r in regions}
    return [Header(("region", r.pk), r.name if r != root else f"{r.name}（合计）", r.depth - root.depth,
                   subtotal=r.pk in has_children, parent=("region", r.parent_id) if r != root else None)
            for r in regions]


def _indicator_headers(indicators, by_item: bool) -> list[Header]:
    if not by_item:
        return [Header(("indicator", i.pk), _label(i)) for i in indicators]
    from kesu.plans.models import Task

    links = {}
    for ind_id, item_id in Task.indicators.through.objects.filter(
            indicator_id__in=[i.pk for i in indicators], task__item__isnull=False).values_list(
            "indicator_id", "task__item_id"):
        links.setdefault(ind_id, item_id)
    items = FrameworkItem.objects.in_bulk(set(links.values()))
    out, seen = [], set()
    for item in sorted(items.values(), key=lambda i: (i.framework_id, i.sort, i.pk)):
        out.append(Header(("item", item.pk), item.name, heading=True))
        for ind in indicators:
            if links.get(ind.pk) == item.pk:
                out.append(Header(("indicator", ind.pk), _label(ind), 1))
                seen.add(ind.pk)
    rest = [i for i in indicators if i.pk not in seen]
    if rest:
        out.append(Header(("item", 0), "其他指标", heading=True))
        out.extend(Header(("indicator", i.pk), _label(i), 1) for i in rest)
    return out


def pivot(scope: Scope, *, region=None, indicators, periods, rows: str = "region", cols: str = "indicator",
          include_submitted: bool = False) -> Pivot:
    root = analysis_root(scope, region)
    for dim, what in ((rows, "行"), (cols, "列")):
        if dim not in DIMENSIONS:
            raise ApplicationError(f"{what}维度“{dim}”不支持，可选：{'、'.join(DIMENSIONS.values())}。", field=dim)
    if rows == cols or {rows, cols} == {"item", "indicator"}:
        raise ApplicationError("行和列须选择不同的维度。", field="cols")
    if cols == "item":
        raise ApplicationError("纲要条目只能放在行上（按条目分组列出指标）。", field="cols")
    indicators, periods = list(indicators), list(periods)
    dims = {rows, cols}
    if not dims & {"indicator", "item"} and len(indicators) != 1:
        raise ApplicationError("指标不在行或列上时只能选择一个指标。", field="indicators")
    if "period" not in dims and len(periods) != 1:
        raise ApplicationError("报告期不在行或列上时只能选择一个报告期。", field="periods")
    if "region" in dims and "unit" in dims:
        raise ApplicationError("区域和成员单位不能同时作为行列（单位属于区域）。", field="cols")

    def headers(dim):
        if dim == "region":
            return _region_headers(root)
        if dim == "unit":
            units = Unit.objects.filter(region=root).order_by("sort", "id")
            return [Header(("region", root.pk), f"{root.name}（合计）", subtotal=True),
                    *[Header(("unit", u.pk), u.name, 1) for u in units]]
        if dim in ("indicator", "item"):
            return _indicator_headers(indicators, dim == "item")
        return [Header(("period", p.id), p.label) for p in periods]

    row_h, col_h = headers(rows), headers(cols)
    plan = Plan.for_indicators(indicators)
    region_ids = {h.key[1] for h in [*row_h, *col_h] if h.key[0] == "region"} or {root.pk}
    regions = list(Region.objects.filter(pk__in=region_ids))
    figs = figures(plan, root, regions, [p.id for p in periods], include_submitted=include_submitted)
    unit_figs = _unit_figures(plan, root, periods, include_submitted) if "unit" in dims else {}
    title_bits = [root.name]
    if "period" not in dims:
        title_bits.append(periods[0].label)
    if not dims & {"indicator", "item"}:
        title_bits.append(_label(indicators[0]))
    result = Pivot(" ".join(title_bits) + f" 按{DIMENSIONS[rows]}×{DIMENSIONS[cols]}", rows, cols, row_h, col_h)
    for r in row_h:
        if r.heading:
            continue
        for c in col_h:
            key = {r.key[0]: r.key[1], c.key[0]: c.key[1]}
            ind = key.get("indicator", indicators[0].pk)
            pid = key.get("period", periods[0].id)
            if "unit" in key:
                fig = unit_figs.get((ind, key["unit"], pid), EMPTY)
            else:
                fig = figs.get((ind, key.get("region", root.pk), pid), EMPTY)
            if fig is not EMPTY:
                result.cells[(r.key, c.key)] = fig
    return result


def _unit_figures(plan, root, periods, include_submitted) -> dict:
    from .explore import Table, by_unit

    out = {}
    for p in periods:
        table = Table("", root, "unit", [i for i in plan.rules.values() if i in plan.indicators], [])
        by_unit(table, plan, root, p.id, include_submitted)
        for (ind, unit), fig in table.cells.items():
            out[(ind, int(unit), p.id)] = fig
    return out


__all__ = ["DIMENSIONS", "Fig", "Pivot", "pivot"]
