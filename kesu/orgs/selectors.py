"""Reads of member units and coordination bodies, always through the user's scope."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from kesu.core.configuration import held

from .models import BodyPost, ContactPerson, CoordinationBody, PostKind, Unit

# The order a 领导小组 lists its people in (组长 first, 联络员 last).
POST_ORDER = [PostKind.LEADER, PostKind.DEPUTY, PostKind.MEMBER, PostKind.OFFICE_DIRECTOR, PostKind.OFFICE_DEPUTY,
              PostKind.LIAISON]


def _liaisons() -> Prefetch:
    return Prefetch("contacts", queryset=ContactPerson.objects.filter(is_liaison=True), to_attr="liaisons")


def unit_held(pk: int) -> Unit | None:
    """A unit with its region, or None: configuration, kept per version inside a configuration block
    (kesu/core/configuration.py) — a user's own unit and a return's reporter are read on every cell save."""
    return held(("unit", pk), lambda: Unit.objects.select_related("region").filter(pk=pk).first())


def units_for_scope(scope, region=None, active_only: bool | None = True, kind: str | None = None) -> QuerySet:
    """Units the scope sees; ``active_only`` True = current units, False = ended units, None = all."""
    rows = Unit.objects.filter(scope.unit_q()).select_related("region", "successor")
    if region is not None:
        rows = rows.filter(region=region)
    if active_only is True:
        rows = rows.filter(valid_to__isnull=True)
    elif active_only is False:
        rows = rows.filter(valid_to__isnull=False)
    if kind:
        rows = rows.filter(kind=kind)
    return rows.prefetch_related(_liaisons()).order_by("region__path", "sort", "id")


def unit_detail(scope, pk) -> Unit:
    """The unit with its contacts, successor and predecessors; 404 when outside the scope."""
    unit = (Unit.objects.filter(scope.unit_q()).filter(pk=pk)
            .select_related("region", "successor")
            .prefetch_related("contacts", "predecessors")
            .first())
    if unit is None:
        raise Http404("成员单位不存在或不在您的管辖范围内")
    return unit


def body_for_region(scope, region) -> CoordinationBody | None:
    """The region's coordination body with office unit, posts (with their units) and members in one go."""
    if not (scope.is_admin or scope.sees_region(region)):
        raise Http404("区域不在您的管辖范围内")
    return (CoordinationBody.objects.filter(region=region)
            .select_related("region", "office_unit")
            .prefetch_related(Prefetch("posts", queryset=BodyPost.objects.select_related("unit")),
                              Prefetch("members", queryset=Unit.objects.order_by("sort", "id")))
            .first())


def posts_grouped(body: CoordinationBody) -> list[tuple[str, list[BodyPost]]]:
    """[(组长, [posts]), (副组长, [...]), ...] in the usual order, only posts that exist; no query beyond the prefetch."""
    groups = {kind: [] for kind in POST_ORDER}
    for post in body.posts.all():
        groups.setdefault(post.post, []).append(post)
    return [(PostKind(kind).label, posts) for kind, posts in groups.items() if posts]
