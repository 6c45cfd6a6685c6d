"""The Excel side of adding townships and villages: the downloadable template and reading an upload."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

MAX_BYTES = 5 * 1024 * 1024  # a list of townships and villages is a few hundred KB at most
HEADERS = ["名称", "统计用区划代码(可选)", "上级名称(可选)"]
KEYS = {"名称": "name", "统计用区划代码": "code", "上级名称": "parent_name"}


def template_bytes() -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "区域"
    sheet.append(HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="F1F3F5")
    for column, width in zip("ABC", (28, 24, 24), strict=True):
        sheet.column_dimensions[column].width = width
    # Codes are text: a 12-digit number would otherwise be shown as 5.11725E+11 and lose digits.
    for row in range(2, 1002):
        sheet.cell(row=row, column=2).number_format = "@"
    length = DataValidation(type="textLength", operator="equal", formula1="12", allow_blank=True,
                            error="统计用区划代码应为 12 位数字", errorTitle="代码有误")
    sheet.add_data_validation(length)
    length.add("B2:B1001")
    sheet.freeze_panes = "A2"

    notes = workbook.create_sheet("填写说明")
    for line in (
        "每行一个区域，从第 2 行开始填写；导入时全部成功才写入，有错误时一行也不写入。",
        "名称：必填，例如“三汇镇”“文崇社区”。",
        "统计用区划代码：可选，12 位数字，须以所属县级区划的 6 位代码开头；不填则由系统生成本地代码。",
        "上级名称：可选。在乡镇（街道）页面导入时留空；在县级页面同时导入村（社区）时，填写其所属乡镇（街道）的名称，"
        "该乡镇可以已存在，也可以在本文件前面的行中。",
    ):
        notes.append([line])
    notes.column_dimensions["A"].width = 110
    for cell in notes["A"]:
        cell.alignment = Alignment(wrap_text=True)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a code typed as a number
    return str(value).strip()


def read_region_rows(file) -> list[dict]:
    """Rows of the first sheet as dicts with ``name``, ``code``, ``parent_name`` and the 1-based ``row``."""
    from python_calamine import CalamineWorkbook

    from kesu.core.exceptions import ApplicationError
    from kesu.core.uploads import check_upload

    from .services import ImportErrors

    data = file.read() if hasattr(file, "read") else file
    try:
        check_upload(data, name=getattr(file, "name", "") or "上传文件", allowed={"xlsx"}, max_bytes=MAX_BYTES)
    except ApplicationError as exc:
        raise ImportErrors([{"row": "", "column": "", "message": exc.message}]) from None
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        cells = workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except Exception as exc:  # calamine raises several types for a file that is not a workbook
        raise ImportErrors([{"row": "", "column": "", "message": f"无法读取文件，请上传 .xlsx 格式的 Excel 文件（{exc}）"}]) from exc
    if not cells:
        raise ImportErrors([{"row": 1, "column": "", "message": "文件是空的"}])
    columns = {}
    for index, title in enumerate(cells[0]):
        title = _text(title).replace("（", "(").split("(")[0].strip()
        if title in KEYS:
            columns[KEYS[title]] = index
    if "name" not in columns:
        raise ImportErrors([{"row": 1, "column": "名称", "message": "第 1 行缺少“名称”列，请使用下载的模板"}])
    rows = []
    for number, values in enumerate(cells[1:], start=2):
        row = {"row": number}
        for key, index in columns.items():
            row[key] = _text(values[index]) if index < len(values) else ""
        rows.append(row)
    return rows
