"""Chart data: every chart is a ``ChartData`` built from a selector — the same object feeds the ECharts option,
the HTML table twin and the JSON twin (``analytics:chart_json``)."""

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied

from kesu.core import clock
from kesu.core.exceptions import ApplicationError
from kesu.core.periods import Period
from kesu.plans.models import Indicator

from .selectors import compare, progress
from .selectors.explore import analysis_root, expand_periods, explore, num, resolve_indicators, resolve_periods
from .selectors.figures import EMPTY

FONT = "'Noto Sans CJK SC','Microsoft YaHei','PingFang SC',sans-serif"


@dataclass
class ChartData:
    name: str
    title: str
    columns: list  # header labels of the table twin
    rows: list  # lists of cells (first column = category label)
    option: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)
    unapproved: bool = False

    @property
    def height(self) -> int:
        """Pixels: a horizontal bar chart gets a line per visible category, so its bars stay readable."""
        axis = self.option.get("yAxis") or {}
        if not (isinstance(axis, dict) and axis.get("type") == "category"):
            return 320
        data = axis.get("data") or []
        per_bar = 34 if any(len(str(c)) > 10 for c in data) else 22  # room for a name wrapped onto two lines
        return max(320, 90 + per_bar * min(len(data), VISIBLE_BARS))

    def as_json(self) -> dict:
        return {"name": self.name, "title": self.title, "columns": self.columns,
                "rows": [[num(c) if isinstance(c, Decimal) else c for c in r] for r in self.rows],
                "notes": self.notes, "includes_unapproved": self.unapproved, "option": self.option}


VISIBLE_BARS = 20  # rows of a horizontal bar chart shown at once; the rest scroll


def chart_option(title: str, kind: str, categories, series, *, y_name="", horizontal=False,
                 percent_line=False) -> dict:
    # Long names wrap rather than end in “…”: two indicators that begin alike (农村实用技术培训期数 / 人次) must stay
    # told apart. Beside horizontal bars there is room for two lines; under vertical bars, one shortened line.
    label = ({"width": 150, "overflow": "break", "lineHeight": 14} if horizontal
             else {"width": 90, "overflow": "truncate"})
    cat_axis = {"type": "category", "data": categories, "axisLabel": {"interval": 0, "hideOverlap": True, **label}}
    val_axis = {"type": "value", "name": y_name, "nameTextStyle": {"align": "left"}}
    opt = {
        "textStyle": {"fontFamily": FONT},
        "title": {"text": title, "left": "center", "textStyle": {"fontSize": 14}},
        "tooltip": {"trigger": "axis"},
        "legend": {"bottom": 0, "type": "scroll"} if len(series) > 1 else {"show": False},
        "grid": {"left": 12, "right": 24, "top": 48, "bottom": 36 if len(series) > 1 else 12, "containLabel": True},
        "xAxis": val_axis if horizontal else cat_axis,
        "yAxis": {**cat_axis, "inverse": True} if horizontal else val_axis,
        "series": [{"type": kind, "name": name, "data": data, "connectNulls": False,
                    **({"label": {"show": True, "position": "right" if horizontal else "top"}}
                       if len(series) == 1 and kind == "bar" else {})} for name, data in series],
    }
    if horizontal and len(categories) > VISIBLE_BARS:
        # Sixty townships: show the first rows and a scroll bar rather than bars too thin to read.
        window = {"yAxisIndex": 0, "startValue": 0, "endValue": VISIBLE_BARS - 1}
        opt["dataZoom"] = [{"type": "slider", **window, "right": 4, "width": 14, "showDetail": False,
                            "brushSelect": False},
                           {"type": "inside", **window, "zoomOnMouseWheel": False, "moveOnMouseWheel": True}]
        opt["grid"]["right"] = 40
    if percent_line and opt["series"]:
        opt["series"][0]["markLine"] = {"data": [{"xAxis" if horizontal else "yAxis": 100}], "symbol": "none",
                                        "label": {"formatter": "100%"}}
    return opt


def indicator_label(ind: Indicator) -> str:
    return f"{ind.name}（{ind.unit}）" if ind.unit else ind.name


def _p(params, key, default=None):
    value = params.get(key)
    return default if value in (None, "") else value


def _bool(params, key) -> bool:
    return str(params.get(key, "")).lower() in ("1", "true", "on", "yes")


# -- builders ----------------------------------------------------------------------------------------------------


def ranking_chart(scope, params) -> ChartData:
    root = analysis_root(scope, _p(params, "region"))
    period = Period.parse(_p(params, "period", str(default_year(root))))
    ind = resolve_indicators(scope, [_p(params, "indicator", "")])[0] if _p(params, "indicator") else _headline(
        root, of_children=True, year=period.year)
    per_pop = _bool(params, "per_pop")
    rows = compare.ranking(scope, indicator=ind, region=root, period=period, per_population=per_pop,
                           include_submitted=_bool(params, "include_submitted"))
    unit = f"{ind.unit}/万人" if per_pop else ind.unit
    title = f"{root.name}{period.label}{ind.name}{'（每万人）' if per_pop else ''}排名"
    table = [[r.region.name, r.rank, r.fig.value, r.population_10k, r.per_10k] for r in rows]
    shown = [r for r in rows if (r.per_10k if per_pop else r.fig.value) is not None]
    option = chart_option(title, "bar", [r.region.name for r in shown],
                          [(ind.name, [num(r.per_10k if per_pop else r.fig.value) for r in shown])], y_name=unit,
                          horizontal=True)
    return ChartData("ranking", title, ["区域", "名次", indicator_label(ind), "常住人口（万人）", f"每万人（{ind.unit}/万人）"],
                     table, option, unapproved=any(r.fig.unapproved for r in rows))


def trend_chart(scope, params) -> ChartData:
    root = analysis_root(scope, _p(params, "region"))
    codes = [c for c in str(_p(params, "indicators", "")).split(",") if c]
    indicators = resolve_indicators(scope, codes)[:6] if codes else [_headline(root)]
    end = int(_p(params, "end", default_year(root)))
    start = int(_p(params, "start", end - 4))
    if end - start > 30 or end < start:
        raise ApplicationError("年份范围不正确（最多 30 年，结束年不能早于开始年）。", field="start")
    periods = expand_periods(str(start), str(end), _p(params, "kind", "Y"))
    table = explore(scope, indicators=indicators, region=root, periods=periods, group_by="period",
                    include_submitted=_bool(params, "include_submitted"))
    title = f"{root.name}{periods[0].label}—{periods[-1].label}趋势"
    rows = [[g.label, *[table.cell(i, g).value for i in indicators]] for g in table.groups]
    unit = indicators[0].unit if len({i.unit for i in indicators}) == 1 else ""
    option = chart_option(title, "line", [g.label for g in table.groups],
                          [(i.name, [num(table.cell(i, g).value) for g in table.groups]) for i in indicators],
                          y_name=unit)
    return ChartData("trend", title, ["报告期", *[indicator_label(i) for i in indicators]], rows, option,
                     unapproved=table.any_unapproved)


def completeness_chart(scope, params) -> ChartData:
    root = analysis_root(scope, _p(params, "region"))
    period = Period.parse(_p(params, "period", str(default_year(root))))
    rows = compare.completeness_by_region(scope, region=root, period=period)
    title = f"{root.name}{period.label}填报完成率"
    option = chart_option(title, "bar", [r.region.name if r.region != root else "本级单位" for r in rows],
                          [("完成率", [r.rate for r in rows])], y_name="%", horizontal=True, percent_line=True)
    table = [[r.region.name if r.region != root else f"{root.name}本级单位", r.expected, r.submitted, r.approved,
              r.rate] for r in rows]
    return ChartData("completeness", title, ["区域", "应报", "已报", "已审核", "完成率（%）"], table, option)


def progress_chart(scope, params) -> ChartData:
    root = analysis_root(scope, _p(params, "region"))
    year = int(_p(params, "year", clock.today().year))
    rows = progress.target_progress(scope, region=root, year=year)
    title = f"{root.name}{year}年目标完成进度"
    shown = [num(None if p.completion is None else round(p.completion, 1)) for p in rows]  # 107.8, not 107.8261
    option = chart_option(title, "bar", [p.indicator.name for p in rows], [("完成度（%）", shown)], y_name="%",
                          horizontal=True, percent_line=True)
    table = [[p.indicator.name, p.indicator.unit, p.target, p.actual, p.expected, p.completion, p.projected,
              p.status] for p in rows]
    return ChartData("progress", title, ["指标", "计量单位", "目标值", "实际值", "进度预期", "完成度（%）", "预计全年",
                                         "状态"], table, option, unapproved=any(p.unapproved for p in rows))


def explore_chart(scope, params) -> ChartData:
    codes = [c for c in str(_p(params, "indicators", "")).split(",") if c]
    indicators = resolve_indicators(scope, codes)[:12] if codes else []
    if not indicators:
        raise ApplicationError("请至少选择一个指标。", field="indicators")
    periods = resolve_periods(str(_p(params, "periods", "")).split(","))
    table = explore(scope, indicators=indicators, region=_p(params, "region"), periods=periods,
                    group_by=_p(params, "group_by", "region"), include_submitted=_bool(params, "include_submitted"))
    kind = "line" if table.group_by == "period" else "bar"
    unit = indicators[0].unit if len({i.unit for i in indicators}) == 1 else ""
    option = chart_option(table.title, kind, [g.label for g in table.groups],
                          [(i.name, [num(table.cell(i, g).value) for g in table.groups]) for i in indicators],
                          y_name=unit)
    rows = [[indicator_label(i), *[table.cell(i, g).value for g in table.groups], table.total(i).value]
            for i in indicators]
    return ChartData("explore", table.title, ["指标", *[g.label for g in table.groups], "合计"], rows, option,
                     unapproved=table.any_unapproved)


SOURCE_SYMBOLS = {"本地抽样调查": "diamond", "上级发布": "triangle", "填报": "circle"}


def literacy_chart(scope, params) -> ChartData:
    """公民具备科学素质的比例: the region's own figures against its plan's target and the published national and
    provincial series; every point names its source (local survey, published from above, or reported)."""
    return literacy_chart_for(scope, analysis_root(scope, _p(params, "region")))


def literacy_chart_for(scope, root) -> ChartData:
    """The literacy chart of a region already in hand (the dashboard has it: no second read of the region)."""
    from kesu.surveys.selectors import literacy_series

    data = literacy_series(scope, root)
    years = sorted({p["year"] for p in data["own"]} | set(data["targets"])
                   | {p["year"] for points in data["published"].values() for p in points})[-12:]
    title = f"{root.name}公民具备科学素质的比例"
    own = {p["year"]: p for p in data["own"]}

    def point(p, symbol="circle"):
        if p is None:
            return None
        return {"value": num(p["value"]), "name": f"{p['year']}年 · {p['source']}", "symbol": symbol,
                "symbolSize": 10 if symbol != "circle" else 6}

    series = [(root.name, [point(own.get(y), SOURCE_SYMBOLS[own[y]["kind"]]) if y in own else None for y in years])]
    if data["targets"]:
        series.append(("规划目标", [num(data["targets"].get(y)) for y in years]))
    for name, points in data["published"].items():
        by_year = {p["year"]: p for p in points}
        series.append((f"{name}（上级发布）", [point(by_year.get(y)) if y in by_year else None for y in years]))
    option = chart_option(title, "line", [f"{y}年" for y in years], series, y_name="%")
    option["title"]["subtext"] = "◆ 本地抽样调查　▲ 上级发布　● 填报；虚线：规划目标与上级发布的对照序列"
    option["grid"]["top"] = 64
    option["tooltip"] = {"trigger": "item", "formatter": "{a}<br/>{b}：{c}%"}
    for entry in option["series"]:
        entry["connectNulls"] = True
        if entry["name"] == "规划目标":
            entry.update(lineStyle={"type": "dashed", "color": "#d63939"}, itemStyle={"color": "#d63939"},
                         step="end", symbol="none")
        elif entry["name"] != root.name:
            entry["lineStyle"] = {"type": "dotted"}
    rows = [[f"{p['year']}年", root.name, p["value"], p["source"]] for p in data["own"]]
    rows += [[f"{y}年", "规划目标", v, "实施方案目标值"] for y, v in sorted(data["targets"].items())]
    rows += [[f"{p['year']}年", name, p["value"], p["source"]] for name, points in data["published"].items()
             for p in points]
    return ChartData("literacy", title, ["年份", "系列", "比例（%）", "来源"], rows, option)


CHARTS = {"ranking": ranking_chart, "literacy": literacy_chart, "trend": trend_chart,
          "completeness": completeness_chart,
          "progress": progress_chart, "explore": explore_chart}


def build(name: str, scope, params) -> ChartData:
    if name not in CHARTS:
        raise ApplicationError(f"图表“{name}”不存在。", field="name")
    if scope.is_filler:
        raise PermissionDenied("填报员只能查看本单位的填报任务")
    return CHARTS[name](scope, params)


# -- defaults ----------------------------------------------------------------------------------------------------


HEADLINE_CODES = ["ACT_PARTICIPANTS", "SITE_MUSEUM_VISITS", "FUND_RAISED", "HR_VOLUNTEER", "VISITS", "HR_FULL"]
CHILD_CODES = ["DEMO_VILLAGE", "SITE_ESTATION", "SITE_BOARD"]  # what townships typically report


def _headline(root, *, of_children: bool = False, year: int | None = None) -> Indicator:
    """The indicator a chart shows when none is chosen: a well-known flow with data, else the first one.

    ``of_children``: one the lower regions have (a ranking of townships by a figure only the county reports, such as
    its one science museum's visits, would be empty); the root's own indicators when they have none. ``year``
    narrows the look to that year's rows (the lower regions' rows of every year and month are many).
    """
    from kesu.collection.models import RollupRow

    if of_children:
        rows = RollupRow.objects.filter(region__parent=root)
        if year is not None:
            rows = rows.filter(period_id=str(year))  # every stored period also has its year's row
        spread = Counter(code for code, _ in rows.values_list("indicator__code", "region_id").distinct()[:20000])
        if spread:  # the indicators most lower regions have, well-known ones first
            widest = max(spread.values())
            have = {code for code, n in spread.items() if n == widest}
            for code in [*HEADLINE_CODES, *CHILD_CODES]:
                if code in have:
                    return Indicator.objects.get(code=code)
            return Indicator.objects.filter(code__in=have).order_by("sort").first()
    have = set(RollupRow.objects.filter(region=root).values_list("indicator__code", flat=True).distinct()[:500])
    for code in HEADLINE_CODES:
        if code in have:
            return Indicator.objects.get(code=code)
    ind = Indicator.objects.filter(code__in=have).order_by("sort").first() or Indicator.objects.order_by("sort").first()
    if ind is None:
        raise ApplicationError("指标目录为空，请先载入指标。", field="indicator")
    return ind


def default_year(root) -> int:
    """The year a page about ``root`` shows by default (see ``selectors.periods``)."""
    from .selectors.periods import year_choice

    return year_choice(root).year


__all__ = ["CHARTS", "ChartData", "EMPTY", "build", "default_year"]
