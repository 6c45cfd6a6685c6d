"""The year of a return in a real browser: the 填报员 fills, gets a value flagged, explains, submits, withdraws and
resubmits; the 办公室 reviews with the figures in view, returns one with a reason, batch-approves the rest, creates a
unit login, sees the dashboard of the right year and generates the report. All of it once with the clock in the
middle of the year and once just after New Year (the year's return is still open then, until its closing day)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from kesu.accounts.models import User
from kesu.collection import services
from kesu.collection.models import IndicatorValue, Submission
from kesu.collection.models import SubmissionStatus as S
from kesu.plans.models import Framework, Plan, Task, TaskRole, TaskUnit
from kesu.testing import screenshot

from .conftest import YEAR
from .test_browser import DATES, Y, cell, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def confirmations(page) -> list[str]:
    """Accept every confirmation dialog, keeping its text."""
    seen = []

    def accept(dialog):
        seen.append(dialog.message)
        dialog.accept()

    page.on("dialog", accept)
    return seen


@pytest.mark.parametrize("when", sorted(DATES))
def test_flag_explain_submit_withdraw_resubmit_then_review_return_and_batch_approve(page, live_server, world, settings,
                                                                                    when):
    settings.KESU_TODAY = DATES[when]
    for year, value in ((Y - 3, 1100), (Y - 2, 1120), (Y - 1, 1151)):
        IndicatorValue.objects.create(indicator=world.ind["HR_FULL"], region=world.county, unit=world.edu,
                                      period_id=str(year), value=Decimal(value), explanation="")
    asked = confirmations(page)
    grid = live_server.url + reverse("collection:grid", args=[world.ds.pk, YEAR, world.county.pk, world.edu.pk])

    # 填报员: a slip of the keyboard (1151 → 99999) saves, but is flagged at once beside the cell.
    login(page, live_server, "edu_filler")
    page.goto(grid)
    assert "HR_FULL" not in page.locator("#value-grid").inner_text()  # codes only on request
    cell(page, "HR_FULL").fill("99999")
    cell(page, "HR_FULL").press("Enter")
    flagged = page.locator(f"#cell-{world.ind['HR_FULL'].pk} .cell-flag")
    flagged.wait_for()
    assert "同比突变" in flagged.inner_text() and "是上年（1151）的 86.9 倍" in flagged.inner_text()
    screenshot(page, f"review-{when}-1-grid-flagged")

    # Submitting without an explanation is stopped, naming the figure.
    page.click("text=提交与审核")
    assert page.locator("#figure-table tr[data-code=HR_FULL]").get_by_text("未说明").is_visible()
    page.click("#btn-submit")
    page.get_by_text("有数值异常未说明").wait_for()
    assert Submission.objects.get(unit=world.edu).status != S.SUBMITTED

    # The filler explains (the figure is right after all) and submits.
    page.goto(grid)
    box = page.locator(f"#cell-{world.ind['HR_FULL'].pk} textarea[name=explanation]")
    box.fill("本年起计入全县中小学兼任科技辅导员")
    box.press("Tab")
    page.locator(f"#cell-{world.ind['HR_FULL'].pk}").get_by_text("已保存").wait_for()
    page.click("text=提交与审核")
    page.click("#btn-submit")
    page.locator("#status").get_by_text("已提交").wait_for()
    assert "确定提交" in asked[-1]

    # Withdraw while not yet reviewed, then resubmit.
    page.click("#btn-withdraw")
    page.locator("#status").get_by_text("填报中").wait_for()
    assert "撤回" in asked[-1]
    page.click("#btn-submit")
    page.locator("#status").get_by_text("已提交").wait_for()
    screenshot(page, f"review-{when}-2-submitted-filler")

    # Two more returns come in clean.
    agri = services.submission_for(data_set=world.ds, period=YEAR, region=world.county, unit=world.agri)
    town = services.submission_for(data_set=world.ds, period=YEAR, region=world.town1, unit=None)
    services.value_save(actor=world.filler2, indicator=world.ind["HR_FULL"], region=world.county, unit=world.agri,
                        period=YEAR, value=24)
    services.submission_submit(actor=world.filler2, submission=agri)
    services.submission_submit(actor=world.town_office, submission=town)

    # 办公室: the flagged return shows its figures beside last year's; it is returned with a reason.
    login(page, live_server, "county_office")
    page.goto(live_server.url + reverse("collection:review"))
    screenshot(page, f"review-{when}-3-review-queue")
    edu = Submission.objects.get(unit=world.edu)
    page.goto(live_server.url + reverse("collection:submission", args=[edu.pk]))
    row = page.locator("#figure-table tr[data-code=HR_FULL]")
    text = row.inner_text()
    assert "99999" in text and "1151" in text and "同比突变" in text and "本年起计入全县中小学兼任科技辅导员" in text
    screenshot(page, f"review-{when}-4-return-with-figures")
    page.fill("input[name=reason]", "专职人员口径与往年不一致，请按统计口径重新填报")
    page.click("#btn-return")
    page.locator("#status").get_by_text("已退回").wait_for()

    # The rest are approved in one step.
    page.goto(live_server.url + reverse("collection:review"))
    page.check("input[data-check-all=ids]")
    page.click("#btn-batch-approve")
    page.get_by_text("已审核通过 2 份填报").wait_for()
    screenshot(page, f"review-{when}-5-batch-approved")
    assert {s.pk: s.status for s in Submission.objects.filter(pk__in=[edu.pk, agri.pk, town.pk])} == {
        edu.pk: S.RETURNED, agri.pk: S.APPROVED, town.pk: S.APPROVED}
    assert "勾选的填报审核通过" in asked[-1]

    # The office gives a unit its login, chosen from lists.
    page.goto(live_server.url + reverse("accounts:user_create"))
    page.fill("#id_username", "agri_clerk")
    page.select_option("#id_role", "filler")
    page.select_option("#id_unit", str(world.agri.pk))
    page.click("button:has-text('创建账号')")
    page.get_by_text("账号已创建").wait_for()
    assert User.objects.get(username="agri_clerk").unit == world.agri
    screenshot(page, f"review-{when}-6-login-created")

    # The dashboard opens on the year just reviewed and says so, before and after New Year.
    page.goto(live_server.url + reverse("analytics:dashboard"))
    assert page.locator("#year-picker").input_value() == YEAR
    assert f"以下为{Y}年" in page.inner_text("#dashboard-year")
    assert page.locator("#headline .stat").all_inner_texts() == ["24"]  # the approved return's figure, not “—”
    screenshot(page, f"review-{when}-7-dashboard")

    # The report: the form offers the same year; generated, it is the year's 工作总结.
    page.goto(live_server.url + reverse("reports:index"))
    assert page.input_value("#id_period") == YEAR
    page.select_option("#id_kind", "annual_summary")
    page.click("#generate-form button[type=submit]:has-text('生成报告')")
    page.wait_for_selector(".report-doc")
    assert page.inner_text(".report-title") == f"渠县{Y}年全民科学素质工作总结"
    screenshot(page, f"review-{when}-8-report")

    # The filler sees the reason on the return.
    login(page, live_server, "edu_filler")
    page.goto(live_server.url + reverse("collection:submission", args=[edu.pk]))
    assert "专职人员口径与往年不一致" in page.content()

    # The approved unit's narratives are read-only, and the page says who can reopen them.
    framework = Framework.objects.create(code="F2021", name="纲要", start_year=2021, end_year=2035)
    plan = Plan.objects.create(region=world.county, framework=framework, title="方案", start_year=Y, end_year=Y)
    task = Task.objects.create(plan=plan, number="1", title="农民科学素质提升行动", sort=1)
    TaskUnit.objects.create(task=task, unit=world.agri, role=TaskRole.LEAD)
    login(page, live_server, "agri_filler")
    page.goto(live_server.url + reverse("collection:narratives", args=[YEAR, world.county.pk, world.agri.pk]))
    assert "请联系渠县科协在“提交与审核”页取消审核并退回" in page.locator("#locked-note").inner_text()
    assert page.locator("textarea[readonly]").count() == 4 and page.get_by_role("button", name="保存").count() == 0
    screenshot(page, f"review-{when}-9-narratives-locked")
