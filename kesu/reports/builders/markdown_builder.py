"""The report as Markdown: headings, paragraphs and pipe tables; charts are named, not embedded.

Everything that comes from the data (titles, names, narratives, table cells) is escaped, so a narrative that holds
``<script>``, ``<img onerror=…>`` or ``[x](javascript:…)`` reads as those characters in any Markdown viewer and never
becomes markup, a link or an image.
"""

import re

from .blocks import Chart, Heading, Paragraph, ReportDocument, Table

# Characters that make inline markup anywhere in a line (CommonMark's backslash escapes). Brackets, emphasis,
# code spans, strikethrough and table pipes; "(" and "!" only act next to an escaped "[", so they stay as typed.
_INLINE = re.compile(r"([\\`*_\[\]|~])")
# Markup that only acts at the start of a line: headings, quotes, lists, thematic breaks, ordered lists.
_LINE_START = re.compile(r"^(\s*(?:\d+)?)([#>+=.)-])")


def escape(text: str) -> str:
    """``text`` as literal Markdown: HTML is turned into entities, markup characters are backslash-escaped."""
    text = " ".join(str(text).split())  # a line break in user text must not start a new block
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _INLINE.sub(r"\\\1", text)
    return _LINE_START.sub(r"\1\\\2", text)


def render_markdown(document: ReportDocument, *, is_demo: bool = False) -> str:
    lines = [f"# {escape(document.title)}", ""]
    if is_demo:
        lines += ["（演示数据，数字均为虚构）", ""]
    lines += [escape(document.opening.text), ""]
    tables = charts = 0
    for block in document.body:
        if isinstance(block, Heading):
            lines += [f"{'#' * (block.level + 1)} {escape(block.full_text)}", ""]
        elif isinstance(block, Paragraph):
            lines += [escape(block.text), ""]
        elif isinstance(block, Table):
            tables += 1
            lines += [f"**表{tables}  {escape(block.caption)}**", ""]
            lines.append("| " + " | ".join(escape(c) for c in block.columns) + " |")
            lines.append("|" + "|".join(" --- " for _ in block.columns) + "|")
            lines += ["| " + " | ".join(escape(c.text) for c in row) + " |" for row in block.rows]
            lines.append("")
            if block.note:
                lines += [escape(block.note), ""]
        elif isinstance(block, Chart):
            charts += 1
            lines += [f"*图{charts}  {escape(block.caption)}（见 DOCX 或网页版）*", ""]
    # The 落款 as the template has it, one line each (Markdown cannot align right; the DOCX and HTML do).
    for line in document.signature.closing:
        lines += [escape(line.text), ""]
    return "\n".join(lines)
