"""Import jobs: upload → check (preview) → commit, synchronously for small files and as background tasks
(django-tasks, run by ``kesu worker``) for large ones. The page polls the job row for its progress."""

import logging
import uuid
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from kesu.accounts.scope import Scope
from kesu.core import clock, liveness, worker
from kesu.core.exceptions import ApplicationError
from kesu.core.periods import Period

from ..models_jobs import ExcelImport, ImportStatus
from ..services.common import require_writer
from . import importer, safety
from . import problems as problem_list
from .context import Reporter, build_context

# Set on a job whose worker died mid-way; nothing was written (the import is one transaction).
INTERRUPTED_CHECK = "检查被中断：处理进程意外退出（例如服务器重启或被强制结束），未写入任何数据。请点击“重新运行”再次检查。"
INTERRUPTED_IMPORT = ("导入被中断：处理进程意外退出（例如服务器重启或被强制结束）。导入是一个整体事务，已全部回滚，"
                      "未写入任何数据。请点击“重新运行”再次导入。")

log = logging.getLogger(__name__)


def sync_limit_bytes() -> int:
    """Files up to this size are checked and imported within the request; larger ones go to the worker."""
    return getattr(settings, "KESU_EXCEL_SYNC_BYTES", 256 * 1024)


def _display_name(uploaded_file) -> str:
    name = (getattr(uploaded_file, "name", "") or "上传文件.xlsx").replace("\\", "/").rsplit("/", 1)[-1]
    return name[:200]


def excel_import_create(*, actor, reporter: Reporter, uploaded_file, history: bool = False) -> ExcelImport:
    """Store an upload for ``reporter`` after the checks that need no parsing (size, signature, zip directory).

    ``history``: the file holds figures of a year kesu never collected, loaded as approved history — the office's
    job alone, and only for a period that is over (the figure service checks each row again).
    """
    scope = Scope.for_user(actor)
    if history:
        history_guard(scope, reporter)
    else:
        require_writer(scope, reporter.region, reporter.unit)
    name = _display_name(uploaded_file)
    # Size first, from the upload's declared size (Django has already streamed it to a temporary file).
    safety.check_size(uploaded_file.size, name)
    uploaded_file.seek(0)
    safety.check_signature(uploaded_file.read(8), name)
    uploaded_file.seek(0)
    job = ExcelImport(user=actor, region=reporter.region, unit=reporter.unit, period_id=reporter.period.id,
                      history=history, original_name=name, size=uploaded_file.size,
                      background=uploaded_file.size > sync_limit_bytes())
    job.file.save(f"{uuid.uuid4().hex}.xlsx", uploaded_file, save=False)
    try:
        safety.inspect_zip(job.file.path, name)
    except ApplicationError:
        job.file.delete(save=False)
        raise
    job.save()
    if job.background:
        transaction.on_commit(lambda: _enqueue("check", job.pk))
    else:
        run_check(job.pk)
        job.refresh_from_db()
    return job


def history_guard(scope: Scope, reporter: Reporter) -> None:
    """Only the office that manages the region loads history, and only for a period that is over."""
    if not scope.manages_region(reporter.region):
        raise PermissionDenied("只有本区域及上级办公室可以导入历史数据")
    if reporter.period.end >= clock.today():
        raise ApplicationError(f"{reporter.period.label}尚未结束，不能作为历史数据导入；请按正常填报上传。", field="history")


def excel_import_commit(*, actor, job: ExcelImport) -> ExcelImport:
    """确认导入: only the uploader, only a checked job without blocking problems."""
    if job.user_id != actor.pk:
        raise PermissionDenied
    with transaction.atomic():
        job = ExcelImport.objects.select_for_update().get(pk=job.pk)
        if job.status == ImportStatus.DONE:
            raise ApplicationError(f"“{job.original_name}”已导入，无需重复导入。", field="file")
        if job.status != ImportStatus.READY or job.blocking_count:
            raise ApplicationError(f"“{job.original_name}”当前为“{job.get_status_display()}”，不能导入。请先修改文件中的问题后重新上传。",
                                   field="file")
        # 排队中 until a worker takes it: only a running worker sets 导入中 (see ``excel_import_reap``).
        job.status, job.stage, job.progress = ImportStatus.PENDING, "排队等待导入", 0
        job.save(update_fields=["status", "stage", "progress", "updated_at"])
    if job.background:
        _enqueue("commit", job.pk)
    else:
        run_commit(job.pk)
        job.refresh_from_db()
    return job


def _lock_name(job_id: int) -> str:
    return f"excel-import-{job_id}"


def excel_import_reap(*, job: ExcelImport) -> ExcelImport:
    """A job shown as 检查中/导入中 whose worker no longer holds its lock was interrupted: say so on the job.

    Called when its page is looked at. The worker holds the lock from before it marks the job running until after
    it records the outcome, so a free lock with a running status means the process died mid-way.
    """
    if job.status not in (ImportStatus.CHECKING, ImportStatus.IMPORTING) or liveness.is_held(_lock_name(job.pk)):
        return job
    with transaction.atomic():
        current = ExcelImport.objects.select_for_update().get(pk=job.pk)
        if current.status in (ImportStatus.CHECKING, ImportStatus.IMPORTING):
            message = INTERRUPTED_IMPORT if current.status == ImportStatus.IMPORTING else INTERRUPTED_CHECK
            _finish(job.pk, status=ImportStatus.FAILED, error=message)
            log.warning("Excel import %s was interrupted (%s)", job.pk, current.status)
    job.refresh_from_db()
    return job


def excel_import_retry(*, actor, job: ExcelImport) -> ExcelImport:
    """重新运行 a failed job: the check again, or — when its check had passed — the import again (which re-checks)."""
    if job.user_id != actor.pk:
        raise PermissionDenied
    with transaction.atomic():
        job = ExcelImport.objects.select_for_update().get(pk=job.pk)
        if job.status != ImportStatus.FAILED:
            raise ApplicationError(f"“{job.original_name}”当前为“{job.get_status_display()}”，无需重新运行。", field="file")
        commit = bool(job.summary) and not job.blocking_count
        job.status, job.stage, job.progress, job.error = ImportStatus.PENDING, "排队等待重新运行", 0, ""
        job.save(update_fields=["status", "stage", "progress", "error", "updated_at"])
    if job.background:
        _enqueue("commit" if commit else "check", job.pk)
    else:
        (run_commit if commit else run_check)(job.pk)
        job.refresh_from_db()
    return job


def _enqueue(kind: str, job_id: int) -> None:
    from .tasks import check_import, commit_import

    task = check_import if kind == "check" else commit_import
    worker.enqueue(task, job_id, label=f"Excel import task {kind} {job_id}")


# -- the work itself (called inline or by the tasks) ----------------------------------------------------------------


def _progress(job_id: int):
    def step(stage: str, pct: int) -> None:
        ExcelImport.objects.filter(pk=job_id).update(stage=stage, progress=max(0, min(pct, 100)),
                                                     updated_at=timezone.now())
    return step


def _reporter(job: ExcelImport) -> Reporter:
    return Reporter(region=job.region, unit=job.unit, period=Period.parse(job.period_id))


def _run(job_id: int, *, commit: bool) -> None:
    # The lock says "a live process works on this job" until the outcome is recorded (see excel_import_reap).
    with liveness.held(_lock_name(job_id)):
        _run_locked(job_id, commit=commit)


def _run_locked(job_id: int, *, commit: bool) -> None:
    job = ExcelImport.objects.select_related("user", "region", "unit").get(pk=job_id)
    running = ImportStatus.IMPORTING if commit else ImportStatus.CHECKING
    ExcelImport.objects.filter(pk=job_id).update(status=running)
    try:
        ctx = build_context(_reporter(job), history=job.history)
        outcome = importer.run(Path(job.file.path), job.original_name, ctx, actor=job.user, commit=commit,
                               progress=_progress(job_id) if job.background else None,
                               on_written=lambda written: _record_written(job_id, written), history=job.history)
    except ApplicationError as exc:
        _finish(job_id, status=ImportStatus.INVALID, problems=[{"sheet": "", "row": None, "column": "文件",
                                                                "message": exc.message, "blocking": True}],
                summary={})
        return
    except PermissionDenied:
        _finish(job_id, status=ImportStatus.FAILED, error="无权导入该单位的数据。")
        return
    except Exception:  # an unexpected failure is recorded for the page rather than lost in the worker log
        log.exception("Excel import %s failed", job_id)
        _finish(job_id, status=ImportStatus.FAILED, error="导入时发生系统错误，未写入任何数据。请稍后重试或联系管理员。")
        return
    problems, counts = problem_list.store(job.file.name, outcome.problems)
    outcome.summary[problem_list.COUNTS_KEY] = counts
    if outcome.committed:
        status = ImportStatus.DONE
    elif outcome.blocking:
        status = ImportStatus.INVALID
    else:
        status = ImportStatus.READY
    _finish(job_id, status=status, problems=problems, summary=outcome.summary, total_rows=outcome.total_rows)


def _record_written(job_id: int, outcome) -> None:
    """已导入, recorded inside the import's own transaction: the status commits with the rows or not at all, so a
    process killed just after the commit leaves a job that says 已导入 (and one killed before, rows that are not
    there). Without this, a job left 导入中 by a dead worker could not tell which side of the commit it died on."""
    _finish(job_id, status=ImportStatus.DONE, problems=[p.as_dict() for p in outcome.problems],
            summary=outcome.summary, total_rows=outcome.total_rows)


def _finish(job_id: int, *, status: str, problems=None, summary=None, total_rows=None, error: str = "") -> None:
    fields = {"status": status, "stage": ImportStatus(status).label, "progress": 100, "error": error,
              "updated_at": timezone.now()}
    if problems is not None:
        fields["problems"] = problems
    if summary is not None:
        fields["summary"] = summary
    if total_rows is not None:
        fields["total_rows"] = total_rows
    if status in (ImportStatus.DONE, ImportStatus.FAILED):
        fields["finished_at"] = timezone.now()
    ExcelImport.objects.filter(pk=job_id).update(**fields)


def run_check(job_id: int) -> None:
    _run(job_id, commit=False)


def run_commit(job_id: int) -> None:
    _run(job_id, commit=True)
