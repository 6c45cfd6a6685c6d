"""Sessions a test run leaves open on its PostgreSQL test database, named.

PostgreSQL refuses to drop a database while another session is connected to it, and pytest-django then only warns,
at the very end of the run, naming nothing. The root conftest checks at the end of each PostgreSQL run that no other
session is left and fails the run if one is, naming each: what PostgreSQL knows of it (application name, when it
connected, its last statement) and, for a connection Django opened in this process, the thread and the test that
opened it. Connections made outside Django's handler (psycopg directly, a child process) are named as such.
"""

import os
import threading
import time

from django.db.backends.signals import connection_created

# PostgreSQL backend pid → (thread, test) of each connection Django opened in this process while recording.
_opened: dict[int, tuple[str, str]] = {}

_OTHER_SESSIONS = """
    SELECT pid, application_name, backend_start, state, left(query, 300)
    FROM pg_stat_activity
    WHERE datname = current_database() AND pid <> pg_backend_pid()
    ORDER BY backend_start
"""


def _remember(sender, connection, **kwargs):
    if connection.vendor == "postgresql":
        test = os.environ.get("PYTEST_CURRENT_TEST", "（不在测试中）")
        _opened[connection.connection.info.backend_pid] = (threading.current_thread().name, test)


def start_recording() -> None:
    connection_created.connect(_remember, dispatch_uid="kesu-test-sessions")


def stop_recording() -> None:
    connection_created.disconnect(dispatch_uid="kesu-test-sessions")


def sessions_besides(connection, *, settle_seconds: float = 3.0) -> list[str]:
    """Every other session on the database of ``connection`` (a Django connection), described; [] when none is.

    A session whose client has just closed its connection ends a moment later: it is given ``settle_seconds`` to go.
    """
    deadline = time.monotonic() + settle_seconds
    while True:
        with connection.cursor() as cursor:
            # Within a transaction PostgreSQL answers from the snapshot it took at the first look: take a new one.
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(_OTHER_SESSIONS)
            rows = cursor.fetchall()
        if not rows or time.monotonic() >= deadline:
            return [_describe(*row) for row in rows]
        time.sleep(0.1)


def _describe(pid, application_name, backend_start, state, query) -> str:
    opened = _opened.get(pid)
    origin = (f"本进程的 Django 在线程 {opened[0]} 中打开，测试 {opened[1]}" if opened
              else "不是本进程的 Django 打开的（直接用 psycopg 建立、子进程或另一进程）")
    return (f"会话 {pid}：{origin}；application_name「{application_name}」，{backend_start:%H:%M:%S} 连接，"
            f"状态 {state}，最后的语句：{' '.join((query or '').split())}")
