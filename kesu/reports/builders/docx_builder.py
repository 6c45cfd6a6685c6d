"""The report as DOCX: a docxtpl template (built-in or the office's own) filled with fields and the body.

The body is a docxtpl sub-document written with python-docx and kesu's paragraph styles, so an office that changes
a style in its template (say, the 二级标题 font) changes it throughout the report.
"""

import io

from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Emu, Mm, Pt

from kesu.core import cnformat

from . import closing, gbt9704, kinds, templates
from .blocks import Chart, ClosingLine, Heading, Paragraph, ReportDocument, Table
from .data import ReportContext

CHART_WIDTH = Mm(150)


def template_fields(ctx: ReportContext, document: ReportDocument) -> dict:
    from .document import headline_runs

    return {
        "title": document.title,
        "opening": document.opening.text,
        "headline": "".join(r.text for r in headline_runs(ctx)),
        "office_name": ctx.office_name,
        "date": cnformat.format_date(ctx.report_date),
        "date_cn": cnformat.format_date_cn(ctx.report_date),
        "region_name": ctx.region_name,
        "period_label": ctx.period_label,
        "year": ctx.year,
        "kind_label": kinds.LABELS[ctx.kind],
        "plan_title": ctx.plan_title,
        "framework_name": ctx.framework_name,
        "is_demo": ctx.is_demo,
    }


def _paragraph(container, text: str, style_id: str):
    paragraph = container.add_paragraph()
    gbt9704.set_paragraph_style(paragraph, style_id)
    if text:
        paragraph.add_run(text)
    return paragraph


def _set_cell_margins(table) -> None:
    tbl_pr = table._tbl.tblPr
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        element = OxmlElement(f"w:{side}")
        element.set(qn("w:w"), "80")
        element.set(qn("w:type"), "dxa")
        margins.append(element)
    tbl_pr.append(margins)


def _fixed_layout(table) -> None:
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    table._tbl.tblPr.append(layout)


def _keep_row_together(row) -> None:
    row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))


def _repeat_header(row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    tr_pr.append(header)


def _add_table(container, block: Table, number: int) -> None:
    caption = _paragraph(container, f"表{number}  {block.caption}", "KesuCaption")
    caption.paragraph_format.keep_with_next = True
    table = container.add_table(rows=1 + len(block.rows), cols=len(block.columns))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    _fixed_layout(table)
    _set_cell_margins(table)
    weights = block.widths or [1.0] * len(block.columns)
    total = sum(weights)
    widths = [Emu(int(gbt9704.TEXT_WIDTH * w / total)) for w in weights]
    for row_index, values in enumerate([block.columns, *[[c.text for c in row] for row in block.rows]]):
        row = table.rows[row_index]
        _keep_row_together(row)
        if row_index == 0:
            _repeat_header(row)
        for col, value in enumerate(values):
            cell = row.cells[col]
            cell.width = widths[col]
            paragraph = cell.paragraphs[0]
            gbt9704.set_paragraph_style(paragraph, "KesuTableText")
            run = paragraph.add_run(value)
            if row_index == 0:
                gbt9704.set_run_fonts(run._r.get_or_add_rPr(), gbt9704.HEADING1_FONT)
            elif col == 1:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    for col, width in enumerate(widths):
        table.columns[col].width = width
    if block.note:
        _paragraph(container, block.note, "KesuNote")
    _paragraph(container, "", "KesuTableText")  # air below the table


def _add_chart(container, block: Chart, number: int) -> None:
    paragraph = _paragraph(container, "", "KesuCaption")
    paragraph.paragraph_format.keep_with_next = True
    paragraph.add_run().add_picture(io.BytesIO(block.png), width=CHART_WIDTH)
    _paragraph(container, f"图{number}  {block.caption}", "KesuCaption")


def fill_body(container, blocks: list, *, is_demo: bool = False) -> None:
    """Write the body blocks into ``container`` (a python-docx Document or docxtpl Subdoc)."""
    if is_demo:
        _paragraph(container, "（演示数据，数字均为虚构）", "KesuNote")
    tables = charts = 0
    for block in blocks:
        if isinstance(block, Heading):
            _paragraph(container, block.full_text, gbt9704.HEADING_STYLE[block.level])
        elif isinstance(block, Paragraph):
            paragraph = _paragraph(container, block.text, "KesuBody")
            if not block.indent:
                paragraph.paragraph_format.first_line_indent = Pt(0)
        elif isinstance(block, Table):
            tables += 1
            _add_table(container, block, tables)
        elif isinstance(block, Chart):
            charts += 1
            _add_chart(container, block, charts)


def render_docx_and_closing(ctx: ReportContext, document: ReportDocument,
                            template: bytes | None = None) -> tuple[bytes, list[ClosingLine]]:
    """Fill ``template`` (the built-in one of the kind by default): the DOCX bytes and its 落款 as laid out."""
    from docxtpl import DocxTemplate

    tpl = DocxTemplate(io.BytesIO(template or templates.builtin_template(ctx.kind)))
    body = tpl.new_subdoc()
    fill_body(body, document.body, is_demo=ctx.is_demo)
    closing.mark_body_end(body)
    fields = template_fields(ctx, document)
    fields["body"] = body
    tpl.render(fields, autoescape=True)
    lines = closing.lay_out(tpl.docx, office=fields["office_name"], date_text=fields["date"])
    buffer = io.BytesIO()
    tpl.save(buffer)
    return buffer.getvalue(), lines
