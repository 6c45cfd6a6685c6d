"""Reading a response file (XLSX, CSV, SPSS .sav) into columns of text, and tying columns to items.

The file's cost is bounded before it is parsed (bytes, rows). Values are converted one distinct value at a time
(np.unique), so a column of 300,000 answers costs a handful of conversions, not 300,000.
"""

from __future__ import annotations

import csv
import io
import os
import re
import tempfile
from dataclasses import dataclass

import numpy as np

from .instrument import Instrument, normalise_answer
from .pipeline import RoundData

MAX_BYTES = 200 * 1024 * 1024
MAX_ROWS = 500_000
MAX_ERRORS = 20
SEX = {"男": "男", "男性": "男", "1": "男", "女": "女", "女性": "女", "2": "女"}
URBAN = {"城镇": "城镇", "城市": "城镇", "城区": "城镇", "农村": "农村", "乡村": "农村"}

# target → what an office calls it; the mapping step offers these besides the items
FIELDS = {
    "region": "地区", "sex": "性别", "age": "年龄", "education": "文化程度", "urban": "城乡",
    "occupation": "职业", "seconds": "答题用时", "duplicate": "手机号/设备/IP",
    "weight": "设计权重", "stratum": "抽样层", "psu": "初级抽样单元（村/社区）",
}
GUESSES = {
    "sex": ("性别",), "age": ("年龄", "周岁"), "education": ("文化程度", "学历", "受教育程度"),
    "urban": ("城乡", "居住地", "户籍类型"), "occupation": ("职业",), "region": ("所在地区", "地区", "区县"),
    "seconds": ("所用时间", "答题时长", "用时"), "duplicate": ("来源IP", "IP", "手机", "设备"),
}


class ResponseFileError(ValueError):
    def __init__(self, messages: list[str]):
        super().__init__("\n".join(messages))
        self.messages = messages


@dataclass
class Table:
    headers: list[str]
    columns: list[np.ndarray]  # text per row, '' for blank

    @property
    def rows(self) -> int:
        return len(self.columns[0]) if self.columns else 0


def read_table(name: str, data: bytes) -> Table:
    if len(data) > MAX_BYTES:
        raise ResponseFileError([f"文件超过 {MAX_BYTES // 1024 // 1024} MB，请分批上传。"])
    suffix = os.path.splitext(name.lower())[1]
    if suffix in (".xlsx", ".xls"):
        rows = _read_excel(data)
    elif suffix == ".csv":
        return _read_csv(data)
    elif suffix == ".sav":
        return _read_sav(data)
    else:
        raise ResponseFileError([f"不支持“{suffix or name}”格式：请上传 .xlsx、.csv（问卷星等平台导出）或 SPSS .sav 文件。"])
    if not rows or not any(str(c).strip() for c in rows[0]):
        raise ResponseFileError(["文件第1行应为列标题，但为空。"])
    if len(rows) - 1 > MAX_ROWS:
        raise ResponseFileError([f"文件有 {len(rows) - 1:,} 行答卷，超过每次 {MAX_ROWS:,} 行的上限，请分批上传。"])
    headers = [str(h).strip() for h in rows[0]]
    width = len(headers)
    body = [(list(r) + [""] * width)[:width] for r in rows[1:] if any(str(c).strip() for c in r)]
    columns = [np.array([_text(r[j]) for r in body], dtype=str) if body else np.array([], dtype=str)
               for j in range(width)]
    return Table(headers=headers, columns=columns)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _read_excel(data: bytes) -> list[list]:
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        return book.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except Exception as exc:  # calamine raises its own error types for damaged files
        raise ResponseFileError([f"无法读取 Excel 文件：文件已损坏或不是 Excel 格式（{exc.__class__.__name__}）。"]) from exc


def _read_csv(data: bytes) -> Table:
    """polars' CSV reader (every column as text) keeps a 300,000-row file to a second or two."""
    import polars as pl

    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ResponseFileError(["无法识别 CSV 文件的编码：请另存为 UTF-8 或 GBK 编码。"])
    if not text.strip():
        raise ResponseFileError(["文件第1行应为列标题，但为空。"])
    try:
        frame = pl.read_csv(io.StringIO(text), infer_schema=False, truncate_ragged_lines=True)
    except pl.exceptions.PolarsError as exc:
        raise ResponseFileError([f"无法读取 CSV 文件：{exc.__class__.__name__}。请检查引号和分隔符。"]) from exc
    if frame.height > MAX_ROWS:
        raise ResponseFileError([f"文件有 {frame.height:,} 行答卷，超过每次 {MAX_ROWS:,} 行的上限，请分批上传。"])
    frame = frame.filter(~pl.all_horizontal(pl.all().is_null() | (pl.all().str.strip_chars() == "")))
    headers = [h.strip() for h in csv_headers(text)] or frame.columns
    columns = [frame.get_column(c).fill_null("").str.strip_chars().to_numpy().astype(str) for c in frame.columns]
    return Table(headers=headers[:len(columns)], columns=columns)


def csv_headers(text: str) -> list[str]:
    """The header row as written (polars renames repeated headers; the office should see its own)."""
    return next(csv.reader(io.StringIO(text.split("\n", 1)[0])), [])


def _read_sav(data: bytes) -> Table:
    import pyreadstat

    with tempfile.NamedTemporaryFile(suffix=".sav") as handle:
        handle.write(data)
        handle.flush()
        try:
            frame, meta = pyreadstat.read_sav(handle.name, apply_value_formats=True, output_format="polars")
        except Exception as exc:  # pyreadstat reports damaged files with its own exceptions
            raise ResponseFileError([f"无法读取 SPSS 文件：文件已损坏或不是 .sav 格式（{exc.__class__.__name__}）。"]) from exc
    # the column label (the question text) is what an office recognises; fall back to the variable name
    labels = dict(zip(meta.column_names, meta.column_labels or [], strict=False))
    headers, columns = [], []
    for name in frame.columns:
        headers.append(labels.get(name) or name)
        values = frame.get_column(name).cast(str).fill_null("").to_list()
        columns.append(np.array([_text(float(v)) if _is_number(v) else "" if v == "NaN" else v.strip() for v in values], dtype=str))
    if columns and len(columns[0]) > MAX_ROWS:
        raise ResponseFileError([f"文件有 {len(columns[0]):,} 行答卷，超过每次 {MAX_ROWS:,} 行的上限，请分批上传。"])
    return Table(headers=headers, columns=columns)


def _is_number(text: str) -> bool:
    try:
        return float(text) == float(text)  # NaN is a missing value, not a number
    except ValueError:
        return False


def _plain(text: str) -> str:
    """'12.地球绕太阳一周…？' → '地球绕太阳一周…': 问卷星 numbers its question headers."""
    return re.sub(r"^\s*(第?\d+[题、.．:：)]\s*)", "", text).strip()


def guess_mapping(headers: list[str], instrument: Instrument, remembered: dict | None = None) -> dict[str, str]:
    """header → target (an item key or a FIELDS key); a remembered mapping wins, then exact key, text, keyword."""
    remembered = remembered or {}
    by_text = {_plain(i.text): i.key for i in instrument.items if i.text}
    keys = {i.key for i in instrument.items}
    mapping = {}
    for header in headers:
        plain = _plain(header)
        if header in remembered:
            mapping[header] = remembered[header]
        elif header in keys:
            mapping[header] = header
        elif plain in by_text:
            mapping[header] = by_text[plain]
        else:
            for target, words in GUESSES.items():
                if target not in mapping.values() and any(w in header for w in words):
                    mapping[header] = target
                    break
    return mapping


def parse(table: Table, mapping: dict[str, str], instrument: Instrument) -> RoundData:
    """Columns → RoundData; every bad cell is reported with its row and column, and nothing is returned then."""
    errors: list[str] = []
    targets = {t: h for h, t in mapping.items() if t}
    missing = [i.key for i in instrument.items if i.key not in targets]
    if missing:
        listed = "、".join(missing[:10]) + ("等" if len(missing) > 10 else "")
        raise ResponseFileError([f"问卷题目 {listed} 没有对应的列，请在列对应中选择。"])
    column = {h: table.columns[j] for j, h in enumerate(table.headers)}
    answers = {item.key: _convert(column[targets[item.key]], targets[item.key], errors,
                                  lambda v, item=item: _answer(v, item)) for item in instrument.items}
    demographics = {}
    for field in ("region", "education", "occupation"):
        if field in targets:
            demographics[field] = column[targets[field]]
    if "sex" in targets:
        demographics["sex"] = _convert(column[targets["sex"]], targets["sex"], errors, _sex)
    if "urban" in targets:
        demographics["urban"] = _convert(column[targets["urban"]], targets["urban"], errors, _urban)
    if "age" in targets:
        demographics["age"] = _convert(column[targets["age"]], targets["age"], errors, _number, dtype=float)
    seconds = (_convert(column[targets["seconds"]], targets["seconds"], errors, _seconds, dtype=float)
               if "seconds" in targets else None)
    duplicate = column[targets["duplicate"]] if "duplicate" in targets else None
    design = {field: column[targets[field]] for field in ("stratum", "psu") if field in targets}
    if "weight" in targets:
        design["weight"] = _convert(column[targets["weight"]], targets["weight"], errors, _weight, dtype=float)
    if errors:
        extra = len(errors) - MAX_ERRORS
        raise ResponseFileError(errors[:MAX_ERRORS] + ([f"另有 {extra} 处错误未列出。"] if extra > 0 else []))
    return RoundData(answers=answers, demographics=demographics, seconds=seconds, duplicate_key=duplicate,
                     design=design)


def _convert(values: np.ndarray, header: str, errors: list, convert, dtype=object) -> np.ndarray:
    unique, inverse = np.unique(values, return_inverse=True)
    converted = []
    for k, raw in enumerate(unique):
        try:
            converted.append(convert(str(raw)))
        except ValueError as exc:
            rows = np.flatnonzero(inverse == k)
            where = "、".join(str(r + 2) for r in rows[:3]) + ("等" if len(rows) > 3 else "")
            errors.append(f"第{where}行“{header}”列：{exc}")
            converted.append(np.nan if dtype is float else "")
    result = np.array(converted, dtype=dtype)[inverse]
    return result.astype(str) if dtype is object else result


def _answer(raw: str, item) -> str:
    if raw == "" or raw in ("(跳过)", "(空)", "-", "—"):
        return ""
    if raw in item.options:  # option text, as 问卷星 exports by default
        return "ABCDEFGHIJ"[item.options.index(raw)]
    parts = re.split(r"[┋|,，;；、\s]+", raw)
    if all(p in item.options for p in parts if p) and len(parts) > 1:
        return "".join(sorted("ABCDEFGHIJ"[item.options.index(p)] for p in parts if p))
    letters = normalise_answer(raw)
    if letters and re.fullmatch(r"[A-Ja-j┋|,，;；、\s]+", raw):
        return letters
    raise ValueError(f"答案“{raw}”既不是选项字母，也不是该题的选项。")


def _sex(raw: str) -> str:
    if raw == "":
        return ""
    if raw in SEX:
        return SEX[raw]
    raise ValueError(f"性别“{raw}”无法识别（应为 男 或 女）。")


def _urban(raw: str) -> str:
    if raw == "":
        return ""
    if raw in URBAN:
        return URBAN[raw]
    raise ValueError(f"城乡“{raw}”无法识别（应为 城镇 或 农村）。")


def _number(raw: str) -> float:
    if raw == "":
        return np.nan
    match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*岁?", raw)
    if not match:
        raise ValueError(f"年龄“{raw}”不是数字。")
    return float(match.group(1))


def _weight(raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not value > 0:
        raise ValueError(f"设计权重“{raw}”应为正数。")
    return value


def _seconds(raw: str) -> float:
    """'300', '300秒', '5分30秒', '00:05:30' → seconds."""
    if raw == "":
        return np.nan
    if re.fullmatch(r"\d+(\.\d+)?", raw):
        return float(raw)
    match = re.fullmatch(r"(?:(\d+)\s*(?:小时|时))?\s*(?:(\d+)\s*分钟?)?\s*(?:(\d+)\s*秒)?", raw)
    if match and any(match.groups()):
        h, m, s = (int(g or 0) for g in match.groups())
        return float(h * 3600 + m * 60 + s)
    match = re.fullmatch(r"(?:(\d+):)?(\d+):(\d+)", raw)
    if match:
        h, m, s = (int(g or 0) for g in match.groups())
        return float(h * 3600 + m * 60 + s)
    raise ValueError(f"答题用时“{raw}”无法识别（应为秒数或“5分30秒”）。")
