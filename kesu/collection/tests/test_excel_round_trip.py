"""A downloaded template uploaded unchanged changes nothing, for every kind of reporter and role; links are never
cleared by a blank cell; the preview lists each changed cell; renamed sheets, oversized and error-ridden files."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from kesu.collection.excel import testing
from kesu.collection.excel.columns import LISTS_SHEET
from kesu.collection.models import Activity, IndicatorValue, Submission, SubmissionStatus
from kesu.core.models import AuditEvent
from kesu.plans.models import Framework, Plan, Task, TaskRole, TaskUnit

from .test_excel_import import Y, commit, download, last_job, login, messages_of, upload


@pytest.fixture(autouse=True)
def _excel_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def stocked(world):
    """Last period's plan (ended) and this period's plan, each with a task of 渠县教育局; activities of this year,
    one linked to the ended plan's task, and stored figures for the unit and for the county's own return."""
    framework = Framework.objects.create(code="F2021", name="全民科学素质行动规划纲要", start_year=2021, end_year=2035)
    old_plan = Plan.objects.create(region=world.county, framework=framework, title="渠县“十四五”实施方案",
                                   start_year=Y - 5, end_year=Y - 1)
    plan = Plan.objects.create(region=world.county, framework=framework, title=f"渠县{Y}年工作要点",
                               start_year=Y, end_year=Y)
    world.old_task = Task.objects.create(plan=old_plan, number="A1.1", title="青少年科学素质提升", sort=1)
    world.new_task = Task.objects.create(plan=plan, number="B1", title="校园科技节", sort=1)
    for task in (world.old_task, world.new_task):
        TaskUnit.objects.create(task=task, unit=world.edu, role=TaskRole.LEAD)
    for n, task in enumerate([world.old_task, world.new_task, None], start=1):
        Activity.objects.create(unit=world.edu, title=f"科普进校园第{n}场", kind="lecture", population="youth",
                                region=world.town1 if n == 2 else world.county, start_date=date(Y, 3, n),
                                end_date=date(Y, 3, n), sessions=n, participants=100 * n, people=None,
                                funds=Decimal("1234.50"), place="渠县中学", notes="", task=task)
    for unit, value in ((world.edu, 1151), (None, 38)):
        IndicatorValue.objects.create(indicator=world.ind["HR_FULL"], region=world.county, unit=unit,
                                      period_id=str(Y), value=Decimal(value), explanation="")
    return world


def _state():
    return (AuditEvent.objects.count(), list(Activity.objects.order_by("pk").values_list("version", "task_id",
                                                                                          "region_id")),
            list(IndicatorValue.objects.order_by("pk").values_list("version", "value")))


@pytest.mark.django_db
@pytest.mark.parametrize("who,for_unit", [("filler", True), ("office", True), ("city_office", True),
                                          ("office", False), ("city_office", False)])
def test_an_unchanged_template_is_a_no_op(client, stocked, who, for_unit):
    login(client, getattr(stocked, who))
    unit = stocked.edu if for_unit else False
    before = _state()
    upload(client, stocked, download(client, stocked, unit), unit=unit)
    job = last_job()
    assert job.status == "ready", messages_of(job)
    assert job.problems == []
    for sheet, counts in job.sheet_counts.items():
        assert counts["created"] == counts["updated"] == 0, (sheet, counts)
    assert job.changes == []
    commit(client, job)
    job.refresh_from_db()
    assert job.status == "done"
    assert _state() == before


@pytest.mark.django_db
def test_an_approved_years_unchanged_template_is_a_no_op_and_a_change_says_who_can_reopen(client, stocked):
    Submission.objects.create(data_set=stocked.ds, period_id=str(Y), period_start=date(Y, 1, 1),
                              period_end=date(Y, 12, 31), region=stocked.county, unit=stocked.edu,
                              status=SubmissionStatus.APPROVED)
    login(client, stocked.filler)
    template = download(client, stocked)
    before = _state()
    upload(client, stocked, template)
    job = last_job()
    assert job.status == "ready" and job.problems == [], messages_of(job)
    commit(client, job)
    job.refresh_from_db()
    assert job.status == "done" and _state() == before

    def change(wb):
        ws = wb["活动"]
        ws.cell(row=2, column=[c.value for c in ws[1]].index("参加人次") + 1, value=150)
        wb["指标数据"].cell(row=2, column=5, value=1200)

    upload(client, stocked, testing.edit(template, change))
    job = last_job()
    problems = messages_of(job)
    reopen = "如需修改，请联系渠县科协在“提交与审核”页取消审核并退回。"
    assert job.status != "ready" and _state() == before
    assert f"活动|2|开始日期|渠县教育局{Y}“年度科普工作统计”已审核，{Y}-03-01 的活动已锁定，不能修改。{reopen}" in problems
    assert f"已审核，数据已锁定，不能修改。{reopen}" in problems, problems


@pytest.mark.django_db
def test_the_lists_sheet_offers_exactly_the_tasks_the_importer_accepts(client, stocked):
    login(client, stocked.filler)
    wb = load_workbook(__import__("io").BytesIO(download(client, stocked)))
    ws = wb[LISTS_SHEET]
    headers = [c.value for c in ws[1]]
    col = headers.index("关联任务") + 1
    offered = [ws.cell(row=r, column=col).value for r in range(2, ws.max_row + 1)]
    offered = [v for v in offered if v]
    # The current plan's task, and the ended plan's task still linked to this year's activities.
    assert offered == ["B1 校园科技节", "A1.1 青少年科学素质提升"]
    # Each offered label is accepted on a new row.
    rows = [testing.activity(f"新活动{n}", f"{Y}-04-0{n}", 关联任务=label) for n, label in enumerate(offered, 1)]
    upload(client, stocked, testing.fill(download(client, stocked), activities=rows))
    job = last_job()
    assert job.status == "ready", messages_of(job)
    assert job.sheet_counts["活动"]["created"] == 2


@pytest.mark.django_db
def test_a_blank_task_cell_keeps_the_link_and_the_preview_lists_each_changed_cell(client, stocked):
    login(client, stocked.filler)

    def change(wb):
        ws = wb["活动"]
        headers = [c.value for c in ws[1]]
        for r in range(2, 5):
            ws.cell(row=r, column=headers.index("关联任务") + 1, value=None)
        ws.cell(row=2, column=headers.index("参加人次") + 1, value=150)
        wb["指标数据"].cell(row=2, column=5, value=1200)

    upload(client, stocked, testing.edit(download(client, stocked), change))
    job = last_job()
    assert job.status == "ready", messages_of(job)
    assert job.sheet_counts["活动"]["updated"] == 1
    cells = {(c["sheet"], c["row"]): c["cells"] for c in job.changes}
    assert cells[("活动", 2)] == [["参加人次", "100", "150"]]
    assert cells[("指标数据", 2)] == [["本期数值", "1151", "1200"]]
    page = client.get(reverse("collection:excel_preview", args=[job.pk])).content.decode()
    assert "导入后将修改的内容" in page and "科普进校园第1场" in page
    commit(client, job)
    linked = dict(Activity.objects.values_list("title", "task_id"))
    assert linked["科普进校园第1场"] == stocked.old_task.pk and linked["科普进校园第2场"] == stocked.new_task.pk


@pytest.mark.django_db
def test_a_renamed_values_sheet_is_refused_not_imported_as_nothing(client, stocked):
    login(client, stocked.filler)

    def rename(wb):
        wb["指标数据"].title = "Sheet1"

    upload(client, stocked, testing.edit(testing.fill(download(client, stocked), values={"HR_FULL": 7}), rename))
    job = last_job()
    assert job.status == "invalid"
    assert "工作表“Sheet1”不是模板中的工作表" in messages_of(job)
    assert "“指标数据”表不见了" in messages_of(job)
    assert IndicatorValue.objects.get(unit=stocked.edu).value == 1151


@pytest.mark.django_db
def test_an_unknown_extra_sheet_is_refused(client, stocked):
    login(client, stocked.office)

    def extra(wb):
        wb.create_sheet("我的草稿")["A1"] = "备注"

    upload(client, stocked, testing.edit(download(client, stocked, False), extra), unit=False)
    job = last_job()
    assert job.status == "invalid" and "工作表“我的草稿”不是模板中的工作表" in messages_of(job)


@pytest.mark.django_db
def test_too_many_rows_are_refused_before_rows_are_read(client, stocked, settings):
    settings.KESU_EXCEL_MAX_ROWS = 500
    login(client, stocked.filler)

    def title_only(wb):
        ws = wb["活动"]
        for r in range(5, 700):
            ws.cell(row=r, column=1, value=f"只有名称{r}")

    upload(client, stocked, testing.edit(download(client, stocked), title_only))
    job = last_job()
    assert job.status == "invalid"
    assert job.problems == [{"sheet": "", "row": None, "column": "文件", "blocking": True,
                             "message": job.problems[0]["message"]}]
    assert "超过一次导入 500 行的上限" in job.problems[0]["message"]


@pytest.mark.django_db
def test_problems_are_stored_capped_and_downloadable_in_full(client, stocked, settings):
    login(client, stocked.filler)

    def bad_rows(wb):
        ws = wb["活动"]
        for r in range(5, 1205):  # 1 200 rows, each with a kind the importer refuses
            ws.cell(row=r, column=1, value=f"活动{r}")
            ws.cell(row=r, column=2, value="不存在的类型")

    upload(client, stocked, testing.edit(download(client, stocked), bad_rows))
    job = last_job()
    assert job.status == "invalid"
    assert len(job.problems) == 1000 and job.problem_total == 1200 and job.blocking_count == 1200
    page = client.get(reverse("collection:excel_preview", args=[job.pk])).content.decode()
    assert "前 1,000 条，共 1,200 条" in page and "发现 1,200 个问题" in page
    response = client.get(reverse("collection:excel_problems", args=[job.pk]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    assert lines[0] == "工作表,行,列,原因,性质" and len(lines) == 1201
    assert lines[-1].startswith("活动,1204,活动类型,")
