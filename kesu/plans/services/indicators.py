"""Local indicators: an office adds indicators of its own next to the built-in catalogue."""

import re
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Q

from kesu.core import audit
from kesu.core.exceptions import ApplicationError

from ..models import POPULATIONS, Category, Indicator, RegionAggregation, TimeAggregation, ValueType
from ._common import require_manage

CODE_RE = re.compile(r"^[A-Z][A-Z0-9_]*$")
FIELDS = ["code", "name", "category", "unit", "value_type", "region_aggregation", "time_aggregation", "numerator",
          "denominator", "factor", "aliases", "population", "description"]


def _clean_list(values) -> list[str]:
    if isinstance(values, str):
        values = re.split(r"[,，、;；\s]+", values)
    return [str(v).strip() for v in values or () if str(v).strip()]


def _validate(region, data: dict, indicator: Indicator | None = None) -> dict:
    code = str(data.get("code") or "").strip().upper()
    label = f"指标“{code or data.get('name') or ''}”"
    if not CODE_RE.match(code):
        raise ApplicationError(f"{label}的字段“编码”只能由大写字母、数字和下划线组成，并以字母开头。", field="code")
    clash = Indicator.objects.filter(code=code)
    if indicator is not None:
        clash = clash.exclude(pk=indicator.pk)
    if clash.exists():
        raise ApplicationError(f"{label}的字段“编码”已被其他指标使用，请换一个编码。", field="code")
    name = str(data.get("name") or "").strip()
    if not name:
        raise ApplicationError(f"{label}的字段“名称”不能为空。", field="name")
    if not str(data.get("unit") or "").strip():
        raise ApplicationError(f"{label}的字段“计量单位”不能为空。", field="unit")
    for key, enum, title in (("category", Category, "类别"), ("value_type", ValueType, "数值类型"),
                             ("region_aggregation", RegionAggregation, "跨区域汇总"),
                             ("time_aggregation", TimeAggregation, "跨期汇总")):
        if data.get(key) not in enum.values:
            raise ApplicationError(f"{label}的字段“{title}”取值无效。", field=key)
    if data.get("population") and data["population"] not in POPULATIONS:
        raise ApplicationError(f"{label}的字段“重点人群”取值“{data['population']}”无效。", field="population")
    try:
        factor = Decimal(str(data.get("factor") if data.get("factor") not in (None, "") else 1))
    except InvalidOperation:
        raise ApplicationError(f"{label}的字段“系数”应为数字。", field="factor") from None
    if factor <= 0:
        raise ApplicationError(f"{label}的字段“系数”应为正数。", field="factor")
    numerator, denominator = _clean_list(data.get("numerator")), _clean_list(data.get("denominator"))
    if data["region_aggregation"] == RegionAggregation.RATIO:
        _check_parts(region, label, code, numerator, denominator)
    elif numerator or denominator:
        raise ApplicationError(f"{label}的字段“分子指标/分母指标”只适用于“比率重算”的指标。",
                               field="numerator" if numerator else "denominator")
    return {**data, "code": code, "name": name, "unit": str(data["unit"]).strip(), "factor": factor,
            "numerator": numerator, "denominator": denominator, "aliases": _clean_list(data.get("aliases"))}


def _check_parts(region, label, code, numerator, denominator) -> None:
    for key, parts, title in (("numerator", numerator, "分子指标"), ("denominator", denominator, "分母指标")):
        if not parts:
            raise ApplicationError(f"{label}的字段“{title}”不能为空：比率指标需要分子和分母。", field=key)
        usable = Indicator.objects.filter(code__in=parts).filter(
            Q(region__isnull=True) | Q(region__path__in=_ancestor_paths(region)))
        found = {i.code: i for i in usable}
        for part in parts:
            if part == code:
                raise ApplicationError(f"{label}的字段“{title}”不能引用指标自身。", field=key)
            if part not in found:
                raise ApplicationError(f"{label}的字段“{title}”引用的指标“{part}”不存在。", field=key)
            if found[part].is_ratio:
                raise ApplicationError(f"{label}的字段“{title}”引用的“{part}”本身是比率指标。", field=key)


def _ancestor_paths(region) -> list[str]:
    return [*region.ancestor_paths, region.path]


@transaction.atomic
def indicator_create(*, actor, region, code: str, name: str, category: str, unit: str,
                     value_type: str = ValueType.INTEGER, region_aggregation: str = RegionAggregation.SUM,
                     time_aggregation: str = TimeAggregation.SUM, numerator=(), denominator=(), factor=1,
                     aliases=(), population: str = "", description: str = "") -> Indicator:
    """Add a local indicator for ``region``; its code must not clash with any indicator and ratio parts must exist."""
    require_manage(actor, region)
    data = _validate(region, dict(
        code=code, name=name, category=category, unit=unit, value_type=value_type,
        region_aggregation=region_aggregation, time_aggregation=time_aggregation, numerator=numerator,
        denominator=denominator, factor=factor, aliases=aliases, population=population, description=description))
    last = Indicator.objects.order_by("-sort").first()
    indicator = Indicator.objects.create(region=region, sort=(last.sort if last else 0) + 10, **data)
    audit.record(actor=actor, action="indicator.create", instance=indicator, region_path=region.path,
                 changes=audit.model_changes(indicator, None, FIELDS))
    return indicator


@transaction.atomic
def indicator_update(*, actor, indicator: Indicator, **fields) -> Indicator:
    """Change a local indicator. Built-in indicators change only through the YAML catalogue."""
    if indicator.is_builtin:
        raise ApplicationError(f"内置指标“{indicator.code} {indicator.name}”不能修改。", field="code")
    require_manage(actor, indicator.region)
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise ApplicationError(f"指标“{indicator.code}”没有字段“{sorted(unknown)[0]}”。", field=sorted(unknown)[0])
    old = {name: getattr(indicator, name) for name in FIELDS}
    data = _validate(indicator.region, {**old, **fields}, indicator=indicator)
    for name in FIELDS:
        setattr(indicator, name, data[name])
    indicator.save()
    audit.record(actor=actor, action="indicator.update", instance=indicator, region_path=indicator.region.path,
                 changes=audit.model_changes(indicator, old, FIELDS))
    return indicator
