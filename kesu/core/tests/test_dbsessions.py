"""The test run's own guard: a running browser does not give the test thread a second database connection."""

import asyncio

import pytest
from django.db import connections


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
