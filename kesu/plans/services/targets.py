"""Targets: one value per plan, indicator, region and year."""

from decimal import Decimal, InvalidOperation

from django.db import transaction

from kesu.core import audit
from kesu.core.exceptions import ApplicationError

from ..models import Indicator, Plan, Target
from ._common import require_manage


def _decimal(label: str, value) -> Decimal:
    try:
        number = Decimal(str(value).strip().replace(",", "").replace("，", ""))
    except (InvalidOperation, AttributeError):
        raise ApplicationError(f"{label}的字段“目标值”“{value}”不是数字。", field="value") from None
    if not number.is_finite():
        raise ApplicationError(f"{label}的字段“目标值”不是有效数字。", field="value")
    return number


@transaction.atomic
def target_set(*, actor, plan: Plan, indicator: Indicator, region, year: int, value, note: str = "") -> Target:
    """Set (or change) the target of ``indicator`` for ``region`` and ``year`` under ``plan``.

    The plan must track the indicator (some task of the plan is linked to it); the year lies within the plan and
    the region within the plan's region subtree.
    """
    require_manage(actor, plan.region)
    label = f"指标“{indicator.name}”{year}年“{region.name}”的目标"
    if not plan.tasks.filter(indicators=indicator).exists():
        raise ApplicationError(f"规划方案“{plan.title}”没有任务关联指标“{indicator.code} {indicator.name}”，"
                               f"不能为它设定目标值；请先在任务中关联该指标。", field="indicator")
    if not isinstance(year, int) or not plan.start_year <= year <= plan.end_year:
        raise ApplicationError(f"{label}：字段“年份”应在方案期限 {plan.start_year}—{plan.end_year} 年内。", field="year")
    if not region.is_within(plan.region):
        raise ApplicationError(f"{label}：字段“区域”应为“{plan.region.name}”或其下级区域。", field="region")
    number = _decimal(label, value)
    if indicator.min_value is not None and number < indicator.min_value:
        raise ApplicationError(f"{label}：字段“目标值”{number} 小于该指标允许的最小值 {indicator.min_value}。",
                               field="value")
    if indicator.max_value is not None and number > indicator.max_value:
        raise ApplicationError(f"{label}：字段“目标值”{number} 大于该指标允许的最大值 {indicator.max_value}。",
                               field="value")
    if number < 0:
        raise ApplicationError(f"{label}：字段“目标值”不能为负数。", field="value")
    target = Target.objects.filter(plan=plan, indicator=indicator, region=region, year=year).first()
    old = None if target is None else {"value": target.value, "note": target.note}
    if target is None:
        target = Target.objects.create(plan=plan, indicator=indicator, region=region, year=year, value=number,
                                       note=note)
    else:
        target.value, target.note = number, note
        target.save()
    audit.record(actor=actor, action="target.set", instance=target, region_path=region.path,
                 changes=audit.model_changes(target, old, ["value", "note"]))
    return target


@transaction.atomic
def target_delete(*, actor, target: Target) -> None:
    require_manage(actor, target.plan.region)
    audit.record(actor=actor, action="target.delete", instance=target, region_path=target.region.path,
                 changes={"value": [str(target.value), None]})
    target.delete()
