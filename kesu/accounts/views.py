"""The home page, and the office's account pages: list, create, reset a password, deactivate, API access.

Scope: an office manages the accounts of its region's subtree (kesu/accounts/services.py); read-only roles and
fillers get 403; an account outside the subtree is a 404.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from kesu.core import clock
from kesu.core.exceptions import ApplicationError
from kesu.core.forms import add_service_error
from kesu.core.params import id_param, int_param
from kesu.regions.selectors import regions_visible

from . import selectors, services
from .forms import AccountForm
from .models import Role
from .scope import Scope
from .selectors import home_summary

PAGE_SIZE = 100


@require_safe
def home(request):
    """The landing page; what it shows depends on the user's role."""
    scope = Scope.for_user(request.user)
    return render(request, "accounts/home.html", {"scope": scope, "summary": home_summary(scope, today=clock.today())})


def _manager(request) -> Scope:
    scope = Scope.for_user(request.user)
    if not scope.can_manage:
        raise PermissionDenied("只有办公室和系统管理员可以管理账号")
    return scope


@require_safe
def user_list(request):
    scope = _manager(request)
    region_pk = id_param(request.GET, "region", label="区域")
    region = regions_visible(scope).filter(pk=region_pk).first() if region_pk else None
    search = (request.GET.get("q") or "").strip()[:50]
    users = selectors.users_for(scope, region=region, search=search)
    page = Paginator(users, PAGE_SIZE).get_page(int_param(request.GET, "page", default=1, minimum=1))
    return render(request, "accounts/user_list.html", {"page": page, "users": page.object_list, "region": region,
                                                       "search": search, "scope": scope})


def _roles(scope: Scope):
    roles = [(Role.FILLER, "填报员（成员单位填报数据）"), (Role.OFFICE, "办公室（管理本级及下级）"),
             (Role.VIEWER, "查看（领导查阅，只读）")]
    return roles + [(Role.ADMIN, "系统管理员")] if scope.is_admin else roles


@never_cache  # the page after creation shows a password once
@require_http_methods(["GET", "POST"])
def user_create(request):
    scope = _manager(request)
    choices = selectors.account_choices(scope)
    form = AccountForm(request.POST or None, roles=_roles(scope), **choices,
                       initial={"role": Role.FILLER, "unit": id_param(request.GET, "unit")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        password = data["password"] or services.password_generate()
        try:
            user = services.user_create(actor=request.user, username=data["username"], password=password,
                                        role=data["role"], region=data["region"], unit=data["unit"],
                                        full_name=data["full_name"], phone=data["phone"])
        except ApplicationError as exc:
            add_service_error(form, exc)
        else:
            return render(request, "accounts/user_password.html", {
                "account": user, "password": None if data["password"] else password, "created": True})
    return render(request, "accounts/user_form.html", {"form": form})


@never_cache
@require_POST
def user_password_reset(request, pk):
    scope = _manager(request)
    account = selectors.user_for_scope(scope, pk)
    try:
        password = services.user_reset_password(actor=request.user, user=account)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("accounts:user_list")
    return render(request, "accounts/user_password.html", {"account": account, "password": password})


@require_POST
def user_deactivate(request, pk):
    return _set_active(request, pk, active=False)


@require_POST
def user_activate(request, pk):
    return _set_active(request, pk, active=True)


def _set_active(request, pk, *, active: bool):
    scope = _manager(request)
    account = selectors.user_for_scope(scope, pk)
    try:
        services.user_set_active(actor=request.user, user=account, active=active,
                                 reason=request.POST.get("reason", "")[:200])
        messages.success(request, f"账号“{account.username}”已{'启用' if active else '停用'}。")
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("accounts:user_list")


@require_safe
def user_api(request, pk):
    """An account's API access: the 查看 grant, and its tokens with their expiry, each revocable."""
    scope = _manager(request)
    account = selectors.user_for_scope(scope, pk)
    return render(request, "accounts/user_api.html", {"account": account,
                                                      "tokens": selectors.api_tokens_of(scope, account)})


@require_POST
def user_api_access(request, pk):
    scope = _manager(request)
    account = selectors.user_for_scope(scope, pk)
    allowed = request.POST.get("allowed") == "1"
    try:
        services.user_api_access_set(actor=request.user, user=account, allowed=allowed)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已为“{account.username}”{'开通' if allowed else '关闭'}接口权限。"
                         + ("" if allowed else "其令牌随即失效。"))
    return redirect("accounts:user_api", account.pk)


@require_POST
def user_token_revoke(request, pk, token_pk):
    scope = _manager(request)
    account = selectors.user_for_scope(scope, pk)
    token = get_object_or_404(selectors.api_tokens_of(scope, account), pk=token_pk)
    services.token_revoke(actor=request.user, token=token)
    messages.success(request, f"令牌“{token.name}”已撤销。")
    return redirect("accounts:user_api", account.pk)
