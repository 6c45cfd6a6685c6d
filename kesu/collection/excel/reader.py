"""From an uploaded file to rows: safety checks first, then python-calamine, then the header row.

File-level refusals (not Excel, too large, zip bomb, not our template, another reporter's template) raise
``ApplicationError``; problems in a sheet (merged cells, formulas, missing columns) are returned as ``Problem``s so
that the preview lists all of them.
"""

from dataclasses import asdict, dataclass, field

from django.conf import settings
from python_calamine import CalamineError, CalamineWorkbook

from kesu.core.exceptions import ApplicationError
from kesu.orgs.models import Unit

from . import safety
from .cells import is_blank, normalize_text
from .columns import ACTIVITIES_SHEET, GUIDE_SHEET, LISTS_SHEET, SHEETS, TEMPLATE_MARK, VALUES_SHEET, canonical_header

MAX_LISTED_CELLS = 50  # formulas / merges listed one by one; beyond that, one summary line
TEMPLATE_SHEETS = frozenset([*SHEETS, GUIDE_SHEET, LISTS_SHEET])


def max_rows() -> int:
    """Data rows one workbook may carry (all sheets together), checked before any row becomes a Python object."""
    return getattr(settings, "KESU_EXCEL_MAX_ROWS", 200_000)


@dataclass
class Problem:
    sheet: str
    row: int | None
    column: str
    message: str
    blocking: bool = True

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class SheetRows:
    name: str
    columns: dict[str, int]  # column key → 0-based index
    rows: list[tuple[int, list]] = field(default_factory=list)  # (1-based row number, cells)

    def get(self, cells: list, key: str):
        idx = self.columns.get(key)
        return cells[idx] if idx is not None and idx < len(cells) else None


@dataclass
class Book:
    sheets: dict[str, SheetRows] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    @property
    def row_count(self) -> int:
        return sum(len(s.rows) for s in self.sheets.values())


def column_letter(idx: int) -> str:
    letters, idx = "", idx + 1
    while idx:
        idx, rem = divmod(idx - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _split_ref(ref: str) -> tuple[str, int]:
    letters = "".join(ch for ch in ref if ch.isalpha())
    return letters, int(ref[len(letters):])


def check_file(path, name: str) -> safety.Workbook:
    """Size, signature and zip directory: everything that must pass before a parser touches the file."""
    with open(path, "rb") as fh:
        fh.seek(0, 2)
        safety.check_size(fh.tell(), name)
        fh.seek(0)
        safety.check_signature(fh.read(8), name)
    return safety.inspect_zip(path, name)


def _check_mark(wb: CalamineWorkbook, expected: str, name: str) -> None:
    """A template downloaded for another unit or period is refused (a sheet without the mark is accepted)."""
    if GUIDE_SHEET not in wb.sheet_names:
        return
    for row in wb.get_sheet_by_name(GUIDE_SHEET).to_python(skip_empty_area=False)[:60]:
        if row and normalize_text(row[0]) == TEMPLATE_MARK and len(row) > 1:
            mark = normalize_text(row[1])
            if mark and mark != expected:
                raise ApplicationError(f"文件“{name}”是{_describe(mark)}的填报模板，与当前填报的单位或报告期不符。"
                                       f"请下载本单位本期的模板后重新填写上传。", field="file")
            return


def _describe(mark: str) -> str:
    parts = mark.split("|")
    if len(parts) != 4:
        return "其他单位或报告期"
    unit = Unit.objects.filter(pk=int(parts[2])).first() if parts[2].isdigit() and parts[2] != "0" else None
    return f"“{unit.name if unit else '其他单位'} {parts[3]}”"


def _headers(sheet: str, header_row: list, problems: list[Problem]) -> dict[str, int] | None:
    by_header = {c.header: c for c in SHEETS[sheet]}
    columns: dict[str, int] = {}
    for idx, raw in enumerate(header_row):
        if is_blank(raw):
            continue
        text = canonical_header(normalize_text(raw))
        col = by_header.get(text)
        letter = column_letter(idx)
        if col is None:
            problems.append(Problem(sheet, 1, f"{letter}列“{normalize_text(raw)}”",
                                    "不是模板中的列，该列内容不会导入（已忽略）。", blocking=False))
        elif col.key in columns:
            problems.append(Problem(sheet, 1, f"{letter}列“{col.header}”", f"与 {column_letter(columns[col.key])} 列重复。"))
        else:
            columns[col.key] = idx
    missing = [c.header for c in SHEETS[sheet] if c.required and c.key not in columns]
    for header in missing:
        problems.append(Problem(sheet, 1, f"“{header}”", f"缺少“{header}”列。请使用下载的模板，不要删除或改动表头。"))
    return None if missing else columns


def _scan(scan: safety.SheetScan, sheet: str, header: dict[str, str], problems: list[Problem]) -> None:
    for ref in scan.merges[:MAX_LISTED_CELLS]:
        first = ref.split(":")[0]
        letters, row = _split_ref(first)
        problems.append(Problem(sheet, row, header.get(letters, f"{letters}列"),
                                f"单元格 {ref} 是合并单元格，请取消合并并在每行填写完整。"))
    for ref in scan.formulas[:MAX_LISTED_CELLS]:
        letters, row = _split_ref(ref)
        problems.append(Problem(sheet, row, header.get(letters, f"{letters}列"),
                                f"单元格 {ref} 含公式。为保证上报数字即所见数字，不接受公式，请复制后“选择性粘贴为数值”。"))
    extra = max(len(scan.merges) - MAX_LISTED_CELLS, 0) + max(len(scan.formulas) - MAX_LISTED_CELLS, 0)
    if extra:
        problems.append(Problem(sheet, None, "", f"另有 {extra} 个含公式或合并的单元格未逐一列出。"))


def _check_sheet_names(sheets: list[str], name: str, *, wants_activities: bool) -> None:
    """A renamed or extra sheet would be skipped without a word, so the import would say 已导入 and import nothing
    from it: refuse the file instead, naming the sheet and what the template calls it."""
    shown = "、".join(f"“{s}”" for s in sheets[:6]) or "无"
    if not any(s in sheets for s in SHEETS):
        raise ApplicationError(f"文件“{name}”不是本系统的填报模板：找不到工作表“{VALUES_SHEET}”或“{ACTIVITIES_SHEET}”"
                               f"（文件中的工作表：{shown}）。请先下载模板。", field="file")
    unknown = [s for s in sheets if s not in TEMPLATE_SHEETS]
    expected = [s for s in SHEETS if s not in sheets and (s == VALUES_SHEET or wants_activities)]
    if unknown:
        hint = f"模板中的“{expected[0]}”表不见了，是否被改名？" if expected else ""
        raise ApplicationError(f"文件“{name}”中的工作表“{unknown[0]}”不是模板中的工作表，其内容无法导入。{hint}"
                               f"请把工作表名称改回“{'”“'.join(SHEETS)}”，或把数据复制到下载的模板中再上传。", field="file")


def _check_rows(scans: dict[str, safety.SheetScan], name: str) -> None:
    """Refuse a workbook with more rows than the limit, counted while streaming the sheets' XML: before calamine
    builds a single cell (a million title-only rows would otherwise cost seconds, hundreds of MB and a million
    problems)."""
    limit = max_rows()
    total = sum(max(scan.rows - 1, 0) for scan in scans.values())
    if total > limit:
        raise ApplicationError(f"文件“{name}”超过一次导入 {limit:,} 行的上限（已数到 {total:,} 行）。"
                               f"请删除末尾的空行或格式，或把数据分成几个文件分别上传。", field="file")


def read_book(path, name: str, *, expected_mark: str, wants_activities: bool = True) -> Book:
    workbook = check_file(path, name)
    _check_sheet_names(list(workbook.sheets), name, wants_activities=wants_activities)
    present = [s for s in SHEETS if s in workbook.sheets]
    scans = {}
    for sheet in present:  # each sheet may stop early at the limit; their sum is checked below
        scans[sheet] = safety.scan_sheet(path, workbook.sheets[sheet], stop_after_rows=max_rows() + 1)
    _check_rows(scans, name)
    try:
        wb = CalamineWorkbook.from_path(str(path))
    # calamine raises CalamineError (and its Zip/Xml/Password kinds) for broken parts; OSError and ValueError for
    # a file it cannot open or decode at all.
    except (CalamineError, OSError, ValueError):
        raise ApplicationError(f"文件“{name}”已损坏，无法读取。请用 Excel 打开后另存为 .xlsx 再上传。", field="file") from None
    _check_mark(wb, expected_mark, name)
    book = Book()
    for sheet in present:
        grid = wb.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        header_row = grid[0] if grid else []
        columns = _headers(sheet, header_row, book.problems)
        letters = {column_letter(i): f"“{canonical_header(normalize_text(h))}”" for i, h in enumerate(header_row)
                   if not is_blank(h)}
        _scan(scans[sheet], sheet, letters, book.problems)
        if columns is None:
            continue
        rows = SheetRows(sheet, columns)
        wanted = sorted(columns.values())
        for number, cells in enumerate(grid[1:], start=2):
            if all(is_blank(cells[i]) for i in wanted if i < len(cells)):
                continue  # empty rows are skipped, wherever they are
            rows.rows.append((number, cells))
        book.sheets[sheet] = rows
        del grid
    return book
