"""The approval workflow: 未填报 → 填报中 → 已提交 → 已退回 / 已审核 → 已接收.

Each transition is one service with its guard, an event row and an audit event. Approval goes bottom-up: a region's
own return can be approved only when the returns of its units and child regions are approved; approval locks data.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from kesu.core import audit
from kesu.core.exceptions import ApplicationError
from kesu.core.periods import PERIOD_TYPES, Period

from .. import outliers, readings, rollup, validation
from ..configuration import remembered
from ..models import EDITABLE_STATUSES, LOCKED_STATUSES, DataSet, Submission, SubmissionEvent
from ..models import SubmissionStatus as S
from ..reporting import child_reporters, covers, reviewer_region
from .common import require_writer, scope_of

OBJECT_TYPE = "collection.submission"


def submission_for(*, data_set: DataSet, period, region, unit) -> Submission:
    """The return of a reporter, created as 未填报 if it does not exist yet (a bookkeeping row, no event)."""
    period = period if isinstance(period, Period) else Period.parse(period)
    if period.kind != data_set.period_type:
        raise ApplicationError(f"“{data_set.name}”按{dict(PERIOD_TYPES)[data_set.period_type]}填报，"
                               f"报告期“{period.id}”不符。", field="period")
    if not covers(data_set, region, unit):
        raise ApplicationError(f"“{data_set.name}”不要求{unit.name if unit else region.name}填报。", field="data_set")
    sub, _ = Submission.objects.get_or_create(data_set=data_set, period_id=period.id, region=region, unit=unit,
                                              defaults={"period_start": period.start, "period_end": period.end})
    sub.data_set, sub.region, sub.unit = data_set, region, unit  # the rows in hand: the caller's checks read them
    return sub


def _transition(subs: list[Submission], *, actor, action: str, to: str, reason: str = "", **fields) -> None:
    """Move the returns (locked by the caller's transaction) to ``to``, setting ``fields`` on each (the same values
    for all: who and when). One UPDATE for the rows, one insert of their events and one of their audit events,
    however many returns a batch holds; a single return is a batch of one."""
    now = timezone.now()
    events, audit_events = [], []
    for sub in subs:
        from_status = sub.status
        sub.status, sub.updated_at = to, now
        for name, value in fields.items():
            setattr(sub, name, value)
        events.append(SubmissionEvent(submission=sub, action=action, from_status=from_status, to_status=to,
                                      actor=actor, reason=reason))
        audit_events.append(audit.event(actor=actor, action=action, instance=sub, object_type=OBJECT_TYPE,
                                        changes={"status": [S(from_status).label, S(to).label]}, reason=reason,
                                        region_path=sub.region.path))
    Submission.objects.filter(pk__in=[sub.pk for sub in subs]).update(status=to, updated_at=now, **fields)
    SubmissionEvent.objects.bulk_create(events, batch_size=500)
    audit.record_all(audit_events)


def _locked(subs) -> list[Submission]:
    """The returns read again under a row lock, in the order given (one query for a batch)."""
    # The region's parent too: approving a region's return checks the reviewer against it (``reviewer_region``).
    rows = Submission.objects.select_for_update(of=("self",)).select_related("data_set", "region__parent", "unit")
    found = {row.pk: row for row in rows.filter(pk__in=[sub.pk for sub in subs]).order_by("pk")}
    missing = [sub for sub in subs if sub.pk not in found]
    if missing:
        raise ApplicationError(f"{missing[0]}已不存在，请刷新页面。", field="submissions")
    return [found[sub.pk] for sub in subs]


def _distinct(submissions) -> list[Submission]:
    subs = list(submissions)
    if len({sub.pk for sub in subs}) != len(subs):
        raise ApplicationError("同一填报在一批中出现了两次。", field="submissions")
    return subs


def _require_reviewer(scope, sub: Submission) -> None:
    if scope.is_admin:
        return
    reviewer = reviewer_region(sub.region, sub.unit)
    if not scope.is_office or reviewer is None or not scope.sees_region(reviewer):
        raise PermissionDenied("无权审核该单位或区域的填报")
    if sub.unit is None and scope.region_id == sub.region_id:
        raise PermissionDenied("本级汇总须由上级审核")


def _rules(sub: Submission) -> list:
    """The validation rules that name a figure of the return's data set."""
    codes = remembered(("data_set_codes", sub.data_set_id),
                       lambda: set(sub.data_set.indicators.values_list("code", flat=True)))
    return [r for r in validation.applicable_rules(sub.region) if codes.intersection(validation.rule_codes(r))]


def _indicators(sub: Submission) -> list:
    return remembered(("data_set_indicators", sub.data_set_id),
                      lambda: list(sub.data_set.indicators.all().order_by("sort", "code")))


def submission_readings(sub: Submission) -> readings.Readings:
    """The return's figures read once for both of its checks (``submission_violations``, ``submission_figures``)."""
    codes = {c for rule in _rules(sub) for c in validation.rule_codes(rule)}
    return readings.read(indicator_ids=[i.pk for i in _indicators(sub)], codes=codes, region=sub.region,
                         unit=sub.unit, period=Period.parse(sub.period_id), years=outliers.HISTORY_YEARS)


def submission_violations(sub: Submission, read: readings.Readings | None = None) -> list:
    """Rule violations over the data set's figures for this return (blocking first)."""
    found = validation.check(region=sub.region, unit=sub.unit, period=Period.parse(sub.period_id),
                             rules=_rules(sub), readings=read)
    return sorted(found, key=lambda v: not v.is_blocking)


def submission_figures(sub: Submission, read: readings.Readings | None = None) -> list:
    """The return's figures beside last year's, with their outlier flags (see outliers.py)."""
    return outliers.figures(_indicators(sub), region=sub.region, unit=sub.unit, period=Period.parse(sub.period_id),
                            readings=read)


def submission_submit(*, actor, submission: Submission, reason: str = "") -> Submission:
    require_writer(scope_of(actor), submission.region, submission.unit)
    with transaction.atomic():
        [sub] = _locked([submission])
        if sub.status not in EDITABLE_STATUSES:
            raise ApplicationError(f"{sub}当前为“{sub.get_status_display()}”，不能提交。", field="status")
        read = submission_readings(sub)  # one read of the figures for the rule check and the outlier check
        problems = submission_violations(sub, read)
        blocking = [v for v in problems if v.is_blocking]
        if blocking:
            raise ApplicationError(f"{sub}未通过审核规则，不能提交：{blocking[0].message}", field="status",
                                   extra={"violations": problems})
        unexplained = [v for v in problems if not v.explained]
        if unexplained:
            raise ApplicationError(f"{sub}有需说明的情况未填写说明：{unexplained[0].message}", field="explanation",
                                   extra={"violations": problems})
        flagged = [f for f in submission_figures(sub, read) if f.needs_explanation]
        if flagged:
            first = flagged[0]
            more = f"等 {len(flagged)} 项" if len(flagged) > 1 else ""
            raise ApplicationError(f"{sub}有数值异常未说明：“{first.indicator.name}”{first.flags[0].message}{more}。"
                                   f"请在填报表中核对，数据无误时在“情况说明”中说明原因。", field="explanation",
                                   extra={"flagged": [f.indicator.code for f in flagged]})
        _transition([sub], actor=actor, action="submit", to=S.SUBMITTED, reason=reason,
                    submitted_at=timezone.now(), submitted_by=actor, return_reason="")
        return sub


def submission_return(*, actor, submission: Submission, reason: str) -> Submission:
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError("退回时必须填写退回原因。", field="reason")
    with transaction.atomic():
        [sub] = _locked([submission])
        _require_reviewer(scope_of(actor), sub)
        if sub.status != S.SUBMITTED:
            raise ApplicationError(f"{sub}当前为“{sub.get_status_display()}”，只有已提交的填报可以退回。", field="status")
        _transition([sub], actor=actor, action="return", to=S.RETURNED, reason=reason, return_reason=reason)
        return sub


def _unapproved_children(sub: Submission) -> list[str]:
    if sub.unit is not None:  # a unit's return has no reporters below it: skip looking them up
        return []
    reporters = child_reporters(sub.data_set, sub.region, on=sub.period_end)
    if not reporters:
        return []
    done = {(s.region_id, s.unit_id) for s in Submission.objects.filter(
        data_set=sub.data_set, period_id=sub.period_id, status__in=LOCKED_STATUSES,
        region__in={r.region.pk for r in reporters})}
    return [r.name for r in reporters if r.key not in done]


def _refresh_rollup(sub: Submission) -> None:
    """Approved figures changed: bring the stored roll-up rows of the region and its ancestors in step."""
    indicator_ids = remembered(("data_set_indicator_ids", sub.data_set_id),
                               lambda: list(sub.data_set.indicators.values_list("id", flat=True)))
    rollup.rollup_refresh(indicator_ids=indicator_ids, region=sub.region, period_ids=[sub.period_id])


def submission_approve(*, actor, submission: Submission, reason: str = "") -> Submission:
    [sub] = submission_approve_all(actor=actor, submissions=[submission], reason=reason)
    return sub


def submission_approve_all(*, actor, submissions, reason: str = "") -> list[Submission]:
    """审核通过 of one return or of several at once (an office approving what its units sent): each return passes the
    same checks as alone, in one transaction, all or none — the first refusal names its return and nothing is
    approved. The returns below a region's own return must be approved before it (in an earlier call)."""
    subs = _distinct(submissions)
    if not subs:
        return []
    # The roll-up rows of the regions the batch touches are recomputed once, as the transaction's last step.
    with transaction.atomic(), rollup.rollup_deferred():
        subs = _locked(subs)
        scope = scope_of(actor)
        for sub in subs:
            _require_reviewer(scope, sub)
            if sub.status != S.SUBMITTED:
                raise ApplicationError(f"{sub}当前为“{sub.get_status_display()}”，只有已提交的填报可以审核通过。",
                                       field="status")
            missing = _unapproved_children(sub)
            if missing:
                shown = "、".join(missing[:8]) + (f"等 {len(missing)} 个" if len(missing) > 8 else "")
                raise ApplicationError(f"{sub.region.name}的下级填报尚未全部审核（{shown}），不能审核本级汇总。",
                                       field="status", extra={"missing": missing})
        _transition(subs, actor=actor, action="approve", to=S.APPROVED, reason=reason,
                    reviewed_at=timezone.now(), reviewed_by=actor)
        for sub in subs:
            _refresh_rollup(sub)
        return subs


def _parent_locked(sub: Submission) -> Submission | None:
    """The upper return this one rolls into, when that one is already approved (then this one must stay)."""
    region = sub.region if sub.unit is not None else sub.region.parent
    if region is None:
        return None
    return Submission.objects.filter(data_set=sub.data_set, period_id=sub.period_id, region=region, unit__isnull=True,
                                     status__in=LOCKED_STATUSES).first()


def submission_unapprove(*, actor, submission: Submission, reason: str) -> Submission:
    """取消审核: back to 已提交 so the reviewer can return it; needs a reason; the upper return must not be approved."""
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError("取消审核时必须填写原因。", field="reason")
    with transaction.atomic():
        [sub] = _locked([submission])
        _require_reviewer(scope_of(actor), sub)
        if sub.status not in LOCKED_STATUSES:
            raise ApplicationError(f"{sub}当前为“{sub.get_status_display()}”，未审核，无需取消。", field="status")
        upper = _parent_locked(sub)
        if upper is not None:
            raise ApplicationError(f"上级汇总“{upper}”已审核，须先取消上级审核。", field="status")
        _transition([sub], actor=actor, action="unapprove", to=S.SUBMITTED, reason=reason, accepted_at=None)
        _refresh_rollup(sub)
        return sub


def submission_accept(*, actor, submission: Submission, reason: str = "") -> Submission:
    """接收: the reviewing level (or above) takes an approved return into its own figures."""
    [sub] = submission_accept_all(actor=actor, submissions=[submission], reason=reason)
    return sub


def submission_accept_all(*, actor, submissions, reason: str = "") -> list[Submission]:
    """接收 of one approved return or of several at once: the same checks for each, one transaction, all or none."""
    subs = _distinct(submissions)
    if not subs:
        return []
    with transaction.atomic():
        subs = _locked(subs)
        scope = scope_of(actor)
        for sub in subs:
            _require_reviewer(scope, sub)
            if sub.status != S.APPROVED:
                raise ApplicationError(f"{sub}当前为“{sub.get_status_display()}”，只有已审核的填报可以接收。",
                                       field="status")
        _transition(subs, actor=actor, action="accept", to=S.ACCEPTED, reason=reason, accepted_at=timezone.now())
        return subs


def submission_withdraw(*, actor, submission: Submission, reason: str = "") -> Submission:
    """撤回: the reporter takes a submitted return back to 填报中 to correct it, until a reviewer has acted on it."""
    require_writer(scope_of(actor), submission.region, submission.unit)
    with transaction.atomic():
        [sub] = _locked([submission])
        if sub.status != S.SUBMITTED:
            raise ApplicationError(f"{sub}当前为“{sub.get_status_display()}”，只有已提交、尚未审核的填报可以撤回。",
                                   field="status")
        _transition([sub], actor=actor, action="withdraw", to=S.DRAFT, reason=reason.strip())
        return sub


def is_clean(sub: Submission) -> bool:
    """No rule violation and no outlier flag, explained or not: such a return may be approved with others at once."""
    read = submission_readings(sub)
    return not submission_violations(sub, read) and not any(f.flags for f in submission_figures(sub, read))


def submission_approve_batch(*, actor, submissions, reason: str = "") -> tuple[list[Submission], list[tuple]]:
    """批量审核通过: approve each clean submitted return, each in its own transaction (they are independent
    decisions); a return with a violation or a flagged figure is left for review one by one.

    → (approved returns, [(return, why it was left)]).
    """
    approved, left = [], []
    for sub in submissions:
        if sub.status != S.SUBMITTED:
            left.append((sub, f"当前为“{sub.get_status_display()}”"))
        elif not is_clean(sub):
            left.append((sub, "有规则提示或数值异常，请逐一审核"))
        else:
            try:
                approved.append(submission_approve(actor=actor, submission=sub, reason=reason or "批量审核通过"))
            except ApplicationError as exc:
                left.append((sub, exc.message))
    return approved, left
