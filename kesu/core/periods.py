"""ISO-style period ids: ``2026`` (year), ``2026S1`` (half), ``2026Q3`` (quarter), ``202611`` (month).

A period knows its start and end dates, its type, its Chinese label, and which shorter periods make it up,
so that months roll into quarters, halves and years.
"""

import calendar
import re
from dataclasses import dataclass
from datetime import date

from .exceptions import ApplicationError

YEAR, HALF, QUARTER, MONTH = "Y", "S", "Q", "M"
PERIOD_TYPES = [(YEAR, "年度"), (HALF, "半年"), (QUARTER, "季度"), (MONTH, "月度")]
_PATTERN = re.compile(r"^(?P<year>\d{4})(?:(?P<s>S[12])|(?P<q>Q[1-4])|(?P<m>0[1-9]|1[0-2]))?$")


@dataclass(frozen=True, order=True)
class Period:
    """A calendar period identified by its ISO-style id."""

    year: int
    kind: str
    index: int  # 1 for a year; 1–2 halves; 1–4 quarters; 1–12 months

    @classmethod
    def parse(cls, value: str) -> "Period":
        text = str(value).strip().upper()
        match = _PATTERN.match(text)
        if not match or not 1900 <= int(match["year"]) <= 2200:
            raise ApplicationError(f"报告期“{value}”格式不正确，应为 2026、2026S1、2026Q3 或 202611 之一。", field="period")
        year = int(match["year"])
        if match["s"]:
            return cls(year, HALF, int(match["s"][1]))
        if match["q"]:
            return cls(year, QUARTER, int(match["q"][1]))
        if match["m"]:
            return cls(year, MONTH, int(match["m"]))
        return cls(year, YEAR, 1)

    @property
    def id(self) -> str:
        if self.kind == YEAR:
            return f"{self.year}"
        if self.kind == MONTH:
            return f"{self.year}{self.index:02d}"
        return f"{self.year}{self.kind}{self.index}"

    def __str__(self) -> str:
        return self.id

    @property
    def first_month(self) -> int:
        months = {YEAR: 12, HALF: 6, QUARTER: 3, MONTH: 1}[self.kind]
        return months * (self.index - 1) + 1

    @property
    def months(self) -> int:
        return {YEAR: 12, HALF: 6, QUARTER: 3, MONTH: 1}[self.kind]

    @property
    def start(self) -> date:
        return date(self.year, self.first_month, 1)

    @property
    def end(self) -> date:
        last_month = self.first_month + self.months - 1
        return date(self.year, last_month, calendar.monthrange(self.year, last_month)[1])

    @property
    def label(self) -> str:
        """Chinese label: 2026年, 2026年上半年, 2026年第三季度, 2026年11月."""
        if self.kind == YEAR:
            return f"{self.year}年"
        if self.kind == HALF:
            return f"{self.year}年{'上' if self.index == 1 else '下'}半年"
        if self.kind == QUARTER:
            return f"{self.year}年第{'一二三四'[self.index - 1]}季度"
        return f"{self.year}年{self.index}月"

    def contains(self, other: "Period") -> bool:
        return self.start <= other.start and other.end <= self.end

    def children(self, kind: str) -> list["Period"]:
        """The periods of ``kind`` that make up this one (months of a quarter, quarters of a year …)."""
        size = {YEAR: 12, HALF: 6, QUARTER: 3, MONTH: 1}[kind]
        if size > self.months:
            return []
        return [
            Period(self.year, kind, (m - 1) // size + 1 if kind != YEAR else 1)
            for m in range(self.first_month, self.first_month + self.months, size)
        ]

    def previous_year(self) -> "Period":
        return Period(self.year - 1, self.kind, self.index)


def parse_period(value: str) -> Period:
    return Period.parse(value)
