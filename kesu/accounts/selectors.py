"""Reads behind the home page of each role and the office's account pages."""

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404

from kesu.orgs.models import Unit
from kesu.plans.models import Plan, Task, TaskRole
from kesu.regions.models import Region

from .models import Role, User
from .scope import Scope


def home_summary(scope: Scope) -> dict:
    """Headline counts and the plans in the user's scope; for a filler, the tasks its unit leads or shares."""
    if scope.is_filler:
        tasks = (
            Task.objects.filter(task_units__unit_id=scope.unit_id)
            .select_related("plan", "item")
            .annotate(is_lead=Count("task_units", filter=Q(task_units__unit_id=scope.unit_id,
                                                           task_units__role=TaskRole.LEAD)))
            .order_by("plan__start_year", "sort", "id")
        )
        shared = Task.objects.filter(plan__region_id=scope.region_id, all_members_responsible=True).exclude(
            task_units__unit_id=scope.unit_id).select_related("plan", "item")
        return {"tasks": list(tasks), "shared_tasks": list(shared)}
    regions = Region.objects.filter(scope.region_q())
    plans = Plan.objects.filter(region__in=regions).select_related("region").annotate(task_count=Count("tasks"))
    return {
        "region_count": regions.count(),
        "unit_count": Unit.objects.filter(scope.unit_q(), valid_to__isnull=True).count(),
        "plans": list(plans.order_by("region__path", "-start_year")[:12]),
        "task_count": Task.objects.filter(plan__region__in=regions).count(),
    }


def users_for(scope: Scope, *, region=None, search: str = ""):
    """The accounts an office manages: 办公室/查看 of its subtree and 填报员 of the units there (not administrators).

    ``region`` narrows to one region's own accounts and its units' fillers.
    """
    users = User.objects.select_related("region", "unit", "unit__region")
    if not scope.is_admin:
        users = users.filter(is_superuser=False).exclude(role=Role.ADMIN).filter(
            Q(unit__isnull=True, region__path__startswith=scope.region_path)
            | Q(unit__region__path__startswith=scope.region_path))
    if region is not None:
        users = users.filter(Q(unit__isnull=True, region=region) | Q(unit__region=region))
    if search:
        users = users.filter(Q(username__icontains=search) | Q(full_name__icontains=search)
                             | Q(unit__name__icontains=search))
    return users.order_by("region__path", "unit__name", "role", "username")


def user_for_scope(scope: Scope, pk: int):
    """One account the scope manages; 404 for anything else (its existence is not revealed)."""
    if not scope.can_manage:
        raise PermissionDenied("只有办公室和系统管理员可以管理账号")
    user = users_for(scope).filter(pk=pk).first()
    if user is None:
        raise Http404("没有该账号，或不在本级及下级区域内")
    return user


def account_choices(scope: Scope) -> dict:
    """Regions and active member units an office may give accounts for, in tree order (the form's lists)."""
    regions = Region.objects.filter(scope.region_q()).order_by("path")
    units = Unit.objects.filter(scope.unit_q(), valid_to__isnull=True).select_related("region").order_by(
        "region__path", "name")
    return {"regions": regions, "units": units}
