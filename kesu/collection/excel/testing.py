"""Helpers for the Excel import's tests and benchmark: fill a downloaded template the way a person would
(openpyxl), and build odd files (not Excel, zip bombs, merged cells, formulas)."""

import io
import zipfile
from datetime import date

from openpyxl import load_workbook

from .columns import ACTIVITIES_SHEET, ACTIVITY_COLUMNS, VALUES_SHEET

ACTIVITY_HEADERS = [c.header for c in ACTIVITY_COLUMNS]


def fill(template: bytes, *, values: dict | None = None, explanations: dict | None = None,
         activities: list[dict] | None = None, start_row: int | None = None) -> bytes:
    """Type figures into 指标数据 (by indicator code) and activity rows (dicts keyed by Chinese header) into 活动."""
    wb = load_workbook(io.BytesIO(template))
    ws = wb[VALUES_SHEET]
    codes = {ws.cell(row=r, column=1).value: r for r in range(2, ws.max_row + 1)}
    for code, value in (values or {}).items():
        ws.cell(row=codes[code], column=5, value=value)
    for code, text in (explanations or {}).items():
        ws.cell(row=codes[code], column=6, value=text)
    if activities:
        ws = wb[ACTIVITIES_SHEET]
        row = start_row or _first_empty(ws)
        for item in activities:
            for c, header in enumerate(ACTIVITY_HEADERS, start=1):
                if header in item:
                    ws.cell(row=row, column=c, value=item[header])
            row += 1
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def codes(content: bytes) -> set[str]:
    """The indicator codes a workbook's 指标数据 sheet lists."""
    ws = load_workbook(io.BytesIO(content))[VALUES_SHEET]
    return {ws.cell(row=r, column=1).value for r in range(2, ws.max_row + 1)} - {None}


def _first_empty(ws) -> int:
    row = 2
    while ws.cell(row=row, column=1).value not in (None, ""):
        row += 1
    return row


def activity(title: str, day: date | str, **extra) -> dict:
    item = {"活动名称": title, "活动类型": "培训", "面向人群": "农民", "开始日期": day, "期（场）次": 1, "参加人次": 50}
    item.update(extra)
    return item


def edit(content: bytes, change) -> bytes:
    """Open a workbook, let ``change(wb)`` alter it, and return the saved bytes."""
    wb = load_workbook(io.BytesIO(content))
    change(wb)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def zip_bomb(entry_size: int = 2 * 1024 ** 3) -> bytes:
    """A tiny .xlsx-looking zip whose directory declares a huge sheet (the bytes are zeros, so it compresses
    to almost nothing)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
        chunk = b"\0" * (1024 * 1024)
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            for _ in range(entry_size // len(chunk)):
                fh.write(chunk)
    return out.getvalue()
