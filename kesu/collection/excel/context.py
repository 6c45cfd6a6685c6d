"""What a template and an import need to know about one reporter and period: its indicators, tasks, places and
the choice lists. Built once per download/upload so that the drop-downs and the checks use the same lists."""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models import Q

from kesu.accounts.scope import Scope
from kesu.core.periods import Period
from kesu.orgs.models import Unit
from kesu.plans.models import Indicator, Task
from kesu.regions.models import Region

from ..computed import activities_registered, activity_fed_ids
from ..models import Activity, ActivityKind, IndicatorValue, Population
from ..reporting import data_sets_for


@dataclass
class Reporter:
    """Who reports: a member unit (``unit`` set) or a region's own return."""

    region: Region
    unit: Unit | None
    period: Period

    @property
    def name(self) -> str:
        return self.unit.name if self.unit else f"{self.region.name}（本级）"

    @property
    def mark(self) -> str:
        """The template mark written on the guide sheet and compared on upload."""
        return f"kesu|{self.region.code}|{self.unit.pk if self.unit else 0}|{self.period.id}"


def resolve_reporter(scope: Scope, *, region_id: int, unit_id: int, period_id: str) -> Reporter:
    """The reporter of a URL, refused unless the scope may write for it (a filler: own unit; an office: subtree)."""
    period = Period.parse(period_id)
    region = Region.objects.filter(pk=region_id).first()
    unit = Unit.objects.select_related("region").filter(pk=unit_id).first() if unit_id else None
    if region is None or (unit_id and (unit is None or unit.region_id != region.pk)):
        raise PermissionDenied
    if scope.is_filler:
        if unit is None or unit.pk != scope.unit_id:
            raise PermissionDenied
    elif not scope.is_admin and not (scope.is_office and scope.sees_region(region)):
        raise PermissionDenied
    return Reporter(region=region, unit=unit, period=period)


def task_label(task: Task) -> str:
    return f"{task.number} {task.title}".strip()[:120]


@dataclass
class Lists:
    kinds: dict[str, str] = field(default_factory=dict)  # label → value
    populations: dict[str, str] = field(default_factory=dict)
    regions: dict[str, Region] = field(default_factory=dict)  # label → region
    tasks: dict[str, Task] = field(default_factory=dict)  # label → task


@dataclass
class Context:
    reporter: Reporter
    indicators: list[Indicator]
    previous: dict[int, object]  # indicator id → last year's value
    current: dict[int, IndicatorValue]
    lists: Lists
    task_numbers: dict[str, Task]
    history: bool = False  # the file loads a year kesu never collected (the office's history door)
    summed: dict[str, Indicator] = field(default_factory=dict)  # code → indicator summed from activities, left out


def _indicators(reporter: Reporter, *, history: bool) -> tuple[list[Indicator], dict[str, Indicator]]:
    """(indicators the reporter fills, {code: indicator} of its indicators summed from activities and left out).

    Those of its data sets and of its tasks; one summed from activities is counted, not typed — except as history
    of a year without registered activities (the year's own figure, as ``figures_write`` takes it at every door)."""
    data_sets = data_sets_for(reporter.region, reporter.unit, period_type=reporter.period.kind)
    ids = set(Indicator.objects.filter(data_sets__in=data_sets).values_list("id", flat=True))
    ids |= set(Indicator.objects.filter(tasks__in=_tasks(reporter)).values_list("id", flat=True))
    summed = ids & activity_fed_ids()
    if summed and history and not activities_registered(region=reporter.region, unit=reporter.unit,
                                                        period=reporter.period):
        summed = set()
    rows = list(Indicator.objects.filter(id__in=ids).order_by("sort", "code"))
    return [i for i in rows if i.pk not in summed], {i.code: i for i in rows if i.pk in summed}


def _tasks(reporter: Reporter):
    year = reporter.period.year
    region = reporter.unit.region if reporter.unit else reporter.region
    paths = [*region.ancestor_paths, region.path]
    qs = Task.objects.filter(plan__start_year__lte=year, plan__end_year__gte=year)
    if reporter.unit is not None:
        qs = qs.filter(Q(task_units__unit=reporter.unit)
                       | Q(all_members_responsible=True, plan__region__path__in=paths))
    else:
        qs = qs.filter(plan__region=reporter.region)
    return qs.distinct().order_by("plan_id", "sort", "id")


def _linked_tasks(reporter: Reporter, *, known: set[int]) -> list[Task]:
    """Tasks the period's activities are already linked to but that the plan rule no longer offers (a task of an
    earlier plan, or one the unit no longer shares): the pre-filled rows name them, so the upload must accept them,
    or a template uploaded unchanged would be refused."""
    ids = set(period_activities(reporter).exclude(task=None).values_list("task_id", flat=True)) - known
    return list(Task.objects.filter(pk__in=ids).order_by("plan_id", "sort", "id"))


def _regions(reporter: Reporter) -> dict[str, Region]:
    """Places an activity may be held: the reporter's region and the regions below it, by an unambiguous name."""
    rows = list(Region.objects.filter(path__startswith=reporter.region.path).select_related("parent")
                .order_by("path")[:3000])
    counts: dict[str, int] = {}
    for r in rows:
        counts[r.name] = counts.get(r.name, 0) + 1
    labels = {}
    for r in rows:
        label = r.name if counts[r.name] == 1 or r.parent is None else f"{r.parent.name}{r.name}"
        labels[label] = r
    return labels


def build_context(reporter: Reporter, *, history: bool = False) -> Context:
    indicators, summed = _indicators(reporter, history=history)
    ids = [i.pk for i in indicators]
    rows = IndicatorValue.objects.filter(indicator_id__in=ids, region=reporter.region, unit=reporter.unit)
    previous = dict(rows.filter(period_id=reporter.period.previous_year().id).values_list("indicator_id", "value"))
    current = {r.indicator_id: r for r in rows.filter(period_id=reporter.period.id)}
    tasks = list(_tasks(reporter))
    tasks += _linked_tasks(reporter, known={t.pk for t in tasks})
    lists = Lists(
        kinds={label: value for value, label in ActivityKind.choices},
        populations={label: value for value, label in Population.choices},
        regions=_regions(reporter),
        tasks={task_label(t): t for t in tasks},
    )
    numbers: dict[str, Task] = {}
    for t in tasks:
        if t.number:
            numbers[t.number] = None if t.number in numbers else t  # an ambiguous number matches nothing
    return Context(reporter=reporter, indicators=indicators, previous=previous, current=current, lists=lists,
                   task_numbers={k: v for k, v in numbers.items() if v is not None}, history=history, summed=summed)


def period_activities(reporter: Reporter):
    """The unit's activities starting within the period (pre-filled in the template so a round trip is a no-op)."""
    if reporter.unit is None:
        return Activity.objects.none()
    return (Activity.objects.filter(unit=reporter.unit, start_date__gte=reporter.period.start,
                                    start_date__lte=reporter.period.end)
            .select_related("region", "task").order_by("start_date", "id"))
