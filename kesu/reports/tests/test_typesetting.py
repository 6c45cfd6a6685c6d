"""Typesetting that survives any machine: free faces in the PDF, the 落款 and 成文日期, escaped and self-contained exports.

PDF checks need LibreOffice and poppler's pdffonts: a failure in CI (KESU_REQUIRE_PDF=1), a plainly reported skip
elsewhere.
"""

import os
import shutil
import subprocess

import pytest

from kesu.reports.builders import fonts, gbt9704
from kesu.reports.builders.pdf import docx_to_pdf, pdf_available
from kesu.reports.builders.render import render_all

from .fixtures import make_context


def _require_pdf_tools():
    missing = [name for name, ok in (("LibreOffice (soffice)", pdf_available()),
                                     ("pdffonts (poppler-utils)", shutil.which("pdffonts"))) if not ok]
    if missing:
        reason = "未安装 " + "、".join(missing) + "，无法检查 PDF 的字体"
        if os.environ.get("KESU_REQUIRE_PDF"):
            pytest.fail(reason)
        pytest.skip(reason)


@pytest.fixture(scope="module")
def pdf_fonts(tmp_path_factory) -> list[dict]:
    _require_pdf_tools()
    pdf = tmp_path_factory.mktemp("pdf") / "report.pdf"
    pdf.write_bytes(docx_to_pdf(render_all(make_context()).docx))
    lines = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout.splitlines()
    rows = []
    for line in lines[2:]:
        parts = line.split()
        # name type… encoding emb sub uni object-id generation: the flags are the fifth to third from the end
        rows.append({"name": parts[0].split("+", 1)[-1], "embedded": parts[-5] == "yes"})
    return rows


def test_fontconfig_maps_each_official_face_to_its_free_face(tmp_path):
    if shutil.which("fc-match") is None:
        pytest.skip("未安装 fontconfig（fc-match），无法检查字体替换")
    config = tmp_path / "fonts.conf"
    config.write_text(fonts.fontconfig_file(), encoding="utf-8")
    assert fonts.missing_faces(config) == [], "缺少免费字体，请安装：" + " ".join(fonts.PACKAGES)
    env = {"FONTCONFIG_FILE": str(config), "PATH": os.environ.get("PATH", "/usr/bin")}
    expected = {gbt9704.TITLE_FONT: "Noto Serif CJK SC", gbt9704.BODY_FONT: "FandolFang",
                gbt9704.HEADING1_FONT: "Noto Sans CJK SC", gbt9704.HEADING2_FONT: "AR PL UKai CN",
                gbt9704.PAGE_NO_FONT: "Noto Serif CJK SC", "仿宋": "FandolFang", "楷体": "AR PL UKai CN"}
    for official, free in expected.items():
        found = subprocess.run(["fc-match", "-f", "%{family}|%{weight}", official], capture_output=True, text=True,
                               env=env, check=True).stdout
        assert free in found.split("|")[0].split(","), (official, found)
    title_weight = subprocess.run(["fc-match", "-f", "%{weight}", gbt9704.TITLE_FONT], capture_output=True,
                                  text=True, env=env, check=True).stdout
    assert int(float(title_weight)) >= 200  # bold: 小标宋 is a heavy face


def test_pdf_keeps_the_hierarchy_of_faces_and_embeds_them(pdf_fonts):
    names = [row["name"] for row in pdf_fonts]
    for face in ("NotoSerifCJK", "NotoSansCJK", "UKai", "FandolFang"):
        assert any(face in name for name in names), f"PDF 中没有 {face}：{names}"
    assert all(row["embedded"] for row in pdf_fonts), pdf_fonts
    assert any("NotoSerifCJK" in name and "Bold" in name for name in names), "标题应为粗宋（小标宋）"
