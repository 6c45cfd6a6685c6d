"""The filler → office round trip in a real browser: grid cells, a refused cell, submit, return, resubmit, approve.
Once with the clock in the middle of the year and once just after New Year, when the year's return is still open."""

from datetime import date

import pytest
from django.urls import reverse

from kesu.collection.models import IndicatorValue, Submission, SubmissionStatus
from kesu.testing import screenshot

from .conftest import YEAR

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
Y = int(YEAR)
DATES = {"mid-year": date(Y, 7, 1), "new-year": date(Y + 1, 1, 5)}


def login(page, live_server, username):
    page.context.clear_cookies()
    page.goto(live_server.url + reverse("accounts:login"))
    page.fill("#id_username", username)
    page.fill("#id_password", "kesu-test-pw")
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)


def cell(page, code):
    return page.locator(f"input.cell-input[data-code={code}]")


@pytest.mark.parametrize("when", sorted(DATES))
def test_fill_submit_return_correct_approve(page, live_server, world, settings, when):
    settings.KESU_TODAY = DATES[when]
    page.on("dialog", lambda dialog: dialog.accept())  # 提交 / 退回 / 审核通过 ask for confirmation first
    grid = live_server.url + reverse("collection:grid", args=[world.ds.pk, YEAR, world.county.pk, world.edu.pk])

    # The filler fills two cells: one saves, one is refused with a Chinese message.
    login(page, live_server, "edu_filler")
    page.goto(grid)
    cell(page, "HR_FULL").fill("12")
    cell(page, "HR_FULL").press("Enter")
    page.locator(f"#cell-{world.ind['HR_FULL'].pk}").get_by_text("已保存").wait_for()
    page.locator("#submission-status").get_by_text("填报中").wait_for()  # the status badge follows the first save
    cell(page, "HR_FULL_FEMALE").fill("十二")
    cell(page, "HR_FULL_FEMALE").press("Tab")
    error = page.locator(f"#cell-{world.ind['HR_FULL_FEMALE'].pk} .cell-error")
    error.wait_for()
    assert "应填数字" in error.inner_text()
    screenshot(page, f"{when}-1-grid-filler")
    assert IndicatorValue.objects.get(indicator=world.ind["HR_FULL"]).value == 12
    assert not IndicatorValue.objects.filter(indicator=world.ind["HR_FULL_FEMALE"]).exists()

    page.click("text=提交与审核")
    page.click("#btn-submit")
    page.get_by_text("已提交").first.wait_for()
    sub = Submission.objects.get(unit=world.edu)
    assert sub.status == SubmissionStatus.SUBMITTED

    # The county office returns it with a reason.
    login(page, live_server, "county_office")
    page.goto(live_server.url + reverse("collection:review"))
    page.click("text=处理")
    page.fill("input[name=reason]", "专职人员数与花名册不符，请核对")
    page.click("#btn-return")
    page.locator("#status").get_by_text("已退回").wait_for()

    # The filler sees the reason, corrects the value and resubmits.
    login(page, live_server, "edu_filler")
    page.goto(live_server.url + reverse("collection:home"))
    assert "专职人员数与花名册不符" in page.content()
    page.goto(grid)
    cell(page, "HR_FULL").fill("15")
    cell(page, "HR_FULL").press("Enter")
    page.locator(f"#cell-{world.ind['HR_FULL'].pk}").get_by_text("已保存").wait_for()
    page.click("text=提交与审核")
    page.click("#btn-submit")
    page.locator("#status").get_by_text("已提交").wait_for()

    # The office approves.
    login(page, live_server, "county_office")
    page.goto(live_server.url + reverse("collection:submission", args=[sub.pk]))
    page.click("#btn-approve")
    page.locator("#status").get_by_text("已审核").wait_for()
    screenshot(page, f"{when}-2-submission-office")

    # The values are locked: the filler's cells are read-only.
    login(page, live_server, "edu_filler")
    page.goto(grid)
    assert page.locator("#locked-note").is_visible()
    assert cell(page, "HR_FULL").get_attribute("readonly") is not None
    assert cell(page, "HR_FULL").input_value() == "15"
    assert page.locator("form[hx-post]").count() == 0
    screenshot(page, f"{when}-3-grid-locked")
    sub.refresh_from_db()
    assert sub.status == SubmissionStatus.APPROVED
