"""Plans (实施方案, 年度工作要点) and their tasks with 牵头/责任单位."""

from django.db import transaction

from kesu.core import audit, clock
from kesu.core.exceptions import ApplicationError
from kesu.core.periods import Period

from ..models import Framework, FrameworkItem, Indicator, Plan, PlanKind, PolicyDocument, Task, TaskRole, TaskUnit
from ._common import require_manage, visible_to_region

PLAN_FIELDS = ["title", "kind", "start_year", "end_year", "framework", "parent", "document", "summary"]
TASK_FIELDS = ["title", "number", "description", "item", "due_period", "all_members_responsible"]
MAX_LEADS = 3


# -- plans ---------------------------------------------------------------------------------------------------------

def _check_plan(*, region, framework, title, start_year, end_year, kind, parent, document, plan=None) -> None:
    label = f"规划方案“{title or ''}”"
    if not title or not str(title).strip():
        raise ApplicationError("规划方案的字段“标题”不能为空。", field="title")
    if kind not in PlanKind.values:
        raise ApplicationError(f"{label}的字段“类型”取值无效。", field="kind")
    if not isinstance(framework, Framework) or not visible_to_region(framework.region, region):
        raise ApplicationError(f"{label}的字段“纲要框架”应为内置纲要或本区域（或上级）的本地化纲要。", field="framework")
    for name, year in (("start_year", start_year), ("end_year", end_year)):
        if not isinstance(year, int) or not 1900 <= year <= 2200:
            raise ApplicationError(f"{label}的字段“{'起始年份' if name == 'start_year' else '终止年份'}”应为四位年份。",
                                   field=name)
    if end_year < start_year:
        raise ApplicationError(f"{label}的字段“终止年份”（{end_year}）早于起始年份（{start_year}）。", field="end_year")
    if not (framework.start_year <= start_year and end_year <= framework.end_year):
        raise ApplicationError(f"{label}的年份 {start_year}—{end_year} 超出纲要《{framework.name}》的期限"
                               f"（{framework.start_year}—{framework.end_year}）。", field="start_year")
    if kind == PlanKind.ANNUAL and start_year != end_year:
        raise ApplicationError(f"{label}是年度工作要点，起始年份和终止年份应相同。", field="end_year")
    if parent is not None:
        if plan is not None and parent.pk == plan.pk:
            raise ApplicationError(f"{label}的字段“所属实施方案”不能是它自己。", field="parent")
        if kind != PlanKind.ANNUAL or parent.kind != PlanKind.IMPLEMENTATION:
            raise ApplicationError(f"{label}的字段“所属实施方案”只适用于年度工作要点，且应指向一个实施方案。",
                                   field="parent")
        if parent.region_id != region.pk:
            raise ApplicationError(f"{label}的字段“所属实施方案”应为本区域的实施方案。", field="parent")
        if not (parent.start_year <= start_year and end_year <= parent.end_year):
            raise ApplicationError(f"{label}的年份超出所属实施方案“{parent.title}”的期限"
                                   f"（{parent.start_year}—{parent.end_year}）。", field="start_year")
    if document is not None and (not isinstance(document, PolicyDocument) or document.region_id != region.pk):
        raise ApplicationError(f"{label}的字段“印发文件”应为本区域的政策文件。", field="document")


@transaction.atomic
def plan_create(*, actor, region, framework, title: str, start_year: int, end_year: int,
                kind: str = PlanKind.IMPLEMENTATION, parent: Plan | None = None,
                document: PolicyDocument | None = None, summary: str = "") -> Plan:
    require_manage(actor, region)
    title = str(title or "").strip()
    _check_plan(region=region, framework=framework, title=title, start_year=start_year, end_year=end_year,
                kind=kind, parent=parent, document=document)
    plan = Plan.objects.create(region=region, framework=framework, title=title, start_year=start_year,
                               end_year=end_year, kind=kind, parent=parent, document=document, summary=summary)
    audit.record(actor=actor, action="plan.create", instance=plan, region_path=region.path,
                 changes=audit.model_changes(plan, None, PLAN_FIELDS))
    return plan


@transaction.atomic
def plan_update(*, actor, plan: Plan, **fields) -> Plan:
    """Change a plan's title, years, framework, parent, document or summary."""
    require_manage(actor, plan.region)
    unknown = set(fields) - set(PLAN_FIELDS)
    if unknown:
        raise ApplicationError(f"规划方案没有字段“{sorted(unknown)[0]}”。", field=sorted(unknown)[0])
    old = {name: getattr(plan, name) for name in PLAN_FIELDS}
    merged = {**old, **fields}
    merged["title"] = str(merged["title"] or "").strip()
    _check_plan(region=plan.region, plan=plan, **merged)
    if merged["framework"] != old["framework"] and plan.tasks.filter(item__isnull=False).exists():
        raise ApplicationError(f"规划方案“{plan.title}”已有任务挂在纲要条目下，不能更换纲要框架。", field="framework")
    _check_years_still_fit(plan, merged["start_year"], merged["end_year"])
    for name, value in merged.items():
        setattr(plan, name, value)
    plan.save()
    audit.record(actor=actor, action="plan.update", instance=plan, region_path=plan.region.path,
                 changes=audit.model_changes(plan, old, PLAN_FIELDS))
    return plan


def _check_years_still_fit(plan: Plan, start_year: int, end_year: int) -> None:
    outside = plan.targets.exclude(year__gte=start_year, year__lte=end_year).first()
    if outside:
        raise ApplicationError(f"规划方案“{plan.title}”已有{outside.year}年的目标值，不能把期限改为"
                               f"{start_year}—{end_year}。", field="start_year")
    for task in plan.tasks.exclude(due_period=""):
        year = Period.parse(task.due_period).year
        if not start_year <= year <= end_year:
            raise ApplicationError(f"任务“{task.title}”的完成期限 {task.due_period} 不在新的期限"
                                   f"{start_year}—{end_year} 内。", field="start_year")


# -- tasks ---------------------------------------------------------------------------------------------------------

def _check_task(plan: Plan, *, title, lead_units, responsible_units, all_members_responsible, item, due_period,
                indicators) -> str:
    """Validate a task's fields; returns the normalised due period id."""
    if not title:
        raise ApplicationError("任务的字段“任务”（标题）不能为空。", field="title")
    label = f"任务“{title}”"
    if not lead_units:
        raise ApplicationError(f"{label}的字段“牵头单位”不能为空：请选择 1—{MAX_LEADS} 个牵头单位。", field="lead_units")
    if len(lead_units) > MAX_LEADS:
        raise ApplicationError(f"{label}的字段“牵头单位”最多 {MAX_LEADS} 个，现选了 {len(lead_units)} 个。",
                               field="lead_units")
    today = clock.today()
    for field, units, title_ in (("lead_units", lead_units, "牵头单位"), ("responsible_units", responsible_units, "责任单位")):
        if len({u.pk for u in units}) != len(units):
            raise ApplicationError(f"{label}的字段“{title_}”中有重复的单位。", field=field)
        for unit in units:
            if unit.region_id != plan.region_id:
                raise ApplicationError(f"{label}的字段“{title_}”中的“{unit.name}”不是“{plan.region.name}”的成员单位。",
                                       field=field)
            if unit.valid_to is not None and unit.valid_to < today:
                raise ApplicationError(f"{label}的字段“{title_}”中的“{unit.name}”已于{unit.valid_to}撤销。", field=field)
    both = {u.pk for u in lead_units} & {u.pk for u in responsible_units}
    if both:
        name = next(u.name for u in lead_units if u.pk in both)
        raise ApplicationError(f"{label}的字段“责任单位”中的“{name}”已是牵头单位。", field="responsible_units")
    if all_members_responsible and responsible_units:
        raise ApplicationError(f"{label}已选择“各成员单位负责”，字段“责任单位”应留空。", field="responsible_units")
    if item is not None and (not isinstance(item, FrameworkItem) or item.framework_id != plan.framework_id):
        raise ApplicationError(f"{label}的字段“纲要条目”不属于本方案采用的纲要。", field="item")
    period_id = ""
    if due_period:
        try:
            period = Period.parse(due_period)
        except ApplicationError as exc:
            raise ApplicationError(f"{label}的字段“完成期限”：{exc.message}", field="due_period") from None
        if not plan.start_year <= period.year <= plan.end_year:
            raise ApplicationError(f"{label}的字段“完成期限”{period.label}不在方案期限"
                                   f"{plan.start_year}—{plan.end_year}年内。", field="due_period")
        period_id = period.id
    for indicator in indicators:
        if not isinstance(indicator, Indicator) or not visible_to_region(indicator.region, plan.region):
            raise ApplicationError(f"{label}的字段“关联指标”中的“{indicator}”不能在本区域使用。", field="indicators")
    return period_id


def _set_units(task: Task, lead_units, responsible_units) -> None:
    task.task_units.all().delete()
    TaskUnit.objects.bulk_create(
        [TaskUnit(task=task, unit=u, role=TaskRole.LEAD, sort=i) for i, u in enumerate(lead_units)]
        + [TaskUnit(task=task, unit=u, role=TaskRole.RESPONSIBLE, sort=i) for i, u in enumerate(responsible_units)]
    )


def _unit_names(units) -> list[str]:
    return [u.name for u in units]


@transaction.atomic
def task_create(*, actor, plan: Plan, title: str, lead_units, responsible_units=(), all_members_responsible=False,
                item: FrameworkItem | None = None, number: str = "", description: str = "", due_period: str = "",
                indicators=()) -> Task:
    require_manage(actor, plan.region)
    title, lead_units, responsible_units = str(title or "").strip(), list(lead_units), list(responsible_units)
    indicators = list(indicators)
    period_id = _check_task(plan, title=title, lead_units=lead_units, responsible_units=responsible_units,
                            all_members_responsible=all_members_responsible, item=item, due_period=due_period,
                            indicators=indicators)
    last = plan.tasks.order_by("-sort").first()
    task = Task.objects.create(plan=plan, title=title, number=str(number or "").strip(), description=description,
                               item=item, due_period=period_id, all_members_responsible=all_members_responsible,
                               sort=(last.sort if last else 0) + 10)
    _set_units(task, lead_units, responsible_units)
    task.indicators.set(indicators)
    changes = audit.model_changes(task, None, TASK_FIELDS)
    changes.update(lead_units=[None, _unit_names(lead_units)], responsible_units=[None, _unit_names(responsible_units)],
                   indicators=[None, [i.code for i in indicators]])
    audit.record(actor=actor, action="task.create", instance=task, region_path=plan.region.path, changes=changes)
    return task


@transaction.atomic
def task_update(*, actor, task: Task, **fields) -> Task:
    """Change a task. ``lead_units``, ``responsible_units`` and ``indicators`` replace the current sets."""
    plan = task.plan
    require_manage(actor, plan.region)
    allowed = set(TASK_FIELDS) | {"lead_units", "responsible_units", "indicators"}
    unknown = set(fields) - allowed
    if unknown:
        raise ApplicationError(f"任务“{task.title}”没有字段“{sorted(unknown)[0]}”。", field=sorted(unknown)[0])
    current_leads = [tu.unit for tu in task.task_units.filter(role=TaskRole.LEAD).select_related("unit")]
    current_resp = [tu.unit for tu in task.task_units.filter(role=TaskRole.RESPONSIBLE).select_related("unit")]
    current_indicators = list(task.indicators.all())
    old = {name: getattr(task, name) for name in TASK_FIELDS}
    merged = {**old, "lead_units": current_leads, "responsible_units": current_resp,
              "indicators": current_indicators, **fields}
    merged["title"] = str(merged["title"] or "").strip()
    for key in ("lead_units", "responsible_units", "indicators"):
        merged[key] = list(merged[key])
    period_id = _check_task(plan, title=merged["title"], lead_units=merged["lead_units"],
                            responsible_units=merged["responsible_units"],
                            all_members_responsible=merged["all_members_responsible"], item=merged["item"],
                            due_period=merged["due_period"], indicators=merged["indicators"])
    dropped = {i.pk for i in current_indicators} - {i.pk for i in merged["indicators"]}
    _check_untracking(task, dropped)
    for name in TASK_FIELDS:
        setattr(task, name, merged[name])
    task.due_period = period_id
    task.save()
    _set_units(task, merged["lead_units"], merged["responsible_units"])
    task.indicators.set(merged["indicators"])
    changes = audit.model_changes(task, old, TASK_FIELDS)
    for key, before in (("lead_units", current_leads), ("responsible_units", current_resp)):
        if _unit_names(before) != _unit_names(merged[key]):
            changes[key] = [_unit_names(before), _unit_names(merged[key])]
    if {i.pk for i in current_indicators} != {i.pk for i in merged["indicators"]}:
        changes["indicators"] = [[i.code for i in current_indicators], [i.code for i in merged["indicators"]]]
    audit.record(actor=actor, action="task.update", instance=task, region_path=plan.region.path, changes=changes)
    return task


def _check_untracking(task: Task, indicator_ids: set[int]) -> None:
    """A plan's targets need a task that tracks their indicator; refuse to drop the last such link."""
    if not indicator_ids:
        return
    still_tracked = set(Indicator.objects.filter(tasks__plan=task.plan, pk__in=indicator_ids)
                        .exclude(tasks=task).values_list("pk", flat=True))
    orphaned = task.plan.targets.filter(indicator_id__in=indicator_ids - still_tracked).select_related("indicator")
    target = orphaned.first()
    if target:
        raise ApplicationError(f"任务“{task.title}”是本方案中唯一关联指标“{target.indicator.name}”的任务，"
                               f"而该指标已设定目标值；请先删除这些目标值。", field="indicators")


@transaction.atomic
def task_delete(*, actor, task: Task) -> None:
    require_manage(actor, task.plan.region)
    _check_untracking(task, set(task.indicators.values_list("pk", flat=True)))
    audit.record(actor=actor, action="task.delete", instance=task, region_path=task.plan.region.path,
                 changes={"title": [task.title, None]})
    task.delete()
