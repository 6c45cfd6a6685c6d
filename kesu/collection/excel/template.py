"""The downloadable .xlsx template for one reporter and period (openpyxl).

Sheets: 指标数据 (the reporter's indicators, last year's figure read-only in grey), 活动 (the period's activities so
far, drop-downs for kinds, populations, places and tasks), 填报说明 (how to fill it in, and the template mark), and a
hidden 选项 sheet holding the drop-down lists (a list typed into the validation itself is capped at 255 characters).
"""

from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from kesu.core.spreadsheet import set_text

from ..models import ActivityKind, Population
from .columns import (
    ACTIVITIES_SHEET,
    ACTIVITY_COLUMNS,
    GUIDE_SHEET,
    LISTS_SHEET,
    TEMPLATE_MARK,
    VALUE_COLUMNS,
    VALUES_SHEET,
)
from .context import Context, period_activities, task_label

HEADER_FILL = PatternFill("solid", fgColor="DCE6F1")
READONLY_FILL = PatternFill("solid", fgColor="E7E6E6")
HEADER_FONT = Font(bold=True)
THIN = Side(style="thin", color="BFBFBF")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
UNLOCKED = Protection(locked=False)
BLANK_ACTIVITY_ROWS = 300


def _header(ws, columns) -> None:
    for idx, col in enumerate(columns, start=1):
        cell = ws.cell(row=1, column=idx, value=col.header)
        cell.font, cell.fill, cell.border = HEADER_FONT, HEADER_FILL, BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(idx)].width = col.width
    ws.freeze_panes = "A2"
    ws.row_dimensions[1].height = 24


def _number(value):
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def _values_sheet(wb: Workbook, ctx: Context) -> None:
    ws = wb.active
    ws.title = VALUES_SHEET
    _header(ws, VALUE_COLUMNS)
    for r, ind in enumerate(ctx.indicators, start=2):
        current = ctx.current.get(ind.pk)
        row = [ind.code, ind.name, ind.unit, _number(ctx.previous.get(ind.pk)),
               _number(current.value) if current else None, current.explanation if current else None]
        for c, value in enumerate(row, start=1):
            cell = set_text(ws.cell(row=r, column=c), value)
            cell.border = BORDER
            if VALUE_COLUMNS[c - 1].read_only:
                cell.fill = READONLY_FILL
            else:
                cell.protection = UNLOCKED
    # Fixed columns (code, name, unit, last year) are locked; only 本期数值 and 情况说明 can be typed in.
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False


def _lists_sheet(wb: Workbook, ctx: Context) -> dict[str, str]:
    """Write the choice lists to a hidden sheet; → {column key: range formula} for the data validations."""
    ws = wb.create_sheet(LISTS_SHEET)
    lists = {
        "kind": [label for _, label in ActivityKind.choices],
        "population": [label for _, label in Population.choices],
        "region": list(ctx.lists.regions),
        "task": list(ctx.lists.tasks),
    }
    ranges = {}
    for c, (key, values) in enumerate(lists.items(), start=1):
        letter = get_column_letter(c)
        ws.cell(row=1, column=c, value={"kind": "活动类型", "population": "面向人群", "region": "举办地",
                                        "task": "关联任务"}[key])
        for r, value in enumerate(values, start=2):
            set_text(ws.cell(row=r, column=c), value)
        if values:
            ranges[key] = f"{quote_sheetname(LISTS_SHEET)}!${letter}$2:${letter}${len(values) + 1}"
    ws.sheet_state = "hidden"
    ws.protection.sheet = True
    return ranges


def _activity_row(activity) -> list:
    return [activity.title, activity.get_kind_display(), activity.get_population_display(), activity.start_date,
            activity.end_date, None, activity.sessions, activity.participants, activity.people, activity.materials,
            _number(activity.funds), activity.place, task_label(activity.task) if activity.task else None,
            activity.notes]


def _activities_sheet(wb: Workbook, ctx: Context, ranges: dict[str, str]) -> None:
    ws = wb.create_sheet(ACTIVITIES_SHEET, 1)
    _header(ws, ACTIVITY_COLUMNS)
    region_labels = {r.pk: label for label, r in ctx.lists.regions.items()}
    rows = list(period_activities(ctx.reporter))
    for r, activity in enumerate(rows, start=2):
        values = _activity_row(activity)
        values[5] = region_labels.get(activity.region_id, activity.region.name)
        for c, value in enumerate(values, start=1):
            set_text(ws.cell(row=r, column=c), value)
    last = len(rows) + 1 + BLANK_ACTIVITY_ROWS
    keys = [c.key for c in ACTIVITY_COLUMNS]
    for r in range(2, last + 1):
        for c in range(1, len(ACTIVITY_COLUMNS) + 1):
            cell = ws.cell(row=r, column=c)
            cell.protection = UNLOCKED
            if keys[c - 1] in ("start_date", "end_date"):
                cell.number_format = "yyyy-mm-dd"
    for key, formula in ranges.items():
        letter = get_column_letter(keys.index(key) + 1)
        dv = DataValidation(type="list", formula1=formula, allow_blank=True, showErrorMessage=True,
                            errorTitle="请从列表中选择", error="请从下拉列表中选择一项。")
        dv.add(f"{letter}2:{letter}{last}")
        ws.add_data_validation(dv)
    # Only the header row is locked; rows may be inserted, deleted, sorted and filtered.
    ws.protection.sheet = True
    for permission in ("insertRows", "deleteRows", "sort", "autoFilter", "formatColumns", "formatRows",
                       "formatCells"):
        setattr(ws.protection, permission, False)


GUIDE = [
    "1. 本模板由科素系统生成，请勿修改表头、工作表名称，不要合并单元格。",
    "2. “指标数据”表：只需填写“本期数值”和“情况说明”两列；灰色列（指标编码、名称、计量单位、上年数值）仅供参考，不能修改。"
    "本期数值留空表示不填报该指标（不会清除已填数据）。",
    "3. 数值可写 12345、12,345、2.5万；请勿填写公式（含公式的单元格会被拒绝，请先“选择性粘贴为数值”）。",
    "4. “活动”表：每行一项活动。活动类型、面向人群、举办地、关联任务请从下拉列表选择；日期可写 2026-03-05、2026年3月5日、"
    "2026.3.5 或 2026/3/5；人次、期次、份数须为非负整数。关联任务、举办地、面向人群留空表示保留原值（不会清除已有的关联），"
    "如需取消关联请在网页上修改该活动。",
    "5. 同一活动（同一活动名称 + 开始日期）在文件中只能出现一次；再次上传同一文件不会重复登记，只会更新有变化的内容。",
    "6. 上传后系统先逐行检查并列出全部问题（工作表、行、列、原因）和将要修改的单元格（原值 → 新值），确认无误后点击“确认导入”才会写入；"
    "有任何错误时不会导入任何数据。",
    "7. 请勿改动工作表名称或另加工作表：名称不符的工作表无法导入，整个文件会被退回。",
]


def _guide_sheet(wb: Workbook, ctx: Context) -> None:
    ws = wb.create_sheet(GUIDE_SHEET)
    reporter = ctx.reporter
    ws["A1"] = "填报说明"
    ws["A1"].font = Font(bold=True, size=14)
    ws["A3"] = "填报单位"
    set_text(ws["B3"], reporter.name)
    ws["A4"], ws["B4"] = "报告期", reporter.period.label
    if ctx.history:
        ws["A5"] = ("历史数据：本系统上线前的年度，上传时请勾选“作为历史数据导入”；只导入“指标数据”，"
                    "由科普活动汇总的指标在该年度未登记活动时按此表的数保存。")
        ws["A5"].font = Font(bold=True)
    for r, line in enumerate(GUIDE, start=6):
        ws.cell(row=r, column=1, value=line).alignment = Alignment(wrap_text=True, vertical="top")
    mark_row = 6 + len(GUIDE) + 1
    ws.cell(row=mark_row, column=1, value=TEMPLATE_MARK)
    ws.cell(row=mark_row, column=2, value=reporter.mark).font = Font(color="808080")
    ws.column_dimensions["A"].width = 110
    ws.column_dimensions["B"].width = 40
    ws.protection.sheet = True


def build_template(ctx: Context) -> bytes:
    wb = Workbook()
    _values_sheet(wb, ctx)
    ranges = _lists_sheet(wb, ctx)
    if ctx.reporter.unit is not None:
        _activities_sheet(wb, ctx, ranges)
    _guide_sheet(wb, ctx)
    wb.active = 0
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def template_filename(ctx: Context) -> str:
    kind = "历史数据模板" if ctx.history else "填报模板"
    return f"{ctx.reporter.name}{ctx.reporter.period.label}{kind}.xlsx"
