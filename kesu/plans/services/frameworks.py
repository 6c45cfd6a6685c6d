"""Localising a built-in framework for a region and editing the local copy's items."""

from django.db import transaction

from kesu.core import audit
from kesu.core.exceptions import ApplicationError
from kesu.orgs.models import UnitKind

from ..models import Framework, FrameworkItem, ItemKind, Task
from ._common import require_manage

ITEM_FIELDS = ["code", "name", "kind", "parent", "population", "default_leads", "local_lead_kinds", "sort"]


@transaction.atomic
def framework_localise(*, actor, framework: Framework, region) -> Framework:
    """Copy a built-in framework with all its items for ``region``; the copy can then be renamed, trimmed, extended."""
    require_manage(actor, region)
    if not framework.is_builtin:
        raise ApplicationError(f"“{framework.name}”已是本地化副本，只能对内置纲要进行本地化。", field="framework")
    if Framework.objects.filter(region=region, code=framework.code).exists():
        raise ApplicationError(f"“{region.name}”已有《{framework.name}》的本地化副本，不能重复创建。",
                               field="region")
    copy = Framework.objects.create(
        code=framework.code, name=framework.name, doc_no=framework.doc_no, issued_on=framework.issued_on,
        start_year=framework.start_year, end_year=framework.end_year, region=region, based_on=framework,
        details=framework.details,
    )
    copies = {}
    # Ordered so that a parent is copied before its children.
    items = sorted(framework.items.all(), key=lambda i: (i.parent_id is not None, i.sort, i.id))
    for item in items:
        copies[item.pk] = FrameworkItem.objects.create(
            framework=copy, parent=copies.get(item.parent_id), code=item.code, kind=item.kind, name=item.name,
            population=item.population, default_leads=item.default_leads, local_lead_kinds=item.local_lead_kinds,
            unverified=item.unverified, leads_unverified=item.leads_unverified, details=item.details, sort=item.sort,
        )
    audit.record(actor=actor, action="framework.localise", instance=copy, region_path=region.path,
                 changes={"based_on": [None, str(framework)], "items": [None, len(copies)]})
    return copy


def _require_editable(actor, framework: Framework) -> None:
    if framework.is_builtin:
        raise ApplicationError(f"内置纲要《{framework.name}》不能修改：请先“本地化”为本地副本，再修改副本。",
                               field="framework")
    require_manage(actor, framework.region)


def _check_item(framework: Framework, *, code, name, kind, parent, local_lead_kinds, item=None) -> None:
    label = f"条目“{code or name}”"
    if not code or not str(code).strip():
        raise ApplicationError(f"{label}的字段“编码”不能为空。", field="code")
    if not name or not str(name).strip():
        raise ApplicationError(f"{label}的字段“名称”不能为空。", field="name")
    if kind not in ItemKind.values:
        raise ApplicationError(f"{label}的字段“类别”取值“{kind}”无效。", field="kind")
    clash = framework.items.filter(code=code)
    if item is not None:
        clash = clash.exclude(pk=item.pk)
    if clash.exists():
        raise ApplicationError(f"{label}的字段“编码”与已有条目重复。", field="code")
    if parent is not None:
        if parent.framework_id != framework.pk:
            raise ApplicationError(f"{label}的字段“上级条目”不属于本纲要。", field="parent")
        node = parent
        while node is not None:
            if item is not None and node.pk == item.pk:
                raise ApplicationError(f"{label}的字段“上级条目”不能是它自己或它的下级。", field="parent")
            node = node.parent
    for unit_kind in local_lead_kinds:
        if unit_kind not in UnitKind.values:
            raise ApplicationError(f"{label}的字段“本级牵头部门类别”中的“{unit_kind}”无效。", field="local_lead_kinds")


@transaction.atomic
def framework_item_create(*, actor, framework: Framework, code: str, name: str, kind: str = ItemKind.SUBITEM,
                          parent: FrameworkItem | None = None, population: str = "", default_leads=(),
                          local_lead_kinds=(), sort: int | None = None) -> FrameworkItem:
    _require_editable(actor, framework)
    code, name = str(code).strip(), str(name).strip()
    _check_item(framework, code=code, name=name, kind=kind, parent=parent, local_lead_kinds=local_lead_kinds)
    if sort is None:
        last = framework.items.order_by("-sort").first()
        sort = (last.sort if last else 0) + 10
    item = FrameworkItem.objects.create(
        framework=framework, code=code, name=name, kind=kind, parent=parent, population=population,
        default_leads=list(default_leads), local_lead_kinds=list(local_lead_kinds), sort=sort,
        details={"added_locally": True},
    )
    audit.record(actor=actor, action="framework_item.create", instance=item, region_path=framework.region.path,
                 changes=audit.model_changes(item, None, ITEM_FIELDS))
    return item


@transaction.atomic
def framework_item_update(*, actor, item: FrameworkItem, **fields) -> FrameworkItem:
    """Change an item of a local copy: rename it, move it, change its leads. Unknown field names are refused."""
    framework = item.framework
    _require_editable(actor, framework)
    unknown = set(fields) - set(ITEM_FIELDS)
    if unknown:
        raise ApplicationError(f"条目“{item.code}”没有字段“{sorted(unknown)[0]}”。", field=sorted(unknown)[0])
    old = {name: getattr(item, name) for name in ITEM_FIELDS}
    merged = {**old, **fields}
    merged["code"], merged["name"] = str(merged["code"]).strip(), str(merged["name"]).strip()
    _check_item(framework, code=merged["code"], name=merged["name"], kind=merged["kind"], parent=merged["parent"],
                local_lead_kinds=merged["local_lead_kinds"], item=item)
    for name, value in merged.items():
        setattr(item, name, value)
    item.save()
    audit.record(actor=actor, action="framework_item.update", instance=item, region_path=framework.region.path,
                 changes=audit.model_changes(item, old, ITEM_FIELDS))
    return item


@transaction.atomic
def framework_item_delete(*, actor, item: FrameworkItem) -> None:
    """Drop an item (and its sub-items) from a local copy, unless a plan's task is filed under it."""
    framework = item.framework
    _require_editable(actor, framework)
    ids = _subtree_ids(item)
    used = Task.objects.filter(item_id__in=ids).count()
    if used:
        raise ApplicationError(f"条目“{item.code} {item.name}”（或其下级条目）下已有{used}项任务，不能删除；"
                               f"请先把这些任务改挂到其他条目。", field="item")
    audit.record(actor=actor, action="framework_item.delete", instance=item, region_path=framework.region.path,
                 changes={"name": [item.name, None]})
    item.delete()


def _subtree_ids(item: FrameworkItem) -> list[int]:
    ids, frontier = [item.pk], [item.pk]
    while frontier:
        frontier = list(FrameworkItem.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        ids.extend(frontier)
    return ids
