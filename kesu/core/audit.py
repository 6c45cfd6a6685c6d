"""Recording audit events. Services call ``record`` inside their transaction."""

from django.db import models

from .models import AuditEvent


def model_changes(instance: models.Model, old: dict | None, fields: list[str]) -> dict:
    """The fields whose value differs between ``old`` (a dict) and ``instance``, as {field: [old, new]}."""
    changes = {}
    for name in fields:
        new_value = getattr(instance, name)
        old_value = (old or {}).get(name)
        if old is None or old_value != new_value:
            changes[name] = [plain(old_value), plain(new_value)]
    return changes


def plain(value):
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)  # model instances, dates, decimals: their text


def event(*, actor, action: str, instance: models.Model | None = None, object_type: str = "", object_id="",
          object_repr: str = "", changes: dict | None = None, reason: str = "", source: str = "",
          region_path: str = "") -> AuditEvent:
    """An audit event, not yet saved: ``record`` saves one, ``record_all`` inserts many in one statement."""
    if instance is not None:
        object_type = object_type or instance._meta.label_lower
        object_id = object_id or instance.pk
        object_repr = object_repr or str(instance)
    return AuditEvent(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        object_repr=object_repr[:300],
        changes=changes or {},
        reason=reason,
        source=source[:300],
        region_path=region_path,
    )


def record(**fields) -> AuditEvent:
    """Record one audit event (the keyword arguments of ``event``)."""
    row = event(**fields)
    row.save(force_insert=True)
    return row


def record_all(events: list[AuditEvent]) -> list[AuditEvent]:
    """Record the events built by ``event`` for a batch of changes (a batch approval, a bulk save): one insert."""
    return AuditEvent.objects.bulk_create(events, batch_size=500)
