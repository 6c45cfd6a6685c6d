"""Build a report's plain context from the database: plans and orgs for structure, analytics for the figures
(approved roll-ups), collection for the units' narratives. The builders never see a model.
"""

import hashlib
import re
from datetime import date
from decimal import Decimal

from django.db.models import Max
from django.urls import NoReverseMatch, reverse

from kesu.accounts.scope import Scope
from kesu.core import clock
from kesu.core.models import AuditEvent
from kesu.core.periods import Period
from kesu.orgs.models import CoordinationBody, PostKind, Unit
from kesu.plans.models import Framework, FrameworkItem, Indicator, ItemKind, Meeting, Plan, PolicyDocument, Target, Task
from kesu.regions.models import Level, Region

from .builders import data as d
from .builders import kinds

HEADLINE_CODES = ["ACT_EVENTS_TOTAL_N", "ACT_EVENTS_TOTAL_P", "LIT_RATIO"]
RANKING_CODES = ["TRN_FARMER_P", "ACT_EVENTS_TOTAL_P", "ACT_EVENTS_TOTAL_N"]
TREND_CODES = ["LIT_RATIO", "TRN_FARMER_P"]


def _url(name: str, *args, query: str = "") -> str:
    try:
        return reverse(name, args=args) + (f"?{query}" if query else "")
    except NoReverseMatch:  # a page another app has not built yet: no link rather than a broken one
        return ""


def plan_for(region: Region, year: int) -> Plan | None:
    """The region's 实施方案 covering ``year`` (an annual 要点 only when there is no 实施方案)."""
    plans = Plan.objects.filter(region=region, start_year__lte=year, end_year__gte=year).select_related(
        "framework", "document")
    return plans.filter(kind="implementation").first() or plans.first()


# The reports app's own events (a report generated, a template uploaded) change no figure: they must not make the
# report just generated look out of date.
_REPORT_ACTIONS = ("report.", "report_template.", "report_pack.")


def data_state(region: Region) -> str:
    """The latest audit event touching the region's subtree: a report made at a later state is out of date."""
    events = AuditEvent.objects.all()
    for prefix in _REPORT_ACTIONS:
        events = events.exclude(action__startswith=prefix)
    latest = events.filter(region_path__startswith=region.path).aggregate(m=Max("id"))["m"]
    overall = events.aggregate(m=Max("id"))["m"]
    return f"audit:{latest or 0}/{overall or 0}"


class _Figures:
    """The analytics figures for one region tree and a few periods, fetched in one call."""

    def __init__(self, indicators: list[Indicator], root: Region, regions: list[Region], period_ids: list[str]):
        try:
            from kesu.analytics.selectors.figures import Plan as FigurePlan
            from kesu.analytics.selectors.figures import figures
        except ImportError:  # an installation without the analytics app: every figure is 未填报, none is guessed
            self.values = {}
            return
        self.values = figures(FigurePlan.for_indicators(indicators), root, regions, period_ids) if indicators else {}

    def get(self, indicator: Indicator, region: Region, period_id: str) -> Decimal | None:
        fig = self.values.get((indicator.pk, region.pk, period_id))
        return None if fig is None else fig.value


def _figure(ind: Indicator, figs: _Figures, region: Region, period: Period, targets: dict) -> d.Figure:
    return d.Figure(
        code=ind.code, label=ind.name, unit=ind.unit,
        value=figs.get(ind, region, period.id), previous=figs.get(ind, region, period.previous_year().id),
        # The year's target also for a half-year or quarter: a 进展 measures the period against it.
        target=targets.get(ind.pk),
        value_type=d.PERCENT if ind.value_type == "percent" or ind.unit == "%" else d.INTEGER,
        is_flow=ind.time_aggregation == "sum" and not ind.is_ratio,
        source_url=_url("analytics:indicator_explorer",
                        query=f"indicators={ind.code}&region={region.code}&periods={period.id}"),
        source_label=f"{region.name}{period.label}{ind.name}（已审核汇总）",
    )


def _organisation(region: Region, period: Period) -> d.Organisation:
    body = CoordinationBody.objects.filter(region=region).select_related("office_unit").first()
    org = d.Organisation(source_url=_url("orgs:body_detail"))
    if body is not None:
        org.body_name = body.name
        leader = body.posts.filter(post=PostKind.LEADER).first()
        if leader is not None:
            title = leader.person_title.replace(f"{region.name}人民政府", "")
            org.leader = f"{title}{leader.person_name}"
        org.office_unit = _short_unit(body.office_unit, region) if body.office_unit else ""
        org.member_units = [u.name for u in body.members.filter(valid_to__isnull=True)]
    for meeting in Meeting.objects.filter(region=region, held_on__range=(period.start, period.end)).order_by("held_on"):
        org.meetings.append(d.MeetingEntry(meeting.title, meeting.held_on, meeting.decisions,
                                           _url("plans:meeting_list")))
    for doc in PolicyDocument.objects.filter(region=region, issued_on__range=(period.start, period.end)):
        org.documents.append(d.DocumentEntry(doc.title, doc.doc_no, doc.issuer, doc.issued_on,
                                             _url("plans:document_list")))
    return org


def _short_unit(unit: Unit, region: Region) -> str:
    """渠县科学技术协会 → 县科学技术协会 inside 渠县's own report, as the genre writes it."""
    name = unit.short_name or unit.name
    prefix = region.name[:-1]
    if prefix and name.startswith(region.name):
        return name[len(prefix):]
    return name


def _narratives(region: Region, period: Period) -> dict[int, list[d.Narrative]]:
    try:
        from kesu.collection.models import Narrative
    except ImportError:  # without the collection app there is nothing the units wrote
        return {}

    by_task: dict[int, list[d.Narrative]] = {}
    rows = Narrative.objects.filter(region=region, period_id=period.id).select_related("unit", "task")
    for row in rows.order_by("task__sort", "unit__sort", "id"):
        unit = _short_unit(row.unit, region) if row.unit else region.name
        by_task.setdefault(row.task_id, []).append(d.Narrative(
            unit=unit, task=row.task.title, progress=row.progress, results=row.results, problems=row.problems,
            next_steps=row.next_steps,
            source_url=_url("collection:narratives", period.id, region.pk, row.unit_id) if row.unit_id else ""))
    return by_task


def _lower_unit(unit: Unit, lower: Region) -> str:
    """渠县教育局 in 达州市's report: the lower region's name, then the unit as that region's report calls it."""
    short = _short_unit(unit, lower)
    return short if short.startswith(lower.name) else f"{lower.name}{short.removeprefix(lower.name[-1:])}"


def _lower_narratives(children: list[Region], period: Period) -> dict[int, list[d.Narrative]]:
    """The lower regions' units' texts by framework item: an upper region's report says what its counties did."""
    try:
        from kesu.collection.models import Narrative
    except ImportError:
        return {}
    by_item: dict[int, list[d.Narrative]] = {}
    lower = {c.pk: c for c in children}
    rows = Narrative.objects.filter(region__in=children, period_id=period.id, unit__isnull=False).select_related(
        "unit", "task")
    for row in rows.order_by("region__sort", "region__code", "task__sort", "unit__sort", "id"):
        by_item.setdefault(row.task.item_id, []).append(d.Narrative(
            unit=_lower_unit(row.unit, lower[row.region_id]), task=row.task.title, progress=row.progress,
            results=row.results, region=lower[row.region_id].name,
            source_url=_url("collection:narratives", period.id, row.region_id, row.unit_id)))
    return by_item


# Events of the national calendar an office names when its units held them.
NAMED_EVENTS = ("全国科普日", "科技活动周", "三下乡", "科技创新大赛", "科技工作者日", "科普讲解大赛", "防灾减灾日")
_PLACE = re.compile(r"（[^（）]*）$")


def activity_theme(title: str) -> str:
    """高素质农民培训班（涌兴镇） → 高素质农民培训班: the same activity held in many places is one theme."""
    return _PLACE.sub("", title).strip() or title


def _activity_series(region: Region, period: Period, section_of_item) -> dict[int, list[d.ActivitySeries]]:
    """The subtree's activity records of the period as series (unit × theme) per section, from the records
    themselves: how many, how many people, how many places, whether named or new."""
    try:
        from kesu.collection.models import Activity
    except ImportError:
        return {}
    # The region's own and its lower regions' units: an upper level's unit holding an event here is not this
    # region's work (the upper region's report cites it).
    held = Activity.objects.filter(region__path__startswith=region.path, unit__region__path__startswith=region.path)
    before = {(unit, activity_theme(title)) for unit, title in held.filter(start_date__lt=period.start).values_list(
        "unit_id", "title").distinct()}
    rows = held.filter(start_date__range=(period.start, period.end)).values_list(
        "unit_id", "unit__name", "unit__short_name", "unit__region_id", "title", "start_date", "participants",
        "region_id", "framework_item_id", "task__item_id", "task__title")
    units = {u.pk: u for u in Unit.objects.filter(pk__in={r[0] for r in rows}).select_related("region")}
    children = {c.path: c for c in Region.objects.filter(parent=region)}
    series: dict[tuple, dict] = {}
    for unit_id, _, _, unit_region, title, start, people, place, item_id, task_item, task in rows:
        section = section_of_item(item_id or task_item)
        if section is None:
            continue
        theme = activity_theme(title)
        entry = series.setdefault((section, unit_id, theme), {
            "task": task or "", "events": 0, "people": 0, "places": set(), "month": start.month,
            "region": unit_region})
        entry["events"] += 1
        entry["people"] += people
        if place != unit_region:
            entry["places"].add(place)
        entry["month"] = min(entry["month"], start.month)
    out: dict[int, list[d.ActivitySeries]] = {}
    source = _url("collection:activity_list")
    for (section, unit_id, theme), e in series.items():
        unit = units[unit_id]
        lower = next((c for path, c in children.items() if unit.region.path.startswith(path)), None)
        out.setdefault(section, []).append(d.ActivitySeries(
            unit=_lower_unit(unit, lower) if lower else _short_unit(unit, region), theme=theme, task=e["task"],
            events=e["events"], participants=e["people"], places=len(e["places"]), month=e["month"],
            named=any(n in theme for n in NAMED_EVENTS), first_time=(unit_id, theme) not in before,
            lower_region=lower.name if lower else "",
            place_word="乡镇（街道）" if unit.region.level >= Level.COUNTY else "县（市、区）",
            source_url=source))
    return out


def _literacy(scope: Scope, region: Region, year: int, figure: d.Figure | None) -> d.LiteracyCitation | None:
    """The literacy ratio's source: an accepted local survey of the year when there is one, else the published
    result the ratio was entered from; None when the region has no ratio for the year."""
    try:
        from kesu.surveys.selectors import headline_citation
    except ImportError:
        headline_citation = None
    found = headline_citation(scope, region, year) if headline_citation else None
    if found is not None:
        share = None if found["suppressed"] else Decimal(found["share"]) * 100
        margin = None if found["margin"] is None else Decimal(found["margin"]) * 100
        return d.LiteracyCitation(share, margin, found["survey"], _url("surveys:index"))
    if figure is None or figure.value is None:
        return None
    return d.LiteracyCitation(Decimal(figure.value), source_url=figure.source_url)


def _self_assessment(scope: Scope, region: Region, year: int) -> d.SelfAssessment | None:
    try:
        from kesu.assessment.selectors import region_self_assessment
    except ImportError:
        return None
    found = region_self_assessment(scope, region=region, year=year)
    if found is None:
        return None
    return d.SelfAssessment(
        scheme=found["scheme"], status=found["status"], self_total=found["self_total"],
        items=[d.AssessmentItem(i["number"], i["title"], Decimal(i["weight"]), i["self_points"], i["self_note"],
                                i["evidence"], i["auto_note"]) for i in found["items"]],
        source_url=_url("assessment:assessment", found["pk"]))


def _top_item(item: FrameworkItem | None, items: dict[int, FrameworkItem]) -> FrameworkItem | None:
    while item is not None and item.parent_id is not None:
        item = items.get(item.parent_id)
    return item


def _unreported(region: Region, children: list[Region], period: Period) -> set[int]:
    """Lower regions where no return of the period was approved: their activity-derived counts read 0, but they
    reported nothing, so the ranking says 未填报 rather than a zero."""
    try:
        from kesu.collection.models import LOCKED_STATUSES, Submission
    except ImportError:
        return set()
    paths = set(Submission.objects.filter(
        region__path__startswith=region.path, status__in=LOCKED_STATUSES,
        period_start__lte=period.end, period_end__gte=period.start).values_list("region__path", flat=True))
    return {c.pk for c in children if not any(p.startswith(c.path) for p in paths)}


def _next_targets(region: Region, year: int, indicators: list[Indicator]) -> list[d.Figure]:
    """The next year's targets of the key indicators, from whichever plan of the region covers that year."""
    plan = plan_for(region, year)
    if plan is None:
        return []
    rows = {t.indicator_id: t.value for t in Target.objects.filter(plan=plan, region=region, year=year,
                                                                    indicator__in=indicators)}
    return [d.Figure(code=i.code, label=i.name, unit=i.unit, target=rows[i.pk],
                     value_type=d.PERCENT if i.value_type == "percent" or i.unit == "%" else d.INTEGER)
            for i in indicators if i.pk in rows]


def _next_tasks(region: Region, year: int, current: Plan | None) -> list[str]:
    """The next year's tasks where a plan of its own (a 工作要点) exists; the same long plan's tasks are not news."""
    plan = plan_for(region, year)
    if plan is None or (current is not None and plan.pk == current.pk):
        return []
    return list(Task.objects.filter(plan=plan).order_by("sort", "id").values_list("title", flat=True))


def build_context(scope: Scope, *, region: Region, period: Period, kind: str,
                  report_date: date | None = None, is_demo: bool = False) -> d.ReportContext:
    scope.require(scope.sees_region(region))
    plan = plan_for(region, period.year)
    framework = plan.framework if plan else Framework.objects.filter(region__isnull=True).order_by(
        "-start_year").first()
    tasks = list(Task.objects.filter(plan=plan).prefetch_related("indicators", "task_units__unit")
                 .order_by("sort", "id")) if plan else []
    items = {i.pk: i for i in FrameworkItem.objects.filter(framework=framework)} if framework else {}
    targets = {t.indicator_id: t.value for t in Target.objects.filter(plan=plan, region=region, year=period.year)}

    task_indicators = {t.pk: list(t.indicators.all()) for t in tasks}
    wanted = {i.pk: i for inds in task_indicators.values() for i in inds}
    for ind in Indicator.objects.filter(pk__in=list(targets)) | Indicator.objects.filter(
            code__in=HEADLINE_CODES + RANKING_CODES + TREND_CODES):
        wanted.setdefault(ind.pk, ind)
    children = list(Region.objects.filter(parent=region).order_by("sort", "code"))
    years = list(plan.years) if plan else [period.year]
    period_ids = sorted({period.id, period.previous_year().id, *(str(y) for y in years)})
    figs = _Figures(sorted(wanted.values(), key=lambda i: (i.sort, i.code)), region, [region, *children], period_ids)
    narratives = _narratives(region, period) if plan else {}

    def figure(ind):
        return _figure(ind, figs, region, period, targets)

    sections: list[d.ItemSection] = []
    by_item: dict[int, d.ItemSection] = {}
    lower_words = _lower_narratives(children, period) if plan and children else {}
    for item in sorted((i for i in items.values() if i.parent_id is None and i.kind in (
            ItemKind.ACTION, ItemKind.PROJECT, ItemKind.POPULATION, ItemKind.BASIC_PROJECT)),
            key=lambda i: (i.sort, i.pk)):
        section = d.ItemSection(item.code, item.name, "action" if item.kind in (ItemKind.ACTION, ItemKind.POPULATION)
                                else "project")
        by_item[item.pk] = section
        sections.append(section)
    for task in tasks:
        top = _top_item(items.get(task.item_id), items)
        section = by_item.get(top.pk) if top else None
        if section is None:
            continue
        task_figs = [figure(i) for i in task_indicators[task.pk]]
        leads = [_short_unit(tu.unit, region) for tu in task.task_units.all() if tu.role == "lead"]
        words = narratives.get(task.pk, [])
        section.tasks.append(d.TaskCheck(task.number, task.title, leads, task_figs, words))
        known = {f.code for f in section.figures}
        section.figures += [f for f in task_figs if f.code not in known and not known.add(f.code)]
        section.narratives += words

    def section_of_item(item_id):
        top = _top_item(items.get(item_id), items)
        return top.pk if top is not None and top.pk in by_item else None

    for item_id, words in lower_words.items():
        top = section_of_item(item_id)
        if top is not None:
            by_item[top].lower_narratives += words
    for top, found in _activity_series(region, period, section_of_item).items():
        by_item[top].activities = found

    key_figures = [figure(i) for i in sorted((wanted[pk] for pk in targets if pk in wanted),
                                              key=lambda i: (i.sort, i.code))]
    by_code = {i.code: i for i in wanted.values()}
    headline = [figure(by_code[c]) for c in HEADLINE_CODES if c in by_code]

    # A ranking where every lower region has nothing (or only zeros, e.g. activities registered by the county's
    # units rather than by its townships) says nothing: take the next indicator, or none.
    ranking_ind = next((by_code[c] for c in RANKING_CODES if c in by_code and any(
        figs.get(by_code[c], child, period.id) for child in children)), None)
    lower = []
    if ranking_ind is not None:
        child_targets = {t.region_id: t.value for t in Target.objects.filter(
            indicator=ranking_ind, region__in=children, year=period.year)}
        silent = _unreported(region, children, period)
        lower = [d.RegionFigure(c.name, None if c.pk in silent and not figs.get(ranking_ind, c, period.id)
                                else figs.get(ranking_ind, c, period.id), child_targets.get(c.pk),
                                _url("analytics:indicator_explorer",
                                     query=f"indicators={ranking_ind.code}&region={c.code}&periods={period.id}"))
                 for c in children]
    trend_ind = next((by_code[c] for c in TREND_CODES if c in by_code and sum(
        figs.get(by_code[c], region, str(y)) is not None for y in years) >= 2), None)
    trend = []
    if trend_ind is not None:
        year_targets = {t.year: t.value for t in Target.objects.filter(plan=plan, indicator=trend_ind, region=region)}
        trend = [d.TrendPoint(y, figs.get(trend_ind, region, str(y)), year_targets.get(y)) for y in years
                 if y <= period.year]

    all_words = [n for s in sections for n in s.narratives]
    fingerprint = hashlib.sha1(repr(sorted((k, str(v.value)) for k, v in figs.values.items())).encode()).hexdigest()
    office = f"{CoordinationBody.objects.filter(region=region).values_list('name', flat=True).first() or region.name + '全民科学素质工作领导小组'}办公室"
    return d.ReportContext(
        kind=kind, region_name=region.name, period_id=period.id, period_label=period.label, year=period.year,
        office_name=office, report_date=report_date or clock.today(),
        plan_title=plan.title if plan else "", framework_name=framework.name if framework else "",
        guidance=(framework.details or {}).get("model", "") if framework else "",
        headline=headline, organisation=_organisation(region, period), sections=sections, key_figures=key_figures,
        lower_regions=lower, ranking_label=ranking_ind.name if ranking_ind else "",
        ranking_unit=ranking_ind.unit if ranking_ind else "",
        trend=trend, trend_label=trend_ind.name if trend_ind else "", trend_unit=trend_ind.unit if trend_ind else "",
        ranking_total=figs.get(ranking_ind, region, period.id) if ranking_ind is not None else None,
        problems=[n for n in all_words if n.problems], next_steps=[n for n in all_words if n.next_steps],
        next_targets=_next_targets(region, period.year + 1,
                                   [by_code[c.code] for c in key_figures if c.code in by_code]),
        next_tasks=_next_tasks(region, period.year + 1, plan),
        literacy=_literacy(scope, region, period.year, next((f for f in headline if f.code == "LIT_RATIO"), None)),
        assessment=_self_assessment(scope, region, period.year) if kind == kinds.SELF_CHECK else None,
        data_state=f"{data_state(region)}/{fingerprint[:12]}", is_demo=is_demo,
    )


__all__ = ["build_context", "plan_for", "data_state", "kinds"]
