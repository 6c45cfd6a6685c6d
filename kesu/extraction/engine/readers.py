"""Read report files into text: .txt (UTF-8, GB18030 fallback), .html, .docx, .pdf.

Heavy readers (python-docx, pdfminer.six) are imported lazily inside their functions so
that importing the engine, and starting the CLI, stays fast.
"""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

TEXT_SUFFIXES = {".txt", ".text", ".md", ""}
HTML_SUFFIXES = {".html", ".htm", ".shtml", ".xhtml"}


def utf16_encoding(data: bytes) -> str | None:
    """"utf-16" (with a BOM), "utf-16-le"/"utf-16-be" (without, judged by where the zero bytes fall), or None.

    Notepad's "Unicode" is UTF-16 LE with a BOM; without one, ASCII characters (digits, newlines) put a zero byte in
    every other position, nearly always on the same side.
    """
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return "utf-16"
    head = data[:4096]
    if len(head) < 4:
        return None
    even, odd = head[0::2].count(0), head[1::2].count(0)
    # Mostly on one side: a Han character whose low byte is zero (一 is U+4E00) puts the odd one on the other.
    encoding = "utf-16-le" if odd >= 4 and even * 8 <= odd else "utf-16-be" if even >= 4 and odd * 8 <= even else None
    if encoding is None:
        return None
    try:
        sample = head[: len(head) // 2 * 2].decode(encoding)
    except UnicodeDecodeError:
        return None
    controls = sum(1 for c in sample if ord(c) < 32 and c not in "\n\r\t\f")
    return encoding if controls <= len(sample) * 0.01 else None


def decode_bytes(data: bytes) -> str:
    """Decode like Python's text mode, so offsets match ``Path.read_text()``.

    UTF-8 first (a BOM is kept as a character, as ``read_text(encoding="utf-8")`` keeps
    it), then GB18030, a superset of GBK/GB2312.  Line endings are translated the way
    universal-newline reading does ("\r\n" and "\r" become "\n").
    """
    utf16 = utf16_encoding(data) if b"\x00" in data[:4096] else None
    for enc in ((utf16,) if utf16 else ("utf-8", "gb18030")):
        try:
            text = data.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    else:
        text = data.decode("utf-8", errors="replace")
    return text.replace("\r\n", "\n").replace("\r", "\n")


class _TextCollector(HTMLParser):
    """Keeps visible text; block elements become line breaks so lines survive."""

    BLOCK = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "td", "table"}
    SKIP = {"script", "style", "noscript", "template", "head"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):  # noqa: ARG002
        if tag in self.SKIP:
            self._skip += 1
        elif tag in self.BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in self.SKIP and self._skip:
            self._skip -= 1
        elif tag in self.BLOCK:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    collector = _TextCollector()
    collector.feed(html)
    collector.close()
    lines = ["".join(line.split("\t")).rstrip() for line in "".join(collector.parts).split("\n")]
    out: list[str] = []
    for line in lines:
        if line.strip() or (out and out[-1].strip()):
            out.append(line)
    return "\n".join(out).strip("\n")


def read_docx(path: Path) -> str:
    import docx  # python-docx, lazy

    document = docx.Document(str(path))
    return "\n".join(p.text for p in document.paragraphs)


def read_pdf(path: Path) -> str:
    from pdfminer.high_level import extract_text  # pdfminer.six, lazy

    return extract_text(str(path))


def read_file(path: str | Path) -> str:
    """Return the text of a report file, chosen by suffix."""
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix == ".docx":
        return read_docx(p)
    if suffix == ".pdf":
        return read_pdf(p)
    text = decode_bytes(p.read_bytes())
    if suffix in HTML_SUFFIXES:
        return html_to_text(text)
    return text
