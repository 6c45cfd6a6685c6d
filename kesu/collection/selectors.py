"""Every read of the collection app that spans relations. Each takes the reader's ``Scope`` explicitly.

A filler sees only its own unit's rows (drafts included); an office sees its region subtree; a viewer sees approved
(or accepted) figures only.
"""

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from kesu.accounts.scope import Scope
from kesu.core import clock
from kesu.core.configuration import held
from kesu.core.models import AuditEvent
from kesu.core.periods import Period
from kesu.orgs.models import Unit
from kesu.orgs.selectors import unit_held
from kesu.plans.models import Task
from kesu.plans.selectors import covering_year
from kesu.regions.models import Region
from kesu.regions.selectors import region_held

from . import outliers, validation
from .computed import computed_values
from .models import (
    EDITABLE_STATUSES,
    LOCKED_STATUSES,
    Activity,
    ActivityAttachment,
    ActivityKind,
    DataSet,
    IndicatorValue,
    Narrative,
    Population,
    Submission,
    SubmissionStatus,
)
from .reporting import (
    Reporter,
    all_reporters,
    closed_hint,
    covers,
    data_sets_for,
    is_open,
    recent_periods,
    reopen_hint,
    reviewer_region,
    window,
)

# -- reporters and scope ---------------------------------------------------------------------------------------------


def reporter_get(scope: Scope, region_id: int, unit_id: int | None) -> Reporter:
    """The reporter named in a URL, or 404 when the reader may not see it (a filler: any other unit)."""
    # A unit comes with its region (one statement); a region's own return reads the region alone. Units and regions
    # are configuration: a cell save takes them from what its process keeps (kesu/core/configuration.py).
    unit = unit_held(unit_id) if unit_id else None
    if unit is not None and unit.region_id != region_id:
        unit = None
    region = unit.region if unit is not None else region_held(region_id)
    if region is None or (unit_id and unit is None):
        raise Http404
    if scope.is_filler:
        if unit is None or unit.pk != scope.unit_id:
            raise Http404
    elif not scope.is_admin and not scope.sees_region(region):
        raise Http404
    return Reporter(region, unit)


def own_reporter(scope: Scope) -> Reporter | None:
    if scope.is_filler:
        unit = Unit.objects.select_related("region").get(pk=scope.unit_id)
        return Reporter(unit.region, unit)
    if scope.region_id:
        return Reporter(Region.objects.get(pk=scope.region_id), None)
    return None


def sees_drafts(scope: Scope, reporter: Reporter | None) -> bool:
    """Viewers read approved figures only; fillers and offices see drafts in their scope."""
    return scope.is_admin or scope.is_filler or scope.is_office


def data_set_get(scope: Scope, pk: int) -> DataSet:
    # configuration: kept in the process during a cell save, like the reporter
    ds = held(("data_set_get", pk), lambda: DataSet.objects.select_related("region").filter(
        pk=pk, is_active=True).first())
    if ds is None or not (scope.is_admin or scope.sees_region_or_ancestor(ds.region)):
        raise Http404
    return ds


# -- the filler's home -----------------------------------------------------------------------------------------------


@dataclass
class HomeRow:
    data_set: DataSet
    period: Period
    reporter: Reporter
    submission: Submission | None
    due: date
    closes: date
    is_open: bool
    missing: int
    total: int

    @property
    def status_label(self) -> str:
        return self.submission.get_status_display() if self.submission else SubmissionStatus.EMPTY.label

    @property
    def status(self) -> str:
        return self.submission.status if self.submission else SubmissionStatus.EMPTY


def home_rows(scope: Scope, *, today: date) -> list[HomeRow]:
    """The returns this user fills: its data sets, recent periods, status, due dates and what is missing."""
    reporter = own_reporter(scope)
    if reporter is None or not (scope.is_filler or scope.is_office):
        return []
    rows = []
    for ds in data_sets_for(reporter.region, reporter.unit):
        indicator_ids = list(ds.indicators.values_list("id", flat=True))
        for period in recent_periods(ds, today):
            sub = Submission.objects.filter(data_set=ds, period_id=period.id, region=reporter.region,
                                            unit=reporter.unit).first()
            open_now = is_open(ds, period, reporter.region, reporter.unit, today)
            if not open_now and sub is None:
                continue
            w = window(ds, period)
            filled = set(IndicatorValue.objects.filter(indicator_id__in=indicator_ids, region=reporter.region,
                                                       unit=reporter.unit, period_id=period.id, value__isnull=False)
                         .values_list("indicator_id", flat=True))
            filled |= set(computed_values(indicator_ids, region=reporter.region, unit=reporter.unit, period=period))
            rows.append(HomeRow(ds, period, reporter, sub, w.due, w.closes, open_now,
                                missing=len(set(indicator_ids) - filled), total=len(indicator_ids)))
    return rows


# -- the grid ---------------------------------------------------------------------------------------------------------


@dataclass
class Cell:
    indicator: object
    row: IndicatorValue | None
    last_year: object
    computed: object = None
    is_computed: bool = False
    editable: bool = False
    error: str = ""
    needs_explanation: bool = False
    saved: bool = False
    posted: str | None = None
    flags: list = field(default_factory=list)  # outlier flags of the stored figure (see outliers.py)
    earlier: dict = field(default_factory=dict)  # {period id: figure} of earlier years, which the flags compare with
    thresholds: outliers.Thresholds = outliers.DEFAULT  # the indicator's own outlier thresholds, or the default

    @property
    def value(self):
        return self.computed if self.is_computed else (self.row.value if self.row else None)

    @property
    def version(self) -> int:
        return self.row.version if self.row else 0


@dataclass
class Grid:
    data_set: DataSet
    period: Period
    reporter: Reporter
    submission: Submission | None
    editable: bool
    locked_reason: str
    cells: list = field(default_factory=list)


def grid(scope: Scope, data_set: DataSet, period: Period, reporter: Reporter, *, today: date,
         indicator_id: int | None = None) -> Grid:
    """The grid of one return; with ``indicator_id`` only that row's cell (a refused cell save and a cell's history
    read one row, not the data set's whole list of indicators with their history, computed values and flags)."""
    _require_collected(data_set, period, reporter)
    sub = Submission.objects.filter(data_set=data_set, period_id=period.id, region=reporter.region,
                                    unit=reporter.unit).first()
    status = sub.status if sub else SubmissionStatus.EMPTY
    if not sees_drafts(scope, reporter) and status not in LOCKED_STATUSES:
        raise Http404
    writer = scope.is_admin or (scope.is_filler and reporter.unit is not None) or scope.is_office
    reason = ""
    if status not in EDITABLE_STATUSES:
        reason = (f"本期填报为“{SubmissionStatus(status).label}”，数据不可修改。"
                  f"{reopen_hint(status, reporter.region, reporter.unit)}")
    elif not is_open(data_set, period, reporter.region, reporter.unit, today):
        reason = (f"填报已于 {window(data_set, period).closes:%Y-%m-%d} 截止锁定。"
                  f"{closed_hint(reporter.region, reporter.unit)}")
    result = Grid(data_set, period, reporter, sub, editable=writer and not reason, locked_reason=reason)
    indicators = held(("grid_indicators", data_set.pk, indicator_id), lambda: _indicators(data_set, indicator_id))
    ids = [i.pk for i in indicators]
    current = {v.indicator_id: v for v in IndicatorValue.objects.filter(
        indicator_id__in=ids, region=reporter.region, unit=reporter.unit, period_id=period.id)}
    computed = computed_values(ids, region=reporter.region, unit=reporter.unit, period=period)
    earlier = outliers.history(ids, region=reporter.region, unit=reporter.unit, period=period)
    previous = period.previous_year()  # last year's figure is the first of the earlier years (none if empty)
    last_year = {i: years[previous.id] for i, years in earlier.items() if previous.id in years}
    if computed:  # an indicator summed from activities: last year's sum, as the review page shows it
        last_year.update(computed_values(list(computed), region=reporter.region, unit=reporter.unit, period=previous))
    for ind in indicators:
        row, thresholds = current.get(ind.pk), _thresholds(ind)
        flags = [] if ind.pk in computed or row is None else outliers.flags_for(
            row.value, earlier.get(ind.pk, {}), period, thresholds)
        result.cells.append(Cell(indicator=ind, row=row, last_year=last_year.get(ind.pk),
                                 computed=computed.get(ind.pk), is_computed=ind.pk in computed,
                                 editable=result.editable and ind.pk not in computed, flags=flags,
                                 earlier=earlier.get(ind.pk, {}), thresholds=thresholds))
    return result


def _require_collected(data_set: DataSet, period: Period, reporter: Reporter) -> None:
    """404 unless the data set collects from this reporter for this kind of period."""
    if not covers(data_set, reporter.region, reporter.unit) or period.kind != data_set.period_type:
        raise Http404


def _thresholds(indicator) -> outliers.Thresholds:
    """The indicator's own outlier thresholds (its rule comes with it, see ``_indicators``), or the default."""
    return outliers.thresholds_of(indicator.outlier_rule) if hasattr(indicator, "outlier_rule") else outliers.DEFAULT


def _indicators(data_set: DataSet, indicator_id: int | None) -> list:
    indicators = data_set.indicators.all()
    if indicator_id is not None:
        indicators = indicators.filter(pk=indicator_id)
    # each indicator's own outlier thresholds come with it (a join, not a query of their own on every cell save)
    return list(indicators.select_related("outlier_rule").order_by("sort", "code"))


def submission_of(data_set: DataSet, period: Period, reporter: Reporter) -> Submission | None:
    return Submission.objects.filter(data_set=data_set, period_id=period.id, region=reporter.region,
                                     unit=reporter.unit).first()


def cell(scope: Scope, data_set: DataSet, period: Period, reporter: Reporter, indicator_id: int, *,
         today: date) -> Cell:
    for c in grid(scope, data_set, period, reporter, today=today, indicator_id=indicator_id).cells:
        return c
    raise Http404


def cell_to_save(scope: Scope, data_set: DataSet, period: Period, reporter: Reporter, indicator_id: int) -> Cell:
    """A cell about to be saved: ``grid``'s checks that need no figures (the data set collects from this reporter
    for this kind of period, the user sees its drafts) and the indicator with its outlier thresholds.

    The return and the figure are left to the write, which reads them once, under its lock; if it refuses, the
    view reads the whole cell (``cell``) to show the refusal beside what is stored.
    """
    _require_collected(data_set, period, reporter)
    if not sees_drafts(scope, reporter):
        raise Http404
    indicators = held(("grid_indicators", data_set.pk, indicator_id), lambda: _indicators(data_set, indicator_id))
    if not indicators:
        raise Http404
    return Cell(indicator=indicators[0], row=None, last_year=None, editable=True,
                thresholds=_thresholds(indicators[0]))


def cell_after_save(cell: Cell, row: IndicatorValue | None, period: Period, reporter: Reporter) -> Cell:
    """``cell`` with ``row``, the figure as a successful save stored it (or the stored one, unchanged), and the
    flags that compare it with the reporter's earlier years (one statement, after the write's transaction)."""
    if row is not None and row.pk is None:  # an empty cell left empty: nothing is stored
        row = None
    earlier = outliers.history([cell.indicator.pk], region=reporter.region, unit=reporter.unit,
                               period=period).get(cell.indicator.pk, {})
    flags = [] if row is None else outliers.flags_for(row.value, earlier, period, cell.thresholds)
    return replace(cell, row=row, flags=flags, earlier=earlier, last_year=earlier.get(period.previous_year().id),
                   saved=True, error="", posted=None, needs_explanation=False)


def value_history(scope: Scope, reporter: Reporter, indicator, period: Period) -> tuple:
    row = IndicatorValue.objects.filter(indicator=indicator, region=reporter.region, unit=reporter.unit,
                                        period_id=period.id).first()
    if row is None:
        return None, []
    events = AuditEvent.objects.filter(object_type="collection.indicatorvalue", object_id=str(row.pk)) \
        .select_related("actor").order_by("-at", "-id")
    return row, list(events)


# -- activities and narratives ---------------------------------------------------------------------------------------


def _approved_activity_q() -> Q:
    """Activities whose organiser's return covering the start date is approved (what a viewer may read)."""
    from django.db.models import Exists, OuterRef
    return Q(Exists(Submission.objects.filter(unit=OuterRef("unit"), status__in=LOCKED_STATUSES,
                                              period_start__lte=OuterRef("start_date"),
                                              period_end__gte=OuterRef("start_date"))))


def activities(scope: Scope, *, year: int | None = None, unit_id: int | None = None):
    qs = Activity.objects.select_related("unit", "region").filter(scope.unit_q("unit__"))
    if not sees_drafts(scope, None):
        qs = qs.filter(_approved_activity_q())
    if unit_id:
        qs = qs.filter(unit_id=unit_id)
    if year:
        qs = qs.filter(start_date__year=year)
    return qs.order_by("-start_date", "-id")


def activity_get(scope: Scope, pk: int) -> Activity:
    activity = activities(scope).filter(pk=pk).prefetch_related("attachments").first()
    if activity is None:
        raise Http404
    return activity


def attachment_get(scope: Scope, pk: int) -> ActivityAttachment:
    """An attachment of an activity the scope may see; 404 otherwise (as for the activity itself)."""
    attachment = ActivityAttachment.objects.select_related("activity").filter(
        pk=pk, activity__in=activities(scope).values("pk")).first()
    if attachment is None:
        raise Http404("没有该附件，或无权查看")
    return attachment


def activity_history(scope: Scope, activity: Activity) -> list[tuple]:
    """[(event, [(field label, old, new), …])] newest first, with Chinese labels and choice names."""
    labels = {f.name: f.verbose_name for f in Activity._meta.get_fields() if hasattr(f, "verbose_name")}
    labels["attachment"] = "附件"
    choices = {"kind": dict(ActivityKind.choices), "population": dict(Population.choices)}
    rows = []
    for event in AuditEvent.objects.filter(object_type="collection.activity", object_id=str(activity.pk)) \
            .select_related("actor").order_by("-at", "-id"):
        changes = []
        for name, (old, new) in event.changes.items():
            if old in (None, "") and new in (None, ""):
                continue
            names = choices.get(name, {})
            changes.append((labels.get(name, name), names.get(old, old), names.get(new, new)))
        rows.append((event, changes))
    return rows


def tasks_for(scope: Scope, reporter: Reporter, year: int) -> list[Task]:
    """The tasks a unit leads or shares (or every task of its region's plans) for the year."""
    plans_q = Q(plan__region__path__in=[*reporter.region.ancestor_paths, reporter.region.path]) & covering_year(
        year, "plan__")  # the plans in force that year: the rule every list of tasks follows
    qs = Task.objects.filter(plans_q).select_related("plan")
    if reporter.unit is not None:
        qs = qs.filter(Q(units=reporter.unit) | Q(all_members_responsible=True, plan__region=reporter.region))
    return list(qs.distinct().order_by("plan__region__path", "plan_id", "sort", "id"))


def narrative_lock(reporter: Reporter, period: Period) -> str:
    """Why the reporter's narratives of the period cannot be changed (a return submitted or approved), or ""."""
    blocked = (Submission.objects.filter(region=reporter.region, unit=reporter.unit, period_id=period.id,
                                         status__in={*LOCKED_STATUSES, SubmissionStatus.SUBMITTED})
               .order_by("pk").first())
    if blocked is None:
        return ""
    return (f"{period.label}的填报为“{blocked.get_status_display()}”，工作情况不可修改。"
            f"{reopen_hint(blocked.status, reporter.region, reporter.unit)}")


def narratives(scope: Scope, reporter: Reporter, period: Period) -> dict[int, Narrative]:
    if not sees_drafts(scope, reporter) and not Submission.objects.filter(
            region=reporter.region, unit=reporter.unit, period_id=period.id, status__in=LOCKED_STATUSES).exists():
        raise Http404
    return {n.task_id: n for n in Narrative.objects.filter(region=reporter.region, unit=reporter.unit,
                                                           period_id=period.id)}


# -- review, completeness, violations ---------------------------------------------------------------------------------


def review_queue(scope: Scope):
    """Returns this office reviews: its units' returns and its child regions' (and deeper) returns."""
    if not (scope.is_admin or scope.is_office):
        return Submission.objects.none()
    qs = Submission.objects.select_related("data_set", "region", "unit").exclude(status=SubmissionStatus.EMPTY)
    if not scope.is_admin:
        qs = qs.filter(scope.region_q("region__")).exclude(region_id=scope.region_id, unit__isnull=True)
    return qs.order_by("status", "-submitted_at", "region__path")


def lock_hint(sub: Submission) -> str:
    """Who may open this return again, and how (empty while it can be edited)."""
    return reopen_hint(sub.status, sub.region, sub.unit)


def submission_figures(scope: Scope, sub: Submission, violations: list) -> list:
    """The return's figures beside last year's, each with its outlier flags and the rule violations naming it.

    ``sub`` comes from ``submission_get`` (the scope check); ``violations`` from the rule check already run.
    """
    rows = outliers.figures(sub.data_set.indicators.all().order_by("sort", "code"), region=sub.region,
                            unit=sub.unit, period=Period.parse(sub.period_id))
    for row in rows:
        row.violations = [v for v in violations if row.indicator.code in v.codes]
    return rows


def submission_get(scope: Scope, pk: int) -> Submission:
    sub = Submission.objects.select_related("data_set", "region", "unit").filter(pk=pk).first()
    if sub is None:
        raise Http404
    if scope.is_filler and sub.unit_id != scope.unit_id:
        raise Http404
    if not sees_drafts(scope, None) and sub.status not in LOCKED_STATUSES:
        raise Http404
    if not scope.is_admin and not scope.is_filler:
        reviewer = reviewer_region(sub.region, sub.unit)
        if not (scope.sees_region(sub.region) or (reviewer is not None and scope.sees_region(reviewer))):
            raise Http404
    return sub


def can_review(scope: Scope, sub: Submission) -> bool:
    if scope.is_admin:
        return True
    reviewer = reviewer_region(sub.region, sub.unit)
    if not scope.is_office or reviewer is None or not scope.sees_region(reviewer):
        return False
    return not (sub.unit is None and scope.region_id == sub.region_id)


@dataclass
class CompletenessRow:
    reporter: Reporter
    submission: Submission | None
    on_time: bool | None

    @property
    def status(self) -> str:
        return self.submission.status if self.submission else SubmissionStatus.EMPTY

    @property
    def status_label(self) -> str:
        return SubmissionStatus(self.status).label

    @property
    def is_missing(self) -> bool:
        return self.status in EDITABLE_STATUSES


@dataclass
class Completeness:
    data_set: DataSet
    period: Period
    due: date
    rows: list

    @property
    def expected(self) -> int:
        return len(self.rows)

    @property
    def submitted(self) -> int:
        return sum(1 for r in self.rows if not r.is_missing)

    @property
    def on_time(self) -> int:
        return sum(1 for r in self.rows if r.on_time)

    @property
    def missing(self) -> list:
        return [r for r in self.rows if r.is_missing]

    @property
    def rate(self) -> int:
        return round(100 * self.submitted / self.expected) if self.expected else 0


def completeness(scope: Scope, data_set: DataSet, period: Period, root: Region | None = None) -> Completeness:
    """Which reporters under ``root`` have submitted, on time or late, and who is still missing (催报)."""
    if root is None:
        root = Region.objects.get(pk=scope.region_id) if scope.region_id else data_set.region
    if not (scope.is_admin or scope.sees_region(root)) or scope.is_filler:
        raise Http404
    due = window(data_set, period).due
    subs = {(s.region_id, s.unit_id): s for s in Submission.objects.filter(
        data_set=data_set, period_id=period.id, region__path__startswith=root.path).select_related("submitted_by")}
    rows = []
    for reporter in all_reporters(data_set, root):
        if reporter.unit is None and reporter.region.pk == scope.region_id and not scope.is_admin:
            continue  # an office's own total is not part of what it chases
        sub = subs.get(reporter.key)
        on_time = None
        if sub and sub.submitted_at and sub.status not in EDITABLE_STATUSES:
            on_time = sub.submitted_at.date() <= due
        rows.append(CompletenessRow(reporter, sub, on_time))
    return Completeness(data_set, period, due, rows)


def contacts_for(reporters: list[Reporter]) -> dict:
    """{reporter key: "张三 138…"} from the units' liaison contacts, for the 催报 list."""
    from kesu.orgs.models import ContactPerson
    unit_ids = [r.unit.pk for r in reporters if r.unit]
    found = {}
    for c in ContactPerson.objects.filter(unit_id__in=unit_ids).order_by("-is_liaison", "id"):
        found.setdefault(c.unit_id, f"{c.name} {c.phone}".strip())
    return {r.key: found.get(r.unit.pk, "") if r.unit else "" for r in reporters}


@dataclass
class ViolationRow:
    reporter: Reporter
    violation: validation.Violation
    submission: Submission | None


def violations(scope: Scope, data_set: DataSet, period: Period, root: Region | None = None) -> list[ViolationRow]:
    """Run the rules in batch over every reporter under ``root`` (or the filler's own unit)."""
    if scope.is_filler:
        targets = [own_reporter(scope)]
    else:
        root = root or (Region.objects.get(pk=scope.region_id) if scope.region_id else data_set.region)
        if not (scope.is_admin or scope.sees_region(root)):
            raise Http404
        targets = all_reporters(data_set, root)
    codes = set(data_set.indicators.values_list("code", flat=True))
    subs = {(s.region_id, s.unit_id): s for s in Submission.objects.filter(data_set=data_set, period_id=period.id)}
    rows, rules_cache = [], {}
    for reporter in targets:
        if reporter.region.pk not in rules_cache:
            rules_cache[reporter.region.pk] = [r for r in validation.applicable_rules(reporter.region)
                                               if codes.intersection(validation.rule_codes(r))]
        for v in validation.check(region=reporter.region, unit=reporter.unit, period=period,
                                  rules=rules_cache[reporter.region.pk]):
            rows.append(ViolationRow(reporter, v, subs.get(reporter.key)))
    return rows


# -- notices ---------------------------------------------------------------------------------------------------------


@dataclass
class Notice:
    level: str  # bootstrap colour: danger, warning, info
    text: str
    url: str = ""


def notices_for_user(user, *, today: date | None = None) -> list[Notice]:
    """What a filler (or a region office, for its own return) should act on: returned, overdue, due soon."""
    from django.urls import reverse

    today = today or clock.today()
    try:
        scope = Scope.for_user(user)
    except PermissionDenied:  # a user without unit/region simply has no notices
        return []
    notices = []
    for row in home_rows(scope, today=today):
        url = reverse("collection:grid", args=[row.data_set.pk, row.period.id, row.reporter.region.pk,
                                               row.reporter.unit.pk if row.reporter.unit else 0])
        name = f"“{row.data_set.name}”（{row.period.label}）"
        if row.status == SubmissionStatus.RETURNED:
            notices.append(Notice("danger", f"{name}被退回：{row.submission.return_reason}", url))
        elif row.status in EDITABLE_STATUSES and row.is_open:
            days = (row.due - today).days
            if days < 0:
                notices.append(Notice("danger", f"{name}已逾期 {-days} 天，尚未提交，请尽快填报。", url))
            elif days <= 7:
                notices.append(Notice("warning", f"{name}将于 {row.due:%m月%d日} 截止（还有 {days} 天），"
                                                 f"尚缺 {row.missing} 项。", url))
    return notices


def window_of(sub: Submission):
    return window(sub.data_set, Period.parse(sub.period_id))


def rules_for(scope: Scope) -> list:
    """Built-in rules and the local rules of the scope's region and its ancestors."""
    from .models import ValidationRule
    qs = ValidationRule.objects.select_related("region", "indicator").order_by("region__path", "code")
    if scope.is_admin or not scope.region_path:
        return list(qs)
    region = Region.objects.get(pk=scope.region_id)
    return list(qs.filter(Q(region__isnull=True) | Q(region__path__in=[*region.ancestor_paths, region.path])))


def outlier_settings(scope: Scope) -> dict:
    """The outlier thresholds the rules page shows: the built-in defaults, the indicators (visible to the scope)
    that carry their own, and the indicators this user may tune (all for the administrator, the office's own local
    indicators for an office)."""
    from kesu.plans.selectors import indicators_for_scope

    from .models import OutlierRule

    visible = indicators_for_scope(scope)
    ids = {i.pk for i in visible}
    rules = [r for r in OutlierRule.objects.select_related("indicator").order_by("indicator__sort", "indicator__code")
             if r.indicator_id in ids]
    tunable = visible if scope.is_admin else [
        i for i in visible if scope.is_office and i.region is not None and scope.manages_region(i.region)]
    return {"default": outliers.DEFAULT, "rules": rules, "tunable": tunable}
def counted_statuses(include_submitted: bool) -> set:
    """The statuses of returns whose figures count: approved (and accepted), plus submitted when asked."""
    return set(LOCKED_STATUSES) | ({SubmissionStatus.SUBMITTED} if include_submitted else set())


def approval_keys(root: Region, period_ids, indicator_ids, include_submitted) -> dict[tuple, bool]:
    """{(region, unit, period, indicator): approved?} for the returns of ``root``'s subtree that make values count."""
    subs = list(Submission.objects.filter(region__path__startswith=root.path, period_id__in=period_ids,
                                          status__in=counted_statuses(include_submitted))
                .values_list("region_id", "unit_id", "period_id", "data_set_id", "status"))
    if not subs:
        return {}
    ds_inds = defaultdict(list)
    for ds_id, ind_id in DataSet.indicators.through.objects.filter(
            dataset_id__in={s[3] for s in subs}, indicator_id__in=indicator_ids).values_list("dataset_id",
                                                                                             "indicator_id"):
        ds_inds[ds_id].append(ind_id)
    keys: dict[tuple, bool] = {}
    for r, u, p, ds, status in subs:
        approved = status in LOCKED_STATUSES
        for i in ds_inds[ds]:
            key = (r, u, p, i)
            keys[key] = keys.get(key, False) or approved
    return keys

