"""The report as an HTML fragment for the browser preview: every figure links back to its source."""

import base64
from html import escape

from .blocks import Chart, Heading, Paragraph, ReportDocument, Run, Table


def _run(run: Run) -> str:
    text = escape(run.text)
    if run.figure is not None:
        fig = run.figure
        title = escape(fig.source_label or f"{fig.label}：来源")
        if fig.source_url:
            return (f'<a class="report-figure" href="{escape(fig.source_url)}" title="{title}" '
                    f'data-code="{escape(fig.code)}">{text}</a>')
        return f'<span class="report-figure" title="{title}" data-code="{escape(fig.code)}">{text}</span>'
    if run.href:
        return f'<a class="report-source" href="{escape(run.href)}">{text}</a>'
    return text


def _table(block: Table, number: int) -> str:
    head = "".join(f"<th>{escape(c)}</th>" for c in block.columns)
    rows = []
    for row in block.rows:
        cells = []
        for cell in row:
            text = escape(cell.text)
            if cell.href:
                text = f'<a class="report-figure" href="{escape(cell.href)}">{text}</a>'
            cells.append(f"<td>{text}</td>")
        rows.append(f"<tr>{''.join(cells)}</tr>")
    note = f'<p class="report-note">{escape(block.note)}</p>' if block.note else ""
    return (f'<div class="report-table"><p class="report-caption">表{number}  {escape(block.caption)}</p>'
            f'<div class="table-responsive"><table class="table table-bordered table-sm">'
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>{note}</div>")


def _closing(document: ReportDocument) -> str:
    """The 落款 line by line, aligned and indented as in the DOCX (indents in characters, so in ``em``)."""
    lines = []
    for line in document.signature.closing:
        style = f"text-align:{line.align}"
        if line.right_em:
            style += f";padding-right:{line.right_em:g}em"
        if line.left_em:
            style += f";padding-left:{line.left_em:g}em"
        lines.append(f'<p class="report-closing-line" style="{style}">{escape(line.text)}</p>')
    return f'<div class="report-signature">{"".join(lines)}</div>'


def render_html(document: ReportDocument, *, is_demo: bool = False) -> str:
    parts = [f'<article class="report-doc"><h1 class="report-title">{escape(document.title)}</h1>']
    if is_demo:
        parts.append('<p class="report-note">（演示数据，数字均为虚构）</p>')
    parts.append(f'<p class="report-p">{"".join(_run(r) for r in document.opening.runs)}</p>')
    tables = charts = 0
    for block in document.body:
        if isinstance(block, Heading):
            level = min(block.level + 1, 5)
            parts.append(f'<h{level} class="report-h{block.level}">{escape(block.full_text)}</h{level}>')
        elif isinstance(block, Paragraph):
            parts.append(f'<p class="report-p">{"".join(_run(r) for r in block.runs)}</p>')
        elif isinstance(block, Table):
            tables += 1
            parts.append(_table(block, tables))
        elif isinstance(block, Chart):
            charts += 1
            data = base64.b64encode(block.png).decode("ascii")
            parts.append(f'<figure class="report-chart"><img src="data:image/png;base64,{data}" '
                         f'alt="{escape(block.alt or block.caption)}"><figcaption>图{charts}  '
                         f"{escape(block.caption)}</figcaption></figure>")
    parts.append(_closing(document))
    parts.append("</article>")
    return "\n".join(parts)
