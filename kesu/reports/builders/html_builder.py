"""The report as an HTML fragment for the browser preview: every figure links back to its source."""

import base64
import re
from html import escape
from pathlib import Path

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


REPORT_CSS = Path(__file__).resolve().parent.parent / "static" / "reports" / "report.css"
# What the app's page gives the fragment (Bootstrap's tables, the page background), for a file read on its own.
STANDALONE_CSS = """
body { background: #f5f6f8; margin: 0; padding: 1.5rem 1rem; }
.report-paper { box-sizing: border-box; }
.report-table table { border-collapse: collapse; width: 100%; }
.report-table td, .report-table th { border: 1px solid #333; padding: 2px 6px; }
.report-table th { font-family: "SimHei", "黑体", "Noto Sans CJK SC", sans-serif; font-weight: 400; }
.report-source-note { max-width: 52rem; margin: .8rem auto 0; color: #666; font-size: .85rem; }
@media print { body { background: #fff; padding: 0; } .report-paper { border: 0; box-shadow: none; padding: 0; }
  .report-source-note { display: none; } a.report-figure, a.report-source { color: inherit; border: 0; } }
"""
_LINK = re.compile(r'<a (class="report-(?:figure|source)") href="([^"]*)"([^>]*)>(.*?)</a>', re.DOTALL)


def standalone_html(fragment: str, *, title: str, base_url: str | None) -> str:
    """A report as one HTML file that reads the same outside the app: styles inline, charts already inline
    (``data:`` images), and the source links either absolute (``base_url``, the app's address) or removed.
    """
    if base_url:
        base = base_url.rstrip("/")

        def absolute(match):
            href = match.group(2)
            href = base + href if href.startswith("/") else href
            return f'<a {match.group(1)} href="{href}"{match.group(3)}>{match.group(4)}</a>'

        body = _LINK.sub(absolute, fragment)
        note = (f'<p class="report-source-note">红色数字链接到科素系统（{escape(base)}）中的来源数据，'
                "登录后可查看。</p>")
    else:
        body = _LINK.sub(lambda m: f"<span {m.group(1)}{m.group(3)}>{m.group(4)}</span>", fragment)
        note = ""
    css = REPORT_CSS.read_text(encoding="utf-8") + STANDALONE_CSS
    return (f'<!doctype html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(title)}</title>\n<style>{css}</style></head>\n"
            f'<body><div class="report-paper">{body}</div>{note}</body></html>\n')
