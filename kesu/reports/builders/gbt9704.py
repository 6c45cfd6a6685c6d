"""GB/T 9704-2012 (党政机关公文格式) as python-docx settings: page, fonts, paragraph styles, page numbers.

Sizes: 二号 22 pt (title), 三号 16 pt (body and headings), 四号 14 pt (page numbers). A4 with margins top 37 mm,
bottom 35 mm, left 28 mm, right 26 mm gives a 156 × 225 mm text block of 28 characters × 22 lines.
East Asian fonts are set through ``w:eastAsia`` (Word and WPS both read it); the font table names a common fallback
(宋体, 仿宋, 楷体) as ``w:altName`` for machines without the GB2312 fonts.
"""

from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from lxml import etree

PAGE_W, PAGE_H = Mm(210), Mm(297)
MARGIN_TOP, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT = Mm(37), Mm(35), Mm(28), Mm(26)
TEXT_WIDTH = Mm(210 - 28 - 26)  # 156 mm
LINE_PITCH = Pt(28.95)  # 225 mm / 22 lines
SIZE_TITLE, SIZE_BODY, SIZE_PAGE_NO, SIZE_TABLE = Pt(22), Pt(16), Pt(14), Pt(12)

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING1_FONT = "黑体"
HEADING2_FONT = "楷体_GB2312"
PAGE_NO_FONT = "宋体"
LATIN_FONT = "Times New Roman"
FALLBACKS = {TITLE_FONT: "宋体", BODY_FONT: "仿宋", HEADING2_FONT: "楷体"}

# style id → (name, East Asian font, size, bold, alignment, first-line indent in characters)
STYLES = {
    "KesuTitle": ("Kesu Title", TITLE_FONT, SIZE_TITLE, False, WD_ALIGN_PARAGRAPH.CENTER, 0),
    "KesuBody": ("Kesu Body", BODY_FONT, SIZE_BODY, False, WD_ALIGN_PARAGRAPH.JUSTIFY, 2),
    "KesuHeading1": ("Kesu Heading 1", HEADING1_FONT, SIZE_BODY, False, WD_ALIGN_PARAGRAPH.LEFT, 2),
    "KesuHeading2": ("Kesu Heading 2", HEADING2_FONT, SIZE_BODY, False, WD_ALIGN_PARAGRAPH.LEFT, 2),
    "KesuHeading3": ("Kesu Heading 3", BODY_FONT, SIZE_BODY, True, WD_ALIGN_PARAGRAPH.LEFT, 2),
    "KesuHeading4": ("Kesu Heading 4", BODY_FONT, SIZE_BODY, False, WD_ALIGN_PARAGRAPH.LEFT, 2),
    "KesuSignature": ("Kesu Signature", BODY_FONT, SIZE_BODY, False, WD_ALIGN_PARAGRAPH.RIGHT, 0),
    "KesuCaption": ("Kesu Caption", HEADING1_FONT, Pt(14), False, WD_ALIGN_PARAGRAPH.CENTER, 0),
    "KesuTableText": ("Kesu Table Text", BODY_FONT, SIZE_TABLE, False, WD_ALIGN_PARAGRAPH.CENTER, 0),
    "KesuNote": ("Kesu Note", BODY_FONT, Pt(14), False, WD_ALIGN_PARAGRAPH.CENTER, 0),
}
BODY_CHAR_SPACING = -5  # twentieths of a point
NO_GRID = {"KesuTitle", "KesuCaption", "KesuTableText", "KesuNote"}
HEADING_STYLE = {1: "KesuHeading1", 2: "KesuHeading2", 3: "KesuHeading3", 4: "KesuHeading4"}
OUTLINE_LEVEL = {"KesuHeading1": 0, "KesuHeading2": 1, "KesuHeading3": 2, "KesuHeading4": 3}


def set_run_fonts(rpr, east_asia: str, latin: str = LATIN_FONT) -> None:
    """Set ascii/hAnsi to ``latin`` and eastAsia to ``east_asia`` on an ``w:rPr`` element."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:eastAsia"), east_asia)
    fonts.set(qn("w:cs"), latin)
    for hint in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(hint), None)


def set_page(section) -> None:
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = PAGE_W, PAGE_H
    section.top_margin, section.bottom_margin = MARGIN_TOP, MARGIN_BOTTOM
    section.left_margin, section.right_margin = MARGIN_LEFT, MARGIN_RIGHT
    section.header_distance = Mm(15)
    section.footer_distance = Mm(24)  # the dash line of the page number sits 7 mm below the text block
    sect_pr = section._sectPr
    grid = sect_pr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        sect_pr.append(grid)
    # 22 lines of 28.95 pt. The 28 characters a line come from a -0.25 pt character spacing of the 三号 styles
    # (156 mm = 442 pt = 28 × 15.75 pt) rather than a character grid, which LibreOffice lays out differently.
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), "579")
    grid.attrib.pop(qn("w:charSpace"), None)


def _style(document, style_id: str):
    styles = document.styles
    name, font, size, bold, align, indent_chars = STYLES[style_id]
    try:
        style = styles[name]
    except KeyError:
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.element.set(qn("w:styleId"), style_id)
    style.base_style = None
    style.quick_style = True
    style.font.size = size
    style.font.bold = bold
    style.font.name = LATIN_FONT
    set_run_fonts(style.element.get_or_add_rPr(), font)
    fmt = style.paragraph_format
    fmt.alignment = align
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    fmt.first_line_indent = Pt(16 * indent_chars) if indent_chars else Pt(0)
    if style_id in ("KesuTableText", "KesuCaption", "KesuNote"):
        fmt.line_spacing = 1.0
        fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
    elif style_id == "KesuTitle":
        fmt.line_spacing = Pt(35)
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    else:
        fmt.line_spacing = LINE_PITCH
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    if style_id in OUTLINE_LEVEL:
        fmt.keep_with_next = True
        ppr = style.element.get_or_add_pPr()
        outline = OxmlElement("w:outlineLvl")
        outline.set(qn("w:val"), str(OUTLINE_LEVEL[style_id]))
        ppr.append(outline)
    if size == SIZE_BODY:
        spacing = OxmlElement("w:spacing")
        spacing.set(qn("w:val"), str(BODY_CHAR_SPACING))
        style.element.get_or_add_rPr().append(spacing)
    if style_id in NO_GRID:
        # Larger or smaller type than the body would be pushed onto the 28-character grid cell by cell.
        snap = OxmlElement("w:snapToGrid")
        snap.set(qn("w:val"), "0")
        style.element.get_or_add_pPr().append(snap)
    if style_id == "KesuSignature":
        fmt.right_indent = Pt(16 * 4)  # 成文日期右空四字
    if style_id == "KesuCaption":
        fmt.space_before = Pt(6)
        fmt.space_after = Pt(6)
    return style


def set_styles(document) -> None:
    """The document defaults (仿宋 三号, zh-CN) and the kesu paragraph styles the builders use."""
    normal = document.styles["Normal"]
    normal.font.size = SIZE_BODY
    normal.font.name = LATIN_FONT
    set_run_fonts(normal.element.get_or_add_rPr(), BODY_FONT)
    defaults = document.styles.element.find(qn("w:docDefaults"))
    if defaults is not None:
        rpr = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}")
        if rpr is not None:
            set_run_fonts(rpr, BODY_FONT)
            lang = rpr.find(qn("w:lang"))
            if lang is None:
                lang = OxmlElement("w:lang")
                rpr.append(lang)
            lang.set(qn("w:eastAsia"), "zh-CN")
            # The character grid's pitch is computed from the default font size: 三号 (16 pt = 32 half-points).
            for tag in ("w:sz", "w:szCs"):
                size = rpr.find(qn(tag))
                if size is None:
                    size = OxmlElement(tag)
                    rpr.append(size)
                size.set(qn("w:val"), "32")
    for style_id in STYLES:
        _style(document, style_id)


def _field_run(paragraph, instruction: str):
    """A PAGE field, with a cached result so viewers that do not update fields still show a number."""
    def char(kind):
        run = paragraph.add_run()
        element = OxmlElement("w:fldChar")
        element.set(qn("w:fldCharType"), kind)
        run._r.append(element)
        return run

    char("begin")
    run = paragraph.add_run()
    text = OxmlElement("w:instrText")
    text.set(qn("xml:space"), "preserve")
    text.text = f" {instruction} "
    run._r.append(text)
    char("separate")
    paragraph.add_run("1")
    char("end")


def _page_number_paragraph(footer, *, odd: bool) -> None:
    paragraph = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
    for run in list(paragraph.runs):
        run._r.getparent().remove(run._r)
    fmt = paragraph.paragraph_format
    # 单页码居右空一字，双页码居左空一字 (one character of 四号 = 14 pt).
    fmt.alignment = WD_ALIGN_PARAGRAPH.RIGHT if odd else WD_ALIGN_PARAGRAPH.LEFT
    if odd:
        fmt.right_indent = Pt(14)
    else:
        fmt.left_indent = Pt(14)
    paragraph.add_run("— ")
    _field_run(paragraph, "PAGE")
    paragraph.add_run(" —")
    for run in paragraph.runs:
        run.font.size = SIZE_PAGE_NO
        set_run_fonts(run._r.get_or_add_rPr(), PAGE_NO_FONT, latin=PAGE_NO_FONT)


def set_page_numbers(document) -> None:
    document.settings.odd_and_even_pages_header_footer = True
    for section in document.sections:
        section.footer.is_linked_to_previous = False
        _page_number_paragraph(section.footer, odd=True)
        section.even_page_footer.is_linked_to_previous = False
        _page_number_paragraph(section.even_page_footer, odd=False)


def set_font_fallbacks(document) -> None:
    """Name 宋体/仿宋/楷体 as ``w:altName`` of the GB2312 and 方正 fonts in the font table."""
    package = document.part.package
    part = next((p for p in package.iter_parts() if str(p.partname) == "/word/fontTable.xml"), None)
    if part is None:
        return
    root = etree.fromstring(part.blob)
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    for name, alt in FALLBACKS.items():
        font = etree.SubElement(root, f"{{{w}}}font")
        font.set(f"{{{w}}}name", name)
        alt_name = etree.SubElement(font, f"{{{w}}}altName")
        alt_name.set(f"{{{w}}}val", alt)
        charset = etree.SubElement(font, f"{{{w}}}charset")
        charset.set(f"{{{w}}}val", "86")
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def set_paragraph_style(paragraph, style_id: str) -> None:
    """Point a paragraph at a style by id: the subdocument's own style table does not know kesu's styles."""
    ppr = paragraph._p.get_or_add_pPr()
    ppr.get_or_add_pStyle().val = style_id
