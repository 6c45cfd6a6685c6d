"""In a real browser: choose region, period and kind, generate, see the preview with linked figures, download.

Set KESU_SCREENSHOT_DIR to keep screenshots of the pages for a look.
"""

import io
import os
from pathlib import Path

import pytest
from docx import Document

from .conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _shot(page, name):
    folder = os.environ.get("KESU_SCREENSHOT_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def test_generate_preview_and_download(page, live_server, regions, users, fixture_context):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "county_office")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.click("text=报告")
    page.select_option("#id_kind", "annual_summary")
    page.fill("#id_period", "2026")
    _shot(page, "reports_index")
    page.click("#generate-form button[type=submit]:has-text('生成报告')")
    page.wait_for_selector(".report-doc")
    assert page.inner_text(".report-title") == "渠县2026年全民科学素质工作总结"
    figure = page.locator(".report-figure", has_text="1083期").first
    assert figure.get_attribute("href") == "/collection/values/?indicator=TRN_FARMER_SESSIONS"
    _shot(page, "reports_preview")
    with page.expect_download() as info:
        page.click("#download-docx")
    download = info.value
    assert download.suggested_filename.endswith(".docx")
    doc = Document(io.BytesIO(Path(download.path()).read_bytes()))
    assert doc.paragraphs[0].text == "渠县2026年全民科学素质工作总结"

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    _shot(page, "reports_preview_phone")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 400, "the preview must not scroll sideways on a phone"
