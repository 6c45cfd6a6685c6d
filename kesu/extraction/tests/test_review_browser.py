"""An office uploads an old report, clicks a highlighted number, and accepts it into a figure; screenshots saved."""

from decimal import Decimal

import pytest
from django.urls import reverse

from kesu.collection.models import IndicatorValue
from kesu.extraction.models import SourceDocument
from kesu.testing import screenshot

from .conftest import REPORT

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page, live_server, username):
    page.goto(f"{live_server.url}{reverse('accounts:login')}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "pw-kesu-1")
    page.locator("form button[type=submit], form input[type=submit]").first.click()
    page.wait_for_load_state()


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
    screenshot(page, "extraction-review")

    page.locator(f"#f-{fact.pk}").click()  # htmx loads the details into the side panel
    panel = page.locator("#fact-panel")
    panel.get_by_text("农村实用技术培训人次").first.wait_for()
    assert panel.locator("#accept-period").input_value() == "2023"
    screenshot(page, "extraction-fact")
    panel.get_by_role("button", name="采用").click()
    page.wait_for_load_state()
    assert "已采用“3500人次”" in page.locator(".alert-success").first.inner_text()
    assert "fact-accepted" in page.locator(f"#f-{fact.pk}").get_attribute("class")
    value = IndicatorValue.objects.get(indicator=world.ind["TRN_FARMER_P"], region=world.county, period_id="2023")
    assert value.value == 3500 and value.source == f"提取:文档#{doc.pk}:{fact.start}-{fact.end}"

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    screenshot(page, "extraction-phone")


# A page of three reports, written for this test: a city's, and a county's sent twice with one phrase changed and
# a compilation site's source line in mid-paragraph.
CITY_2019 = ("篇1：达州市2019年全民科学素质工作总结\n"
             "2019年，我市深入实施全民科学素质行动。全市共建成科普宣传栏1850个，其中宣汉县412个。"
             "全市注册科普志愿者2.6万人。我市各县同步推进。\n")
COUNTY_2019 = ("篇2：渠县2019年科普工作总结\n"
               "2019年，我县围绕乡村振兴扎实推进全民科学素质工作。全县共建成科普宣传栏326个，其中村级科普宣传栏280个。"
               "全县注册科普志愿者4200人，组建科普志愿服务队36支。本文来源www.fanwen-sample.cn/a/77.html "
               "全年开展农村实用技术培训186期，培训农民8600人次。\n一、科普经费\n"
               "全县年度科普经费筹集额92.5万元，其中政府拨款70万元。计划明年培训农民9000人次。\n")
THREE_REPORTS = CITY_2019 + COUNTY_2019 + COUNTY_2019.replace("篇2", "篇3").replace("扎实推进", "稳步推进")
COUNTY_2025 = ("渠县2025年科普工作总结\n2025年，我县持续推进全民科学素质行动。全县共建成科普宣传栏355个。"
               "全县注册科普志愿者5100人。全年开展农村实用技术培训212期。\n")


def _upload(page, live_server, path, text):
    page.goto(f"{live_server.url}{reverse('extraction:index')}")
    path.write_text(text, encoding="utf-8")
    page.set_input_files("#upload-file", str(path))
    page.get_by_role("button", name="上传并提取").click()
    page.wait_for_load_state()
    return SourceDocument.objects.get(original_name=path.name)


def test_the_county_office_reads_a_page_of_three_reports_into_history_and_corrections(page, live_server, settings,
                                                                                     tmp_path):
    """As 渠县's office on the demo (figures 2020—2026, 2025 approved): a 2019 page goes in as history in one pass,
    the city's report stays out of 渠县, and a 2025 report's figures are proposed as corrections and confirmed."""
    from datetime import date

    from kesu.core.models import AuditEvent
    from kesu.demo.builder import FOCUS_COUNTY, PASSWORD, build_demo
    from kesu.extraction.models import ExtractedFact, FactStatus

    settings.KESU_TODAY = date(2026, 7, 1)
    build_demo()
    page.goto(f"{live_server.url}{reverse('accounts:login')}")
    page.fill("#id_username", "quxian")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)

    doc = _upload(page, live_server, tmp_path / "范文三篇.txt", THREE_REPORTS)
    cards = page.locator(".report-card")
    assert cards.count() == 3  # split into its three reports
    city, county, copy = (cards.nth(k) for k in range(3))
    assert "与篇2重复" in copy.inner_text() and "均为重复" in copy.inner_text()  # the copy collapsed, said so
    assert "本文来源" not in page.locator("#doc-text").inner_text()  # the source line removed from the text shown
    assert "本篇是达州市的报告，不在您管理的区域内" in city.inner_text()
    assert city.get_by_role("button", name="批量采用本篇").count() == 0  # nothing of the city's can go to 渠县
    assert "达州市的数，不采用" in city.inner_text() and "批量采用取" not in city.inner_text()
    assert "标题中的地名" in county.inner_text() and "2019 年" in county.inner_text()  # evidence shown
    assert "待确认区域和年份" in county.inner_text() and county.get_by_role("button", name="批量采用本篇").count() == 0
    assert "篇3" in page.locator("#facts-table tbody tr").last.inner_text()  # each figure says whose report
    screenshot(page, "extraction-three-reports")

    county.get_by_role("button", name="确认区域和年份").click()  # region and year as detected: 渠县 2019
    page.wait_for_load_state()
    assert "已确认篇2是渠县 2019 年的报告" in page.locator(".alert-success").first.inner_text()
    county = page.locator(".report-card").nth(1)
    headline = county.locator(".groups-table tr", has_text="科普画廊/宣传栏")
    assert "326个" in headline.inner_text() and "280个" in headline.inner_text()  # competing values side by side
    assert "全篇总数，其余是其中的分项" in headline.locator("td").last.inner_text()
    assert "由科普活动自动汇总" not in county.inner_text()  # 2019 has no activities: 186期 of training is history
    screenshot(page, "extraction-review-confirmed")
    county.get_by_role("button", name="批量采用本篇").click()
    page.wait_for_load_state()
    assert "已批量采用" in page.locator(".alert-success").first.inner_text()

    quxian_2019 = {v.indicator.code: v for v in IndicatorValue.objects.filter(region__code=FOCUS_COUNTY,
                                                                             period_id="2019", unit=None)}
    assert quxian_2019["SITE_BOARD"].value == 326  # the headline total, not the 280 of the villages
    assert quxian_2019["HR_VOLUNTEER"].value == 4200 and quxian_2019["FUND_RAISED"].value == Decimal("92.5")
    assert not IndicatorValue.objects.filter(region__code=FOCUS_COUNTY, value__in=[1850, 412, 26000]).exists()
    assert any(v.value == 186 for v in quxian_2019.values())  # a count summed from activities in later years
    for value in quxian_2019.values():  # every accepted value links back to its sentence, history as approved
        fact = ExtractedFact.objects.get(accepted_value=value)
        assert fact.report.index == 2 and value.source == f"提取:文档#{doc.pk}:{fact.start}-{fact.end}"
        assert AuditEvent.objects.filter(object_type="collection.indicatorvalue", object_id=str(value.pk),
                                         action="history").exists()
    fact = ExtractedFact.objects.get(accepted_value=quxian_2019["SITE_BOARD"])
    page.locator(f"#f-{fact.pk}").click()
    page.locator("#fact-panel").get_by_text("已采用为 科普画廊/宣传栏 2019 年").wait_for()
    assert "fact-accepted" in page.locator(f"#f-{fact.pk}").get_attribute("class")
    assert not doc.facts.filter(report__index__in=[1, 3], status=FactStatus.ACCEPTED).exists()

    # A year 渠县 has approved returns for: the report's figures are proposed as corrections, confirmed at once.
    later = _upload(page, live_server, tmp_path / "渠县2025年科普工作总结.txt", COUNTY_2025)
    card = page.locator(".report-card")
    card.get_by_role("button", name="确认区域和年份").click()
    page.wait_for_load_state()
    assert "由科普活动自动汇总" in page.locator(".report-card").inner_text()  # 2025's 212期 is its activities' sum
    page.locator(".report-card").get_by_role("button", name="批量采用本篇").click()
    page.wait_for_load_state()
    rows = page.locator("#amend-rows tbody tr")
    assert "已审核锁定" in page.locator(".alert-warning").inner_text() and rows.count() == 2
    assert "355" in rows.filter(has_text="科普画廊/宣传栏").inner_text()  # what it is now, what it becomes
    screenshot(page, "extraction-amend-confirm")
    assert not IndicatorValue.objects.filter(region__code=FOCUS_COUNTY, period_id="2025", value=355).exists()
    page.fill("#amend_reason", "据2025年工作总结核对更正")
    page.get_by_role("button", name="确认更正").click()
    page.wait_for_load_state()
    assert "已批量采用 2 条数据" in page.locator(".alert-success").first.inner_text()
    value = IndicatorValue.objects.get(region__code=FOCUS_COUNTY, period_id="2025", unit=None,
                                       indicator__code="SITE_BOARD")
    assert value.value == 355 and ExtractedFact.objects.get(accepted_value=value).document == later
    assert AuditEvent.objects.filter(object_type="collection.indicatorvalue", object_id=str(value.pk),
                                     action="amend", reason__contains="据2025年工作总结核对更正").exists()
