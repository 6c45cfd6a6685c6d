"""What each role's landing dashboard shows; and the figures of a public page (approved only)."""

from dataclasses import dataclass, replace
from datetime import date

from django.http import Http404

from kesu.accounts.scope import Scope
from kesu.core.configuration import configuration_held, held
from kesu.core.exceptions import ApplicationError
from kesu.core.periods import Period
from kesu.plans.models import Category, Indicator
from kesu.plans.selectors import unit_tasks

from .. import charts
from .explore import analysis_root, child_regions, default_root
from .figures import EMPTY, Plan, figures
from .periods import YearChoice, year_choice
from .progress import current_plan, task_progress

HEADLINE_LIMIT = 6


KEY_CODES = ["LIT_RATIO", "ACT_PARTICIPANTS", "SITE_MUSEUM_VISITS", "FUND_RAISED", "HR_VOLUNTEER", "DEMO_VILLAGE"]


def headline_indicators(root) -> list[Indicator]:
    """At most six indicators with approved figures at ``root``: the programme's key figures first (科学素质比例,
    活动参与人次, 场馆参观, 经费, 志愿者, 示范村), then the catalogue's order; background data such as population last."""
    from kesu.collection.models import ActivityIndicatorRule, RollupRow

    have = set(RollupRow.objects.filter(region=root).values_list("indicator_id", flat=True).distinct()[:500])
    if not have:  # nothing approved yet: no cards of zeros counted from activities either
        return []
    have |= set(held(("key_activity_rules",), lambda: list(
        ActivityIndicatorRule.objects.filter(indicator__code__in=KEY_CODES).values_list("indicator_id", flat=True))))
    return held(("headline", frozenset(have)), lambda: _headline(have))


def _headline(have) -> list[Indicator]:
    preferred = [*KEY_CODES, *(c for c in charts.HEADLINE_CODES if c not in KEY_CODES)]
    inds = list(Indicator.objects.filter(pk__in=have).order_by("sort"))
    inds.sort(key=lambda i: (i.code not in preferred, preferred.index(i.code) if i.code in preferred else 0,
                             i.category == Category.BASE, i.sort))
    return inds[:HEADLINE_LIMIT]


def progress_context(scope: Scope, root, year: int, today: date) -> dict:
    plan = current_plan(root, year)
    tasks = task_progress(scope, plan=plan, year=year, on=today) if plan else []
    return {"plan": plan, "tasks": tasks, "lagging": [t for t in tasks if t.is_lagging and t.items],
            "progress_chart": charts.build("progress", scope, {"region": root.code, "year": year})}


def for_scope(scope: Scope, *, today: date, year=None, region=None) -> dict:
    """The dashboard of ``scope``: ``year`` when asked, else the default year (``selectors.periods``)."""
    if scope.is_filler:
        return _filler(scope, today)
    with configuration_held(per_version=True):  # its regions and indicators: one token read
        return _office(scope, today, year, region)


def _office(scope: Scope, today: date, year, region) -> dict:
    root = analysis_root(scope, region or default_root(scope))
    choice = year_choice(root, year, today=today)
    year = choice.year
    ctx = {"role": "office" if scope.can_manage else "viewer", "root": root, "year": year, "today": today,
           "choice": choice}
    headline = headline_indicators(root)
    ctx["headline"] = key_figures(scope, root=root, choice=choice, indicators=headline)
    params = {"region": root.code, "period": str(year)}
    charts_ = []
    if child_regions(root):
        charts_.append(("ranking", charts.build("ranking", scope, params), params))
    if scope.can_manage:
        ctx.update(progress_context(scope, root, year, today))
        cparams = {"region": root.code, "period": str(year)}
        charts_.insert(0, ("completeness", charts.build("completeness", scope, cparams), cparams))
    if headline:
        tparams = {"region": root.code, "indicators": ",".join(i.code for i in headline[:3]), "end": str(year)}
        charts_.append(("trend", charts.build("trend", scope, tparams), tparams))
    literacy = charts.literacy_chart_for(scope, root)
    if literacy.rows:  # the outcome indicator, once a survey result, a target or a published series is there
        charts_.append(("literacy", literacy, {"region": root.code}))
    ctx["charts"] = [(data, "&".join(f"{k}={v}" for k, v in p.items())) for _, data, p in charts_]
    return ctx


@dataclass
class KeyFigure:
    """One headline card: the shown year's figure against the year before, and the running year's so far."""

    indicator: Indicator
    current: object  # Fig of the shown year
    previous: object  # Fig of the year before
    running: object | None  # Fig of the year being collected, when the shown year is an earlier one

    @property
    def change(self):
        if self.current.value is None or self.previous.value is None:
            return None
        return self.current.value - self.previous.value

    @property
    def percent(self):
        change = self.change
        return None if change is None or not self.previous.value else change / self.previous.value * 100


def key_figures(scope: Scope, *, root, choice: YearChoice, indicators=None) -> list[KeyFigure]:
    """The headline figures of ``root`` for ``choice``'s year, with the running year beside them; one read."""
    indicators = headline_indicators(root) if indicators is None else list(indicators)
    if not indicators:
        return []
    analysis_root(scope, root)
    years = [str(choice.year), str(choice.year - 1), *([str(choice.running)] if choice.running else [])]
    figs = figures(Plan.for_indicators(indicators), root, [root], years)
    out = []
    for ind in indicators:
        running = figs.get((ind.pk, root.pk, str(choice.running)), EMPTY) if choice.running else None
        out.append(KeyFigure(ind, figs.get((ind.pk, root.pk, years[0]), EMPTY),
                             figs.get((ind.pk, root.pk, years[1]), EMPTY), running))
    return out


def home_figures(scope: Scope, *, today: date) -> dict | None:
    """The key figures of the scope's region for its home page: the default year's, the running year's beside."""
    if scope.is_filler:
        return None
    with configuration_held(per_version=True):  # its region and indicators: one token read
        try:
            root = default_root(scope)
        except Http404:  # a fresh installation before the region list is loaded
            return None
        choice = year_choice(root, today=today)
        return {"root": root, "choice": choice, "rows": key_figures(scope, root=root, choice=choice)}


def _filler(scope: Scope, today: date) -> dict:
    from kesu.collection.selectors import home_rows

    tasks = (unit_tasks(scope.unit_id, scope.region_id, today.year)
             .select_related("plan").prefetch_related("task_units").order_by("plan_id", "sort", "id"))
    task_rows = []
    for t in tasks:
        role = next((tu.get_role_display() for tu in t.task_units.all() if tu.unit_id == scope.unit_id), "各成员单位")
        due = None
        if t.due_period:
            try:
                due = Period.parse(t.due_period)
            except (ApplicationError, ValueError):  # a free-text due period is shown as typed
                due = None
        task_rows.append({"task": t, "role": role, "due": due, "overdue": bool(due and due.end < today)})
    return {"role": "filler", "returns": home_rows(scope, today=today), "tasks": task_rows, "today": today}


def public_year_choice(pub, asked=None) -> YearChoice:
    """The year a publication's page shows: the year the office published, or an earlier one with approved data
    that the visitor picks (never a later one: a new year's figures go public only when the office publishes them)."""
    choice = year_choice(pub.region)
    years = sorted({y for y in choice.years if y <= pub.year} | {pub.year}, reverse=True)
    year = asked if asked in years else pub.year
    # The note reads “以下为X年已审核数据”: true of any year a publication shows.
    return replace(choice, year=year, years=years, chosen=True, complete=False, running=None, picked=())


def public_context(pub, choice: YearChoice | None = None) -> dict:
    """Approved figures only — never drafts or submitted values — for a publication's page or its preview."""
    choice = choice or public_year_choice(pub)
    root = pub.region
    indicators = list(pub.indicators.order_by("sort"))
    years = [str(y) for y in range(choice.year - 4, choice.year + 1)]
    kids = child_regions(root)
    figs = figures(Plan.for_indicators(indicators), root, [root, *kids], years, include_submitted=False)
    rows = []
    for ind in indicators:
        now = figs.get((ind.pk, root.pk, str(choice.year)), EMPTY)
        before = figs.get((ind.pk, root.pk, str(choice.year - 1)), EMPTY)
        rows.append({"indicator": ind, "value": now.value, "previous": before.value,
                     "children": [figs.get((ind.pk, k.pk, str(choice.year)), EMPTY).value for k in kids]})
    series = [(i.name, [charts.num(figs.get((i.pk, root.pk, y), EMPTY).value) for y in years]) for i in indicators[:4]]
    title = f"{root.name}{years[0]}—{years[-1]}年主要指标"
    option = charts.chart_option(title, "line", [f"{y}年" for y in years], series)
    table = [[f"{y}年", *[figs.get((i.pk, root.pk, y), EMPTY).value for i in indicators[:4]]] for y in years]
    header = ["年份", *[charts.indicator_label(i) for i in indicators[:4]]]
    chart = charts.ChartData("public", title, header, table, option)
    return {"root": root, "rows": rows, "children": kids, "chart": chart, "year": choice.year, "choice": choice}
