"""Reading cells the way offices type them."""

from datetime import date, datetime
from decimal import Decimal

import pytest

from kesu.collection.excel.cells import CellError, parse_count, parse_date, parse_money, parse_number


@pytest.mark.parametrize("raw, expected", [
    ("2026年3月5日", date(2026, 3, 5)),
    ("2026.3.5", date(2026, 3, 5)),
    ("2026/3/5", date(2026, 3, 5)),
    ("2026-03-05", date(2026, 3, 5)),
    ("２０２６年３月５日", date(2026, 3, 5)),
    (" 2026 年 3 月 5 日 ", date(2026, 3, 5)),
    ("20260305", date(2026, 3, 5)),
    (46086, date(2026, 3, 5)),  # the Excel serial of 2026-03-05
    (46086.75, date(2026, 3, 5)),  # a serial with a time of day
    (datetime(2026, 3, 5, 0, 0), date(2026, 3, 5)),
    (date(2026, 3, 5), date(2026, 3, 5)),
    ("", None),
    (None, None),
])
def test_dates_in_every_office_spelling(raw, expected):
    assert parse_date(raw) == expected


@pytest.mark.parametrize("raw", ["2026年2月30日", "2026-13-01", "2026.2.29", "三月五日", "2026年3月", "12345"])
def test_impossible_or_unreadable_dates_are_refused_in_chinese(raw):
    with pytest.raises(CellError) as exc:
        parse_date(raw)
    assert "日期" in str(exc.value)


@pytest.mark.parametrize("raw, expected", [
    ("12,345", Decimal(12345)),
    ("１２３４５", Decimal(12345)),
    ("１２，３４５", Decimal(12345)),
    ("2.5万", Decimal(25000)),
    ("1.2亿", Decimal(120000000)),
    (" 3.50 ", Decimal("3.50")),
    (0.1, Decimal("0.1")),
    (7, Decimal(7)),
    ("", None),
    (None, None),
])
def test_numbers_with_separators_full_width_digits_and_wan(raw, expected):
    assert parse_number(raw) == expected


@pytest.mark.parametrize("raw", ["十二", "12a", "1,23", "1.2.3", "约100"])
def test_text_in_a_number_cell_is_refused(raw):
    with pytest.raises(CellError) as exc:
        parse_number(raw)
    assert "不是数字" in str(exc.value)


def test_counts_must_be_whole_and_not_negative():
    assert parse_count("1,200") == 1200
    assert parse_count("0.5万") == 5000
    with pytest.raises(CellError, match="负数"):
        parse_count(-3)
    with pytest.raises(CellError, match="整数"):
        parse_count("2.5")
    assert parse_money("1.5万") == Decimal("15000.00")
    with pytest.raises(CellError, match="负数"):
        parse_money("-10")
