"""Reading one cell the way offices type it: Chinese dates, full-width digits, 万, thousands separators.

Every function returns the clean value or raises ``CellError`` with a Chinese reason (the caller adds the sheet,
row and column). Nothing here touches the database.
"""

import re
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation


class CellError(ValueError):
    """A cell that cannot be read; ``str()`` is the Chinese reason."""


# Full-width digits and punctuation typed with a Chinese input method.
_FULLWIDTH = str.maketrans("０１２３４５６７８９．，－＋／　（）：", "0123456789.,-+/ ():")
_NUMBER = re.compile(r"[-+]?(\d+(\.\d*)?|\.\d+)")
_THOUSANDS = re.compile(r"^[-+]?\d{1,3}(,\d{3})+(\.\d+)?$")
_MULTIPLIERS = {"万": Decimal(10_000), "亿": Decimal(100_000_000)}


def normalize_text(value) -> str:
    """A cell as trimmed text with full-width characters folded to ASCII; None/blank → ''."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).translate(_FULLWIDTH).strip()


def plain_text(value) -> str:
    """A text cell kept as typed (only trimmed): titles and names keep their full-width punctuation."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        value = value.date() if value.time() == datetime.min.time() else value
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def parse_number(value) -> Decimal | None:
    """A number from a cell: 12345, 12,345, １２３４５, 2.5万, 3亿; blanks → None.

    A float read from the file goes through ``repr`` so 0.1 stays 0.1 (not 0.1000000000000000055…).
    """
    if isinstance(value, bool):
        raise CellError("应填数字，不能填逻辑值")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise CellError("不是有效数字")
        return Decimal(repr(value))
    if isinstance(value, Decimal):
        return value
    if isinstance(value, (date, datetime)):
        raise CellError("应填数字，单元格是日期格式")
    text = normalize_text(value).replace(" ", "")
    if text == "":
        return None
    multiplier = Decimal(1)
    if text and text[-1] in _MULTIPLIERS:
        multiplier, text = _MULTIPLIERS[text[-1]], text[:-1]
    if "," in text:
        if not _THOUSANDS.match(text):
            raise CellError(f"“{value}”不是数字（千分位逗号位置不对）")
        text = text.replace(",", "")
    if not _NUMBER.fullmatch(text):
        raise CellError(f"“{value}”不是数字")
    try:
        return Decimal(text) * multiplier
    except InvalidOperation:
        raise CellError(f"“{value}”不是数字") from None


def parse_count(value) -> int | None:
    """A non-negative whole number (人次, 期次, 份)."""
    if type(value) is float and value.is_integer() and 0 <= value <= 2_000_000_000:
        return int(value)  # the common case (calamine reads every number as a float), without a Decimal round trip
    number = parse_number(value)
    if number is None:
        return None
    if number < 0:
        raise CellError(f"不能为负数（填写了 {normalize_text(value)}）")
    if number != number.to_integral_value():
        raise CellError(f"应为整数（填写了 {normalize_text(value)}）")
    if number > 2_000_000_000:
        raise CellError(f"数值过大（填写了 {normalize_text(value)}）")
    return int(number)


def parse_money(value) -> Decimal | None:
    number = parse_number(value)
    if number is None:
        return None
    if number < 0:
        raise CellError(f"不能为负数（填写了 {normalize_text(value)}）")
    if abs(number) >= Decimal(10) ** 12:
        raise CellError(f"数值过大（填写了 {normalize_text(value)}）")
    return number.quantize(Decimal("0.01"))


# Excel's day 0 is 1899-12-30 (the 1900 leap-year bug is absorbed by counting from the 30th).
_EXCEL_EPOCH = date(1899, 12, 30)
_DATE = re.compile(r"^(\d{4})\s*[年./\-]\s*(\d{1,2})\s*[月./\-]\s*(\d{1,2})\s*日?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


def _checked(year: int, month: int, day: int, raw) -> date:
    try:
        result = date(year, month, day)
    except ValueError:
        raise CellError(f"日期“{raw}”不存在") from None
    if not 1990 <= result.year <= 2100:
        raise CellError(f"日期“{raw}”超出合理范围（1990—2100 年）")
    return result


def parse_date(value) -> date | None:
    """A date from a cell: a real Excel date, an Excel serial number, or text such as 2026年3月5日, 2026.3.5,
    2026/3/5, 2026-03-05, 20260305. Impossible dates (2026年2月30日) are refused, not rolled over."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return _checked(value.year, value.month, value.day, value.date())
    if isinstance(value, date):
        return _checked(value.year, value.month, value.day, value)
    if isinstance(value, bool):
        raise CellError("不是日期")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        serial = float(value)  # a fraction is the time of day, which an activity date ignores
        if 20_000 <= serial <= 80_000:  # roughly 1954–2119 as an Excel serial
            day = _EXCEL_EPOCH + timedelta(days=int(serial))
            return _checked(day.year, day.month, day.day, value)
        text = str(int(serial)) if serial.is_integer() else str(value)
    else:
        text = normalize_text(value)
    if text == "":
        return None
    text = text.split(" ")[0] if re.match(r"^\d{4}-\d{2}-\d{2} \d", text) else text
    match = _DATE.match(text) or _COMPACT.match(text)
    if not match:
        raise CellError(f"“{value}”不是日期（可写 2026-03-05、2026年3月5日、2026.3.5 或 2026/3/5）")
    return _checked(int(match[1]), int(match[2]), int(match[3]), value)
