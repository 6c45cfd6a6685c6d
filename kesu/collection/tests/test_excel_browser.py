"""A 填报员 uploads a template with two bad rows, sees the row-level errors, fixes the file and commits."""

import pytest
from django.urls import reverse

from kesu.collection.excel import testing
from kesu.collection.models import Activity, IndicatorValue, Submission, SubmissionStatus
from kesu.testing import screenshot

from .conftest import YEAR
from .test_excel_round_trip import stocked  # noqa: F401 - the fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _excel_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def _login(page, live_server, username):
    page.goto(f"{live_server.url}{reverse('accounts:login')}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "kesu-test-pw")
    page.locator("form button[type=submit], form input[type=submit]").first.click()
    page.wait_for_load_state()


def test_filler_fixes_two_bad_rows_and_commits(page, live_server, world, tmp_path):
    _login(page, live_server, world.filler.username)
    page.goto(f"{live_server.url}{reverse('collection:excel_start')}")
    page.get_by_role("heading", name="上传Excel").wait_for()

    with page.expect_download() as info:
        page.get_by_role("link", name="下载模板").click()
    template = (tmp_path / "模板.xlsx")
    info.value.save_as(template)
    year = int(YEAR)
    good = testing.activity("科普进校园", f"{year}-03-01")
    bad = testing.fill(template.read_bytes(), activities=[
        good,
        testing.activity("负数人次", f"{year}-03-02", 参加人次=-5),
        testing.activity("不存在的日子", f"{year}年2月30日"),
    ])
    bad_file = tmp_path / "教育局活动.xlsx"
    bad_file.write_bytes(bad)
    page.set_input_files("#id_file", str(bad_file))
    page.get_by_role("button", name="上传并检查").click()
    page.locator("#excel-status").wait_for()
    status = page.locator("#excel-status").inner_text()
    assert "发现 2 个问题" in status and "未导入任何数据" in status
    problems = page.locator("table.excel-problems").inner_text()
    assert "第 3 行" in problems and "参加人次" in problems and "不能为负数" in problems
    assert "第 4 行" in problems and "开始日期" in problems and "不存在" in problems
    assert page.get_by_role("button", name="确认导入").count() == 0
    screenshot(page, "excel-errors")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "excel-errors-phone")
    page.set_viewport_size({"width": 1366, "height": 900})

    fixed = testing.fill(template.read_bytes(), activities=[
        good,
        testing.activity("负数人次", f"{year}-03-02", 参加人次=5),
        testing.activity("不存在的日子", f"{year}年2月28日"),
    ])
    bad_file.write_bytes(fixed)
    page.get_by_role("link", name="重新上传").click()
    page.set_input_files("#id_file", str(bad_file))
    page.get_by_role("button", name="上传并检查").click()
    page.locator("#excel-status").wait_for()
    assert "检查通过" in page.locator("#excel-status").inner_text()
    assert "3" in page.locator("#excel-summary").inner_text()
    page.get_by_role("button", name="确认导入").click()
    page.locator("#excel-status").wait_for()
    assert "已导入" in page.locator("#excel-status").inner_text()
    screenshot(page, "excel-done")
    assert sorted(Activity.objects.values_list("title", flat=True)) == ["不存在的日子", "科普进校园", "负数人次"]
    assert Activity.objects.get(title="负数人次").participants == 5


def test_the_preview_lists_each_changed_cell_and_keeps_blank_links(page, live_server, stocked, tmp_path):
    """The unit's own template comes back with one figure and one count changed and the task column cleared: the
    preview shows the two changed cells old → new, and the task links stay."""
    from kesu.collection.excel.columns import ACTIVITIES_SHEET

    _login(page, live_server, stocked.filler.username)
    page.goto(f"{live_server.url}{reverse('collection:excel_start')}")
    with page.expect_download() as info:
        page.get_by_role("link", name="下载模板").click()
    template = tmp_path / "模板.xlsx"
    info.value.save_as(template)

    def change(wb):
        ws = wb[ACTIVITIES_SHEET]
        headers = [c.value for c in ws[1]]
        for r in range(2, 5):
            ws.cell(row=r, column=headers.index("关联任务") + 1, value=None)
        ws.cell(row=3, column=headers.index("参加人次") + 1, value=260)
        wb["指标数据"].cell(row=2, column=5, value=1160)

    changed = tmp_path / "教育局改.xlsx"
    changed.write_bytes(testing.edit(template.read_bytes(), change))
    page.set_input_files("#id_file", str(changed))
    page.get_by_role("button", name="上传并检查").click()
    page.locator("#excel-status").wait_for()
    assert "检查通过" in page.locator("#excel-status").inner_text()
    table = page.locator("#excel-changes").inner_text()
    assert "科普专职人员" in table and "1151" in table and "1160" in table
    assert "科普进校园第2场" in table and "200" in table and "260" in table
    assert "关联任务" not in table
    screenshot(page, "excel-changes")
    page.get_by_role("button", name="确认导入").click()
    page.locator("#excel-status").get_by_text("已导入").wait_for()
    assert Activity.objects.filter(task__isnull=False).count() == 2


def test_a_file_with_a_mistake_on_every_row_shows_the_first_thousand(page, live_server, stocked, tmp_path):
    from kesu.collection.excel.columns import ACTIVITIES_SHEET

    _login(page, live_server, stocked.filler.username)
    page.goto(f"{live_server.url}{reverse('collection:excel_start')}")
    with page.expect_download() as info:
        page.get_by_role("link", name="下载模板").click()
    template = tmp_path / "模板.xlsx"
    info.value.save_as(template)

    def bad_rows(wb):
        ws = wb[ACTIVITIES_SHEET]
        for r in range(5, 1205):
            ws.cell(row=r, column=1, value=f"活动{r}")
            ws.cell(row=r, column=2, value="不存在的类型")

    bad = tmp_path / "每行都错.xlsx"
    bad.write_bytes(testing.edit(template.read_bytes(), bad_rows))
    page.set_input_files("#id_file", str(bad))
    page.get_by_role("button", name="上传并检查").click()
    page.locator("#excel-status").wait_for()
    assert "发现 1,200 个问题" in page.locator("#excel-status").inner_text()
    assert "前 1,000 条，共 1,200 条" in page.locator("#excel-problems-capped").inner_text()
    assert page.locator("table.excel-problems tbody tr").count() == 1000
    screenshot(page, "excel-capped")
    with page.expect_download() as info:
        page.locator("#excel-problems-download").click()
    lines = (info.value.path().read_bytes().decode("utf-8-sig")).splitlines()
    assert len(lines) == 1201


def test_office_loads_an_old_year_as_history_from_the_excel_page(page, live_server, world, tmp_path):
    old = str(int(YEAR) - 8)
    _login(page, live_server, world.office.username)
    page.goto(f"{live_server.url}{reverse('collection:excel_start')}")
    page.select_option("#id_year", old)
    page.locator("#history-note").wait_for()
    row = page.locator("tr", has_text="区域本级汇总")
    with page.expect_download() as info:
        row.get_by_role("link", name="下载模板").click()
    template = tmp_path / "模板.xlsx"
    info.value.save_as(template)
    filled = tmp_path / f"{old}年统计表.xlsx"
    filled.write_bytes(testing.fill(template.read_bytes(), values={"HR_FULL": 40}))
    row.get_by_role("link", name="上传Excel").click()
    assert page.locator("#id_history").is_checked()
    page.set_input_files("#id_file", str(filled))
    screenshot(page, "excel-history-upload")
    page.get_by_role("button", name="上传并检查").click()
    page.locator("#history-badge").wait_for()
    page.get_by_role("button", name="确认导入").click()
    page.locator("#excel-status", has_text="已导入").wait_for()
    screenshot(page, "excel-history-done")
    value = IndicatorValue.objects.get(indicator=world.ind["HR_FULL"], region=world.county, unit=None, period_id=old)
    assert value.value == 40
    assert Submission.objects.get(region=world.county, unit=None, period_id=old).status == SubmissionStatus.APPROVED
