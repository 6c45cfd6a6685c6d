"""Workflow actions on returns: list, submit, return, approve — the collection services decide who may."""

from datetime import datetime
from typing import Literal

from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from kesu.accounts.api_auth import scope_of
from kesu.core.api import Id, Limit, Offset, PeriodId, page

from .. import services as collection
from ..models import Submission
from ..selectors import submission_get

router = Router()


class SubmissionOut(Schema):
    id: int
    data_set: str
    period: str
    region: str
    unit: int | None
    status: str
    status_label: str
    submitted_at: datetime | None
    return_reason: str


class ActionIn(Schema):
    reason: str = ""


def _out(s: Submission) -> SubmissionOut:
    return SubmissionOut(id=s.pk, data_set=s.data_set.code, period=s.period_id, region=s.region.code, unit=s.unit_id,
                         status=s.status, status_label=s.get_status_display(), submitted_at=s.submitted_at,
                         return_reason=s.return_reason)


@router.get("/submissions", response=list[SubmissionOut], summary="填报任务及状态",
            operation_id="kesu_analytics_api_workflow_submissions")
def submissions(request, period: PeriodId | None = None, status: str | None = None, limit: Limit = 500,
                offset: Offset = 0):
    scope = scope_of(request)
    qs = Submission.objects.select_related("data_set", "region").order_by("data_set_id", "period_id", "region__path")
    if scope.is_filler:
        qs = qs.filter(unit_id=scope.unit_id)
    elif not scope.is_admin:
        qs = qs.filter(scope.region_q("region__"))
    if period:
        qs = qs.filter(period_id=period)
    if status:
        qs = qs.filter(status=status)
    return [_out(s) for s in page(qs, limit, offset)]


ACTIONS = {"submit": collection.submission_submit, "return": collection.submission_return,
           "approve": collection.submission_approve}


@router.post("/submissions/{submission_id}/{action}", response=SubmissionOut, summary="提交 / 退回 / 审核通过",
             operation_id="kesu_analytics_api_workflow_act")
def act(request, submission_id: Id, action: Literal["submit", "return", "approve"], payload: ActionIn):
    scope = scope_of(request)
    sub = submission_get(scope, submission_id)
    ACTIONS[action](actor=request.auth, submission=sub, reason=payload.reason)
    return _out(get_object_or_404(Submission.objects.select_related("data_set", "region"), pk=sub.pk))
