"""Roll-up semantics, hand-computed, on both sources (live over raw values; stored roll-up rows)."""

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kesu.analytics.selectors.figures import Plan, live_figures, stored_figures
from kesu.collection.models import IndicatorValue, Submission
from kesu.collection.rollup import RollupRow, containing, rollup_rebuild

pytestmark = pytest.mark.django_db

D = Decimal


def both(w, codes, pids, region=None, include_submitted=False):
    """{source: {(code, region code, pid): value}} from the live engine and the stored rows (rebuilt first)."""
    plan = Plan.for_indicators([w.ind[c] for c in codes])
    rollup_rebuild()
    regions = [w.city, w.county, w.county2, w.town1, w.town2]
    by_id = {r.pk: r.code for r in regions}
    codes_by_id = {i.pk: i.code for i in plan.rules.values()}
    live = live_figures(plan, w.city, pids, include_submitted=include_submitted)
    stored = stored_figures(plan, w.city, regions, pids)
    fmt = lambda figs: {(codes_by_id[i], by_id[r], p): f.value for (i, r, p), f in figs.items()  # noqa: E731
                        if f.value is not None}
    return fmt(live), fmt(stored)


def test_sum_over_units_and_children(world):
    w = world
    w.put("VISITS", w.town1, 100)
    w.put("VISITS", w.town2, 50)
    w.put("VISITS", w.county, 30, unit=w.edu)
    w.put("VISITS", w.county, 20, unit=w.agri)
    w.put("VISITS", w.county2, 70)
    live, stored = both(w, ["VISITS"], ["2024"])
    assert live[("VISITS", "511725", "2024")] == 200
    assert live[("VISITS", "511700", "2024")] == 270
    assert live == stored


def test_own_region_value_wins_over_parts(world):
    w = world
    w.put("VISITS", w.town1, 100)
    w.put("VISITS", w.county, 30, unit=w.edu)
    w.put("VISITS", w.county, 210)  # the county's own total
    w.put("VISITS", w.county2, 70)
    live, stored = both(w, ["VISITS"], ["2024"])
    assert live[("VISITS", "511725", "2024")] == 210
    assert live[("VISITS", "511700", "2024")] == 280  # not 210 + 130 + 70: no double counting
    assert live == stored
    row = RollupRow.objects.get(region=w.county, indicator=w.ind["VISITS"], period_id="2024")
    assert (row.own, row.parts) == (210, 130)


def test_stock_takes_period_end_and_flow_sums_months(world):
    w = world
    w.put("SITES", w.town1, 3, pid="202401")
    w.put("SITES", w.town1, 5, pid="202406")
    w.put("SITES", w.town2, 4, pid="202403")
    w.put("VISITS", w.town1, 10, pid="202401")
    w.put("VISITS", w.town1, 20, pid="202402")
    w.put("VISITS", w.town1, 5, pid="202407")
    live, stored = both(w, ["SITES", "VISITS"], ["2024", "2024Q1", "2024S1", "2024Q3"])
    assert live[("SITES", "511725", "2024")] == 9  # 5 (June) + 4 (March): each reporter's latest
    assert live[("SITES", "511725", "2024Q1")] == 7
    assert live[("VISITS", "511725", "2024Q1")] == 30
    assert live[("VISITS", "511725", "2024S1")] == 30
    assert live[("VISITS", "511700", "2024")] == 35
    assert live[("VISITS", "511725", "2024Q3")] == 5
    assert live == stored


def test_year_value_preferred_over_months(world):
    w = world
    w.put("VISITS", w.town1, 100, pid="2024")
    w.put("VISITS", w.town1, 10, pid="202401")
    live, stored = both(w, ["VISITS"], ["2024"])
    assert live[("VISITS", "511725100", "2024")] == 100
    assert live == stored


def test_ratio_recomputed_from_parts_not_averaged(world):
    w = world
    w.put("FUND_GOV", w.town1, 30)
    w.put("FUND_RAISED", w.town1, 60)
    w.put("FUND_GOV", w.town2, 10)
    w.put("FUND_RAISED", w.town2, 40)
    live, stored = both(w, ["GOV_SHARE"], ["2024"])
    assert live[("GOV_SHARE", "511725100", "2024")] == 50
    assert live[("GOV_SHARE", "511725", "2024")] == 40  # 40 / 100, not (50 + 25) / 2
    assert live == stored


def test_average_and_none(world):
    w = world
    w.put("SCORE", w.town1, 80)
    w.put("SCORE", w.town2, 90)
    w.put("LIT", w.town1, 10)
    live, stored = both(w, ["SCORE", "LIT"], ["2024"])
    assert live[("SCORE", "511725", "2024")] == 85
    assert ("LIT", "511725", "2024") not in live  # a survey ratio is never rolled up
    w.put("LIT", w.county, 12)
    live, stored = both(w, ["LIT"], ["2024"])
    assert live[("LIT", "511725", "2024")] == 12
    assert live == stored


def test_unapproved_excluded_by_default_and_marked_when_included(world):
    w = world
    w.put("VISITS", w.town1, 100)
    w.put("VISITS", w.town2, 50, status="submitted")
    w.put("VISITS", w.county2, 7, status="draft")
    plan = Plan.for_indicators([w.ind["VISITS"]])
    figs = live_figures(plan, w.city, ["2024"])
    assert figs[(w.ind["VISITS"].pk, w.county.pk, "2024")].value == 100
    assert not figs[(w.ind["VISITS"].pk, w.county.pk, "2024")].unapproved
    figs = live_figures(plan, w.city, ["2024"], include_submitted=True)
    county = figs[(w.ind["VISITS"].pk, w.county.pk, "2024")]
    assert county.value == 150 and county.unapproved
    assert figs[(w.ind["VISITS"].pk, w.city.pk, "2024")].value == 150  # drafts never count
    assert not figs[(w.ind["VISITS"].pk, w.town1.pk, "2024")].unapproved


def test_containing_periods():
    assert containing("202611") == ("202611", "2026Q4", "2026S2", "2026")
    assert containing("2026Q2") == ("2026Q2", "2026S1", "2026")
    assert containing("2026") == ("2026",)


REPORTERS = ["town1", "town2", "edu", "agri", "county2"]


def _store(w, amounts, code="VISITS"):
    IndicatorValue.objects.all().delete()
    Submission.objects.all().delete()
    for name, amount in zip(REPORTERS, amounts, strict=True):
        if amount is None:
            continue
        if name in ("edu", "agri"):
            w.put(code, w.county, amount, unit=getattr(w, name))
        else:
            w.put(code, getattr(w, name), amount)


amounts_st = st.lists(st.one_of(st.none(), st.integers(min_value=0, max_value=10**9)), min_size=5, max_size=5)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(amounts=amounts_st)
def test_property_parent_is_sum_of_children(world, amounts):
    _store(world, amounts)
    live, stored = both(world, ["VISITS"], ["2024"])
    assert live == stored
    county = live.get(("VISITS", "511725", "2024"), 0)
    county2 = live.get(("VISITS", "511724", "2024"), 0)
    expected = sum(a for a in amounts if a is not None)
    assert live.get(("VISITS", "511700", "2024"), 0) == county + county2 == expected


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(amounts=amounts_st, moved=st.integers(min_value=0, max_value=1000))
def test_property_moving_between_children_keeps_parent(world, amounts, moved):
    amounts = [a or 0 for a in amounts]
    amounts[0] += moved  # town1 holds ``moved`` more …
    _store(world, amounts)
    before, _ = both(world, ["VISITS"], ["2024"])
    amounts[0] -= moved  # … then town2 holds it instead
    amounts[1] += moved
    _store(world, amounts)
    after, stored = both(world, ["VISITS"], ["2024"])
    assert after == stored
    assert before[("VISITS", "511725", "2024")] == after[("VISITS", "511725", "2024")]
    assert before[("VISITS", "511700", "2024")] == after[("VISITS", "511700", "2024")]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(parts=st.lists(st.tuples(st.integers(0, 10**6), st.integers(1, 10**6)), min_size=2, max_size=2))
def test_property_ratio_is_sum_num_over_sum_den(world, parts):
    IndicatorValue.objects.all().delete()
    for town, (num, den) in zip([world.town1, world.town2], parts, strict=True):
        world.put("FUND_GOV", town, num)
        world.put("FUND_RAISED", town, den)
    live, stored = both(world, ["GOV_SHARE"], ["2024"])
    expected = D(sum(n for n, _ in parts)) / D(sum(d for _, d in parts)) * 100
    assert live[("GOV_SHARE", "511725", "2024")] == expected
    assert stored[("GOV_SHARE", "511725", "2024")] == pytest.approx(expected)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(months=st.dictionaries(st.integers(1, 12), st.integers(0, 1000), min_size=1, max_size=12))
def test_property_stock_is_last_month_flow_is_sum(world, months):
    IndicatorValue.objects.all().delete()
    for m, v in months.items():
        world.put("SITES", world.town1, v, pid=f"2024{m:02d}")
        world.put("VISITS", world.town1, v, pid=f"2024{m:02d}")
    live, stored = both(world, ["SITES", "VISITS"], ["2024"])
    assert live[("SITES", "511725", "2024")] == months[max(months)]
    assert live[("VISITS", "511700", "2024")] == sum(months.values())
    assert live == stored
