"""The office dashboard in a real browser: charts render with figures (read from the ECharts instance)."""

import pytest

from kesu.collection.rollup import rollup_rebuild
from kesu.testing import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "kesu-test-pw")
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)


def test_office_dashboard_renders_chart_figures(world, live_server, page, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    w = world
    for year, scale in ((2023, 1), (2024, 2)):
        w.put("VISITS", w.town1, 100 * scale, pid=str(year))
        w.put("VISITS", w.county, 30 * scale, pid=str(year), unit=w.edu)
        w.put("VISITS", w.county2, 70 * scale, pid=str(year))
    rollup_rebuild()
    _login(page, live_server, "city_office")
    page.goto(f"{live_server.url}/analytics/")
    page.wait_for_selector("#chart-ranking[data-rendered]", state="attached")
    data = page.evaluate("""() => {
        const opt = echarts.getInstanceByDom(document.getElementById('chart-ranking')).getOption();
        return {cats: opt.yAxis[0].data, values: opt.series[0].data, title: opt.title[0].text};
    }""")
    assert data["cats"] == ["渠县", "大竹县"] and data["values"] == [260, 140]
    assert "排名" in data["title"]
    canvas = page.locator("#chart-ranking canvas")
    assert canvas.count() == 1 and canvas.bounding_box()["height"] > 200
    screenshot(page, "analytics-dashboard")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/analytics/")
    page.wait_for_selector("#chart-ranking[data-rendered]", state="attached")
    screenshot(page, "analytics-dashboard-phone")
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{live_server.url}/analytics/pivot/?indicators=VISITS&periods=2024")
    assert page.locator("#pivot tr", has_text="渠县").inner_text().split()[-1] == "260"  # the chart's figure again
    screenshot(page, "analytics-pivot")
