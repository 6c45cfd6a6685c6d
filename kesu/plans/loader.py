"""Loading the built-in frameworks (纲要) and the indicator catalogue from the YAML files shipped in the package.

The load is idempotent: built-in rows are matched by code and updated in place, never duplicated, and localised
copies (frameworks and indicators with a region) are never touched. Every file is parsed and checked before
anything is written, and the writes run in one transaction, so a broken file leaves the database as it was.
References (an item's parent, a ratio's numerator and denominator) are resolved regardless of their order in the
file.
"""

import json
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml
from django.db import transaction

from kesu.core import audit
from kesu.core.exceptions import ApplicationError
from kesu.orgs.models import UnitKind

from .models import (
    POPULATIONS,
    Category,
    Framework,
    FrameworkItem,
    Indicator,
    ItemKind,
    RegionAggregation,
    Task,
    TimeAggregation,
    ValueType,
)

FRAMEWORK_DIR = Path(__file__).resolve().parent / "frameworks"
BUILTIN_FRAMEWORK_FILES = ("kxsz-2006-2020.yaml", "kxsz-2021-2035.yaml")
INDICATOR_FILE = "indicators.yaml"

CODE_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_.\-]*$")
INDICATOR_CODE_RE = re.compile(r"^[A-Z][A-Z0-9_]*$")

FRAMEWORK_KEYS = {"code", "name", "doc_no", "issued_on", "start_year", "end_year", "details", "items"}
ITEM_KEYS = {"code", "parent", "kind", "name", "population", "default_leads", "leads_unverified",
             "local_lead_kinds", "unverified", "details"}
INDICATOR_KEYS = {"code", "name", "category", "unit", "value_type", "region_agg", "time_agg", "numerator",
                  "denominator", "factor", "aliases", "population", "description", "unverified", "min_value",
                  "max_value"}


@dataclass
class LoadResult:
    """What a load changed, per kind of row: {"framework": n, "item": n, "indicator": n}."""

    created: dict = field(default_factory=lambda: {"framework": 0, "item": 0, "indicator": 0})
    updated: dict = field(default_factory=lambda: {"framework": 0, "item": 0, "indicator": 0})
    deleted: dict = field(default_factory=lambda: {"item": 0})

    @property
    def changed(self) -> bool:
        return any(self.created.values()) or any(self.updated.values()) or any(self.deleted.values())

    def summary(self) -> str:
        return (f"纲要框架 新增{self.created['framework']}、更新{self.updated['framework']}；"
                f"纲要条目 新增{self.created['item']}、更新{self.updated['item']}、删除{self.deleted['item']}；"
                f"指标 新增{self.created['indicator']}、更新{self.updated['indicator']}")


# -- entry point ---------------------------------------------------------------------------------------------------

def load_builtin(*, actor=None, framework_files=None, indicator_file=None) -> LoadResult:
    """Load (or refresh) the built-in frameworks and indicator catalogue. Refuses a broken file as a whole."""
    framework_paths = [Path(p) for p in framework_files] if framework_files is not None else [
        FRAMEWORK_DIR / name for name in BUILTIN_FRAMEWORK_FILES]
    indicator_path = Path(indicator_file) if indicator_file is not None else FRAMEWORK_DIR / INDICATOR_FILE

    indicator_specs = parse_indicator_file(indicator_path) if indicator_path else []
    framework_specs = [parse_framework_file(path) for path in framework_paths]
    _check_framework_codes_distinct(framework_specs)

    result = LoadResult()
    with transaction.atomic():
        _write_indicators(indicator_specs, indicator_path, result)
        for spec in framework_specs:
            _write_framework(spec, result)
        if result.changed:
            audit.record(actor=actor, action="framework.load", object_type="plans.framework", object_id="builtin",
                         object_repr="内置纲要框架和指标目录", changes={"summary": result.summary()},
                         source="kesu/plans/frameworks")
    return result


# -- reading and checking ------------------------------------------------------------------------------------------

def _read_yaml(path: Path) -> dict:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ApplicationError(f"文件“{path.name}”不存在。", field="file") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"第{mark.line + 1}行" if mark else ""
        raise ApplicationError(f"文件“{path.name}”{where}不是有效的 YAML：{getattr(exc, 'problem', exc)}。",
                               field="file") from None
    if not isinstance(data, dict):
        raise ApplicationError(f"文件“{path.name}”的内容应为一个映射（键: 值）。", field="file")
    return data


def _fail(path: Path, what: str, field_name: str, reason: str) -> ApplicationError:
    return ApplicationError(f"文件“{path.name}”中{what}的字段“{field_name}”{reason}。", field=field_name)


def _text(path, what, entry, key, *, required=True, max_length=None) -> str:
    value = entry.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise _fail(path, what, key, "不能为空")
        return ""
    if not isinstance(value, (str, int, float)):
        raise _fail(path, what, key, "应为文字")
    value = str(value).strip()
    if max_length and len(value) > max_length:
        raise _fail(path, what, key, f"超过{max_length}个字符")
    return value


def _str_list(path, what, entry, key) -> list[str]:
    value = entry.get(key) or []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise _fail(path, what, key, "应为文字列表")
    return [v.strip() for v in value]


def _bool(path, what, entry, key) -> bool:
    value = entry.get(key, False)
    if not isinstance(value, bool):
        raise _fail(path, what, key, "应为 true 或 false")
    return value


def _unknown_keys(path, what, entry, allowed):
    unknown = sorted(set(entry) - allowed)
    if unknown:
        raise _fail(path, what, unknown[0], "不是可识别的字段（请检查拼写）")


def _plain_json(value):
    """Details may hold YAML dates; store them as ISO text so that JSON columns accept them."""
    return json.loads(json.dumps(value or {}, ensure_ascii=False, default=str))


def parse_framework_file(path: Path) -> dict:
    path = Path(path)
    data = _read_yaml(path)
    what = "纲要"
    _unknown_keys(path, what, data, FRAMEWORK_KEYS)
    code = _text(path, what, data, "code", max_length=40)
    if not CODE_RE.match(code):
        raise _fail(path, what, "code", f"“{code}”只能由字母、数字、点、横线和下划线组成")
    what = f"纲要“{code}”"
    spec = {
        "code": code,
        "name": _text(path, what, data, "name", max_length=120),
        "doc_no": _text(path, what, data, "doc_no", required=False, max_length=60),
        "issued_on": data.get("issued_on"),
        "details": _plain_json(data.get("details")),
    }
    for key in ("start_year", "end_year"):
        value = data.get(key)
        if not isinstance(value, int) or not 1900 <= value <= 2200:
            raise _fail(path, what, key, "应为四位年份")
        spec[key] = value
    if spec["end_year"] < spec["start_year"]:
        raise _fail(path, what, "end_year", "早于起始年份")
    if spec["issued_on"] is not None and not hasattr(spec["issued_on"], "isoformat"):
        raise _fail(path, what, "issued_on", "应为日期（如 2021-06-03）")
    items = data.get("items") or []
    if not isinstance(items, list) or not items:
        raise _fail(path, what, "items", "应为非空的条目列表")
    spec["items"] = _parse_items(path, items)
    return spec


def _parse_items(path: Path, entries: list) -> list[dict]:
    specs, seen = [], set()
    for index, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            raise ApplicationError(f"文件“{path.name}”中第{index}个条目应为一个映射。", field="items")
        what = f"第{index}个条目"
        code = _text(path, what, entry, "code", max_length=20)
        what = f"条目“{code}”"
        _unknown_keys(path, what, entry, ITEM_KEYS)
        if not CODE_RE.match(code):
            raise _fail(path, what, "code", "只能由字母、数字、点、横线和下划线组成")
        if code in seen:
            raise _fail(path, what, "code", "与前面的条目重复")
        seen.add(code)
        kind = _text(path, what, entry, "kind")
        if kind not in ItemKind.values:
            raise _fail(path, what, "kind", f"“{kind}”不是可识别的类别（可选：{'、'.join(ItemKind.values)}）")
        kinds = _str_list(path, what, entry, "local_lead_kinds")
        for unit_kind in kinds:
            if unit_kind not in UnitKind.values:
                raise _fail(path, what, "local_lead_kinds", f"中的“{unit_kind}”不是可识别的部门类别")
        specs.append({
            "code": code,
            "parent": _text(path, what, entry, "parent", required=False),
            "kind": kind,
            "name": _text(path, what, entry, "name", max_length=120),
            "population": _text(path, what, entry, "population", required=False, max_length=30),
            "default_leads": _str_list(path, what, entry, "default_leads"),
            "local_lead_kinds": kinds,
            "unverified": _bool(path, what, entry, "unverified"),
            "leads_unverified": _bool(path, what, entry, "leads_unverified"),
            "details": _plain_json(entry.get("details")),
            "sort": index * 10,
        })
    return _parents_first(path, specs)


def _parents_first(path: Path, specs: list[dict]) -> list[dict]:
    """Order items so that each parent precedes its children; refuse missing parents and cycles."""
    by_code = {spec["code"]: spec for spec in specs}
    for spec in specs:
        parent = spec["parent"]
        if parent and parent not in by_code:
            raise _fail(path, f"条目“{spec['code']}”", "parent", f"引用的上级条目“{parent}”不存在")
    ordered, placed = [], set()

    def place(spec, trail):
        if spec["code"] in placed:
            return
        if spec["code"] in trail:
            raise _fail(path, f"条目“{spec['code']}”", "parent", "形成了循环引用")
        if spec["parent"]:
            place(by_code[spec["parent"]], trail | {spec["code"]})
        placed.add(spec["code"])
        ordered.append(spec)

    for spec in specs:
        place(spec, set())
    return ordered


def parse_indicator_file(path: Path) -> list[dict]:
    path = Path(path)
    data = _read_yaml(path)
    entries = data.get("indicators")
    if not isinstance(entries, list) or not entries:
        raise ApplicationError(f"文件“{path.name}”应包含非空的 indicators 列表。", field="indicators")
    specs, seen = [], set()
    for index, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            raise ApplicationError(f"文件“{path.name}”中第{index}个指标应为一个映射。", field="indicators")
        spec = _parse_indicator(path, entry, index)
        if spec["code"] in seen:
            raise _fail(path, f"指标“{spec['code']}”", "code", "与前面的指标重复")
        seen.add(spec["code"])
        specs.append(spec)
    _check_ratio_parts(path, specs)
    return specs


def _parse_indicator(path: Path, entry: dict, index: int) -> dict:
    code = _text(path, f"第{index}个指标", entry, "code", max_length=40)
    what = f"指标“{code}”"
    _unknown_keys(path, what, entry, INDICATOR_KEYS)
    if not INDICATOR_CODE_RE.match(code):
        raise _fail(path, what, "code", "只能由大写字母、数字和下划线组成，并以字母开头")
    spec = {
        "code": code,
        "name": _text(path, what, entry, "name", max_length=120),
        "unit": _text(path, what, entry, "unit", max_length=20),
        "description": _text(path, what, entry, "description", required=False),
        "population": _text(path, what, entry, "population", required=False),
        "aliases": _str_list(path, what, entry, "aliases"),
        "numerator": _str_list(path, what, entry, "numerator"),
        "denominator": _str_list(path, what, entry, "denominator"),
        "unverified": _bool(path, what, entry, "unverified"),
        "sort": index * 10,
    }
    choices = [("category", "category", Category), ("value_type", "value_type", ValueType),
               ("region_agg", "region_aggregation", RegionAggregation),
               ("time_agg", "time_aggregation", TimeAggregation)]
    for key, model_field, enum in choices:
        value = entry.get(key, ValueType.INTEGER if key == "value_type" else None)
        if value is None:
            raise _fail(path, what, key, "不能为空")
        if value not in enum.values:
            raise _fail(path, what, key, f"“{value}”不是可识别的取值（可选：{'、'.join(enum.values)}）")
        spec[model_field] = value
    if spec["population"] and spec["population"] not in POPULATIONS:
        raise _fail(path, what, "population", f"“{spec['population']}”不是可识别的重点人群")
    for key in ("factor", "min_value", "max_value"):
        raw = entry.get(key, 1 if key == "factor" else None)
        if raw is None:
            spec[key] = None
            continue
        try:
            spec[key] = Decimal(str(raw))
        except InvalidOperation:
            raise _fail(path, what, key, "应为数字") from None
    if spec["factor"] <= 0:
        raise _fail(path, what, "factor", "应为正数")
    is_ratio = spec["region_aggregation"] == RegionAggregation.RATIO
    if is_ratio and not (spec["numerator"] and spec["denominator"]):
        missing = "numerator" if not spec["numerator"] else "denominator"
        raise _fail(path, what, missing, "不能为空：比率指标需要分子和分母")
    if not is_ratio and (spec["numerator"] or spec["denominator"]):
        key = "numerator" if spec["numerator"] else "denominator"
        raise _fail(path, what, key, "只适用于比率指标（region_agg: ratio）")
    return spec


def _check_ratio_parts(path: Path, specs: list[dict]) -> None:
    """Every ratio part names an indicator of this file or an existing built-in one, and is not itself a ratio."""
    ratio_codes = {s["code"] for s in specs if s["region_aggregation"] == RegionAggregation.RATIO}
    known = {s["code"] for s in specs}
    known |= set(Indicator.objects.filter(region__isnull=True).values_list("code", flat=True))
    for spec in specs:
        for key in ("numerator", "denominator"):
            for part in spec[key]:
                if part not in known:
                    raise _fail(path, f"指标“{spec['code']}”", key, f"引用的指标“{part}”不存在")
                if part in ratio_codes:
                    raise _fail(path, f"指标“{spec['code']}”", key, f"引用的“{part}”本身是比率指标，不能再作分子或分母")


def _check_framework_codes_distinct(specs: list[dict]) -> None:
    seen = set()
    for spec in specs:
        if spec["code"] in seen:
            raise ApplicationError(f"纲要编码“{spec['code']}”在多个文件中重复。", field="code")
        seen.add(spec["code"])


# -- writing -------------------------------------------------------------------------------------------------------

def _apply(instance, values: dict) -> bool:
    """Set ``values`` on ``instance``; True when something differed."""
    changed = False
    for name, value in values.items():
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed = True
    return changed


def _write_indicators(specs: list[dict], path: Path | None, result: LoadResult) -> None:
    existing = {i.code: i for i in Indicator.objects.filter(code__in=[s["code"] for s in specs])}
    for spec in specs:
        indicator = existing.get(spec["code"])
        if indicator is not None and indicator.region_id is not None:
            raise _fail(path, f"指标“{spec['code']}”", "code",
                        f"已被“{indicator.region}”的本地指标使用，请先修改该本地指标的编码")
        if indicator is None:
            Indicator.objects.create(**spec)
            result.created["indicator"] += 1
        elif _apply(indicator, spec):
            indicator.save()
            result.updated["indicator"] += 1


def _write_framework(spec: dict, result: LoadResult) -> None:
    values = {k: spec[k] for k in ("name", "doc_no", "issued_on", "start_year", "end_year", "details")}
    framework = Framework.objects.filter(code=spec["code"], region__isnull=True).first()
    if framework is None:
        framework = Framework.objects.create(code=spec["code"], **values)
        result.created["framework"] += 1
    elif _apply(framework, values):
        framework.save()
        result.updated["framework"] += 1

    items = {item.code: item for item in framework.items.all()}
    for item_spec in spec["items"]:  # parents come first
        values = {k: v for k, v in item_spec.items() if k not in ("code", "parent")}
        values["parent"] = items[item_spec["parent"]] if item_spec["parent"] else None
        item = items.get(item_spec["code"])
        if item is None:
            items[item_spec["code"]] = FrameworkItem.objects.create(framework=framework, code=item_spec["code"],
                                                                    **values)
            result.created["item"] += 1
        elif _apply(item, values):
            item.save()
            result.updated["item"] += 1

    # Items dropped from the file go, unless a plan's task still points at them.
    wanted = {s["code"] for s in spec["items"]}
    for code, item in items.items():
        if code not in wanted and not Task.objects.filter(item=item).exists():
            deleted, _ = FrameworkItem.objects.filter(pk=item.pk).delete()
            result.deleted["item"] += 1 if deleted else 0
