"""Chinese numeral parsing, checked against fixed cases and against cn2an as an oracle."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kesu.extraction.engine.numerals import parse_arabic, parse_chinese, tidy


@pytest.mark.parametrize(
    "text, value, vague",
    [
        ("三十", 30, False),
        ("一千零八十三", 1083, False),
        ("两万", 20000, False),
        ("十一", 11, False),
        ("百", 100, False),
        ("千", 1000, False),
        ("数百", 100, True),
        ("几十", 10, True),
        ("十几", 10, True),
        ("两万五", 25000, False),
        ("一千零二", 1002, False),
        ("三亿五千万", 350_000_000, False),
        ("一万亿", 1e12, False),
        ("三十万零五百", 300500, False),
    ],
)
def test_parse_chinese_values(text, value, vague):
    assert parse_chinese(text) == (float(value), vague)


@pytest.mark.parametrize("text", ["十三五", "十四五", "二○一○", "三五", "十百", "数", "几"])
def test_parse_chinese_rejects_slogans_and_digit_strings(text):
    assert parse_chinese(text) is None


def test_parse_arabic_handles_thousands_separators():
    assert parse_arabic("8,593") == 8593.0
    assert parse_arabic("26.5") == 26.5
    assert parse_arabic("x") is None


def test_tidy_turns_integral_floats_into_ints():
    assert tidy(1083.0) == 1083 and isinstance(tidy(1083.0), int)
    assert tidy(0.25) == 0.25
    assert tidy(9.168 * 1e8) == 916800000


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=1, max_value=10**11))
def test_parse_chinese_agrees_with_cn2an(n):
    cn2an = pytest.importorskip("cn2an")
    assert parse_chinese(cn2an.an2cn(n)) == (float(n), False)
