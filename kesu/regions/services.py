"""Every write to the region tree. Offices add and maintain townships and villages; the national levels come from
the loader (``kesu.regions.loader``)."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr

from kesu.core import audit
from kesu.core.exceptions import ApplicationError

from .models import Level, Region

STAT_CODE_RE = re.compile(r"\d{12}")
LOCAL_SEQ_RE = re.compile(r"\d{3,}")
MAX_NAME = Region._meta.get_field("name").max_length
MAX_SHORT = Region._meta.get_field("short_name").max_length


# -- guards ------------------------------------------------------------------------------------------------------

def _require_manage(actor, region: Region) -> None:
    """Services refuse what the actor's scope forbids, so the API and CLI get the same guard as the pages.
    ``actor=None`` is the system itself (loader, management commands)."""
    if actor is None:
        return
    from kesu.accounts.scope import Scope

    if not Scope.for_user(actor).manages_region(region):
        raise ApplicationError(f"您无权修改「{region.name}」及其下级区域")


def _clean_name(name: str, *, field: str = "name", label: str = "名称") -> str:
    name = (name or "").strip()
    if not name:
        raise ApplicationError(f"{label}不能为空", field=field)
    if len(name) > MAX_NAME:
        raise ApplicationError(f"{label}「{name}」过长（最多 {MAX_NAME} 个字）", field=field)
    return name


def child_level(parent: Region) -> int | None:
    """The level of a region an office may add under ``parent``: townships under a county (or under a prefecture
    without counties such as 东莞), villages under a township; None where nothing may be added."""
    if parent.level in (Level.COUNTY, Level.TOWNSHIP):
        return parent.level + 1
    if parent.level == Level.PREFECTURE and not parent.children.filter(level=Level.COUNTY).exists():
        return Level.TOWNSHIP
    return None


def county_of(region: Region) -> Region | None:
    """The nearest 6-digit-coded ancestor-or-self (a county, or a prefecture without counties)."""
    codes = [c for c in region.path.strip("/").split("/") if len(c) == 6 and c.isdigit()]
    if not codes:
        return None
    return Region.objects.filter(code=codes[-1]).first()


def _check_code(code: str, parent: Region) -> str:
    code = code.strip()
    if not STAT_CODE_RE.fullmatch(code):
        raise ApplicationError(f"统计用区划代码「{code}」应为 12 位数字", field="code")
    county = county_of(parent)
    if county is not None and not code.startswith(county.code):
        raise ApplicationError(
            f"统计用区划代码「{code}」应以所属县级区划「{county.name}」的代码 {county.code} 开头", field="code")
    if parent.level == Level.TOWNSHIP and STAT_CODE_RE.fullmatch(parent.code) and not code.startswith(parent.code[:9]):
        raise ApplicationError(
            f"统计用区划代码「{code}」应以所属乡镇（街道）「{parent.name}」的代码前 9 位 {parent.code[:9]} 开头",
            field="code")
    _check_code_free(code)
    return code


def _check_code_free(code: str, *, exclude_pk=None) -> None:
    clash = Region.objects.filter(code=code).exclude(pk=exclude_pk).first()
    if clash is not None:
        raise ApplicationError(f"区划代码 {code} 已被「{clash.name}」使用，不能重复", field="code")


def next_local_code(parent: Region) -> str:
    """``<parent code>L<3-digit seq>``: stable, readable and never mistaken for a statistical code."""
    prefix = f"{parent.code}L"
    seqs = [int(c[len(prefix):]) for c in Region.objects.filter(code__startswith=prefix).values_list("code", flat=True)
            if LOCAL_SEQ_RE.fullmatch(c[len(prefix):])]
    return f"{prefix}{max(seqs, default=0) + 1:03d}"


# -- writes ------------------------------------------------------------------------------------------------------

@transaction.atomic
def region_create(*, actor, parent: Region, name: str, code: str = "", short_name: str = "",
                  source: str = "") -> Region:
    """Add a township (乡镇/街道) or village (村/社区) under ``parent``."""
    _require_manage(actor, parent)
    name = _clean_name(name)
    level = child_level(parent)
    if level is None:
        raise ApplicationError(
            f"不能在「{parent.name}」（{parent.get_level_display()}）下添加区域：只能在县级区域下添加乡镇（街道），"
            f"在乡镇（街道）下添加村（社区）", field="parent")
    if parent.children.filter(name=name).exists():
        raise ApplicationError(f"「{parent.name}」下已有名为「{name}」的区域", field="name")
    short_name = (short_name or "").strip()[:MAX_SHORT]
    code = _check_code(code, parent) if (code or "").strip() else next_local_code(parent)
    sort = (parent.children.order_by("-sort").values_list("sort", flat=True).first() or 0) + 1
    region = Region(code=code, name=name, short_name=short_name, level=level, parent=parent,
                    path=f"{parent.path}{code}/", depth=parent.depth + 1, is_builtin=False, sort=sort)
    try:
        with transaction.atomic():
            region.save()
    except IntegrityError as exc:  # a concurrent insert of the same code
        raise ApplicationError(f"区划代码 {code} 已被使用，不能重复", field="code") from exc
    audit.record(actor=actor, action="region.create", instance=region, region_path=region.path, source=source,
                 changes=audit.model_changes(region, None, ["code", "name", "short_name", "level", "parent"]))
    return region


@transaction.atomic
def region_update(*, actor, region: Region, name: str, short_name: str = "", population_10k=None) -> Region:
    _require_manage(actor, region)
    region = Region.objects.select_for_update().get(pk=region.pk)
    old = {f: getattr(region, f) for f in ("name", "short_name", "population_10k")}
    name = _clean_name(name)
    if region.parent_id and Region.objects.filter(parent_id=region.parent_id, name=name).exclude(pk=region.pk).exists():
        raise ApplicationError(f"「{region.parent.name}」下已有名为「{name}」的区域", field="name")
    region.name = name
    region.short_name = (short_name or "").strip()[:MAX_SHORT]
    region.population_10k = _clean_population(population_10k)
    region.save(update_fields=["name", "short_name", "population_10k", "updated_at"])
    changes = audit.model_changes(region, old, list(old))
    if changes:
        audit.record(actor=actor, action="region.update", instance=region, changes=changes, region_path=region.path)
    return region


def _clean_population(value):
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation as exc:
        raise ApplicationError(f"常住人口「{value}」不是数字", field="population_10k") from exc
    if number < 0 or number >= Decimal("100000000"):
        raise ApplicationError(f"常住人口「{value}」超出合理范围", field="population_10k")
    return number.quantize(Decimal("0.01"))


def rewrite_subtree_paths(old_path: str, new_path: str, *, include_root: bool = True) -> int:
    """Replace the prefix ``old_path`` by ``new_path`` in every path below it, in one UPDATE (index-backed)."""
    rows = Region.objects.filter(path__startswith=old_path)
    if not include_root:
        rows = rows.exclude(path=old_path)
    delta = new_path.count("/") - old_path.count("/")
    return rows.update(path=Concat(Value(new_path), Substr("path", len(old_path) + 1)), depth=F("depth") + delta)


@transaction.atomic
def region_move(*, actor, region: Region, new_parent: Region) -> Region:
    """Hang ``region`` and its subtree under ``new_parent`` (e.g. a village that moved to another township)."""
    region = Region.objects.select_for_update().get(pk=region.pk)
    if new_parent.path.startswith(region.path):
        raise ApplicationError(
            f"不能把「{region.name}」移到「{new_parent.name}」下：目标是它自己或它的下级区域，会形成循环", field="parent")
    _require_manage(actor, region)
    _require_manage(actor, new_parent)
    if region.is_builtin:
        raise ApplicationError(f"「{region.name}」是国家行政区划，不能移动", field="parent")
    if child_level(new_parent) != region.level:
        raise ApplicationError(
            f"不能把{region.get_level_display()}区域「{region.name}」移到{new_parent.get_level_display()}区域"
            f"「{new_parent.name}」下", field="parent")
    if new_parent.children.filter(name=region.name).exclude(pk=region.pk).exists():
        raise ApplicationError(f"「{new_parent.name}」下已有名为「{region.name}」的区域", field="name")
    old_parent, old_path = region.parent, region.path
    new_path = f"{new_parent.path}{region.code}/"
    Region.objects.filter(pk=region.pk).update(parent=new_parent)
    rewrite_subtree_paths(old_path, new_path)
    region.refresh_from_db()
    audit.record(actor=actor, action="region.move", instance=region, region_path=region.path,
                 changes={"parent": [str(old_parent), str(new_parent)], "path": [old_path, new_path]})
    return region


# -- import ------------------------------------------------------------------------------------------------------

COLUMNS = {"name": "名称", "code": "统计用区划代码", "parent_name": "上级名称"}


class ImportErrors(ApplicationError):
    """All row errors of a refused import; ``errors`` is a list of {row, column, message}."""

    def __init__(self, errors: list[dict]):
        super().__init__(f"导入失败：共 {len(errors)} 处错误，未导入任何数据", extra={"errors": errors})
        self.errors = errors


@transaction.atomic
def regions_import_rows(*, actor, parent: Region, rows: list[dict], source: str = "") -> list[Region]:
    """Create the regions of ``rows`` (dicts with ``name``, optional ``code``, ``parent_name`` and ``row``) under
    ``parent``, all or nothing. ``parent_name`` names a township under ``parent`` (existing or earlier in the
    file) for a village row."""
    _require_manage(actor, parent)
    errors: list[dict] = []
    created: list[Region] = []
    by_name = {r.name: r for r in Region.objects.filter(parent=parent)}
    for index, row in enumerate(rows):
        number = row.get("row") or index + 2  # row 1 holds the column titles
        name = str(row.get("name") or "").strip()
        upper_name = str(row.get("parent_name") or "").strip()
        if not name and not str(row.get("code") or "").strip() and not upper_name:
            continue  # a blank line
        target = parent
        if upper_name:
            target = by_name.get(upper_name)
            if target is None:
                errors.append({"row": number, "column": COLUMNS["parent_name"],
                               "message": f"上级名称「{upper_name}」在「{parent.name}」下不存在，也不在本文件前面的行中"})
                continue
        try:
            with transaction.atomic():
                region = region_create(actor=actor, parent=target, name=name, code=str(row.get("code") or ""),
                                       source=source or "Excel 导入")
        except ApplicationError as exc:
            errors.append({"row": number, "column": COLUMNS.get(exc.field or "name", "名称"), "message": exc.message})
            continue
        created.append(region)
        if target == parent:
            by_name[region.name] = region
    if errors:
        raise ImportErrors(errors)
    if not created:
        raise ImportErrors([{"row": "", "column": "", "message": "文件中没有可导入的数据行"}])
    audit.record(actor=actor, action="region.import", instance=parent, region_path=parent.path, source=source,
                 changes={"created": len(created)})
    return created


def regions_import_excel(*, actor, parent: Region, file, filename: str = "") -> list[Region]:
    from .excel import read_region_rows

    rows = read_region_rows(file)
    return regions_import_rows(actor=actor, parent=parent, rows=rows, source=f"Excel 导入 {filename}".strip())
