"""An office runs a survey round in the browser: create, upload a 问卷星 file, compute, weight, accept."""


import pytest
from django.urls import reverse

from kesu.collection.models import IndicatorValue
from kesu.testing import screenshot

from .conftest import literacy_margins, wjx_csv

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_office_runs_a_round_from_file_to_figure(page, live_server, county_world, tmp_path):
    page.goto(f"{live_server.url}{reverse('accounts:login')}")
    page.fill("input[name=username]", "office")
    page.fill("input[name=password]", "x-pass-123")
    page.locator("form button[type=submit]").first.click()
    page.get_by_role("link", name="抽样调查").click()
    page.fill("#s-year", "2025")
    page.get_by_role("button", name="新建调查").click()
    page.get_by_role("heading", name="渠县2025年公民科学素质抽样调查").wait_for()

    answers = tmp_path / "问卷星导出.csv"
    answers.write_bytes(wjx_csv(800, seed=5))
    page.set_input_files("input[name=file]", str(answers))
    page.get_by_role("button", name="上传").click()
    page.get_by_text("共 800 份答卷").wait_for()
    assert page.get_by_label("1.性别的对应").input_value() == "sex"  # guessed from the header
    page.get_by_role("button", name="计算").click()
    page.get_by_text("· 未加权").wait_for()

    for variable, counts in literacy_margins().items():
        for level, count in counts.items():
            page.fill(f"input[name='margin-{variable}-{level}']", f"{count:.0f}")
    page.get_by_role("button", name="计算").click()
    page.get_by_text("已按人口结构加权").wait_for()
    headline = page.locator(".display-6").inner_text()
    screenshot(page, "survey-round.png")

    page.get_by_role("button", name="采用为2025年渠县的指标数据").click()
    page.get_by_text("已写入填报数据").wait_for()
    value = IndicatorValue.objects.get(indicator__code="LIT_RATIO", region=county_world["county"], period_id="2025")
    assert f"{value.value:.2f}%" == headline
    assert value.source.startswith("本地抽样调查（样本量")

    # the national result is recorded from its release; the dashboard draws both, each point with its source
    page.goto(f"{live_server.url}{reverse('surveys:index')}")
    assert page.title() == "抽样调查 · 科素"  # the form lives in the page, not in its title
    page.select_option("#p-area", label="全国")
    page.fill("#p-year", "2024")
    page.fill("#p-value", "15.37")
    page.fill("#p-publisher", "中国科协")
    page.fill("#p-date", "2025-05-29")
    page.get_by_role("button", name="录入发布结果").click()
    page.get_by_text("已录入全国2024年 15.37%（中国科协发布），作为对照序列显示。").wait_for()
    screenshot(page, "survey-published.png")
    page.goto(f"{live_server.url}{reverse('analytics:dashboard')}")
    chart = page.locator("#chart-literacy")
    chart.wait_for()
    chart.scroll_into_view_if_needed()
    names = page.evaluate("() => echarts.getInstanceByDom(document.getElementById('chart-literacy'))"
                          ".getOption().series.map(s => s.name)")
    assert names == ["渠县", "全国（上级发布）"]
    table = page.locator(".chart-card", has=chart).locator(".chart-table")
    assert "上级发布（中国科协，2025-05-29）" in table.text_content()  # the table twin names every point's source
    assert "本地抽样调查（样本量" in table.text_content()
    screenshot(page, "survey-dashboard.png")
