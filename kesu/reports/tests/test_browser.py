"""In a real browser: choose region, period and kind, generate, see the preview with linked figures, download.

Set KESU_SCREENSHOTS to a folder to keep screenshots of the pages for a look.
"""

import io
from pathlib import Path

import pytest
from docx import Document

from kesu.testing import screenshot

from .conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_generate_preview_and_download(page, live_server, regions, users, fixture_context, tmp_path):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "county_office")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.click("text=报告")
    page.select_option("#id_kind", "annual_summary")
    page.fill("#id_period", "2026")
    page.fill("#id_report_date", "2027-01-15")  # the 成文日期
    screenshot(page, "reports_index")
    page.click("#generate-form button[type=submit]:has-text('生成报告')")
    page.wait_for_selector(".report-doc")
    assert page.inner_text(".report-title") == "渠县2026年全民科学素质工作总结"
    figure = page.locator(".report-figure", has_text="1083期").first
    assert figure.get_attribute("href") == "/collection/values/?indicator=TRN_FARMER_SESSIONS"
    screenshot(page, "reports_preview")
    # The 落款 as in the DOCX: the date right-aligned four characters in, the office's line above it.
    closing = page.locator(".report-signature .report-closing-line")
    assert closing.all_inner_texts() == ["示范县全民科学素质工作领导小组办公室", "2027年1月15日"]
    date_box, paper_box = closing.nth(1).bounding_box(), page.locator(".report-doc").bounding_box()
    assert date_box["x"] + date_box["width"] > paper_box["x"] + paper_box["width"] * 0.6
    with page.expect_download() as info:
        page.click("#download-docx")
    download = info.value
    assert download.suggested_filename.endswith(".docx")
    doc = Document(io.BytesIO(Path(download.path()).read_bytes()))
    assert doc.paragraphs[0].text == "渠县2026年全民科学素质工作总结"
    assert doc.paragraphs[-1].text == "2027年1月15日"

    # The saved web page opened on its own, with no network: styled, its tables ruled, its title centred.
    with page.expect_download() as info:
        page.click("text=网页")
    saved = tmp_path / info.value.suggested_filename
    info.value.save_as(saved)
    assert saved.suffix == ".html"
    offline = page.context.browser.new_context(offline=True)
    try:
        alone = offline.new_page()
        alone.goto(saved.as_uri())
        assert alone.eval_on_selector(".report-title", "e => getComputedStyle(e).textAlign") == "center"
        assert alone.eval_on_selector(".report-table td", "e => getComputedStyle(e).borderTopStyle") == "solid"
        href = alone.locator("a.report-figure").first.get_attribute("href")
        assert href.startswith(live_server.url + "/")
        screenshot(alone, "reports_saved_html")
    finally:
        offline.close()

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    screenshot(page, "reports_preview_phone")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 400, "the preview must not scroll sideways on a phone"
