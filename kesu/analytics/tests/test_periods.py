"""The period-default rule and the elapsed-share target status."""

from datetime import date
from decimal import Decimal

import pytest

from kesu.analytics.selectors.periods import choose_year, year_choice
from kesu.analytics.selectors.progress import DONE, LAGGING, NOT_MET, ON_TRACK, SEVERE, Progress, elapsed_fraction
from kesu.collection.rollup import rollup_rebuild

MID_2026 = date(2026, 7, 1)
NEW_YEAR_2027 = date(2027, 1, 5)


# -- which year a page shows ------------------------------------------------------------------------------------


def test_one_approved_return_of_the_new_year_keeps_the_last_complete_year():
    assert choose_year({2024: 130, 2025: 132, 2026: 1}, MID_2026) == (2025, True)


def test_a_year_just_ended_but_half_approved_is_not_yet_the_default():
    assert choose_year({2024: 130, 2025: 132, 2026: 60}, NEW_YEAR_2027) == (2025, True)


def test_a_year_ended_and_fully_approved_becomes_the_default():
    assert choose_year({2025: 132, 2026: 131}, NEW_YEAR_2027) == (2026, True)


def test_a_running_year_is_never_the_default_while_an_earlier_year_has_data():
    assert choose_year({2025: 10, 2026: 500}, MID_2026) == (2025, True)


def test_without_any_complete_year_the_latest_year_with_data_is_shown_as_incomplete():
    assert choose_year({2026: 3}, MID_2026) == (2026, False)
    assert choose_year({2024: 100, 2025: 20}, MID_2026) == (2024, True)


def test_no_data_at_all_shows_last_year():
    assert choose_year({}, MID_2026) == (2025, False)


def test_the_choice_says_which_year_and_offers_the_years_with_data(world):
    w = world
    for year in (2024, 2025):
        w.put("VISITS", w.town1, 100, pid=str(year))
        w.put("VISITS", w.county2, 70, pid=str(year))
    w.put("VISITS", w.town2, 5, pid="2026")  # the first approved return of the new year
    choice = year_choice(w.city, today=MID_2026)
    assert (choice.year, choice.complete, choice.running) == (2025, True, 2026)
    assert choice.years == [2026, 2025, 2024]
    assert "2025年（最近一个审核完成的年度）" in choice.note and "2026年正在填报审核" in choice.note
    picked = year_choice(w.city, "2024", today=MID_2026)
    assert (picked.year, picked.chosen) == (2024, True) and picked.note == "以下为2024年已审核数据。"
    assert year_choice(w.city, "abc", today=MID_2026).year == 2025  # nonsense falls back to the default


# -- target status from the elapsed share of the year ------------------------------------------------------------


def _progress(target, actual, fraction, *, flow=True):
    class Ind:
        time_aggregation = "sum" if flow else "latest"
        is_ratio = False

    return Progress(Ind(), None, 2025, Decimal(target), Decimal(actual), Decimal(90), Decimal(fraction))


def test_a_finished_year_under_target_is_not_met_not_on_track():
    # 科普示范村 97 of 105 in a finished year: 92 % of the target would be 正常 mid-year, but the year is over.
    assert elapsed_fraction(2025, MID_2026) == 1
    assert _progress(105, 97, elapsed_fraction(2025, MID_2026), flow=False).status == NOT_MET
    assert _progress(105, 105, 1, flow=False).status == DONE


def test_mid_year_status_follows_the_share_of_the_year_elapsed():
    half = elapsed_fraction(2026, MID_2026)
    assert Decimal("0.49") < half < Decimal("0.51")
    assert _progress(100, 48, half).status == ON_TRACK  # half the year, about half the work
    assert _progress(100, 35, half).status == LAGGING
    assert _progress(100, 20, half).status == SEVERE
    assert _progress(100, 48, elapsed_fraction(2026, NEW_YEAR_2027)).status == NOT_MET


@pytest.mark.django_db
def test_dashboard_does_not_go_blank_when_a_new_year_return_is_approved(world, client, settings):
    w = world
    settings.KESU_TODAY = MID_2026
    for year, scale in ((2024, 1), (2025, 2)):
        w.put("VISITS", w.town1, 100 * scale, pid=str(year))
        w.put("VISITS", w.county2, 70 * scale, pid=str(year))
    w.put("VISITS", w.town2, 7, pid="2026")
    rollup_rebuild()
    client.force_login(w.viewer)
    page = client.get("/analytics/").content.decode()
    assert "以下为2025年（最近一个审核完成的年度）数据" in page
    assert ">340<" in page  # 2025: 200 + 140
    assert "2026年至今" in page and "<strong>7</strong>" in page
    chosen = client.get("/analytics/?year=2026").content.decode()
    assert "以下为2026年已审核数据。" in chosen and ">7<" in chosen
