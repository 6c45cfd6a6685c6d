"""Formula-like text is neutralised in every export: an apostrophe in CSV and read-only sheets, a text cell with
the quote prefix in templates that are filled in and uploaded again (the value itself kept)."""

import io

from openpyxl import Workbook, load_workbook

from kesu.core.spreadsheet import safe_row, safe_text, set_text


def test_safe_text_and_row():
    assert safe_row(["=1+1", "+86 138", "-x", "@SUM(A1)", "\t=1", "渠县", 12, -3, None]) == \
        ["'=1+1", "'+86 138", "'-x", "'@SUM(A1)", "'\t=1", "渠县", 12, -3, None]
    assert safe_text(None) == ""


def test_template_cells_stay_text_with_their_value():
    wb = Workbook()
    set_text(wb.active["A1"], '=HYPERLINK("http://evil.example","点此")')
    set_text(wb.active["A2"], "渠县教育局")
    buf = io.BytesIO()
    wb.save(buf)
    cell = load_workbook(io.BytesIO(buf.getvalue())).active["A1"]
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK") and cell.quotePrefix
    assert b"<f>" not in _sheet_xml(buf.getvalue())


def _sheet_xml(data: bytes) -> bytes:
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return zf.read("xl/worksheets/sheet1.xml")
