"""Chinese and Arabic numeral parsing.

``parse_chinese`` handles what report prose actually contains and what general converters
such as cn2an reject: bare magnitudes (``百`` = 100, ``千`` = 1000), the vague prefixes
``数``/``几`` (``数百`` → 100, taken with an approx flag by the caller), a trailing ``几``
(``十几`` → 10), abbreviated tails (``两万五`` → 25000) and both zero forms (``零``/``〇``/``○``).
It returns ``None`` for strings that are not well-formed numbers, which is how slogans
such as ``十三五`` are told apart from counts.  cn2an is used in the tests as an oracle.
"""

from __future__ import annotations

DIGITS = {
    "零": 0, "〇": 0, "○": 0, "O": 0,
    "一": 1, "壹": 1, "二": 2, "贰": 2, "两": 2, "三": 3, "叁": 3, "四": 4, "肆": 4,
    "五": 5, "伍": 5, "六": 6, "陆": 6, "七": 7, "柒": 7, "八": 8, "捌": 8, "九": 9, "玖": 9,
}
SMALL_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
BIG_UNITS = {"万": 10_000, "亿": 100_000_000}
VAGUE = {"数", "几"}
MULTIPLIERS = {"万": 1e4, "亿": 1e8, "千": 1e3, "百": 1e2}

CN_NUMERAL_CHARS = "".join(DIGITS) + "".join(SMALL_UNITS) + "".join(BIG_UNITS)


def parse_chinese(s: str) -> tuple[float, bool] | None:
    """Parse a Chinese numeral; return (value, vague) or None if malformed.

    ``vague`` is True when the string used 数/几 ("数百", "十几").
    """
    if not s:
        return None
    vague = False
    if s[0] in VAGUE:
        vague = True
        s = s[1:]
        if not s or s[0] not in SMALL_UNITS and s[0] not in BIG_UNITS:
            return None
        s = "一" + s
    if s.endswith("几"):
        vague = True
        s = s[:-1]
        if not s:
            return None
    if any(c not in DIGITS and c not in SMALL_UNITS and c not in BIG_UNITS for c in s):
        return None
    if len(s) > 1 and all(c in DIGITS for c in s):
        # Digit-by-digit strings ("二○一○") are years or codes, never counts.
        return None
    total = 0  # completed 亿/万 blocks
    section = 0  # value below the current 万 block
    number = None  # pending digit
    last_unit = None
    last_big = None
    saw_zero = False
    for ch in s:
        if ch in DIGITS:
            d = DIGITS[ch]
            if number is not None and number != 0:
                return None  # two digits in a row without a unit: "三五", "十三五"
            if d == 0:
                saw_zero = True
            number = d
        elif ch in SMALL_UNITS:
            unit = SMALL_UNITS[ch]
            if last_unit is not None and unit >= last_unit and section:
                return None  # units must fall: "十百" is not a number
            section += (number or 1) * unit
            number = None
            last_unit = unit
            saw_zero = False
        else:  # 万 / 亿
            big = BIG_UNITS[ch]
            if last_big is not None and big >= last_big and not (big == 1e8 and last_big == 1e4):
                return None
            block = section + (number or 0)
            if big == 100_000_000:
                total = (total + block) * big
            else:
                total += (block or 1) * big
            section = 0
            number = None
            last_unit = None
            last_big = big
            saw_zero = False
    if number:
        # Abbreviated tail: "两万五" = 25000, "一千二" = 1200 (not after 零: "一千零二" = 1002).
        if last_unit and last_unit >= 100 and not saw_zero:
            section += number * last_unit // 10
        elif last_unit is None and last_big and not saw_zero:
            section += number * last_big // 10
        else:
            section += number
    return float(total + section), vague


def parse_arabic(s: str) -> float | None:
    """Parse ``1,083`` / ``26.5`` / ``2133.33``; None if not a number."""
    try:
        return float(s.replace(",", ""))
    except ValueError:
        return None


def tidy(value: float) -> float | int:
    """Return an int when the float is integral, so JSON shows 1083 rather than 1083.0."""
    # 9.168 × 1e8 is 916799999.9999999 in binary floating point: round to 12 significant
    # digits first, which is far beyond what any report writes.
    value = float(f"{value:.12g}")
    if value == int(value) and abs(value) < 1e18:
        return int(value)
    return value
