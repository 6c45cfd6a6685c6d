"""PDF through LibreOffice (``soffice --headless --convert-to pdf``) when it is installed.

The conversion reads a fontconfig file of its own (``fonts.fontconfig_file``) that maps the official 公文 faces named
in the DOCX to free faces, so the PDF keeps title, headings and body apart on a machine without the official faces;
LibreOffice embeds the faces it used.
"""

import os
import shutil
import subprocess
import tempfile
from functools import lru_cache
from pathlib import Path

from . import closing, fonts

CANDIDATES = ("soffice", "libreoffice")


def soffice_path() -> str | None:
    override = os.environ.get("KESU_SOFFICE")
    if override:
        return override if Path(override).exists() else None
    return next((p for p in map(shutil.which, CANDIDATES) if p), None)


def pdf_available() -> bool:
    return soffice_path() is not None


@lru_cache(maxsize=1)
def font_problem() -> str:
    """What the PDF will lack on this machine: the free faces that are not installed, with their Debian packages."""
    if not pdf_available():
        return ""
    with tempfile.TemporaryDirectory(prefix="kesu-fonts-") as tmp:
        config = Path(tmp) / "fonts.conf"
        config.write_text(fonts.fontconfig_file(), encoding="utf-8")
        missing = fonts.missing_faces(config)
    if not missing:
        return ""
    packages = " ".join(sorted({face.package for face in missing}))
    return (f"本机缺少字体 {'、'.join(face.family for face in missing)}，PDF 中相应的标题或正文将以其他字体显示"
            f"（请安装：{packages}）。")


class PdfUnavailable(RuntimeError):
    pass


def docx_to_pdf(docx: bytes, *, timeout: int = 120) -> bytes:
    binary = soffice_path()
    if binary is None:
        raise PdfUnavailable("未安装 LibreOffice，无法生成 PDF。")
    with tempfile.TemporaryDirectory(prefix="kesu-pdf-") as tmp:
        source = Path(tmp) / "report.docx"
        source.write_bytes(closing.for_libreoffice(docx))
        # A private profile directory: concurrent conversions must not share LibreOffice's user profile.
        profile = Path(tmp) / "profile"
        config = Path(tmp) / "fonts.conf"
        config.write_text(fonts.fontconfig_file(), encoding="utf-8")
        result = subprocess.run(
            [binary, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf", "--outdir", tmp,
             str(source)],
            capture_output=True, timeout=timeout, check=False, env={**os.environ, "FONTCONFIG_FILE": str(config)},
        )
        target = Path(tmp) / "report.pdf"
        if result.returncode != 0 or not target.exists():
            raise PdfUnavailable("LibreOffice 转换 PDF 失败：" + result.stderr.decode("utf-8", "replace")[-300:])
        return target.read_bytes()
