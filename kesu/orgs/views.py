"""Pages of the orgs app: member units of a region, a unit with its contacts, and the coordination body.

Scope: outside the user's scope → 404; a 填报员 sees only its own unit; read-only roles get 403 on every form."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kesu.accounts.scope import Scope
from kesu.core.exceptions import ApplicationError
from kesu.core.forms import add_service_error
from kesu.core.middleware import ChooseFirst
from kesu.regions import selectors as region_selectors
from kesu.regions.models import Level

from . import defaults, selectors, services
from .forms import BodyForm, ContactForm, PostForm, UnitEndForm, UnitForm
from .models import BodyPost, ContactPerson, UnitKind

PAGE_SIZE = 100
STATUSES = {"active": ("在用", True), "ended": ("已撤销", False), "all": ("全部", None)}


def _region(scope, request, *, required: bool = True):
    """The region named by ``?region=`` (or a posted ``region``), else the user's own region; 404 outside."""
    pk = request.POST.get("region") or request.GET.get("region")
    if pk:
        if not str(pk).isdigit():
            raise Http404("区域不存在")
        return region_selectors.region_for_scope(scope, pk)
    root = region_selectors.scope_root(scope)
    if root is None and required:
        raise ChooseFirst("regions:region_list", "请先在区域列表中选择一个区域。")
    return root


def _with_region(url: str, region) -> str:
    return f"{url}?region={region.pk}" if region is not None else url


# -- units -------------------------------------------------------------------------------------------------------

@require_GET
def unit_list(request):
    scope = Scope.for_user(request.user)
    region = _region(scope, request, required=False)
    status = request.GET.get("status", "active")
    status = status if status in STATUSES else "active"
    kind = request.GET.get("kind", "")
    kind = kind if kind in UnitKind.values else ""
    rows = selectors.units_for_scope(scope, region=region, active_only=STATUSES[status][1], kind=kind or None)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    can_manage = region is not None and scope.manages_region(region)
    has_units = region is not None and selectors.units_for_scope(scope, region=region, active_only=None).exists()
    return render(request, "orgs/unit_list.html", {
        "scope": scope, "region": region, "page": page, "units": page.object_list, "status": status,
        "statuses": [(key, label) for key, (label, _) in STATUSES.items()], "kind": kind, "kinds": UnitKind.choices,
        "can_manage": can_manage, "has_units": has_units,
        "offer_defaults": can_manage and not has_units and defaults.supports_defaults(region),
        "default_count": len(defaults.DEFAULT_UNITS),
        "lower_regions": _lower_regions(scope, region),
        "upper_region": region.parent if region is not None and region.parent_id and
        scope.sees_region(region.parent) else None,
    })


def _lower_regions(scope, region):
    """The next level down (with unit counts), so an upper office can reach the member units of its counties."""
    if region is None or scope.is_filler:
        return []
    return [r for r in region_selectors.region_children(region) if r.level <= Level.COUNTY or r.unit_count]


@require_GET
def unit_detail(request, pk):
    scope = Scope.for_user(request.user)
    unit = selectors.unit_detail(scope, pk)
    can_manage = scope.manages_unit(unit)
    return render(request, "orgs/unit_detail.html", {
        "scope": scope, "unit": unit, "can_manage": can_manage, "contact_form": ContactForm(),
        "end_form": UnitEndForm(unit=unit) if can_manage and unit.is_active else None,
    })


def _unit_initial(unit) -> dict:
    return {f: getattr(unit, f) for f in ("name", "short_name", "kind", "valid_from", "sort", "notes")}


@require_http_methods(["GET", "POST"])
def unit_create(request):
    scope = Scope.for_user(request.user)
    region = _region(scope, request)
    scope.require(scope.manages_region(region))
    form = UnitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            unit = services.unit_create(actor=request.user, region=region, **{**form.cleaned_data,
                                                                              "sort": form.cleaned_data["sort"] or 0})
        except ApplicationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"已添加成员单位「{unit.name}」")
            return redirect("orgs:unit_detail", pk=unit.pk)
    return render(request, "orgs/unit_form.html", {"form": form, "region": region, "unit": None,
                                                   "title": f"添加{region.name}成员单位"},
                  status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def unit_edit(request, pk):
    scope = Scope.for_user(request.user)
    unit = selectors.unit_detail(scope, pk)
    scope.require(scope.manages_unit(unit))
    form = UnitForm(request.POST or None, initial=_unit_initial(unit))
    if request.method == "POST" and form.is_valid():
        try:
            services.unit_update(actor=request.user, unit=unit, **{**form.cleaned_data,
                                                                   "sort": form.cleaned_data["sort"] or 0})
        except ApplicationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, "已保存")
            return redirect("orgs:unit_detail", pk=unit.pk)
    return render(request, "orgs/unit_form.html", {"form": form, "region": unit.region, "unit": unit,
                                                   "title": f"编辑「{unit.name}」"},
                  status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def unit_end(request, pk):
    scope = Scope.for_user(request.user)
    unit = selectors.unit_detail(scope, pk)
    scope.require(scope.manages_unit(unit))
    form = UnitEndForm(request.POST or None, unit=unit)
    if request.method == "POST" and form.is_valid():
        try:
            services.unit_end(actor=request.user, unit=unit, **form.cleaned_data)
        except ApplicationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"「{unit.name}」已标记为撤销")
            return redirect("orgs:unit_detail", pk=unit.pk)
    return render(request, "orgs/unit_end.html", {"form": form, "unit": unit}, status=400 if form.errors else 200)


@require_POST
def create_default_units(request):
    scope = Scope.for_user(request.user)
    region = _region(scope, request)
    scope.require(scope.manages_region(region))
    try:
        created = services.units_create_defaults(actor=request.user, region=region)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        if created:
            messages.success(request, f"已为{region.name}生成 {len(created)} 个默认成员单位，请按本地实际增删、改名")
        else:
            messages.info(request, "默认成员单位都已存在，没有新增")
    return redirect(_with_region(reverse("orgs:unit_list"), region))


# -- contacts ----------------------------------------------------------------------------------------------------

@require_POST
def contact_create(request, pk):
    scope = Scope.for_user(request.user)
    unit = selectors.unit_detail(scope, pk)
    scope.require(scope.manages_unit(unit))
    form = ContactForm(request.POST)
    if form.is_valid():
        try:
            contact = services.contact_create(actor=request.user, unit=unit, **form.cleaned_data)
        except ApplicationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"已添加联系人{contact.name}")
            return redirect("orgs:unit_detail", pk=unit.pk)
    return render(request, "orgs/unit_detail.html", {
        "scope": scope, "unit": unit, "can_manage": True, "contact_form": form, "open_contact": True,
        "end_form": UnitEndForm(unit=unit) if unit.is_active else None}, status=400)


def _managed_contact(request, pk):
    scope = Scope.for_user(request.user)
    contact = get_object_or_404(ContactPerson.objects.select_related("unit__region"), pk=pk)
    if not scope.sees_unit(contact.unit):
        raise Http404("联系人不存在")
    scope.require(scope.manages_unit(contact.unit))
    return contact


@require_http_methods(["GET", "POST"])
def contact_edit(request, pk):
    contact = _managed_contact(request, pk)
    initial = {f: getattr(contact, f) for f in ("name", "title", "phone", "email", "is_liaison")}
    form = ContactForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.contact_update(actor=request.user, contact=contact, **form.cleaned_data)
        except ApplicationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, "已保存")
            return redirect("orgs:unit_detail", pk=contact.unit_id)
    return render(request, "orgs/contact_form.html", {"form": form, "contact": contact},
                  status=400 if form.errors else 200)


@require_POST
def contact_delete(request, pk):
    contact = _managed_contact(request, pk)
    services.contact_delete(actor=request.user, contact=contact)
    messages.success(request, f"已删除联系人{contact.name}")
    return redirect("orgs:unit_detail", pk=contact.unit_id)


# -- coordination body -------------------------------------------------------------------------------------------

def _body_context(scope, region, **extra):
    body = selectors.body_for_region(scope, region)
    can_manage = scope.manages_region(region)
    context = {
        "scope": scope, "region": region, "body": body, "can_manage": can_manage,
        "groups": selectors.posts_grouped(body) if body else [],
        "default_name": services.default_body_name(region),
        "post_form": PostForm(region=region) if can_manage and body else None,
    }
    context.update(extra)
    return context


@require_GET
def body_detail(request):
    scope = Scope.for_user(request.user)
    region = _region(scope, request)
    return render(request, "orgs/body_detail.html", _body_context(scope, region))


def _body_initial(body) -> dict:
    if body is None:
        return {}
    return {"name": body.name, "kind": body.kind, "office_unit": body.office_unit,
            "established_on": body.established_on, "duties": body.duties, "members": list(body.members.all())}


@require_http_methods(["GET", "POST"])
def body_edit(request):
    scope = Scope.for_user(request.user)
    region = _region(scope, request)
    scope.require(scope.manages_region(region))
    body = selectors.body_for_region(scope, region)
    form = BodyForm(request.POST or None, region=region, initial=_body_initial(body))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        members = data.pop("members")
        try:
            if body is None:
                services.body_create(actor=request.user, region=region, members=members, **data)
            else:
                services.body_update(actor=request.user, body=body, **data)
                services.body_set_members(actor=request.user, body=body, members=members)
        except ApplicationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, "协调机构已保存")
            return redirect(_with_region(reverse("orgs:body_detail"), region))
    return render(request, "orgs/body_form.html", {"form": form, "region": region, "body": body},
                  status=400 if form.errors else 200)


@require_POST
def body_post_add(request):
    scope = Scope.for_user(request.user)
    region = _region(scope, request)
    scope.require(scope.manages_region(region))
    body = selectors.body_for_region(scope, region)
    if body is None:
        raise Http404("请先设置协调机构")
    form = PostForm(request.POST, region=region)
    if form.is_valid():
        try:
            item = services.body_post_add(actor=request.user, body=body, **form.cleaned_data)
        except ApplicationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"已添加{item.get_post_display()}{item.person_name}")
            return redirect(_with_region(reverse("orgs:body_detail"), region))
    return render(request, "orgs/body_detail.html", _body_context(scope, region, post_form=form, open_post=True),
                  status=400)


@require_POST
def body_post_remove(request, pk):
    scope = Scope.for_user(request.user)
    item = get_object_or_404(BodyPost.objects.select_related("body__region"), pk=pk)
    region = item.body.region
    if not scope.sees_region(region):
        raise Http404("职位不存在")
    scope.require(scope.manages_region(region))
    services.body_post_remove(actor=request.user, post=item)
    messages.success(request, f"已移除{item.get_post_display()}{item.person_name}")
    return redirect(_with_region(reverse("orgs:body_detail"), region))
