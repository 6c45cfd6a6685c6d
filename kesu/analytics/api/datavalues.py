"""Bulk exchange in the DHIS2 data-value-set layout, with kesu codes:

- ``dataElement`` = indicator code, ``period`` = ISO period id (2026, 2026Q3, 202611 …), ``orgUnit`` = region code,
  ``attributeOptionCombo`` = member unit id (empty = the region's own return), ``value``, ``comment`` = 情况说明.
- JSON: ``{"dataValues": [{...}, ...]}``; CSV: the DHIS2 column order
  ``dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value,storedby,lastupdated,comment,followup``.

An import is all-or-nothing: every row goes through the same value service as a form cell; the first bad row stops
the import with its row number, field and reason, and nothing is written.
"""

import csv
import io
import json

from django.db import transaction
from django.http import HttpResponse
from ninja import Router

from kesu.collection import services as collection
from kesu.core.exceptions import ApplicationError
from kesu.core.spreadsheet import safe_row
from kesu.regions.models import Region

from .common import scope_of
from .records import _reporter, _value_rows, scoped_values

router = Router()

CSV_COLUMNS = ["dataelement", "period", "orgunit", "categoryoptioncombo", "attributeoptioncombo", "value",
               "storedby", "lastupdated", "comment", "followup"]
MAX_ROWS = 50_000


@router.get("/dataValueSets", summary="导出数据（DHIS2 dataValueSets 格式，JSON 或 CSV）")
def export(request, region: str | None = None, period: str | None = None, indicator: str | None = None,
           format: str = "json"):
    scope = scope_of(request)
    qs, root = scoped_values(scope, region=region, period=period, indicator=indicator)
    root = root or Region.objects.filter(parent__isnull=True).first()
    rows = _value_rows(scope, qs, root) if root else []
    values = [{"dataElement": r.indicator, "period": r.period, "orgUnit": r.region,
               "attributeOptionCombo": str(r.unit) if r.unit else "", "value": _text(r.value),
               "comment": r.explanation} for r in rows if r.value is not None]
    if format == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf)
        writer.writerow(CSV_COLUMNS)
        for v in values:
            writer.writerow(safe_row([v["dataElement"], v["period"], v["orgUnit"], "", v["attributeOptionCombo"],
                                      v["value"], "", "", v["comment"], "false"]))
        response = HttpResponse(buf.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="dataValueSets.csv"'
        return response
    return {"dataValues": values}


def _text(value) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _parse(request) -> list[dict]:
    body = request.body.decode("utf-8-sig", errors="replace")
    is_csv = "csv" in (request.content_type or "") or request.GET.get("format") == "csv"
    if is_csv:
        reader = csv.reader(io.StringIO(body))
        rows = [r for r in reader if any(c.strip() for c in r)]
        if rows and rows[0] and rows[0][0].strip().lower() == "dataelement":
            rows = rows[1:]
        out = []
        for r in rows:
            r = (r + [""] * len(CSV_COLUMNS))[: len(CSV_COLUMNS)]
            out.append({"dataElement": r[0], "period": r[1], "orgUnit": r[2], "attributeOptionCombo": r[4],
                        "value": r[5], "comment": r[8]})
        return out
    try:
        data = json.loads(body or "{}")
    except json.JSONDecodeError as exc:
        raise ApplicationError(f"JSON 格式不正确（第 {exc.lineno} 行）：{exc.msg}。", field="body") from None
    values = data.get("dataValues") if isinstance(data, dict) else None
    if not isinstance(values, list):
        raise ApplicationError("请求体应为 {\"dataValues\": [...]}。", field="dataValues")
    return values


@router.post("/dataValueSets", summary="导入数据（DHIS2 dataValueSets 格式，JSON 或 CSV；全部成功或全部不写入）",
             openapi_extra={"requestBody": {"content": {
                 "application/json": {"schema": {"type": "object", "properties": {"dataValues": {"type": "array"}}}},
                 "text/csv": {"schema": {"type": "string"}}}}})
def import_(request):
    scope = scope_of(request)
    rows = _parse(request)
    if len(rows) > MAX_ROWS:
        raise ApplicationError(f"一次最多导入 {MAX_ROWS} 行（本次 {len(rows)} 行），请分批导入。", field="dataValues")
    imported = updated = ignored = 0
    with transaction.atomic():
        for n, row in enumerate(rows, 1):
            if not isinstance(row, dict):
                raise ApplicationError(f"第 {n} 行：应为对象。", field="dataValues", row=n)
            try:
                for key, label in (("dataElement", "指标编码"), ("period", "报告期"), ("orgUnit", "区域编码")):
                    if not str(row.get(key) or "").strip():
                        raise ApplicationError(f"缺少{label}（{key}）。", field=key)
                unit_raw = str(row.get("attributeOptionCombo") or "").strip()
                if unit_raw and not unit_raw.isdigit():
                    raise ApplicationError(f"单位“{unit_raw}”应为单位编号（数字）。", field="attributeOptionCombo")
                rep = _reporter(scope, str(row["orgUnit"]).strip(), int(unit_raw) if unit_raw else None)
                existed = rep.region.values.filter(indicator__code=str(row["dataElement"]).strip(), unit=rep.unit,
                                                   period_id=str(row["period"]).strip().upper()).exists()
                result = collection.value_upsert(actor=request.auth, indicator=str(row["dataElement"]).strip(),
                                                 region=rep.region, unit=rep.unit, period=str(row["period"]),
                                                 value=row.get("value"), explanation=row.get("comment") or None,
                                                 source="API dataValueSets")
            except ApplicationError as exc:
                raise ApplicationError(f"第 {n} 行：{exc.message}", field=exc.field, row=n) from None
            except Exception as exc:  # PermissionDenied / Http404 from the scope checks: name the row too
                from django.core.exceptions import PermissionDenied
                from django.http import Http404
                if isinstance(exc, (PermissionDenied, Http404)):
                    raise ApplicationError(f"第 {n} 行：无权填报区域“{row.get('orgUnit')}”"
                                           f"{('单位 ' + unit_raw) if unit_raw else ''}的数据。", field="orgUnit",
                                           row=n) from None
                raise
            if not result.changed:
                ignored += 1
            elif existed:
                updated += 1
            else:
                imported += 1
    return {"status": "SUCCESS", "importCount": {"imported": imported, "updated": updated, "ignored": ignored,
                                                 "deleted": 0}}
