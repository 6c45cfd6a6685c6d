"""Pages of the collection app. Views call only services and selectors; every page resolves a Scope first."""

import csv
from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from kesu.accounts.scope import Scope
from kesu.core import clock
from kesu.core.configuration import configuration_held
from kesu.core.exceptions import ApplicationError
from kesu.core.forms import add_service_error
from kesu.core.params import safe_next, year_param
from kesu.core.periods import Period
from kesu.core.spreadsheet import safe_row

from . import selectors, services
from .forms import ActivityForm, AttachmentForm
from .models import Narrative, SubmissionStatus


def _today() -> date:
    return clock.today()


def _period(value: str) -> Period:
    try:
        return Period.parse(value)
    except ApplicationError:
        raise Http404 from None


def _grid_url(ds_id, period_id, region_id, unit_id) -> str:
    return reverse("collection:grid", args=[ds_id, period_id, region_id, unit_id or 0])


# -- 填报 home ---------------------------------------------------------------------------------------------------------


@require_safe
def home(request):
    scope = Scope.for_user(request.user)
    rows = selectors.home_rows(scope, today=_today())
    return render(request, "collection/home.html", {
        "rows": rows, "scope": scope, "notices": selectors.notices_for_user(request.user),
        "reporter": selectors.own_reporter(scope),
    })


# -- the grid ---------------------------------------------------------------------------------------------------------


def _grid_context(request, ds_id, period_id, region_id, unit_id):
    scope = Scope.for_user(request.user)
    ds = selectors.data_set_get(scope, ds_id)
    reporter = selectors.reporter_get(scope, region_id, unit_id or None)
    return scope, ds, _period(period_id), reporter


@require_safe
def grid(request, ds_id, period_id, region_id, unit_id):
    scope, ds, period, reporter = _grid_context(request, ds_id, period_id, region_id, unit_id)
    g = selectors.grid(scope, ds, period, reporter, today=_today())
    sub = g.submission or services.submission_for(data_set=ds, period=period, region=reporter.region,
                                                  unit=reporter.unit) if g.editable else g.submission
    return render(request, "collection/grid.html", {"grid": g, "submission": sub, "scope": scope,
                                                    "show_codes": request.GET.get("codes") == "1"})


@require_POST
@configuration_held(per_version=True)  # the cell's own reads of the configuration too, not only the save's
def cell_save(request, ds_id, period_id, region_id, unit_id, indicator_id):
    """Save one grid cell and return it re-rendered in place (with the Chinese error if refused)."""
    scope, ds, period, reporter = _grid_context(request, ds_id, period_id, region_id, unit_id)
    cell = selectors.cell_to_save(scope, ds, period, reporter, indicator_id)
    raw = request.POST.get("value", "")
    explanation = request.POST.get("explanation")
    try:
        version = int(request.POST.get("version", "0"))
    except ValueError:
        version = 0
    try:
        saved = services.value_save(actor=request.user, indicator=cell.indicator, region=reporter.region,
                                    unit=reporter.unit, period=period, value=raw, expected_version=version,
                                    explanation=explanation)
    except PermissionDenied:
        raise
    except ApplicationError as exc:
        # Nothing was written: the cell as it is stored (the other person's figure, a lock), with the refusal.
        cell = selectors.cell(scope, ds, period, reporter, indicator_id, today=_today())
        cell.error, cell.posted = exc.message, raw
        cell.needs_explanation = bool(exc.extra.get("needs_explanation"))
        if exc.field == "version":
            cell.posted = None  # show the other person's value
        return render(request, "collection/partials/cell.html", {"cell": cell, "grid_url": request.path,
                                                                "ds": ds, "period": period, "reporter": reporter})
    # The status badge beside the grid changes only with a return's first figure (未填报 → 填报中): only then is the
    # return read again.
    return render(request, "collection/partials/cell.html", {
        "cell": selectors.cell_after_save(cell, saved.row, period, reporter), "ds": ds, "period": period,
        "reporter": reporter, "submission": selectors.submission_of(ds, period, reporter) if saved.opened else None})


@require_safe
def value_history(request, ds_id, period_id, region_id, unit_id, indicator_id):
    scope, ds, period, reporter = _grid_context(request, ds_id, period_id, region_id, unit_id)
    cell = selectors.cell(scope, ds, period, reporter, indicator_id, today=_today())
    row, events = selectors.value_history(scope, reporter, cell.indicator, period)
    return render(request, "collection/partials/history.html", {"cell": cell, "row": row, "events": events})


# -- activities -------------------------------------------------------------------------------------------------------


@require_safe
def activity_list(request):
    scope = Scope.for_user(request.user)
    year = year_param(request.GET, default=_today().year)
    return render(request, "collection/activity_list.html", {
        "activities": selectors.activities(scope, year=year)[:500], "year": year, "scope": scope,
        "can_create": scope.is_filler,
    })


@require_http_methods(["GET", "POST"])
def activity_edit(request, pk=None):
    scope = Scope.for_user(request.user)
    activity = selectors.activity_get(scope, pk) if pk else None
    if activity is None and not scope.is_filler:
        raise PermissionDenied
    unit = activity.unit if activity else selectors.own_reporter(scope).unit
    form = ActivityForm(request.POST or None, instance=activity, unit=unit)
    if request.method == "POST" and form.is_valid():
        try:
            if activity is None:
                activity = services.activity_create(actor=request.user, unit=unit, data=form.service_data())
            else:
                activity = services.activity_update(actor=request.user, activity=activity, data=form.service_data(),
                                                    expected_version=form.cleaned_data["version"],
                                                    reason=form.cleaned_data.get("reason", ""))
            messages.success(request, f"活动“{activity.title}”已保存。")
            return redirect("collection:activity_edit", pk=activity.pk)
        except ApplicationError as exc:
            add_service_error(form, exc)
    return render(request, "collection/activity_form.html", {
        "form": form, "activity": activity, "attachment_form": AttachmentForm(),
        "history": selectors.activity_history(scope, activity) if activity else [],
    })


@require_POST
def attachment_upload(request, pk):
    scope = Scope.for_user(request.user)
    activity = selectors.activity_get(scope, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.attachment_add(actor=request.user, activity=activity, uploaded_file=form.cleaned_data["file"])
            messages.success(request, "附件已上传。")
        except ApplicationError as exc:
            messages.error(request, exc.message)
    else:
        messages.error(request, "请选择要上传的文件。")
    return redirect("collection:activity_edit", pk=activity.pk)


@require_safe
def attachment_download(request, pk):
    """An activity's file, for whoever may see the activity: sent as a download under its original name."""
    attachment = selectors.attachment_get(Scope.for_user(request.user), pk)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404("附件文件已不存在，请重新上传") from None
    # As a download, never shown inline: a file that claims one type cannot run as a page of this site.
    return FileResponse(handle, as_attachment=True, filename=attachment.original_name,
                        content_type=attachment.content_type or "application/octet-stream")


@require_POST
def activity_delete(request, pk):
    scope = Scope.for_user(request.user)
    activity = selectors.activity_get(scope, pk)
    try:
        services.activity_delete(actor=request.user, activity=activity, reason=request.POST.get("reason", ""))
        messages.success(request, "活动已删除。")
        return redirect("collection:activity_list")
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("collection:activity_edit", pk=pk)


# -- narratives -------------------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def narratives(request, period_id, region_id, unit_id):
    scope = Scope.for_user(request.user)
    reporter = selectors.reporter_get(scope, region_id, unit_id or None)
    period = _period(period_id)
    saved = selectors.narratives(scope, reporter, period)
    tasks = selectors.tasks_for(scope, reporter, period.year)
    errors = {}
    if request.method == "POST":
        task = next((t for t in tasks if str(t.pk) == request.POST.get("task")), None)
        if task is None:
            messages.error(request, "请选择本单位承担的任务后再保存。")
            return redirect(request.path)
        try:
            services.narrative_save(actor=request.user, task=task, region=reporter.region, unit=reporter.unit,
                                    period=period, texts={f: request.POST.get(f, "") for f in Narrative.TEXT_FIELDS},
                                    expected_version=int(request.POST.get("version", "0") or 0))
            messages.success(request, f"“{task.title}”的工作情况已保存。")
            return redirect(request.path + f"#task-{task.pk}")
        except ApplicationError as exc:
            errors[task.pk] = exc.message
    fields = [(f, Narrative._meta.get_field(f).verbose_name) for f in Narrative.TEXT_FIELDS]
    items = []
    for task in tasks:
        n = saved.get(task.pk)
        posted = request.POST if request.method == "POST" and str(task.pk) == request.POST.get("task") else None
        items.append({"task": task, "narrative": n, "error": errors.get(task.pk),
                      "fields": [(f, label, posted.get(f, "") if posted else (getattr(n, f) if n else ""))
                                 for f, label in fields]})
    locked = selectors.narrative_lock(reporter, period)
    return render(request, "collection/narratives.html", {
        "reporter": reporter, "period": period, "items": items, "locked": locked,
        "writable": (scope.is_filler or scope.can_manage) and not locked})


# -- submissions ------------------------------------------------------------------------------------------------------


@require_safe
def submission_detail(request, pk):
    scope = Scope.for_user(request.user)
    sub = selectors.submission_get(scope, pk)
    writer = (scope.is_admin or (scope.is_filler and sub.unit_id == scope.unit_id)
              or (scope.is_office and scope.sees_region(sub.region)))
    violations = services.submission_violations(sub)
    figures = selectors.submission_figures(scope, sub, violations)
    can_review = selectors.can_review(scope, sub)
    return render(request, "collection/submission.html", {
        "sub": sub, "events": sub.events.select_related("actor"), "can_review": can_review,
        "can_submit": sub.status in (SubmissionStatus.EMPTY, SubmissionStatus.DRAFT, SubmissionStatus.RETURNED)
        and writer,
        # The reviewer returns a return; withdrawing is the reporter's own step back.
        "can_withdraw": sub.status == SubmissionStatus.SUBMITTED and writer and not can_review,
        "violations": violations, "figures": figures,
        "flagged": sum(1 for f in figures if f.flags or f.violations),
        "lock_hint": "" if can_review else selectors.lock_hint(sub),
        "grid_url": _grid_url(sub.data_set_id, sub.period_id, sub.region_id, sub.unit_id),
        "window": selectors.window_of(sub), "today": _today(),
    })


@require_POST
def submission_reopen(request, pk):
    """补报: the office reopens a closed window for this reporter until a date."""
    scope = Scope.for_user(request.user)
    sub = selectors.submission_get(scope, pk)
    if not selectors.can_review(scope, sub):
        raise PermissionDenied
    try:
        until = date.fromisoformat(request.POST.get("until", ""))
    except ValueError:
        messages.error(request, "请填写开放截止日期（格式 2027-02-28）。")
        return redirect("collection:submission", pk=pk)
    try:
        services.lock_exception_open(actor=request.user, data_set=sub.data_set, period=sub.period_id, region=sub.region,
                                     unit=sub.unit, until=until, reason=request.POST.get("reason", ""))
        messages.success(request, f"已为{sub}开放补报至 {until:%Y-%m-%d}。")
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("collection:submission", pk=pk)


@require_http_methods(["GET", "POST"])
def rules(request):
    """Rules that apply to the office's region; an office adds local ones."""
    scope = Scope.for_user(request.user)
    if not (scope.is_admin or scope.is_office):
        raise PermissionDenied
    region = selectors.own_reporter(scope).region if scope.region_id else None
    error = outlier_error = None
    if request.method == "POST" and request.POST.get("form") == "outlier":
        try:
            tunable = selectors.outlier_settings(scope)["tunable"]
            indicator = next((i for i in tunable if i.code == request.POST.get("indicator")), None)
            if indicator is None:
                raise ApplicationError("请选择可调整的指标。", field="indicator")
            services.outlier_rule_save(actor=request.user, indicator=indicator,
                                       enabled=request.POST.get("enabled") == "1",
                                       **{n: request.POST.get(n, "") for n in services.OUTLIER_FIELDS})
            messages.success(request, f"“{indicator.name}”的异常值阈值已保存。")
            return redirect("collection:rules")
        except ApplicationError as exc:
            outlier_error = exc.message
    elif request.method == "POST" and region is not None:
        try:
            services.rule_create(actor=request.user, region=region, code=request.POST.get("code", "").strip(),
                                 name=request.POST.get("name", ""), expression=request.POST.get("expression", ""),
                                 severity=request.POST.get("severity", "blocking"),
                                 message=request.POST.get("message", ""))
            messages.success(request, "审核规则已添加。")
            return redirect("collection:rules")
        except ApplicationError as exc:
            error = exc.message
    return render(request, "collection/rules.html", {"rules": selectors.rules_for(scope), "error": error,
                                                     "region": region, "posted": request.POST,
                                                     "outlier": selectors.outlier_settings(scope),
                                                     "outlier_error": outlier_error})


_ACTIONS = {
    "submit": (services.submission_submit, "已提交"),
    "return": (services.submission_return, "已退回"),
    "approve": (services.submission_approve, "已审核通过"),
    "unapprove": (services.submission_unapprove, "已取消审核"),
    "accept": (services.submission_accept, "已接收"),
    "withdraw": (services.submission_withdraw, "已撤回，可修改后重新提交"),
}


@require_POST
def submission_action(request, pk, action):
    scope = Scope.for_user(request.user)
    sub = selectors.submission_get(scope, pk)
    if action not in _ACTIONS:
        raise Http404
    service, done = _ACTIONS[action]
    try:
        service(actor=request.user, submission=sub, reason=request.POST.get("reason", ""))
        messages.success(request, f"{sub}{done}。")
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect(safe_next(request) or reverse("collection:submission", args=[pk]))


@require_safe
def review(request):
    scope = Scope.for_user(request.user)
    if not (scope.is_admin or scope.is_office):
        raise PermissionDenied
    queue = selectors.review_queue(scope)
    status = request.GET.get("status", SubmissionStatus.SUBMITTED)
    if status:
        queue = queue.filter(status=status)
    return render(request, "collection/review.html", {"queue": queue[:300], "status": status,
                                                      "statuses": SubmissionStatus.choices[1:],
                                                      "batch": status == SubmissionStatus.SUBMITTED})


@require_POST
def review_approve(request):
    """批量审核通过 of the ticked returns; those with a rule hint or a flagged figure are left for one-by-one review."""
    scope = Scope.for_user(request.user)
    if not (scope.is_admin or scope.is_office):
        raise PermissionDenied
    ids = [int(v) for v in request.POST.getlist("ids") if v.isdigit()]
    chosen = list(selectors.review_queue(scope).filter(pk__in=ids))
    if not chosen:
        messages.error(request, "请先勾选要审核通过的填报。")
        return redirect(reverse("collection:review"))
    approved, left = services.submission_approve_batch(actor=request.user, submissions=chosen)
    if approved:
        messages.success(request, f"已审核通过 {len(approved)} 份填报。")
    for sub, why in left[:10]:
        messages.warning(request, f"{sub}未审核：{why}。")
    if len(left) > 10:
        messages.warning(request, f"另有 {len(left) - 10} 份未审核。")
    return redirect(reverse("collection:review"))


# -- completeness and violations --------------------------------------------------------------------------------------


def _data_set_and_period(request, scope):
    from .models import DataSet
    options = [ds for ds in DataSet.objects.filter(is_active=True).select_related("region")
               if scope.is_admin or scope.sees_region(ds.region) or scope.sees_region_or_ancestor(ds.region)]
    if not options:
        return options, None, None
    chosen = next((d for d in options if str(d.pk) == request.GET.get("ds")), options[0])
    from .reporting import recent_periods
    period = _period(request.GET["period"]) if request.GET.get("period") else recent_periods(chosen, _today())[0]
    return options, chosen, period


@require_safe
def completeness(request):
    scope = Scope.for_user(request.user)
    if scope.is_filler:
        raise PermissionDenied
    options, ds, period = _data_set_and_period(request, scope)
    report = selectors.completeness(scope, ds, period) if ds else None
    contacts = selectors.contacts_for([r.reporter for r in report.missing]) if report else {}
    if report and request.GET.get("format") == "csv":
        return _chase_csv(report, contacts)
    return render(request, "collection/completeness.html", {
        "options": options, "ds": ds, "period": period, "report": report, "contacts": contacts,
        "periods": _period_choices(ds) if ds else [],
        "chase_text": "\n".join(f"{r.reporter.name}：{r.status_label}" for r in report.missing) if report else "",
    })


def _period_choices(ds):
    from .reporting import recent_periods
    return recent_periods(ds, _today(), count=4)


def _chase_csv(report, contacts) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="cuibao-{report.period.id}.csv"'
    response.write("\ufeff")  # Excel opens UTF-8 CSV correctly only with a BOM
    writer = csv.writer(response)
    writer.writerow(["单位/区域", "状态", "截止日期", "联系人"])
    for row in report.missing:
        contact = contacts.get(row.reporter.key, "")
        writer.writerow(safe_row([row.reporter.name, row.status_label, f"{report.due:%Y-%m-%d}", contact]))
    return response


@require_safe
def violations(request):
    scope = Scope.for_user(request.user)
    if not (scope.is_admin or scope.is_office or scope.is_filler):
        raise PermissionDenied  # viewers read approved figures only, never the checks of drafts
    options, ds, period = _data_set_and_period(request, scope)
    rows = selectors.violations(scope, ds, period) if ds else []
    return render(request, "collection/violations.html", {
        "options": options, "ds": ds, "period": period, "rows": rows, "scope": scope,
        "periods": _period_choices(ds) if ds else [],
    })
