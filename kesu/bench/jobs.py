"""Background latency: a real ``kesu worker`` process, tasks enqueued one at a time, queue → start and queue → done
read from the queue's own timestamps (``enqueued_at``, ``started_at``, ``finished_at``).

The worker polls only every 60 s here, so a start within a second is the wake-up's doing, not the poll's.
"""

import os
import signal
import subprocess
import sys
import time

from django_tasks import task

WAIT_S = 60


@task()
def bench_job(label: str) -> str:
    """A small job: one audit event written, as the real jobs' bookkeeping does."""
    from kesu.core import audit

    audit.record(actor=None, action="基准测试任务", object_type="bench", object_id=label, object_repr=label)
    return label


def measure(runs: int) -> dict:
    from django.db import connections
    from django_tasks_db.models import DBTaskResult

    from kesu.core.models import WorkerBeat

    connections.close_all()
    env = {**os.environ, "KESU_WORKER_POLL_SECONDS": "60", "KESU_LOG_LEVEL": "ERROR"}
    worker = subprocess.Popen([sys.executable, "-m", "kesu.cli", "worker"], env=env)
    start, done = [], []
    try:
        _wait(lambda: WorkerBeat.objects.filter(pid=worker.pid).exists())
        for i in range(runs + 1):
            result = bench_job.enqueue(f"job-{i}")  # the configured backend: the database queue
            _wait(lambda pk=result.id: DBTaskResult.objects.filter(pk=pk, finished_at__isnull=False).exists())
            row = DBTaskResult.objects.get(pk=result.id)
            if i:  # the first is the warm-up (imports in the worker)
                start.append((row.started_at - row.enqueued_at).total_seconds() * 1000)
                done.append((row.finished_at - row.enqueued_at).total_seconds() * 1000)
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=WAIT_S)
    return {"start_ms": start, "done_ms": done}


def _wait(condition) -> None:
    deadline = time.monotonic() + WAIT_S
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError("后台任务处理进程 60 秒内没有响应")
        time.sleep(0.01)
