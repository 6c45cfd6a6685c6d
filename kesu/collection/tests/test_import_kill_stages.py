"""A worker killed (SIGKILL) at each stage of an Excel import: the status the job's page shows matches the rows that
are in the database — 导入被中断 with nothing written before the commit, 已导入 with every row after it."""

import os
import signal
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from kesu.collection.excel import jobs, testing
from kesu.collection.models import Activity, ExcelImport
from kesu.core.models import AuditEvent
from kesu.core.tests.childproc import WAIT_LIMIT, Gate, child_env, start

from .conftest import YEAR

pytestmark = pytest.mark.django_db(transaction=True)
ROWS = 40


@pytest.fixture(autouse=True)
def _instance(settings, tmp_path):
    settings.DATA_DIR = tmp_path  # the worker's liveness lock (SQLite) lives here; the children share the folder
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.KESU_EXCEL_SYNC_BYTES = 1  # every file goes to the background worker
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _checked_job(client, world) -> ExcelImport:
    client.force_login(world.filler)
    reporter = [YEAR, world.county.pk, world.edu.pk]
    template = client.get(reverse("collection:excel_template", args=reporter)).content
    rows = [testing.activity(f"科普讲座{i:03d}", f"{YEAR}-04-{1 + i % 28:02d}") for i in range(ROWS)]
    client.post(reverse("collection:excel_upload", args=reporter),
                {"file": SimpleUploadedFile("活动.xlsx", testing.fill(template, activities=rows))})
    job = ExcelImport.objects.get()
    DBTaskResult.objects.all().delete()  # the check runs here, not in the worker under test
    jobs.run_check(job.pk)
    job.refresh_from_db()
    assert job.status == "ready", job.problems[:3]
    client.post(reverse("collection:excel_commit", args=[job.pk]))
    return job


def _page_once_settled(client, job) -> str:
    """The job's page once it no longer shows a running job (the dead worker's lock is noticed)."""
    deadline = time.monotonic() + WAIT_LIMIT
    while True:
        page = client.get(reverse("collection:excel_preview", args=[job.pk])).content.decode()
        if "excel-progress" not in page or time.monotonic() > deadline:
            return page
        time.sleep(0.2)


@pytest.mark.parametrize("stage, written", [("读取文件", False), ("写入数据库", False), ("rows", False),
                                            ("committed", True)])
def test_the_status_shown_matches_the_rows_present(client, world, tmp_path, stage, written):
    job = _checked_job(client, world)
    gate = Gate(tmp_path / "gate")
    worker = start("kesu.collection.tests.proc_worker_kill", "die_at", {"gate": str(gate.folder), "stage": stage},
                   env=child_env(tmp_path))
    gate.wait_for("reached")
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait(timeout=WAIT_LIMIT)

    activities = Activity.objects.filter(unit=world.edu).count()
    events = AuditEvent.objects.filter(object_type="collection.activity").count()
    page = _page_once_settled(client, job)
    job.refresh_from_db()
    if written:
        assert activities == ROWS and events == ROWS
        assert job.status == "done" and "已导入" in page and "回滚" not in page and "中断" not in page
    else:
        assert activities == 0 and events == 0
        assert job.status == "failed" and jobs.INTERRUPTED_IMPORT in page
