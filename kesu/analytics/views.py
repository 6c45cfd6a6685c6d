"""Pages of the analytics app: dashboards, explorer, ranking, consistency, pivot (+ XLSX), chart JSON twins,
API tokens and public pages. Views call selectors and services only."""

from dataclasses import replace
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST, require_safe

from kesu.accounts.models import ApiToken
from kesu.accounts.scope import Scope
from kesu.core import clock
from kesu.core.configuration import configuration_held
from kesu.core.exceptions import ApplicationError
from kesu.core.params import year_param
from kesu.plans.selectors import indicators_for_scope

from . import charts, services
from .models import Publication, PublicationStatus
from .params import analysis_params, flag
from .selectors import compare, consistency, dashboard
from .selectors.explore import GROUPS, analysis_root, explore, resolve_indicators
from .selectors.periods import year_choice
from .selectors.pivot import DIMENSIONS, pivot
from .xlsx import pivot_xlsx


def _scope(request) -> Scope:
    return Scope.for_user(request.user)


def _today() -> date:
    return clock.today()


# -- dashboards ------------------------------------------------------------------------------------------------


@require_safe
@configuration_held(per_version=True)
def dashboard_view(request):
    scope = _scope(request)
    try:
        ctx = dashboard.for_scope(scope, today=_today(), year=request.GET.get("year"),
                                  region=request.GET.get("region"))
    except ApplicationError as exc:  # an unknown region code: the scope's own dashboard, with the reason
        messages.error(request, exc.message)
        ctx = dashboard.for_scope(scope, today=_today(), year=request.GET.get("year"))
    return render(request, "analytics/dashboard.html", ctx)


@require_safe
@configuration_held(per_version=True)
def dashboard_partial(request):
    """The dashboard body alone, for the home page."""
    scope = _scope(request)
    return render(request, "analytics/partials/dashboard_body.html",
                  dashboard.for_scope(scope, today=_today(), year=request.GET.get("year"),
                                      region=request.GET.get("region")))


@require_safe
@configuration_held(per_version=True)
def chart_json(request, name):
    scope = _scope(request)
    try:
        data = charts.build(name, scope, request.GET)
    except ApplicationError as exc:
        return JsonResponse({"code": "invalid", "message": exc.message, "fields": [exc.field] if exc.field else []},
                            status=400)
    except PermissionDenied as exc:
        return JsonResponse({"code": "forbidden", "message": str(exc) or "无权查看", "fields": []}, status=403)
    return JsonResponse(data.as_json(), json_dumps_params={"ensure_ascii": False})


@require_safe
@configuration_held(per_version=True)
def chart_table(request, name):
    """The table twin of a chart as its own page fragment (HTMX or a plain link)."""
    scope = _scope(request)
    try:
        data = charts.build(name, scope, request.GET)
    except ApplicationError as exc:
        return HttpResponse(exc.message, status=400)
    return render(request, "analytics/partials/chart_table.html", {"data": data})


# -- explorer, ranking, consistency ----------------------------------------------------------------------------


@require_safe
@configuration_held(per_version=True)
def indicator_explorer(request):
    group_by = request.GET.get("group_by", "region")
    q = analysis_params(_scope(request), request.GET, period_field="periods", indicator_count=5,
                        default_periods=lambda y: [str(x) for x in range(y - 4, y + 1)] if group_by == "period"
                        else [str(y)])
    periods_text = ",".join(q.period_ids)
    if not q.period_asked and len(q.period_ids) > 1:
        # Grouped by period, the page opens on five years: the picker shows them selected and the note names them.
        q.choice = replace(q.choice, picked=tuple(q.period_ids), chosen=True)
    ctx = {**q.context(), "group_by": group_by, "groups": GROUPS}
    try:
        indicators = q.indicators()
        periods = q.periods()
        ctx["table"] = table = explore(q.scope, indicators=indicators, region=q.root, periods=periods,
                                       group_by=group_by, include_submitted=q.include_submitted)
        if flag(request.GET, "all"):
            ctx["rows"], ctx["shown_groups"], ctx["hidden"] = table.rows, table.groups, 0
        else:
            ctx["rows"], ctx["shown_groups"], ctx["hidden"] = table.trimmed()
        # One indicator of one period: a figure's source link from a report. Its figure is marked and scrolled to.
        ctx["focus"] = len(indicators) == 1 and len(periods) == 1
        params = request.GET.copy()
        params.setlist("indicators", [",".join(q.codes)])
        params["periods"] = periods_text
        params["region"] = q.root.code
        params["group_by"] = group_by
        ctx["chart_query"] = params.urlencode()
        params["all"] = "1"
        ctx["all_query"] = params.urlencode()
    except ApplicationError as exc:
        ctx["error"] = exc.message
    return render(request, "analytics/explorer.html", ctx)


@require_safe
@configuration_held(per_version=True)
def ranking_view(request):
    q = analysis_params(_scope(request), request.GET, indicator_count=1)
    params = request.GET.copy()
    params["region"] = q.root.code
    params["period"] = q.period_id
    ctx = {**q.context(), "params": params}
    try:
        ctx["data"] = charts.build("ranking", q.scope, params)
        ctx["chart_query"] = params.urlencode()
        ctx["completeness"] = charts.build("completeness", q.scope, {"region": q.root.code, "period": q.period_id})
    except ApplicationError as exc:
        ctx["error"] = exc.message
    return render(request, "analytics/ranking.html", ctx)


@require_safe
@configuration_held(per_version=True)
def consistency_view(request):
    q = analysis_params(_scope(request), request.GET)
    ctx = q.context()
    try:
        ctx["rows"] = consistency.mismatches(q.scope, region=q.root, period_ids=[p.id for p in q.periods()],
                                             include_submitted=q.include_submitted)
    except ApplicationError as exc:
        ctx["error"] = exc.message
    return render(request, "analytics/consistency.html", ctx)


@require_safe
@configuration_held(per_version=True)
def progress_view(request):
    q = analysis_params(_scope(request), request.GET, period_field="year")
    year = q.choice.year
    ctx = {**q.context(), "year": year}
    ctx.update(dashboard.progress_context(q.scope, q.root, year, _today()))
    return render(request, "analytics/progress.html", ctx)


@require_safe
@configuration_held(per_version=True)
def compare_view(request):
    q = analysis_params(_scope(request), request.GET, indicator_count=8)
    ctx = {**q.context(), "period_id": q.period_id}
    try:
        indicators = q.indicators()
        ctx["yoy"] = compare.year_on_year(q.scope, indicators=indicators, region=q.root, period=q.periods()[0])
        spans = compare.spans(q.scope, indicators=indicators, region=q.root)
        ctx["spans"] = [(i, spans[i.pk]) for i in indicators]
        ctx["span_labels"] = [label for label, _, _ in compare.PLAN_SPANS[1:3]]
        ctx["trend_query"] = f"region={q.root.code}&indicators={','.join(q.codes[:4])}"
    except ApplicationError as exc:
        ctx["error"] = exc.message
    return render(request, "analytics/compare.html", ctx)


# -- pivot -----------------------------------------------------------------------------------------------------


@require_safe
@configuration_held(per_version=True)
def pivot_view(request):
    q = analysis_params(_scope(request), request.GET, period_field="periods", indicator_count=6)
    rows, cols = request.GET.get("rows", "region"), request.GET.get("cols", "indicator")
    ctx = {**q.context(), "rows": rows, "cols": cols, "dimensions": DIMENSIONS, "rows_label": DIMENSIONS.get(rows, "")}
    try:
        result = pivot(q.scope, region=q.root, indicators=q.indicators(), periods=q.periods(), rows=rows, cols=cols,
                       include_submitted=q.include_submitted)
    except ApplicationError as exc:
        ctx["error"] = exc.message
        return render(request, "analytics/pivot.html", ctx, status=200)
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(pivot_xlsx(result),
                                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = "attachment; filename*=UTF-8''" + _quote(f"{result.title}.xlsx")
        return response
    ctx["pivot"] = result
    ctx["export_query"] = request.GET.urlencode()
    return render(request, "analytics/pivot.html", ctx)


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name.replace("/", "-"))


# -- API tokens ------------------------------------------------------------------------------------------------


def tokens(request):
    raw = None
    if request.method == "POST":
        try:
            days = request.POST.get("days", "90")
            _, raw = services.token_create(actor=request.user, name=request.POST.get("name", ""),
                                           days=int(days) if days.isdigit() and len(days) < 4 else 0)
            messages.success(request, "令牌已创建。请立即复制保存，离开本页后将无法再次查看。")
        except ApplicationError as exc:
            messages.error(request, exc.message)
        except PermissionDenied as exc:
            messages.error(request, str(exc))
    rows = ApiToken.objects.filter(user=request.user).select_related("user").order_by("-created_at")
    return render(request, "analytics/tokens.html", {"tokens": rows, "raw": raw})


@require_POST
def token_revoke(request, pk):
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    services.token_revoke(actor=request.user, token=token)
    messages.success(request, f"令牌“{token.name}”已撤销。")
    return redirect("analytics:tokens")


# -- publications ----------------------------------------------------------------------------------------------


def _publication(scope: Scope, pk) -> Publication:
    pub = Publication.objects.select_related("region").filter(pk=pk).first()
    if pub is None or not scope.sees_region(pub.region) or scope.is_filler:
        raise Http404
    return pub


@require_safe
def publications(request):
    scope = _scope(request)
    if not scope.can_manage:
        raise PermissionDenied
    qs = Publication.objects.select_related("region").order_by("-created_at")
    if not scope.is_admin:
        qs = qs.filter(scope.region_q("region__"))
    return render(request, "analytics/publications.html", {"publications": qs})


def publication_edit(request, pk=None):
    scope = _scope(request)
    if not scope.can_manage:
        raise PermissionDenied
    pub = _publication(scope, pk) if pk else None
    root = pub.region if pub else analysis_root(scope)
    all_indicators = indicators_for_scope(scope)
    form = {"title": pub.title if pub else f"{root.name}全民科学素质工作主要指标",
            "year": pub.year if pub else year_choice(root).year, "note": pub.note if pub else "",
            "codes": [i.code for i in pub.indicators.all()] if pub else [i.code for i in all_indicators[:6]]}
    if request.method == "POST":
        form = {"title": request.POST.get("title", ""), "year": year_param(request.POST),
                "note": request.POST.get("note", ""), "codes": request.POST.getlist("indicators")}
        try:
            if form["year"] is None:
                raise ApplicationError("请选择年份。", field="year")
            pub = services.publication_save(actor=request.user, region=root, title=form["title"],
                                            year=int(form["year"]), indicators=resolve_indicators(scope, form["codes"])
                                            if form["codes"] else [], note=form["note"], publication=pub)
            messages.success(request, "已保存为待发布，请预览核对后发布。")
            return redirect("analytics:publication_preview", pk=pub.pk)
        except ApplicationError as exc:
            messages.error(request, exc.message)
    choice = replace(year_choice(root, form["year"]), picked=(str(form["year"]),) if form["year"] else ())
    return render(request, "analytics/publication_form.html", {"pub": pub, "root": root, "form": form,
                                                               "all_indicators": all_indicators, "choice": choice})


@require_safe
def publication_preview(request, pk):
    scope = _scope(request)
    pub = _publication(scope, pk)
    ctx = dashboard.public_context(pub, dashboard.public_year_choice(pub, year_param(request.GET)))
    ctx.update({"preview": True, "pub": pub, "can_manage": scope.manages_region(pub.region)})
    return render(request, "analytics/public.html", ctx)


@require_POST
def publication_action(request, pk, action):
    scope = _scope(request)
    pub = _publication(scope, pk)
    if action == "publish":
        services.publication_publish(actor=request.user, publication=pub)
        messages.success(request, "已发布。公开页面只显示已审核数据。")
    elif action == "withdraw":
        services.publication_withdraw(actor=request.user, publication=pub)
        messages.success(request, "已撤回，公开链接立即失效。")
    else:
        raise Http404
    return redirect("analytics:publications")


@login_not_required
@require_safe
def public_page(request, slug):
    pub = Publication.objects.select_related("region").filter(slug=slug, status=PublicationStatus.PUBLISHED).first()
    if pub is None:
        raise Http404("该页面不存在或已撤回")
    ctx = dashboard.public_context(pub, dashboard.public_year_choice(pub, year_param(request.GET)))
    ctx.update({"preview": False, "pub": pub})
    return render(request, "analytics/public.html", ctx)


@login_not_required
@require_safe
def public_chart_json(request, slug):  # noqa: ARG001 (a Django view's signature)
    """The JSON twin of the public trend chart (approved figures only)."""
    pub = Publication.objects.select_related("region").filter(slug=slug, status=PublicationStatus.PUBLISHED).first()
    if pub is None:
        raise Http404
    choice = dashboard.public_year_choice(pub, year_param(request.GET))
    chart = dashboard.public_context(pub, choice)["chart"]
    return JsonResponse(chart.as_json(), json_dumps_params={"ensure_ascii": False})
