"""Reads behind the home page of each role, assembled from each app's selectors."""

from datetime import date

from django.db.models import Count, Q

from kesu.analytics.selectors.dashboard import home_figures
from kesu.orgs.selectors import units_for_scope
from kesu.plans.models import TaskRole
from kesu.plans.selectors import plans_for_scope, plans_in_force, unit_tasks
from kesu.regions.selectors import regions_visible

from .scope import Scope


def home_summary(scope: Scope, *, today: date) -> dict:
    """A filler: the tasks its unit leads or shares this year. Everyone else: the key figures of the last complete
    year of their region, with this year's progress beside them, and the plans in force."""
    year = today.year
    if scope.is_filler:
        tasks = (unit_tasks(scope.unit_id, scope.region_id, year).select_related("plan", "item")
                 .annotate(is_lead=Count("task_units", filter=Q(task_units__unit_id=scope.unit_id,
                                                                task_units__role=TaskRole.LEAD), distinct=True))
                 .order_by("plan__start_year", "sort", "id"))
        return {"tasks": list(tasks), "year": year}
    return {
        "figures": home_figures(scope, today=today),
        "region_count": regions_visible(scope).count(),
        "unit_count": units_for_scope(scope).count(),
        "plans_now": list(plans_in_force(scope, year)[:8]),
        "plan_count": plans_for_scope(scope).count(),
        "year": year,
    }
