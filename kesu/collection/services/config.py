"""Office configuration: data sets, lock exceptions, validation rules, activity-derived indicators, built-in rules."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from importlib import resources

import yaml
from django.core.exceptions import PermissionDenied
from django.db import transaction

from kesu.core import audit
from kesu.core.exceptions import ApplicationError
from kesu.core.periods import PERIOD_TYPES, Period
from kesu.plans.models import Indicator

from ..expressions import compile_expression
from ..models import (
    ActivityIndicatorRule,
    ActivityKind,
    DataSet,
    LockException,
    Measure,
    OutlierRule,
    Population,
    RuleKind,
    Severity,
    ValidationRule,
)
from .common import scope_of


def _require_office(actor, region) -> None:
    scope = scope_of(actor)
    if scope.is_admin:
        return
    if not scope.is_office or region is None or not scope.sees_region(region):
        raise PermissionDenied("只有本级办公室可以修改该配置")


def data_set_create(*, actor, region, code: str, name: str, period_type: str, indicators=(), units=(),
                    units_report: bool = True, lowest_level: int | None = None, due_days: int = 15,
                    close_days: int = 30) -> DataSet:
    _require_office(actor, region)
    if period_type not in dict(PERIOD_TYPES):
        raise ApplicationError(f"报告期类型“{period_type}”不正确。", field="period_type")
    if not (code or "").strip() or not (name or "").strip():
        raise ApplicationError("数据集编码和名称不能为空。", field="code")
    if close_days < due_days:
        raise ApplicationError("锁定天数不能早于截止天数。", field="close_days")
    with transaction.atomic():
        if DataSet.objects.filter(region=region, code=code.strip()).exists():
            raise ApplicationError(f"数据集编码“{code}”已存在。", field="code")
        ds = DataSet.objects.create(region=region, code=code.strip(), name=name.strip(), period_type=period_type,
                                    units_report=units_report, lowest_level=lowest_level, due_days=due_days,
                                    close_days=close_days)
        ds.indicators.set(indicators)
        ds.units.set(units)
        audit.record(actor=actor, action="create", instance=ds, region_path=region.path,
                     changes={"indicators": [None, [i.code for i in ds.indicators.all()]]})
    return ds


def lock_exception_open(*, actor, data_set: DataSet, period, region, unit=None, until: date, reason: str):
    """补报: reopen entry for one reporter (or all of a region) until ``until``."""
    period = period if isinstance(period, Period) else Period.parse(period)
    _require_office(actor, region if unit is None else unit.region)
    if not (reason or "").strip():
        raise ApplicationError("开放补报必须填写原因。", field="reason")
    with transaction.atomic():
        row = LockException.objects.create(data_set=data_set, period_id=period.id, region=region, unit=unit,
                                           until=until, reason=reason.strip(), created_by=actor)
        audit.record(actor=actor, action="reopen", instance=row, object_repr=f"{data_set} {period.id} {unit or region}",
                     changes={"until": [None, str(until)]}, reason=reason, region_path=region.path)
    return row


def _rule_fields(*, name, kind, expression, indicator, threshold_pct, severity) -> dict:
    if kind not in RuleKind.values:
        raise ApplicationError(f"规则类型“{kind}”不正确。", field="kind")
    if severity not in Severity.values:
        raise ApplicationError(f"处理方式“{severity}”不正确，应为 blocking 或 explain。", field="severity")
    if not (name or "").strip():
        raise ApplicationError("规则名称不能为空。", field="name")
    fields = {"name": name.strip(), "kind": kind, "severity": severity, "expression": "", "codes": [],
              "indicator": None, "threshold_pct": None}
    if kind == RuleKind.EXPRESSION:
        compiled = compile_expression(expression)
        fields.update(expression=compiled.text, codes=list(compiled.codes))
    else:
        if indicator is None:
            raise ApplicationError("同比规则须指定指标。", field="indicator")
        if threshold_pct is None or Decimal(threshold_pct) <= 0:
            raise ApplicationError("同比规则须填写大于 0 的波动阈值（%）。", field="threshold_pct")
        fields.update(indicator=indicator, threshold_pct=Decimal(threshold_pct), codes=[indicator.code])
    return fields


def rule_create(*, actor, region, code: str, name: str, kind: str = RuleKind.EXPRESSION, expression: str = "",
                indicator=None, threshold_pct=None, severity: str = Severity.BLOCKING, message: str = ""):
    """A local rule added by an office; it applies to the office's region subtree."""
    _require_office(actor, region)
    fields = _rule_fields(name=name, kind=kind, expression=expression, indicator=indicator,
                          threshold_pct=threshold_pct, severity=severity)
    with transaction.atomic():
        if ValidationRule.objects.filter(region=region, code=code).exists():
            raise ApplicationError(f"规则编码“{code}”已存在。", field="code")
        rule = ValidationRule.objects.create(region=region, code=code, message=message, **fields)
        audit.record(actor=actor, action="create", instance=rule, region_path=region.path,
                     changes={"expression": [None, rule.expression or f"{rule.indicator} ±{rule.threshold_pct}%"]})
    return rule


# What each tunable threshold means, and its lowest sensible value (a jump ratio of 1 would flag every change).
OUTLIER_FIELDS = {"jump_ratio": ("同比突变倍数", Decimal("1.1")), "min_diff": ("最小差额", Decimal(0)),
                   "modified_z": ("修正 Z 值阈值", Decimal("0.5")), "z_score": ("Z 值阈值", Decimal("0.5")),
                   "range_factor": ("历史范围放宽倍数", Decimal(1))}


def _threshold(name: str, raw) -> Decimal | None:
    label, lowest = OUTLIER_FIELDS[name]
    text = str("" if raw is None else raw).strip()
    if text == "":
        return None
    try:
        value = Decimal(text)
    except ArithmeticError:
        raise ApplicationError(f"“{label}”应为数字，收到“{text[:20]}”。", field=name) from None
    if not value.is_finite() or value < lowest or value >= 10**6:
        raise ApplicationError(f"“{label}”应不小于 {lowest}，收到 {text[:20]}。", field=name)
    return value


def outlier_rule_save(*, actor, indicator: Indicator, enabled: bool = True, **thresholds) -> OutlierRule | None:
    """An indicator's own outlier thresholds (empty: the built-in default). Nothing set and detection on: the rule
    is removed and the defaults apply. A national indicator is tuned by the system administrator, a local one by
    its region's office."""
    scope = scope_of(actor)
    if not scope.is_admin and (indicator.region is None or not scope.is_office
                               or not scope.manages_region(indicator.region)):
        raise PermissionDenied("只有系统管理员可以调整全国通用指标的异常值阈值；本地指标由其所属区域的办公室调整")
    unknown = set(thresholds) - set(OUTLIER_FIELDS)
    if unknown:
        raise ApplicationError(f"不支持的阈值“{'、'.join(sorted(unknown))}”。", field=sorted(unknown)[0])
    values = {name: _threshold(name, thresholds.get(name)) for name in OUTLIER_FIELDS}
    with transaction.atomic():
        rule = OutlierRule.objects.select_for_update().filter(indicator=indicator).first()
        old = {"enabled": rule.enabled, **{n: getattr(rule, n) for n in OUTLIER_FIELDS}} if rule else {}
        new = {"enabled": bool(enabled), **values}
        if bool(enabled) and all(v is None for v in values.values()):
            if rule is not None:
                rule.delete()
                audit.record(actor=actor, action="delete", object_type="collection.outlierrule", object_id=indicator.pk,
                             object_repr=f"{indicator} 异常值阈值",
                             changes={n: [audit.plain(v), None] for n, v in old.items() if v is not None},
                             region_path=indicator.region.path if indicator.region else "")
            return None
        rule = rule or OutlierRule(indicator=indicator)
        for name, value in new.items():
            setattr(rule, name, value)
        rule.save()
        audit.record(actor=actor, action="update" if old else "create", instance=rule,
                     changes=audit.model_changes(rule, old or None, list(new)),
                     region_path=indicator.region.path if indicator.region else "")
    return rule


@dataclass
class LoadResult:
    rules_created: int = 0
    rules_updated: int = 0
    activity_rules: int = 0
    skipped: list = field(default_factory=list)


def load_rules(*, path=None) -> LoadResult:
    """Load the built-in rules (package YAML) idempotently: match on code, update in place, never duplicate.

    A rule that names an indicator missing from the catalogue is skipped and reported, not half-loaded.
    """
    text = open(path, encoding="utf-8").read() if path else \
        resources.files("kesu.collection").joinpath("data/rules.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text) or {}
    result = LoadResult()
    indicators = {i.code: i for i in Indicator.objects.all()}
    with transaction.atomic():
        for entry in data.get("rules", []):
            code = entry["code"]
            kind = entry.get("kind", RuleKind.EXPRESSION)
            indicator = indicators.get(entry.get("indicator") or "")
            if kind == RuleKind.YOY and indicator is None:
                result.skipped.append(code)
                continue
            fields = _rule_fields(name=entry["name"], kind=kind, expression=entry.get("expression", ""),
                                  indicator=indicator, threshold_pct=entry.get("threshold_pct"),
                                  severity=entry.get("severity", Severity.BLOCKING))
            if any(c not in indicators for c in fields["codes"]):
                result.skipped.append(code)
                continue
            fields["message"] = entry.get("message", "")
            _, created = ValidationRule.objects.update_or_create(region=None, code=code, defaults=fields)
            if created:
                result.rules_created += 1
            else:
                result.rules_updated += 1
        for entry in data.get("activity_indicators", []):
            indicator = indicators.get(entry["indicator"])
            if indicator is None:
                result.skipped.append(entry["indicator"])
                continue
            kinds, populations = entry.get("kinds", []), entry.get("populations", [])
            if not set(kinds) <= set(ActivityKind.values) or not set(populations) <= set(Population.values) \
                    or entry["measure"] not in Measure.values:
                raise ApplicationError(f"活动派生指标“{entry['indicator']}”的活动类型、人群或计量不正确。")
            ActivityIndicatorRule.objects.update_or_create(
                indicator=indicator, defaults={"kinds": kinds, "populations": populations, "measure": entry["measure"]})
            result.activity_rules += 1
    return result
