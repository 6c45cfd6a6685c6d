"""Review with the figures in view: outlier flags (year-on-year jump, history z-score) with explain-or-fix, the
figures beside last year's on the return's page, withdraw, batch approval of clean returns, lock messages that say
who can reopen."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from kesu.collection import outliers, services
from kesu.collection.models import IndicatorValue, Narrative
from kesu.collection.models import SubmissionStatus as S
from kesu.core.exceptions import ApplicationError
from kesu.core.periods import Period
from kesu.plans.models import Framework, Plan, Task, TaskRole, TaskUnit

from .conftest import YEAR

pytestmark = pytest.mark.django_db
Y = int(YEAR)


def sub_for(w, unit, region=None):
    return services.submission_for(data_set=w.ds, period=YEAR, region=region or w.county, unit=unit)


def history(w, unit, code, values: dict):
    for year, value in values.items():
        IndicatorValue.objects.create(indicator=w.ind[code], region=w.county, unit=unit, period_id=str(year),
                                      value=Decimal(value), explanation="")


def set_value(w, unit, code, value, explanation=""):
    IndicatorValue.objects.update_or_create(indicator=w.ind[code], region=w.county, unit=unit, period_id=YEAR,
                                            defaults={"value": Decimal(value), "explanation": explanation})


# -- the flags themselves --------------------------------------------------------------------------------------------


def test_a_thousandfold_figure_is_flagged_by_both_rules():
    period = Period.parse(YEAR)
    earlier = {str(Y - 4): Decimal(1080), str(Y - 3): Decimal(1100), str(Y - 2): Decimal(1120),
               str(Y - 1): Decimal(1151)}
    flags = outliers.flags_for(Decimal(99999), earlier, period)
    assert [f.kind for f in flags] == ["jump", "history"]
    assert "是上年（1151）的 86.9 倍" in flags[0].message
    assert "远离本单位4 年历史数据 1080–1151" in flags[1].message


@pytest.mark.parametrize("value,expected", [(1190, []), (1500, []), (3500, ["jump", "history"]),
                                            (300, ["jump", "history"]), (0, ["jump", "history"])])
def test_ordinary_growth_is_not_flagged_and_large_moves_are(value, expected):
    earlier = {str(Y - 3): Decimal(1100), str(Y - 2): Decimal(1120), str(Y - 1): Decimal(1151)}
    assert [f.kind for f in outliers.flags_for(Decimal(value), earlier, Period.parse(YEAR))] == expected


def test_small_numbers_and_short_histories_are_not_flagged():
    period = Period.parse(YEAR)
    assert outliers.flags_for(Decimal(7), {str(Y - 1): Decimal(2)}, period) == []  # 3.5× but only 5 apart
    # A flat history (no spread at all) uses the classic z-score; with no spread at all there is no score.
    assert outliers.history_outlier(Decimal(12), [Decimal(10)] * 3) is None
    assert outliers.history_outlier(Decimal(99999), [Decimal(10), Decimal(10)]) is None  # two years are too few


# -- explain or fix --------------------------------------------------------------------------------------------------


def test_an_unexplained_outlier_blocks_submit_until_explained(world):
    history(world, world.edu, "HR_FULL", {Y - 3: 1100, Y - 2: 1120, Y - 1: 1151})
    set_value(world, world.edu, "HR_FULL", 99999)
    sub = sub_for(world, world.edu)
    with pytest.raises(ApplicationError, match="有数值异常未说明：“科普专职人员”是上年（1151）的 86.9 倍"):
        services.submission_submit(actor=world.filler, submission=sub)
    set_value(world, world.edu, "HR_FULL", 99999, explanation="本年起含全县中小学兼任科技辅导员")
    services.submission_submit(actor=world.filler, submission=sub)
    sub.refresh_from_db()
    assert sub.status == S.SUBMITTED


def test_the_return_page_shows_figures_beside_last_year_with_flags(client, world):
    history(world, world.edu, "HR_FULL", {Y - 3: 1100, Y - 2: 1120, Y - 1: 1151})
    history(world, world.edu, "FUND_RAISED", {Y - 1: 80})
    set_value(world, world.edu, "HR_FULL", 99999)
    set_value(world, world.edu, "FUND_RAISED", 88)
    sub = sub_for(world, world.edu)
    client.force_login(world.office)
    page = client.get(reverse("collection:submission", args=[sub.pk])).content.decode()
    row = page[page.index('data-code="HR_FULL"'):]
    row = row[:row.index("</tr>")]
    assert "99999" in row and "1151" in row and "同比突变" in row and "历史离群" in row and "未说明" in row
    fund = page[page.index('data-code="FUND_RAISED"'):]
    fund = fund[:fund.index("</tr>")]
    assert "88" in fund and "80" in fund and "+10.0%" in fund and "同比突变" not in fund
    assert "1 项需关注" in page


# -- withdraw --------------------------------------------------------------------------------------------------------


def test_a_filler_withdraws_a_submitted_return_until_it_is_reviewed(client, world):
    sub = sub_for(world, world.edu)
    services.submission_submit(actor=world.filler, submission=sub)
    client.force_login(world.filler)
    page = client.get(reverse("collection:submission", args=[sub.pk])).content.decode()
    assert 'id="btn-withdraw"' in page and "data-confirm" in page
    client.post(reverse("collection:submission_action", args=[sub.pk, "withdraw"]))
    sub.refresh_from_db()
    assert sub.status == S.DRAFT
    assert list(sub.events.values_list("action", flat=True)) == ["submit", "withdraw"]
    services.submission_submit(actor=world.filler, submission=sub)
    services.submission_approve(actor=world.office, submission=sub)
    with pytest.raises(ApplicationError, match="只有已提交、尚未审核的填报可以撤回"):
        services.submission_withdraw(actor=world.filler, submission=sub)
    with pytest.raises(PermissionDenied):
        services.submission_withdraw(actor=world.filler2, submission=sub)


# -- batch approval --------------------------------------------------------------------------------------------------


def test_batch_approval_passes_clean_returns_and_leaves_flagged_ones(client, world):
    history(world, world.agri, "HR_FULL", {Y - 3: 1100, Y - 2: 1120, Y - 1: 1151})
    set_value(world, world.agri, "HR_FULL", 99999, explanation="口径变化")
    clean = sub_for(world, world.edu)
    flagged = sub_for(world, world.agri)
    town = sub_for(world, None, world.town1)
    services.submission_submit(actor=world.filler, submission=clean)
    services.submission_submit(actor=world.filler2, submission=flagged)
    services.submission_submit(actor=world.town_office, submission=town)
    client.force_login(world.office)
    page = client.get(reverse("collection:review")).content.decode()
    assert 'id="btn-batch-approve"' in page and page.count('name="ids"') == 3
    response = client.post(reverse("collection:review_approve"), {"ids": [clean.pk, flagged.pk, town.pk]},
                           follow=True)
    text = response.content.decode()
    for s in (clean, flagged, town):
        s.refresh_from_db()
    assert (clean.status, town.status, flagged.status) == (S.APPROVED, S.APPROVED, S.SUBMITTED)
    assert "已审核通过 2 份填报" in text and "有规则提示或数值异常，请逐一审核" in text


def test_batch_approval_is_refused_to_fillers(client, world):
    sub = sub_for(world, world.edu)
    services.submission_submit(actor=world.filler, submission=sub)
    client.force_login(world.filler)
    assert client.post(reverse("collection:review_approve"), {"ids": [sub.pk]}).status_code == 403
    sub.refresh_from_db()
    assert sub.status == S.SUBMITTED


# -- locked periods say who can reopen ----------------------------------------------------------------------------


def test_a_locked_year_says_who_can_reopen_on_grid_narratives_and_save(client, world):
    framework = Framework.objects.create(code="F2021", name="纲要", start_year=2021, end_year=2035)
    plan = Plan.objects.create(region=world.county, framework=framework, title="方案", start_year=Y, end_year=Y)
    task = Task.objects.create(plan=plan, number="1", title="青少年科学素质提升", sort=1)
    TaskUnit.objects.create(task=task, unit=world.edu, role=TaskRole.LEAD)
    sub = sub_for(world, world.edu)
    services.submission_submit(actor=world.filler, submission=sub)
    services.submission_approve(actor=world.office, submission=sub)
    services.submission_accept(actor=world.office, submission=sub)
    client.force_login(world.filler)
    grid = client.get(reverse("collection:grid", args=[world.ds.pk, YEAR, world.county.pk, world.edu.pk]))
    # Accepted, not merely approved: the hint says the figures already count upstairs and who can still cancel.
    assert ("本期填报为“已接收”，数据不可修改。数据已计入渠县科协的汇总。如需修改，请联系渠县科协或其上级办公室在“提交与审核”页"
            "取消审核并退回；若上级汇总已审核，须先取消上级汇总的审核。") in grid.content.decode()
    url = reverse("collection:narratives", args=[YEAR, world.county.pk, world.edu.pk])
    page = client.get(url).content.decode()
    assert "的填报为“已接收”，工作情况不可修改" in page and "已已" not in page
    assert "readonly" in page and "<button class=\"btn btn-primary btn-sm mt-2\">保存" not in page
    with pytest.raises(ApplicationError) as exc:
        services.narrative_save(actor=world.filler, task=task, region=world.county, unit=world.edu, period=YEAR,
                                texts={"progress": "写一点"})
    assert "已已" not in exc.value.message and "渠县科协" in exc.value.message
    assert not Narrative.objects.exists()
