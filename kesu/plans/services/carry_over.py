"""Carrying a plan's tasks over into the next plan (a new 实施方案 or the next year's 工作要点) in one step."""

from dataclasses import dataclass, field

from django.db import transaction

from kesu.core import audit, clock
from kesu.core.exceptions import ApplicationError

from ..models import Plan, TaskRole
from ._common import require_manage
from .plans import task_create


@dataclass
class CarryOver:
    created: list = field(default_factory=list)  # the new tasks
    skipped: list = field(default_factory=list)  # (task, Chinese reason) of tasks left behind


def _live(units, year: int) -> list:
    """Units still in office by the new plan's first year (a unit abolished since is dropped from the task)."""
    today = clock.today()
    return [u for u in units if u.valid_to is None or (u.valid_to >= today and u.valid_to.year >= year)]


@transaction.atomic
def plan_tasks_carry_over(*, actor, source: Plan, target: Plan, task_ids=None) -> CarryOver:
    """Copy ``source``'s tasks (all, or those in ``task_ids``) into ``target`` with their units and indicators.

    Tasks whose title ``target`` already has are skipped, so running it twice adds nothing; a task whose every lead
    unit has been abolished is skipped with its reason. Each task's due period becomes the new plan's last year.
    """
    require_manage(actor, target.region)
    if source.pk == target.pk:
        raise ApplicationError("不能把方案的任务结转到它自己。", field="source")
    if source.region_id != target.region_id:
        raise ApplicationError(f"只能结转本区域的方案：“{source.title}”属于{source.region.name}。", field="source")
    if target.framework_id != source.framework_id:
        raise ApplicationError(f"两个方案采用的纲要不同（《{source.framework.name}》与《{target.framework.name}》），"
                               "任务的纲要条目无法对应，请逐项新建任务。", field="source")
    tasks = (source.tasks.prefetch_related("task_units__unit", "indicators").select_related("item")
             .order_by("sort", "id"))
    if task_ids is not None:
        tasks = tasks.filter(pk__in=list(task_ids))
    existing = set(target.tasks.values_list("title", flat=True))
    result = CarryOver()
    for task in tasks:
        if task.title in existing:
            result.skipped.append((task, "新方案中已有同名任务"))
            continue
        by_role = {TaskRole.LEAD: [], TaskRole.RESPONSIBLE: []}
        for tu in sorted(task.task_units.all(), key=lambda tu: tu.sort):
            by_role[tu.role].append(tu.unit)
        leads = _live(by_role[TaskRole.LEAD], target.start_year)
        if not leads:
            result.skipped.append((task, "牵头单位均已撤销"))
            continue
        result.created.append(task_create(
            actor=actor, plan=target, title=task.title, lead_units=leads,
            responsible_units=_live(by_role[TaskRole.RESPONSIBLE], target.start_year),
            all_members_responsible=task.all_members_responsible, item=task.item, number=task.number,
            description=task.description, due_period=str(target.end_year), indicators=list(task.indicators.all())))
    audit.record(actor=actor, action="plan.carry_over", instance=target, region_path=target.region.path,
                 changes={"tasks": [None, len(result.created)], "source": [None, source.title]})
    return result
