"""The pure builders, on the hand-made context: the DOCX is a GB/T 9704 公文 and every figure is the one it came from."""

import ast
import io
import re
import warnings
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Mm

from kesu.core import cnformat
from kesu.reports.builders import charts, gbt9704, kinds, templates
from kesu.reports.builders.document import build_document
from kesu.reports.builders.render import render_all

from .fixtures import make_context

ALL_KINDS = [k for k, _, _ in kinds.KINDS]
HEADING_PATTERNS = {
    "KesuHeading1": r"^[一二三四五六七八九十]+、\S",
    "KesuHeading2": r"^（[一二三四五六七八九十]+）\S",
    "KesuHeading3": r"^\d+\.\S",
    "KesuHeading4": r"^（\d+）\S",
}


def _render(kind, **kwargs):
    ctx = make_context(kind, **kwargs)
    return ctx, render_all(ctx)


def _docx(report) -> Document:
    return Document(io.BytesIO(report.docx))


def _all_text(doc) -> str:
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def test_builders_never_import_the_orm():
    folder = Path(__file__).resolve().parent.parent / "builders"
    for path in folder.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            for name in names:
                assert not name.startswith("django"), f"{path.name} imports {name}"
                if name.startswith("kesu"):
                    assert name in ("kesu.core.cnformat", "kesu.core") or name.startswith("kesu.reports.builders"), (
                        f"{path.name} imports {name}")


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_every_kind_is_a_gbt9704_document(kind):
    _, report = _render(kind)
    doc = _docx(report)
    section = doc.sections[0]
    def mm(*lengths):
        return tuple(round(length.mm, 1) for length in lengths)

    assert mm(section.page_width, section.page_height) == (210, 297)
    assert mm(section.top_margin, section.bottom_margin) == (37, 35)
    assert mm(section.left_margin, section.right_margin) == (28, 26)
    grid = section._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:linePitch")) == "579"  # 22 lines

    # Title 二号 方正小标宋简体, body 三号 仿宋_GB2312, 一级标题 黑体, 二级标题 楷体_GB2312 — through w:eastAsia.
    expected = {"KesuTitle": ("方正小标宋简体", 22), "KesuBody": ("仿宋_GB2312", 16),
                "KesuHeading1": ("黑体", 16), "KesuHeading2": ("楷体_GB2312", 16)}
    for style_id, (font, size) in expected.items():
        style = next(s for s in doc.styles if s.style_id == style_id)
        fonts = style.element.rPr.find(qn("w:rFonts"))
        assert fonts.get(qn("w:eastAsia")) == font
        assert style.font.size.pt == size

    title = doc.paragraphs[0]
    assert title.style.style_id == "KesuTitle"
    assert title.text.startswith("示范县2026年全民科学素质工作")

    for paragraph in doc.paragraphs:
        pattern = HEADING_PATTERNS.get(paragraph.style.style_id)
        if pattern:
            assert re.match(pattern, paragraph.text), paragraph.text

    text = _all_text(doc)
    assert "None" not in text and "{{" not in text and "{%" not in text
    assert "0余" not in text and "nan" not in text.lower()
    assert not re.search(r"[A-Za-z]", text), re.findall(r".{8}[A-Za-z]+.{8}", text)[:3]

    # Page numbers “— 1 —” in 四号 in odd and even footers.
    assert doc.settings.odd_and_even_pages_header_footer
    for footer in (section.footer, section.even_page_footer):
        paragraph = footer.paragraphs[0]
        assert paragraph.text.startswith("— ") and paragraph.text.endswith(" —")
        assert paragraph.runs[0].font.size.pt == 14
        assert "PAGE" in paragraph._p.xml


@pytest.mark.parametrize("kind", [kinds.ANNUAL_SUMMARY, kinds.WORK_REPORT, kinds.SELF_CHECK, kinds.PROGRESS])
def test_every_figure_in_the_text_equals_its_value(kind):
    ctx, report = _render(kind)
    runs = report.document.figure_runs()
    assert runs, "the report says no figure at all"
    docx_text = _all_text(_docx(report))
    for run in runs:
        fig = run.figure
        assert run.text == cnformat.format_quantity(fig.value, fig.unit, percent=fig.is_percent)
        assert run.text in docx_text
        assert run.text in report.html and fig.source_url in report.html


def test_annual_summary_reads_like_the_genre():
    _, report = _render(kinds.ANNUAL_SUMMARY)
    text = report.text
    assert text.splitlines()[0] == "示范县2026年全民科学素质工作总结"
    # The sections say the figures; the targets' completion is for the table and 存在问题.
    assert "全年全县共举办农村实用技术培训1083期，较上年增长12.3%，培训农民26.5万人次" in text
    assert "专项经费186.5万元" in text
    assert "公民具备科学素质的比例达到10.16%，比上年提高1.16个百分点" in text
    # A stock is said as a stock: what exists and what was added, not “建成30个”.
    assert "累计建成科普示范村（社区）30个，新增4个" in text
    assert "县教育局" in text and "组织开展科学家精神进校园活动" in text and "我局" not in text
    assert "一是部分年度目标未完成，科普示范村（社区）完成年度目标的85.7%" in text
    assert "一、主要工作及成效" in text and "（一）组织领导与工作机制" in text
    assert "二、存在问题" in text and "三、下步打算" in text
    # A section without any data is left out of the 工作总结; a zero is not said (“举办0次”).
    assert "产业工人科学素质提升行动" not in text
    assert "竞赛0次" not in text
    assert text.rstrip().endswith("示范县全民科学素质工作领导小组办公室\n2026年7月9日")


def test_self_check_states_missing_data_plainly():
    _, report = _render(kinds.SELF_CHECK)
    text = report.text
    assert "（四）产业工人科学素质提升行动" in text
    assert "工作情况未填报。" in text
    assert "老年人智慧助老/健康科普培训人次未填报。" in text
    assert "自评：已完成。" in text and "自评：基本完成。" in text
    assert "| 未填报 | 未填报 | 未填报" in text  # the elderly training row


def test_statistics_is_tables_only():
    _, report = _render(kinds.STATISTICS)
    doc = _docx(report)
    assert len(doc.tables) == 3
    headings = [p for p in doc.paragraphs if p.style.style_id.startswith("KesuHeading")]
    assert headings == []
    assert not doc.inline_shapes


def test_tables_and_charts_fit_the_text_width():
    _, report = _render(kinds.ANNUAL_SUMMARY)
    doc = _docx(report)
    for table in doc.tables:
        total = sum(col.width for col in table.columns)
        assert abs(total - gbt9704.TEXT_WIDTH) < Mm(1)
    assert len(doc.inline_shapes) == 3  # progress, trend, ranking
    for shape in doc.inline_shapes:
        assert shape.width <= gbt9704.TEXT_WIDTH


def test_charts_have_a_cjk_font_and_no_missing_glyphs():
    assert charts.cjk_font() is not None, "安装 fonts-noto-cjk 后才能绘制中文图表"
    ctx = make_context()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        png = charts.ranking_chart(ctx.lower_regions, ctx.ranking_label, ctx.ranking_unit)
        charts.progress_chart([(f.label, f.completion) for f in ctx.key_figures if f.completion is not None])
    assert png.startswith(b"\x89PNG")
    assert not [w for w in caught if "missing from font" in str(w.message) or "Glyph" in str(w.message)]


def test_half_year_progress_is_titled_and_worded_for_its_period():
    _, report = _render(kinds.PROGRESS, period_id="2026S1", period_label="2026年上半年")
    assert report.text.startswith("示范县2026年上半年全民科学素质工作进展情况报告")
    assert "上半年全县共" in report.text


def test_markdown_has_headings_and_pipe_tables():
    _, report = _render(kinds.ANNUAL_SUMMARY)
    assert report.markdown.startswith("# 示范县2026年全民科学素质工作总结")
    assert "## 一、主要工作及成效" in report.markdown
    assert "| 序号 | 指标 | 单位 | 目标值 | 实际值 | 完成率 |" in report.markdown


def test_builtin_templates_ship_and_pass_their_own_check():
    for kind in ALL_KINDS:
        assert templates.path_for(kind).exists(), kind
        assert templates.check_template(templates.builtin_template(kind)) == []


def _template_with(text: str) -> bytes:
    doc = Document(io.BytesIO(templates.builtin_template(kinds.ANNUAL_SUMMARY)))
    doc.add_paragraph(text)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def test_template_with_unknown_field_is_named():
    problems = templates.check_template(_template_with("{{ county_mayor }}"))
    assert len(problems) == 1
    assert "county_mayor" in problems[0].message and problems[0].field == "county_mayor"


def test_template_with_syntax_error_names_the_field():
    problems = templates.check_template(_template_with("落款：{{ office_name }"))
    assert problems and "{{ office_name }" in problems[0].message


def test_template_without_body_is_refused():
    doc = Document()
    doc.add_paragraph("{{ title }}")
    buffer = io.BytesIO()
    doc.save(buffer)
    problems = templates.check_template(buffer.getvalue())
    assert any(p.field == "body" for p in problems)


def test_not_a_docx_is_refused():
    assert "不是有效的" in templates.check_template(b"not a zip")[0].message


def test_an_edited_template_changes_the_wording():
    data = _template_with("{{ region_name }}科协（{{ date_cn }}）")
    ctx = make_context()
    report = render_all(ctx, template=data, with_charts=False)
    assert "示范县科协（二〇二六年七月九日）" in _all_text(_docx(report))


def test_empty_context_says_no_data_without_inventing():
    ctx = make_context(kinds.ANNUAL_SUMMARY, with_lower=False)
    for section in ctx.sections:
        for fig in section.figures:
            fig.value = None
        section.narratives = []
    ctx.headline, ctx.key_figures, ctx.problems, ctx.next_steps, ctx.trend = [], [], [], [], []
    document = build_document(ctx, with_charts=True)
    text = document.plain_text()
    assert "共举办" not in text and "二、存在问题" not in text
    assert "None" not in text
