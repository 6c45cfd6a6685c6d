"""The task worker: woken at once by an enqueued task, seen alive by its heartbeat, restarted when it dies."""

import itertools
import logging
import os
import signal
import subprocess
import sys
import time

import pytest
from django_tasks_db.models import DBTaskResult

from kesu.core.models import AuditEvent, WorkerBeat
from kesu.core.supervise import Supervisor
from kesu.core.templatetags import kesu_worker
from kesu.core.tests.childproc import WAIT_LIMIT, child_env
from kesu.core.worker import stalled_queue, workers_alive

from .worker_tasks import note


def _until(condition, limit=WAIT_LIMIT, step=0.02):
    deadline = time.monotonic() + limit
    while not condition():
        assert time.monotonic() < deadline, "waited too long"
        time.sleep(step)


@pytest.fixture
def queue(settings, tmp_path):
    settings.DATA_DIR = tmp_path  # the wake-up sockets live here; the worker process shares the folder
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    return tmp_path


def _worker(tmp_path, **extra) -> subprocess.Popen:
    # A 60 s poll: only the wake-up can start a task within a second.
    env = child_env(tmp_path, KESU_WORKER_POLL_SECONDS=60, **extra)
    return subprocess.Popen([sys.executable, "-m", "kesu.cli", "worker"], env=env, stderr=subprocess.PIPE)


@pytest.mark.django_db(transaction=True)
def test_a_queued_task_starts_within_a_second_and_the_worker_is_seen_alive(queue):
    worker = _worker(queue)
    try:
        _until(lambda: WorkerBeat.objects.exists() and list((queue / "wake").glob("*.sock")))
        assert workers_alive()
        delays = []
        for i in range(3):
            result = note.enqueue(f"任务{i}")
            _until(lambda pk=result.id: DBTaskResult.objects.get(pk=pk).finished_at is not None)
            row = DBTaskResult.objects.get(pk=result.id)
            assert row.status == "SUCCESSFUL"
            delays.append((row.started_at - row.enqueued_at).total_seconds())
        assert max(delays) < 1.0, delays
        assert AuditEvent.objects.filter(action="note").count() == 3
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=WAIT_LIMIT)
    assert not WorkerBeat.objects.exists()  # a worker that stops in order takes its beat with it


@pytest.mark.django_db(transaction=True)
def test_pages_say_when_tasks_wait_and_no_worker_is_alive(queue, settings, client):
    from kesu.accounts.models import Role, User

    settings.KESU_WORKER_ALIVE_SECONDS = 1
    worker = _worker(queue)
    _until(lambda: WorkerBeat.objects.exists())
    os.kill(worker.pid, signal.SIGKILL)  # dies without a word: its beat stays and grows old
    worker.wait(timeout=WAIT_LIMIT)
    DBTaskResult.objects.filter(pk=note.enqueue("等待").id).update(
        enqueued_at=DBTaskResult.objects.get().enqueued_at.replace(year=2025))
    _until(lambda: not workers_alive(), limit=5)
    assert stalled_queue()["count"] == 1
    user = User.objects.create_user(username="office", password="x" * 14, role=Role.ADMIN, is_superuser=True)
    client.force_login(user)
    page = client.get("/").content.decode()
    assert "后台任务处理进程没有运行" in page and "1 个任务" in page and "kesu worker" in page


@pytest.mark.django_db
def test_no_warning_while_the_queue_moves(queue):
    assert stalled_queue() is None
    note.enqueue("刚入队")  # just queued: a worker has not had time to take it
    assert stalled_queue() is None


@pytest.mark.django_db
def test_pages_ask_the_queue_once_in_a_few_seconds_and_then_see_a_stall(queue, monkeypatch,
                                                                        django_assert_num_queries):
    assert kesu_worker.stalled_recently() is None
    with django_assert_num_queries(0):  # the next pages within the interval reuse the answer
        assert kesu_worker.stalled_recently() is None
    DBTaskResult.objects.filter(pk=note.enqueue("等待").id).update(
        enqueued_at=DBTaskResult.objects.get().enqueued_at.replace(year=2025))  # long stalled, and no worker
    assert kesu_worker.stalled_recently() is None  # still the answer of a moment ago
    monkeypatch.setattr(kesu_worker, "BANNER_SECONDS", 0.0)  # the interval has passed
    assert kesu_worker.stalled_recently()["count"] == 1


def test_the_supervisor_restarts_a_dead_process_with_back_off(tmp_path, caplog):
    starts = tmp_path / "starts"
    script = f"import time; open({str(starts)!r}, 'a').write(f'{{time.monotonic()}}\\n'); time.sleep(60)"
    supervisor = Supervisor([sys.executable, "-c", script], first_delay=0.2, max_delay=0.8, stable_after=60).start()
    try:
        with caplog.at_level(logging.WARNING, logger="kesu.supervise"):
            for expected in (2, 3, 4):
                _until(lambda n=expected - 1: starts.exists() and len(starts.read_text().split()) == n, limit=10)
                os.kill(supervisor.process.pid, signal.SIGKILL)
                _until(lambda n=expected: starts.exists() and len(starts.read_text().split()) == n, limit=10)
        times = [float(t) for t in starts.read_text().split()]
    finally:
        supervisor.stop()
    assert supervisor.restarts == 3
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert gaps[0] >= 0.2 and gaps[1] >= 0.4 and gaps[2] >= 0.8, gaps  # doubling, capped at max_delay
    lines = [r.getMessage() for r in caplog.records]
    assert any("已退出，退出码 -9" in line for line in lines) and any("已重新启动" in line for line in lines)
    assert supervisor.process.poll() is not None  # stop() ends the current child too


@pytest.mark.django_db(transaction=True)
def test_kesu_serve_restarts_its_killed_worker(queue):
    env = child_env(queue, KESU_WORKER_POLL_SECONDS=60, KESU_LOG_LEVEL="WARNING")
    server = subprocess.Popen([sys.executable, "-m", "kesu.cli", "serve", "--development", "--port", "8147"],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        _until(lambda: WorkerBeat.objects.exists())
        first = WorkerBeat.objects.get().pid
        os.kill(first, signal.SIGKILL)
        _until(lambda: WorkerBeat.objects.exclude(pid=first).exists())  # a new worker, started by kesu serve
        result = note.enqueue("重启后")
        _until(lambda: DBTaskResult.objects.filter(pk=result.id, status="SUCCESSFUL").exists())
    finally:
        server.send_signal(signal.SIGTERM)
        _, err = server.communicate(timeout=WAIT_LIMIT)
    assert "已退出，退出码 -9" in err and "已重新启动" in err
