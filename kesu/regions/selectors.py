"""Reads of the region tree. Every one is a single query on the indexed ``path`` (prefix LIKE) or on the primary
key, so no Python recursion over queries."""

from __future__ import annotations

from django.db.models import Count, QuerySet
from django.http import Http404

from kesu.core.configuration import held

from .models import Region


def region_held(pk: int) -> Region | None:
    """A region, or None: configuration, kept per version inside a configuration block (kesu/core/configuration.py)."""
    return held(("region", pk), lambda: Region.objects.filter(pk=pk).first())


def region_subtree(region: Region, *, include_self: bool = True) -> QuerySet:
    rows = Region.objects.filter(path__startswith=region.path)
    return rows if include_self else rows.exclude(pk=region.pk)


def region_ancestors(region: Region, *, include_self: bool = False) -> QuerySet:
    """From the root down to the parent (or to ``region`` itself with ``include_self``)."""
    paths = region.ancestor_paths + ([region.path] if include_self else [])
    return Region.objects.filter(path__in=paths).order_by("depth")


def with_counts(rows: QuerySet) -> QuerySet:
    """Annotate the number of children and of member units (for tree rows and tables)."""
    return rows.annotate(child_count=Count("children", distinct=True), unit_count=Count("units", distinct=True))


def region_children(region: Region) -> QuerySet:
    return with_counts(Region.objects.filter(parent=region)).order_by("sort", "code")


def regions_visible(scope) -> QuerySet:
    return Region.objects.filter(scope.region_q())


def scope_root(scope) -> Region | None:
    """The region at the top of the user's view: their own region, or None for an administrator (whole country)."""
    if scope.region_id is None:
        return None
    return Region.objects.get(pk=scope.region_id)


def region_for_scope(scope, pk) -> Region:
    """The region ``pk`` if the scope sees it, else 404 (not 403, so nothing outside the scope is revealed)."""
    region = regions_visible(scope).filter(pk=pk).select_related("parent").first()
    if region is None:
        raise Http404("区域不存在或不在您的管辖范围内")
    return region


def region_tree(scope, root: Region | None, depth: int = 1) -> list[dict]:
    """The visible nodes below ``root`` (None = the top level) down to ``depth`` levels, nested:
    ``[{"region": r, "children": [...]}, ...]``; one query."""
    if root is None:
        rows = Region.objects.filter(depth__lt=depth)
    else:
        rows = Region.objects.filter(path__startswith=root.path, depth__gt=root.depth,
                                     depth__lte=root.depth + depth)
    rows = with_counts(rows.filter(scope.region_q())).order_by("depth", "sort", "code")
    nodes: dict[int, dict] = {}
    top: list[dict] = []
    for region in rows:
        node = {"region": region, "children": []}
        nodes[region.pk] = node
        parent = nodes.get(region.parent_id)
        (parent["children"] if parent is not None else top).append(node)
    return top
