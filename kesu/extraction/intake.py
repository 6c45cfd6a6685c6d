"""Checks made on an upload BEFORE any reader sees it, and the readers that turn stored bytes into text.

The type is judged from the content (magic bytes, the zip directory, the first characters), never from the file
name. A .zip is checked from its directory alone (entry count, declared uncompressed sizes) before anything is
inflated, and every entry is then read through a byte cap, so a directory that lies still cannot inflate more.
"""

import io
import re
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from kesu.core.exceptions import ApplicationError
from kesu.core.uploads import MB, check_zip_directory, size_text

PDF, DOCX, HTML, TXT, ZIP = "pdf", "docx", "html", "txt", "zip"
_BINARY_SIGNATURES = {
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1": "旧版 Office 文件（.doc/.xls），请另存为 .docx 后上传",
    b"\x89PNG": "图片", b"\xff\xd8\xff": "图片", b"GIF8": "图片", b"Rar!": "RAR 压缩包（请改用 .zip）",
    b"7z\xbc\xaf": "7z 压缩包（请改用 .zip）", b"\x1f\x8b": "gzip 压缩包（请改用 .zip）", b"MZ": "程序文件",
}


def max_file_bytes() -> int:
    return getattr(settings, "KESU_EXTRACTION_MAX_BYTES", 20 * MB)


def max_zip_entries() -> int:
    return getattr(settings, "KESU_EXTRACTION_ZIP_MAX_ENTRIES", 200)


def max_zip_uncompressed() -> int:
    return getattr(settings, "KESU_EXTRACTION_ZIP_MAX_UNCOMPRESSED", 100 * MB)


def max_inflated() -> int:
    """Decompressed bytes a single document may hold (a .docx's parts, a PDF's streams)."""
    return getattr(settings, "KESU_EXTRACTION_MAX_INFLATED", 64 * MB)


def max_lines() -> int:
    """Paragraphs (.docx) or lines (.txt/.html) a document may have; a long report has a few thousand."""
    return getattr(settings, "KESU_EXTRACTION_MAX_LINES", 20_000)


def check_size(size: int, name: str) -> None:
    if size == 0:
        raise ApplicationError(f"文件“{name}”是空文件。", field="file")
    if size > max_file_bytes():
        raise ApplicationError(f"文件“{name}”过大（{size_text(size)}），单个文件不能超过 {size_text(max_file_bytes())}。",
                               field="file")


_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _refuse(name: str, what: str) -> ApplicationError:
    return ApplicationError(f"文件“{name}”{what}", field="file")


def _looks_like_text(data: bytes) -> str | None:
    """The decoded head of a text file, or None for binary content."""
    from .engine.readers import utf16_encoding

    head = data[:8192]
    if b"\x00" in head:
        encoding = utf16_encoding(data)
        if encoding is None:
            return None
        try:
            return data[:8192].decode(encoding, errors="ignore")[:4000]
        except LookupError:
            return None
    for encoding in ("utf-8", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        return None
    sample = text[:4000]
    controls = sum(1 for c in sample if ord(c) < 32 and c not in "\n\r\t\f")
    return None if controls > len(sample) * 0.01 else sample


def sniff(data: bytes, name: str) -> str:
    """One of PDF, DOCX, HTML, TXT, ZIP, or an ApplicationError saying in Chinese what the file is instead."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(_OLE) and "EncryptedPackage".encode("utf-16-le") in data:
        # Word keeps a password-protected .docx in an OLE container: the real document is encrypted inside.
        raise _refuse(name, "设置了打开密码（已加密），无法读取；请在 Word 中取消密码后另存为 .docx 再上传。")
    if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
        try:
            infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
        except (zipfile.BadZipFile, OSError, ValueError):
            raise ApplicationError(f"文件“{name}”已损坏（压缩格式无法打开）。", field="file") from None
        names = {i.filename for i in infos}
        if any(i.flag_bits & 0x1 for i in infos):  # bit 0: the entry is encrypted
            raise _refuse(name, "是加密的压缩文件（设置了解压密码），无法读取；请解除加密后重新上传。")
        if "word/document.xml" in names:
            return DOCX
        if "[Content_Types].xml" in names:
            raise ApplicationError(f"文件“{name}”是 Excel 或 PowerPoint 文件，不是报告文档；"
                                   f"请上传 .txt、.docx、.html 或 .pdf 文件。", field="file")
        return ZIP
    for signature, what in _BINARY_SIGNATURES.items():
        if data.startswith(signature):
            raise ApplicationError(f"文件“{name}”是{what}，不是可读取的报告文档；请上传 .txt、.docx、.html 或 .pdf 文件。",
                                   field="file")
    head = _looks_like_text(data)
    if head is None:
        raise ApplicationError(f"文件“{name}”不是可读取的报告文档（内容不是文字）；请上传 .txt、.docx、.html 或 .pdf 文件。",
                               field="file")
    lowered = head[:3000].lower()
    if "<html" in lowered or "<!doctype html" in lowered or "<body" in lowered or (
            "<p" in lowered and "</p>" in lowered) or ("<div" in lowered and "</div>" in lowered):
        return HTML
    return TXT


@dataclass
class Entry:
    name: str
    data: bytes


def _entry_name(info: zipfile.ZipInfo) -> str:
    """Zip tools on Chinese Windows store GBK names without the UTF-8 flag; Python then decodes them as cp437."""
    name = info.filename
    if not info.flag_bits & 0x800:
        try:
            name = name.encode("cp437").decode("gbk")
        except (UnicodeEncodeError, UnicodeDecodeError):
            pass
    return name


def zip_entries(data: bytes, name: str) -> list[Entry]:
    """The files of a .zip, after checking its directory against the limits (nothing is inflated before that)."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ApplicationError(f"压缩包“{name}”已损坏，无法打开。", field="file") from None
    with zf:
        infos = [i for i in zf.infolist() if not i.is_dir()]
        check_zip_directory(
            infos, max_entries=max_zip_entries(), max_uncompressed=max_zip_uncompressed(),
            too_many=lambda n: f"压缩包“{name}”包含 {n} 个文件，超过 {max_zip_entries()} 个的上限，请分批上传。",
            too_big=lambda total, cap: f"压缩包“{name}”解压后共 {size_text(total)}，超过 {size_text(cap)} 的上限，请分批上传。")
        entries = []
        for info in infos:
            entry_name = _entry_name(info)
            base = entry_name.rsplit("/", 1)[-1]
            if entry_name.startswith("__MACOSX/") or base.startswith("."):
                continue  # resource forks and hidden files that archivers add
            if info.file_size > max_file_bytes():
                raise ApplicationError(f"压缩包“{name}”中的“{entry_name}”解压后 {size_text(info.file_size)}，"
                                       f"超过单个文件 {size_text(max_file_bytes())} 的上限。", field="file")
            try:
                with zf.open(info) as fh:
                    content = fh.read(max_file_bytes() + 1)
            except (zipfile.BadZipFile, RuntimeError, OSError, NotImplementedError):
                raise ApplicationError(f"压缩包“{name}”中的“{entry_name}”无法解压（已损坏或加密）。", field="file") from None
            if len(content) > max_file_bytes():
                raise ApplicationError(f"压缩包“{name}”中的“{entry_name}”实际大小超过上限，已拒绝。", field="file")
            entries.append(Entry(entry_name, content))
        return entries


def _inflate_capped(zf: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int) -> bytes | None:
    """The entry's bytes, or None once more than ``cap`` bytes come out (the directory's sizes may lie)."""
    with zf.open(info) as fh:
        data = fh.read(cap + 1)
    return None if len(data) > cap else data


def _check_docx(data: bytes, name: str) -> None:
    cap = max_inflated()
    zf = zipfile.ZipFile(io.BytesIO(data))
    declared = sum(i.file_size for i in zf.infolist())
    if declared > cap:
        raise _refuse(name, f"解压后共 {size_text(declared)}，超过单个文档 {size_text(cap)} 的上限。")
    try:
        body = _inflate_capped(zf, zf.getinfo("word/document.xml"), cap)
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, RuntimeError):
        raise _refuse(name, "已损坏（正文无法解压）。") from None
    if body is None:
        raise _refuse(name, f"正文解压后超过 {size_text(cap)} 的上限，已拒绝。")
    paragraphs = len(re.findall(rb"<w:p[ >/]", body))
    if paragraphs > max_lines():
        raise _refuse(name, f"共有 {paragraphs:,} 个段落，超过 {max_lines():,} 个的上限；请拆分后上传。")


_PDF_STREAM = re.compile(rb"stream\r?\n")


def _check_pdf(data: bytes, name: str) -> None:
    """Inflate every Flate stream through one shared byte budget: a 150 KB file can hide a 50 MB stream."""
    budget = max_inflated()
    for m in _PDF_STREAM.finditer(data):
        inflater = zlib.decompressobj()
        try:
            out = inflater.decompress(data[m.end():], budget + 1)
        except zlib.error:
            continue  # not a Flate stream (images in DCT, plain content): its size is its size in the file
        budget -= len(out)
        if budget < 0:
            raise _refuse(name, f"内含的数据流解压后超过 {size_text(max_inflated())} 的上限，已拒绝。")


def _check_text(data: bytes, name: str, kind: str) -> None:
    from .engine.readers import decode_bytes

    text = decode_bytes(data)
    lines = text.count("\n") + 1 if kind == TXT else len(re.findall(r"<(?:p|div|br|li|tr|h[1-6])[\s>/]", text, re.I))
    if lines > max_lines():
        raise _refuse(name, f"共有 {lines:,} 行（段），超过 {max_lines():,} 行的上限；请拆分后上传。")


def check_content(kind: str, data: bytes, name: str) -> None:
    """Bounds on what a document will cost to read, decided from bounded work before any reader runs."""
    if kind == DOCX:
        _check_docx(data, name)
    elif kind == PDF:
        _check_pdf(data, name)
    elif kind in (TXT, HTML):
        _check_text(data, name, kind)


def read_text(kind: str, path: Path) -> str:
    """The text of a stored file; offsets of every fact refer to this text."""
    from .engine import readers

    if kind == DOCX:
        return readers.read_docx(path)
    if kind == PDF:
        return readers.read_pdf(path)
    text = readers.decode_bytes(path.read_bytes())
    return readers.html_to_text(text) if kind == HTML else text
