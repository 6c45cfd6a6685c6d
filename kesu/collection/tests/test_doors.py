"""Door by door: the same bad figure through the grid, the Excel import, the REST API, the DHIS2 exchange (JSON,
CSV, ADX) and the acceptance of an extracted fact gets the same Chinese refusal, and nothing is written. The same
holds for the doors that load history (a year kesu never collected): Excel, DHIS2 and an old report's fact."""

import json
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kesu.accounts.services import token_create
from kesu.collection.excel import testing
from kesu.collection.models import IndicatorValue, Submission, SubmissionStatus
from kesu.core.exceptions import ApplicationError
from kesu.core.models import AuditEvent
from kesu.extraction import services as extraction
from kesu.extraction.models import DocumentKind, ExtractedFact, SourceDocument

from .conftest import YEAR
from .test_excel_import import download, last_job, messages_of, upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _excel_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def grid(client, w, code, value):
    client.force_login(w.filler)
    url = reverse("collection:cell_save", args=[w.ds.pk, YEAR, w.county.pk, w.edu.pk, w.ind[code].pk])
    return client.post(url, {"value": value, "version": "0"}).content.decode()


def excel(client, w, code, value):
    client.force_login(w.filler)
    upload(client, w, testing.fill(download(client, w), values={code: value}))
    return messages_of(last_job())


def rest(client, w, code, value):
    _, raw = token_create(actor=w.filler, name="门")
    r = client.post("/api/values", data={"indicator": code, "region": "511725", "unit": w.edu.pk, "period": YEAR,
                                         "value": value}, content_type="application/json",
                    HTTP_AUTHORIZATION=f"Bearer {raw}")
    return r.json()["message"]


def _exchange(client, w, body, content_type):
    _, raw = token_create(actor=w.filler, name="门")
    r = client.post("/api/dataValueSets", data=body, content_type=content_type, HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert r.status_code == 409
    return " ".join(c["value"] for c in r.json()["response"]["conflicts"])


def dhis2_json(client, w, code, value):
    return _exchange(client, w, json.dumps({"dataValues": [{"dataElement": code, "period": YEAR, "orgUnit": "511725",
                                                            "attributeOptionCombo": str(w.edu.pk),
                                                            "value": str(value)}]}), "application/json")


def dhis2_csv(client, w, code, value):
    return _exchange(client, w, f"{code},{YEAR},511725,,{w.edu.pk},{value}\n", "text/csv")


def dhis2_adx(client, w, code, value):
    return _exchange(client, w, f'<adx xmlns="urn:ihe:qrph:adx:2015"><group orgUnit="511725" period="{YEAR}-01-01/P1Y" '
                                f'attributeOptionCombo="{w.edu.pk}"><dataValue dataElement="{code}" value="{value}"/>'
                                f'</group></adx>', "application/adx+xml")


def extracted(client, w, code, value, *, period=YEAR, own_return=False):
    doc = SourceDocument.objects.create(region=w.county, uploaded_by=w.office, original_name="总结.txt",
                                        kind=DocumentKind.TXT, file="extraction/x.txt", sha256="0" * 64,
                                        text=f"全年数值为{value}。")
    # Money facts are read in 元 (the report's 万元 converted); the mapped value is in the indicator's unit.
    unit, factor = ("元", 10000) if w.ind[code].unit == "万元" else (w.ind[code].unit, 1)
    fact = ExtractedFact.objects.create(document=doc, start=5, end=5 + len(str(value)), text=str(value),
                                        value=Decimal(str(value)) * factor, unit=unit, indicator=w.ind[code],
                                        mapped_value=Decimal(str(value)), confidence=0.9)
    try:
        extraction.fact_accept(actor=w.office, fact=fact, region=w.county,
                               unit=None if own_return else w.edu, period=period)
    except ApplicationError as exc:
        return exc.message
    return "accepted"


DOORS = [grid, excel, rest, dhis2_json, dhis2_csv, dhis2_adx, extracted]


def _lock(w):
    Submission.objects.create(data_set=w.ds, period_id=YEAR, period_start=date(int(YEAR), 1, 1),
                              period_end=date(int(YEAR), 12, 31), region=w.county, unit=w.edu,
                              status=SubmissionStatus.APPROVED)


def _submitted(w):
    _lock(w)
    Submission.objects.update(status=SubmissionStatus.SUBMITTED)


CASES = {
    # (indicator, value, set-up, the refusal every door must give)
    "precision": ("FUND_RAISED", "0.00005", None, "“年度科普经费筹集额”最多保留 4 位小数（填写了 0.00005）"),
    "locked": ("HR_FULL", "12", _lock, f"渠县教育局{YEAR}年“年度科普工作统计”已审核，数据已锁定，不能修改。"
                                       "如需修改，请联系渠县科协在“提交与审核”页取消审核并退回。"),
    "submitted": ("HR_FULL", "12", _submitted, f"渠县教育局{YEAR}年“年度科普工作统计”已提交，等待审核，数据不能修改。"
                                               "如需修改，请在“提交与审核”页点击“撤回”（渠县科协审核前可撤回），或请渠县科协退回。"),
    "range": ("LIT_RATIO", "120", None, "“公民具备科学素质的比例”不能大于 100（填写了 120）"),
}


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("door", DOORS, ids=lambda d: d.__name__)
def test_every_door_gives_the_same_refusal_and_writes_nothing(client, world, door, case):
    code, value, setup, refusal = CASES[case]
    if setup:
        setup(world)
    answer = door(client, world, code, value)
    if door is extracted and case == "locked":
        # Old reports may correct an approved year, but only as a change the office confirms with a reason.
        refusal = f"渠县教育局{YEAR}年的数据已审核锁定。采用“12”将更正已审核的“科普专职人员”"
        assert "请填写更正原因后确认" in answer
    assert refusal in answer, answer
    assert not IndicatorValue.objects.exists()
    assert not AuditEvent.objects.filter(object_type="collection.indicatorvalue").exists()


# -- history: a year kesu never collected, loaded by the office -------------------------------------------------------

OLD = str(int(YEAR) - 8)


def excel_history(client, w, code, value):
    client.force_login(w.office)
    args = [OLD, w.county.pk, 0]
    template = client.get(reverse("collection:excel_template", args=args)).content
    client.post(reverse("collection:excel_upload", args=args),
                {"file": SimpleUploadedFile("历史.xlsx", testing.fill(template, values={code: value})), "history": "1"})
    return messages_of(last_job())


def dhis2_history(client, w, code, value):
    _, raw = token_create(actor=w.office, name="门")
    r = client.post("/api/dataValueSets?history=true", data=json.dumps({
        "period": OLD, "orgUnit": "511725", "dataValues": [{"dataElement": code, "value": str(value)}]}),
        content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert r.status_code == 409
    return " ".join(c["value"] for c in r.json()["response"]["conflicts"])


def extracted_history(client, w, code, value):
    return extracted(client, w, code, value, period=OLD, own_return=True)


@pytest.mark.parametrize("case", ["precision", "range"])
@pytest.mark.parametrize("door", [excel_history, dhis2_history, extracted_history], ids=lambda d: d.__name__)
def test_every_history_door_gives_the_same_refusal_and_writes_nothing(client, world, door, case):
    code, value, _, refusal = CASES[case]
    answer = door(client, world, code, value)
    assert refusal in answer, answer
    assert not IndicatorValue.objects.exists() and not Submission.objects.exists()
    assert not AuditEvent.objects.filter(action="history").exists()


@pytest.mark.parametrize("period", [f"{YEAR}01", f"{YEAR}Q1", "190001"])
def test_a_period_no_data_set_collects_is_refused_alike_by_every_door_that_names_a_period(client, world, period):
    _, raw = token_create(actor=world.filler, name="门")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    refusal = "渠县教育局的“科普专职人员”不按"
    r = client.post("/api/values", data={"indicator": "HR_FULL", "region": "511725", "unit": world.edu.pk,
                                         "period": period, "value": 3}, content_type="application/json", **auth)
    assert r.status_code == 400 and refusal in r.json()["message"] and "年度（如" in r.json()["message"]
    r = client.post("/api/dataValueSets", data=f"HR_FULL,{period},511725,,{world.edu.pk},3\n", content_type="text/csv",
                    **auth)
    assert refusal in r.json()["response"]["conflicts"][0]["value"]
    assert not IndicatorValue.objects.exists()
