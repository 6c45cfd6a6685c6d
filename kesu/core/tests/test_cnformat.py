from datetime import date
from decimal import Decimal

import pytest

from kesu.core import cnformat


@pytest.mark.parametrize(
    "value, expected",
    [
        (0, "0"), (7, "7"), (1083, "1083"), (9999, "9999"), (10000, "1万"), (265000, "26.5万"),
        (108000, "10.8万"), (123456, "12.35万"), (120000000, "1.2亿"), (2736000000, "27.36亿"), (Decimal("12.5"), "12.5"),
    ],
)
def test_counts_as_reports_write_them(value, expected):
    assert cnformat.format_count(value) == expected


@pytest.mark.parametrize(
    "value, expected", [(Decimal("60"), "60万元"), (Decimal("1313.49"), "1313.49万元"), (Decimal("18552"), "1.86亿元")]
)
def test_money_in_wan_yuan(value, expected):
    assert cnformat.format_wan_yuan(value) == expected


def test_money_in_yuan_switches_to_wan_above_ten_thousand():
    assert cnformat.format_yuan(4795) == "4795元"
    assert cnformat.format_yuan(600000) == "60万元"


def test_percent_points_and_change():
    assert cnformat.format_percent(Decimal("10.160")) == "10.16%"
    assert cnformat.format_percent(100) == "100%"
    assert cnformat.format_points(Decimal("1.16")) == "1.16个百分点"
    assert cnformat.format_change(265000, 236000) == "较上年增长12.3%"
    assert cnformat.format_change(90, 100) == "较上年下降10%"
    assert cnformat.format_change(100, 100) == "与上年持平"
    assert cnformat.format_change(100, None) == ""


def test_dates():
    assert cnformat.format_date(date(2026, 7, 9)) == "2026年7月9日"
    assert cnformat.format_date_cn(date(2026, 7, 9)) == "二〇二六年七月九日"
    assert cnformat.format_date_cn(date(2011, 9, 26)) == "二〇一一年九月二十六日"
    assert cnformat.format_date_cn(date(2020, 10, 10)) == "二〇二〇年十月十日"


def test_no_output_ever_says_none_or_negative_zero():
    assert cnformat.format_count(Decimal("-0.001")) == "0"


@pytest.mark.parametrize(
    "value, unit, expected",
    [
        (265000, "人次", "26.5万人次"), (1083, "期", "1083期"), (Decimal("10.16"), "%", "10.16%"),
        (Decimal("200.0000"), "万元", "200万元"), (Decimal("18552"), "万元", "1.86亿元"), (4795, "元", "4795元"),
        (Decimal("35.50"), "万人", "35.5万人"), (120000000, "次", "1.2亿次"), (0, "个", "0个"),
        (Decimal("12.3456"), "小时", "12.35小时"),
    ],
)
def test_quantities_with_units(value, unit, expected):
    assert cnformat.format_quantity(value, unit) == expected


def test_quantity_refuses_a_missing_value():
    with pytest.raises(ValueError):
        cnformat.format_quantity(None, "人")


def test_completion_and_point_changes():
    assert cnformat.format_completion(8594, 8300) == "103.5%"
    assert cnformat.format_completion(5, 0) == ""
    assert cnformat.format_completion(None, 10) == ""
    assert cnformat.format_points_change(Decimal("10.16"), Decimal("9")) == "比上年提高1.16个百分点"
    assert cnformat.format_points_change(Decimal("8.5"), Decimal("9")) == "比上年降低0.5个百分点"
    assert cnformat.format_points_change(Decimal("9"), Decimal("9.001")) == "与上年持平"
    assert cnformat.format_points_change(Decimal("9"), None) == ""


def test_plain_numbers_for_table_cells():
    assert cnformat.format_plain(Decimal("1313.4900")) == "1313.49"
    assert cnformat.format_plain(Decimal("10.0000")) == "10"
    assert cnformat.format_plain(Decimal("-0.0001")) == "0"
