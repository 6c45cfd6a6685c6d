"""Running validation rules over the figures of one reporter and period.

Rules apply to a region when they are built in (no region) or belong to the region or one of its ancestors. A
missing figure skips a rule (nothing to compare yet); it does not fail it.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q

from kesu.core.configuration import held
from kesu.core.exceptions import ApplicationError
from kesu.core.periods import Period

from .computed import activity_rules, compute_many
from .expressions import CompiledExpression, compile_expression, evaluate
from .models import IndicatorValue, RuleKind, Severity, ValidationRule


@dataclass
class Violation:
    rule: ValidationRule
    message: str
    codes: list[str]
    explained: bool = False
    values: dict = field(default_factory=dict)

    @property
    def is_blocking(self) -> bool:
        return self.rule.severity == Severity.BLOCKING


def applicable_rules(region) -> list[ValidationRule]:
    paths = [*region.ancestor_paths, region.path]
    return list(held(("applicable_rules", region.pk), lambda: _compiled_rules(
        ValidationRule.objects.filter(is_active=True).filter(Q(region__isnull=True) | Q(region__path__in=paths))
        .select_related("indicator"))))


def _compiled_rules(rules) -> list[ValidationRule]:
    """The rules with their expressions compiled before they are kept: the copies handed out from what the process
    keeps (kesu/core/configuration.py) carry the compiled form instead of compiling it again for every save."""
    rules = list(rules)
    for rule in rules:
        compiled(rule)
    return rules


def compiled(rule: ValidationRule) -> CompiledExpression | None:
    # Cached on the instance; a stored rule was checked when it was saved, so a failure here is a data error.
    if not hasattr(rule, "_compiled"):
        try:
            rule._compiled = compile_expression(rule.expression) if rule.kind == RuleKind.EXPRESSION else None
        except ApplicationError:
            rule._compiled = None
    return rule._compiled


def rule_codes(rule: ValidationRule) -> list[str]:
    if rule.kind == RuleKind.YOY:
        return [rule.indicator.code] if rule.indicator_id else []
    return list(rule.codes or (compiled(rule).codes if compiled(rule) else []))


def load_figures(codes, *, region, unit, period: Period) -> tuple[dict, dict]:
    """({code: value}, {code: explanation}) for this reporter, stored or computed from activities."""
    codes = list(codes)
    rows = (IndicatorValue.objects.filter(indicator__code__in=codes, region=region, unit=unit, period_id=period.id)
            .order_by().values_list("indicator__code", "value", "explanation"))
    values, explanations = {}, {}
    for code, value, explanation in rows:
        values[code], explanations[code] = value, explanation
    wanted = set(codes)
    rules = [r for r in activity_rules() if r.indicator.code in wanted]
    computed = compute_many(rules, region=region, unit=unit, period=period)
    for rule in rules:
        values[rule.indicator.code] = computed[rule.indicator_id]
    return values, explanations


def check(*, region, unit, period: Period, overrides: dict | None = None, explanations_override: dict | None = None,
          only_codes: set | None = None, rules: list | None = None, readings=None) -> list[Violation]:
    """The rule violations for this reporter and period.

    ``overrides`` puts not-yet-saved figures in place ({code: value}); ``only_codes`` limits the check to rules
    that mention one of those codes (what a cell save needs); ``readings`` = the reporter's figures already read
    for this period (``kesu.collection.readings``, covering the rules' codes), instead of reading them again.
    """
    rules = applicable_rules(region) if rules is None else rules
    selected = [(r, rule_codes(r)) for r in rules]
    if only_codes is not None:
        selected = [(r, codes) for r, codes in selected if only_codes.intersection(codes)]
    if not selected:
        return []
    all_codes = {c for _, codes in selected for c in codes}
    if readings is None:
        values, explanations = load_figures(all_codes, region=region, unit=unit, period=period)
    else:
        values, explanations = readings.by_code(all_codes)
    values.update(overrides or {})
    explanations.update(explanations_override or {})
    violations = []
    for rule, codes in selected:
        violation = _run(rule, codes, values, region=region, unit=unit, period=period, readings=readings)
        if violation is not None:
            violation.explained = any((explanations.get(c) or "").strip() for c in codes)
            violations.append(violation)
    return violations


def _run(rule, codes, values, *, region, unit, period, readings) -> Violation | None:
    if rule.kind == RuleKind.YOY:
        return _run_yoy(rule, codes, values, region=region, unit=unit, period=period, readings=readings)
    expression = compiled(rule)
    if expression is None or evaluate(expression, values) is not False:
        return None
    shown = "，".join(f"{c}={_fmt(values.get(c))}" for c in codes)
    message = f"{rule.message or rule.name}（{expression.text}；{shown}）"
    return Violation(rule=rule, message=message, codes=codes, values={c: values.get(c) for c in codes})


def _run_yoy(rule, codes, values, *, region, unit, period, readings) -> Violation | None:
    if not codes or rule.threshold_pct is None:
        return None
    current = values.get(codes[0])
    if readings is not None:
        previous = readings.previous_year(rule.indicator_id)
    else:
        previous = (IndicatorValue.objects.filter(indicator_id=rule.indicator_id, region=region, unit=unit,
                                                  period_id=period.previous_year().id)
                    .values_list("value", flat=True).first())
    if current is None or previous is None or previous == 0:
        return None
    change = (Decimal(current) - previous) / abs(previous) * 100
    if abs(change) <= rule.threshold_pct:
        return None
    message = (f"{rule.message or rule.name}：{rule.indicator.name}较上年同期{'增长' if change > 0 else '下降'}"
               f"{abs(change):.1f}%（上年 {_fmt(previous)}，本期 {_fmt(current)}），超过 {rule.threshold_pct}%")
    return Violation(rule=rule, message=message, codes=codes, values={codes[0]: current})


def _fmt(value) -> str:
    if value is None:
        return "空"
    value = Decimal(value)
    return f"{value.normalize():f}" if value == value.to_integral() else f"{value:f}".rstrip("0").rstrip(".")
