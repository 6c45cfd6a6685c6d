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


def record(*, actor, action: str, instance: models.Model | None = None, object_type: str = "", object_id="",
           object_repr: str = "", changes: dict | None = None, reason: str = "", source: str = "",
           region_path: str = "") -> AuditEvent:
    if instance is not None:
        object_type = object_type or instance._meta.label_lower
        object_id = object_id or instance.pk
        object_repr = object_repr or str(instance)
    return AuditEvent.objects.create(
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
