"""Checks made on an uploaded file BEFORE any parser sees it: size, content signature, zip-bomb limits, and a
streamed scan of the data sheets for merged cells and formulas.

An .xlsx is a zip of XML files. The zip directory declares every entry's uncompressed size, so a bomb (a few MB
that inflate to gigabytes) is refused from the directory alone; our own scans also read through a byte cap, so a
directory that lies about sizes still cannot make us inflate more than the limit.
"""

import re
import zipfile
from dataclasses import dataclass, field
from xml.etree import ElementTree

from django.conf import settings

from kesu.core import uploads
from kesu.core.exceptions import ApplicationError

MB = uploads.MB


def max_upload_bytes() -> int:
    return getattr(settings, "KESU_EXCEL_MAX_BYTES", 30 * MB)


def max_uncompressed_bytes() -> int:
    return getattr(settings, "KESU_EXCEL_MAX_UNCOMPRESSED", 400 * MB)


MAX_ENTRIES = 500
_NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
       "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
       "rel": "http://schemas.openxmlformats.org/package/2006/relationships"}


def check_size(size: int, name: str) -> None:
    if size == 0:
        raise ApplicationError(f"文件“{name}”是空文件。", field="file")
    limit = max_upload_bytes()
    if size > limit:
        raise ApplicationError(f"文件“{name}”过大（{uploads.size_text(size)}），上传的 Excel 文件不能超过 {uploads.size_text(limit)}。"
                               f"请删除无关的工作表或分成几个文件上传。", field="file")


def check_signature(head: bytes, name: str) -> None:
    """Judge the type by the first bytes, never by the file name (kesu.core.uploads.sniff, shared by every
    upload); the zip structure is judged by ``inspect_zip``."""
    kind = uploads.sniff(head)
    if kind == "zip":
        return
    if kind == "ole":
        raise ApplicationError(f"文件“{name}”是旧版 Excel（.xls）或其他 Office 97—2003 格式，"
                               f"请在 Excel 中“另存为”Excel 工作簿（.xlsx）后再上传。", field="file")
    raise ApplicationError(f"文件“{name}”不是 Excel 文件（文件内容不是 .xlsx 格式），请上传从本系统下载的模板或其他 .xlsx 文件。",
                           field="file")


@dataclass
class Workbook:
    """What the zip directory tells us: sheet name → XML entry path."""

    sheets: dict[str, str] = field(default_factory=dict)
    uncompressed: int = 0


def inspect_zip(path, name: str) -> Workbook:
    """Open the zip directory only (nothing inflated yet) and refuse bombs and non-workbooks."""
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        raise ApplicationError(f"文件“{name}”已损坏或不是完整的 Excel 文件，无法打开。", field="file") from None
    with zf:
        entries = zf.infolist()
        total = uploads.check_zip_directory(
            entries, max_entries=MAX_ENTRIES, max_uncompressed=max_uncompressed_bytes(),
            too_many=lambda n: f"文件“{name}”内部包含 {n} 个部件，超过 {MAX_ENTRIES} 个，不像正常的 Excel 填报表，已拒绝。",
            too_big=lambda total, cap: f"文件“{name}”解压后达 {uploads.size_text(total)}，超过 {uploads.size_text(cap)} "
                                       f"的上限（可能是异常或恶意构造的文件），已拒绝。")
        names = {e.filename for e in entries}
        if "xl/workbook.xml" not in names or "[Content_Types].xml" not in names:
            raise ApplicationError(f"文件“{name}”不是 Excel 工作簿（可能是 Word、PowerPoint 或其他压缩文件）。", field="file")
        return Workbook(sheets=_sheet_paths(zf), uncompressed=total)


def _read_capped(zf: zipfile.ZipFile, entry: str, cap: int = 4 * MB) -> bytes:
    with zf.open(entry) as fh:
        data = fh.read(cap + 1)
    if len(data) > cap:
        raise ApplicationError("Excel 文件结构异常（工作簿目录过大），已拒绝。", field="file")
    return data


def _sheet_paths(zf: zipfile.ZipFile) -> dict[str, str]:
    try:
        book = ElementTree.fromstring(_read_capped(zf, "xl/workbook.xml"))
        rels = ElementTree.fromstring(_read_capped(zf, "xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError):
        raise ApplicationError("Excel 文件结构异常（无法读取工作表目录），请用 Excel 打开后重新保存再上传。", field="file") from None
    targets = {r.get("Id"): r.get("Target", "") for r in rels.findall("rel:Relationship", _NS)}
    paths = {}
    for sheet in book.iterfind("m:sheets/m:sheet", _NS):
        target = targets.get(sheet.get(f"{{{_NS['r']}}}id"), "")
        target = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        paths[sheet.get("name")] = target
    return paths


# Cells in SpreadsheetML: <c r="H5" ...><f>SUM(H2:H4)</f><v>10</v></c>; merges: <mergeCell ref="A1:B2"/>.
_FORMULA = re.compile(rb'<(?:\w+:)?c r="([A-Z]{1,3}\d+)"[^>]*>\s*<(?:\w+:)?f[\s>/]')
_MERGE = re.compile(rb'<(?:\w+:)?mergeCell ref="([A-Z]{1,3}\d+(?::[A-Z]{1,3}\d+)?)"')
_ROW = re.compile(rb'<(?:\w+:)?row[\s>]')


@dataclass
class SheetScan:
    formulas: list[str] = field(default_factory=list)  # cell references, in file order
    merges: list[str] = field(default_factory=list)
    rows: int = 0  # <row> elements, the header included: known before any parser builds a cell


def scan_sheet(path, entry: str, *, chunk: int = 1 * MB, overlap: int = 512, stop_after_rows: int | None = None
               ) -> SheetScan:
    """Stream one sheet's XML (through the decompressed-size cap) looking for formulas and merged cells, counting
    rows; with ``stop_after_rows``, stop reading once more rows than that are seen (the file is refused anyway)."""
    scan, seen_f, seen_m = SheetScan(), set(), set()
    budget = max_uncompressed_bytes()
    with zipfile.ZipFile(path) as zf, zf.open(entry) as fh:
        tail = b""
        while True:
            block = fh.read(chunk)
            budget -= len(block)
            if budget < 0:
                raise ApplicationError("Excel 文件解压后超过大小上限（可能是异常或恶意构造的文件），已拒绝。", field="file")
            if not block:
                break
            data = tail + block
            for ref in _FORMULA.findall(data):
                if ref not in seen_f:
                    seen_f.add(ref)
                    scan.formulas.append(ref.decode())
            for ref in _MERGE.findall(data):
                if ref not in seen_m:
                    seen_m.add(ref)
                    scan.merges.append(ref.decode())
            # A row tag that lies wholly in the carried-over tail was counted with the previous block.
            scan.rows += sum(1 for m in _ROW.finditer(data) if m.end() > len(tail))
            if stop_after_rows is not None and scan.rows > stop_after_rows:
                break
            tail = data[-overlap:]
    return scan
