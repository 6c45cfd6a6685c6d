"""Policy documents (文件) and meetings (会议) of a region, optionally linked to tasks."""

from datetime import date

from django.db import transaction

from kesu.core import audit
from kesu.core.exceptions import ApplicationError

from ..models import Meeting, PolicyDocument
from ._common import require_manage


def _check_tasks(label: str, region, tasks) -> list:
    tasks = list(tasks)
    for task in tasks:
        if task.plan.region_id != region.pk:
            raise ApplicationError(f"{label}的字段“相关任务”中的“{task.title}”不是“{region.name}”规划方案中的任务。",
                                   field="tasks")
    return tasks


def _check_date(label: str, value, field: str, title: str) -> None:
    if not isinstance(value, date):
        raise ApplicationError(f"{label}的字段“{title}”应为日期。", field=field)


@transaction.atomic
def document_create(*, actor, region, doc_no: str, title: str, issuer: str, issued_on, tasks=()) -> PolicyDocument:
    require_manage(actor, region)
    title, doc_no, issuer = str(title or "").strip(), str(doc_no or "").strip(), str(issuer or "").strip()
    if not title:
        raise ApplicationError("政策文件的字段“标题”不能为空。", field="title")
    label = f"政策文件“{title}”"
    if not issuer:
        raise ApplicationError(f"{label}的字段“发文机关”不能为空。", field="issuer")
    _check_date(label, issued_on, "issued_on", "印发日期")
    if doc_no and PolicyDocument.objects.filter(region=region, doc_no=doc_no).exists():
        raise ApplicationError(f"{label}的字段“文号”{doc_no} 已登记过。", field="doc_no")
    tasks = _check_tasks(label, region, tasks)
    document = PolicyDocument.objects.create(region=region, doc_no=doc_no, title=title, issuer=issuer,
                                             issued_on=issued_on)
    document.tasks.set(tasks)
    audit.record(actor=actor, action="document.create", instance=document, region_path=region.path,
                 changes=audit.model_changes(document, None, ["doc_no", "title", "issuer", "issued_on"]))
    return document


@transaction.atomic
def meeting_create(*, actor, region, title: str, held_on, attendees: str = "", decisions: str = "",
                   tasks=()) -> Meeting:
    require_manage(actor, region)
    title = str(title or "").strip()
    if not title:
        raise ApplicationError("会议的字段“会议名称”不能为空。", field="title")
    label = f"会议“{title}”"
    _check_date(label, held_on, "held_on", "召开日期")
    tasks = _check_tasks(label, region, tasks)
    meeting = Meeting.objects.create(region=region, title=title, held_on=held_on, attendees=attendees,
                                     decisions=decisions)
    meeting.tasks.set(tasks)
    audit.record(actor=actor, action="meeting.create", instance=meeting, region_path=region.path,
                 changes=audit.model_changes(meeting, None, ["title", "held_on", "attendees", "decisions"]))
    return meeting
