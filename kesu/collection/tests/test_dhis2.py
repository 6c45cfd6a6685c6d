"""DHIS2 data value sets through /api/dataValueSets: every body format, every import mode, the ImportSummary shape,
refusals as conflicts with nothing half-written, export filters and paging, and export → import as a no-op."""

import json
from datetime import date

import pytest

from kesu.accounts.services import token_create
from kesu.collection.models import IndicatorValue, Submission, SubmissionStatus
from kesu.core.models import AuditEvent

from .conftest import YEAR

pytestmark = pytest.mark.django_db
LAST = str(int(YEAR) - 1)


def bearer(user):
    _, raw = token_create(actor=user, name="测试")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def post(client, user, body, *, query="", content_type="application/json", path="/api/dataValueSets"):
    data = json.dumps(body) if isinstance(body, dict) else body
    return client.post(f"{path}{query}", data=data, content_type=content_type, **bearer(user))


def stored(world):
    return {(v.indicator.code, v.region.code, v.unit_id, v.period_id): v.value
            for v in IndicatorValue.objects.select_related("indicator", "region") if v.value is not None}


def edu_set(world, *values, **top):
    return {"dataSet": "ANNUAL", "period": YEAR, "orgUnit": "511725", "attributeOptionCombo": str(world.edu.pk),
            **top, "dataValues": list(values)}


def test_set_level_defaults_and_the_import_summary(client, world):
    r = post(client, world.filler, edu_set(world, {"dataElement": "HR_FULL", "value": "12"},
                                           {"dataElement": "FUND_RAISED", "value": "3.5", "comment": "含结转"}))
    assert r.status_code == 200, r.content.decode()
    body = r.json()
    assert body["httpStatus"] == "OK" and body["response"]["responseType"] == "ImportSummary"
    assert body["response"]["status"] == "SUCCESS" and body["response"]["conflicts"] == []
    assert body["response"]["importCount"] == {"imported": 2, "updated": 0, "ignored": 0, "deleted": 0}
    assert stored(world)[("FUND_RAISED", "511725", world.edu.pk, YEAR)] == 3.5
    event = AuditEvent.objects.filter(object_type="collection.indicatorvalue").first()
    assert event.source == "DHIS2 数据交换"  # the door is on every audit event

    r = post(client, world.filler, edu_set(world, {"dataElement": "HR_FULL", "value": "13"},
                                           {"dataElement": "FUND_RAISED", "value": "3.5", "comment": "含结转"}))
    assert r.json()["response"]["importCount"] == {"imported": 0, "updated": 1, "ignored": 1, "deleted": 0}


def test_dry_run_writes_nothing_but_says_what_it_would_do(client, world):
    r = post(client, world.filler, edu_set(world, {"dataElement": "HR_FULL", "value": "12"}), query="?dryRun=true")
    assert r.status_code == 200 and r.json()["response"]["importCount"]["imported"] == 1
    assert r.json()["response"]["importOptions"]["dryRun"] is True
    assert not IndicatorValue.objects.exists()
    assert not AuditEvent.objects.filter(object_type="collection.indicatorvalue").exists()


@pytest.mark.parametrize("period", [f"{YEAR}01", f"{YEAR}Q1", "190001", f"{YEAR}S2"])
def test_a_period_no_data_set_collects_is_refused_naming_the_collected_periods(client, world, period):
    r = post(client, world.filler, edu_set(world, {"dataElement": "HR_FULL", "value": "12", "period": period}))
    assert r.status_code == 409
    conflict = r.json()["response"]["conflicts"][0]
    assert conflict["errorCode"] == "E7632" and conflict["property"] == "period" and conflict["indexes"] == [0]
    assert f"年度（如 {period[:4]}）" in conflict["value"]
    assert r.json()["response"]["importCount"]["ignored"] == 1
    assert not IndicatorValue.objects.exists()


def test_finer_than_stored_precision_is_refused_not_rounded(client, world):
    r = post(client, world.filler, edu_set(world, {"dataElement": "FUND_RAISED", "value": "0.00005"}))
    conflict = r.json()["response"]["conflicts"][0]
    assert r.status_code == 409 and conflict["errorCode"] == "E7619" and "4 位小数" in conflict["value"]
    assert not IndicatorValue.objects.exists()


def test_category_option_combo_and_duplicates_are_refused_explicitly(client, world):
    r = post(client, world.filler, edu_set(world, {"dataElement": "HR_FULL", "value": "1", "categoryOptionCombo": "M"},
                                           {"dataElement": "HR_FULL", "value": "2", "categoryOptionCombo": "F"}))
    conflicts = r.json()["response"]["conflicts"]
    assert {c["errorCode"] for c in conflicts} == {"E7613"} and [c["indexes"] for c in conflicts] == [[0], [1]]
    r = post(client, world.filler, edu_set(world, {"dataElement": "HR_FULL", "value": "1"},
                                           {"dataElement": "HR_FULL", "value": "2"}))
    conflict = r.json()["response"]["conflicts"][0]
    assert conflict["indexes"] == [1] and "第 1 行已填写" in conflict["value"]
    assert not IndicatorValue.objects.exists()


def test_import_strategies_and_deleted(client, world):
    post(client, world.filler, edu_set(world, {"dataElement": "HR_FULL", "value": "12"}))
    both = edu_set(world, {"dataElement": "HR_FULL", "value": "20"}, {"dataElement": "FUND_RAISED", "value": "4"})
    r = post(client, world.filler, both, query="?importStrategy=CREATE")
    assert r.json()["response"]["importCount"] == {"imported": 1, "updated": 0, "ignored": 1, "deleted": 0}
    assert stored(world)[("HR_FULL", "511725", world.edu.pk, YEAR)] == 12
    both["dataValues"][1]["value"] = "5"
    both["dataValues"].append({"dataElement": "FUND_GOV", "value": "1"})
    r = post(client, world.filler, both, query="?importStrategy=UPDATE")
    assert r.json()["response"]["importCount"] == {"imported": 0, "updated": 2, "ignored": 1, "deleted": 0}
    assert ("FUND_GOV", "511725", world.edu.pk, YEAR) not in stored(world)
    r = post(client, world.filler, edu_set(world, {"dataElement": "HR_FULL", "value": "20"}),
             query="?importStrategy=DELETE")
    assert r.json()["response"]["importCount"]["deleted"] == 1
    assert ("HR_FULL", "511725", world.edu.pk, YEAR) not in stored(world)
    r = post(client, world.filler, edu_set(world, {"dataElement": "FUND_RAISED", "value": "5", "deleted": True}))
    assert r.json()["response"]["importCount"]["deleted"] == 1 and not stored(world)
    assert AuditEvent.objects.filter(action="delete").count() == 2


def test_atomic_mode_none_imports_the_good_rows_and_reports_the_bad(client, world):
    payload = edu_set(world, {"dataElement": "HR_FULL", "value": "12"}, {"dataElement": "NOPE", "value": "1"},
                      {"dataElement": "FUND_RAISED", "value": "3", "orgUnit": "511725100", "attributeOptionCombo": ""},
                      dataSet="")
    r = post(client, world.filler, payload, query="?atomicMode=ALL")
    assert r.status_code == 409 and r.json()["response"]["status"] == "ERROR" and not IndicatorValue.objects.exists()
    codes = {c["indexes"][0]: c["errorCode"] for c in r.json()["response"]["conflicts"]}
    assert codes == {1: "E7610", 2: "E7617"}  # unknown indicator; a township the filler may not write for
    r = post(client, world.filler, payload, query="?atomicMode=NONE")
    body = r.json()["response"]
    assert r.status_code == 409 and body["status"] == "WARNING" and body["rejectedIndexes"] == [1, 2]
    assert body["importCount"] == {"imported": 1, "updated": 0, "ignored": 2, "deleted": 0}
    assert stored(world) == {("HR_FULL", "511725", world.edu.pk, YEAR): 12}


def test_a_csv_with_bare_carriage_returns_is_read_not_a_server_error(client, world):
    """Old spreadsheet programs end CSV lines with a bare CR; a stray one in a field must not crash the reader."""
    unit = world.edu.pk
    body = (f"dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value\r"
            f"HR_FULL,{YEAR},511725,,{unit},12\r")
    r = post(client, world.filler, body, content_type="text/csv")
    assert r.status_code == 200 and r.json()["response"]["importCount"]["imported"] == 1, r.content.decode()
    r = post(client, world.filler, "\xb4\xaf\r\x07nAX", content_type="text/csv")
    assert r.status_code in (400, 409) and r.json()["status"] == "ERROR", r.content.decode()
    assert stored(world) == {("HR_FULL", "511725", world.edu.pk, YEAR): 12}


def test_csv_xml_and_adx_bodies(client, world):
    unit = world.edu.pk
    csv_body = (f"dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value,storedby,lastupdated,"
                f"comment,followup,deleted\nHR_FULL,{YEAR},511725,,{unit},12,,,,false,false\n"
                f"FUND_RAISED,{YEAR},511725,,{unit},3,,,'-含结转,false,false\n")
    r = post(client, world.filler, csv_body, content_type="text/csv")
    assert r.json()["response"]["importCount"]["imported"] == 2, r.content.decode()
    assert IndicatorValue.objects.get(indicator__code="FUND_RAISED").explanation == "-含结转"
    xml = (f'<dataValueSet xmlns="http://dhis2.org/schema/dxf/2.0" period="{YEAR}" orgUnit="511725" '
           f'attributeOptionCombo="{unit}"><dataValue dataElement="HR_FULL" value="14"/>'
           f'<dataValue dataElement="FUND_RAISED" value="3" deleted="true"/></dataValueSet>')
    r = post(client, world.filler, xml, content_type="application/xml")
    assert r.json()["response"]["importCount"] == {"imported": 0, "updated": 1, "ignored": 0, "deleted": 1}
    adx = (f'<adx xmlns="urn:ihe:qrph:adx:2015"><group orgUnit="511725" period="{YEAR}-01-01/P1Y" '
           f'attributeOptionCombo="{unit}"><dataValue dataElement="HR_FULL" value="15"/>'
           f'<dataValue dataElement="FUND_GOV" value="1" SEX="F"/></group></adx>')
    r = post(client, world.filler, adx, content_type="application/adx+xml")
    conflict = r.json()["response"]["conflicts"][0]
    assert r.status_code == 409 and conflict["errorCode"] == "E7613" and "SEX=F" in conflict["value"]
    r = post(client, world.filler, adx.replace(' SEX="F"', ""), path="/api/dataValueSets.adx",
             content_type="application/xml")
    assert r.json()["response"]["importCount"] == {"imported": 1, "updated": 1, "ignored": 0, "deleted": 0}
    r = post(client, world.filler, "a;b", content_type="application/pdf")
    assert r.status_code == 415 and "内容类型" in r.json()["message"]


def test_a_locked_year_refuses_the_exchange(client, world):
    Submission.objects.create(data_set=world.ds, period_id=YEAR, period_start=date(int(YEAR), 1, 1),
                              period_end=date(int(YEAR), 12, 31), region=world.county, unit=world.edu,
                              status=SubmissionStatus.APPROVED)
    r = post(client, world.filler, edu_set(world, {"dataElement": "HR_FULL", "value": "12"}))
    conflict = r.json()["response"]["conflicts"][0]
    assert conflict["errorCode"] == "E7642" and "已审核" in conflict["value"] and not IndicatorValue.objects.exists()


def test_export_reimports_as_a_no_op_in_json_and_csv(client, world):
    post(client, world.office, {"period": YEAR, "dataValues": [
        {"dataElement": "HR_FULL", "orgUnit": "511725", "attributeOptionCombo": str(world.edu.pk), "value": "12"},
        {"dataElement": "FUND_RAISED", "orgUnit": "511725", "value": "1234567.0001", "comment": "-5 万元为上年结转"},
        {"dataElement": "LIT_RATIO", "orgUnit": "511725100", "value": "12.5", "comment": "=SUM(A1)"}]})
    assert len(stored(world)) == 3
    events = AuditEvent.objects.filter(object_type="collection.indicatorvalue").count()
    exported = client.get(f"/api/dataValueSets.json?period={YEAR}", **bearer(world.office)).json()
    assert len(exported["dataValues"]) == 3 and exported["pager"]["hasMore"] is False
    r = post(client, world.office, {"dataValues": exported["dataValues"]})
    assert r.json()["response"]["importCount"] == {"imported": 0, "updated": 0, "ignored": 3, "deleted": 0}
    csv_text = client.get(f"/api/dataValueSets.csv?period={YEAR}", **bearer(world.office)).content.decode()
    assert "'-5 万元为上年结转" in csv_text and "'=SUM(A1)" in csv_text  # guarded for spreadsheets …
    r = post(client, world.office, csv_text, content_type="text/csv")
    assert r.json()["response"]["importCount"] == {"imported": 0, "updated": 0, "ignored": 3, "deleted": 0}
    # … and the guard never reaches the stored comment
    assert AuditEvent.objects.filter(object_type="collection.indicatorvalue").count() == events
    assert IndicatorValue.objects.get(indicator__code="FUND_RAISED").explanation == "-5 万元为上年结转"


def test_an_approved_year_s_export_reimports_as_a_no_op_but_a_change_is_refused(client, world):
    post(client, world.office, {"period": YEAR, "orgUnit": "511725", "dataValues": [
        {"dataElement": "HR_FULL", "value": "12"}, {"dataElement": "FUND_RAISED", "value": "3.5"}]})
    Submission.objects.filter(region=world.county, unit=None, period_id=YEAR).update(status=SubmissionStatus.APPROVED)
    events = AuditEvent.objects.filter(object_type="collection.indicatorvalue").count()
    for suffix, content_type in (("json", "application/json"), ("csv", "text/csv")):
        body = client.get(f"/api/dataValueSets.{suffix}?period={YEAR}", **bearer(world.office)).content.decode()
        r = post(client, world.office, body, content_type=content_type)
        assert r.status_code == 200 and r.json()["response"]["importCount"]["ignored"] == 2, r.content[:300]
    r = post(client, world.office, {"period": YEAR, "orgUnit": "511725", "dataValues": [
        {"dataElement": "HR_FULL", "value": "12"}, {"dataElement": "FUND_RAISED", "value": "3.6"}]})
    conflicts = r.json()["response"]["conflicts"]
    assert r.status_code == 409 and len(conflicts) == 1 and "已审核，数据已锁定" in conflicts[0]["value"]
    assert conflicts[0]["indexes"] == [1]  # only the changed row is refused; the unchanged one is no conflict
    assert AuditEvent.objects.filter(object_type="collection.indicatorvalue").count() == events
    assert IndicatorValue.objects.get(indicator__code="FUND_RAISED").value == 3.5


def test_export_filters_and_paging(client, world):
    post(client, world.office, {"period": YEAR, "dataValues": [
        {"dataElement": "HR_FULL", "orgUnit": "511725", "value": "1"},
        {"dataElement": "HR_FULL", "orgUnit": "511725100", "value": "2"},
        {"dataElement": "FUND_RAISED", "orgUnit": "511725101", "value": "3"}]})
    h = bearer(world.office)

    def rows(query):
        values = client.get(f"/api/dataValueSets?{query}", **h).json()["dataValues"]
        return [(v["dataElement"], v["orgUnit"]) for v in values]

    assert rows("orgUnit=511725100") == [("HR_FULL", "511725100")]
    assert rows("orgUnit=511725&children=false") == [("HR_FULL", "511725")]
    assert len(rows("orgUnit=511725")) == 3
    assert rows(f"period={LAST}&period={YEAR}&dataElement=FUND_RAISED") == [("FUND_RAISED", "511725101")]
    assert rows(f"startDate={YEAR}-01-01&endDate={YEAR}-06-30") == []
    assert len(rows(f"startDate={YEAR}-01-01&endDate={YEAR}-12-31&dataSet=ANNUAL")) == 3
    assert rows("lastUpdated=2999-01-01") == []
    page = client.get("/api/dataValueSets?limit=2", **h)
    assert page.json()["pager"] == {"offset": 0, "limit": 2, "hasMore": True, "nextOffset": 2}
    assert page["X-Has-More"] == "true"
    rest = client.get("/api/dataValueSets.csv?limit=2&offset=2", **h)
    assert rest["X-Has-More"] == "false" and len(rest.content.decode().splitlines()) == 2


def test_history_loads_a_year_kesu_never_collected_as_approved_for_offices_only(client, world):
    old = str(int(YEAR) - 8)
    payload = {"period": old, "orgUnit": "511725", "dataValues": [{"dataElement": "HR_FULL", "value": "40"}]}
    r = post(client, world.office, payload)
    assert r.status_code == 409 and "截止锁定" in r.json()["response"]["conflicts"][0]["value"]  # not as a return
    r = post(client, world.filler, {**payload, "orgUnit": "511725", "attributeOptionCombo": str(world.edu.pk)},
             query="?history=true")
    assert r.json()["response"]["conflicts"][0]["errorCode"] == "E7617"  # history is the office's to load
    r = post(client, world.office, payload, query="?history=true")
    assert r.status_code == 200 and r.json()["response"]["importCount"]["imported"] == 1
    event = AuditEvent.objects.get(object_type="collection.indicatorvalue")
    assert event.action == "history" and event.reason == "DHIS2 历史数据导入" and event.actor == world.office
    sub = Submission.objects.get(region=world.county, unit=None, period_id=old)
    assert sub.status == SubmissionStatus.APPROVED
    r = post(client, world.office, {**payload, "dataValues": [{"dataElement": "HR_FULL", "value": "41"}]},
             query="?history=true")
    assert "不能作为历史数据导入" in r.json()["response"]["conflicts"][0]["value"]  # now approved: an amendment
    r = post(client, world.office, {"period": YEAR, "orgUnit": "511725", "dataValues": [
        {"dataElement": "HR_FULL", "value": "1"}]}, query="?history=true")
    assert "尚未结束" in r.json()["response"]["conflicts"][0]["value"]
