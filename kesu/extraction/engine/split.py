"""Split a page into its documents, and a document into sections.

Compilation pages (范文 sites) stack several reports: "篇1:…", "…总结篇2", "第三篇", or
simply the same title line again.  Inside a report, sections are numbered 一、 / （一） /
1. / （1）, and paragraphs enumerate points inline with 一是 / 二是.

All offsets are into the original page text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .clean import boilerplate_flags, lines_of

CN_NUM = "一二三四五六七八九十"
DOC_MARKER = re.compile(
    rf"^\s*(?:篇\s*[0-9{CN_NUM}]+\s*[:：]?|第[0-9{CN_NUM}]+篇\s*[:：]?|范文\s*[0-9{CN_NUM}]+\s*[:：]?)"
    rf"|\S篇\s*[0-9{CN_NUM}]+\s*$"
)
HEADINGS = [
    (1, re.compile(rf"^\s*[{CN_NUM}]+\s*[、.．]")),
    (2, re.compile(rf"^\s*[(（]\s*[{CN_NUM}]+\s*[)）]")),
    (3, re.compile(r"^\s*\d{1,2}\s*[、.．](?!\d)")),
    (4, re.compile(r"^\s*[(（]\s*\d{1,2}\s*[)）]")),
]
INLINE_POINT = re.compile(rf"(?:^|(?<=[。;；:：,，\s]))([{CN_NUM}]+是)\s*[:：,，]?")
SENTENCE_END = re.compile(r"[。!?;！？；]")


@dataclass
class Document:
    start: int
    end: int
    title: str
    text: str  # the document's text with boilerplate lines removed


@dataclass
class Section:
    start: int
    end: int
    level: int
    heading: str
    parents: list[str] = field(default_factory=list)

    @property
    def path(self) -> str:
        return " / ".join(self.parents + [self.heading])


def _heading_text(line: str) -> str:
    m = SENTENCE_END.search(line)
    head = line[: m.start()] if m else line
    return head.strip()[:40]


def split_documents(text: str) -> list[Document]:
    """Documents of a page; a page with no markers is one document."""
    lines = lines_of(text)
    flags = boilerplate_flags(text)
    starts = [i for i, ln in enumerate(lines) if DOC_MARKER.search(ln.text) and len(ln.text.strip()) <= 60]
    if not starts:
        starts = _repeated_title_starts(lines, flags)
    if not starts:
        starts = [0]
    docs = []
    for k, i in enumerate(starts):
        j = starts[k + 1] if k + 1 < len(starts) else len(lines)
        body = [ln for ln, f in zip(lines[i:j], flags[i:j]) if not f and ln.text.strip()]
        if not body:
            continue
        title = re.sub(rf"^\s*(?:篇\s*[0-9{CN_NUM}]+|第[0-9{CN_NUM}]+篇|范文\s*[0-9{CN_NUM}]+)\s*[:：]?\s*", "", lines[i].text).strip()
        start = lines[i].start
        end = body[-1].end
        docs.append(Document(start, end, title, "\n".join(ln.text for ln in body)))
    return docs


def _repeated_title_starts(lines, flags) -> list[int]:
    """Boundaries at a heading line that recurs after a stretch of prose."""
    heads = {}
    for i, ln in enumerate(lines):
        s = ln.text.strip()
        if s and len(s) <= 40 and not re.search(r"[。，,；;!?！？]", s):
            heads.setdefault(s, []).append(i)
    best: list[int] = []
    for s, idx in heads.items():
        if len(idx) < 2:
            continue
        kept = [idx[0]]
        for i in idx[1:]:
            prose = sum(len(ln.text) for ln in lines[kept[-1] + 1:i] if re.search(r"[。，,]", ln.text))
            if prose >= 100:
                kept.append(i)
        if len(kept) >= 2 and len(kept) > len(best):
            best = kept
    return best


def split_sections(text: str, offset: int = 0) -> list[Section]:
    """Sections of one document (offsets shifted by ``offset``).

    Line headings (一、 / （一） / 1. / （1）) open sections that run to the next heading of
    the same or a higher level; inline points (一是 / 二是) open level-5 sections that end
    at the next point or the end of the paragraph.
    """
    sections: list[Section] = []
    stack: list[Section] = []
    for ln in lines_of(text):
        for level, rx in HEADINGS:
            if rx.match(ln.text):
                while stack and stack[-1].level >= level:
                    stack.pop().end = ln.start + offset
                parents = [p.heading for p in stack]
                sec = Section(ln.start + offset, len(text) + offset, level, _heading_text(ln.text), parents)
                sections.append(sec)
                stack.append(sec)
                break
        points = list(INLINE_POINT.finditer(ln.text))
        if len(points) >= 2:
            parents = [p.heading for p in stack]
            for k, m in enumerate(points):
                end = points[k + 1].start() if k + 1 < len(points) else len(ln.text)
                s = ln.start + m.start(1) + offset
                seg = ln.text[m.start(1):end]
                sections.append(Section(s, ln.start + end + offset, 5, _heading_text(seg), parents))
    sections.sort(key=lambda s: (s.start, s.level))
    return sections


def section_at(sections: list[Section], pos: int) -> Section | None:
    """Innermost section containing ``pos``."""
    best = None
    for sec in sections:
        if sec.start <= pos < sec.end and (best is None or sec.level >= best.level):
            best = sec
    return best
