"""Which year a page shows when the user has not chosen one.

A year becomes the default once it is over and its approved returns are about as many as the year before's
(``COMPLETE_SHARE``). Until then the page keeps showing the last complete year and says so, and the running year is
shown beside it as progress. This is what keeps a dashboard from going blank when the first return of a new year is
approved, and from showing the half-approved figures of a year that has just ended as if they were final.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count

from kesu.core import clock

COMPLETE_SHARE = 0.8  # a year's approved returns as a share of the year before's, to count as complete


@dataclass(frozen=True)
class YearChoice:
    """The year a page shows, why, and the other years the user may pick."""

    year: int
    today: date
    complete: bool  # the shown year is over and (nearly) fully approved
    running: int | None = None  # the later year being collected now, shown beside as progress
    years: list = field(default_factory=list)  # the years with approved data, newest first (the picker)
    chosen: bool = False  # the user picked the year
    picked: tuple = ()  # the period ids the user picked, when they are not just ``year`` (a quarter, several years)

    @property
    def options(self) -> list[tuple[str, str, bool]]:
        """(period id, label, selected) for the period picker: the years with approved data, newest first, and
        whatever else the user picked (a quarter from a report's source link, a year without approved data)."""
        from kesu.core.periods import Period

        picked = list(self.picked) or [str(self.year)]
        # Newest first, a picked year without approved data in its place among the others (not trailing after them).
        ids = sorted({*(str(y) for y in self.years), *picked}, reverse=True)
        out = []
        for pid in ids:
            label = Period.parse(pid).label
            if pid.isdigit() and int(pid) >= self.today.year:
                label += "（进行中）"
            elif pid not in {str(y) for y in self.years}:
                label += "（无已审核数据）"
            out.append((pid, label, pid in picked))
        return out

    @property
    def page_note(self) -> str:
        """The note of a page that shows one year only (no running year beside it as progress)."""
        if self.complete and self.running and not self.chosen:
            return (f"以下为{self.year}年（最近一个审核完成的年度）已审核数据；{self.running}年正在填报审核，"
                    f"可在报告期中选择。")
        return self.note

    @property
    def note(self) -> str:
        """One sentence saying which year the page shows and why."""
        if self.chosen:
            from kesu.core.periods import Period

            shown = "、".join(Period.parse(p).label for p in self.picked) if self.picked else f"{self.year}年"
            return f"以下为{shown}已审核数据。"
        if self.complete and self.running:
            return (f"以下为{self.year}年（最近一个审核完成的年度）数据；{self.running}年正在填报审核，"
                    f"其已审核的部分列为进度。")
        if self.complete:
            return f"以下为{self.year}年（最近一个审核完成的年度）已审核数据。"
        if self.year >= self.today.year:
            return f"以下为{self.year}年截至目前已审核的数据，本年度尚在填报中。"
        return f"以下为{self.year}年已审核数据；该年度的报表尚未全部审核。"


def choose_year(approved_returns: dict[int, int], today: date) -> tuple[int, bool]:
    """(year, complete) from the number of approved returns per year; pure, so the rule can be tested alone.

    The latest year that is over and has at least ``COMPLETE_SHARE`` of the year before's approved returns; else
    the latest year that is over with any; else the latest year with any; else last year.
    """
    years = sorted((y for y, n in approved_returns.items() if n and y <= today.year), reverse=True)
    for y in years:
        if y < today.year and approved_returns[y] >= COMPLETE_SHARE * approved_returns.get(y - 1, 0):
            return y, True
    finished = [y for y in years if y < today.year]
    if finished:
        return finished[0], False
    if years:
        return years[0], False
    return today.year - 1, False


def approved_returns_by_year(root) -> dict[int, int]:
    """{year: approved returns in ``root``'s subtree}, counting returns of any period within the year."""
    from kesu.collection.models import LOCKED_STATUSES, Submission

    rows = (Submission.objects.filter(region__path__startswith=root.path, status__in=LOCKED_STATUSES)
            .values("period_id").annotate(n=Count("id")).values_list("period_id", "n"))
    out: Counter = Counter()
    for period_id, n in rows:
        out[int(period_id[:4])] += n
    return dict(out)


def year_choice(root, asked=None, *, today: date | None = None) -> YearChoice:
    """The year for a page about ``root``: ``asked`` when it is a sensible year, else the default rule."""
    today = today or clock.today()
    counts = approved_returns_by_year(root)
    default, complete = choose_year(counts, today)
    years = sorted({y for y, n in counts.items() if n} | {default}, reverse=True)
    # The year being collected: the latest later year with approved returns, else this year itself.
    later = [y for y in years if default < y <= today.year]
    running = later[0] if later else (today.year if default < today.year else None)
    year = _asked_year(asked)
    if year is not None and year != default:
        return YearChoice(year, today, False, None, years, chosen=True)
    return YearChoice(default, today, complete, running, years)


def _asked_year(asked) -> int | None:
    text = str(asked or "").strip().removesuffix("年")
    return int(text) if text.isdigit() and 1900 <= int(text) <= 2200 else None
