"""Check and import one workbook for one reporter and period.

``check`` reads the file, reads every cell, then runs the bulk services in dry-run mode, so the preview lists
every problem the real import would meet — cell problems and service refusals alike — by sheet, row, column and
reason. ``commit`` does the same and, when nothing blocks, writes values and activities in ONE transaction.
"""

import gc
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import transaction

from kesu.core.exceptions import ApplicationError

from ..services import bulk
from ..services.figures import COLLECT, HISTORY
from . import cells
from .cells import CellError, normalize_text, plain_text
from .columns import ACTIVITIES_SHEET, ACTIVITY_COLUMNS, VALUE_COLUMNS, VALUES_SHEET
from .context import Context
from .reader import Book, Problem, SheetRows, read_book

VALUE_HEADERS = {c.key: c.header for c in VALUE_COLUMNS} | {"indicator": "指标编码"}
ACTIVITY_HEADERS = {c.key: c.header for c in ACTIVITY_COLUMNS}
HISTORY_REASON = "Excel 历史数据导入（本系统上线前的年份，按已审核记录）"


def source_for(name: str, row: int) -> str:
    return f"Excel:{name[:200]}:第{row}行"


@dataclass
class Outcome:
    problems: list[Problem] = field(default_factory=list)
    summary: dict = field(default_factory=dict)
    total_rows: int = 0
    committed: bool = False

    @property
    def blocking(self) -> list[Problem]:
        return [p for p in self.problems if p.blocking]


class _Rollback(Exception):  # noqa: N818 - a control-flow signal, not an error
    pass


def _summed_reason(ctx: Context, indicator) -> str:
    """Why a figure of an indicator summed from activities is not taken from this file."""
    if ctx.history:
        return (f"“{indicator.name}”由科普活动自动汇总，{ctx.reporter.name}{ctx.reporter.period.label}已登记科普活动，"
                "不能再作为历史数据导入。")
    return (f"“{indicator.name}”由科普活动自动汇总，不能直接填报；请在“活动”中登记"
            "（本系统上线前年度的数可勾选“作为历史数据导入”）。")


# -- cells → service rows ------------------------------------------------------------------------------------------


def _value_rows(sheet: SheetRows, ctx: Context, name: str, problems: list[Problem]) -> list[bulk.ValueRow]:
    known = {i.code: i for i in ctx.indicators}
    has_explanation = "explanation" in sheet.columns
    rows, seen = [], {}
    for number, cells_ in sheet.rows:
        code = normalize_text(sheet.get(cells_, "code"))
        raw_value = sheet.get(cells_, "value")
        if not code:
            problems.append(Problem(VALUES_SHEET, number, "指标编码", "缺少指标编码。请不要删除模板中的指标编码。"))
            continue
        if code in seen:
            problems.append(Problem(VALUES_SHEET, number, "指标编码", f"指标“{code}”在第 {seen[code]} 行已出现，同一指标只能填一行。"))
            continue
        seen[code] = number
        if code in ctx.summed:  # a history template's row uploaded as a return, or a row typed in
            if plain_text(raw_value):
                problems.append(Problem(VALUES_SHEET, number, "本期数值", _summed_reason(ctx, ctx.summed[code])))
            continue
        if code not in known:
            problems.append(Problem(VALUES_SHEET, number, "指标编码", f"指标编码“{code}”不在{ctx.reporter.name}的填报指标中。"))
            continue
        try:
            value = cells.parse_number(raw_value)
        except CellError as exc:
            problems.append(Problem(VALUES_SHEET, number, "本期数值", f"应填数字：{exc}。"))
            continue
        if value is None:
            continue  # a blank figure is not reported; it never clears a stored one
        explanation = plain_text(sheet.get(cells_, "explanation")) if has_explanation else None
        rows.append(bulk.ValueRow(row=number, indicator=known[code], value=value, explanation=explanation,
                                  source=source_for(name, number)))
    return rows


def _choice(raw, options: dict, label: str, values=()):
    text = plain_text(raw)
    if not text:
        return None
    if text in options:
        return options[text]
    if text in values:
        return text
    raise CellError(f"“{text}”不在{label}的可选范围内，请从下拉列表选择")


def _activity_readers(sheet: SheetRows, ctx: Context) -> list[tuple[str, int, object]]:
    """(column key, cell index, reader) for each activity column present; built once per sheet, not per row."""
    kinds, populations = ctx.lists.kinds, ctx.lists.populations
    kind_values, population_values = frozenset(kinds.values()), frozenset(populations.values())
    readers = {
        "title": plain_text,
        "kind": lambda v: _choice(v, kinds, "活动类型", kind_values),
        "population": lambda v: _choice(v, populations, "面向人群", population_values),
        "start_date": cells.parse_date,
        "end_date": cells.parse_date,
        "region": lambda v: _choice(v, ctx.lists.regions, "举办地"),
        "sessions": cells.parse_count,
        "participants": cells.parse_count,
        "people": cells.parse_count,
        "materials": cells.parse_count,
        "funds": cells.parse_money,
        "place": plain_text,
        "notes": plain_text,
        "task": lambda v: _task(v, ctx),
    }
    return [(key, sheet.columns[key], read) for key, read in readers.items() if key in sheet.columns]


# A blank cell in these columns keeps what is stored (a new row gets the form's default): a link or choice is
# never cleared by a cell the person left empty. They are changed to another value in the file, or cleared on the page.
KEEP_WHEN_BLANK = frozenset({"task", "region", "population"})


def _activity_data(readers, cells_: list) -> tuple[dict, list[tuple[str, str]]]:
    """The service's input dict for one row, and the (column key, reason) of each cell that cannot be read."""
    data, errors = {}, []
    width = len(cells_)
    for key, idx, read in readers:
        try:
            value = read(cells_[idx] if idx < width else None)
        except CellError as exc:
            errors.append((key, str(exc)))
            continue
        if value is None and key in KEEP_WHEN_BLANK:
            continue
        data[key] = value
    return data, errors


def _task(raw, ctx: Context):
    text = plain_text(raw)
    if not text:
        return None
    task = ctx.lists.tasks.get(text) or ctx.task_numbers.get(text)
    if task is None:
        raise CellError(f"“{text}”不是{ctx.reporter.name}承担的任务，请从下拉列表选择")
    return task


def _activity_rows(sheet: SheetRows, ctx: Context, name: str, problems: list[Problem]) -> list[bulk.ActivityRow]:
    period = ctx.reporter.period
    rows, seen = [], {}
    readers = _activity_readers(sheet, ctx)
    for number, cells_ in sheet.rows:
        data, errors = _activity_data(readers, cells_)
        for key, reason in errors:
            problems.append(Problem(ACTIVITIES_SHEET, number, ACTIVITY_HEADERS[key], reason + "。"))
        if errors:
            continue
        start = data.get("start_date")
        if isinstance(start, date) and not period.start <= start <= period.end:
            problems.append(Problem(ACTIVITIES_SHEET, number, "开始日期",
                                    f"开始日期 {start:%Y-%m-%d} 不在报告期（{period.label}）内。"))
            continue
        key = (data.get("title"), start)
        if data.get("title") and start and key in seen:
            problems.append(Problem(ACTIVITIES_SHEET, number, "活动名称", f"活动“{data['title']}”（{start:%Y-%m-%d}）"
                                    f"与第 {seen[key]} 行重复：同一活动名称和开始日期在文件中只能出现一次。"))
            continue
        seen[key] = number
        rows.append(bulk.ActivityRow(row=number, data=data, source=source_for(name, number)))
    return rows


def _service_problems(sheet: str, result: bulk.BulkResult, headers: dict) -> list[Problem]:
    problems = [Problem(sheet, e.row, headers.get(e.field or "", ""), e.message) for e in result.errors]
    for p in problems:
        p.from_service = True  # replaced, not duplicated, when the write pass checks again
    return problems


# -- check and commit ----------------------------------------------------------------------------------------------


@contextmanager
def _without_cycle_collector():
    """Pause Python's cyclic garbage collector while a file is imported.

    An import creates millions of small containers (cells, row dicts, audit changes) that stay alive until the
    write; each automatic collection walks all of them, so the collector's cost grows with the square of the file
    size (about a quarter of the CPU at 20 000 rows, more at 100 000). Reference counting still frees everything
    the import drops; the collector runs again as soon as the import ends.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def run(path, name: str, ctx: Context, *, actor, commit: bool, progress=None, on_written=None,
        history: bool = False) -> Outcome:
    """Check (and with ``commit``, import) a workbook. File-level refusals raise ApplicationError.

    ``on_written(outcome)`` is called inside the import's transaction once every row is written, so that what it
    records (the job's status) commits together with the data or not at all. With ``history`` the figures are
    loaded as approved history of a year kesu never collected (activities are not part of history).
    """
    with _without_cycle_collector():
        return _run(path, name, ctx, actor=actor, commit=commit, progress=progress, on_written=on_written,
                    history=history)


def _run(path, name: str, ctx: Context, *, actor, commit: bool, progress, on_written=None,
         history: bool = False) -> Outcome:
    step = progress or (lambda _stage, _pct: None)
    step("读取文件", 5)
    book: Book = read_book(path, name, expected_mark=ctx.reporter.mark,
                           wants_activities=ctx.reporter.unit is not None)
    outcome = Outcome(problems=list(book.problems), total_rows=book.row_count)
    step("检查单元格", 30)
    value_rows, activity_rows = [], []
    if VALUES_SHEET in book.sheets:
        value_rows = _value_rows(book.sheets[VALUES_SHEET], ctx, name, outcome.problems)
    if ACTIVITIES_SHEET in book.sheets:
        if history and book.sheets[ACTIVITIES_SHEET].rows:
            outcome.problems.append(Problem(ACTIVITIES_SHEET, None, "", "历史数据导入只导入“指标数据”，不登记活动；"
                                                                        "请删除“活动”工作表中的行后重新上传。"))
        elif ctx.reporter.unit is None and book.sheets[ACTIVITIES_SHEET].rows:
            outcome.problems.append(Problem(ACTIVITIES_SHEET, None, "", "区域本级汇总不登记活动，请由成员单位上传活动。"))
        else:
            activity_rows = _activity_rows(book.sheets[ACTIVITIES_SHEET], ctx, name, outcome.problems)
    del book

    if commit and not outcome.blocking:
        # One pass: the services check every row against the data as it is now (it may have changed since the
        # preview) and write, in one transaction. Its progress would be invisible to the page until the commit,
        # so the bar waits at "写入数据库".
        _write(ctx, actor, value_rows, activity_rows, outcome, step, on_written, history=history)
    else:
        # A dry run outside any transaction, so its progress is visible to the page while it runs.
        _services(ctx, actor, value_rows, activity_rows, outcome, step, write=False, history=history)
    outcome.problems.sort(key=lambda p: (p.sheet != VALUES_SHEET, p.sheet, p.row or 0))
    outcome.summary.setdefault("_changes", [])
    step("完成", 100)
    return outcome


def _write(ctx, actor, value_rows, activity_rows, outcome: Outcome, step, on_written=None, *,
           history: bool = False) -> None:
    """All rows of all sheets in ONE transaction; any refusal rolls every row back."""
    try:
        with transaction.atomic():
            step("写入数据库", 85)
            _services(ctx, actor, value_rows, activity_rows, outcome, step, write=True, history=history)
            if outcome.blocking:
                raise _Rollback
            outcome.committed = True
            if on_written is not None:
                on_written(outcome)
    except _Rollback:
        outcome.committed = False


def _services(ctx, actor, value_rows, activity_rows, outcome: Outcome, step, *, write: bool,
              history: bool = False) -> None:
    reporter = ctx.reporter
    outcome.problems = [p for p in outcome.problems if not getattr(p, "from_service", False)]

    def row_progress(done, total):
        if not write:
            step("逐行检查", 35 + int(45 * done / max(total, 1)))

    if not write:
        step("逐行检查", 35)
    values = bulk.value_bulk_upsert(actor=actor, region=reporter.region, unit=reporter.unit, period=reporter.period,
                                    rows=value_rows, dry_run=not write, mode=HISTORY if history else COLLECT,
                                    reason=HISTORY_REASON if history else "")
    outcome.problems += _service_problems(VALUES_SHEET, values, VALUE_HEADERS)
    outcome.summary = {VALUES_SHEET: _counts(values, len(value_rows))}
    changes = _value_changes(ctx, value_rows)
    if reporter.unit is not None and not history and not (write and values.errors):
        activities = bulk.activity_bulk_upsert(actor=actor, unit=reporter.unit, rows=activity_rows,
                                               dry_run=not write, progress=row_progress)
        outcome.problems += _service_problems(ACTIVITIES_SHEET, activities, ACTIVITY_HEADERS)
        outcome.summary[ACTIVITIES_SHEET] = _counts(activities, len(activity_rows))
        changes += _activity_changes(ctx, activity_rows, activities)
    outcome.summary["_changes"] = changes[:CHANGES_SHOWN]


# -- what a commit changes, cell by cell (shown on the preview) -----------------------------------------------------

CHANGES_SHOWN = 500  # changed rows listed on the preview; the counts above them cover every row


def _shown(value) -> str:
    if value is None or value == "":
        return "（空）"
    if isinstance(value, Decimal):
        value = value.normalize()
        return f"{value:f}"
    return str(value)


def _value_changes(ctx: Context, rows: list[bulk.ValueRow]) -> list[dict]:
    out = []
    for r in rows:
        stored = ctx.current.get(r.indicator.pk)
        cells_ = []
        if stored is None or stored.value != r.value:
            cells_.append([VALUE_HEADERS["value"], _shown(stored.value if stored else None), _shown(r.value)])
        if r.explanation is not None and (stored.explanation if stored else "") != r.explanation.strip():
            cells_.append([VALUE_HEADERS["explanation"], _shown(stored.explanation if stored else None),
                           _shown(r.explanation.strip())])
        if cells_:
            out.append({"sheet": VALUES_SHEET, "row": r.row, "what": r.indicator.name, "new": stored is None,
                        "cells": cells_})
    return out


def _activity_changes(ctx: Context, rows: list[bulk.ActivityRow], result: bulk.BulkResult) -> list[dict]:
    titles = {r.row: r.data.get("title") for r in rows}
    names = {v: k for k, v in ctx.lists.kinds.items()} | {v: k for k, v in ctx.lists.populations.items()}
    out = []
    for row, diff in result.changes[:CHANGES_SHOWN]:
        cells_ = [[ACTIVITY_HEADERS.get(key, key), _shown(names.get(old, old)), _shown(names.get(new, new))]
                  for key, (old, new) in diff.items()]
        out.append({"sheet": ACTIVITIES_SHEET, "row": row, "what": titles.get(row) or "", "new": False,
                    "cells": cells_})
    return out


def _counts(result: bulk.BulkResult, rows: int) -> dict:
    return {"rows": rows, "created": result.created, "updated": result.updated, "unchanged": result.unchanged}


__all__ = ["ApplicationError", "Outcome", "run", "source_for"]
