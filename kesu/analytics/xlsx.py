"""XLSX export of a pivot: Chinese headers with units, numbers as numbers, subtotal rows in bold and indented by
level, and no text cell that a spreadsheet would run as a formula."""

import io
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from kesu.core.spreadsheet import safe_text


def _number(value):
    if value is None:
        return None
    value = Decimal(value)
    return int(value) if value == value.to_integral_value() else float(value)


def pivot_xlsx(pivot) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "统计表"
    bold = Font(bold=True)
    ws.append([safe_text(pivot.title)])
    ws["A1"].font = Font(bold=True, size=13)
    header = [safe_text({"region": "区域", "unit": "单位", "item": "指标", "indicator": "指标",
                         "period": "报告期"}[pivot.rows_dim]), *[safe_text(c.label) for c in pivot.col_headers]]
    ws.append(header)
    for cell in ws[2]:
        cell.font = bold
        cell.fill = PatternFill("solid", fgColor="F1F3F5")
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for r, cells in pivot.body:
        row = [safe_text(r.label), *([None] * len(cells) if r.heading else [_number(c.value) for c in cells])]
        ws.append(row)
        first = ws.cell(row=ws.max_row, column=1)
        first.alignment = Alignment(indent=r.level)
        if r.subtotal or r.heading:
            for cell in ws[ws.max_row]:
                cell.font = bold
        for cell in ws[ws.max_row][1:]:
            if isinstance(cell.value, float):
                cell.number_format = "#,##0.00"
            elif isinstance(cell.value, int):
                cell.number_format = "#,##0"
    if pivot.any_unapproved:
        ws.append([safe_text("注：含已提交未审核数据")])
    ws.column_dimensions["A"].width = 28
    for i in range(2, len(header) + 1):
        ws.column_dimensions[get_column_letter(i)].width = 16
    ws.freeze_panes = "B3"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
