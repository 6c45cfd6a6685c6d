"""Fixtures shared by every app's tests: a real browser for the browser tests, and the demo built once per session."""

import os
import shutil

import pytest

CHROMIUM = os.environ.get("KESU_CHROMIUM", "/usr/bin/chromium")

# Playwright's sync API runs an event loop in the test thread; Django's ORM calls from the same thread are safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _browser_missing_reason() -> str | None:
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        return f"未找到 Chromium（{CHROMIUM}）：请安装 Debian 的 chromium 软件包"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "未安装 Python 包 playwright"
    return None


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright; never a downloaded browser.

    Missing browser: a failure in CI (KESU_REQUIRE_BROWSER=1), a plainly reported skip elsewhere.
    """
    reason = _browser_missing_reason()
    if reason:
        if os.environ.get("KESU_REQUIRE_BROWSER"):
            pytest.fail(f"浏览器测试无法运行：{reason}")
        pytest.skip(f"跳过浏览器测试：{reason}")
    from django.db import connections
    from playwright.sync_api import sync_playwright

    test_threads = {alias: connections[alias] for alias in connections}
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run", "--disable-quic"],
        )
        # Playwright's sync API leaves its event loop marked running in this thread until it stops, and while a loop
        # runs Django keeps a thread's connections in context-local storage, which starts empty. Without these, the
        # tests after the browser started would open a second connection per database, outside the transaction of a
        # test set up before, and leave it open when the loop stops: PostgreSQL then refused to drop the test database.
        for alias, wrapper in test_threads.items():
            connections[alias] = wrapper
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    # Every browser test also guards the Content-Security-Policy: a script or handler it blocks fails the test.
    blocked = []
    page.on("console", lambda msg: blocked.append(msg.text) if "Content Security Policy" in msg.text else None)
    yield page
    context.close()
    assert not blocked, f"Content-Security-Policy blocked: {blocked}"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """pytest-django's test database; on PostgreSQL, the run fails if a session is left open on it at the end.

    PostgreSQL will not drop a database another session is connected to, and pytest-django only warns then, naming
    nothing. This check runs just before the database is dropped and names each session left
    (``kesu/core/tests/dbsessions.py``), so a test or fixture that leaves a connection open is found at once.
    """
    from django.db import connection

    if connection.vendor != "postgresql":
        yield
        return
    from kesu.core.tests import dbsessions

    dbsessions.start_recording()
    yield
    dbsessions.stop_recording()
    with django_db_blocker.unblock():
        left = dbsessions.sessions_besides(connection)
    if left:
        pytest.fail("测试结束时仍有会话连接着测试数据库（测试或夹具打开后未关闭）：\n" + "\n".join(left), pytrace=False)


@pytest.fixture(scope="session")
def demo_db(django_db_setup, django_db_blocker):
    """The demo with its years of figures, built once per test session.

    Building it takes 20–40 s of CPU, so every test that reads it shares one build: it is made inside a transaction
    that is rolled back at the end of the session, and each test (``db``) runs in a savepoint within it, as usual.
    The tests that use it run last (``pytest_collection_modifyitems`` below), so no other test sees the demo and no
    transactional test (which empties the tables) runs while the transaction is open. A transactional test must not
    ask for it.
    """
    from django.db import transaction

    from kesu.core import demo_flag, pagememo
    from kesu.demo.builder import build_demo

    # A test that built the demo a moment ago and was rolled back leaves the flag "loaded" in the process memo,
    # which lives for seconds: a build that fast would then be skipped. Ask the database.
    demo_flag.forget()
    pagememo.forget()
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            build_demo()
            yield
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture(autouse=True)
def _fresh_process_memos():
    """Per-process memos (the demo flag, page data by data version, the stalled-queue banner) start empty in each
    test: a rollback may have changed the database under them, and on SQLite it hands out the same ids again."""
    from kesu.core import demo_flag, pagememo
    from kesu.core.templatetags import kesu_worker

    demo_flag.forget()
    pagememo.forget()
    kesu_worker.forget()
    yield
@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Run the tests that read the shared demo last, after pytest-django has put the transactional tests last.

    The order within them is kept, so a module's tests stay together and its module fixtures are built once.
    """
    uses_demo = [item for item in items if "demo_db" in getattr(item, "fixturenames", ())]
    if uses_demo:
        others = [item for item in items if "demo_db" not in getattr(item, "fixturenames", ())]
        items[:] = others + uses_demo


@pytest.fixture(scope="session", autouse=True)
def _postgres_empties_tables_by_delete():
    """On PostgreSQL, a transactional test empties the tables after itself with DELETE instead of TRUNCATE.

    Django's flush TRUNCATEs every table, which gives each table, index and sequence new files: 1.5–3.4 s for the
    63 tables on a loaded two-core machine, against 0.06–0.1 s for DELETE of the few rows a test leaves, and every
    browser test is a transactional one. The tables end equally empty: the flush runs in one transaction and
    Django's foreign keys (all deferrable) are checked at its commit. Sequences are not reset either way, unless a
    test asks
    (``reset_sequences``), which keeps TRUNCATE … RESTART IDENTITY.
    """
    from django.db import connection

    if connection.vendor != "postgresql":
        yield
        return
    operations = type(connection.ops)
    truncate = operations.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if reset_sequences or allow_cascade:
            return truncate(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        return [f"{style.SQL_KEYWORD('DELETE')} {style.SQL_KEYWORD('FROM')} {style.SQL_FIELD(self.quote_name(t))};"
                for t in tables]

    operations.sql_flush = sql_flush
    yield
    operations.sql_flush = truncate
