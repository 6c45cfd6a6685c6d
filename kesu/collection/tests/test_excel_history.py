"""History through the Excel door: an office loads a year kesu never collected from a spreadsheet as approved
history — template out, figures in, source and audit kind recorded; bad rows named; nothing half-written; scope."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kesu.collection.excel import testing
from kesu.collection.excel.importer import HISTORY_REASON
from kesu.collection.models import Activity, IndicatorValue, Submission, SubmissionStatus
from kesu.core.models import AuditEvent

from .conftest import YEAR
from .test_excel_import import commit, last_job, messages_of

pytestmark = pytest.mark.django_db

OLD = str(int(YEAR) - 8)


@pytest.fixture(autouse=True)
def _excel_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def reporter_args(world, period=OLD, unit=None):
    return [period, world.county.pk, unit.pk if unit else 0]


def template(client, world, period=OLD, unit=None) -> bytes:
    response = client.get(reverse("collection:excel_template", args=reporter_args(world, period, unit)))
    assert response.status_code == 200
    return response.content


def upload(client, world, content: bytes, *, history=True, period=OLD, unit=None, name="2018年统计表.xlsx"):
    data = {"file": SimpleUploadedFile(name, content)}
    if history:
        data["history"] = "1"
    return client.post(reverse("collection:excel_upload", args=reporter_args(world, period, unit)), data)


def test_an_office_loads_an_old_year_from_the_template_as_approved_history_with_its_source(client, world):
    client.force_login(world.office)
    start = client.get(reverse("collection:excel_start") + f"?year={OLD}").content.decode()
    assert f"{OLD}年已结束" in start and "作为历史数据导入" in start
    assert reverse("collection:excel_upload", args=reporter_args(world)) + "?history=1" in start
    page = client.get(reverse("collection:excel_upload", args=reporter_args(world)) + "?history=1").content.decode()
    assert 'name="history" value="1" id="id_history" checked' in page
    filled = testing.fill(template(client, world), values={"HR_FULL": 40, "FUND_RAISED": "12.5"})
    upload(client, world, filled)
    job = last_job()
    assert job.history and job.status == "ready", messages_of(job)
    assert "历史数据导入：确认后按已审核记录保存" in client.get(reverse("collection:excel_preview", args=[job.pk])).content.decode()
    assert not IndicatorValue.objects.exists()  # the check writes nothing
    commit(client, job)
    job.refresh_from_db()
    assert job.status == "done"
    values = {v.indicator.code: v for v in IndicatorValue.objects.select_related("indicator")}
    assert values["HR_FULL"].value == 40 and values["FUND_RAISED"].value == 12.5
    assert values["HR_FULL"].source.startswith("Excel:2018年统计表.xlsx:第")
    sub = Submission.objects.get(region=world.county, unit=None, period_id=OLD)
    assert sub.status == SubmissionStatus.APPROVED  # the year reads as final
    events = AuditEvent.objects.filter(object_type="collection.indicatorvalue")
    assert {e.action for e in events} == {"history"} and events.count() == 2
    assert all(e.actor == world.office and e.reason == HISTORY_REASON and "2018年统计表.xlsx" in e.source
               for e in events)
    # The same file again is a no-op; the year is now kesu's own (approved), so a changed figure is refused as
    # history (a change is an amendment).
    upload(client, world, filled)
    again = last_job()
    assert again.status == "ready" and again.sheet_counts["指标数据"]["unchanged"] == 2, messages_of(again)
    upload(client, world, testing.fill(template(client, world), values={"HR_FULL": 41}))
    assert "已在本系统中填报，不能作为历史数据导入" in messages_of(last_job())


def test_an_old_year_is_refused_as_a_return_without_the_history_choice(client, world):
    client.force_login(world.office)
    upload(client, world, testing.fill(template(client, world), values={"HR_FULL": 40}), history=False)
    assert "截止锁定" in messages_of(last_job())
    assert not IndicatorValue.objects.exists()


def test_bad_rows_are_named_and_nothing_of_the_file_is_written(client, world):
    client.force_login(world.office)
    filled = testing.fill(template(client, world), values={"HR_FULL": 40, "FUND_RAISED": "0.00005", "LIT_RATIO": 120})
    upload(client, world, filled)
    job = last_job()
    problems = messages_of(job)
    assert job.status == "invalid"
    assert "指标数据|" in problems and "“年度科普经费筹集额”最多保留 4 位小数（填写了 0.00005）" in problems
    assert "“公民具备科学素质的比例”不能大于 100（填写了 120）" in problems
    rows = {p["row"] for p in job.problems}
    assert len(rows) == 2 and None not in rows  # each refusal names its own row
    assert not IndicatorValue.objects.exists() and not Submission.objects.exists()
    assert not AuditEvent.objects.filter(action="history").exists()


def test_a_year_not_yet_over_is_not_history(client, world):
    client.force_login(world.office)
    response = upload(client, world, testing.fill(template(client, world, YEAR), values={"HR_FULL": 1}), period=YEAR)
    assert response.status_code == 400 and "尚未结束，不能作为历史数据导入" in response.content.decode()
    page = client.get(reverse("collection:excel_upload", args=reporter_args(world, YEAR))).content.decode()
    assert 'id="id_history"' not in page  # not offered for the current year


def test_history_is_the_managing_office_s_alone(client, world):
    client.force_login(world.filler)
    content = testing.fill(template(client, world, unit=world.edu), values={"HR_FULL": 3})
    page = client.get(reverse("collection:excel_upload", args=reporter_args(world, unit=world.edu))).content.decode()
    assert 'id="id_history"' not in page
    assert upload(client, world, content, unit=world.edu).status_code == 403
    client.force_login(world.town_office)  # an office below the county manages only its township
    assert upload(client, world, content).status_code == 403
    assert not IndicatorValue.objects.exists()
    client.force_login(world.city_office)  # the office above may load the county's history
    upload(client, world, content, unit=world.edu)
    job = last_job()
    assert job.history and job.status == "ready", messages_of(job)


def test_history_refuses_activity_rows(client, world):
    client.force_login(world.office)
    content = testing.fill(template(client, world, unit=world.edu), values={"HR_FULL": 3},
                           activities=[testing.activity("科普讲座", f"{OLD}-05-01")])
    upload(client, world, content, unit=world.edu)
    assert "历史数据导入只导入“指标数据”，不登记活动" in messages_of(last_job())
    assert not IndicatorValue.objects.exists()


def history_template(client, world, period=OLD) -> bytes:
    url = reverse("collection:excel_template", args=reporter_args(world, period)) + "?history=1"
    response = client.get(url)
    assert response.status_code == 200
    assert "%E5%8E%86%E5%8F%B2%E6%95%B0%E6%8D%AE%E6%A8%A1%E6%9D%BF" in response["Content-Disposition"]  # 历史数据模板
    return response.content


def test_the_history_template_takes_activity_summed_figures_of_a_year_without_activities(client, activity_rules):
    world = activity_rules
    client.force_login(world.office)
    page = client.get(reverse("collection:excel_upload", args=reporter_args(world)) + "?history=1").content.decode()
    assert 'id="history-template"' in page
    assert "TRN_FARMER_P" not in testing.codes(template(client, world))  # a return's template: counted, not typed
    content = history_template(client, world)
    assert {"TRN_FARMER_P", "TRN_FARMER_SESSIONS", "HR_FULL"} <= testing.codes(content)
    upload(client, world, testing.fill(content, values={"TRN_FARMER_P": 3260, "TRN_FARMER_SESSIONS": 186}))
    job = last_job()
    assert job.status == "ready", messages_of(job)
    commit(client, job)
    values = dict(IndicatorValue.objects.filter(period_id=OLD).values_list("indicator__code", "value"))
    assert values == {"TRN_FARMER_P": 3260, "TRN_FARMER_SESSIONS": 186}
    assert set(AuditEvent.objects.filter(object_type="collection.indicatorvalue").values_list("action", flat=True)) \
        == {"history"}


def test_a_summed_figure_is_refused_with_its_reason_and_nothing_is_written(client, activity_rules):
    world = activity_rules
    client.force_login(world.office)
    content = testing.fill(history_template(client, world), values={"TRN_FARMER_P": 3260, "HR_FULL": 40})
    upload(client, world, content, history=False)  # the history template sent as a return
    line = next(p for p in messages_of(last_job()).splitlines() if "由科普活动自动汇总" in p)
    sheet, row, column, message = line.split("|")
    assert (sheet, column) == ("指标数据", "本期数值") and row.isdigit()
    assert message.startswith("“农村实用技术培训人次”由科普活动自动汇总，不能直接填报")
    # Activities registered for the year since the template was taken: the year's figure is theirs.
    Activity.objects.create(unit=world.edu, title="农村实用技术培训", kind="training", population="farmer",
                            start_date=date(int(OLD), 5, 1), end_date=date(int(OLD), 5, 1), region=world.county,
                            participants=40, sessions=1)
    upload(client, world, content)
    job = last_job()
    assert job.status == "invalid"
    assert f"渠县（本级）{OLD}年已登记科普活动，不能再作为历史数据导入" in messages_of(job)
    assert "TRN_FARMER_P" not in testing.codes(history_template(client, world))
    assert not IndicatorValue.objects.exists()
