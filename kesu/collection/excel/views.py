"""Pages of the Excel import: download the template, upload, preview the problems, confirm, follow a job."""

from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.http import FileResponse, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from kesu.accounts.scope import Scope
from kesu.core import clock
from kesu.core.exceptions import ApplicationError
from kesu.core.periods import Period
from kesu.orgs.models import Unit
from kesu.regions.models import Region

from ..models_jobs import ExcelImport
from ..services.common import require_writer
from . import jobs
from . import problems as problem_list
from .context import Reporter, build_context, resolve_reporter
from .template import build_template, template_filename

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _reporter(request, period_id, region_id, unit_id) -> tuple[Scope, Reporter]:
    scope = Scope.for_user(request.user)
    try:
        return scope, resolve_reporter(scope, region_id=region_id, unit_id=unit_id, period_id=period_id)
    except ApplicationError:
        raise PermissionDenied from None


def _job(request, pk) -> ExcelImport:
    """A job is visible to whoever may write for its reporter (the uploader always can)."""
    job = get_object_or_404(ExcelImport.objects.select_related("region", "unit", "user"), pk=pk)
    require_writer(Scope.for_user(request.user), job.region, job.unit)
    return job


def _reporter_args(reporter: Reporter) -> list:
    return [reporter.period.id, reporter.region.pk, reporter.unit.pk if reporter.unit else 0]


FIRST_YEAR = 2000  # the earliest year offered for history (the 2006 纲要's figures and a margin before them)


def _start_year(request) -> int:
    """The year the office picked (``?year=``), else this year; an unreadable or future year falls back to it."""
    this_year = clock.today().year
    raw = request.GET.get("year", "")
    return int(raw) if raw.isdigit() and FIRST_YEAR <= int(raw) <= this_year else this_year


@require_GET
def excel_start(request):
    """Where a 填报员 lands from the menu: the upload page of its own unit for the current year.

    An office picks the year; for a year that is over it can load the figures as history (years before kesu).
    """
    scope = Scope.for_user(request.user)
    if scope.is_filler:
        return redirect("collection:excel_upload", str(clock.today().year), scope.region_id, scope.unit_id)
    if not (scope.is_office or scope.is_admin):
        raise PermissionDenied
    year = _start_year(request)
    units = Unit.objects.filter(scope.unit_q()).select_related("region").order_by("region__path", "sort", "id")[:300]
    own = Region.objects.filter(pk=scope.region_id).first() if scope.region_id else None
    return render(request, "collection/excel/start.html", {
        "units": units, "year": str(year), "own_region": own, "past": year < clock.today().year,
        "years": list(range(clock.today().year, FIRST_YEAR - 1, -1))})


def excel_template(request, period_id, region_id, unit_id):
    scope, reporter = _reporter(request, period_id, region_id, unit_id)  # the scope check before the method check
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET"])
    history = request.GET.get("history") == "1" and _may_load_history(scope, reporter)
    ctx = build_context(reporter, history=history)
    response = HttpResponse(build_template(ctx), content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(template_filename(ctx))}"
    return response


def _may_load_history(scope: Scope, reporter: Reporter) -> bool:
    try:
        jobs.history_guard(scope, reporter)
    except (PermissionDenied, ApplicationError):
        return False
    return True


def excel_upload(request, period_id, region_id, unit_id):
    scope, reporter = _reporter(request, period_id, region_id, unit_id)
    error = None
    history = request.POST.get("history") == "1" if request.method == "POST" else request.GET.get("history") == "1"
    if request.method == "POST":
        uploaded = request.FILES.get("file")
        if uploaded is None:
            error = "请选择要上传的 Excel 文件。"
        else:
            try:
                job = jobs.excel_import_create(actor=request.user, reporter=reporter, uploaded_file=uploaded,
                                               history=history)
            except ApplicationError as exc:
                error = exc.message
            else:
                return redirect("collection:excel_preview", job.pk)
    recent = (ExcelImport.objects.filter(user=request.user, region=reporter.region, unit=reporter.unit,
                                         period_id=reporter.period.id).order_by("-created_at")[:10])
    return render(request, "collection/excel/upload.html", {
        "reporter": reporter, "args": _reporter_args(reporter), "error": error, "recent": recent,
        "periods": _nearby_periods(reporter.period), "history": history,
        "may_load_history": _may_load_history(scope, reporter),
    }, status=400 if error else 200)


def _nearby_periods(period: Period) -> list[Period]:
    return [Period(period.year - 1, period.kind, period.index), period]


def _groups(problems: list[dict]) -> list[dict]:
    """Problems grouped by sheet, then row (a file-level problem has no sheet)."""
    groups: dict[str, dict] = {}
    for p in problems:
        sheet = p.get("sheet") or "文件"
        group = groups.setdefault(sheet, {"sheet": sheet, "rows": {}, "count": 0, "blocking": 0})
        group["rows"].setdefault(p.get("row"), []).append(p)
        group["count"] += 1
        group["blocking"] += 1 if p.get("blocking", True) else 0
    out = []
    for group in groups.values():
        group["rows"] = [{"row": row, "items": items} for row, items in
                         sorted(group["rows"].items(), key=lambda kv: kv[0] or 0)]
        out.append(group)
    return out


def excel_preview(request, pk):
    job = _job(request, pk)
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET"])
    job = jobs.excel_import_reap(job=job)
    reporter = Reporter(region=job.region, unit=job.unit, period=Period.parse(job.period_id))
    return render(request, "collection/excel/preview.html", {
        "job": job, "reporter": reporter, "args": _reporter_args(reporter), "groups": _groups(job.problems),
        "can_commit": job.user_id == request.user.pk and job.status == "ready" and not job.blocking_count,
        "can_retry": job.user_id == request.user.pk and job.status == "failed",
    })


def excel_commit(request, pk):
    job = _job(request, pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        job = jobs.excel_import_commit(actor=request.user, job=job)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        if job.status == "done":
            messages.success(request, f"“{job.original_name}”已导入。")
    return redirect("collection:excel_preview", job.pk)


def excel_retry(request, pk):
    job = _job(request, pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        job = jobs.excel_import_retry(actor=request.user, job=job)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("collection:excel_preview", job.pk)


def excel_problems(request, pk):
    """The whole problem list of a check as CSV (the page shows only the first ones)."""
    job = _job(request, pk)
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET"])
    filename = quote(f"{job.original_name}-问题清单.csv")
    path = problem_list.list_path(job.file.name)
    if job.problems_capped and default_storage.exists(path):
        response = FileResponse(default_storage.open(path, "rb"), content_type="text/csv; charset=utf-8")
    else:  # a short list is kept whole on the job
        response = HttpResponse(problem_list.as_csv(job.problems), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}"
    return response


def excel_job(request, pk):
    """The progress partial the preview page polls every second; when the job stops, the page reloads."""
    job = _job(request, pk)
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET"])
    job = jobs.excel_import_reap(job=job)
    response = render(request, "collection/excel/partials/progress.html", {"job": job})
    if not job.is_running and request.headers.get("HX-Request"):
        response["HX-Redirect"] = reverse("collection:excel_preview", args=[job.pk])
    return response
