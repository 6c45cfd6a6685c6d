"""Guards shared by the write services: who may write for a reporter, and whether the reporter's data is open."""

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied
from django.db import transaction

from kesu.accounts.scope import Scope
from kesu.core import clock
from kesu.core.exceptions import ApplicationError
from kesu.core.periods import Period

from ..models import EDITABLE_STATUSES, Submission, SubmissionStatus
from ..reporting import closed_hint, data_sets_for, is_open, reopen_hint, window

FORM = "表单"


def today() -> date:
    return clock.today()


def scope_of(actor) -> Scope:
    return Scope.for_user(actor)


def require_writer(scope: Scope, region, unit) -> None:
    """A filler writes only for its own unit; an office for reporters in its subtree; a viewer never."""
    if scope.is_admin:
        return
    if scope.is_filler:
        if unit is None or unit.pk != scope.unit_id:
            raise PermissionDenied("只能填报本单位的数据")
        return
    if not scope.is_office or not scope.sees_region(region):
        raise PermissionDenied("无权填报该区域或单位的数据")


def reporter_label(region, unit) -> str:
    return unit.name if unit is not None else region.name


def parse_period(period) -> Period:
    return period if isinstance(period, Period) else Period.parse(period)


def guard_open(*, region, unit, period: Period, indicator=None, on: date | None = None, what: str = "数据",
               data_sets: list | None = None, locked: dict | None = None) -> dict:
    """Refuse a change when a covering return is submitted/approved or the reporting window has closed.

    Returns {data set: status} of the covering returns, for ``mark_draft`` to reuse. ``data_sets`` = the covering
    data sets when the caller has them already (a bulk import looks them up once for all its rows); ``locked`` =
    {data set id: status} of the reporter's returns for the period that the caller's transaction has already locked.
    """
    on = on or today()
    if data_sets is None:
        data_sets = data_sets_for(region, unit, indicator=indicator, period_type=period.kind)
    if not data_sets:
        return {}
    statuses = _covering_statuses(region=region, unit=unit, period=period, data_sets=data_sets, locked=locked)
    who = reporter_label(region, unit)
    for ds in data_sets:
        status = statuses.get(ds.pk, SubmissionStatus.EMPTY)
        # Each refusal says who can open the return again and how (the same words at every door).
        if status in (SubmissionStatus.APPROVED, SubmissionStatus.ACCEPTED):
            raise ApplicationError(f"{who}{period.label}“{ds.name}”已审核，{what}已锁定，不能修改。"
                                   f"{reopen_hint(status, region, unit)}", field="value", extra={"code": "locked"})
        if status not in EDITABLE_STATUSES:
            raise ApplicationError(f"{who}{period.label}“{ds.name}”已提交，等待审核，{what}不能修改。"
                                   f"{reopen_hint(status, region, unit)}", field="value", extra={"code": "submitted"})
        if not is_open(ds, period, region, unit, on):
            w = window(ds, period)
            if on < w.opens:
                raise ApplicationError(f"“{ds.name}”{period.label}尚未开始填报（{w.opens:%Y-%m-%d} 起）。", field="value",
                                       extra={"code": "not_open"})
            raise ApplicationError(f"“{ds.name}”{period.label}已于 {w.closes:%Y-%m-%d} 截止锁定。{closed_hint(region, unit)}",
                                   field="value", extra={"code": "closed"})
    return {ds: statuses.get(ds.pk, SubmissionStatus.EMPTY) for ds in data_sets}


def in_transaction() -> bool:
    return transaction.get_connection().in_atomic_block


def _covering_statuses(*, region, unit, period: Period, data_sets, locked: dict | None = None) -> dict:
    """{data set id: status} of the covering returns.

    Inside a write transaction the return rows are created if missing and locked (SELECT … FOR UPDATE), so a submit
    or an approval of the same return waits for this write to commit and then sees it — and a write that waits for
    an approval sees the new status. Without the lock a figure could change after its return was submitted.
    A dry run (outside any transaction) only reads. When every covering return exists and is among ``locked``
    (read under the lock in this transaction), that is the answer: no statement to repeat.
    """
    if locked is not None and in_transaction() and all(ds.pk in locked for ds in data_sets):
        return {ds.pk: locked[ds.pk] for ds in data_sets}
    rows = Submission.objects.filter(region=region, unit=unit, period_id=period.id, data_set__in=data_sets)
    if not in_transaction():
        return dict(rows.values_list("data_set_id", "status"))
    for ds in data_sets:
        Submission.objects.get_or_create(data_set=ds, period_id=period.id, region=region, unit=unit,
                                         defaults={"period_start": period.start, "period_end": period.end})
    return dict(rows.select_for_update().order_by("pk").values_list("data_set_id", "status"))


def mark_draft(*, region, unit, period: Period, covering: dict) -> int:
    """The first figure entered moves a return from 未填报 to 填报中 (``covering`` is what ``guard_open`` returned).
    Returns how many returns it moved."""
    opened = 0
    for ds, status in covering.items():
        if status != SubmissionStatus.EMPTY:
            continue
        sub, _ = Submission.objects.get_or_create(
            data_set=ds, period_id=period.id, region=region, unit=unit,
            defaults={"period_start": period.start, "period_end": period.end},
        )
        if sub.status == SubmissionStatus.EMPTY:
            sub.status = SubmissionStatus.DRAFT
            sub.save(update_fields=["status", "updated_at"])
            opened += 1
    return opened


_FULLWIDTH = str.maketrans("０１２３４５６７８９．，－", "0123456789.,-")


def parse_number(raw, *, label: str, field: str = "value", allow_negative: bool = False,
                 integer: bool = False, exact: bool = False) -> Decimal | None:
    """A Decimal from a cell: blanks → None; thousands separators and full-width digits accepted.

    ``exact`` returns the number as written (the figure service refuses what it cannot store); otherwise it is
    quantized to four places for callers that only compare or display."""
    if raw is None:
        return None
    if isinstance(raw, (int, Decimal)) and not isinstance(raw, bool):
        value = Decimal(raw)
    elif isinstance(raw, float):
        value = Decimal(str(raw))
    else:
        text = str(raw).strip().translate(_FULLWIDTH).replace(",", "").replace(" ", "")
        if text == "":
            return None
        if not re.fullmatch(r"[-+]?(\d+(\.\d*)?|\.\d+)", text):
            raise ApplicationError(f"“{label}”应填数字，“{raw}”不是数字。", field=field)
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise ApplicationError(f"“{label}”应填数字，“{raw}”不是数字。", field=field) from None
    if not value.is_finite():
        raise ApplicationError(f"“{label}”应填数字，“{raw}”不是数字。", field=field)
    if value < 0 and not allow_negative:
        raise ApplicationError(f"“{label}”不能为负数（填写了 {raw}）。", field=field)
    if integer and value != value.to_integral_value():
        raise ApplicationError(f"“{label}”应为整数（填写了 {raw}）。", field=field)
    if abs(value) >= Decimal(10) ** 16:
        raise ApplicationError(f"“{label}”数值过大（填写了 {raw}）。", field=field)
    return value if exact else value.quantize(Decimal("0.0001"))
