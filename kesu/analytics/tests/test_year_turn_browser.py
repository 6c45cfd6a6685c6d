"""The year's turn in a real browser, on the demo: the leader finds the key figures of the last complete year from
the home page, and the office's dashboard shows the right year, with the clock set in the middle of 2026 and again
just after New Year 2027 (the demo is built as of mid-2026: 2025 approved, 2026 part-way).
"""

from datetime import date

import pytest

from kesu.accounts.models import User
from kesu.accounts.scope import Scope
from kesu.analytics.selectors.dashboard import key_figures
from kesu.analytics.selectors.periods import year_choice
from kesu.collection import services as collection
from kesu.collection.models import Submission, SubmissionStatus
from kesu.demo.builder import PASSWORD, PREFECTURE, build_demo
from kesu.regions.models import Region
from kesu.testing import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MID_YEAR, NEW_YEAR = date(2026, 7, 1), date(2027, 1, 5)


def _login(page, live_server, username):
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)


def _expected_2025(viewer) -> list[str]:
    """The 2025 key figures of 达州市 as the read side computes them, written as the page writes them."""
    from kesu.analytics.templatetags.analytics_tags import fig

    root = Region.objects.get(code=PREFECTURE)
    rows = key_figures(Scope.for_user(viewer), root=root, choice=year_choice(root))
    return [fig(r.current.value) for r in rows]


def _leader_finds_last_years_key_figures(page, live_server, when):
    _login(page, live_server, "leader")
    card = page.locator("#key-figures")
    assert "达州市2025年主要指标" in card.inner_text()
    stats = card.locator(".stat").all_inner_texts()
    assert stats == _expected_2025(User.objects.get(username="leader"))
    assert len(stats) >= 4 and "—" not in stats
    assert "2026年至今" in card.inner_text()
    screenshot(page, f"home-leader-{when}")
    page.click("#key-figures >> text=统计分析")  # the second click: the dashboard of the same year, in full
    page.wait_for_selector("#chart-ranking[data-rendered]", state="attached")
    assert page.locator("#year-picker").input_value() == "2025"
    assert page.locator("#headline .stat").all_inner_texts() == stats
    bars = page.evaluate("""() => echarts.getInstanceByDom(document.getElementById('chart-ranking'))
        .getOption().series[0].data.filter(v => v !== null && v !== '-').length""")
    assert bars == 3  # the three counties, none blank
    screenshot(page, f"dashboard-leader-{when}")


def _office_sees_the_right_year(page, live_server, when):
    _login(page, live_server, "dazhou")
    page.goto(f"{live_server.url}/analytics/")
    page.wait_for_selector("#chart-completeness[data-rendered]", state="attached")
    note = page.inner_text("#dashboard-year")
    assert "以下为2025年（最近一个审核完成的年度）数据" in note and "2026年正在填报审核" in note
    assert "—" not in page.locator("#headline .stat").all_inner_texts()
    assert "尚未设置" not in page.inner_text("main")
    screenshot(page, f"dashboard-office-{when}")
    page.select_option("#year-picker", "2026")  # the running year on request, said plainly
    page.wait_for_url(lambda url: "year=2026" in url)
    assert "以下为2026年已审核数据" in page.inner_text("#dashboard-year")
    page.goto(f"{live_server.url}/analytics/progress/")
    assert page.locator("#year-picker").input_value() == "2025"
    assert "未完成" in page.inner_text("main") or "已完成" in page.inner_text("main")
    assert "正常" not in " ".join(page.locator("table").all_inner_texts())  # a finished year: 完成 or 未完成
    screenshot(page, f"progress-office-{when}")


def _tables_are_readable(page, live_server):
    """The pivot of 60 townships: a name column one can read, lower levels folded and unfolded on demand; a
    report's source link lands on its figure, marked, among the columns that have figures."""
    page.goto(f"{live_server.url}/analytics/pivot/?region=511700&indicators=DEMO_VILLAGE&indicators=SITE_BOARD"
              "&periods=2025")
    town = page.locator("#pivot tbody tr", has_text="三汇镇")
    assert town.count() == 1 and not town.is_visible()  # folded under 渠县
    name = page.locator("#pivot tbody th", has_text="渠县").first
    assert name.bounding_box()["width"] >= 150 and name.bounding_box()["height"] < 40  # one line, not one glyph a line
    name.locator(".pivot-toggle").click()
    assert town.is_visible()
    screenshot(page, "pivot-office")
    page.goto(f"{live_server.url}/analytics/explorer/?indicators=ACT_LECTURE_N&region=511725&periods=2025")
    figure = page.locator("#figure")
    assert figure.is_visible() and figure.inner_text().strip() not in ("", "—")
    assert "figure-focus" in figure.get_attribute("class")
    assert "没有数据或均为 0，未列出" in page.inner_text("main")
    screenshot(page, "explorer-source-link")


def test_the_year_turn_for_the_leader_and_the_office(live_server, page, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.KESU_TODAY = MID_YEAR
    build_demo()
    # The first approved return of 2026 (the scene where the dashboards used to go blank).
    sub = Submission.objects.filter(period_id="2026", status=SubmissionStatus.SUBMITTED,
                                    region__code="511725", unit__isnull=False).order_by("id").first()
    collection.submission_approve(actor=User.objects.get(username="quxian"), submission=sub)
    for when, today in (("mid-year", MID_YEAR), ("new-year", NEW_YEAR)):
        settings.KESU_TODAY = today
        _leader_finds_last_years_key_figures(page, live_server, when)
        _office_sees_the_right_year(page, live_server, when)
    _tables_are_readable(page, live_server)
