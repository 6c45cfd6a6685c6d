"""Metadata: regions, units, frameworks, indicators, plans, tasks, targets — each filtered to the caller's scope."""

from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from kesu.orgs.models import Unit
from kesu.plans.models import Plan, Target, Task
from kesu.plans.selectors import frameworks_for_scope, indicators_for_scope
from kesu.regions.models import Region

from .common import Id, Limit, Offset, page, scope_of

router = Router()


class RegionOut(Schema):
    code: str
    name: str
    level: int
    parent: str | None
    path: str
    population_10k: float | None


class UnitOut(Schema):
    id: int
    name: str
    short_name: str
    kind: str
    region: str
    valid_to: str | None


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


@router.get("/regions", response=list[RegionOut], summary="行政区域（本辖区）")
def regions(request, parent: str | None = None, limit: Limit = 500, offset: Offset = 0):
    scope = scope_of(request)
    qs = scope.regions(Region.objects.select_related("parent").order_by("path"))
    if parent:
        qs = qs.filter(parent__code=parent)
    return [RegionOut(code=r.code, name=r.name, level=r.level, parent=r.parent.code if r.parent else None,
                      path=r.path, population_10k=float(r.population_10k) if r.population_10k is not None else None)
            for r in page(qs, limit, offset)]


@router.get("/units", response=list[UnitOut], summary="成员单位（本辖区）")
def units(request, region: str | None = None, limit: Limit = 500, offset: Offset = 0):
    scope = scope_of(request)
    qs = Unit.objects.filter(scope.unit_q()).select_related("region").order_by("region__path", "sort", "id")
    if region:
        qs = qs.filter(region__code=region)
    return [UnitOut(id=u.pk, name=u.name, short_name=u.short_name, kind=u.kind, region=u.region.code,
                    valid_to=u.valid_to.isoformat() if u.valid_to else None) for u in page(qs, limit, offset)]


@router.get("/frameworks", response=list[FrameworkOut], summary="纲要框架")
def frameworks(request):
    qs = frameworks_for_scope(scope_of(request))
    return [FrameworkOut(code=f.code, name=f.name, start_year=f.start_year, end_year=f.end_year,
                         region=f.region.code if f.region else None) for f in qs]


@router.get("/indicators", response=list[IndicatorOut], summary="指标目录")
def indicators(request):
    qs = indicators_for_scope(scope_of(request))
    return [IndicatorOut(code=i.code, name=i.name, unit=i.unit, category=i.category, value_type=i.value_type,
                         region_aggregation=i.region_aggregation, time_aggregation=i.time_aggregation,
                         numerator=i.numerator, denominator=i.denominator, factor=float(i.factor)) for i in qs]


@router.get("/plans", response=list[PlanOut], summary="规划方案")
def plans(request):
    scope = scope_of(request)
    qs = Plan.objects.filter(scope.region_or_ancestor_q("region__")).select_related("region", "framework")
    return [PlanOut(id=p.pk, title=p.title, kind=p.kind, region=p.region.code, framework=p.framework.code,
                    start_year=p.start_year, end_year=p.end_year) for p in qs]


def _plan(scope, pk) -> Plan:
    return get_object_or_404(Plan.objects.filter(scope.region_or_ancestor_q("region__")), pk=pk)


@router.get("/plans/{plan_id}/tasks", response=list[TaskOut], summary="任务")
def tasks(request, plan_id: Id):
    plan = _plan(scope_of(request), plan_id)
    qs = (Task.objects.filter(plan=plan).select_related("item").prefetch_related("indicators", "task_units")
          .order_by("sort", "id"))
    return [TaskOut(id=t.pk, plan=plan.pk, number=t.number, title=t.title, item=t.item.code if t.item else None,
                    due_period=t.due_period, indicators=[i.code for i in t.indicators.all()],
                    lead_units=[tu.unit_id for tu in t.task_units.all() if tu.role == "lead"],
                    responsible_units=[tu.unit_id for tu in t.task_units.all() if tu.role != "lead"]) for t in qs]


@router.get("/plans/{plan_id}/targets", response=list[TargetOut], summary="目标值")
def targets(request, plan_id: Id):
    plan = _plan(scope_of(request), plan_id)
    qs = Target.objects.filter(plan=plan).select_related("indicator", "region")
    return [TargetOut(plan=plan.pk, indicator=t.indicator.code, region=t.region.code, year=t.year,
                      value=float(t.value)) for t in qs]
