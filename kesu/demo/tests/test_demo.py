"""The demo as a 科协 officer meets it: a real prefecture, its counties' plans, tasks with their lead units."""

import re
from datetime import date

import pytest

from kesu.accounts.models import Role, User
from kesu.demo.builder import COUNTIES, FOCUS_COUNTY, PASSWORD, PREFECTURE, build_demo
from kesu.demo.progress import Progress
from kesu.orgs.models import CoordinationBody, Unit
from kesu.plans.models import Plan, PlanKind, Target, TaskRole
from kesu.plans.selectors import target_consistency
from kesu.regions.models import Region


@pytest.fixture
def demo(db, settings):
    """The demo's structure (regions, units, bodies, plans, logins) without its years of figures, built mid-2026."""
    settings.KESU_TODAY = date(2026, 7, 1)
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return build_demo(figures=False)


def test_demo_is_a_prefecture_with_three_counties_and_their_plans(demo):
    prefecture = Region.objects.get(code=PREFECTURE)
    counties = Region.objects.filter(code__in=COUNTIES)
    assert prefecture.name == "达州市" and {c.parent_id for c in counties} == {prefecture.pk}
    assert Region.objects.get(code=FOCUS_COUNTY).children.count() >= 10  # 渠县's townships
    for county in counties:
        assert 20 <= Unit.objects.filter(region=county).count() <= 30
        assert CoordinationBody.objects.get(region=county).posts.count() >= 20
        plan = Plan.objects.get(region=county, kind=PlanKind.IMPLEMENTATION)
        assert plan.tasks.count() >= 30
        assert all(1 <= t.task_units.filter(role=TaskRole.LEAD).count() <= 3 for t in plan.tasks.all())
        assert Target.objects.filter(plan=plan, region=county).count() >= 40


def test_demo_carries_its_tasks_into_the_work_points_of_each_year_after_the_plan(demo, settings):
    """In 2026 the 2021—2025 plan has ended: each region works to its 2026 工作要点, the same tasks carried over."""
    for county in Region.objects.filter(code__in=COUNTIES):
        plan = Plan.objects.get(region=county, kind=PlanKind.IMPLEMENTATION)
        annual = Plan.objects.get(region=county, kind=PlanKind.ANNUAL, start_year=2026)
        assert annual.end_year == 2026 and annual.title == f"{county.name}2026年全民科学素质工作要点"
        assert list(annual.tasks.order_by("sort").values_list("title", flat=True)) == list(
            plan.tasks.order_by("sort").values_list("title", flat=True))
        assert set(annual.tasks.values_list("due_period", flat=True)) == {"2026"}
        assert Target.objects.filter(plan=annual, region=county, year=2026).count() == 10
    edu = Unit.objects.get(region__code=FOCUS_COUNTY, kind="education")
    from kesu.plans.selectors import unit_tasks

    this_year = unit_tasks(edu.pk, edu.region_id, 2026)
    assert this_year.exists() and {t.plan.kind for t in this_year} == {PlanKind.ANNUAL}


def test_demo_township_targets_add_up_to_the_county_target(demo):
    plan = Plan.objects.get(region__code=FOCUS_COUNTY, kind=PlanKind.IMPLEMENTATION)
    target = Target.objects.get(plan=plan, region=plan.region, indicator__code="TRN_FARMER_P", year=2025)
    check = target_consistency(plan, target.indicator, 2025)
    (row,) = [r for r in check.rows if r.region == plan.region]
    assert row.children_sum == row.target == target.value
    assert row.difference == 0 and not row.children_missing


def test_demo_gives_one_login_per_role_and_is_idempotent(demo):
    roles = {login.role for login in demo}
    assert roles == {label for _, label in Role.choices}
    again = build_demo(figures=False)
    assert [login.username for login in again] == [login.username for login in demo]
    assert Plan.objects.filter(region__code__in=COUNTIES, kind=PlanKind.IMPLEMENTATION).count() == len(COUNTIES)
    assert User.objects.get(username="quxian").check_password(PASSWORD)


def test_demo_build_says_each_stage_with_its_seconds(db, settings):
    """Whoever runs `kesu demo` sees a line per stage as it finishes, then the total; a second run prints none."""
    settings.KESU_TODAY = date(2026, 7, 1)
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    lines: list[str] = []
    build_demo(figures=False, progress=Progress(lines.append))
    stages = [re.fullmatch(r"  (.+) …… (\d+\.\d) 秒", line) for line in lines[:-1]]
    assert all(stages), lines
    assert [m.group(1) for m in stages] == ["行政区划（达州市及三县的乡镇）", "纲要框架和指标", "成员单位、领导小组和联络员",
                                            "实施方案、工作要点、任务、目标和会议", "演示账号"]
    assert re.fullmatch(r"演示数据载入完成，共 \d+\.\d 秒", lines[-1])
    again: list[str] = []
    build_demo(figures=False, progress=Progress(again.append))
    assert again == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_office_user_opens_the_plan_and_sees_tasks_with_their_lead_units(page, live_server, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    build_demo(figures=False)
    page.goto(f"{live_server.url}/")
    page.fill("#id_username", "quxian")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    assert "演示数据" in page.inner_text("body")
    page.goto(f"{live_server.url}/plans/")  # the home page is the dashboard; the plans have their own list
    page.click("text=渠县全民科学素质行动规划纲要实施方案（2021—2025年）")
    page.wait_for_selector("#task-table")
    table = page.inner_text("#task-table")
    assert "开展农村实用技术培训" in table
    row = page.locator("#task-table tr", has_text="开展农村实用技术培训")
    assert "渠县农业农村局" in row.inner_text() and "渠县科学技术协会" in row.inner_text()
    assert len(re.findall("A[1-5]\\.\\d+|P[1-5]\\.\\d+", table)) >= 30
