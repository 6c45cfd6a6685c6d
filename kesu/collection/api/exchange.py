"""DHIS2 data value sets (``/api/dataValueSets`` with ``.json``/``.csv``/``.xml``
/``.adx`` suffixes). Reading and writing go through ``kesu.collection.dhis2`` and the figure service."""

from typing import Literal

from django.http import HttpResponse, JsonResponse
from ninja import Query, Router, Schema
from pydantic import Field

from kesu.accounts.api_auth import scope_of
from kesu.core.exceptions import ApplicationError

from .. import dhis2

router = Router()

_ROW = {"type": "object", "required": ["dataElement", "period", "orgUnit"], "properties": {
    "dataElement": {"type": "string", "description": "指标编码"},
    "period": {"type": "string", "pattern": r"^\d{4}(S[12]|Q[1-4]|0[1-9]|1[0-2])?$", "description": "报告期"},
    "orgUnit": {"type": "string", "description": "区域编码"},
    "categoryOptionCombo": {"type": "string", "description": "只能为空或 default"},
    "attributeOptionCombo": {"type": "string", "description": "单位编号，空为区域本级"},
    "value": {"type": ["string", "number", "null"]}, "comment": {"type": ["string", "null"]},
    "deleted": {"type": ["boolean", "string"]}, "storedBy": {"type": "string"}, "lastUpdated": {"type": "string"},
    "created": {"type": "string"}, "followup": {"type": ["boolean", "string"]}}}
VALUE_SET = {"type": "object", "required": ["dataValues"], "properties": {
    "dataSet": {"type": "string"}, "completeDate": {"type": "string"}, "period": {"type": "string"},
    "orgUnit": {"type": "string"}, "attributeOptionCombo": {"type": "string"},
    "dataValues": {"type": "array", "items": _ROW}}}
CSV_BODY = {"type": "string", "description": "DHIS2 CSV: " + ",".join(dhis2.CSV_COLUMNS) + "（表头可省略）"}
SUMMARY = {"type": "object", "required": ["httpStatus", "httpStatusCode", "status", "response"], "properties": {
    "httpStatus": {"type": "string"}, "httpStatusCode": {"type": "integer"}, "status": {"type": "string"},
    "message": {"type": "string"},
    "response": {"type": "object", "properties": {
        "responseType": {"type": "string"}, "status": {"type": "string", "enum": ["SUCCESS", "WARNING", "ERROR"]},
        "importOptions": {"type": "object"}, "description": {"type": "string"},
        "importCount": {"type": "object", "properties": {k: {"type": "integer"} for k in
                                                         ("imported", "updated", "ignored", "deleted")}},
        "conflicts": {"type": "array", "items": {"type": "object", "properties": {
            "object": {"type": "string"}, "objects": {"type": "object"}, "value": {"type": "string"},
            "errorCode": {"type": "string"}, "property": {"type": "string"},
            "indexes": {"type": "array", "items": {"type": "integer"}}}}},
        "rejectedIndexes": {"type": "array", "items": {"type": "integer"}}}}}}
EXPORT = {"type": "object", "properties": {"dataValues": {"type": "array", "items": _ROW}, "pager": {
    "type": "object", "properties": {"offset": {"type": "integer"}, "limit": {"type": "integer"},
                                     "hasMore": {"type": "boolean"}, "nextOffset": {"type": ["integer", "null"]}}}}}
_IMPORT_DOC = {
    "requestBody": {"required": True, "content": {
        "application/json": {"schema": VALUE_SET}, "text/csv": {"schema": CSV_BODY},
        "application/xml": {"schema": {"type": "string", "description": "DXF2 <dataValueSet>"}},
        "application/adx+xml": {"schema": {"type": "string", "description": "ADX <adx><group>"}}}},
    "responses": {200: {"description": "导入成功", "content": {"application/json": {"schema": SUMMARY}}},
                  409: {"description": "有冲突（atomicMode=ALL 时未写入任何数据）",
                        "content": {"application/json": {"schema": SUMMARY}}},
                  415: {"description": "不支持的内容类型"}}}
_EXPORT_DOC = {"responses": {200: {"description": "数据值（JSON、CSV 或 ADX）", "content": {
    "application/json": {"schema": EXPORT}, "text/csv": {"schema": CSV_BODY},
    "application/adx+xml": {"schema": {"type": "string"}}}}}}


class ImportParams(Schema):
    dryRun: bool = Field(False, description="只检查不写入")
    importStrategy: str = Field("CREATE_AND_UPDATE", pattern=r"^(?i:CREATE_AND_UPDATE|CREATE|UPDATE|DELETE|"
                                r"NEW_AND_UPDATES|NEW|UPDATES)$")
    atomicMode: str = Field("ALL", pattern=r"^(?i:ALL|NONE)$", description="ALL：有冲突则全部不写入；NONE：写入无冲突的行")
    idScheme: str = Field("CODE", pattern=r"^(?i:CODE)$")
    dataElementIdScheme: str = Field("CODE", pattern=r"^(?i:CODE)$")
    orgUnitIdScheme: str = Field("CODE", pattern=r"^(?i:CODE)$")
    format: str | None = Field(None, pattern=r"^(json|csv|xml|adx)$")
    history: bool = Field(False, description="科素扩展：把本系统上线前、从未填报的年份作为已审核历史数据导入（仅办公室）")


class ExportParams(Schema):
    orgUnit: list[str] = Field(default_factory=list, description="区域编码，可重复")
    children: bool = Field(True, description="包含下级区域")
    period: list[str] = Field(default_factory=list, description="报告期，可重复",
                              json_schema_extra={"items": {"type": "string",
                                                           "pattern": r"^\d{4}(S[12]|Q[1-4]|0[1-9]|1[0-2])?$"}})
    startDate: str | None = Field(None, pattern=r"^\d{4}-\d{2}-\d{2}$")
    endDate: str | None = Field(None, pattern=r"^\d{4}-\d{2}-\d{2}$")
    dataSet: list[str] = Field(default_factory=list, description="数据集编码，可重复")
    dataElement: list[str] = Field(default_factory=list, description="指标编码，可重复")
    lastUpdated: str | None = Field(None, pattern=r"^\d{4}-\d{2}-\d{2}")
    region: str | None = Field(None, description="同 orgUnit（旧参数）")
    indicator: str | None = Field(None, description="同 dataElement（旧参数）")
    limit: int = Field(5000, ge=1, le=50_000)
    offset: int = Field(0, ge=0, le=2**31 - 1)
    format: str = Field("json", pattern=r"^(json|csv|adx)$")


def _export(request, params: ExportParams, suffix: str | None):
    query = dhis2.ExportQuery(
        org_units=params.orgUnit + ([params.region] if params.region else []), children=params.children,
        periods=params.period, start=dhis2.parse_day(params.startDate, "startDate"),
        end=dhis2.parse_day(params.endDate, "endDate"), data_sets=params.dataSet,
        data_elements=params.dataElement + ([params.indicator] if params.indicator else []),
        last_updated=dhis2.parse_day(params.lastUpdated, "lastUpdated"), limit=params.limit, offset=params.offset)
    page = dhis2.datavalues_export(scope_of(request), query)
    kind = suffix or params.format
    next_offset = page.offset + page.limit if page.has_more else None
    if kind == "csv":
        response = HttpResponse(dhis2.as_csv(page.rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="dataValueSets.csv"'
    elif kind in ("adx", "xml"):
        response = HttpResponse(dhis2.as_adx(page.rows), content_type="application/adx+xml; charset=utf-8")
    else:
        response = JsonResponse({"dataValues": page.rows, "pager": {
            "offset": page.offset, "limit": page.limit, "hasMore": page.has_more, "nextOffset": next_offset}},
            json_dumps_params={"ensure_ascii": False})
    # Paging shows in the headers too, for CSV and ADX, which have no room for it in the body.
    response["X-Has-More"] = "true" if page.has_more else "false"
    if next_offset is not None:
        response["X-Next-Offset"] = str(next_offset)
    return response


def _import(request, params: ImportParams, suffix: str | None):
    options = dhis2.Options.from_query(params.dict())
    try:
        kind = dhis2.kind_of(request.content_type, suffix or params.format, request.body)
    except ApplicationError as exc:
        return JsonResponse({"code": "unsupported_media_type", "message": exc.message, "fields": ["body"]},
                            status=415, json_dumps_params={"ensure_ascii": False})
    rows = dhis2.read(kind, request.body)
    summary = dhis2.datavalues_import(actor=request.auth, rows=rows, options=options)
    status, body = summary.body(options)
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


@router.get("/dataValueSets", summary="导出数据（DHIS2 dataValueSets：JSON、CSV 或 ADX，可分页）",
            openapi_extra=_EXPORT_DOC, operation_id="kesu_collection_api_export")
def export(request, params: Query[ExportParams]):
    return _export(request, params, None)


@router.get("/dataValueSets.{suffix}", summary="导出数据（后缀指定格式：json、csv、adx）", openapi_extra=_EXPORT_DOC,
            operation_id="kesu_collection_api_export_suffixed")
def export_suffixed(request, suffix: Literal["json", "csv", "adx"], params: Query[ExportParams]):
    return _export(request, params, suffix)


@router.post("/dataValueSets", summary="导入数据（DHIS2 dataValueSets：JSON、CSV、XML、ADX）", openapi_extra=_IMPORT_DOC,
             operation_id="kesu_collection_api_import_")
def import_(request, params: Query[ImportParams]):
    return _import(request, params, None)


@router.post("/dataValueSets.{suffix}", summary="导入数据（后缀指定格式：json、csv、xml、adx）",
             openapi_extra=_IMPORT_DOC, operation_id="kesu_collection_api_import_suffixed")
def import_suffixed(request, suffix: Literal["json", "csv", "xml", "adx"], params: Query[ImportParams]):
    return _import(request, params, suffix)
