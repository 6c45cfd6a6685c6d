"""Writing one figure: a grid cell or an API call is a batch of one through the figure service (``figures``)."""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied

from kesu.core.exceptions import ApplicationError
from kesu.plans.models import Indicator

from ..models import IndicatorValue
from .common import FORM, parse_period
from .figures import COLLECT, DOORS, OBJECT_TYPE, Figure, figures_write, value_conflict_message  # noqa: F401


def _door_of(source: str) -> str:
    """Older callers name only a source; the door it came through is the one whose label starts it."""
    return next((door for door, label in DOORS.items() if source.startswith(label)), "api")


@dataclass
class ValueResult:
    row: IndicatorValue
    changed: bool
    warnings: list = field(default_factory=list)  # explained violations the value was saved with
    opened: bool = False  # the figure was its return's first: the return is now 填报中


def value_save(*, actor, indicator, region, unit, period, value, expected_version: int | None = None,
               explanation: str | None = None, reason: str = "", source: str = FORM, door: str | None = None,
               mode: str = COLLECT) -> ValueResult:
    """Save one figure for (indicator, region, unit, period), checked exactly as every batch is.

    ``expected_version`` is the version the editor loaded (0 = the cell was empty); a different stored version means
    someone else saved in between, and the save is refused. ``None`` skips the check (imports, which are upserts).
    Refusals raise: ``PermissionDenied`` for scope, ``ApplicationError`` (message, field, extra) for the rest.
    """
    door = door or _door_of(source)
    period = parse_period(period)
    result = figures_write(actor=actor, door=door, reason=reason, mode=mode, figures=[Figure(
        indicator=indicator, region=region, unit=unit, period=period, value=value, explanation=explanation,
        source="" if source == DOORS[door] else source, expected_version=expected_version)])
    if result.errors:
        first = result.errors[0]
        if first.extra.get("forbidden"):
            raise PermissionDenied(first.message.rstrip("。"))
        raise ApplicationError(first.message, field=first.field, extra=first.extra)
    row = result.stored.get(1)
    if row is None:  # an empty cell left empty
        if not isinstance(indicator, Indicator):
            indicator = Indicator.objects.get(code=str(indicator).strip())
        row = IndicatorValue(indicator=indicator, region=region, unit=unit, period_id=period.id, version=0)
    return ValueResult(row=row, changed=1 in result.changed_rows, warnings=result.warnings.get(1, []),
                       opened=result.opened > 0)


def value_upsert(*, actor, indicator, region, unit, period, value, explanation: str | None = None, reason: str = "",
                 source: str, door: str | None = None, mode: str = COLLECT) -> ValueResult:
    """Idempotent import of one figure keyed on (indicator, region, unit, period); same checks, no version check."""
    return value_save(actor=actor, indicator=indicator, region=region, unit=unit, period=period, value=value,
                      explanation=explanation, reason=reason, source=source, door=door, mode=mode)
