"""The Excel round trip: download → fill → upload → preview → commit, re-upload, bad input, jobs and scope."""

import io
import zipfile
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from kesu.collection.excel import testing
from kesu.collection.models import Activity, ExcelImport, IndicatorValue
from kesu.core.models import AuditEvent
from kesu.plans.models import Framework, Plan, Task, TaskRole, TaskUnit

from .conftest import YEAR

Y = int(YEAR)


@pytest.fixture(autouse=True)
def _excel_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def task(world):
    framework = Framework.objects.create(code="F2021", name="全民科学素质行动规划纲要", start_year=2021, end_year=2035)
    plan = Plan.objects.create(region=world.county, framework=framework, title="渠县实施方案", start_year=2021,
                               end_year=2035)
    task = Task.objects.create(plan=plan, number="（一）", title="青少年科学素质提升行动", sort=1)
    task.indicators.add(world.ind["HR_FULL"])
    TaskUnit.objects.create(task=task, unit=world.edu, role=TaskRole.LEAD)
    return task


def args(world, unit=None):
    unit = world.edu if unit is None else unit
    return [YEAR, world.county.pk, unit.pk if unit else 0]


def login(client, user):
    client.force_login(user)
    return client


def download(client, world, unit=None) -> bytes:
    response = client.get(reverse("collection:excel_template", args=args(world, unit)))
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return response.content


def upload(client, world, content: bytes, name="教育局填报.xlsx", unit=None):
    return client.post(reverse("collection:excel_upload", args=args(world, unit)),
                       {"file": SimpleUploadedFile(name, content)})


def last_job() -> ExcelImport:
    return ExcelImport.objects.order_by("-id").first()


def commit(client, job):
    return client.post(reverse("collection:excel_commit", args=[job.pk]))


def messages_of(job) -> str:
    return "\n".join(f"{p['sheet']}|{p['row']}|{p['column']}|{p['message']}" for p in job.problems)


def filled(world, client, **kw) -> bytes:
    return testing.fill(download(client, world), **kw)


# -- the template --------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_template_has_the_unit_indicators_lists_protection_and_guide(client, world, task):
    login(client, world.filler)
    IndicatorValue.objects.create(indicator=world.ind["HR_FULL"], region=world.county, unit=world.edu,
                                  period_id=str(Y - 1), value=Decimal(9))
    wb = load_workbook(io.BytesIO(download(client, world)))
    assert wb.sheetnames[:3] == ["指标数据", "活动", "选项"] and "填报说明" in wb.sheetnames
    values = wb["指标数据"]
    assert [c.value for c in values[1]] == ["指标编码", "指标名称", "计量单位", "上年数值", "本期数值", "情况说明"]
    codes = [values.cell(row=r, column=1).value for r in range(2, values.max_row + 1)]
    assert "HR_FULL" in codes and "FUND_RAISED" in codes
    row = codes.index("HR_FULL") + 2
    assert values.cell(row=row, column=4).value == 9  # last year's figure, read-only and grey
    assert values.cell(row=row, column=4).protection.locked
    assert values.cell(row=row, column=4).fill.fgColor.rgb.endswith("E7E6E6")
    assert not values.cell(row=row, column=5).protection.locked
    assert values.protection.sheet and values.freeze_panes == "A2"
    acts = wb["活动"]
    assert [c.value for c in acts[1]][:4] == ["活动名称", "活动类型", "面向人群", "开始日期"]
    assert acts.freeze_panes == "A2" and acts.column_dimensions["A"].width >= 30
    lists = {str(dv.sqref)[0]: dv.formula1 for dv in acts.data_validations.dataValidation}
    assert set(lists) == {"B", "C", "F", "M"}  # kinds, populations, townships, tasks
    options = wb["选项"]
    assert options.sheet_state == "hidden"
    column = [c.value for c in options["D"]]
    assert "（一） 青少年科学素质提升行动" in column
    assert "渠江街道" in [c.value for c in options["C"]]
    guide = wb["填报说明"]
    assert any("模板标识" == r[0].value for r in guide.iter_rows())


# -- the round trip ------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_round_trip_download_fill_upload_preview_commit(client, world, task):
    login(client, world.filler)
    content = filled(world, client, values={"HR_FULL": 12, "FUND_RAISED": "2.5万"},
                     explanations={"FUND_RAISED": "含上级补助"},
                     activities=[testing.activity("农技培训进村", f"{Y}年3月5日", 举办地="渠江街道", 参加人次="1,200",
                                                  关联任务="（一） 青少年科学素质提升行动", **{"经费（元）": "1.5万"}),
                                 testing.activity("科普讲座", f"{Y}.4.1", 活动类型="讲座", 面向人群="青少年")])
    response = upload(client, world, content)
    job = last_job()
    assert response.status_code == 302 and response["Location"] == reverse("collection:excel_preview", args=[job.pk])
    assert job.status == "ready", messages_of(job)
    assert job.summary["指标数据"]["created"] == 2 and job.summary["活动"]["created"] == 2
    assert not IndicatorValue.objects.exists() and not Activity.objects.exists()  # the preview wrote nothing

    page = client.get(reverse("collection:excel_preview", args=[job.pk])).content.decode()
    assert "确认导入" in page and "检查通过" in page
    response = commit(client, job)
    job.refresh_from_db()
    assert job.status == "done"
    value = IndicatorValue.objects.get(indicator=world.ind["FUND_RAISED"], unit=world.edu, period_id=YEAR)
    assert value.value == Decimal(25000) and value.explanation == "含上级补助"
    assert value.source.startswith("Excel:教育局填报.xlsx:第") and value.source.endswith("行")
    first = Activity.objects.get(title="农技培训进村")
    assert first.start_date == date(Y, 3, 5) and first.participants == 1200 and first.region == world.town1
    assert first.task == task and first.funds == Decimal("15000.00") and first.population == "farmer"
    assert first.source == "Excel:教育局填报.xlsx:第2行"
    assert Activity.objects.get(title="科普讲座").kind == "lecture"
    events = AuditEvent.objects.filter(source__startswith="Excel:教育局填报.xlsx")
    assert events.count() == 4 and events.filter(object_type="collection.activity", action="create").count() == 2


@pytest.mark.django_db
def test_reuploading_the_same_file_changes_nothing(client, world, task):
    login(client, world.filler)
    content = filled(world, client, values={"HR_FULL": 12},
                     activities=[testing.activity("农技培训进村", f"{Y}-03-05", 参加人次=80)])
    upload(client, world, content)
    commit(client, last_job())
    before = (AuditEvent.objects.count(), list(Activity.objects.values_list("version", "updated_at")),
              list(IndicatorValue.objects.values_list("version", "updated_at")))

    upload(client, world, content, name="再传一次.xlsx")
    job = last_job()
    assert job.summary["活动"] == {"rows": 1, "created": 0, "updated": 0, "unchanged": 1}
    assert job.summary["指标数据"]["unchanged"] == 1
    commit(client, job)
    job.refresh_from_db()
    assert job.status == "done"
    after = (AuditEvent.objects.count(), list(Activity.objects.values_list("version", "updated_at")),
             list(IndicatorValue.objects.values_list("version", "updated_at")))
    assert after == before
    # A downloaded template of the filled period round-trips too: it is pre-filled with what is stored.
    upload(client, world, download(client, world), name="原样模板.xlsx")
    job = last_job()
    assert job.status == "ready", messages_of(job)
    assert job.summary["活动"]["unchanged"] == 1 and job.summary["活动"]["created"] == 0


@pytest.mark.django_db
def test_a_changed_row_updates_in_place_with_one_audit_event(client, world):
    login(client, world.filler)
    upload(client, world, filled(world, client, activities=[testing.activity("农技培训", f"{Y}-03-05")]))
    commit(client, last_job())
    # The new download is pre-filled with the stored activity; the filler edits that row.
    upload(client, world, filled(world, client, activities=[testing.activity("农技培训", f"{Y}-03-05", 参加人次=99)],
                                 start_row=2), name="改.xlsx")
    job = last_job()
    assert job.summary["活动"]["updated"] == 1
    commit(client, job)
    activity = Activity.objects.get()
    assert activity.participants == 99 and activity.version == 2
    event = AuditEvent.objects.get(action="update", object_type="collection.activity")
    assert event.changes == {"participants": [50, 99]} and event.source == "Excel:改.xlsx:第2行"


# -- bad input: every problem listed, nothing imported --------------------------------------------------------------


@pytest.mark.django_db
def test_row_problems_are_listed_by_sheet_row_column_and_nothing_is_imported(client, world):
    login(client, world.filler)
    content = filled(world, client, values={"HR_FULL": "十二", "FUND_RAISED": 3},
                     activities=[testing.activity("好的一行", f"{Y}-03-01"),
                                 testing.activity("负数人次", f"{Y}-03-02", 参加人次=-5),
                                 testing.activity("不存在的日子", f"{Y}年2月30日"),
                                 testing.activity("好的一行", f"{Y}-03-01"),
                                 testing.activity("乱选类型", f"{Y}-03-03", 活动类型="联欢"),
                                 testing.activity("结束早于开始", f"{Y}-03-05", 结束日期=f"{Y}-03-01")])
    upload(client, world, content)
    job = last_job()
    assert job.status == "invalid"
    text = messages_of(job)
    assert "指标数据|2|本期数值|应填数字：“十二”不是数字" in text
    assert "活动|3|参加人次|不能为负数" in text
    assert f"活动|4|开始日期|日期“{Y}年2月30日”不存在" in text
    assert "活动|5|活动名称|活动“好的一行”" in text and "与第 2 行重复" in text
    assert "活动|6|活动类型|“联欢”不在活动类型的可选范围内" in text
    assert "活动|7|结束日期|结束日期不能早于开始日期" in text
    page = client.get(reverse("collection:excel_preview", args=[job.pk])).content.decode()
    assert "未导入任何数据" in page and "确认导入" not in page and "第 4 行" in page
    assert commit(client, job).status_code == 302
    assert not Activity.objects.exists() and not IndicatorValue.objects.exists()


@pytest.mark.django_db
def test_empty_rows_are_skipped(client, world):
    login(client, world.filler)
    content = filled(world, client, activities=[testing.activity("第一项", f"{Y}-03-01")])
    content = testing.fill(content, activities=[testing.activity("隔了空行", f"{Y}-03-02")], start_row=6)
    upload(client, world, content)
    job = last_job()
    assert job.status == "ready", messages_of(job)
    assert job.summary["活动"]["rows"] == 2


@pytest.mark.django_db
def test_a_foreign_workbook_is_not_our_template(client, world):
    login(client, world.filler)
    other = testing.edit(download(client, world), lambda wb: [setattr(ws, "title", f"Sheet{i}")
                                                              for i, ws in enumerate(wb.worksheets)])
    upload(client, world, other, name="别的表.xlsx")
    job = last_job()
    assert job.status == "invalid" and "不是本系统的填报模板" in messages_of(job)
    page = client.get(reverse("collection:excel_preview", args=[job.pk])).content.decode()
    assert "不是本系统的填报模板" in page and "确认导入" not in page


@pytest.mark.django_db
def test_another_units_template_is_refused(client, world):
    login(client, world.filler2)
    agri = download(client, world, unit=world.agri)
    login(client, world.filler)
    upload(client, world, testing.fill(agri, activities=[testing.activity("串了单位", f"{Y}-03-01")]))
    job = last_job()
    assert job.status == "invalid" and "渠县农业农村局" in messages_of(job) and "不符" in messages_of(job)


@pytest.mark.django_db
def test_missing_column_blocks_and_extra_column_is_only_a_notice(client, world):
    login(client, world.filler)
    content = filled(world, client, activities=[testing.activity("培训", f"{Y}-03-01")])

    def drop_kind(wb):
        wb["活动"].protection.sheet = False
        wb["活动"].delete_cols(2)
    upload(client, world, testing.edit(content, drop_kind))
    job = last_job()
    assert job.status == "invalid" and "缺少“活动类型”列" in messages_of(job)

    def add_serial(wb):
        wb["活动"].cell(row=1, column=15, value="序号")
        wb["活动"].cell(row=2, column=15, value=1)
    upload(client, world, testing.edit(content, add_serial), name="多一列.xlsx")
    job = last_job()
    assert job.status == "ready", messages_of(job)
    assert "O列“序号”|不是模板中的列" in messages_of(job)
    assert job.problems[0]["blocking"] is False


@pytest.mark.django_db
def test_merged_cells_are_refused(client, world):
    login(client, world.filler)
    content = filled(world, client, activities=[testing.activity("培训", f"{Y}-03-01"),
                                                testing.activity("培训二", f"{Y}-03-01")])
    upload(client, world, testing.edit(content, lambda wb: wb["活动"].merge_cells("D2:D3")))
    job = last_job()
    assert job.status == "invalid"
    assert "活动|2|“开始日期”|单元格 D2:D3 是合并单元格" in messages_of(job)


@pytest.mark.django_db
def test_formulas_are_refused_with_the_cell_named(client, world):
    login(client, world.filler)
    content = filled(world, client, activities=[testing.activity("培训", f"{Y}-03-01", 参加人次="=20+30")])
    upload(client, world, content)
    job = last_job()
    assert job.status == "invalid"
    assert "活动|2|“参加人次”|单元格 H2 含公式" in messages_of(job)
    assert not Activity.objects.exists()


@pytest.mark.django_db
def test_a_file_that_is_not_excel_is_judged_by_its_content(client, world):
    login(client, world.filler)
    response = upload(client, world, b"%PDF-1.7 this is a pdf renamed to xlsx", name="看起来像.xlsx")
    assert response.status_code == 400 and "不是 Excel 文件" in response.content.decode()
    response = upload(client, world, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, name="旧版.xls")
    assert "旧版 Excel（.xls）" in response.content.decode()
    docx = io.BytesIO()
    with zipfile.ZipFile(docx, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<document/>")
    response = upload(client, world, docx.getvalue(), name="报告.xlsx")
    assert "不是 Excel 工作簿" in response.content.decode()
    assert not ExcelImport.objects.exists()


@pytest.mark.django_db
def test_a_100_mb_file_is_refused_before_parsing(client, world):
    login(client, world.filler)
    big = b"PK\x03\x04" + b"\0" * (100 * 1024 * 1024)
    response = upload(client, world, big, name="一百兆.xlsx")
    assert response.status_code == 400
    assert "过大（100.0 MB）" in response.content.decode() and "不能超过 30.0 MB" in response.content.decode()
    assert not ExcelImport.objects.exists()


@pytest.mark.django_db
def test_a_zip_bomb_is_refused_from_the_zip_directory(client, world, settings):
    settings.KESU_EXCEL_MAX_UNCOMPRESSED = 32 * 1024 * 1024
    login(client, world.filler)
    bomb = testing.zip_bomb(64 * 1024 * 1024)
    assert len(bomb) < 1024 * 1024  # a small file …
    response = upload(client, world, bomb, name="炸弹.xlsx")
    assert response.status_code == 400  # … that would inflate past the limit
    assert "解压后达 64.0 MB" in response.content.decode()
    many = io.BytesIO()
    with zipfile.ZipFile(many, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
        for i in range(600):
            zf.writestr(f"xl/x/{i}.xml", "")
    response = upload(client, world, many.getvalue(), name="部件太多.xlsx")
    assert "内部包含 602 个部件" in response.content.decode()


# -- service-level refusals reach the preview ------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_form_validation_runs_for_excel_rows(client, world, activity_rules):
    login(client, world.filler)
    content = filled(world, client, values={"LIT_RATIO": 120},
                     activities=[testing.activity("外县的活动", f"{Y}-03-01", 举办地="渠江街道")])
    upload(client, world, content)
    job = last_job()
    text = messages_of(job)
    assert "“公民具备科学素质的比例”不能大于 100" in text  # the value service's range check
    wb = load_workbook(io.BytesIO(download(client, world)))
    codes = [c.value for c in wb["指标数据"]["A"]]
    assert "TRN_FARMER_P" not in codes  # computed from activities: never offered for typing


# -- background jobs -------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_large_file_runs_as_a_background_job_with_visible_progress(client, world, settings,
                                                                     django_capture_on_commit_callbacks):
    settings.KESU_EXCEL_SYNC_BYTES = 1  # every file counts as large
    login(client, world.filler)
    seen = []
    from kesu.collection.excel import jobs

    original = jobs._progress

    def recording(job_id):
        step = original(job_id)

        def wrapped(stage, pct):
            step(stage, pct)
            seen.append(ExcelImport.objects.values_list("stage", "progress").get(pk=job_id))
        return wrapped
    jobs._progress = recording
    try:
        rows = [testing.activity(f"培训{i}", f"{Y}-03-{1 + i % 28:02d}") for i in range(30)]
        content = filled(world, client, activities=rows)
        with django_capture_on_commit_callbacks(execute=True):  # the task is enqueued once the upload is saved
            upload(client, world, content)
        job = last_job()
        assert job.background and job.status == "ready", messages_of(job)
        partial = client.get(reverse("collection:excel_job", args=[job.pk]), HTTP_HX_REQUEST="true")
        assert partial["HX-Redirect"] == reverse("collection:excel_preview", args=[job.pk])
        assert "100%" in partial.content.decode()
        commit(client, job)
    finally:
        jobs._progress = original
    job.refresh_from_db()
    assert job.status == "done" and Activity.objects.count() == 30
    stages = [s for s, _ in seen]
    assert "读取文件" in stages and "逐行检查" in stages and "写入数据库" in stages
    assert [p for _, p in seen] == sorted(p for _, p in seen) or max(p for _, p in seen) == 100


@pytest.mark.django_db
def test_a_running_job_shows_a_polling_progress_bar(client, world):
    login(client, world.filler)
    upload(client, world, filled(world, client))
    job = last_job()
    # 排队中, not 检查中: a 检查中 job without a live worker holding its lock is reported as interrupted (see
    # test_import_interrupted.py).
    ExcelImport.objects.filter(pk=job.pk).update(status="pending", stage="逐行检查", progress=42)
    page = client.get(reverse("collection:excel_preview", args=[job.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in page and "42%" in page and "您可以离开本页" in page
    partial = client.get(reverse("collection:excel_job", args=[job.pk]), HTTP_HX_REQUEST="true")
    assert "HX-Redirect" not in partial and "逐行检查" in partial.content.decode()


# -- scope -----------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_filler_works_only_for_its_own_unit(client, world):
    login(client, world.filler)
    assert client.get(reverse("collection:excel_template", args=args(world, world.agri))).status_code == 403
    assert upload(client, world, b"x", unit=world.agri).status_code == 403
    login(client, world.filler2)
    agri_content = download(client, world, unit=world.agri)
    upload(client, world, agri_content, unit=world.agri)
    job = last_job()
    login(client, world.filler)
    for name in ("excel_preview", "excel_job"):
        assert client.get(reverse(f"collection:{name}", args=[job.pk])).status_code == 403
    assert commit(client, job).status_code == 403


@pytest.mark.django_db
def test_an_office_works_for_units_in_its_subtree_only(client, world):
    login(client, world.office)
    content = testing.fill(download(client, world), activities=[testing.activity("局里的培训", f"{Y}-03-01")])
    upload(client, world, content)
    job = last_job()
    assert job.status == "ready", messages_of(job)
    commit(client, job)
    assert Activity.objects.get().unit == world.edu
    login(client, world.town_office)  # a township office does not see the county's units
    assert client.get(reverse("collection:excel_template", args=args(world))).status_code == 403
    assert client.get(reverse("collection:excel_preview", args=[job.pk])).status_code == 403
    login(client, world.viewer)
    assert client.get(reverse("collection:excel_upload", args=args(world))).status_code == 403
    assert client.get(reverse("collection:excel_start")).status_code == 403


@pytest.mark.django_db
def test_the_filler_start_page_leads_to_its_own_upload_page(client, world):
    login(client, world.filler)
    response = client.get(reverse("collection:excel_start"))
    assert response["Location"] == reverse("collection:excel_upload", args=args(world))
    page = client.get(response["Location"]).content.decode()
    assert "上传Excel" in page and "下载模板" in page and "渠县教育局" in page

