"""An office uploads an old report, clicks a highlighted number, and accepts it into a figure; screenshots saved."""

import os
from pathlib import Path

import pytest
from django.urls import reverse

from kesu.collection.models import IndicatorValue
from kesu.extraction.models import SourceDocument

from .conftest import REPORT

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page, live_server, username):
    page.goto(f"{live_server.url}{reverse('accounts:login')}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "pw-kesu-1")
    page.locator("form button[type=submit], form input[type=submit]").first.click()
    page.wait_for_load_state()


def _shot(page, name):
    folder = os.environ.get("KESU_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / name), full_page=True)


def test_office_uploads_a_report_and_accepts_a_fact(page, live_server, world, tmp_path):
    _login(page, live_server, world.office.username)
    page.goto(f"{live_server.url}{reverse('extraction:index')}")
    page.get_by_role("heading", name="历史报告").wait_for()
    report = tmp_path / "渠县2023年科普工作总结.txt"
    report.write_text(REPORT + "\n三、其他\n全年培训0余人。\n", encoding="utf-8")
    page.set_input_files("#upload-file", str(report))
    page.get_by_role("button", name="上传并提取").click()
    page.wait_for_load_state()
    assert "找到" in page.locator(".alert").first.inner_text()
    doc = SourceDocument.objects.get()
    fact = doc.facts.get(text="3500人次")
    report_card = page.locator(f"#report-{doc.reports.get().pk}")
    assert "渠县" in report_card.inner_text() and "标题中的地名" in report_card.inner_text()  # evidence shown
    report_card.get_by_role("button", name="确认区域和年份").click()
    page.wait_for_load_state()
    assert "已确认篇1是渠县 2023 年的报告" in page.locator(".alert-success").first.inner_text()
    _shot(page, "extraction-review.png")

    page.locator(f"#f-{fact.pk}").click()  # htmx loads the details into the side panel
    panel = page.locator("#fact-panel")
    panel.get_by_text("农村实用技术培训人次").first.wait_for()
    assert panel.locator("#accept-period").input_value() == "2023"
    _shot(page, "extraction-fact.png")
    panel.get_by_role("button", name="采用").click()
    page.wait_for_load_state()
    assert "已采用“3500人次”" in page.locator(".alert-success").first.inner_text()
    assert "fact-accepted" in page.locator(f"#f-{fact.pk}").get_attribute("class")
    value = IndicatorValue.objects.get(indicator=world.ind["TRN_FARMER_P"], region=world.county, period_id="2023")
    assert value.value == 3500 and value.source == f"提取:文档#{doc.pk}:{fact.start}-{fact.end}"

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    _shot(page, "extraction-phone.png")


def test_a_page_of_several_reports_is_shown_report_by_report(page, live_server, world, tmp_path):
    from .test_review_reports import PAGE

    _login(page, live_server, world.office.username)
    page.goto(f"{live_server.url}{reverse('extraction:index')}")
    upload = tmp_path / "范文三篇.txt"
    upload.write_text(PAGE, encoding="utf-8")
    page.set_input_files("#upload-file", str(upload))
    page.get_by_role("button", name="上传并提取").click()
    page.wait_for_load_state()
    cards = page.locator(".report-card")
    assert cards.count() == 3
    assert "与篇2重复" in cards.nth(2).inner_text()
    assert "本篇是达州市的报告，不在您管理的区域内" in cards.nth(0).inner_text()
    cards.nth(1).get_by_role("button", name="确认区域和年份").click()
    page.wait_for_load_state()
    assert "全篇总数，其余是其中的分项" in page.locator(".report-card").nth(1).inner_text()
    _shot(page, "extraction-reports.png")
