"""Accepting figures from outside kesu's own returns: an old report's fact, a survey's estimate.

Such a figure is for a year that may be long over. Its path is chosen per figure by ``write_mode`` — history for a
year kesu never collected, an amendment for an approved year, the ordinary return otherwise — and then the figure
service writes it. Doors that accept outside figures call this one helper instead of choosing the path themselves,
so the rule for which year takes which path is written once.
"""

from dataclasses import dataclass

from django.db import transaction

from kesu.core.exceptions import ApplicationError

from ..computed import activities_registered
from .common import parse_period, today
from .figures import AMEND, HISTORY, Figure, WriteResult, figures_write, write_mode


@dataclass
class _Refused(Exception):  # noqa: N818 - carries a refused batch out of its transaction, not an error
    result: WriteResult


def activity_fed_refused(region, period, indicators) -> set[int]:
    """Of ``indicators`` (summed from activities), the ids that cannot take an outside figure of ``region``'s own
    for ``period``: all of them, unless the figure would be history (``write_mode``: a year kesu never collected)
    and no activity is registered in the region's subtree for it — what ``figures_write`` checks too.
    """
    indicators = list(indicators)
    if not indicators:
        return set()
    period = parse_period(period)
    if period.end >= today() or activities_registered(region=region, unit=None, period=period):
        return {i.pk for i in indicators}
    return {i.pk for i in indicators if write_mode(region=region, unit=None, indicator=i, period=period) != HISTORY}


def outside_paths(figures: list[Figure]) -> dict[str, list[Figure]]:
    """The figures grouped by the path each takes (``write_mode``), in their order."""
    paths: dict[str, list[Figure]] = {}
    for f in figures:
        mode = write_mode(region=f.region, unit=f.unit, indicator=f.indicator, period=f.period)
        paths.setdefault(mode, []).append(f)
    return paths


def outside_figures_accept(*, actor, figures: list[Figure], door: str, reason: str,
                           amend_reason: str = "") -> WriteResult:
    """Write outside figures, each on its path, all of them or none (one transaction).

    A figure for an approved year is an amendment: without ``amend_reason`` it is refused with
    ``extra["needs_amend"]`` so the door can ask the office to confirm the correction; with it the reason is
    recorded as ``reason；更正原因：…``. Rows keep the numbers the door gave them.
    """
    paths = outside_paths(figures)
    if AMEND in paths and not amend_reason.strip():
        result = WriteResult()
        for f in paths[AMEND]:
            result.error(f.row, ApplicationError("该年度数据已审核锁定，采用将更正已审核的数据，须填写更正原因。", field="amend",
                                                 extra={"needs_amend": True, "code": "needs_amend"}))
        return result
    total = WriteResult()
    try:
        with transaction.atomic():
            for mode, batch in paths.items():
                why = f"{reason}；更正原因：{amend_reason.strip()}" if mode == AMEND else reason
                result = figures_write(actor=actor, figures=batch, door=door, reason=why, mode=mode)
                if result.errors:
                    raise _Refused(result)
                total.created += result.created
                total.updated += result.updated
                total.unchanged += result.unchanged
                total.stored.update(result.stored)
                total.changed_rows |= result.changed_rows
                for row, warnings in result.warnings.items():
                    total.warnings.setdefault(row, []).extend(warnings)
    except _Refused as refused:
        return refused.result
    return total
