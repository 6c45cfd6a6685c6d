"""The 落款 (署名 and 成文日期) after GB/T 9704-2012 §7.3.5, and the 落款 read back from a filled template.

Layout: the 成文日期 is set 右空四字 and the 署名 is centred over it (the layout of a sealed document; offices seal the
printed copy, so the same layout serves with or without the seal). A 署名 much longer than the date cannot be centred
within that margin: it is set 右空二字 instead and the date is centred under it.

Widths are counted in characters of the body size (三号): a Chinese character or full-width sign is one, a digit or
Latin letter half of one, as the 成文日期's Arabic numerals are set in Times New Roman.
"""

import unicodedata

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt

from .blocks import ClosingLine

BODY_END = "kesu_body_end"  # a bookmark after the last block of the body: what follows it is the 落款
DATE_MARGIN = 4  # 成文日期右空四字
MIN_MARGIN = 2  # a 署名 is never closer than 右空二字 to the margin
CHAR_PT = 15.75  # a 三号 character with the body's −0.25 pt spacing: 28 to the 156 mm line
SIGNATURE_STYLE = "KesuSignature"
_ALIGN = {WD_ALIGN_PARAGRAPH.CENTER: "center", WD_ALIGN_PARAGRAPH.RIGHT: "right", WD_ALIGN_PARAGRAPH.LEFT: "left",
          WD_ALIGN_PARAGRAPH.JUSTIFY: "left", WD_ALIGN_PARAGRAPH.DISTRIBUTE: "left"}


def text_width(text: str) -> float:
    return sum(1.0 if unicodedata.east_asian_width(ch) in ("W", "F") else 0.5 for ch in text)


def margins(office: str, date_text: str) -> tuple[float, float]:
    """(署名, 成文日期) right indents in characters: the date 右空四字, the 署名 centred over it."""
    office_w, date_w = text_width(office), text_width(date_text)
    office_margin = DATE_MARGIN + (date_w - office_w) / 2
    if office_margin >= MIN_MARGIN:
        return office_margin, float(DATE_MARGIN)
    return float(MIN_MARGIN), MIN_MARGIN + (office_w - date_w) / 2


def mark_body_end(subdoc) -> None:
    """Put the bookmark that separates the body from the template's 落款 at the end of the body sub-document."""
    body = subdoc.subdocx.element.body if hasattr(subdoc, "subdocx") else subdoc.element.body
    start = OxmlElement("w:bookmarkStart")
    start.set(qn("w:id"), "9001")
    start.set(qn("w:name"), BODY_END)
    end = OxmlElement("w:bookmarkEnd")
    end.set(qn("w:id"), "9001")
    body.append(start)
    body.append(end)


def _body_mark(document):
    body = document.element.body
    marks = [m for m in body.iter(qn("w:bookmarkStart")) if m.get(qn("w:name")) == BODY_END]
    if not marks:
        return None
    mark = marks[-1]
    while mark.getparent() is not body:  # a bookmark that ended up inside a paragraph
        mark = mark.getparent()
    return mark


def _tail_paragraphs(document, mark) -> list:
    from docx.text.paragraph import Paragraph

    return [Paragraph(el, document._body) for el in mark.itersiblings() if el.tag == qn("w:p")]


def _keep_with_next(p_element) -> None:
    ppr = p_element.get_or_add_pPr()
    if ppr.find(qn("w:keepNext")) is None:
        ppr.append(OxmlElement("w:keepNext"))


def _keep_closing_with_the_text(mark, tail: list) -> None:
    """The 落款 never stands alone on a page (GB/T 9704 §7.3.5): it keeps with the last lines of the body."""
    for paragraph in tail[:-1]:
        paragraph.paragraph_format.keep_with_next = True
    last = mark.getprevious()
    table = None
    if last is not None and last.tag == qn("w:p"):
        _keep_with_next(last)
        before = last.getprevious()  # the blank line kesu leaves under a table
        table = before if before is not None and before.tag == qn("w:tbl") else None
    elif last is not None and last.tag == qn("w:tbl"):
        table = last
    if table is not None:  # a report that ends on a table: its last row keeps with what follows
        rows = table.findall(qn("w:tr"))
        for p_element in rows[-1].iter(qn("w:p")) if rows else []:
            _keep_with_next(p_element)


def _style_value(paragraph, attribute: str):
    value = getattr(paragraph.paragraph_format, attribute)
    style = paragraph.style
    while value is None and style is not None:
        value = getattr(style.paragraph_format, attribute)
        style = style.base_style
    return value


def lay_out(document, *, office: str, date_text: str) -> list[ClosingLine]:
    """Set the 署名 and 成文日期 of kesu's signature style after GB/T 9704 and return the 落款 as the DOCX has it.

    Only paragraphs in the signature style are moved: an office's own template keeps the layout it chose, and the
    lines returned carry that layout to the HTML and Markdown versions.
    """
    office_margin, date_margin = margins(office, date_text)
    mark = _body_mark(document)
    if mark is None:
        return []
    tail = _tail_paragraphs(document, mark)
    _keep_closing_with_the_text(mark, tail)
    lines = []
    for paragraph in tail:
        text = paragraph.text.strip()
        if not text:
            continue
        if paragraph.style is not None and paragraph.style.style_id == SIGNATURE_STYLE and text in (office, date_text):
            paragraph.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            paragraph.paragraph_format.right_indent = Pt(CHAR_PT * (office_margin if text == office else date_margin))
        align = _ALIGN.get(_style_value(paragraph, "alignment"), "left")
        right, left = _style_value(paragraph, "right_indent"), _style_value(paragraph, "left_indent")
        lines.append(ClosingLine(text, align, round(right.pt / CHAR_PT, 2) if right else 0.0,
                                 round(left.pt / CHAR_PT, 2) if left else 0.0))
    return lines


def for_libreoffice(docx: bytes) -> bytes:
    """The DOCX as LibreOffice needs it to keep the 落款 with a closing table.

    Word keeps a table's last row with the next paragraph when that row's paragraphs say so (set by ``lay_out``);
    LibreOffice reads “keep with next” for a table only when every row says so, and then still splits a long table,
    moving only its last rows. Every row of the last table is marked in the copy converted to PDF, not in the DOCX
    offices edit: in Word the same marks would push a long table to a new page.
    """
    import io

    from docx import Document

    document = Document(io.BytesIO(docx))
    mark = _body_mark(document)
    last = mark.getprevious() if mark is not None else None
    if last is not None and last.tag == qn("w:p"):
        last = last.getprevious()
    if last is None or last.tag != qn("w:tbl"):
        return docx
    for p_element in last.iter(qn("w:p")):
        _keep_with_next(p_element)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
