"""The indicator catalogue and the frameworks (纲要), with localisation."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe

from kesu.core.exceptions import ApplicationError
from kesu.core.forms import add_service_error
from kesu.core.htmx import is_htmx_partial

from .. import selectors, services
from ..forms import IndicatorForm, LocaliseForm
from ..models import Category
from ._helpers import require_manager, scope_of


@require_safe
def indicator_list(request):
    scope = scope_of(request)
    category = request.GET.get("category") if request.GET.get("category") in Category.values else None
    q = request.GET.get("q", "").strip()[:50]
    groups = selectors.indicator_catalogue(scope, category=category, q=q or None)
    context = {"groups": groups, "categories": Category.choices, "category": category, "q": q,
               "count": sum(len(g["indicators"]) for g in groups), "can_manage": scope.can_manage}
    if is_htmx_partial(request):
        return render(request, "plans/partials/indicator_table.html", context)
    return render(request, "plans/indicator_list.html", context)


@require_http_methods(["GET", "POST"])
def indicator_create(request):
    scope = scope_of(request)
    require_manager(scope)
    form = IndicatorForm(request.POST or None, scope=scope)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        if data.get("factor") is None:
            data["factor"] = 1
        try:
            indicator = services.indicator_create(actor=request.user, **data)
        except ApplicationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"已添加本地指标“{indicator.code} {indicator.name}”。")
            return redirect(f"{reverse('plans:indicator_list')}?q={indicator.code}")
    return render(request, "plans/form.html", {
        "title": "添加本地指标", "form": form, "cancel_url": reverse("plans:indicator_list"),
        "intro": "本地指标只在本区域（及下级）使用。比率指标由分子、分母指标重新计算，不做相加。",
    })


@require_safe
def framework_list(request):
    scope = scope_of(request)
    return render(request, "plans/framework_list.html", {
        "frameworks": selectors.frameworks_for_scope(scope), "can_manage": scope.can_manage,
    })


@require_safe
def framework_detail(request, pk):
    scope = scope_of(request)
    framework = selectors.framework_detail(scope, pk)
    return render(request, "plans/framework_detail.html", {
        "framework": framework, "tree": selectors.framework_tree(framework),
        "can_localise": scope.can_manage and framework.is_builtin,
        "localise_form": LocaliseForm(scope=scope) if scope.can_manage and framework.is_builtin else None,
    })


@require_http_methods(["POST"])
def framework_localise(request, pk):
    scope = scope_of(request)
    framework = selectors.framework_detail(scope, pk)
    require_manager(scope)
    form = LocaliseForm(request.POST, scope=scope)
    if form.is_valid():
        region = form.cleaned_data["region"]
        require_manager(scope, region)
        try:
            copy = services.framework_localise(actor=request.user, framework=framework, region=region)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"已为“{region.name}”创建《{copy.name}》的本地化副本，可在副本中修改条目。")
            return redirect("plans:framework_detail", pk=copy.pk)
    else:
        messages.error(request, "请选择要本地化到的区域。")
    return redirect("plans:framework_detail", pk=framework.pk)
