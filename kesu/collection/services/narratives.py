"""Writing narratives: 工作进展, 主要成效, 存在问题, 下步打算 per task × reporter × period."""

from dataclasses import dataclass

from django.db import transaction

from kesu.core import audit
from kesu.core.exceptions import ApplicationError

from ..models import LOCKED_STATUSES, Narrative, Submission, SubmissionStatus
from ..reporting import reopen_hint
from .common import FORM, parse_period, reporter_label, require_writer, scope_of

OBJECT_TYPE = "collection.narrative"
MAX_CHARS = 5000


def _clean_text(text: str | None) -> str:
    # Keep paragraphs; normalise line endings and trim trailing spaces of each line.
    lines = [line.rstrip() for line in (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return "\n".join(lines).strip()


@dataclass
class NarrativeText:
    """One task's texts in a save: {field name: text}; ``expected_version`` as the form last read it, if known."""

    task: object
    texts: dict
    expected_version: int | None = None


def narrative_save(*, actor, task, region, unit, period, texts: dict, expected_version: int | None = None,
                   reason: str = "", source: str = FORM) -> Narrative:
    [row] = narrative_bulk_save(actor=actor, region=region, unit=unit, period=period, reason=reason, source=source,
                                rows=[NarrativeText(task=task, texts=texts, expected_version=expected_version)])
    return row


def _checked(row: NarrativeText, region, unit) -> dict:
    """The row's texts cleaned, or the refusal naming its task and field."""
    task = row.task
    plan_region = task.plan.region
    if not region.path.startswith(plan_region.path):
        # A task belongs to one region's plan: it is reported on by that region and the reporters below it only.
        raise ApplicationError(f"“{task}”属于{plan_region.name}的实施方案，{reporter_label(region, unit)}不能填写它的工作情况。",
                               field="task", extra={"task": task.pk})
    clean = {}
    for name in Narrative.TEXT_FIELDS:
        if name in row.texts:
            value = _clean_text(row.texts[name])
            if len(value) > MAX_CHARS:
                label = Narrative._meta.get_field(name).verbose_name
                raise ApplicationError(f"“{task}”的{label}超过 {MAX_CHARS} 字，请精简。", field=name,
                                       extra={"task": task.pk})
            clean[name] = value
    return clean


def narrative_bulk_save(*, actor, region, unit, period, rows, reason: str = "",
                        source: str = FORM) -> list[Narrative]:
    """One reporter's 工作情况 for a period on several tasks at once (a return's texts, an import): each row is
    checked as ``narrative_save`` checks one, in one transaction, all or none — the first refusal names its task and
    field. New rows are inserted together, and so are the audit events. → the rows, in the order given."""
    period = parse_period(period)
    require_writer(scope_of(actor), region, unit)
    rows = list(rows)
    seen = set()
    for r in rows:
        if r.task.pk in seen:
            raise ApplicationError(f"“{r.task}”的工作情况在一次保存中出现了两次。", field="task", extra={"task": r.task.pk})
        seen.add(r.task.pk)
    cleaned = [_checked(r, region, unit) for r in rows]
    who = reporter_label(region, unit)
    with transaction.atomic():
        # Locked, so a submit or approval of these returns waits for this save (or this save sees its result).
        returns = (Submission.objects.select_for_update().filter(region=region, unit=unit, period_id=period.id)
                   .order_by("pk"))
        blocked = next((s for s in returns if s.status in {*LOCKED_STATUSES, SubmissionStatus.SUBMITTED}), None)
        if blocked:
            raise ApplicationError(f"{who}{period.label}的填报为“{blocked.get_status_display()}”，工作情况不能修改。"
                                   f"{reopen_hint(blocked.status, region, unit)}", field="progress")
        stored = {n.task_id: n for n in Narrative.objects.select_for_update(of=("self",)).select_related("updated_by")
                  .filter(task__in=[r.task.pk for r in rows], region=region, unit=unit, period_id=period.id)}
        out, new, written = [], [], []
        for r, clean in zip(rows, cleaned, strict=True):
            row = stored.get(r.task.pk)
            if r.expected_version is not None and (row.version if row else 0) != r.expected_version:
                by = row.updated_by.display_name if row and row.updated_by else "其他人"
                when = f"于 {row.updated_at:%Y-%m-%d %H:%M} " if row else ""
                raise ApplicationError(f"“{r.task}”的工作情况已被{by}{when}修改，请刷新查看对方的修改后再保存。",
                                       field="version", extra={"current": row, "task": r.task.pk})
            old = {k: getattr(row, k) for k in Narrative.TEXT_FIELDS} if row else None
            if row is None:
                row = Narrative(task=r.task, region=region, unit=unit, period_id=period.id, version=0)
            for name, value in clean.items():
                setattr(row, name, value)
            out.append(row)
            changes = audit.model_changes(row, old, Narrative.TEXT_FIELDS)
            if old is not None and not changes:
                continue
            row.version += 1
            row.source, row.updated_by = source[:300], actor
            if old is None:
                new.append(row)
            else:
                row.save()
            written.append((r.task, row, old, changes))
        Narrative.objects.bulk_create(new, batch_size=500)
        audit.record_all([
            audit.event(actor=actor, action="create" if old is None else "update", instance=row,
                        object_type=OBJECT_TYPE, object_repr=f"{who} {period.label} {task}", changes=changes,
                        reason=reason, source=source, region_path=region.path)
            for task, row, old, changes in written])
    return out
