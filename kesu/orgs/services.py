"""Every write to member units, their contact persons, and the coordination body with its posts."""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction

from kesu.core import audit
from kesu.core.exceptions import ApplicationError

from . import defaults
from .models import BodyKind, BodyPost, ContactPerson, CoordinationBody, PostKind, Unit, UnitKind

UNIT_FIELDS = ["name", "short_name", "kind", "valid_from", "valid_to", "successor", "sort", "notes"]
BODY_FIELDS = ["name", "kind", "office_unit", "established_on", "duties"]
POST_FIELDS = ["post", "person_name", "person_title", "unit", "sort"]
CONTACT_FIELDS = ["name", "title", "phone", "email", "is_liaison"]


# -- guards ------------------------------------------------------------------------------------------------------

def _scope(actor):
    if actor is None:
        return None
    from kesu.accounts.scope import Scope

    return Scope.for_user(actor)


def _require_region(actor, region) -> None:
    """The same scope guard as the pages, so the API and CLI cannot do more. ``actor=None`` is the system."""
    scope = _scope(actor)
    if scope is not None and not scope.manages_region(region):
        raise ApplicationError(f"您无权管理「{region.name}」的成员单位和协调机构")


def _text(value, *, label: str, field: str, max_length: int, required: bool = False) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ApplicationError(f"{label}不能为空", field=field)
    if len(value) > max_length:
        raise ApplicationError(f"{label}「{value}」过长（最多 {max_length} 个字）", field=field)
    return value


def _max(model, name: str) -> int:
    return model._meta.get_field(name).max_length


def _kind(kind) -> str:
    if kind not in UnitKind.values:
        raise ApplicationError(f"部门类别「{kind}」无效", field="kind")
    return kind


def _check_unique_name(region, name: str, *, exclude_pk=None) -> None:
    if Unit.objects.filter(region=region, name=name).exclude(pk=exclude_pk).exists():
        raise ApplicationError(f"「{region.name}」已有名为「{name}」的成员单位，不能重复", field="name")


def _check_dates(name: str, valid_from, valid_to) -> None:
    if valid_from and valid_to and valid_to < valid_from:
        raise ApplicationError(
            f"「{name}」的撤销日期 {valid_to:%Y-%m-%d} 早于成立日期 {valid_from:%Y-%m-%d}", field="valid_to")


def _check_same_region(unit: Unit | None, region, *, what: str, field: str) -> None:
    if unit is not None and unit.region_id != region.pk:
        raise ApplicationError(f"{what}「{unit.name}」不属于「{region.name}」，只能选择本级的成员单位", field=field)


def _save(instance, *, unique_message: str, field: str = "name") -> None:
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError as exc:  # a concurrent duplicate that slipped past the check
        raise ApplicationError(unique_message, field=field) from exc


# -- units -------------------------------------------------------------------------------------------------------

@transaction.atomic
def unit_create(*, actor, region, name: str, kind: str, short_name: str = "", valid_from=None, sort: int = 0,
                notes: str = "") -> Unit:
    _require_region(actor, region)
    name = _text(name, label="单位名称", field="name", max_length=_max(Unit, "name"), required=True)
    _check_unique_name(region, name)
    unit = Unit(region=region, name=name, kind=_kind(kind), valid_from=valid_from, sort=sort or 0,
                short_name=_text(short_name, label="简称", field="short_name", max_length=_max(Unit, "short_name")),
                notes=(notes or "").strip())
    _save(unit, unique_message=f"「{region.name}」已有名为「{name}」的成员单位，不能重复")
    audit.record(actor=actor, action="unit.create", instance=unit, region_path=region.path,
                 changes=audit.model_changes(unit, None, ["name", "short_name", "kind", "valid_from"]))
    return unit


def _snapshot(instance, fields) -> dict:
    return {f: getattr(instance, f) for f in fields}


@transaction.atomic
def unit_update(*, actor, unit: Unit, name: str, kind: str, short_name: str = "", valid_from=None, sort: int = 0,
                notes: str = "") -> Unit:
    unit = Unit.objects.select_for_update().select_related("region").get(pk=unit.pk)
    _require_region(actor, unit.region)
    old = _snapshot(unit, UNIT_FIELDS)
    unit.name = _text(name, label="单位名称", field="name", max_length=_max(Unit, "name"), required=True)
    _check_unique_name(unit.region, unit.name, exclude_pk=unit.pk)
    unit.kind = _kind(kind)
    unit.short_name = _text(short_name, label="简称", field="short_name", max_length=_max(Unit, "short_name"))
    unit.valid_from = valid_from
    _check_dates(unit.name, unit.valid_from, unit.valid_to)
    unit.sort = sort or 0
    unit.notes = (notes or "").strip()
    _save(unit, unique_message=f"「{unit.region.name}」已有名为「{unit.name}」的成员单位，不能重复")
    changes = audit.model_changes(unit, old, UNIT_FIELDS)
    if changes:
        audit.record(actor=actor, action="unit.update", instance=unit, changes=changes, region_path=unit.region.path)
    return unit


@transaction.atomic
def unit_end(*, actor, unit: Unit, valid_to: datetime.date, successor: Unit | None = None, reason: str = "") -> Unit:
    """机构改革: the unit ends on ``valid_to``; ``successor`` (same region) takes over its work and history links."""
    unit = Unit.objects.select_for_update().select_related("region").get(pk=unit.pk)
    _require_region(actor, unit.region)
    if valid_to is None:
        raise ApplicationError(f"请填写「{unit.name}」的撤销日期", field="valid_to")
    _check_dates(unit.name, unit.valid_from, valid_to)
    if successor is not None:
        if successor.pk == unit.pk:
            raise ApplicationError(f"「{unit.name}」不能是自己的继任单位", field="successor")
        _check_same_region(successor, unit.region, what="继任单位", field="successor")
        if successor.valid_to is not None and successor.valid_to < valid_to:
            raise ApplicationError(
                f"继任单位「{successor.name}」已于 {successor.valid_to:%Y-%m-%d} 撤销，不能接续「{unit.name}」",
                field="successor")
        if _succeeds(successor, unit):
            raise ApplicationError(f"「{successor.name}」的继任关系会回到「{unit.name}」，形成循环", field="successor")
    old = _snapshot(unit, ["valid_to", "successor"])
    unit.valid_to = valid_to
    unit.successor = successor
    unit.save(update_fields=["valid_to", "successor", "updated_at"])
    audit.record(actor=actor, action="unit.end", instance=unit, reason=reason, region_path=unit.region.path,
                 changes=audit.model_changes(unit, old, ["valid_to", "successor"]))
    return unit


def _succeeds(start: Unit, target: Unit) -> bool:
    """True when following successors from ``start`` reaches ``target``. Read from the database, not from the
    (possibly stale) instances; chains are short (a few reforms)."""
    seen, current = set(), start.pk
    while current is not None and current not in seen:
        if current == target.pk:
            return True
        seen.add(current)
        current = Unit.objects.filter(pk=current).values_list("successor_id", flat=True).first()
    return False


@transaction.atomic
def units_create_defaults(*, actor, region) -> list[Unit]:
    """Create the typical member-unit list of a county/city/district in one action; names that already exist in
    the region are skipped, so running it twice creates nothing new."""
    _require_region(actor, region)
    if not defaults.supports_defaults(region):
        raise ApplicationError(
            f"「{region.name}」是{region.get_level_display()}区域，默认成员单位只适用于地级和县级区域，请逐个添加")
    existing = set(Unit.objects.filter(region=region).values_list("name", flat=True))
    start = (Unit.objects.filter(region=region).order_by("-sort").values_list("sort", flat=True).first() or 0)
    new = []
    for index, spec in enumerate(defaults.DEFAULT_UNITS, start=1):
        name, short = defaults.unit_names(region, spec)
        if name in existing:
            continue
        new.append(Unit(region=region, name=name, short_name=short, kind=spec.kind, sort=start + index * 10))
    Unit.objects.bulk_create(new)
    if new:
        audit.record(actor=actor, action="unit.create_defaults", object_type="orgs.unit", object_id="*",
                     object_repr=f"{region.name}默认成员单位", region_path=region.path,
                     changes={"created": [u.name for u in new]})
    return new


# -- contacts ----------------------------------------------------------------------------------------------------

def _clean_contact(values: dict, unit: Unit) -> dict:
    cleaned = {
        "name": _text(values.get("name"), label="姓名", field="name", max_length=_max(ContactPerson, "name"),
                      required=True),
        "title": _text(values.get("title"), label="职务", field="title", max_length=_max(ContactPerson, "title")),
        "phone": _text(values.get("phone"), label="电话", field="phone", max_length=_max(ContactPerson, "phone")),
        "email": _text(values.get("email"), label="电子邮箱", field="email", max_length=_max(ContactPerson, "email")),
        "is_liaison": bool(values.get("is_liaison")),
    }
    if cleaned["email"] and "@" not in cleaned["email"]:
        raise ApplicationError(f"「{unit.name}」联系人{cleaned['name']}的电子邮箱「{cleaned['email']}」格式不对",
                               field="email")
    return cleaned


def _one_liaison(contact: ContactPerson) -> None:
    """A unit answers through one 联络员: marking a new one retires the previous mark."""
    if contact.is_liaison:
        ContactPerson.objects.filter(unit_id=contact.unit_id, is_liaison=True).exclude(pk=contact.pk).update(
            is_liaison=False)


@transaction.atomic
def contact_create(*, actor, unit: Unit, name: str, title: str = "", phone: str = "", email: str = "",
                   is_liaison: bool = False) -> ContactPerson:
    _require_region(actor, unit.region)
    values = _clean_contact(dict(name=name, title=title, phone=phone, email=email, is_liaison=is_liaison), unit)
    contact = ContactPerson.objects.create(unit=unit, **values)
    _one_liaison(contact)
    audit.record(actor=actor, action="contact.create", instance=contact, region_path=unit.region.path,
                 changes=audit.model_changes(contact, None, CONTACT_FIELDS))
    return contact


@transaction.atomic
def contact_update(*, actor, contact: ContactPerson, name: str, title: str = "", phone: str = "", email: str = "",
                   is_liaison: bool = False) -> ContactPerson:
    contact = ContactPerson.objects.select_for_update().select_related("unit__region").get(pk=contact.pk)
    _require_region(actor, contact.unit.region)
    old = _snapshot(contact, CONTACT_FIELDS)
    values = _clean_contact(dict(name=name, title=title, phone=phone, email=email, is_liaison=is_liaison),
                            contact.unit)
    for key, value in values.items():
        setattr(contact, key, value)
    contact.save()
    _one_liaison(contact)
    changes = audit.model_changes(contact, old, CONTACT_FIELDS)
    if changes:
        audit.record(actor=actor, action="contact.update", instance=contact, changes=changes,
                     region_path=contact.unit.region.path)
    return contact


@transaction.atomic
def contact_delete(*, actor, contact: ContactPerson) -> None:
    contact = ContactPerson.objects.select_related("unit__region").get(pk=contact.pk)
    _require_region(actor, contact.unit.region)
    audit.record(actor=actor, action="contact.delete", instance=contact, region_path=contact.unit.region.path,
                 changes={f: [audit.plain(getattr(contact, f)), None] for f in CONTACT_FIELDS})
    contact.delete()


# -- coordination body -------------------------------------------------------------------------------------------

def default_body_name(region, kind: str = BodyKind.LEADING_GROUP) -> str:
    if kind == BodyKind.JOINT_MEETING:
        return f"{region.name}全民科学素质工作联席会议"
    if kind == BodyKind.OUTLINE_OFFICE:
        return f"{region.name}全民科学素质纲要实施工作办公室"
    return f"{region.name}全民科学素质工作领导小组"


def _body_kind(kind) -> str:
    if kind not in BodyKind.values:
        raise ApplicationError(f"协调机构类型「{kind}」无效", field="kind")
    return kind


def _check_members(region, members) -> list[Unit]:
    members = list(members or [])
    for unit in members:
        _check_same_region(unit, region, what="成员单位", field="members")
    return members


@transaction.atomic
def body_create(*, actor, region, name: str = "", kind: str = BodyKind.LEADING_GROUP, office_unit: Unit | None = None,
                members=(), established_on=None, duties: str = "") -> CoordinationBody:
    _require_region(actor, region)
    if CoordinationBody.objects.filter(region=region).exists():
        raise ApplicationError(f"「{region.name}」已有协调机构，请直接编辑", field="name")
    kind = _body_kind(kind)
    name = _text(name, label="名称", field="name", max_length=_max(CoordinationBody, "name")) or \
        default_body_name(region, kind)
    _check_same_region(office_unit, region, what="办公室所在单位", field="office_unit")
    members = _check_members(region, members)
    body = CoordinationBody.objects.create(region=region, name=name, kind=kind, office_unit=office_unit,
                                           established_on=established_on, duties=(duties or "").strip())
    body.members.set(members)
    audit.record(actor=actor, action="body.create", instance=body, region_path=region.path,
                 changes={**audit.model_changes(body, None, BODY_FIELDS), "members": [None, len(members)]})
    return body


@transaction.atomic
def body_update(*, actor, body: CoordinationBody, name: str, kind: str, office_unit: Unit | None = None,
                established_on=None, duties: str = "") -> CoordinationBody:
    body = CoordinationBody.objects.select_for_update().select_related("region").get(pk=body.pk)
    _require_region(actor, body.region)
    old = _snapshot(body, BODY_FIELDS)
    body.kind = _body_kind(kind)
    body.name = _text(name, label="名称", field="name", max_length=_max(CoordinationBody, "name")) or \
        default_body_name(body.region, body.kind)
    _check_same_region(office_unit, body.region, what="办公室所在单位", field="office_unit")
    body.office_unit = office_unit
    body.established_on = established_on
    body.duties = (duties or "").strip()
    body.save()
    changes = audit.model_changes(body, old, BODY_FIELDS)
    if changes:
        audit.record(actor=actor, action="body.update", instance=body, changes=changes, region_path=body.region.path)
    return body


@transaction.atomic
def body_set_members(*, actor, body: CoordinationBody, members) -> CoordinationBody:
    body = CoordinationBody.objects.select_related("region").get(pk=body.pk)
    _require_region(actor, body.region)
    members = _check_members(body.region, members)
    old = sorted(body.members.values_list("name", flat=True))
    body.members.set(members)
    new = sorted(u.name for u in members)
    if old != new:
        audit.record(actor=actor, action="body.set_members", instance=body, region_path=body.region.path,
                     changes={"added": sorted(set(new) - set(old)), "removed": sorted(set(old) - set(new))})
    return body


def _clean_post(body: CoordinationBody, *, post, person_name, person_title, unit) -> dict:
    if post not in PostKind.values:
        raise ApplicationError(f"职位「{post}」无效", field="post")
    _check_same_region(unit, body.region, what="所在单位", field="unit")
    return {
        "post": post,
        "person_name": _text(person_name, label="姓名", field="person_name", max_length=_max(BodyPost, "person_name"),
                             required=True),
        "person_title": _text(person_title, label="职务", field="person_title",
                              max_length=_max(BodyPost, "person_title")),
        "unit": unit,
    }


@transaction.atomic
def body_post_add(*, actor, body: CoordinationBody, post: str, person_name: str, person_title: str = "",
                  unit: Unit | None = None, sort: int | None = None) -> BodyPost:
    body = CoordinationBody.objects.select_related("region").get(pk=body.pk)
    _require_region(actor, body.region)
    values = _clean_post(body, post=post, person_name=person_name, person_title=person_title, unit=unit)
    if sort is None:
        sort = (body.posts.order_by("-sort").values_list("sort", flat=True).first() or 0) + 10
    item = BodyPost.objects.create(body=body, sort=sort, **values)
    audit.record(actor=actor, action="body_post.add", instance=item, region_path=body.region.path,
                 changes=audit.model_changes(item, None, POST_FIELDS))
    return item


@transaction.atomic
def body_post_update(*, actor, post: BodyPost, kind: str, person_name: str, person_title: str = "",
                     unit: Unit | None = None, sort: int | None = None) -> BodyPost:
    item = BodyPost.objects.select_for_update().select_related("body__region").get(pk=post.pk)
    _require_region(actor, item.body.region)
    old = _snapshot(item, POST_FIELDS)
    values = _clean_post(item.body, post=kind, person_name=person_name, person_title=person_title, unit=unit)
    for key, value in values.items():
        setattr(item, key, value)
    if sort is not None:
        item.sort = sort
    item.save()
    changes = audit.model_changes(item, old, POST_FIELDS)
    if changes:
        audit.record(actor=actor, action="body_post.update", instance=item, changes=changes,
                     region_path=item.body.region.path)
    return item


@transaction.atomic
def body_post_remove(*, actor, post: BodyPost) -> None:
    item = BodyPost.objects.select_related("body__region").get(pk=post.pk)
    _require_region(actor, item.body.region)
    audit.record(actor=actor, action="body_post.remove", instance=item, region_path=item.body.region.path,
                 changes={f: [audit.plain(getattr(item, f)), None] for f in POST_FIELDS})
    item.delete()
