"""Every write of the reports app: generate and regenerate a report version, upload a template, run a report pack."""

import io
import re
import time
import zipfile
from datetime import date

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max

from kesu.accounts.scope import Scope
from kesu.core import audit, clock, worker
from kesu.core.demo_flag import demo_loaded
from kesu.core.exceptions import ApplicationError
from kesu.core.periods import Period
from kesu.core.uploads import check_upload
from kesu.regions.models import Region

from . import context as context_builder
from .builders import kinds, templates
from .builders.render import render_all
from .models import JobStatus, ReportJob, ReportTemplate, ReportVersion

MAX_TEMPLATE_BYTES = 5 * 1024 * 1024


def _check_kind(kind: str) -> str:
    value = kinds.parse_kind(kind)
    if value is None:
        raise ApplicationError(f"报告类型“{kind}”不存在，可选：{'、'.join(kinds.LABELS.values())}。", field="kind")
    return value


def active_template(region: Region, kind: str) -> ReportTemplate | None:
    """The office's own template for the kind: the region's, else the nearest ancestor's."""
    paths = [*region.ancestor_paths, region.path]
    rows = ReportTemplate.objects.filter(kind=kind, is_active=True, region__path__in=paths).select_related("region")
    return max(rows, key=lambda t: len(t.region.path), default=None)


def template_bytes_of(template: ReportTemplate | None) -> bytes | None:
    if template is None:
        return None
    with template.file.open("rb") as handle:
        return handle.read()


_CN_DATE = re.compile(r"^\s*(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*$")


def parse_report_date(text: str) -> date | None:
    """The 成文日期 as typed: 2026-01-15 (the date field) or 2026年1月15日; empty means the day of generation."""
    text = (text or "").strip()
    if not text:
        return None
    match = _CN_DATE.match(text)
    try:
        if match:
            return date(*(int(part) for part in match.groups()))
        return date.fromisoformat(text)
    except ValueError:
        raise ApplicationError(f"成文日期“{text}”无法识别，请写作 2026-01-15 或 2026年1月15日。",
                               field="report_date") from None


def report_generate(*, actor, region: Region, period: str | Period, kind: str, report_date: date | None = None,
                    with_charts: bool = True) -> ReportVersion:
    """A new version of the report; ``report_date`` is the 成文日期 of its 落款 (today when not given)."""
    scope = Scope.for_user(actor)
    scope.require(scope.sees_region(region))
    kind = _check_kind(kind)
    period = period if isinstance(period, Period) else Period.parse(period)
    started = time.perf_counter()
    # Not chosen: the day of generation where the office is (the server's clock may run on UTC).
    ctx = context_builder.build_context(scope, region=region, period=period, kind=kind,
                                        report_date=report_date or clock.today(), is_demo=demo_loaded())
    template = active_template(region, kind)
    template_bytes = template_bytes_of(template)
    report = render_all(ctx, template=template_bytes, with_charts=with_charts)
    with transaction.atomic():
        number = (ReportVersion.objects.select_for_update().filter(region=region, period_id=period.id, kind=kind)
                  .aggregate(m=Max("number"))["m"] or 0) + 1
        version = ReportVersion(
            region=region, period_id=period.id, kind=kind, number=number, title=report.document.title,
            html=report.html, markdown=report.markdown, text=report.text, template=template, created_by=actor,
            data_state=ctx.data_state, seconds=round(time.perf_counter() - started, 3),
            report_date=report_date, chart_problem=report.document.chart_problem[:300],
        )
        version.docx.save(f"{kind}-{number}.docx", ContentFile(report.docx), save=False)
        version.save()
        audit.record(actor=actor, action="report.generate", instance=version, region_path=region.path,
                     changes={"data_state": [None, ctx.data_state]})
    return version


def report_regenerate(*, actor, version: ReportVersion) -> ReportVersion:
    """A new version of the same region, period and kind, from the data as it is now, with the same 成文日期."""
    return report_generate(actor=actor, region=version.region, period=version.period_id, kind=version.kind,
                           report_date=version.report_date)


def template_upload(*, actor, region: Region, kind: str, filename: str, data: bytes) -> ReportTemplate:
    """Check an office's template and make it the active one; on any problem keep the previous one."""
    scope = Scope.for_user(actor)
    scope.require(scope.manages_region(region))
    kind = _check_kind(kind)
    check_upload(data, name=filename, allowed={"docx"}, max_bytes=MAX_TEMPLATE_BYTES,
                 max_uncompressed=MAX_TEMPLATE_BYTES * 10)
    problems = templates.check_template(data)
    if problems:
        raise ApplicationError(f"模板“{filename}”未通过检查：" + "；".join(p.message for p in problems),
                               field=problems[0].field or "file", extra={"problems": [p.message for p in problems]})
    with transaction.atomic():
        previous = list(ReportTemplate.objects.select_for_update().filter(region=region, kind=kind, is_active=True))
        ReportTemplate.objects.filter(pk__in=[p.pk for p in previous]).update(is_active=False)
        template = ReportTemplate(region=region, kind=kind, original_name=filename[:200], uploaded_by=actor)
        template.file.save(f"{kind}.docx", ContentFile(data), save=False)
        template.save()
        audit.record(actor=actor, action="report_template.upload", instance=template, region_path=region.path,
                     changes={"file": [previous[0].original_name if previous else "内置模板", filename]})
    return template


def template_reset(*, actor, region: Region, kind: str) -> None:
    """Go back to the built-in template for the kind."""
    scope = Scope.for_user(actor)
    scope.require(scope.manages_region(region))
    kind = _check_kind(kind)
    with transaction.atomic():
        count = ReportTemplate.objects.filter(region=region, kind=kind, is_active=True).update(is_active=False)
        if count:
            audit.record(actor=actor, action="report_template.reset", object_type="reports.reporttemplate",
                         object_id=f"{region.code}/{kind}", object_repr=f"{region} {kinds.LABELS[kind]}模板",
                         region_path=region.path)


def pack_create(*, actor, region: Region, period: str, kind: str, report_date: date | None = None) -> ReportJob:
    """Queue a report pack: one report for each lower region (the counties of a prefecture), all with the same
    成文日期 (``report_date``, the day of generation when not given)."""
    scope = Scope.for_user(actor)
    scope.require(scope.sees_region(region))
    kind = _check_kind(kind)
    period_id = Period.parse(period).id
    lower = Region.objects.filter(parent=region).count()
    if not lower:
        raise ApplicationError(f"{region.name}没有下级区域，无法批量生成。", field="region")
    with transaction.atomic():
        job = ReportJob.objects.create(region=region, period_id=period_id, kind=kind, total=lower, created_by=actor,
                                       report_date=report_date)
        audit.record(actor=actor, action="report_pack.create", instance=job, region_path=region.path)
        transaction.on_commit(lambda: _enqueue_pack(job.pk))
    return job


def _enqueue_pack(job_id: int) -> None:
    from .tasks import run_pack

    worker.enqueue(run_pack, job_id, label=f"report pack {job_id}")


def pack_run(job_id: int) -> ReportJob:
    """Generate every report of a pack and zip the DOCX files; progress is saved after each region.

    Called by the background task ``tasks.run_pack``; a job that is already running or done is left alone.
    """
    job = ReportJob.objects.select_related("region", "created_by").get(pk=job_id)
    if job.status not in (JobStatus.PENDING, JobStatus.FAILED):
        return job
    job.status, job.done, job.message = JobStatus.RUNNING, 0, ""
    job.save(update_fields=["status", "done", "message", "updated_at"])
    buffer = io.BytesIO()
    chart_problems = set()
    try:
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for child in Region.objects.filter(parent=job.region).order_by("sort", "code"):
                version = report_generate(actor=job.created_by, region=child, period=job.period_id, kind=job.kind,
                                          report_date=job.report_date)
                if version.chart_problem:
                    chart_problems.add(version.chart_problem)
                with version.docx.open("rb") as handle:
                    archive.writestr(f"{version.title}.docx", handle.read())
                job.done += 1
                job.message = f"已生成：{child.name}"
                job.save(update_fields=["done", "message", "updated_at"])
    except Exception as exc:  # noqa: BLE001 - a failed pack says why on its page instead of vanishing
        job.status = JobStatus.FAILED
        job.message = f"生成失败：{exc}"[:300]
        job.save(update_fields=["status", "message", "updated_at"])
        return job
    job.result.save(f"{job.region.name}{job.period_id}{kinds.LABELS[job.kind].replace('/', '')}.zip",
                    ContentFile(buffer.getvalue()), save=False)
    job.status, job.message = JobStatus.DONE, f"共生成{job.done}份报告"
    if chart_problems:  # the pack's page says why its reports have no charts, as a single report's page does
        job.message = f"{job.message}；{min(chart_problems)}"[:300]
    job.save(update_fields=["result", "status", "message", "updated_at"])
    return job
