"""An office's own item bank from Excel: one row per item, the scoring scheme chosen alongside.

Columns (the header row names them; order is free): 编号, 维度, 题目, 选项A … 选项F, 正确答案, 分值, 注意力题.
"""

from __future__ import annotations

import io

from .instrument import MILLER, POINTS, InstrumentError, instrument_from_dict

COLUMNS = ("编号", "维度", "题目", "选项A", "选项B", "选项C", "选项D", "正确答案", "分值", "注意力题")
REQUIRED = ("编号", "维度", "正确答案", "分值")
TIERS_2024 = [{"label": "具备高阶科学素质", "above": 85}, {"label": "具备科学素质", "above": 70},
              {"label": "基本具备科学素质", "above": 55}, {"label": "科学素质较低", "above": -1}]


def template_rows(definition: dict) -> list[list]:
    """A filled-in template: the header and one row per item of a questionnaire."""
    rows = [list(COLUMNS)]
    for item in definition["items"]:
        options = (list(item.get("options") or []) + [""] * 4)[:4]
        rows.append([item["key"], item.get("dimension", ""), item.get("text", ""), *options, item["answer"],
                     item.get("points", 0), "是" if item.get("attention") else ""])
    return rows


def definition_from_excel(data: bytes, *, name: str, kind: str = POINTS, literate_above: float = 70,
                          dimension_share: float = 0.6) -> dict:
    from python_calamine import CalamineWorkbook

    try:
        rows = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
    except Exception as exc:  # calamine raises its own error types for damaged files
        raise InstrumentError(f"无法读取题库文件：文件已损坏或不是 Excel 格式（{exc.__class__.__name__}）。") from exc
    if not rows:
        raise InstrumentError("题库文件是空的。")
    header = [str(h).strip() for h in rows[0]]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise InstrumentError(f"题库第1行缺少列：{'、'.join(missing)}（应有 {'、'.join(COLUMNS)}）。")
    at = {h: k for k, h in enumerate(header)}
    option_columns = [h for h in header if h.startswith("选项")]
    items, dimensions = [], []
    for number, row in enumerate(rows[1:], start=2):
        cell = {h: _text(row[k]) if k < len(row) else "" for h, k in at.items()}
        if not any(cell.values()):
            continue
        attention = cell.get("注意力题", "") in ("是", "Y", "y", "1", "√")
        if not attention and cell["维度"] and cell["维度"] not in dimensions:
            dimensions.append(cell["维度"])
        items.append({"key": cell["编号"], "dimension": cell["维度"], "text": cell.get("题目", ""),
                      "options": [cell[h] for h in option_columns if cell[h]], "answer": cell["正确答案"],
                      "points": cell["分值"] or 0, "attention": attention, "_row": number})
    scheme = {"kind": kind, "dimensions": dimensions, "literate_above": literate_above,
              "dimension_share": dimension_share, "tiers": TIERS_2024 if kind == POINTS else []}
    if kind not in (POINTS, MILLER):
        raise InstrumentError(f"评分方案“{kind}”无法识别。")
    definition = {"code": "office", "name": name, "scheme": scheme,
                  "items": [{k: v for k, v in i.items() if k != "_row"} for i in items]}
    try:
        instrument_from_dict(definition)
    except InstrumentError as exc:
        # “第3题（K03）：…” names the item; say the Excel row too
        message = str(exc)
        if message.startswith("第") and "题" in message:
            index = int(message[1:message.index("题")]) - 1
            if 0 <= index < len(items):
                message = f"题库第{items[index]['_row']}行：{message.split('：', 1)[1]}"
        raise InstrumentError(message) from None
    return definition


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()
