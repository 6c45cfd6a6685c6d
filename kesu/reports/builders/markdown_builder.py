"""The report as Markdown: headings, paragraphs and pipe tables; charts are named, not embedded."""

from .blocks import Chart, Heading, Paragraph, ReportDocument, Table


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(document: ReportDocument, *, is_demo: bool = False) -> str:
    lines = [f"# {document.title}", ""]
    if is_demo:
        lines += ["（演示数据，数字均为虚构）", ""]
    lines += [document.opening.text, ""]
    tables = charts = 0
    for block in document.body:
        if isinstance(block, Heading):
            lines += [f"{'#' * (block.level + 1)} {block.full_text}", ""]
        elif isinstance(block, Paragraph):
            lines += [block.text, ""]
        elif isinstance(block, Table):
            tables += 1
            lines += [f"**表{tables}  {block.caption}**", ""]
            lines.append("| " + " | ".join(_cell(c) for c in block.columns) + " |")
            lines.append("|" + "|".join(" --- " for _ in block.columns) + "|")
            lines += ["| " + " | ".join(_cell(c.text) for c in row) + " |" for row in block.rows]
            lines.append("")
            if block.note:
                lines += [block.note, ""]
        elif isinstance(block, Chart):
            charts += 1
            lines += [f"*图{charts}  {block.caption}（见 DOCX 或网页版）*", ""]
    lines += [document.signature.office, "", document.signature.date_text, ""]
    return "\n".join(lines)
