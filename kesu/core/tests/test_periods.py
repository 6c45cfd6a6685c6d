from datetime import date

import pytest

from kesu.core.exceptions import ApplicationError
from kesu.core.periods import MONTH, QUARTER, Period


@pytest.mark.parametrize(
    "pid, start, end, label",
    [
        ("2026", date(2026, 1, 1), date(2026, 12, 31), "2026年"),
        ("2026S2", date(2026, 7, 1), date(2026, 12, 31), "2026年下半年"),
        ("2026Q3", date(2026, 7, 1), date(2026, 9, 30), "2026年第三季度"),
        ("202402", date(2024, 2, 1), date(2024, 2, 29), "2024年2月"),
    ],
)
def test_period_dates_and_labels(pid, start, end, label):
    period = Period.parse(pid)
    assert (period.start, period.end, period.label, period.id) == (start, end, label, pid)


def test_months_roll_into_quarters_and_years():
    year = Period.parse("2026")
    assert [p.id for p in year.children(QUARTER)] == ["2026Q1", "2026Q2", "2026Q3", "2026Q4"]
    assert [p.id for p in Period.parse("2026Q2").children(MONTH)] == ["202604", "202605", "202606"]
    assert year.contains(Period.parse("202611")) and not Period.parse("2026S1").contains(Period.parse("2026Q3"))


@pytest.mark.parametrize("bad", ["2026Q5", "202613", "26", "2026S3", "二〇二六"])
def test_bad_period_ids_are_refused_in_chinese(bad):
    with pytest.raises(ApplicationError, match="报告期"):
        Period.parse(bad)
