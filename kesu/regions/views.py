"""Pages of the regions app: the tree of the user's scope, a region's page with its children, adding townships and
villages one by one or from Excel. Outside the scope → 404; read-only roles → 403 on every form."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from kesu.accounts.scope import Scope
from kesu.core.exceptions import ApplicationError
from kesu.core.forms import add_service_error

from . import selectors, services
from .excel import template_bytes
from .forms import RegionChildForm, RegionEditForm, RegionImportForm
from .models import Region

SEARCH_LIMIT = 50


@require_GET
def region_list(request):
    scope = Scope.for_user(request.user)
    root = selectors.scope_root(scope)
    query = request.GET.get("q", "").strip()
    results = None
    if query:
        rows = selectors.regions_visible(scope).filter(name__contains=query).select_related("parent")
        results = list(rows.order_by("depth", "code")[:SEARCH_LIMIT])
    if root is None:
        tree = selectors.region_tree(scope, None, depth=1)
        root_row = None
    else:
        root_row = selectors.with_counts(Region.objects.filter(pk=root.pk)).get()
        tree = selectors.region_tree(scope, root, depth=1)
    return render(request, "regions/region_list.html", {
        "scope": scope, "root": root_row, "tree": tree, "query": query, "results": results,
        "search_limit": SEARCH_LIMIT,
    })


@require_GET
def region_children_partial(request, pk):
    scope = Scope.for_user(request.user)
    region = selectors.region_for_scope(scope, pk)
    return render(request, "regions/partials/tree_children.html",
                  {"nodes": selectors.region_tree(scope, region, depth=1)})


def _detail_context(scope, region, **extra):
    region_row = selectors.with_counts(Region.objects.filter(pk=region.pk)).select_related("parent").get()
    ancestors = list(selectors.region_ancestors(region))
    context = {
        "scope": scope,
        "region": region_row,
        "ancestors": [(a, scope.sees_region(a)) for a in ancestors],
        "children": list(selectors.region_children(region)),
        "can_manage": scope.manages_region(region),
        "child_level": services.child_level(region),
        "add_form": RegionChildForm(),
        "edit_form": RegionEditForm(initial={"name": region.name, "short_name": region.short_name,
                                             "population_10k": region.population_10k}),
        "import_form": RegionImportForm(),
        "import_errors": None,
    }
    context.update(extra)
    return context


@require_GET
def region_detail(request, pk):
    scope = Scope.for_user(request.user)
    region = selectors.region_for_scope(scope, pk)
    return render(request, "regions/region_detail.html", _detail_context(scope, region))


def _managed_region(request, pk):
    scope = Scope.for_user(request.user)
    region = selectors.region_for_scope(scope, pk)  # 404 outside the scope
    scope.require(scope.manages_region(region))  # 403 for read-only roles
    return scope, region


@require_POST
def region_add_child(request, pk):
    scope, region = _managed_region(request, pk)
    form = RegionChildForm(request.POST)
    if form.is_valid():
        try:
            child = services.region_create(actor=request.user, parent=region, **form.cleaned_data)
        except ApplicationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"已添加「{child.name}」（代码 {child.code}）")
            return redirect("regions:region_detail", pk=region.pk)
    return render(request, "regions/region_detail.html", _detail_context(scope, region, add_form=form, open_form="add"),
                  status=400)


@require_POST
def region_edit(request, pk):
    scope, region = _managed_region(request, pk)
    form = RegionEditForm(request.POST)
    if form.is_valid():
        try:
            services.region_update(actor=request.user, region=region, **form.cleaned_data)
        except ApplicationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, "已保存")
            return redirect("regions:region_detail", pk=region.pk)
    return render(request, "regions/region_detail.html",
                  _detail_context(scope, region, edit_form=form, open_form="edit"), status=400)


@require_POST
def region_import(request, pk):
    scope, region = _managed_region(request, pk)
    form = RegionImportForm(request.POST, request.FILES)
    errors = None
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            created = services.regions_import_excel(actor=request.user, parent=region, file=upload,
                                                    filename=upload.name)
        except services.ImportErrors as exc:
            errors = exc.errors
        except ApplicationError as exc:
            errors = [{"row": exc.row or "", "column": "", "message": exc.message}]
        else:
            messages.success(request, f"已导入 {len(created)} 个区域")
            return redirect("regions:region_detail", pk=region.pk)
    return render(request, "regions/region_detail.html",
                  _detail_context(scope, region, import_form=form, import_errors=errors, open_form="import"),
                  status=400)


@require_GET
def region_import_template(request):
    Scope.for_user(request.user)
    response = HttpResponse(template_bytes(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = "attachment; filename=\"region-template.xlsx\"; " \
                                      "filename*=UTF-8''%E5%8C%BA%E5%9F%9F%E5%AF%BC%E5%85%A5%E6%A8%A1%E6%9D%BF.xlsx"
    return response
