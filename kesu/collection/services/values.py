"""Writing indicator values: the one path for the grid form, Excel rows, the API and accepted extracted facts."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction

from kesu.core import audit
from kesu.core.exceptions import ApplicationError
from kesu.plans.models import Indicator, ValueType

from .. import validation
from ..models import ActivityIndicatorRule, IndicatorValue
from .common import FORM, guard_open, mark_draft, parse_number, parse_period, reporter_label, require_writer, scope_of

OBJECT_TYPE = "collection.indicatorvalue"


@dataclass
class ValueResult:
    row: IndicatorValue
    changed: bool
    warnings: list = field(default_factory=list)  # explained violations the value was saved with


def _indicator(indicator) -> Indicator:
    if isinstance(indicator, Indicator):
        return indicator
    try:
        return Indicator.objects.get(code=str(indicator).strip())
    except Indicator.DoesNotExist:
        raise ApplicationError(f"指标编码“{indicator}”不存在。", field="indicator") from None


def _check_range(indicator: Indicator, value: Decimal | None) -> None:
    if value is None:
        return
    if indicator.min_value is not None and value < indicator.min_value:
        raise ApplicationError(
            f"“{indicator.name}”不能小于 {indicator.min_value.normalize():f}（填写了 {value.normalize():f}）。", field="value")
    if indicator.max_value is not None and value > indicator.max_value:
        raise ApplicationError(
            f"“{indicator.name}”不能大于 {indicator.max_value.normalize():f}（填写了 {value.normalize():f}）。", field="value")


def value_conflict_message(row: IndicatorValue) -> str:
    who = row.updated_by.display_name if row.updated_by else "其他人"
    shown = "空" if row.value is None else f"{row.value.normalize():f}"
    return (f"“{row.indicator.name}”已被{who}于 {row.updated_at:%Y-%m-%d %H:%M} 修改为 {shown}，"
            f"您看到的是旧数据。请核对后重新填写。")


def value_save(*, actor, indicator, region, unit, period, value, expected_version: int | None = None,
               explanation: str | None = None, reason: str = "", source: str = FORM) -> ValueResult:
    """Save one figure for (indicator, region, unit, period), checked exactly as for every other source.

    ``expected_version`` is the version the editor loaded (0 = the cell was empty); a different stored version means
    someone else saved in between, and the save is refused. ``None`` skips the check (imports, which are upserts).
    """
    indicator = _indicator(indicator)
    period = parse_period(period)
    require_writer(scope_of(actor), region, unit)
    label = f"{reporter_label(region, unit)} {period.label} {indicator.name}"
    if unit is not None and unit.region_id != region.pk:
        raise ApplicationError(f"{unit.name}不属于{region.name}。", field="unit")
    if ActivityIndicatorRule.objects.filter(indicator=indicator).exists():
        raise ApplicationError(f"“{indicator.name}”由科普活动自动汇总，不能直接填报；请在“活动”中登记。", field="value")
    number = parse_number(value, label=indicator.name, allow_negative=indicator.min_value is not None
                          and indicator.min_value < 0, integer=indicator.value_type == ValueType.INTEGER)
    _check_range(indicator, number)

    with transaction.atomic():
        covering = guard_open(region=region, unit=unit, period=period, indicator=indicator)
        row = (IndicatorValue.objects.select_for_update(of=("self",)).select_related("updated_by", "indicator")
               .filter(indicator=indicator, region=region, unit=unit, period_id=period.id).order_by("pk").first())
        if expected_version is not None and (row.version if row else 0) != expected_version:
            raise ApplicationError(value_conflict_message(row) if row else f"“{indicator.name}”已被他人清除，请刷新后重新填写。",
                                   field="version", extra={"current": row})
        new_explanation = (row.explanation if row else "") if explanation is None else explanation.strip()
        warnings = _validate(indicator, number, new_explanation, region=region, unit=unit, period=period, label=label)
        old = {"value": row.value, "explanation": row.explanation} if row else None
        if row is not None and row.value == number and row.explanation == new_explanation:
            return ValueResult(row=row, changed=False, warnings=warnings)
        if row is None and number is None and not new_explanation:
            # Tabbing through an empty cell must not create an empty row and an audit event.
            return ValueResult(row=IndicatorValue(indicator=indicator, region=region, unit=unit, period_id=period.id,
                                                  version=0), changed=False)
        if row is None:
            row = IndicatorValue(indicator=indicator, region=region, unit=unit, period_id=period.id, version=0)
        row.value, row.explanation = number, new_explanation
        row.version += 1
        row.source, row.updated_by = source[:300], actor
        row.save()
        audit.record(actor=actor, action="create" if old is None else "update", instance=row, object_type=OBJECT_TYPE,
                     object_repr=label, changes=audit.model_changes(row, old, ["value", "explanation"]),
                     reason=reason, source=source, region_path=region.path)
        mark_draft(region=region, unit=unit, period=period, covering=covering)
    return ValueResult(row=row, changed=True, warnings=warnings)


def value_upsert(*, actor, indicator, region, unit, period, value, explanation: str | None = None, reason: str = "",
                 source: str) -> ValueResult:
    """Idempotent import of one figure keyed on (indicator, region, unit, period); same checks, no version check."""
    return value_save(actor=actor, indicator=indicator, region=region, unit=unit, period=period, value=value,
                      explanation=explanation, reason=reason, source=source)


def _validate(indicator, number, explanation, *, region, unit, period, label) -> list:
    """Rules that mention this indicator: blocking ones refuse; explain ones need an explanation on this value."""
    violations = validation.check(region=region, unit=unit, period=period, overrides={indicator.code: number},
                                  explanations_override={indicator.code: explanation}, only_codes={indicator.code})
    for v in violations:
        if v.is_blocking:
            raise ApplicationError(f"{label}：{v.message}", field="value", extra={"rule": v.rule.code})
    unexplained = [v for v in violations if not explanation]
    if unexplained:
        raise ApplicationError(f"{label}：{unexplained[0].message}。如数据无误，请填写情况说明后保存。", field="explanation",
                               extra={"rule": unexplained[0].rule.code, "needs_explanation": True})
    return violations
