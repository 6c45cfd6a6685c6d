"""The plans app's REST routes: frameworks, the indicator catalogue, plans with their tasks and targets — each
filtered to what the caller's area may read (its subtree, and the plans and catalogues of the regions above)."""

from ninja import Router, Schema

from kesu.accounts.api_auth import scope_of
from kesu.core.api import Id

from .models import Target, Task
from .selectors import frameworks_for_scope, indicators_for_scope, plan_detail, plans_for_scope

router = Router()


class IndicatorOut(Schema):
    code: str
    name: str
    unit: str
    category: str
    value_type: str
    region_aggregation: str
    time_aggregation: str
    numerator: list
    denominator: list
    factor: float


class FrameworkOut(Schema):
    code: str
    name: str
    start_year: int
    end_year: int
    region: str | None


class PlanOut(Schema):
    id: int
    title: str
    kind: str
    region: str
    framework: str
    start_year: int
    end_year: int


class TaskOut(Schema):
    id: int
    plan: int
    number: str
    title: str
    item: str | None
    due_period: str
    indicators: list[str]
    lead_units: list[int]
    responsible_units: list[int]


class TargetOut(Schema):
    plan: int
    indicator: str
    region: str
    year: int
    value: float


@router.get("/frameworks", response=list[FrameworkOut], summary="纲要框架",
            operation_id="kesu_analytics_api_meta_frameworks")
def frameworks(request):
    qs = frameworks_for_scope(scope_of(request))
    return [FrameworkOut(code=f.code, name=f.name, start_year=f.start_year, end_year=f.end_year,
                         region=f.region.code if f.region else None) for f in qs]


@router.get("/indicators", response=list[IndicatorOut], summary="指标目录",
            operation_id="kesu_analytics_api_meta_indicators")
def indicators(request):
    qs = indicators_for_scope(scope_of(request))
    return [IndicatorOut(code=i.code, name=i.name, unit=i.unit, category=i.category, value_type=i.value_type,
                         region_aggregation=i.region_aggregation, time_aggregation=i.time_aggregation,
                         numerator=i.numerator, denominator=i.denominator, factor=float(i.factor)) for i in qs]


@router.get("/plans", response=list[PlanOut], summary="规划方案", operation_id="kesu_analytics_api_meta_plans")
def plans(request):
    scope = scope_of(request)
    qs = plans_for_scope(scope)  # the plans pages' list: a 填报员 sees its own region's plans only
    return [PlanOut(id=p.pk, title=p.title, kind=p.kind, region=p.region.code, framework=p.framework.code,
                    start_year=p.start_year, end_year=p.end_year) for p in qs]


@router.get("/plans/{plan_id}/tasks", response=list[TaskOut], summary="任务",
            operation_id="kesu_analytics_api_meta_tasks")
def tasks(request, plan_id: Id):
    plan = plan_detail(scope_of(request), plan_id)
    qs = (Task.objects.filter(plan=plan).select_related("item").prefetch_related("indicators", "task_units")
          .order_by("sort", "id"))
    return [TaskOut(id=t.pk, plan=plan.pk, number=t.number, title=t.title, item=t.item.code if t.item else None,
                    due_period=t.due_period, indicators=[i.code for i in t.indicators.all()],
                    lead_units=[tu.unit_id for tu in t.task_units.all() if tu.role == "lead"],
                    responsible_units=[tu.unit_id for tu in t.task_units.all() if tu.role != "lead"]) for t in qs]


@router.get("/plans/{plan_id}/targets", response=list[TargetOut], summary="目标值",
            operation_id="kesu_analytics_api_meta_targets")
def targets(request, plan_id: Id):
    plan = plan_detail(scope_of(request), plan_id)
    qs = Target.objects.filter(plan=plan).select_related("indicator", "region")
    return [TargetOut(plan=plan.pk, indicator=t.indicator.code, region=t.region.code, year=t.year,
                      value=float(t.value)) for t in qs]
