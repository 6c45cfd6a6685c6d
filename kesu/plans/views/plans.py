"""Plan list and detail, task forms, targets and the target consistency check."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe

from kesu.core.exceptions import ApplicationError
from kesu.core.forms import add_service_error
from kesu.core.htmx import is_htmx_partial

from .. import selectors, services
from ..forms import ConsistencyForm, PlanForm, TargetForm, TaskForm
from ..models import FrameworkItem, TaskRole
from ._helpers import require_manager, scope_of


@require_safe
def plan_list(request):
    scope = scope_of(request)
    plans = selectors.plans_for_scope(scope).order_by("region__path", "-start_year", "kind")
    return render(request, "plans/plan_list.html", {
        "groups": selectors.plan_groups(plans), "can_manage": scope.can_manage,
    })


@require_http_methods(["GET", "POST"])
def plan_create(request):
    scope = scope_of(request)
    require_manager(scope)
    form = PlanForm(request.POST or None, scope=scope)
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.plan_create(actor=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"已创建规划方案“{plan.title}”。")
            return redirect("plans:plan_detail", pk=plan.pk)
    return render(request, "plans/form.html", {
        "title": "新建规划方案", "form": form, "cancel_url": reverse("plans:plan_list"),
    })


def _task_filters(request, plan):
    """Read the unit / item / role filters from GET; unknown values are ignored rather than failing."""
    units = selectors.plan_units(plan)
    items = plan.framework.items.filter(parent__isnull=True).order_by("sort")
    unit = units.filter(pk=request.GET.get("unit")).first() if request.GET.get("unit", "").isdigit() else None
    item = (FrameworkItem.objects.filter(framework=plan.framework, pk=request.GET.get("item")).first()
            if request.GET.get("item", "").isdigit() else None)
    role = request.GET.get("role") if request.GET.get("role") in TaskRole.values else None
    return {"units": units, "items": items, "roles": TaskRole.choices,
            "unit": unit, "item": item, "role": role}


@require_safe
def plan_detail(request, pk):
    scope = scope_of(request)
    plan = selectors.plan_detail(scope, pk)
    filters = _task_filters(request, plan)
    tasks = selectors.tasks_for_plan(scope, plan, unit=filters["unit"], item=filters["item"], role=filters["role"])
    context = {
        "plan": plan, "filters": filters, "groups": selectors.task_groups(plan, tasks), "task_count": len(tasks),
        "can_manage": scope.manages_region(plan.region),
        "annual_plans": plan.annual_plans.order_by("start_year") if plan.kind == "implementation" else [],
    }
    if is_htmx_partial(request):
        return render(request, "plans/partials/task_table.html", context)
    return render(request, "plans/plan_detail.html", context)


@require_http_methods(["GET", "POST"])
def task_create(request, pk):
    scope = scope_of(request)
    plan = selectors.plan_detail(scope, pk)
    require_manager(scope, plan.region)
    form = TaskForm(request.POST or None, plan=plan, initial={"item": request.GET.get("item")})
    if request.method == "POST" and form.is_valid():
        try:
            task = services.task_create(actor=request.user, plan=plan, **form.cleaned_data)
        except ApplicationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"已添加任务“{task.title}”。")
            return redirect("plans:plan_detail", pk=plan.pk)
    return render(request, "plans/form.html", {
        "title": "添加任务", "subtitle": plan.title, "form": form,
        "cancel_url": reverse("plans:plan_detail", args=[plan.pk]),
    })


def _task_initial(task) -> dict:
    units = list(task.task_units.all())
    return {
        "number": task.number, "title": task.title, "item": task.item_id, "description": task.description,
        "due_period": task.due_period, "all_members_responsible": task.all_members_responsible,
        "lead_units": [tu.unit_id for tu in units if tu.role == TaskRole.LEAD],
        "responsible_units": [tu.unit_id for tu in units if tu.role == TaskRole.RESPONSIBLE],
        "indicators": list(task.indicators.values_list("pk", flat=True)),
    }


@require_http_methods(["GET", "POST"])
def task_edit(request, pk):
    scope = scope_of(request)
    task = selectors.task_for_scope(scope, pk)
    plan = task.plan
    require_manager(scope, plan.region)
    form = TaskForm(request.POST or None, plan=plan, initial=_task_initial(task))
    if request.method == "POST" and form.is_valid():
        try:
            services.task_update(actor=request.user, task=task, **form.cleaned_data)
        except ApplicationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"已保存任务“{task.title}”。")
            return redirect("plans:plan_detail", pk=plan.pk)
    return render(request, "plans/form.html", {
        "title": "修改任务", "subtitle": plan.title, "form": form,
        "cancel_url": reverse("plans:plan_detail", args=[plan.pk]),
        "delete_url": reverse("plans:task_delete", args=[task.pk]),
    })


@require_http_methods(["GET", "POST"])
def task_delete(request, pk):
    scope = scope_of(request)
    task = selectors.task_for_scope(scope, pk)
    plan = task.plan
    require_manager(scope, plan.region)
    error = None
    if request.method == "POST":
        try:
            services.task_delete(actor=request.user, task=task)
        except ApplicationError as exc:
            error = exc.message
        else:
            messages.success(request, f"已删除任务“{task.title}”。")
            return redirect("plans:plan_detail", pk=plan.pk)
    return render(request, "plans/task_confirm_delete.html", {"task": task, "plan": plan, "error": error})


@require_http_methods(["GET", "POST"])
def target_list(request, pk):
    scope = scope_of(request)
    plan = selectors.plan_detail(scope, pk)
    can_manage = scope.manages_region(plan.region)
    form = None
    if can_manage:
        form = TargetForm(request.POST or None, plan=plan, initial={"region": plan.region_id})
    elif request.method == "POST":
        require_manager(scope, plan.region)
    if request.method == "POST" and form.is_valid():
        try:
            target = services.target_set(actor=request.user, plan=plan, **form.cleaned_data)
        except ApplicationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"已设定{target.region.name}{target.year}年“{target.indicator.name}”目标值"
                                      f"{target.value.normalize():f}。")
            return redirect("plans:target_list", pk=plan.pk)
    return render(request, "plans/target_list.html", {
        "plan": plan, "form": form, "can_manage": can_manage, "years": list(plan.years),
        "matrix": selectors.target_matrix(plan),
        "sub_targets": selectors.targets_for_plan(plan).exclude(region=plan.region),
    })


@require_safe
def target_consistency(request, pk):
    scope = scope_of(request)
    plan = selectors.plan_detail(scope, pk)
    form = ConsistencyForm(request.GET or None, plan=plan)
    result = None
    if form.is_bound and form.is_valid():
        result = selectors.target_consistency(plan, form.cleaned_data["indicator"], form.cleaned_data["year"])
    return render(request, "plans/target_consistency.html", {"plan": plan, "form": form, "result": result})


@require_http_methods(["GET", "POST"])
def plan_carry_over(request, pk):
    """Carry another plan's tasks into this one in one step (e.g. the 2021—2025 plan's into the 2026 工作要点)."""
    scope = scope_of(request)
    plan = selectors.plan_detail(scope, pk)
    require_manager(scope, plan.region)
    sources = list(selectors.carry_over_sources(plan))
    chosen = request.POST.get("source") or request.GET.get("source") or ""
    source = next((p for p in sources if str(p.pk) == chosen), sources[0] if sources else None)
    if request.method == "POST" and source is not None:
        ids = [int(i) for i in request.POST.getlist("tasks") if i.isdigit()]
        if not ids:
            messages.error(request, "请至少勾选一项要结转的任务。")
        else:
            try:
                result = services.plan_tasks_carry_over(actor=request.user, source=source, target=plan, task_ids=ids)
            except ApplicationError as exc:
                messages.error(request, exc.message)
            else:
                skipped = "；".join(f"“{t.title}”（{why}）" for t, why in result.skipped[:5])
                messages.success(request, f"已从“{source.title}”结转 {len(result.created)} 项任务。"
                                 + (f"未结转 {len(result.skipped)} 项：{skipped}。" if result.skipped else ""))
                return redirect("plans:plan_detail", pk=plan.pk)
    tasks = list(selectors.tasks_for_plan(scope, source)) if source else []
    present = set(plan.tasks.values_list("title", flat=True))
    return render(request, "plans/carry_over.html", {
        "plan": plan, "sources": sources, "source": source,
        "tasks": [(t, t.title in present,
                   "、".join(tu.unit.name for tu in t.task_units.all() if tu.role == TaskRole.LEAD)) for t in tasks],
    })
