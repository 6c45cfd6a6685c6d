"""Typesetting that survives any machine: free faces in the PDF, the 落款 and 成文日期, escaped and self-contained exports.

PDF checks need LibreOffice and poppler's pdffonts: a failure in CI (KESU_REQUIRE_PDF=1), a plainly reported skip
elsewhere.
"""

import io
import os
import re
import shutil
import subprocess
import warnings
import zipfile
from datetime import date

import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn

from kesu.cli import main
from kesu.reports.builders import charts, closing, fonts, gbt9704, kinds, templates
from kesu.reports.builders.blocks import Chart
from kesu.reports.builders.pdf import docx_to_pdf, pdf_available
from kesu.reports.builders.render import render_all
from kesu.reports.models import ReportVersion

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


# --- 落款 and 成文日期 ---------------------------------------------------------------------------------------------

def _docx(data: bytes):
    return Document(io.BytesIO(data))


def _closing_paragraphs(doc, office: str, date_text: str):
    by_text = {p.text: p for p in doc.paragraphs}
    return by_text[office], by_text[date_text]


def _centre_from_right(paragraph, width_chars: float) -> float:
    """Distance in characters from the right margin to the middle of a right-aligned line."""
    return paragraph.paragraph_format.right_indent.pt / closing.CHAR_PT + width_chars / 2


def test_closing_follows_gbt9704_date_four_characters_in_and_the_office_centred_over_it():
    ctx = make_context()
    doc = _docx(render_all(ctx).docx)
    office, day = _closing_paragraphs(doc, ctx.office_name, "2026年7月9日")
    # The office (18 characters) is far longer than the date (6: digits are half a character): it keeps 右空二字
    # and the date is centred under it.
    assert office.paragraph_format.right_indent.pt == pytest.approx(2 * closing.CHAR_PT)
    assert abs(_centre_from_right(office, 18) - _centre_from_right(day, 6)) < 0.01

    ctx.office_name = "示范县科协"  # shorter than the date: the date 右空四字, the office centred over it
    doc = _docx(render_all(ctx).docx)
    office, day = _closing_paragraphs(doc, "示范县科协", "2026年7月9日")
    assert day.paragraph_format.right_indent.pt == pytest.approx(4 * closing.CHAR_PT)
    assert abs(_centre_from_right(office, 5) - _centre_from_right(day, 6)) < 0.01
    assert office.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert day._p.getprevious() is office._p  # the date on the line under the office


def test_html_and_markdown_repeat_the_closing_of_the_builtin_template():
    ctx = make_context()
    report = render_all(ctx)
    lines = report.document.signature.closing
    assert [line.text for line in lines] == [ctx.office_name, "2026年7月9日"]
    assert all(line.align == "right" for line in lines)
    # As in the DOCX: the long office 右空二字, the date centred under it (2 + (18 − 6) / 2 = 8 characters in).
    assert f'style="text-align:right;padding-right:2em">{ctx.office_name}</p>' in report.html
    assert 'style="text-align:right;padding-right:8em">2026年7月9日</p>' in report.html
    assert report.markdown.rstrip().endswith(f"{ctx.office_name}\n\n2026年7月9日")


def _template_with_closing(*paragraphs: tuple[str, WD_ALIGN_PARAGRAPH]) -> bytes:
    """The built-in template with its 落款 replaced by ``paragraphs`` (text, alignment), as an office might edit it."""
    doc = Document(io.BytesIO(templates.builtin_template(kinds.ANNUAL_SUMMARY)))
    for paragraph in doc.paragraphs:
        if paragraph.text in ("{{ office_name }}", "{{ date }}"):
            paragraph._p.getparent().remove(paragraph._p)
    for text, align in paragraphs:
        added = doc.add_paragraph(text)
        added.paragraph_format.alignment = align
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def test_a_custom_templates_closing_shows_the_same_in_every_format():
    template = _template_with_closing(("{{ office_name }}（印章）", WD_ALIGN_PARAGRAPH.CENTER),
                                      ("{{ date_cn }}", WD_ALIGN_PARAGRAPH.CENTER),
                                      ("（此件公开发布）", WD_ALIGN_PARAGRAPH.LEFT))
    assert templates.check_template(template) == []
    ctx = make_context()
    report = render_all(ctx, template=template)
    expected = [f"{ctx.office_name}（印章）", "二〇二六年七月九日", "（此件公开发布）"]
    docx_text = [p.text for p in _docx(report.docx).paragraphs]
    assert docx_text[-3:] == expected
    assert [(line.text, line.align) for line in report.document.signature.closing] == [
        (expected[0], "center"), (expected[1], "center"), (expected[2], "left")]
    for text in expected:
        assert f">{text}</p>" in report.html and f"{text}\n" in report.markdown
    assert 'style="text-align:center">二〇二六年七月九日</p>' in report.html
    assert "2026年7月9日" not in report.html.split("report-signature")[1]  # the built-in date is not added


def test_cli_date_sets_the_date_of_the_closing(regions, fixture_context, tmp_path, capsys):
    target = tmp_path / "report.docx"
    assert main(["report", "--region", "511725", "--period", "2026", "--date", "2027年1月15日", "-o", str(target),
                 "--no-charts"]) == 0
    texts = [p.text for p in _docx(target.read_bytes()).paragraphs]
    assert texts[-1] == "2027年1月15日"
    md = tmp_path / "report.md"
    assert main(["report", "--region", "511725", "--period", "2026", "--date", "2027-01-16", "-o", str(md),
                 "--no-charts"]) == 0
    assert md.read_text(encoding="utf-8").rstrip().endswith("2027年1月16日")
    capsys.readouterr()
    assert main(["report", "--region", "511725", "--period", "2026", "--date", "2027-13-01", "-o",
                 str(tmp_path / "bad.docx")]) != 0
    assert "成文日期“2027-13-01”无法识别" in capsys.readouterr().err
    assert not (tmp_path / "bad.docx").exists()


@pytest.fixture
def office_client(client, users):
    client.force_login(users["office"])
    return client


def test_report_page_date_field_sets_and_regeneration_keeps_the_date(office_client, regions, fixture_context):
    page = office_client.get("/reports/").content.decode()
    assert 'type="date" name="report_date"' in page and "成文日期" in page
    response = office_client.post("/reports/generate/", {"region": "511725", "period": "2026",
                                                          "kind": "annual_summary", "report_date": "2027-01-15"})
    version = ReportVersion.objects.get()
    assert response.url == f"/reports/versions/{version.pk}/"
    assert version.report_date == date(2027, 1, 15)
    assert [p.text for p in _docx(version.docx.read()).paragraphs][-1] == "2027年1月15日"
    assert "2027年1月15日</p>" in version.html and version.markdown.rstrip().endswith("2027年1月15日")
    assert "成文日期 2027年1月15日" in office_client.get(response.url).content.decode()

    office_client.post(f"/reports/versions/{version.pk}/regenerate/")
    newer = ReportVersion.objects.order_by("-number").first()
    assert newer.number == 2 and newer.report_date == date(2027, 1, 15)

    response = office_client.post("/reports/generate/", {"region": "511725", "period": "2026",
                                                          "kind": "annual_summary", "report_date": "明年"},
                                  follow=True)
    assert "成文日期“明年”无法识别" in response.content.decode()
    assert ReportVersion.objects.count() == 2


# --- Markdown escaping ----------------------------------------------------------------------------------------------

PAYLOADS = ["<script>alert('md')</script>", '"><img src=x onerror=alert(2)>', "[点我](javascript:alert(3))",
            "![图](javascript:alert(4))", "<javascript:alert(5)>", "# 伪标题", "1. 伪列表", "| 伪 | 表 |", "**粗**_斜_`码`"]


def _poisoned_context():
    ctx = make_context()
    ctx.region_name = "恶意县<script>alert(0)</script>[x](javascript:alert(0))"
    ctx.office_name = "<img src=x onerror=alert(1)>办公室"
    narrative = ctx.sections[0].narratives[0]
    narrative.progress = "\n".join(PAYLOADS)
    narrative.problems = " ".join(PAYLOADS)
    ctx.sections[0].title = "青少年<script>alert(6)</script>行动"
    ctx.lower_regions[0].name = "第一镇<img src=x onerror=alert(7)>"
    return ctx


def test_markdown_export_is_inert_in_a_markdown_viewer():
    from markdown_it import MarkdownIt

    report = render_all(_poisoned_context())
    html = MarkdownIt("commonmark").enable("table").render(report.markdown)
    for raw in ("<script", "<img", "javascript:alert(3)\"", 'href="javascript', 'src="javascript', "<h1>伪标题",
                "<ol>", "<strong>粗"):
        assert raw not in html, raw
    assert "<a " not in html and "<img" not in html
    # The text reads as the user typed it.
    assert "&lt;script&gt;alert('md')&lt;/script&gt;" in html.replace("&#x27;", "'")
    assert "[点我](javascript:alert(3))" in html
    assert "# 伪标题" in html and "**粗**_斜_`码`" in html
    assert "<h1>恶意县&lt;script&gt;alert(0)&lt;/script&gt;[x](javascript:alert(0))" in html
    # A table cell's pipe does not split the row: the ranking table keeps its five columns.
    row = next(line for line in report.markdown.splitlines() if line.startswith("| ") and "第一镇" in line)
    assert len([cell for cell in row.replace("\\|", "").split("|")[1:-1]]) == 5


# --- Charts: the font is found at use, a report without charts says so -------------------------------------------

@pytest.fixture
def stale_font_cache(monkeypatch):
    """matplotlib's font list as a cache built before the CJK fonts were installed: no CJK face in it."""
    from matplotlib import font_manager

    latin_only = [f for f in font_manager.fontManager.ttflist if "CJK" not in f.name and "UKai" not in f.name
                  and "Fandol" not in f.name and "WenQuanYi" not in f.name and "AR PL" not in f.name]
    monkeypatch.setattr(font_manager.fontManager, "ttflist", latin_only)
    charts.cjk_font.cache_clear()
    yield
    charts.cjk_font.cache_clear()


def test_charts_find_the_cjk_font_even_when_matplotlibs_cache_predates_it(stale_font_cache):
    if shutil.which("fc-list") is None and not charts._scanned_candidates():
        pytest.skip("本机没有中文字体（fonts-noto-cjk），无法检查图表字体")
    assert charts.cjk_font() is not None
    ctx = make_context()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        charts.ranking_chart(ctx.lower_regions, ctx.ranking_label, ctx.ranking_unit)
    assert not [w for w in caught if "missing from font" in str(w.message)], [str(w.message) for w in caught][:2]
    assert len(render_all(ctx).document.body) > 0 and render_all(ctx).document.chart_problem == ""


@pytest.fixture
def no_cjk_font(monkeypatch):
    monkeypatch.setattr(charts, "_fontconfig_candidates", list)
    monkeypatch.setattr(charts, "_scanned_candidates", list)
    charts.cjk_font.cache_clear()
    yield
    charts.cjk_font.cache_clear()


def test_without_a_cjk_font_the_cli_says_the_charts_are_missing(no_cjk_font, regions, fixture_context, tmp_path,
                                                                 capsys):
    target = tmp_path / "report.docx"
    assert main(["report", "--region", "511725", "--period", "2026", "-o", str(target)]) == 0
    err = capsys.readouterr().err
    assert "图表未能绘制" in err and "fonts-noto-cjk" in err
    assert len(_docx(target.read_bytes()).inline_shapes) == 0


def test_without_a_cjk_font_the_report_page_says_the_charts_are_missing(no_cjk_font, office_client, regions,
                                                                         fixture_context):
    response = office_client.post("/reports/generate/", {"region": "511725", "period": "2026",
                                                          "kind": "annual_summary"}, follow=True)
    page = response.content.decode()
    assert page.count("图表未能绘制") >= 1 and 'id="chart-problem"' in page
    assert ReportVersion.objects.get().chart_problem.startswith("本机未安装中文字体")


def test_a_chart_that_fails_to_draw_is_named(monkeypatch):
    def broken(*args, **kwargs):
        raise ValueError("坐标轴溢出")

    monkeypatch.setattr(charts, "trend_chart", broken)
    document = render_all(make_context()).document
    assert "图表“公民具备科学素质的比例历年变化”绘制失败" in document.chart_problem
    assert [b.caption for b in document.body if isinstance(b, Chart)] == ["主要指标目标完成率"]


# --- The saved HTML report --------------------------------------------------------------------------------------

def test_saved_html_report_is_self_contained(office_client, regions, fixture_context):
    office_client.post("/reports/generate/", {"region": "511725", "period": "2026", "kind": "annual_summary"})
    version = ReportVersion.objects.get()
    response = office_client.get(f"/reports/versions/{version.pk}/download/?format=html")
    assert "attachment" in response["Content-Disposition"]
    page = response.content.decode()
    assert "<link" not in page and "<script" not in page
    assert ".report-title {" in page and ".report-table td, .report-table th { border" in page
    assert not re.search(r'(href|src)="/(?!/)', page), re.findall(r'(?:href|src)="/[^"]*"', page)[:3]
    assert 'href="http://testserver/collection/values/?indicator=' in page
    assert page.count('src="data:image/png;base64,') == 3
    assert "登录后可查看" in page


def test_cli_html_report_is_self_contained_without_links(regions, fixture_context, tmp_path):
    target = tmp_path / "report.html"
    assert main(["report", "--region", "511725", "--period", "2026", "-o", str(target), "--no-charts"]) == 0
    page = target.read_text(encoding="utf-8")
    assert "<style>" in page and "<link" not in page and "<a " not in page
    assert '<span class="report-figure"' in page and "1083" in page  # the figure stays, its link goes


def test_long_chart_labels_wrap_instead_of_reading_alike():
    first, second = "老年人智慧助老健康科普培训人次（城镇）", "老年人智慧助老健康科普培训人次（农村）"
    assert charts._wrapped(first) != charts._wrapped(second)
    assert charts._wrapped(first).split("\n")[1].endswith("（城镇）")
    assert charts.progress_chart([(first, 96), (second, 104)]).startswith(b"\x89PNG")


def test_a_report_pack_signs_every_report_with_the_chosen_date(regions, users, fixture_context):
    from kesu.reports import services

    job = services.pack_create(actor=users["city_office"], region=regions["city"], period="2026",
                               kind=kinds.ANNUAL_SUMMARY, report_date=date(2027, 1, 15))
    job = services.pack_run(job.pk)
    archive = zipfile.ZipFile(job.result.open("rb"))
    assert len(archive.namelist()) == 2
    for name in archive.namelist():
        assert [p.text for p in _docx(archive.read(name)).paragraphs][-1] == "2027年1月15日", name


def test_a_missing_free_face_is_named_on_the_version_page(office_client, regions, fixture_context, monkeypatch):
    from kesu.reports import views
    from kesu.reports.builders import pdf

    monkeypatch.setattr(pdf, "pdf_available", lambda: True)
    monkeypatch.setattr(views, "pdf_available", lambda: True)
    monkeypatch.setattr(fonts, "missing_faces", lambda config: [fonts.KAI, fonts.FANG])
    pdf.font_problem.cache_clear()
    try:
        office_client.post("/reports/generate/", {"region": "511725", "period": "2026", "kind": "annual_summary"})
        page = office_client.get(f"/reports/versions/{ReportVersion.objects.get().pk}/").content.decode()
    finally:
        pdf.font_problem.cache_clear()
    assert "本机缺少字体 AR PL UKai CN、FandolFang" in page
    assert "请安装：fonts-arphic-ukai texlive-lang-chinese" in page


def _keeps_next(p_element) -> bool:
    return p_element.find(f"{qn('w:pPr')}/{qn('w:keepNext')}") is not None


@pytest.mark.parametrize("kind", [kinds.ANNUAL_SUMMARY, kinds.STATISTICS])
def test_the_closing_keeps_with_the_last_lines_of_the_text(kind):
    ctx = make_context(kind)
    doc = _docx(render_all(ctx).docx)
    office = next(p for p in doc.paragraphs if p.text == ctx.office_name)._p
    # From the office back to the last block of the text: every paragraph keeps with the next one.
    chain, element = [], office
    while element is not None and element.tag != qn("w:tbl"):
        if element.tag == qn("w:p"):
            chain.append(element)
            if element is not office and "".join(t.text or "" for t in element.iter(qn("w:t"))).strip():
                break  # the last line of the text
        element = element.getprevious()
    assert len(chain) >= 3 and all(_keeps_next(p) for p in chain), len(chain)
    if kind == kinds.STATISTICS:  # the text ends on a table: its last row keeps with the 落款
        assert element is not None and element.tag == qn("w:tbl")
        last_row = element.findall(qn("w:tr"))[-1]
        assert all(_keeps_next(p) for p in last_row.iter(qn("w:p")))


def test_the_pdf_copy_keeps_a_closing_table_with_the_closing_and_the_docx_does_not():
    docx = render_all(make_context(kinds.STATISTICS)).docx

    def last_table(data):
        return _docx(data).element.body.findall(qn("w:tbl"))[-1]

    rows = last_table(docx).findall(qn("w:tr"))
    assert not all(_keeps_next(p) for p in rows[0].iter(qn("w:p")))  # Word would push a long table to a new page
    for_pdf = last_table(closing.for_libreoffice(docx))
    assert all(_keeps_next(p) for p in for_pdf.iter(qn("w:p")))  # LibreOffice reads the table's keep-with-next
    narrative = render_all(make_context()).docx
    assert closing.for_libreoffice(narrative) == narrative  # a report ending on text needs nothing more


def test_without_a_date_the_report_is_dated_by_the_application_clock(office_client, regions, fixture_context,
                                                                     settings):
    settings.KESU_TODAY = date(2027, 1, 3)  # a training installation holding a day, or a test walking New Year
    office_client.post("/reports/generate/", {"region": "511725", "period": "2026", "kind": "annual_summary"})
    version = ReportVersion.objects.get()
    assert [p.text for p in _docx(version.docx.read()).paragraphs][-1] == "2027年1月3日"
