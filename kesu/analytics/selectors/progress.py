"""Target progress: actual vs target per indicator × region × year, the time-prorated expectation, a status and a
projected year-end; per task, progress across its indicators."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from kesu.accounts.scope import Scope
from kesu.core import clock
from kesu.plans.models import Plan as WorkPlan
from kesu.plans.models import Target, Task

from .explore import analysis_root
from .figures import EMPTY, Plan, figures

DONE, ON_TRACK, LAGGING, SEVERE, MISSING = "已完成", "正常", "滞后", "严重滞后", "未填报"
NOT_MET = "未完成"  # the year is over and the figure stayed under its target
STATUS_ORDER = [NOT_MET, SEVERE, MISSING, LAGGING, ON_TRACK, DONE]  # worst first
ON_TRACK_AT = Decimal("0.9")  # actual ≥ 90 % of the prorated expectation: 正常
LAGGING_AT = Decimal("0.6")  # ≥ 60 %: 滞后; below: 严重滞后
STATUS_CLASS = {DONE: "success", ON_TRACK: "primary", LAGGING: "warning", SEVERE: "danger", MISSING: "secondary",
                NOT_MET: "danger"}


def elapsed_fraction(year: int, on: date) -> Decimal:
    """How much of ``year`` has passed on ``on`` (1 for past years, 0 for future ones)."""
    if year < on.year:
        return Decimal(1)
    if year > on.year:
        return Decimal(0)
    days = (date(year, 12, 31) - date(year, 1, 1)).days + 1
    return Decimal((on - date(year, 1, 1)).days + 1) / Decimal(days)


@dataclass
class Progress:
    indicator: object
    region: object
    year: int
    target: Decimal
    actual: Decimal | None
    baseline: Decimal | None
    fraction: Decimal
    unapproved: bool = False

    @property
    def is_flow(self) -> bool:
        return self.indicator.time_aggregation == "sum" and not self.indicator.is_ratio

    @property
    def expected(self) -> Decimal:
        """Where the figure should be by now: flows pro rata, stocks and ratios on the line from last year."""
        if self.is_flow or self.baseline is None:
            return self.target * self.fraction
        return self.baseline + (self.target - self.baseline) * self.fraction

    @property
    def completion(self) -> Decimal | None:
        if self.actual is None or not self.target:
            return None
        return self.actual / self.target * 100

    @property
    def projected(self) -> Decimal | None:
        if self.actual is None or not self.fraction:
            return None
        if self.is_flow:
            return self.actual / self.fraction
        if self.baseline is None:
            return self.actual
        return self.baseline + (self.actual - self.baseline) / self.fraction

    @property
    def status(self) -> str:
        if self.actual is None:
            return MISSING
        if self.actual >= self.target:
            return DONE
        if self.fraction >= 1:  # nothing is left of the year to catch up in
            return NOT_MET
        expected = self.expected
        if expected <= 0 or self.actual >= expected * ON_TRACK_AT:
            return ON_TRACK
        return LAGGING if self.actual >= expected * LAGGING_AT else SEVERE

    @property
    def status_class(self) -> str:
        return STATUS_CLASS[self.status]


def target_progress(scope: Scope, *, region=None, year: int, plan: WorkPlan | None = None, on: date | None = None,
                    include_submitted: bool = False) -> list[Progress]:
    root = analysis_root(scope, region)
    on = on or clock.today()
    targets = Target.objects.filter(region=root, year=year).select_related("indicator").order_by("indicator__sort")
    if plan is not None:
        targets = targets.filter(plan=plan)
    targets = list(targets)
    if not targets:
        return []
    indicators = list({t.indicator_id: t.indicator for t in targets}.values())
    pids = [str(year), str(year - 1)]
    figs = figures(Plan.for_indicators(indicators), root, [root], pids, include_submitted=include_submitted)
    fraction = elapsed_fraction(year, on)
    out, seen = [], set()
    for t in targets:
        if t.indicator_id in seen:
            continue
        seen.add(t.indicator_id)
        now = figs.get((t.indicator_id, root.pk, str(year)), EMPTY)
        before = figs.get((t.indicator_id, root.pk, str(year - 1)), EMPTY)
        out.append(Progress(t.indicator, root, year, t.value, now.value, before.value, fraction, now.unapproved))
    return out


@dataclass
class TaskProgress:
    task: Task
    items: list = field(default_factory=list)  # Progress rows of the task's indicators with a target

    @property
    def percent(self) -> Decimal | None:
        """Mean completion over the task's targeted indicators, each capped at 100 %."""
        done = [min(p.completion, Decimal(100)) for p in self.items if p.completion is not None]
        return sum(done) / len(self.items) if self.items and done else None

    @property
    def status(self) -> str:
        if not self.items:
            return "无目标"
        return min((p.status for p in self.items), key=STATUS_ORDER.index)

    @property
    def status_class(self) -> str:
        return STATUS_CLASS.get(self.status, "light")

    @property
    def is_lagging(self) -> bool:
        return self.status in (LAGGING, SEVERE, MISSING, NOT_MET)


def current_plan(root, year: int) -> WorkPlan | None:
    return (WorkPlan.objects.filter(region=root, start_year__lte=year, end_year__gte=year)
            .order_by("kind", "-start_year").first())


def task_progress(scope: Scope, *, plan: WorkPlan, year: int, on: date | None = None) -> list[TaskProgress]:
    by_indicator = {p.indicator.pk: p for p in target_progress(scope, region=plan.region, year=year, plan=plan, on=on)}
    out = []
    for task in plan.tasks.prefetch_related("indicators").order_by("sort", "id"):
        out.append(TaskProgress(task, [by_indicator[i.pk] for i in task.indicators.all() if i.pk in by_indicator]))
    return out
