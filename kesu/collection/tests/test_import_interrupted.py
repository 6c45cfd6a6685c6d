"""An Excel import whose worker process is killed (SIGKILL) while it writes: nothing half-written, the job page says
it was interrupted, and 重新运行 imports the same file in full."""

import os
import signal
import subprocess
import sys
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kesu.collection.excel import jobs, testing
from kesu.collection.models import Activity, ExcelImport
from kesu.core.models import AuditEvent
from kesu.core.tests.childproc import WAIT_LIMIT, Gate, child_env, result, start

from .conftest import YEAR

pytestmark = pytest.mark.django_db(transaction=True)

ROWS = 1500
Y = int(YEAR)


@pytest.fixture(autouse=True)
def _instance(settings, tmp_path):
    settings.DATA_DIR = tmp_path  # the worker's liveness lock (SQLite) lives here; the children share the folder
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.KESU_EXCEL_SYNC_BYTES = 1  # every file goes to the background worker
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _run_worker(env) -> None:
    """The task worker as an operator runs it, until the queue is empty."""
    done = subprocess.run([sys.executable, "-m", "kesu.cli", "manage", "db_worker", "--batch", "--no-startup-delay"],
                          env=env, capture_output=True, text=True, timeout=WAIT_LIMIT * 3)
    assert done.returncode == 0, done.stderr[-3000:]


def _activity_events() -> int:
    return AuditEvent.objects.filter(object_type="collection.activity").count()


def test_an_import_killed_while_writing_leaves_no_rows_and_can_be_run_again(client, world, tmp_path):
    client.force_login(world.filler)
    reporter = [YEAR, world.county.pk, world.edu.pk]
    template = client.get(reverse("collection:excel_template", args=reporter)).content
    rows = [testing.activity(f"乡村振兴科普培训{i:04d}", f"{Y}-03-{1 + i % 28:02d}") for i in range(ROWS)]
    content = testing.fill(template, activities=rows)
    client.post(reverse("collection:excel_upload", args=reporter), {"file": SimpleUploadedFile("全年活动.xlsx", content)})
    job = ExcelImport.objects.get()
    env = child_env(tmp_path)
    _run_worker(env)  # the check
    job.refresh_from_db()
    assert job.background and job.status == "ready", job.problems[:3]
    client.post(reverse("collection:excel_commit", args=[job.pk]))

    gate = Gate(tmp_path / "gate")
    worker = start("kesu.collection.tests.proc_actions", "worker_dies_while_writing", {"gate": str(gate.folder)},
                   env=env)
    gate.wait_for("inserted")  # every row is written inside the worker's open transaction
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait(timeout=WAIT_LIMIT)
    assert worker.returncode == -signal.SIGKILL

    assert Activity.objects.count() == 0 and _activity_events() == 0  # nothing half-written
    job.refresh_from_db()
    assert job.status == "importing"  # what the dead worker left behind

    # The job's page finds the worker gone (its lock died with it; PostgreSQL may take a moment to notice).
    deadline = time.monotonic() + WAIT_LIMIT
    while True:
        page = client.get(reverse("collection:excel_preview", args=[job.pk])).content.decode()
        if "导入被中断" in page or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert jobs.INTERRUPTED_IMPORT in page and 'id="excel-retry"' in page and "excel-progress" not in page
    job.refresh_from_db()
    assert job.status == "failed" and job.error == jobs.INTERRUPTED_IMPORT

    client.post(reverse("collection:excel_retry", args=[job.pk]))
    _run_worker(env)
    job.refresh_from_db()
    assert job.status == "done", job.error
    assert Activity.objects.filter(unit=world.edu).count() == ROWS and _activity_events() == ROWS


def test_a_live_worker_is_not_taken_for_dead(client, world, tmp_path):
    client.force_login(world.filler)
    reporter = [YEAR, world.county.pk, world.edu.pk]
    content = testing.fill(client.get(reverse("collection:excel_template", args=reporter)).content)
    client.post(reverse("collection:excel_upload", args=reporter), {"file": SimpleUploadedFile("a.xlsx", content)})
    job = ExcelImport.objects.get()
    ExcelImport.objects.filter(pk=job.pk).update(status="checking")
    gate = Gate(tmp_path / "gate")
    holder = start("kesu.collection.tests.proc_actions", "hold_job_lock", {"gate": str(gate.folder), "job_id": job.pk},
                   env=child_env(tmp_path))
    gate.wait_for("holding")
    page = client.get(reverse("collection:excel_preview", args=[job.pk])).content.decode()
    gate.mark("release")
    assert result(holder) == {"ok": True}
    assert "检查被中断" not in page and 'hx-trigger="every 1s"' in page
    job.refresh_from_db()
    assert job.status == "checking"
    # Once the holder is gone, the same page reports the interruption.
    page = client.get(reverse("collection:excel_preview", args=[job.pk])).content.decode()
    assert jobs.INTERRUPTED_CHECK in page
