"""A run of many returns under ``configuration_held()``: the configuration is read once, and a change of it (a new
rule, a new data set) still applies to the figures written after it in the same block."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kesu.collection import services
from kesu.collection.reporting import data_sets_for
from kesu.core.configuration import configuration_held

from .conftest import YEAR

pytestmark = pytest.mark.django_db


def _submit(w, actor, unit, values):
    services.figures_write(actor=actor, door="grid", figures=[
        services.Figure(indicator=w.ind[code], region=w.county, unit=unit, period=YEAR, value=value, row=n)
        for n, (code, value) in enumerate(values.items(), start=1)])
    sub = services.submission_for(data_set=w.ds, period=YEAR, region=w.county, unit=unit)
    return services.submission_submit(actor=actor, submission=sub)


def _withdraw(w, actor, unit):
    sub = services.submission_for(data_set=w.ds, period=YEAR, region=w.county, unit=unit)
    services.submission_withdraw(actor=actor, submission=sub)


def test_a_held_run_reads_the_configuration_once_and_writes_the_same(world):
    _submit(world, world.filler, world.edu, {"HR_FULL": 12, "FUND_RAISED": 30})
    _withdraw(world, world.filler, world.edu)
    with CaptureQueriesContext(connection) as alone:
        first = _submit(world, world.filler, world.edu, {"HR_FULL": 13, "FUND_RAISED": 30})
    _withdraw(world, world.filler, world.edu)
    with configuration_held():
        _submit(world, world.filler2, world.agri, {"HR_FULL": 7, "FUND_RAISED": 11})  # the block reads it here
        with CaptureQueriesContext(connection) as held:
            second = _submit(world, world.filler, world.edu, {"HR_FULL": 14, "FUND_RAISED": 30})
    assert first.status == second.status == "submitted"
    assert services.submission_figures(second)[0].indicator.code in world.ind  # the same return's figures
    # The same write and submit. Alone, the write already keeps its configuration per version (it reads the version
    # instead); in the block the submit's data set indicators, rules, activity and outlier rules and the version
    # come from the block instead of the database.
    assert len(held) <= len(alone) - 4


def test_a_rule_added_inside_the_block_refuses_the_next_figure(world):
    with configuration_held():
        _submit(world, world.filler, world.edu, {"HR_FULL": 12, "FUND_RAISED": 30})
        services.rule_create(actor=world.office, region=world.county, code="L1", name="专职人员不超过十人",
                             expression="HR_FULL <= 10", severity="blocking")
        result = services.figures_write(actor=world.filler2, door="grid", figures=[services.Figure(
            indicator=world.ind["HR_FULL"], region=world.county, unit=world.agri, period=YEAR, value=11)])
    assert not result.ok
    assert "专职人员不超过十人" in result.errors[0].message


def test_kept_data_sets_are_handed_out_as_copies_with_their_region_and_units(world, django_assert_num_queries):
    with configuration_held(per_version=True):
        data_sets_for(world.county, world.edu)[0].name = "改坏了"  # read, kept, and a copy changed by its caller
    with django_assert_num_queries(1), configuration_held(per_version=True):  # the version only
        kept = data_sets_for(world.county, world.edu)
        assert [ds.name for ds in kept] == ["年度科普工作统计"]
        assert kept[0].region.name == "渠县" and list(kept[0].units.all()) == []  # cached with it, copied too
