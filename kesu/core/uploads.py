"""One check for every uploaded file, made before any parser sees it: the type is judged from the content (magic
bytes and, for Office files, the zip structure), never from the name; size and decompressed size are capped.

Office Open XML files (.xlsx, .docx) are zips. The zip directory declares every entry's uncompressed size, so a
bomb (a few MB that inflate to gigabytes) is refused from the directory alone, before anything is inflated.
"""

import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

from .exceptions import ApplicationError

MB = 1024 * 1024


@dataclass(frozen=True)
class Kind:
    code: str
    label: str
    content_type: str
    extension: str


KINDS = {k.code: k for k in [
    Kind("xlsx", "Excel 工作簿（.xlsx）", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    Kind("docx", "Word 文档（.docx）", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
    Kind("pdf", "PDF 文件", "application/pdf", "pdf"),
    Kind("jpeg", "JPG 图片", "image/jpeg", "jpg"),
    Kind("png", "PNG 图片", "image/png", "png"),
    Kind("gif", "GIF 图片", "image/gif", "gif"),
    Kind("webp", "WebP 图片", "image/webp", "webp"),
]}
# Which part inside the zip makes an Office file what it is.
OOXML_MAIN_PART = {"xlsx": "xl/workbook.xml", "docx": "word/document.xml"}
MAX_ZIP_ENTRIES = 2000
MAX_UNCOMPRESSED = 200 * MB
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Office 97–2003 (.xls, .doc)


def size_text(size: int) -> str:
    return f"{size / MB:.1f} MB" if size >= MB else f"{max(size, 1) / 1024:.0f} KB"


def sniff(head: bytes) -> str | None:
    """The kind of a file from its first bytes (zips are told apart later by their parts)."""
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head.startswith(OLE):
        return "ole"
    return None


def check_zip_directory(infos: list[zipfile.ZipInfo], *, max_entries: int, max_uncompressed: int,
                        too_many: Callable[[int], str], too_big: Callable[[int, int], str]) -> int:
    """Refuse a zip from its directory alone (nothing inflated): more entries than ``max_entries`` or more declared
    uncompressed bytes than ``max_uncompressed``. The callers word the refusal for their users; returns the total."""
    if len(infos) > max_entries:
        raise ApplicationError(too_many(len(infos)), field="file")
    total = sum(i.file_size for i in infos)
    if total > max_uncompressed:
        raise ApplicationError(too_big(total, max_uncompressed), field="file")
    return total


def _ooxml_kind(source, name: str, max_uncompressed: int) -> str:
    try:
        zf = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError):
        raise ApplicationError(f"文件“{name}”已损坏或不是完整的 Office 文件，无法打开。", field="file") from None
    with zf:
        infos = zf.infolist()
        check_zip_directory(
            infos, max_entries=MAX_ZIP_ENTRIES, max_uncompressed=max_uncompressed,
            too_many=lambda n: f"文件“{name}”内部包含 {n} 个部件，超过 {MAX_ZIP_ENTRIES} 个，已拒绝。",
            too_big=lambda total, cap: f"文件“{name}”解压后达 {size_text(total)}，超过 {size_text(cap)} 的上限"
                                       f"（可能是异常或恶意构造的文件），已拒绝。")
        names = {i.filename for i in infos}
    if "[Content_Types].xml" in names:
        for kind, part in OOXML_MAIN_PART.items():
            if part in names:
                return kind
    return "zip"


def check_upload(source, *, name: str, allowed: set[str], max_bytes: int,
                 max_uncompressed: int = MAX_UNCOMPRESSED) -> Kind:
    """Check an upload (bytes, a path or a file object) and return its kind; raise with a Chinese reason otherwise.

    ``allowed`` names the kinds the caller accepts (codes of ``KINDS``).
    """
    if isinstance(source, (bytes, bytearray)):
        size, head = len(source), bytes(source[:16])
        source = io.BytesIO(source)
    elif hasattr(source, "read"):
        source.seek(0, io.SEEK_END)
        size = source.tell()
        source.seek(0)
        head = source.read(16)
        source.seek(0)
    else:
        with open(source, "rb") as fh:
            head = fh.read(16)
            fh.seek(0, io.SEEK_END)
            size = fh.tell()
    if size == 0:
        raise ApplicationError(f"文件“{name}”是空文件。", field="file")
    if size > max_bytes:
        raise ApplicationError(f"文件“{name}”过大（{size_text(size)}），不能超过 {size_text(max_bytes)}。", field="file")
    accepted = "、".join(k.label for code, k in KINDS.items() if code in allowed)
    kind = sniff(head)
    if kind == "zip":
        kind = _ooxml_kind(source, name, max_uncompressed)
        if hasattr(source, "seek"):
            source.seek(0)
    if kind == "ole":
        raise ApplicationError(f"文件“{name}”是旧版 Office 格式（.xls/.doc），请另存为新版格式后上传（可接受：{accepted}）。",
                               field="file")
    if kind not in allowed:
        raise ApplicationError(f"文件“{name}”的内容不是可接受的类型（可接受：{accepted}；系统按文件内容判断类型，"
                               f"与文件名无关）。", field="file")
    return KINDS[kind]
