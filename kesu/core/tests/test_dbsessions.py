"""The test run's own guard: a connection left open on the test database is found and named (the check at the end of
each PostgreSQL run, in the root conftest), and a running browser does not give the test thread a second connection."""

import asyncio
import threading

import pytest
from django.db import connection, connections

from kesu.core.tests import dbsessions

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="查看会话要用 PostgreSQL 的 pg_stat_activity")


@postgres_only
@pytest.mark.django_db
def test_a_connection_left_open_by_another_thread_is_named_with_its_thread_and_test():
    opened, checked, pid = threading.Event(), threading.Event(), []

    def open_and_keep():
        kept = connections.create_connection("default")
        kept.ensure_connection()
        pid.append(kept.connection.info.backend_pid)
        opened.set()
        checked.wait(30)
        kept.close()  # a Django connection is closed by the thread that opened it

    thread = threading.Thread(target=open_and_keep, name="kesu-keeps-a-connection")
    thread.start()
    try:
        opened.wait(30)
        (named,) = [s for s in dbsessions.sessions_besides(connection, settle_seconds=0)
                    if s.startswith(f"会话 {pid[0]}：")]
    finally:
        checked.set()
        thread.join()
    assert "线程 kesu-keeps-a-connection" in named
    assert "test_a_connection_left_open_by_another_thread_is_named_with_its_thread_and_test" in named
    after = dbsessions.sessions_besides(connection)
    assert all(not s.startswith(f"会话 {pid[0]}：") for s in after), after


@postgres_only
@pytest.mark.django_db
def test_a_connection_made_outside_django_is_named_by_its_application_name():
    import psycopg

    params = connection.get_connection_params()
    with psycopg.connect(dbname=params["dbname"], user=params.get("user"), host=params.get("host"),
                         port=params.get("port"), password=params.get("password"),
                         application_name="kesu-probe") as outside:
        pid = outside.info.backend_pid
        (named,) = [s for s in dbsessions.sessions_besides(connection, settle_seconds=0) if s.startswith(f"会话 {pid}：")]
    assert "不是本进程的 Django 打开的" in named and "application_name「kesu-probe」" in named


@pytest.mark.browser
def test_the_test_thread_keeps_its_connections_while_a_browser_runs(browser):
    """Playwright's sync API leaves its loop marked running in the test thread, where Django then looks connections up
    in another storage: the browser fixture puts the same ones there, so a test and its ``db`` transaction share one."""
    playwrights_loop = asyncio._get_running_loop()
    assert playwrights_loop is not None, "Playwright 不再在测试线程中留下运行中的事件循环：browser 夹具中的连接共享可以去掉"
    while_running = connections["default"]
    asyncio._set_running_loop(None)
    try:
        without_loop = connections["default"]
    finally:
        asyncio._set_running_loop(playwrights_loop)
    assert while_running is without_loop
