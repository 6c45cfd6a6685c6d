"""DHIS2 data value sets: reading and writing the exchange formats, and the import through the figure service.

kesu's identifiers in DHIS2's layout (identifier scheme CODE):

- ``dataElement`` = indicator code; ``period`` = ISO period id (2026, 2026S1, 2026Q3, 202611);
- ``orgUnit`` = region code; ``attributeOptionCombo`` = member unit id (empty = the region's own return);
- ``categoryOptionCombo``: kesu indicators have no disaggregation, so only an empty value or ``default`` is
  accepted — anything else is refused by name rather than dropped (two rows differing only by it would
  otherwise overwrite each other);
- ``comment`` = 情况说明; ``deleted`` = clear the figure.

Bodies: JSON (``{"dataValues": [...]}`` with set-level ``dataSet``, ``completeDate``, ``period``, ``orgUnit``,
``attributeOptionCombo`` defaults), CSV (DHIS2's column order, header optional, ``deleted`` column), DXF2 XML
(``<dataValueSet>``) and ADX (``<adx><group>``). The answer is DHIS2's ImportSummary; a refused row is a conflict
with DHIS2's error code, kesu's Chinese reason and the row's 0-based index.
"""

import csv
import io
import json
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from xml.etree import ElementTree

from django.core.exceptions import PermissionDenied
from django.db.models import Q

from kesu.core.exceptions import ApplicationError
from kesu.core.periods import HALF, MONTH, QUARTER, YEAR, Period
from kesu.core.spreadsheet import FORMULA_STARTS, safe_text
from kesu.orgs.models import Unit
from kesu.regions.models import Region

from .models import LOCKED_STATUSES, DataSet, IndicatorValue, Submission
from .services import figures as figure_service

CSV_COLUMNS = ["dataelement", "period", "orgunit", "categoryoptioncombo", "attributeoptioncombo", "value",
               "storedby", "lastupdated", "comment", "followup", "deleted"]
JSON_FIELDS = {"dataelement": "dataElement", "period": "period", "orgunit": "orgUnit",
               "categoryoptioncombo": "categoryOptionCombo", "attributeoptioncombo": "attributeOptionCombo",
               "value": "value", "storedby": "storedBy", "lastupdated": "lastUpdated", "timestamp": "lastUpdated",
               "created": "created", "comment": "comment", "followup": "followup", "deleted": "deleted"}
SET_DEFAULTS = ("period", "orgUnit", "attributeOptionCombo")
STRATEGIES = {"CREATE_AND_UPDATE", "CREATE", "UPDATE", "DELETE", "NEW_AND_UPDATES", "NEW", "UPDATES"}
DEFAULT_COMBOS = {"", "default", "HllvX50cXC0"}  # DHIS2's default category option combo, by name and by uid
ADX_NS = "urn:ihe:qrph:adx:2015"
DXF_NS = "http://dhis2.org/schema/dxf/2.0"
MAX_ROWS = 50_000
TRUE = {"true", "1", "t", "yes"}

# kesu refusal codes (set by the figure service) → DHIS2 error codes (ErrorCode.java, data import validation).
ERROR_CODES = {"unknown_indicator": "E7610", "uncovered": "E7632", "locked": "E7642", "submitted": "E7642",
               "closed": "E7640", "not_open": "E7643", "duplicate": "E7619", "conflict": "E7619",
               "forbidden": "E7617"}
FIELD_CODES = {"period": "E7611", "orgUnit": "E7612", "unit": "E7639", "value": "E7619", "explanation": "E7620",
               "indicator": "E7610"}
PROPERTIES = {"indicator": "dataElement", "period": "period", "orgUnit": "orgUnit", "unit": "attributeOptionCombo",
              "value": "value", "explanation": "comment", "version": "value"}


@dataclass
class Options:
    dry_run: bool = False
    strategy: str = "CREATE_AND_UPDATE"
    atomic: bool = True  # atomicMode=ALL
    history: bool = False  # kesu's own: load years kesu never collected as approved history (offices only)

    @classmethod
    def from_query(cls, params) -> "Options":
        strategy = (params.get("importStrategy") or "CREATE_AND_UPDATE").strip().upper()
        if strategy not in STRATEGIES:
            raise ApplicationError(f"importStrategy“{strategy}”不支持，应为 CREATE_AND_UPDATE、CREATE、UPDATE 或 DELETE。",
                                   field="importStrategy")
        legacy = {"NEW_AND_UPDATES": "CREATE_AND_UPDATE", "NEW": "CREATE", "UPDATES": "UPDATE"}
        strategy = legacy.get(strategy, strategy)
        atomic = (params.get("atomicMode") or "ALL").strip().upper()
        if atomic not in ("ALL", "NONE"):
            raise ApplicationError(f"atomicMode“{atomic}”不支持，应为 ALL 或 NONE。", field="atomicMode")
        for key in ("idScheme", "dataElementIdScheme", "orgUnitIdScheme"):
            scheme = (params.get(key) or "CODE").strip().upper()
            if scheme != "CODE":
                raise ApplicationError(f"{key}“{scheme}”不支持：科素以编码（CODE）标识指标和区域。", field=key)
        return cls(dry_run=_flag(params.get("dryRun")), strategy=strategy, atomic=atomic == "ALL",
                   history=_flag(params.get("history")))

    def as_dict(self) -> dict:
        return {"dryRun": self.dry_run, "importStrategy": self.strategy, "atomicMode": "ALL" if self.atomic else "NONE",
                "idSchemes": {"idScheme": "CODE"}, "history": self.history}


@dataclass
class Summary:
    total: int = 0
    imported: int = 0
    updated: int = 0
    deleted: int = 0
    conflicts: list = field(default_factory=list)

    def conflict(self, index: int, obj, message: str, code: str, prop: str) -> None:
        shown = "" if obj is None else str(obj)
        self.conflicts.append({"object": shown, "objects": {prop: shown},
                               "value": message, "errorCode": code, "property": prop, "indexes": [index]})

    def body(self, options: Options) -> tuple[int, dict]:
        rejected = sorted({i for c in self.conflicts for i in c["indexes"]})
        written = self.imported + self.updated + self.deleted
        if not self.conflicts:
            status, http, text, code = "SUCCESS", "OK", "导入成功。", 200
        elif options.atomic or not written:
            status, http, text, code = "ERROR", "Conflict", "导入失败：有冲突，未写入任何数据。", 409
        else:
            status, http, text, code = "WARNING", "Conflict", "部分导入：有冲突的行未写入。", 409
        response = {"responseType": "ImportSummary", "status": status, "importOptions": options.as_dict(),
                    "description": text,
                    "importCount": {"imported": self.imported, "updated": self.updated,
                                    "ignored": self.total - written, "deleted": self.deleted},
                    "conflicts": self.conflicts, "rejectedIndexes": rejected, "dataSetComplete": "false"}
        return code, {"httpStatus": http, "httpStatusCode": code, "status": "OK" if code == 200 else status,
                      "message": text, "response": response}


def _flag(raw) -> bool:
    return str(raw or "").strip().lower() in TRUE


# -- reading bodies --------------------------------------------------------------------------------------------------


def kind_of(content_type: str, suffix: str | None, body: bytes) -> str:
    """json, csv, xml or adx — from the URL suffix, else the content type, else the body's first character."""
    if suffix in ("json", "csv", "xml", "adx"):
        return suffix
    ct = (content_type or "").split(";")[0].strip().lower()
    if "adx" in ct:
        return "adx"
    if ct.endswith("csv"):
        return "csv"
    if ct.endswith("xml"):
        head = body[:400].decode("utf-8", errors="replace")
        return "adx" if ADX_NS in head or "<adx" in head else "xml"
    if ct in ("application/json", "") or ct.endswith("+json"):
        return "json"
    raise ApplicationError(f"不支持的内容类型“{ct}”：请以 application/json、text/csv、application/xml 或 "
                           f"application/adx+xml 提交。", field="body", extra={"status": 415})


def read(kind: str, body: bytes) -> list[dict]:
    """The rows of a body, each as DHIS2's JSON data value (keys dataElement, period, orgUnit …)."""
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ApplicationError("请求体不是 UTF-8 编码的文字。", field="body") from None
    rows = {"json": _read_json, "csv": _read_csv, "xml": _read_xml, "adx": _read_adx}[kind](text)
    if len(rows) > MAX_ROWS:
        raise ApplicationError(f"一次最多导入 {MAX_ROWS:,} 行（本次 {len(rows):,} 行），请分批导入。", field="dataValues")
    return rows


def _read_json(text: str) -> list[dict]:
    try:
        data = json.loads(text or "{}")
    except json.JSONDecodeError as exc:
        raise ApplicationError(f"JSON 格式不正确（第 {exc.lineno} 行）：{exc.msg}。", field="body") from None
    values = data.get("dataValues") if isinstance(data, dict) else None
    if not isinstance(values, list):
        raise ApplicationError("请求体应为 {\"dataValues\": [...]}。", field="dataValues")
    defaults = {k: data[k] for k in (*SET_DEFAULTS, "dataSet") if data.get(k) not in (None, "")}
    return [({**defaults, **row} if isinstance(row, dict) else row) for row in values]


def _read_csv(text: str) -> list[dict]:
    try:
        # newline="": the csv module itself reads CRLF, LF and a lone CR as row ends, as a file opened for it would
        rows = [r for r in csv.reader(io.StringIO(text, newline="")) if any(c.strip() for c in r)]
    except csv.Error as exc:
        raise ApplicationError(f"CSV 格式不正确：{exc}。", field="body") from None
    columns = CSV_COLUMNS
    if rows and rows[0] and rows[0][0].strip().lower() in ("dataelement", "dataelelement", "de"):
        columns = [c.strip().lower() for c in rows[0]]
        rows = rows[1:]
    out = []
    for r in rows:
        # A CSV row may be shorter than its header (trailing empty cells left out): those fields are simply absent.
        row = {JSON_FIELDS[c]: _unquote(v) for c, v in zip(columns, r, strict=False) if c in JSON_FIELDS}
        out.append(row)
    return out


def _unquote(text: str) -> str:
    """Undo the export's formula guard: an apostrophe kesu put before = + - @ is not part of the value."""
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_STARTS) else text


def _xml(text: str):
    try:
        return ElementTree.fromstring(text)
    except ElementTree.ParseError as exc:
        raise ApplicationError(f"XML 格式不正确（第 {exc.position[0]} 行）。", field="body") from None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _read_xml(text: str) -> list[dict]:
    root = _xml(text)
    if _local(root.tag) == "adx":
        return _adx_rows(root)
    if _local(root.tag) != "dataValueSet":
        raise ApplicationError(f"XML 根元素应为 dataValueSet（或 adx），收到“{_local(root.tag)}”。", field="body")
    defaults = {k: root.get(k) for k in (*SET_DEFAULTS, "dataSet") if root.get(k)}
    return [{**defaults, **el.attrib} for el in root if _local(el.tag) == "dataValue"]


def _read_adx(text: str) -> list[dict]:
    root = _xml(text)
    if _local(root.tag) != "adx":
        raise ApplicationError(f"ADX 根元素应为 adx，收到“{_local(root.tag)}”。", field="body")
    return _adx_rows(root)


_ADX_DURATIONS = {"P1Y": YEAR, "P6M": HALF, "P3M": QUARTER, "P1M": MONTH}
_ADX_VALUE_KEYS = {"dataElement", "value"}


def _adx_rows(root) -> list[dict]:
    """ADX groups (dataSet, orgUnit, period as start/duration) of dataValues; other attributes are disaggregations."""
    out = []
    for group in root:
        if _local(group.tag) != "group":
            continue
        base = {"orgUnit": group.get("orgUnit", ""), "period": adx_period(group.get("period", "")),
                "dataSet": group.get("dataSet", ""), "attributeOptionCombo": group.get("attributeOptionCombo", "")}
        for el in group:
            if _local(el.tag) != "dataValue":
                continue
            row = {**base, "dataElement": el.get("dataElement", ""), "value": el.get("value", "")}
            extra = sorted(set(el.attrib) - _ADX_VALUE_KEYS)
            if extra:
                row["categoryOptionCombo"] = ",".join(f"{k}={el.get(k)}" for k in extra)
            note = next((c.text for c in el if _local(c.tag) == "annotation"), None)
            if note:
                row["comment"] = note
            out.append(row)
    return out


def adx_period(text: str) -> str:
    """ADX ``2026-01-01/P3M`` → kesu ``2026Q1``; anything that is not a kesu period is returned as given."""
    start, _, duration = text.partition("/")
    kind = _ADX_DURATIONS.get(duration.upper())
    try:
        day = date.fromisoformat(start)
    except ValueError:
        return text
    if kind is None:
        return text
    index = {YEAR: 1, HALF: (day.month - 1) // 6 + 1, QUARTER: (day.month - 1) // 3 + 1, MONTH: day.month}[kind]
    period = Period(day.year, kind, index)
    return period.id if period.start == day else text


def adx_text(period_id: str) -> str:
    period = Period.parse(period_id)
    duration = {YEAR: "P1Y", HALF: "P6M", QUARTER: "P3M", MONTH: "P1M"}[period.kind]
    return f"{period.start.isoformat()}/{duration}"


# -- import ----------------------------------------------------------------------------------------------------------


def datavalues_import(*, actor, rows: list, options: Options) -> Summary:
    """Map DHIS2 rows onto kesu figures and write them through the figure service; the summary says what happened."""
    summary = Summary(total=len(rows))
    figures, index_of = [], {}
    lookup = _Lookup(rows)
    for i, raw in enumerate(rows):
        try:
            figure = _figure(raw, i, lookup, options)
        except _Refused as exc:
            summary.conflict(i, exc.obj, exc.message, exc.code, exc.prop)
            continue
        if figure is not None:
            figures.append(figure)
            index_of[figure.row] = i
    figures = _by_strategy(figures, options)
    # A payload already refused as a whole is still checked in full (without writing), so every conflict is told.
    refused = bool(summary.conflicts) and options.atomic
    result = figure_service.figures_write(actor=actor, figures=figures, door="dhis2",
                                          dry_run=options.dry_run or refused, partial=not options.atomic,
                                          mode=figure_service.HISTORY if options.history else figure_service.COLLECT,
                                          reason="DHIS2 历史数据导入" if options.history else "")
    for e in result.errors:
        code = ERROR_CODES.get(e.extra.get("code")) or FIELD_CODES.get(e.field or "", "E7619")
        prop = PROPERTIES.get(e.field or "", "value")
        i = index_of[e.row]
        summary.conflict(i, rows[i].get(prop) if isinstance(rows[i], dict) else None, e.message, code, prop)
    summary.conflicts.sort(key=lambda c: c["indexes"][0])
    if not refused and not (result.errors and options.atomic):
        summary.imported, summary.updated, summary.deleted = result.created, result.updated, result.deleted
    return summary


class _Refused(Exception):
    def __init__(self, message, *, obj, code, prop):
        super().__init__(message)
        self.message, self.obj, self.code, self.prop = message, obj, code, prop


class _Lookup:
    """Regions, units and data sets named by a payload, each loaded once (not a query per row)."""

    def __init__(self, rows):
        dicts = [r for r in rows if isinstance(r, dict)]
        codes = {str(r.get("orgUnit") or "").strip() for r in dicts}
        self.regions = {r.code: r for r in Region.objects.filter(code__in=codes - {""})}
        ids = {str(r.get("attributeOptionCombo") or "").strip() for r in dicts}
        self.units = Unit.objects.in_bulk([int(i) for i in ids if i.isdigit() and len(i) < 10])
        names = {str(r.get("dataSet") or "").strip() for r in dicts} - {""}
        self.data_sets: dict = {}
        if names:
            for ds in DataSet.objects.filter(code__in=names).prefetch_related("indicators"):
                self.data_sets.setdefault(ds.code, set()).update(i.code for i in ds.indicators.all())


def _text(raw, key) -> str:
    value = raw.get(key)
    return "" if value is None else str(value).strip()


def _figure(raw, i: int, lookup: _Lookup, options: Options):
    if not isinstance(raw, dict):
        raise _Refused(f"第 {i + 1} 行：应为对象。", obj=None, code="E7619", prop="dataValues")
    for key, label, code in (("dataElement", "指标编码", "E7610"), ("period", "报告期", "E7611"),
                             ("orgUnit", "区域编码", "E7612")):
        if not _text(raw, key):
            raise _Refused(f"缺少{label}（{key}）。", obj="", code=code, prop=key)
    region = lookup.regions.get(_text(raw, "orgUnit"))
    if region is None:
        raise _Refused(f"区域编码“{_text(raw, 'orgUnit')}”不存在。", obj=_text(raw, "orgUnit"), code="E7612",
                       prop="orgUnit")
    combo = _text(raw, "categoryOptionCombo")
    if combo not in DEFAULT_COMBOS:
        raise _Refused(f"科素的指标没有分类细分，categoryOptionCombo 只能为空或 default（收到“{combo}”）。",
                       obj=combo, code="E7613", prop="categoryOptionCombo")
    unit_raw = _text(raw, "attributeOptionCombo")
    unit = None
    if unit_raw and unit_raw != "default":
        unit = lookup.units.get(int(unit_raw)) if unit_raw.isdigit() and len(unit_raw) < 10 else None
        if unit is None:
            raise _Refused(f"attributeOptionCombo“{unit_raw}”不是科素的单位编号（空表示区域本级）。", obj=unit_raw,
                           code="E7615", prop="attributeOptionCombo")
    data_set = _text(raw, "dataSet")
    if data_set:
        members = lookup.data_sets.get(data_set)
        if members is None:
            raise _Refused(f"数据集编码“{data_set}”不存在。", obj=data_set, code="E7600", prop="dataSet")
        if _text(raw, "dataElement") not in members:
            raise _Refused(f"指标“{_text(raw, 'dataElement')}”不属于数据集“{data_set}”。", obj=_text(raw, "dataElement"),
                           code="E7633", prop="dataElement")
    delete = options.strategy == "DELETE" or _flag(raw.get("deleted"))
    comment = raw.get("comment")
    return figure_service.Figure(
        indicator=_text(raw, "dataElement"), region=region, unit=unit, period=_text(raw, "period"),
        value=None if delete else raw.get("value"), explanation=None if comment is None else str(comment),
        delete=delete, row=i + 1, source="")


def _by_strategy(figures: list, options: Options) -> list:
    """CREATE leaves stored figures alone and UPDATE leaves missing ones alone (DHIS2 counts both as ignored)."""
    if options.strategy not in ("CREATE", "UPDATE") or not figures:
        return figures
    q = Q()
    for f in figures:
        q |= Q(indicator__code=str(f.indicator), region=f.region, unit=f.unit, period_id=str(f.period).upper())
    stored = set(IndicatorValue.objects.filter(q, value__isnull=False).values_list(
        "indicator__code", "region_id", "unit_id", "period_id"))
    keep = []
    for f in figures:
        exists = (str(f.indicator), f.region.pk, f.unit.pk if f.unit else None, str(f.period).upper()) in stored
        if exists == (options.strategy == "UPDATE"):
            keep.append(f)
    return keep


# -- export ----------------------------------------------------------------------------------------------------------


@dataclass
class ExportQuery:
    org_units: list = field(default_factory=list)
    children: bool = True
    periods: list = field(default_factory=list)
    start: date | None = None
    end: date | None = None
    data_sets: list = field(default_factory=list)
    data_elements: list = field(default_factory=list)
    last_updated: date | None = None
    limit: int = 5000
    offset: int = 0


@dataclass
class ExportPage:
    rows: list
    has_more: bool
    offset: int
    limit: int


def datavalues_export(scope, query: ExportQuery) -> ExportPage:
    """The scope's figures as DHIS2 data values, filtered and paged (``has_more`` says a next page exists).

    Viewers see approved figures only; fillers their own unit's.
    """
    qs = IndicatorValue.objects.filter(value__isnull=False)
    if scope.is_filler:
        qs = qs.filter(unit_id=scope.unit_id)
    elif not scope.is_admin:
        qs = qs.filter(scope.region_q("region__"))
    if query.org_units:
        regions = list(Region.objects.filter(code__in=query.org_units))
        if len(regions) < len(set(query.org_units)):
            missing = sorted(set(query.org_units) - {r.code for r in regions})
            raise ApplicationError(f"区域编码“{missing[0]}”不存在。", field="orgUnit")
        hidden = [r for r in regions if not scope.is_filler and not scope.sees_region(r)]
        if hidden:
            raise PermissionDenied(f"无权查看{hidden[0].name}的数据")
        where = Q()
        for r in regions:
            where |= Q(region__path__startswith=r.path) if query.children else Q(region=r)
        qs = qs.filter(where)
    if query.periods:
        qs = qs.filter(period_id__in=[Period.parse(p).id for p in query.periods])
    if query.data_elements:
        qs = qs.filter(indicator__code__in=query.data_elements)
    if query.data_sets:
        sets = DataSet.objects.filter(code__in=query.data_sets)
        qs = qs.filter(indicator__in=DataSet.indicators.through.objects.filter(dataset__in=sets)
                       .values("indicator_id"))
    if query.last_updated:
        qs = qs.filter(updated_at__date__gte=query.last_updated)
    qs = qs.select_related("indicator", "region", "updated_by").order_by("region__path", "unit_id", "indicator__code",
                                                                         "period_id")
    if query.start or query.end:
        qs = qs.filter(period_id__in=periods_between(query.start, query.end))
    rows = list(qs[query.offset:query.offset + query.limit + 1])
    has_more = len(rows) > query.limit
    rows = rows[:query.limit]
    if not (scope.is_admin or scope.is_office or scope.is_filler):
        approved = _approved(rows)
        rows = [r for r in rows if (r.region_id, r.unit_id, r.period_id, r.indicator_id) in approved]
    return ExportPage(rows=[_as_value(r) for r in rows], has_more=has_more, offset=query.offset, limit=query.limit)


def periods_between(start: date | None, end: date | None) -> list[str]:
    """Every period id (any type) lying wholly within [start, end]: DHIS2's startDate/endDate filter."""
    start = start or date(1949, 1, 1)
    end = end or date(2200, 12, 31)
    ids = []
    for year in range(max(start.year, 1949), min(end.year, 2200) + 1):
        for kind, count in ((YEAR, 1), (HALF, 2), (QUARTER, 4), (MONTH, 12)):
            for index in range(1, count + 1):
                p = Period(year, kind, index)
                if start <= p.start and p.end <= end:
                    ids.append(p.id)
    return ids


def _approved(rows) -> set:
    if not rows:
        return set()
    subs = Submission.objects.filter(region_id__in={r.region_id for r in rows},
                                     period_id__in={r.period_id for r in rows},
                                     status__in=LOCKED_STATUSES).values_list("region_id", "unit_id", "period_id",
                                                                             "data_set_id")
    members = {}
    for ds, ind in DataSet.indicators.through.objects.values_list("dataset_id", "indicator_id"):
        members.setdefault(ds, set()).add(ind)
    return {(r, u, p, i) for r, u, p, ds in subs for i in members.get(ds, ())}


def value_text(value: Decimal) -> str:
    """The stored figure exactly, without trailing zeros or an exponent (``1E+3`` would not read back as 1000)."""
    text = format(value.normalize(), "f")
    return text


def _as_value(r: IndicatorValue) -> dict:
    return {"dataElement": r.indicator.code, "period": r.period_id, "orgUnit": r.region.code,
            "categoryOptionCombo": "", "attributeOptionCombo": str(r.unit_id) if r.unit_id else "",
            "value": value_text(r.value), "storedBy": r.updated_by.username if r.updated_by else "",
            "created": r.created_at.isoformat(timespec="seconds"),
            "lastUpdated": r.updated_at.isoformat(timespec="seconds"), "comment": r.explanation, "followup": False}


def as_csv(values: list[dict]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(CSV_COLUMNS)
    for v in values:
        # Text that a spreadsheet would run is guarded; the import strips the guard again (see ``_unquote``).
        writer.writerow([v["dataElement"], v["period"], v["orgUnit"], "", v["attributeOptionCombo"], v["value"],
                         safe_text(v["storedBy"]), v["lastUpdated"], safe_text(v["comment"]), "false", "false"])
    return buf.getvalue()


def as_adx(values: list[dict]) -> str:
    root = ElementTree.Element("adx", {"xmlns": ADX_NS})
    groups: dict = {}
    for v in values:
        key = (v["orgUnit"], v["period"], v["attributeOptionCombo"])
        if key not in groups:
            attrs = {"orgUnit": v["orgUnit"], "period": adx_text(v["period"])}
            if v["attributeOptionCombo"]:
                attrs["attributeOptionCombo"] = v["attributeOptionCombo"]
            groups[key] = ElementTree.SubElement(root, "group", attrs)
        el = ElementTree.SubElement(groups[key], "dataValue", {"dataElement": v["dataElement"], "value": v["value"]})
        if v["comment"]:
            ElementTree.SubElement(el, "annotation").text = v["comment"]
    return ElementTree.tostring(root, encoding="unicode")


def parse_day(raw, name: str) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(str(raw)[:10])
    except ValueError:
        raise ApplicationError(f"{name}“{raw}”应为日期（2026-01-31）。", field=name) from None


__all__ = ["ExportQuery", "Options", "as_csv", "datavalues_export", "datavalues_import", "kind_of", "read"]
