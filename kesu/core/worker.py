"""The background-task worker behind ``kesu worker``: django-tasks' database worker, woken at once and seen alive.

- **Wake-up.** Enqueueing a task (any app's) sends a datagram, once the enqueueing transaction commits, to every
  worker's socket under ``KESU_DATA_DIR/wake/``; an idle worker waits on its socket instead of sleeping, so a
  queued job starts within milliseconds rather than at the next poll. The poll (``KESU_WORKER_POLL_SECONDS``, 5 s)
  remains for what a datagram cannot reach: a worker on another machine, or a task enqueued by a process that
  cannot see the folder.
- **Heartbeat.** Each worker writes its ``WorkerBeat`` row at least every ``BEAT_SECONDS``; ``workers_alive`` is
  what pages ask before telling the user that jobs are waiting for a worker that is not running.
"""

import logging
import os
import socket
import threading
import time
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import close_old_connections, transaction
from django.db.utils import OperationalError
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from .models import WorkerBeat

log = logging.getLogger("kesu.worker")
BEAT_SECONDS = 5


def poll_seconds() -> float:
    return float(getattr(settings, "KESU_WORKER_POLL_SECONDS", 5))


def wake_folder() -> Path:
    folder = Path(settings.DATA_DIR) / "wake"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def wake_workers() -> int:
    """Tell every local idle worker to look at the queue now; returns how many sockets took the datagram."""
    woken = 0
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sender:
        sender.setblocking(False)
        for path in wake_folder().glob("*.sock"):
            try:
                sender.sendto(b"1", str(path))
                woken += 1
            except (ConnectionRefusedError, FileNotFoundError):
                path.unlink(missing_ok=True)  # left by a worker that died
            except (BlockingIOError, OSError):
                pass  # its queue is full: it is already awake
    return woken


def enqueue(task, *args, label: str):
    """Queue ``task``. The immediate backend (tests, a site without a worker) runs it at once and reports a crash in
    the result instead of raising it, so the crash is logged here rather than lost."""
    result = task.enqueue(*args)
    for error in getattr(result, "errors", []):
        log.error("%s failed: %s", label, error.traceback)
    return result


def on_task_enqueued(sender, task_result, **kwargs) -> None:  # noqa: ARG001 (the signal's signature)
    # After the commit: a worker woken before it would not yet see the row.
    transaction.on_commit(wake_workers)


def workers_alive() -> bool:
    """Some worker has beaten within KESU_WORKER_ALIVE_SECONDS (a long task beats from its own thread)."""
    alive = float(getattr(settings, "KESU_WORKER_ALIVE_SECONDS", 30))
    return WorkerBeat.objects.filter(beat_at__gte=timezone.now() - timedelta(seconds=alive)).exists()


def stalled_queue(older_than: float = 5.0) -> dict | None:
    """Tasks have waited longer than ``older_than`` seconds and no worker is alive: how many, since when.

    None when all is well. One query on a healthy system (the queue has nothing that old).
    """
    waiting = DBTaskResult.objects.ready().filter(enqueued_at__lte=timezone.now() - timedelta(seconds=older_than))
    oldest = waiting.order_by("enqueued_at").values_list("enqueued_at", flat=True).first()
    if oldest is None or workers_alive():
        return None
    return {"count": waiting.count(), "since": oldest}


class KesuWorker(Worker):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.started_at = timezone.now()
        self.last_beat = 0.0
        self.inbox = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.inbox_path = wake_folder() / f"{os.getpid()}.sock"
        self.inbox_path.unlink(missing_ok=True)
        self.inbox.bind(str(self.inbox_path))

    def beat(self, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self.last_beat < BEAT_SECONDS:
            return
        self.last_beat = now
        WorkerBeat.objects.update_or_create(worker_id=self.worker_id[:64], defaults={
            "host": socket.gethostname()[:100], "pid": os.getpid(), "started_at": self.started_at,
            "beat_at": timezone.now()})

    def wait(self) -> None:
        """Sleep until woken (a datagram) or the poll interval has passed; drain any further wake-ups."""
        self.inbox.settimeout(self.interval)
        try:
            self.inbox.recv(16)
            self.inbox.setblocking(False)
            while True:
                self.inbox.recv(16)
        except (TimeoutError, BlockingIOError, InterruptedError):
            pass

    def claim(self):
        tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        if not self.process_all_queues:
            tasks = tasks.filter(queue_name__in=self.queue_names)
        with exclusive_transaction(tasks.db):
            try:
                task_result = tasks.get_locked()
            except OperationalError as exc:
                if is_locked_database_exception(exc):
                    return None  # another worker holds the queue; look again after the next wake-up
                raise
            if task_result is not None:
                task_result.claim(self.worker_id)
            return task_result

    def run_task(self, db_task_result) -> None:
        """Run one task while a thread keeps the heartbeat going, so a long import is not taken for a dead worker."""
        done = threading.Event()

        def keep_beating():
            while not done.wait(BEAT_SECONDS):
                try:
                    WorkerBeat.objects.filter(worker_id=self.worker_id[:64]).update(beat_at=timezone.now())
                except OperationalError:
                    pass  # SQLite busy with the task's own write: the next beat will do
            close_old_connections()

        beater = threading.Thread(target=keep_beating, name="kesu-worker-beat", daemon=True)
        beater.start()
        try:
            super().run_task(db_task_result)
        finally:
            done.set()
            beater.join(timeout=BEAT_SECONDS)

    def run(self) -> None:
        log.info("Worker %s started (pid %s)", self.worker_id, os.getpid())
        try:
            while self.running:
                close_old_connections()
                self.beat()
                task_result = self.claim()
                if task_result is not None:
                    self.run_task(task_result)
                    self.beat(force=True)
                elif self.batch:
                    return
                if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
                    return
                close_old_connections()
                if self.running and task_result is None:
                    self.wait()
        finally:
            self.inbox.close()
            self.inbox_path.unlink(missing_ok=True)
            WorkerBeat.objects.filter(worker_id=self.worker_id[:64]).delete()
