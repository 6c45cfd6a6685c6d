"""Pages of the reports app: choose region, period and kind → generate → preview with source links → download;
versions with compare; the office's templates; report packs with progress."""

from urllib.parse import quote, urlencode

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from kesu.accounts.scope import Scope
from kesu.analytics.charts import default_year
from kesu.core import clock
from kesu.core.exceptions import ApplicationError
from kesu.core.htmx import is_htmx_partial

from . import context as context_builder
from . import selectors, services
from .builders import kinds, templates
from .builders.html_builder import standalone_html
from .builders.pdf import PdfUnavailable, docx_to_pdf, font_problem, pdf_available
from .models import JobStatus

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _scope(request) -> Scope:
    """Reports are for offices, viewers and admins; a 填报员 writes figures, not reports."""
    scope = Scope.for_user(request.user)
    scope.require(not scope.is_filler)
    return scope


def _manager_scope(request) -> Scope:
    scope = _scope(request)
    scope.require(scope.can_manage)
    return scope


def _attachment(data: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def _default_period(region) -> str:
    """The latest year with approved figures for ``region``: the year a report would be written about."""
    return str(default_year(region)) if region is not None else str(clock.today().year - 1)


@require_GET
def index(request):
    scope = _scope(request)
    regions = list(selectors.regions_for(scope))
    first = regions[0] if regions else None
    chosen = {
        "region": request.GET.get("region") or (first.code if first else ""),
        "period": request.GET.get("period") or _default_period(first),
        "kind": request.GET.get("kind") or kinds.ANNUAL_SUMMARY,
        "report_date": request.GET.get("report_date", ""),
    }
    return render(request, "reports/index.html", {
        "regions": regions, "kinds": kinds.CHOICES, "chosen": chosen,
        "versions": selectors.versions(scope)[:30], "jobs": selectors.jobs(scope),
        "pdf_available": pdf_available(), "can_generate": scope.can_manage,
    })


@require_POST
def generate(request):
    scope = _manager_scope(request)
    try:
        region = selectors.region_get(scope, request.POST.get("region", ""))
        report_date = services.parse_report_date(request.POST.get("report_date", ""))
        version = services.report_generate(actor=request.user, region=region, period=request.POST.get("period", ""),
                                           kind=request.POST.get("kind", ""), report_date=report_date)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        query = urlencode({name: request.POST.get(name, "") for name in ("region", "period", "kind", "report_date")})
        return redirect(f"{reverse('reports:index')}?{query}")
    messages.success(request, f"已生成《{version.title}》第{version.number}版（用时{version.seconds:.1f}秒）。")
    if version.chart_problem:
        messages.warning(request, version.chart_problem)
    return redirect("reports:version_detail", pk=version.pk)


@require_GET
def version_detail(request, pk):
    scope = _scope(request)
    version = selectors.version_get(scope, pk)
    current_state = context_builder.data_state(version.region)
    return render(request, "reports/version_detail.html", {
        "version": version, "others": selectors.siblings(version), "pdf_available": pdf_available(),
        "pdf_font_problem": font_problem(),
        "outdated": not version.data_state.startswith(current_state), "kind_label": kinds.LABELS[version.kind],
        "can_manage": scope.manages_region(version.region),
    })


@require_POST
def regenerate(request, pk):
    scope = _manager_scope(request)
    version = selectors.version_get(scope, pk)
    scope.require(scope.manages_region(version.region))
    try:
        new = services.report_regenerate(actor=request.user, version=version)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("reports:version_detail", pk=pk)
    messages.success(request, f"已按最新数据重新生成第{new.number}版。")
    return redirect("reports:version_detail", pk=new.pk)


@require_GET
def download(request, pk):
    version = selectors.version_get(_scope(request), pk)
    fmt = request.GET.get("format", "docx")
    name = f"{version.title}（第{version.number}版）"
    if fmt == "docx":
        with version.docx.open("rb") as handle:
            return _attachment(handle.read(), f"{name}.docx", DOCX_TYPE)
    if fmt == "md":
        return _attachment(version.markdown.encode("utf-8"), f"{name}.md", "text/markdown; charset=utf-8")
    if fmt == "html":
        page = standalone_html(version.html, title=version.title, base_url=request.build_absolute_uri("/"))
        return _attachment(page.encode("utf-8"), f"{name}.html", "text/html; charset=utf-8")
    if fmt == "pdf":
        if not pdf_available():
            messages.error(request, "本机未安装 LibreOffice，暂不能生成 PDF；请下载 DOCX 后自行转换。")
            return redirect("reports:version_detail", pk=pk)
        try:
            with version.docx.open("rb") as handle:
                data = docx_to_pdf(handle.read())
        except PdfUnavailable as exc:
            messages.error(request, str(exc))
            return redirect("reports:version_detail", pk=pk)
        return _attachment(data, f"{name}.pdf", "application/pdf")
    raise Http404


@require_GET
def compare(request, pk):
    scope = _scope(request)
    version = selectors.version_get(scope, pk)
    other_id = request.GET.get("with")
    others = selectors.siblings(version)
    if not other_id and others:
        other_id = others[0].pk
    if not other_id:
        return render(request, "reports/compare.html", {"version": version, "only_one": True})
    try:
        other = selectors.version_get(scope, int(other_id))
    except ValueError:
        raise Http404 from None
    old, new = sorted([version, other], key=lambda v: v.number)
    return render(request, "reports/compare.html", {
        "version": version, "old": old, "new": new, "lines": selectors.diff_lines(old, new), "others": others,
    })


def _template_region(request, scope):
    code = request.POST.get("region") or request.GET.get("region")
    if code:
        try:
            return selectors.region_get(scope, code)
        except ApplicationError:
            raise Http404 from None
    regions = selectors.regions_for(scope)
    if not regions:
        raise Http404
    return regions[0]


@require_GET
def template_list(request):
    scope = _scope(request)
    region = _template_region(request, scope)
    return render(request, "reports/templates.html", {
        "region": region, "regions": selectors.regions_for(scope), "rows": selectors.templates_for(scope, region),
        "fields": [("{{p body }}" if name == "body" else "{{ " + name + " }}", meaning)
                   for name, meaning in templates.FIELDS.items()],
        "can_manage": scope.manages_region(region),
    })


@require_GET
def template_builtin(request):
    _scope(request)
    kind = request.GET.get("kind", kinds.ANNUAL_SUMMARY)
    if kind not in kinds.LABELS:
        raise Http404
    return _attachment(templates.builtin_template(kind), f"内置模板-{kinds.LABELS[kind].replace('/', '')}.docx",
                       DOCX_TYPE)


@require_GET
def template_download(request, pk):
    template = selectors.template_get(_scope(request), pk)
    with template.file.open("rb") as handle:
        return _attachment(handle.read(), template.original_name or "模板.docx", DOCX_TYPE)


@require_POST
def template_upload(request):
    scope = _manager_scope(request)
    region = _template_region(request, scope)
    scope.require(scope.manages_region(region))
    upload = request.FILES.get("file")
    back = f"{reverse('reports:templates')}?region={region.code}"
    if upload is None:
        messages.error(request, "请选择要上传的模板文件（.docx）。")
        return redirect(back)
    try:
        template = services.template_upload(actor=request.user, region=region, kind=request.POST.get("kind", ""),
                                            filename=upload.name, data=upload.read())
    except ApplicationError as exc:
        messages.error(request, exc.message + " 原模板继续使用。")
        return redirect(back)
    messages.success(request, f"模板“{template.original_name}”已通过检查并启用。")
    return redirect(back)


@require_POST
def template_reset(request):
    scope = _manager_scope(request)
    region = _template_region(request, scope)
    scope.require(scope.manages_region(region))
    try:
        services.template_reset(actor=request.user, region=region, kind=request.POST.get("kind", ""))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已恢复为内置模板。")
    return redirect(f"{reverse('reports:templates')}?region={region.code}")


@require_POST
def pack_create(request):
    scope = _manager_scope(request)
    try:
        region = selectors.region_get(scope, request.POST.get("region", ""))
        report_date = services.parse_report_date(request.POST.get("report_date", ""))
        job = services.pack_create(actor=request.user, region=region, period=request.POST.get("period", ""),
                                   kind=request.POST.get("kind", ""), report_date=report_date)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("reports:index")
    return redirect("reports:pack_detail", pk=job.pk)


@require_GET
def pack_detail(request, pk):
    job = selectors.job_get(_scope(request), pk)
    context = {"job": job, "running": job.status in (JobStatus.PENDING, JobStatus.RUNNING),
               "kind_label": kinds.LABELS[job.kind]}
    if is_htmx_partial(request):
        return render(request, "reports/partials/pack_status.html", context)
    return render(request, "reports/pack_detail.html", context)


@require_GET
def pack_download(request, pk):
    job = selectors.job_get(_scope(request), pk)
    if job.status != JobStatus.DONE or not job.result:
        raise Http404
    return FileResponse(job.result.open("rb"), as_attachment=True, filename=job.result.name.rsplit("/", 1)[-1])
