"""The plan page in a real browser: the unit filter swaps the task table through HTMX, on laptop and phone widths.

Set KESU_SCREENSHOTS to a folder to keep screenshots of the pages for a look.
"""


import pytest

from kesu.plans import services
from kesu.testing import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def seeded(builtin, regions, users, units, indicator):
    office = users["office"]
    plan = services.plan_create(actor=office, region=regions["county"], framework=builtin,
                                title="渠县全民科学素质行动规划纲要实施方案（2021—2025年）", start_year=2021, end_year=2025)
    items = {i.code: i for i in builtin.items.all()}
    services.task_create(actor=office, plan=plan, number="1", title="开展校园科技节和青少年科技创新大赛",
                         item=items["A1.2"], lead_units=[units["edu"], units["cast"]],
                         responsible_units=[units["youth"], units["women"]], due_period="2025",
                         indicators=[indicator("ACT_CONTEST_N"), indicator("ACT_CONTEST_P")])
    services.task_create(actor=office, plan=plan, number="2", title="实施高素质农民培育计划", item=items["A2.2"],
                         lead_units=[units["agri"], units["cast"]], responsible_units=[units["hr"], units["women"]],
                         due_period="2025", indicators=[indicator("TRN_HQFARMER"), indicator("TRN_FARMER_P")])
    services.task_create(actor=office, plan=plan, number="3", title="举办全国科普日、科技活动周主场活动",
                         item=items["P4"], lead_units=[units["cast"]], all_members_responsible=True,
                         due_period="2025S2", indicators=[indicator("ACT_SCIDAY_N")])
    for region, value in (("county", 10000), ("town_a", 4000), ("town_b", 5000)):
        services.target_set(actor=office, plan=plan, indicator=indicator("TRN_FARMER_P"), region=regions[region],
                            year=2023, value=value)
    return plan


def _login(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw-kesu-12345")
    page.click("button[type=submit]")


def test_unit_filter_swaps_the_task_table(page, live_server, seeded, units):
    _login(page, live_server, "county_office")
    page.goto(f"{live_server.url}/plans/{seeded.pk}/")
    assert page.locator("#task-table tbody tr").count() == 3
    screenshot(page, "plan_detail_laptop")
    page.select_option("#f-unit", str(units["edu"].pk))
    page.wait_for_function("() => document.querySelectorAll('#task-table tbody tr').length === 2")
    text = page.inner_text("#task-table")
    assert "开展校园科技节" in text and "高素质农民" not in text
    assert f"unit={units['edu'].pk}" in page.url
    page.select_option("#f-role", "lead")
    page.wait_for_function("() => document.querySelectorAll('#task-table tbody tr').length === 1")

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/plans/{seeded.pk}/")
    screenshot(page, "plan_detail_phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_pages_render_for_a_look(page, live_server, seeded):
    _login(page, live_server, "county_office")
    for name, path in [("plan_list", "/plans/"), ("targets", f"/plans/{seeded.pk}/targets/"),
                       ("consistency", f"/plans/{seeded.pk}/targets/consistency/?indicator="
                                       f"{seeded.targets.first().indicator_id}&year=2023"),
                       ("indicators", "/plans/indicators/"), ("frameworks", "/plans/frameworks/"),
                       ("framework_detail", f"/plans/frameworks/{seeded.framework_id}/"),
                       ("task_form", f"/plans/{seeded.pk}/tasks/new/")]:
        page.goto(f"{live_server.url}{path}")
        assert page.locator("h1").count() >= 1, name
        screenshot(page, f"{name}_laptop")
    page.set_viewport_size({"width": 390, "height": 844})
    for name, path in [("indicators", "/plans/indicators/"), ("task_form", f"/plans/{seeded.pk}/tasks/new/"),
                       ("framework_detail", f"/plans/frameworks/{seeded.framework_id}/")]:
        page.goto(f"{live_server.url}{path}")
        screenshot(page, f"{name}_phone")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, name
