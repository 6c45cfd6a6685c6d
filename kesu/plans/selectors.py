"""Reads of the plans app. Every selector takes the user's ``Scope`` explicitly.

Visibility: a region's plans, local indicators and local frameworks are seen by the offices of that region and
above (its subtree's owners) and by the regions below it (read-only), so a township office reads the county plan.
A 填报员 sees the plans of its unit's region.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from kesu.accounts.scope import Scope
from kesu.regions.models import Region

from .models import (
    Category,
    Framework,
    FrameworkItem,
    Indicator,
    Meeting,
    Plan,
    PlanKind,
    PolicyDocument,
    RegionAggregation,
    Target,
    Task,
    TaskRole,
    TaskUnit,
)

# -- plans ---------------------------------------------------------------------------------------------------------

def plans_for_scope(scope: Scope) -> QuerySet[Plan]:
    plans = Plan.objects.select_related("region", "framework", "parent", "document")
    if scope.is_admin:
        return plans
    if scope.is_filler:
        return plans.filter(region_id=scope.region_id)
    return plans.filter(scope.region_or_ancestor_q("region__"))


def plan_detail(scope: Scope, pk) -> Plan:
    """The plan with this pk if the scope sees it; 404 otherwise."""
    return get_object_or_404(plans_for_scope(scope), pk=pk)


def plan_groups(plans) -> list[dict]:
    """Implementation plans with their annual 工作要点 nested under them (annual plans without a parent stand alone)."""
    plans = list(plans)
    children = defaultdict(list)
    for plan in plans:
        if plan.kind == PlanKind.ANNUAL and plan.parent_id:
            children[plan.parent_id].append(plan)
    ids = {p.pk for p in plans}
    groups = []
    for plan in plans:
        if plan.kind == PlanKind.ANNUAL and plan.parent_id in ids:
            continue
        groups.append({"plan": plan, "annual": sorted(children.get(plan.pk, []), key=lambda p: p.start_year)})
    return groups


def covering_year(year: int, prefix: str = "") -> Q:
    """Plans in force in ``year``: the one period rule of every list of tasks (home, activity form, narratives)."""
    return Q(**{f"{prefix}start_year__lte": year, f"{prefix}end_year__gte": year})


def unit_tasks(unit_id: int, region_id: int, year: int) -> QuerySet[Task]:
    """The tasks a unit leads or shares, or its region's 各成员单位 tasks, in the plans in force in ``year``."""
    return (Task.objects.filter(covering_year(year, "plan__"))
            .filter(Q(task_units__unit_id=unit_id) | Q(all_members_responsible=True, plan__region_id=region_id))
            .distinct())


def filler_tasks(scope: Scope, year: int) -> QuerySet[Task]:
    """A filler's tasks in ``year`` for its home page, in plan order, each with ``is_lead`` (its unit leads it)."""
    return (unit_tasks(scope.unit_id, scope.region_id, year).select_related("plan", "item")
            .annotate(is_lead=Count("task_units", filter=Q(task_units__unit_id=scope.unit_id,
                                                           task_units__role=TaskRole.LEAD), distinct=True))
            .order_by("plan__start_year", "sort", "id"))


def plans_in_force(scope: Scope, year: int) -> QuerySet[Plan]:
    """The scope's plans in force in ``year`` (its own region's first), with their task counts."""
    return (plans_for_scope(scope).filter(covering_year(year)).annotate(task_count=Count("tasks"))
            .order_by("region__path", "kind", "-start_year"))


def carry_over_sources(plan: Plan) -> QuerySet[Plan]:
    """The plans of the same region and framework whose tasks ``plan`` may take over, the latest-ending first."""
    return (Plan.objects.filter(region_id=plan.region_id, framework_id=plan.framework_id).exclude(pk=plan.pk)
            .select_related("region", "framework").order_by("-end_year", "kind", "-start_year"))


def tasks_for_plan(scope: Scope, plan: Plan, unit=None, item=None, role=None) -> QuerySet[Task]:
    """The plan's tasks, optionally only those of ``unit`` (in ``role``) or filed under ``item`` (or its sub-items).

    Lead and responsible units, the framework item and the indicators come prefetched, so a table of tasks costs a
    fixed number of queries.
    """
    tasks = plan.tasks.select_related("item", "item__parent").prefetch_related(
        Prefetch("task_units", queryset=TaskUnit.objects.select_related("unit").order_by("role", "sort")),
        Prefetch("indicators", queryset=Indicator.objects.order_by("sort", "code")),
    )
    if item is not None:
        tasks = tasks.filter(Q(item=item) | Q(item__parent=item) | Q(item__parent__parent=item))
    if unit is not None:
        own = Q(task_units__unit=unit) if role is None else Q(task_units__unit=unit, task_units__role=role)
        if role in (None, TaskRole.RESPONSIBLE) and unit.region_id == plan.region_id:
            # 各成员单位: every member unit is responsible, except the task's own lead units.
            members = Q(all_members_responsible=True)
            if role == TaskRole.RESPONSIBLE:
                members &= ~Q(pk__in=TaskUnit.objects.filter(unit=unit, role=TaskRole.LEAD).values("task_id"))
            own |= members
        tasks = tasks.filter(own).distinct()
    elif role is not None:
        tasks = tasks.filter(task_units__role=role).distinct()
    return tasks.order_by("sort", "id")


def task_groups(plan: Plan, tasks) -> list[dict]:
    """Tasks grouped by top-level framework item (提升行动/重点工程), in framework order; unfiled tasks last."""
    top_items = {i.pk: i for i in plan.framework.items.filter(parent__isnull=True)}
    groups = {pk: {"item": item, "tasks": []} for pk, item in sorted(top_items.items(), key=lambda kv: kv[1].sort)}
    loose = {"item": None, "tasks": []}
    for task in tasks:
        top = task.item
        while top is not None and top.parent_id is not None:
            top = top.parent
        (groups[top.pk] if top is not None and top.pk in groups else loose)["tasks"].append(task)
    result = [g for g in groups.values() if g["tasks"]]
    if loose["tasks"]:
        result.append(loose)
    return result


def task_for_scope(scope: Scope, pk) -> Task:
    plans = plans_for_scope(scope)
    return get_object_or_404(Task.objects.select_related("plan", "plan__region", "item").filter(plan__in=plans), pk=pk)


def plan_units(plan: Plan):
    """Units that may take part in the plan's tasks: the member units of the plan's region."""
    from kesu.orgs.models import Unit

    return Unit.objects.filter(region_id=plan.region_id).order_by("sort", "id")


def plan_indicators(plan: Plan) -> QuerySet[Indicator]:
    """Indicators usable in the plan's region: built-ins and local indicators of the region or its ancestors."""
    return Indicator.objects.filter(
        Q(region__isnull=True) | Q(region__path__in=[*plan.region.ancestor_paths, plan.region.path])
    ).order_by("sort", "code")


def tracked_indicators(plan: Plan) -> QuerySet[Indicator]:
    """Indicators the plan tracks: those linked to at least one of its tasks."""
    return Indicator.objects.filter(tasks__plan=plan).distinct().order_by("sort", "code")


# -- targets -------------------------------------------------------------------------------------------------------

def targets_for_plan(plan: Plan) -> QuerySet[Target]:
    return plan.targets.select_related("indicator", "region").order_by("indicator__sort", "region__path", "year")


def target_matrix(plan: Plan) -> list[dict]:
    """Rows of tracked indicators × columns of plan years, for the plan's own region."""
    values = {(t.indicator_id, t.year): t for t in plan.targets.filter(region=plan.region)}
    rows = []
    for indicator in tracked_indicators(plan):
        rows.append({"indicator": indicator,
                     "cells": [{"year": y, "target": values.get((indicator.pk, y))} for y in plan.years]})
    return rows


@dataclass
class ConsistencyRow:
    region: Region
    target: Decimal
    children_sum: Decimal
    difference: Decimal  # children_sum − target
    children_with_target: list = field(default_factory=list)
    children_missing: list = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.difference == 0 and not self.children_missing


@dataclass
class ConsistencyResult:
    indicator: Indicator
    year: int
    applicable: bool
    reason: str = ""
    rows: list = field(default_factory=list)

    @property
    def mismatches(self) -> list:
        return [row for row in self.rows if not row.ok]


def target_consistency(plan: Plan, indicator: Indicator, year: int) -> ConsistencyResult:
    """Compare each region's target with the sum of its direct children's targets (sum indicators only).

    A region appears when it has a target and at least one child region exists; children without a target are
    listed as missing, so a county whose townships were only partly given targets shows up too.
    """
    if indicator.region_aggregation != RegionAggregation.SUM:
        return ConsistencyResult(indicator, year, applicable=False,
                                 reason=f"指标“{indicator.name}”的跨区域汇总方式为"
                                        f"“{indicator.get_region_aggregation_display()}”，下级目标不能简单相加核对。")
    targets = {t.region_id: t for t in plan.targets.filter(indicator=indicator, year=year).select_related("region")}
    result = ConsistencyResult(indicator, year, applicable=True)
    parents = sorted((t.region for t in targets.values()), key=lambda r: r.path)
    children_by_parent = defaultdict(list)
    for child in Region.objects.filter(parent__in=parents).order_by("sort", "code"):
        children_by_parent[child.parent_id].append(child)
    for parent in parents:
        children = children_by_parent.get(parent.pk)
        if not children:
            continue
        with_target = [(c, targets[c.pk].value) for c in children if c.pk in targets]
        missing = [c for c in children if c.pk not in targets]
        total = sum((v for _, v in with_target), Decimal(0))
        result.rows.append(ConsistencyRow(region=parent, target=targets[parent.pk].value, children_sum=total,
                                          difference=total - targets[parent.pk].value,
                                          children_with_target=with_target, children_missing=missing))
    return result


# -- catalogue and frameworks --------------------------------------------------------------------------------------

def indicators_for_scope(scope: Scope, category=None, q=None) -> list[Indicator]:
    """Built-in indicators plus local ones visible to the scope, optionally of one category or matching ``q``.

    ``q`` matches the code, the name or any alias; aliases live in a JSON list, so that part is matched in Python
    (the catalogue has a few hundred rows at most) to behave the same on SQLite and PostgreSQL.
    """
    indicators = (Indicator.objects.select_related("region")
                  .filter(Q(region__isnull=True) | scope.region_or_ancestor_q("region__")))
    if category:
        indicators = indicators.filter(category=category)
    indicators = list(indicators.order_by("sort", "code"))
    if q:
        needle = q.strip().lower()
        indicators = [i for i in indicators if needle in i.code.lower() or needle in i.name.lower()
                      or any(needle in alias.lower() for alias in i.aliases)]
    return indicators


def indicator_catalogue(scope: Scope, category=None, q=None) -> list[dict]:
    """The catalogue grouped by category (in the category order), each indicator with its formula text."""
    indicators = indicators_for_scope(scope, category=category, q=q)
    names = dict(Indicator.objects.values_list("code", "name"))
    by_category = defaultdict(list)
    for indicator in indicators:
        indicator.formula = ratio_formula(indicator, names) if indicator.is_ratio else ""
        by_category[indicator.category].append(indicator)
    return [{"category": value, "label": label, "indicators": by_category[value]}
            for value, label in Category.choices if by_category.get(value)]


def ratio_formula(indicator: Indicator, names: dict) -> str:
    """E.g. （科普专职人员 + 科普兼职人员）÷ 常住人口 × 1."""
    def side(codes):
        text = " + ".join(names.get(c, c) for c in codes)
        return f"（{text}）" if len(codes) > 1 else text
    factor = indicator.factor.normalize()
    return f"{side(indicator.numerator)} ÷ {side(indicator.denominator)} × {factor:f}"


def frameworks_for_scope(scope: Scope) -> QuerySet[Framework]:
    return (Framework.objects.select_related("region", "based_on")
            .filter(Q(region__isnull=True) | scope.region_or_ancestor_q("region__"))
            .order_by("-start_year", "region__path", "code"))


def framework_detail(scope: Scope, pk) -> Framework:
    return get_object_or_404(frameworks_for_scope(scope), pk=pk)


def framework_tree(framework: Framework) -> list[dict]:
    """Items as a nested list [{item, children: [...]}], in framework order, from one query."""
    items = list(framework.items.order_by("sort", "id"))
    children = defaultdict(list)
    for item in items:
        children[item.parent_id].append(item)

    def build(parent_id):
        return [{"item": item, "children": build(item.pk)} for item in children.get(parent_id, [])]
    return build(None)


def framework_items_for_plan(plan: Plan) -> QuerySet[FrameworkItem]:
    return plan.framework.items.select_related("parent").order_by("sort", "id")


# -- documents and meetings ----------------------------------------------------------------------------------------

def documents_for_scope(scope: Scope) -> QuerySet[PolicyDocument]:
    return (PolicyDocument.objects.select_related("region").prefetch_related("tasks")
            .filter(scope.region_or_ancestor_q("region__")))


def meetings_for_scope(scope: Scope) -> QuerySet[Meeting]:
    return (Meeting.objects.select_related("region").prefetch_related("tasks")
            .filter(scope.region_or_ancestor_q("region__")))


def managed_regions(scope: Scope) -> QuerySet[Region]:
    """Regions where the scope may create plans, indicators, documents: its own region and those that have plans
    in its subtree (an admin: every region that has plans, plus the top level)."""
    if not scope.can_manage:
        return Region.objects.none()
    if scope.is_admin:
        return Region.objects.filter(Q(plans__isnull=False) | Q(level__lte=3)).distinct().order_by("path")
    return (Region.objects.filter(Q(pk=scope.region_id) | scope.region_q() & Q(plans__isnull=False))
            .distinct().order_by("path"))
