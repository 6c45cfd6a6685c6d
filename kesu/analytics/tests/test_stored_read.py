"""The fast read of stored roll-up rows gives exactly the figures of the live engine over raw values: value, own
reported figure, combined parts and the unapproved mark, for flows, stocks, averages, ratios and own totals."""

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kesu.analytics.selectors.figures import RANGE_READ_FROM, Plan, figures, live_figures, stored_figures, stored_rows
from kesu.collection.models import IndicatorValue, Submission
from kesu.collection.rollup import rollup_rebuild

pytestmark = pytest.mark.django_db

CODES = ["VISITS", "SITES", "SCORE", "FUND_GOV", "FUND_RAISED", "GOV_SHARE", "LIT"]
PERIODS = ["2024", "2024S1", "2024Q1", "2024Q4", "202403", "202412"]


def regions(w):
    return [w.city, w.county, w.county2, w.town1, w.town2]


def full(w, figs):
    """{(code, region code, period): (value, own, parts, unapproved)} — every field, not only the value."""
    codes = {i.pk: i.code for i in w.ind.values()}
    names = {r.pk: r.code for r in regions(w)}
    return {(codes[i], names[r], p): tuple(f) for (i, r, p), f in figs.items()}


def sources(w, codes=CODES, pids=PERIODS):
    plan = Plan.for_indicators([w.ind[c] for c in codes])
    rollup_rebuild()
    live = live_figures(plan, w.city, pids)
    stored = stored_figures(plan, w.city, regions(w), pids)
    return full(w, live), full(w, stored)


def mixed(w):
    """Monthly flows and stocks, member units, a county's own total that differs from its parts, ratio parts in
    decimals, averages, a survey figure, and values whose returns are submitted or still drafts."""
    for m, (a, b) in enumerate([(10, 3), (20, 5), (5, 4), (7, 9)], start=1):
        w.put("VISITS", w.town1, a, pid=f"2024{m * 3:02d}")
        w.put("SITES", w.town1, b, pid=f"2024{m * 3:02d}")
    w.put("SITES", w.town2, 6, pid="202402")
    w.put("VISITS", w.county, 30, unit=w.edu)
    w.put("VISITS", w.county, 20, unit=w.agri)
    w.put("VISITS", w.county2, 70)
    w.put("VISITS", w.county2, 999, unit=w.edu, status="draft")
    w.put("SCORE", w.town1, 80)
    w.put("FUND_GOV", w.town1, "12.5")
    w.put("FUND_RAISED", w.town1, "60.25")
    # town2's 2024 return is submitted, not approved: all three of its figures wait for approval
    w.put("SCORE", w.town2, "90.5", status="submitted")
    w.put("FUND_GOV", w.town2, 10, status="submitted")
    w.put("FUND_RAISED", w.town2, 40, status="submitted")
    w.put("FUND_GOV", w.county2, "7.75")
    w.put("FUND_RAISED", w.county2, 31)
    w.put("SITES", w.county2, 11, pid="2024")
    w.put("LIT", w.county, "12.3")
    w.put("LIT", w.town1, 10)


def test_stored_read_equals_live_in_every_field(world):
    w = world
    mixed(w)
    live, stored = sources(w)
    assert stored == live
    # spot checks against hand-computed figures, so the comparison is not between two empty dicts
    assert stored[("VISITS", "511725", "2024")] == (Decimal(42 + 50), None, Decimal(92), False)
    assert stored[("VISITS", "511725", "2024Q4")][0] == 7
    assert stored[("SITES", "511725", "2024")][0] == 9 + 6  # each reporter's period-end stock
    assert stored[("SITES", "511725", "2024Q1")][0] == 3 + 6
    assert stored[("SCORE", "511725", "2024")][0] == 80  # town2's 90.5 is not approved yet
    assert stored[("GOV_SHARE", "511725", "2024")][0] == Decimal("12.5") / Decimal("60.25") * 100
    assert stored[("GOV_SHARE", "511700", "2024")][0] == Decimal("20.25") / Decimal("91.25") * 100
    assert stored[("LIT", "511725", "2024")][:2] == (Decimal("12.3"), Decimal("12.3"))
    assert not any(f[3] for f in stored.values())


def test_county_own_total_and_parts_kept_apart(world):
    w = world
    mixed(w)
    w.put("VISITS", w.county, 200, pid="2024")  # the county's own year total, unlike its parts (42 + 50)
    live, stored = sources(w, ["VISITS"], ["2024"])
    assert stored == live
    assert stored[("VISITS", "511725", "2024")][:3] == (200, 200, 92)
    assert stored[("VISITS", "511700", "2024")][:3] == (270, None, 270)


def test_default_read_is_approved_only_and_switch_marks_unapproved(world):
    w = world
    mixed(w)
    rollup_rebuild()
    plan = Plan.for_indicators([w.ind["FUND_GOV"]])
    gov = w.ind["FUND_GOV"].pk
    default = figures(plan, w.city, regions(w), ["2024"])
    assert default[(gov, w.county.pk, "2024")] == (Decimal("12.5"), None, Decimal("12.5"), False)
    with_submitted = figures(plan, w.city, regions(w), ["2024"], include_submitted=True)
    assert with_submitted[(gov, w.county.pk, "2024")] == (Decimal("22.5"), None, Decimal("22.5"), True)
    assert with_submitted[(gov, w.town1.pk, "2024")].unapproved is False


def test_stored_rows_return_only_what_was_asked(world):
    w = world
    mixed(w)
    rollup_rebuild()
    visits, sites = w.ind["VISITS"].pk, w.ind["SITES"].pk
    rows = stored_rows([w.county.pk, w.town1.pk], ["2024", "2024Q1"], [sites])
    assert {k[0] for k in rows} == {sites}
    assert {k[1] for k in rows} == {w.county.pk, w.town1.pk}
    assert {k[2] for k in rows} == {"2024", "2024Q1"}
    assert rows[(sites, w.town1.pk, "2024")].value == 9
    assert stored_rows([w.county.pk], ["2024"], []) == {}
    assert (visits, w.county.pk, "2024") in stored_rows([w.county.pk], ["2024"], [visits, sites])


def test_range_read_for_many_indicators_equals_index_lookups(world):
    """Asked for many indicators, the read scans each region × period and drops the others: same rows."""
    w = world
    mixed(w)
    rollup_rebuild()
    ids = [w.ind[c].pk for c in CODES if c != "SCORE"]
    padding = list(range(10**6, 10**6 + RANGE_READ_FROM))  # ids of no indicator, so the range read is chosen
    where = ([r.pk for r in regions(w)], PERIODS)
    few = stored_rows(*where, ids)
    many = stored_rows(*where, ids + padding)
    assert many == few
    assert w.ind["VISITS"].pk in {k[0] for k in many} and w.ind["SCORE"].pk not in {k[0] for k in many}


REPORTERS = ["town1", "town2", "edu", "agri", "county2", "county"]
cell = st.one_of(st.none(), st.tuples(st.integers(0, 10**7), st.sampled_from(["approved", "approved", "submitted"])))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.lists(st.tuples(st.sampled_from(["VISITS", "SITES", "FUND_GOV", "FUND_RAISED"]),
                               st.sampled_from(REPORTERS), st.sampled_from(["2024", "202402", "202411"]), cell),
                     max_size=14))
def test_property_stored_equals_live(world, data):
    w = world
    IndicatorValue.objects.all().delete()
    Submission.objects.all().delete()
    for code, who, pid, value in data:
        if value is None:
            continue
        amount, status = value
        if who in ("edu", "agri"):
            w.put(code, w.county, amount, pid=pid, unit=getattr(w, who), status=status)
        else:
            w.put(code, getattr(w, who), amount, pid=pid, status=status)
    live, stored = sources(w, ["VISITS", "SITES", "GOV_SHARE"], ["2024", "2024S1", "2024Q4", "202411"])
    assert stored == live
