"""Deferring the roll-up refresh of many approvals (``rollup_deferred``): the same rows as refreshing after each one."""

import pytest
from django.db import transaction

from kesu.collection import services
from kesu.collection.models import Submission, SubmissionStatus
from kesu.collection.rollup import RollupRow, rollup_deferred

from .conftest import YEAR

pytestmark = pytest.mark.django_db


def _enter_and_approve(w) -> None:
    """Figures for the two units, both townships and the county's own return; everything approved bottom-up."""
    figures = [(w.filler, w.county, w.edu, {"HR_FULL": 12, "FUND_RAISED": "30.5", "FUND_GOV": 20}),
               (w.filler2, w.county, w.agri, {"HR_FULL": 7, "FUND_RAISED": 11, "FUND_GOV": 9}),
               (w.office, w.town1, None, {"HR_FULL": 3, "HR_FULL_FEMALE": 1}),
               (w.office, w.town2, None, {"HR_FULL": 4, "FUND_RAISED": 2}),
               (w.office, w.county, None, {"LIT_RATIO": "11.2"})]
    for actor, region, unit, values in figures:
        for code, value in values.items():
            services.value_save(actor=actor, indicator=w.ind[code], region=region, unit=unit, period=YEAR,
                                value=value)
    for actor, region, unit, _ in figures:
        sub = services.submission_for(data_set=w.ds, period=YEAR, region=region, unit=unit)
        services.submission_submit(actor=actor, submission=sub)
        reviewer = w.city_office if unit is None and region == w.county else w.office
        services.submission_approve(actor=reviewer, submission=sub)


def _rows() -> set:
    return set(RollupRow.objects.values_list("indicator_id", "region_id", "period_id", "value", "own", "parts"))


def test_deferred_refresh_writes_the_rows_of_the_per_approval_refresh(world):
    savepoint = transaction.savepoint()
    _enter_and_approve(world)
    per_approval = _rows()
    transaction.savepoint_rollback(savepoint)
    assert not RollupRow.objects.exists()

    with rollup_deferred():
        _enter_and_approve(world)
        assert not RollupRow.objects.exists()  # nothing yet: refreshed once when the block ends
    assert _rows() == per_approval
    county = {(i, p): v for i, r, p, v, _, _ in per_approval if r == world.county.pk}
    assert county[(world.ind["HR_FULL"].pk, YEAR)] == 26  # 12 + 7 + 3 + 4
    assert county[(world.ind["FUND_RAISED"].pk, YEAR)] == 43.5


def test_a_failing_block_keeps_neither_approvals_nor_rows(world):
    with pytest.raises(RuntimeError):
        with rollup_deferred():
            _enter_and_approve(world)
            raise RuntimeError("stop")
    assert not RollupRow.objects.exists()
    assert not Submission.objects.filter(status=SubmissionStatus.APPROVED).exists()
