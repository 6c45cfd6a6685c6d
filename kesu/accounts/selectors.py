"""Reads behind the home page of each role."""

from django.db.models import Count, Q

from kesu.orgs.models import Unit
from kesu.plans.models import Plan, Task, TaskRole
from kesu.regions.models import Region

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
