"""Reads behind the home page of each role (assembled from each app's selectors) and the office's account pages."""

from datetime import date

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from kesu.analytics.selectors.dashboard import home_figures
from kesu.core import pagememo
from kesu.orgs.selectors import units_for_scope
from kesu.plans.selectors import filler_tasks, plans_for_scope, plans_in_force
from kesu.regions.selectors import regions_visible

from .models import ApiToken, Role, User
from .scope import Scope


def home_summary(scope: Scope, *, today: date) -> dict:
    """What the landing page shows (below). Every user opens it first and most often, so it is kept in the process
    while nothing it shows changes (``kesu.core.pagememo``: figures entered into open returns do not count): one
    query instead of a dozen."""
    return pagememo.remembered(("home", scope, today), lambda: _home_summary(scope, today=today))


def _home_summary(scope: Scope, *, today: date) -> dict:
    """A filler: the tasks its unit leads or shares this year. Everyone else: the key figures of the last complete
    year of their region, with this year's progress beside them, and the plans in force."""
    year = today.year
    if scope.is_filler:
        return {"tasks": list(filler_tasks(scope, year)), "year": year}
    return {
        "figures": home_figures(scope, today=today),
        "region_count": regions_visible(scope).count(),
        "unit_count": units_for_scope(scope).count(),
        "plans_now": list(plans_in_force(scope, year)[:8]),
        "plan_count": plans_for_scope(scope).count(),
        "year": year,
    }


def users_for(scope: Scope, *, region=None, search: str = ""):
    """The accounts an office manages: 办公室/查看 of its subtree and 填报员 of the units there (not administrators).

    ``region`` narrows to one region's own accounts and its units' fillers.
    """
    users = User.objects.select_related("region", "unit", "unit__region")
    if not scope.is_admin:
        users = users.filter(is_superuser=False).exclude(role=Role.ADMIN).filter(
            Q(unit__isnull=True) & scope.region_q("region__") | scope.unit_q("unit__"))
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


def api_tokens_of(scope: Scope, account: User):
    """The personal access tokens of an account the scope manages (``user_for_scope`` checked it), newest first."""
    if not scope.can_manage:
        raise PermissionDenied("只有办公室和系统管理员可以管理账号")
    return ApiToken.objects.filter(user=account).select_related("user").order_by("-created_at", "-id")


def account_choices(scope: Scope) -> dict:
    """Regions and active member units an office may give accounts for, in tree order (the form's lists)."""
    return {"regions": regions_visible(scope).order_by("path"), "units": units_for_scope(scope)}
