"""The audit page in a real browser: an office filters the log and downloads it as Excel."""

import pytest

from kesu.testing import screenshot

from .test_audit_log import URL, events  # noqa: F401  (the fixture)
from .test_browser import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_office_filters_and_exports_the_audit_log(page, live_server, events):  # noqa: F811
    login(page, live_server, "city_office")
    page.goto(live_server.url + URL)
    assert page.locator("tbody tr").count() == 4  # both counties of the prefecture
    page.select_option("#f-entity", "collection.activity")
    page.click("text=筛选")
    page.wait_for_url(lambda url: "entity=collection.activity" in url)
    assert page.locator("tbody tr").count() == 1 and "科普讲座" in page.locator("tbody").inner_text()
    page.goto(live_server.url + URL)
    screenshot(page, "audit-log")
    with page.expect_download() as download:
        page.click("text=导出 Excel")
    assert download.value.suggested_filename == "audit-log.xlsx"
