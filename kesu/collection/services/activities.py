"""Writing activities and their attachments."""

import uuid
from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import transaction

from kesu.core import audit
from kesu.core.exceptions import ApplicationError
from kesu.core.periods import YEAR, Period
from kesu.core.uploads import check_upload

from ..models import LOCKED_STATUSES, Activity, ActivityAttachment, ActivityKind, Population, Submission
from ..reporting import reopen_hint
from .common import FORM, parse_number, require_writer, scope_of

OBJECT_TYPE = "collection.activity"
FIELDS = ["kind", "title", "region", "start_date", "end_date", "population", "framework_item", "task", "sessions",
          "participants", "people", "materials", "funds", "place", "notes", "external_key"]
COUNT_FIELDS = {"sessions": "期（场）次", "participants": "参加人次", "people": "参加人数", "materials": "发放资料（份）"}
# Built once: ``TextChoices.values`` builds a new list on every access, and ``clean_activity`` runs for every
# imported row.
KIND_VALUES = frozenset(ActivityKind.values)
POPULATION_VALUES = frozenset(Population.values)


def clean_activity(data: dict, *, unit) -> dict:
    """Check and normalise the activity fields; every refusal names the field in Chinese."""
    clean = dict(data)
    title = (clean.get("title") or "").strip()
    if not title:
        raise ApplicationError("请填写活动名称。", field="title")
    clean["title"] = title[:200]
    if clean.get("kind") not in KIND_VALUES:
        raise ApplicationError(f"活动类型“{clean.get('kind') or ''}”不在可选范围内。", field="kind")
    population = clean.get("population") or Population.PUBLIC
    if population not in POPULATION_VALUES:
        raise ApplicationError(f"面向人群“{population}”不在可选范围内。", field="population")
    clean["population"] = population
    for name in ("start_date", "end_date"):
        if clean.get(name) in (None, "") and name == "end_date":
            clean[name] = clean.get("start_date")
        if not isinstance(clean.get(name), date):
            raise ApplicationError(f"请填写{'开始' if name == 'start_date' else '结束'}日期（格式 2026-05-20）。", field=name)
    if clean["end_date"] < clean["start_date"]:
        raise ApplicationError("结束日期不能早于开始日期。", field="end_date")
    for name, label in COUNT_FIELDS.items():
        raw = clean.get(name)
        if type(raw) is int and 0 <= raw < 10 ** 16:  # already a clean count (the Excel reader's output)
            continue
        default = None if name == "people" else (1 if name == "sessions" else 0)
        number = parse_number(raw, label=label, field=name, integer=True)
        clean[name] = default if number is None else int(number)
    funds = parse_number(clean.get("funds"), label="经费（元）", field="funds")
    clean["funds"] = funds if funds is not None else 0
    region = clean.get("region") or unit.region
    if not region.path.startswith(unit.region.path):
        raise ApplicationError(f"举办地“{region.name}”不在{unit.region.name}范围内。", field="region")
    clean["region"] = region
    for name in ("place", "notes", "external_key"):
        clean[name] = (clean.get(name) or "").strip()
    return clean


def _guard_unlocked(unit, start_date: date) -> None:
    year = Period(start_date.year, YEAR, 1)
    # Every covering return is locked, not only approved ones: an approval waiting on this lock then sees the
    # write, and a write waiting on an approval sees the new status (callers run inside a transaction).
    covering = (Submission.objects.select_for_update(of=("self",)).filter(
        region_id=unit.region_id, unit=unit, period_start__lte=start_date, period_end__gte=start_date)
        .select_related("data_set").order_by("pk"))
    locked = next((s for s in covering if s.status in LOCKED_STATUSES), None)
    if locked:
        raise ApplicationError(f"{unit.name}{locked.period_id}“{locked.data_set.name}”已审核，"
                               f"{start_date:%Y-%m-%d}（{year.label}）的活动已锁定，不能修改。"
                               f"{reopen_hint(locked.status, unit.region, unit)}", field="start_date")


def _audit(actor, activity, old, action, reason, source):
    audit.record(actor=actor, action=action, instance=activity, object_type=OBJECT_TYPE,
                 object_repr=f"{activity.unit.name} {activity}", changes=audit.model_changes(activity, old, FIELDS),
                 reason=reason, source=source, region_path=activity.region.path)


def activity_create(*, actor, unit, data: dict, source: str = FORM, reason: str = "") -> Activity:
    require_writer(scope_of(actor), unit.region, unit)
    clean = clean_activity(data, unit=unit)
    with transaction.atomic():
        _guard_unlocked(unit, clean["start_date"])
        if Activity.objects.filter(unit=unit, title=clean["title"], start_date=clean["start_date"]).exists():
            raise ApplicationError(f"{unit.name}已登记 {clean['start_date']:%Y-%m-%d} 的“{clean['title']}”，请勿重复登记。",
                                   field="title")
        activity = Activity(unit=unit, **{k: clean.get(k) for k in FIELDS}, source=source[:300], updated_by=actor)
        activity.save()
        _audit(actor, activity, None, "create", reason, source)
    return activity


def activity_update(*, actor, activity: Activity, data: dict, expected_version: int | None, source: str = FORM,
                    reason: str = "") -> Activity:
    unit = activity.unit
    require_writer(scope_of(actor), unit.region, unit)
    clean = clean_activity({**{k: getattr(activity, k) for k in FIELDS}, **data}, unit=unit)
    with transaction.atomic():
        current = Activity.objects.select_for_update(of=("self",)).select_related("updated_by").get(pk=activity.pk)
        if expected_version is not None and current.version != expected_version:
            who = current.updated_by.display_name if current.updated_by else "其他人"
            raise ApplicationError(f"活动“{current.title}”已被{who}于 {current.updated_at:%Y-%m-%d %H:%M} 修改"
                                   f"（参加人次 {current.participants}，期次 {current.sessions}），请刷新后再改。",
                                   field="version", extra={"current": current})
        _guard_unlocked(unit, current.start_date)
        _guard_unlocked(unit, clean["start_date"])
        old = {k: getattr(current, k) for k in FIELDS}
        for k in FIELDS:
            setattr(current, k, clean.get(k))
        if not audit.model_changes(current, old, FIELDS):
            return current
        current.version += 1
        current.source, current.updated_by = source[:300], actor
        current.save()
        _audit(actor, current, old, "update", reason, source)
    return current


def activity_upsert(*, actor, unit, data: dict, source: str, reason: str = "") -> tuple[Activity, bool]:
    """Idempotent import: match on ``external_key`` when given, else on (unit, title, start date). → (row, created)."""
    key = (data.get("external_key") or "").strip()
    qs = Activity.objects.filter(unit=unit)
    existing = (qs.filter(external_key=key).first() if key else
                qs.filter(title=(data.get("title") or "").strip(), start_date=data.get("start_date")).first())
    if existing is None:
        return activity_create(actor=actor, unit=unit, data=data, source=source, reason=reason), True
    return activity_update(actor=actor, activity=existing, data=data, expected_version=None, source=source,
                           reason=reason), False


def activity_delete(*, actor, activity: Activity, reason: str = "", source: str = FORM) -> None:
    require_writer(scope_of(actor), activity.unit.region, activity.unit)
    with transaction.atomic():
        _guard_unlocked(activity.unit, activity.start_date)
        old = {k: getattr(activity, k) for k in FIELDS}
        audit.record(actor=actor, action="delete", instance=activity, object_type=OBJECT_TYPE,
                     object_repr=f"{activity.unit.name} {activity}",
                     changes={k: [audit.plain(v), None] for k, v in old.items() if v not in (None, "")},
                     reason=reason, source=source, region_path=activity.region.path)
        for attachment in activity.attachments.all():
            attachment.file.delete(save=False)
        activity.delete()


# -- attachments ---------------------------------------------------------------------------------------------------

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
def attachment_add(*, actor, activity: Activity, uploaded_file, source: str = FORM) -> ActivityAttachment:
    require_writer(scope_of(actor), activity.unit.region, activity.unit)
    name = (getattr(uploaded_file, "name", "") or "附件").rsplit("/", 1)[-1][:200]
    size = uploaded_file.size
    kind = check_upload(uploaded_file, name=name, allowed={"pdf", "jpeg", "png", "gif", "webp"},
                        max_bytes=MAX_ATTACHMENT_BYTES)
    content_type, ext = kind.content_type, kind.extension
    with transaction.atomic():
        _guard_unlocked(activity.unit, activity.start_date)
        attachment = ActivityAttachment(activity=activity, original_name=name, content_type=content_type, size=size,
                                        uploaded_by=actor)
        # The stored name is ours (never the uploader's), with the extension that matches the content.
        attachment.file.save(f"{activity.pk}-{uuid.uuid4().hex[:12]}.{ext}", uploaded_file, save=False)
        attachment.save()
        audit.record(actor=actor, action="attach", instance=activity, object_type=OBJECT_TYPE,
                     object_repr=f"{activity.unit.name} {activity}", changes={"attachment": [None, name]},
                     source=source, region_path=activity.region.path)
    return attachment


def attachment_delete(*, actor, attachment: ActivityAttachment, source: str = FORM) -> None:
    activity = attachment.activity
    if not scope_of(actor).sees_unit(activity.unit):
        raise PermissionDenied
    require_writer(scope_of(actor), activity.unit.region, activity.unit)
    with transaction.atomic():
        _guard_unlocked(activity.unit, activity.start_date)
        audit.record(actor=actor, action="detach", instance=activity, object_type=OBJECT_TYPE,
                     object_repr=f"{activity.unit.name} {activity}",
                     changes={"attachment": [attachment.original_name, None]}, source=source,
                     region_path=activity.region.path)
        attachment.file.delete(save=False)
        attachment.delete()
