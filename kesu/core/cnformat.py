"""Numbers and dates as Chinese work reports write them.

265000 → 26.5万, 120000000 → 1.2亿, counts below 10,000 as plain integers without separators, money in 万元,
percentages with up to 2 decimals, 百分点 for differences of percentages, dates as 2026年7月9日 or 二〇二六年七月九日.
"""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

_DIGITS = "〇一二三四五六七八九"


def _decimal(value) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _trim(value: Decimal, places: int) -> str:
    """Round to ``places`` decimals and drop trailing zeros: 26.50 → 26.5, 3.00 → 3."""
    quantum = Decimal(1).scaleb(-places)
    text = f"{value.quantize(quantum, rounding=ROUND_HALF_UP):f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def format_count(value, places: int = 2) -> str:
    """A count: 1083 → 1083, 265000 → 26.5万, 120000000 → 1.2亿."""
    number = _decimal(value)
    magnitude = abs(number)
    if magnitude >= Decimal("1e8"):
        return _trim(number / Decimal("1e8"), places) + "亿"
    if magnitude >= Decimal("1e4"):
        return _trim(number / Decimal("1e4"), places) + "万"
    return _trim(number, places if number != number.to_integral_value() else 0)


def format_wan_yuan(value_wan, places: int = 2) -> str:
    """Money already in 万元: 1313.49 → 1313.49万元; 12000 万元 → 1.2亿元."""
    number = _decimal(value_wan)
    if abs(number) >= Decimal("1e4"):
        return _trim(number / Decimal("1e4"), places) + "亿元"
    return _trim(number, places) + "万元"


def format_yuan(value_yuan, places: int = 2) -> str:
    """Money in 元: below 10,000 as 元, above as 万元/亿元."""
    number = _decimal(value_yuan)
    if abs(number) >= Decimal("1e4"):
        return format_wan_yuan(number / Decimal("1e4"), places)
    return _trim(number, places) + "元"


def format_percent(value, places: int = 2) -> str:
    return _trim(_decimal(value), places) + "%"


def format_points(value, places: int = 2) -> str:
    """A difference of two percentages: 1.16 → 1.16个百分点."""
    return _trim(abs(_decimal(value)), places) + "个百分点"


def format_change(current, previous, places: int = 1) -> str:
    """较上年增长12.3% / 下降4.5% / 持平; empty when there is no base to compare with."""
    if previous in (None, 0) or current is None:
        return ""
    cur, prev = _decimal(current), _decimal(previous)
    rate = (cur - prev) / abs(prev) * 100
    if rate.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP) == 0:
        return "与上年持平"
    return f"较上年{'增长' if rate > 0 else '下降'}{_trim(abs(rate), places)}%"


def format_date(value: date) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


def _small_number_cn(n: int) -> str:
    """1–31 in Chinese as dates write them: 9 → 九, 10 → 十, 21 → 二十一."""
    if n < 10:
        return _DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _DIGITS[tens]) + "十" + (_DIGITS[ones] if ones else "")


def format_date_cn(value: date) -> str:
    """二〇二六年七月九日, as a 公文's date line writes it."""
    year = "".join(_DIGITS[int(d)] for d in str(value.year))
    return f"{year}年{_small_number_cn(value.month)}月{_small_number_cn(value.day)}日"


def chinese_ordinal(n: int) -> str:
    """1 → 一, 12 → 十二: for headings 一、（二）."""
    if n < 1 or n > 99:
        raise ValueError(n)
    return _small_number_cn(n)


def format_quantity(value, unit: str = "", *, percent: bool = False) -> str:
    """A value with its unit as the body text writes it: 26.5万人次, 1083期, 10.16%, 200万元, 1.2亿元, 4795元."""
    if value is None:
        raise ValueError("format_quantity needs a value; say 未填报 instead of formatting a missing one")
    if percent or unit == "%":
        return format_percent(value)
    if unit == "万元":
        return format_wan_yuan(value)
    if unit == "元":
        return format_yuan(value)
    if unit.startswith("万") and len(unit) > 1:
        # Already in ten-thousands (万人): keep the unit, two decimals at most.
        return _trim(_decimal(value), 2) + unit
    return format_count(value) + unit


def format_completion(actual, target, places: int = 1) -> str:
    """Actual as a share of target: 103.5%; empty when the target is missing or zero."""
    if actual is None or not target:
        return ""
    return format_percent(_decimal(actual) / _decimal(target) * 100, places)


def format_points_change(current, previous, places: int = 2) -> str:
    """A percentage against last year's: 比上年提高1.16个百分点 / 降低… / 与上年持平; empty without a base."""
    if current is None or previous is None:
        return ""
    diff = _decimal(current) - _decimal(previous)
    if diff.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP) == 0:
        return "与上年持平"
    return f"比上年{'提高' if diff > 0 else '降低'}{format_points(diff, places)}"


def format_plain(value, places: int = 2) -> str:
    """A number for a table cell whose column already names the unit: 1313.49, 10.16, 265000 → 26.5万 only for counts.

    Values in 万/亿 units or percentages print as decimals (at most ``places``); other values as counts.
    """
    return _trim(_decimal(value), places)
