"""Figures, activities and narratives. Reads are scoped; writes go through the collection services (the same
validation, locks and audit as the forms)."""

from datetime import date

from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from kesu.accounts.api_auth import scope_of
from kesu.core.api import Amount, Count, Id, Limit, Offset, PeriodId, Version, Year, page
from kesu.core.exceptions import ApplicationError
from kesu.core.periods import Period
from kesu.orgs.models import Unit
from kesu.plans.models import Task
from kesu.regions.models import Region

from .. import services as collection
from ..models import Activity, IndicatorValue, Narrative
from ..selectors import approval_keys, reporter_get

router = Router()


class ValueOut(Schema):
    indicator: str
    region: str
    unit: int | None
    period: str
    value: float | None
    explanation: str
    version: int
    approved: bool


class ValueIn(Schema):
    indicator: str
    region: str
    unit: Id | None = None
    period: PeriodId
    value: float | str | None
    explanation: str | None = None
    expected_version: Version | None = None
    reason: str = ""


def _region(code: str) -> Region:
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise ApplicationError(f"区域编码“{code}”不存在。", field="region")
    return region


def _reporter(scope, region_code: str, unit_id: int | None):
    region = _region(region_code)
    return reporter_get(scope, region.pk, unit_id)


def _value_rows(scope, qs, root: Region):
    """Value rows visible to ``scope`` with their approval flag; viewers see approved figures only."""
    rows = list(qs.select_related("indicator", "region")[:5000])
    keys = approval_keys(root, {r.period_id for r in rows}, {r.indicator_id for r in rows}, include_submitted=False)
    out = []
    for r in rows:
        approved = bool(keys.get((r.region_id, r.unit_id, r.period_id, r.indicator_id)))
        if not approved and not (scope.is_admin or scope.is_office or scope.is_filler):
            continue
        out.append(ValueOut(indicator=r.indicator.code, region=r.region.code, unit=r.unit_id, period=r.period_id,
                            value=float(r.value) if r.value is not None else None, explanation=r.explanation,
                            version=r.version, approved=approved))
    return out


def scoped_values(scope, *, region: str | None, period: str | None, indicator: str | None, unit: int | None = None):
    root = _region(region) if region else Region.objects.get(pk=scope.region_id) if scope.region_id else None
    if root is not None and not scope.is_filler and not scope.sees_region(root):
        from django.core.exceptions import PermissionDenied
        raise PermissionDenied("无权查看该区域的数据")
    qs = IndicatorValue.objects.all()
    if scope.is_filler:
        qs = qs.filter(unit_id=scope.unit_id)
    elif root is not None:
        qs = qs.filter(region__path__startswith=root.path)
    if period:
        qs = qs.filter(period_id=Period.parse(period).id)
    if indicator:
        qs = qs.filter(indicator__code=indicator)
    if unit:
        qs = qs.filter(unit_id=unit)
    return qs.order_by("region__path", "unit_id", "indicator__sort", "period_id"), root


@router.get("/values", response=list[ValueOut], summary="指标数值", operation_id="kesu_analytics_api_records_values")
def values(request, region: str | None = None, period: PeriodId | None = None, indicator: str | None = None,
           unit: Id | None = None, limit: Limit = 1000, offset: Offset = 0):
    scope = scope_of(request)
    qs, root = scoped_values(scope, region=region, period=period, indicator=indicator, unit=unit)
    root = root or Region.objects.filter(parent__isnull=True).first()
    return _value_rows(scope, page(qs, limit, offset, 5000), root) if root else []


@router.post("/values", response={200: ValueOut}, summary="填报或修改一个数值（与表单相同的校验）",
             operation_id="kesu_analytics_api_records_value_save")
def value_save(request, payload: ValueIn):
    scope = scope_of(request)
    rep = _reporter(scope, payload.region, payload.unit)
    result = collection.value_save(actor=request.auth, indicator=payload.indicator, region=rep.region, unit=rep.unit,
                                   period=payload.period, value=payload.value, explanation=payload.explanation,
                                   expected_version=payload.expected_version, reason=payload.reason, source="API",
                                   door="api")
    r = result.row
    return ValueOut(indicator=r.indicator.code, region=rep.region.code, unit=r.unit_id, period=r.period_id,
                    value=float(r.value) if r.value is not None else None, explanation=r.explanation,
                    version=r.version, approved=False)


class ActivityOut(Schema):
    id: int
    unit: int
    region: str
    kind: str
    title: str
    start_date: date
    end_date: date
    population: str
    sessions: int
    participants: int
    people: int | None
    materials: int
    funds: float
    version: int


class ActivityIn(Schema):
    unit: Id
    kind: str
    title: str
    start_date: date
    end_date: date | None = None
    population: str = "public"
    sessions: Count | None = None
    participants: Count | None = None
    people: Count | None = None
    materials: Count | None = None
    funds: Amount | None = None
    place: str = ""
    notes: str = ""
    external_key: str = ""


def _activity_out(a: Activity) -> ActivityOut:
    return ActivityOut(id=a.pk, unit=a.unit_id, region=a.region.code, kind=a.kind, title=a.title,
                       start_date=a.start_date, end_date=a.end_date, population=a.population, sessions=a.sessions,
                       participants=a.participants, people=a.people, materials=a.materials, funds=float(a.funds),
                       version=a.version)


@router.get("/activities", response=list[ActivityOut], summary="科普活动",
            operation_id="kesu_analytics_api_records_activities")
def activities(request, year: Year | None = None, unit: Id | None = None, limit: Limit = 500, offset: Offset = 0):
    scope = scope_of(request)
    qs = Activity.objects.filter(scope.unit_q("unit__")).select_related("region").order_by("-start_date", "-id")
    if year:
        qs = qs.filter(start_date__year=year)
    if unit:
        qs = qs.filter(unit_id=unit)
    return [_activity_out(a) for a in page(qs, limit, offset)]


@router.post("/activities", response=ActivityOut, summary="登记科普活动（与表单相同的校验）",
             operation_id="kesu_analytics_api_records_activity_create")
def activity_create(request, payload: ActivityIn):
    scope = scope_of(request)
    unit = Unit.objects.filter(pk=payload.unit).select_related("region").first()
    if unit is None or not scope.sees_unit(unit):
        raise ApplicationError(f"单位“{payload.unit}”不存在或不在您的范围内。", field="unit")
    data = payload.dict()
    data.pop("unit")
    activity = collection.activity_create(actor=request.auth, unit=unit, data=data, source="API")
    return _activity_out(activity)


class NarrativeOut(Schema):
    task: int
    region: str
    unit: int | None
    period: str
    progress: str
    results: str
    problems: str
    next_steps: str
    version: int


class NarrativeIn(Schema):
    task: Id
    region: str
    unit: Id | None = None
    period: PeriodId
    progress: str | None = None
    results: str | None = None
    problems: str | None = None
    next_steps: str | None = None
    expected_version: Version | None = None


def _narrative_out(n: Narrative, region_code: str) -> NarrativeOut:
    return NarrativeOut(task=n.task_id, region=region_code, unit=n.unit_id, period=n.period_id, progress=n.progress,
                        results=n.results, problems=n.problems, next_steps=n.next_steps, version=n.version)


@router.get("/narratives", response=list[NarrativeOut], summary="工作情况（文字）",
            operation_id="kesu_analytics_api_records_narratives")
def narratives(request, region: str, period: PeriodId, unit: Id | None = None):
    scope = scope_of(request)
    rep = _reporter(scope, region, unit)
    qs = Narrative.objects.filter(region=rep.region, unit=rep.unit, period_id=Period.parse(period).id)
    return [_narrative_out(n, rep.region.code) for n in qs.order_by("task_id")]


@router.post("/narratives", response=NarrativeOut, summary="填写工作情况（与表单相同的校验）",
             operation_id="kesu_analytics_api_records_narrative_save")
def narrative_save(request, payload: NarrativeIn):
    scope = scope_of(request)
    rep = _reporter(scope, payload.region, payload.unit)
    task = get_object_or_404(Task, pk=payload.task)
    texts = {k: v for k, v in payload.dict().items() if k in Narrative.TEXT_FIELDS and v is not None}
    row = collection.narrative_save(actor=request.auth, task=task, region=rep.region, unit=rep.unit,
                                    period=payload.period, texts=texts, expected_version=payload.expected_version,
                                    source="API")
    return _narrative_out(row, rep.region.code)
