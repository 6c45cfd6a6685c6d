"""Split a page into its documents, and a document into sections.

Compilation pages (范文 sites) stack several reports: "篇1:…", "…总结篇2", "第三篇", or
simply the same title line again.  Inside a report, sections are numbered 一、 / （一） /
1. / （1）, and paragraphs enumerate points inline with 一是 / 二是.

All offsets are into the original page text.
"""

from __future__ import annotations

import bisect
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
_PROSE = re.compile(r"[。，,]")
_HEAD_PUNCT = re.compile(r"[。，,；;!?！？]")


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
        starts = _repeated_title_starts(lines)
    if not starts:
        starts = [0]
    docs = []
    for k, i in enumerate(starts):
        j = starts[k + 1] if k + 1 < len(starts) else len(lines)
        body = [ln for ln, f in zip(lines[i:j], flags[i:j], strict=True) if not f and ln.text.strip()]
        if not body:
            continue
        title = re.sub(rf"^\s*(?:篇\s*[0-9{CN_NUM}]+|第[0-9{CN_NUM}]+篇|范文\s*[0-9{CN_NUM}]+)\s*[:：]?\s*", "", lines[i].text).strip()
        start = lines[i].start
        end = body[-1].end
        docs.append(Document(start, end, title, "\n".join(ln.text for ln in body)))
    return docs


def _repeated_title_starts(lines) -> list[int]:
    """Boundaries at a heading line that recurs after a stretch of prose.

    Linear in the number of lines: the prose between two occurrences is read from a running sum, not re-added for
    every candidate (pages of thousands of short identical lines made the old pairwise sum quadratic).
    """
    prose_before = [0]  # prose_before[i] = characters of prose in lines[:i]
    for ln in lines:
        prose_before.append(prose_before[-1] + (len(ln.text) if _PROSE.search(ln.text) else 0))
    heads: dict[str, list[int]] = {}
    for i, ln in enumerate(lines):
        s = ln.text.strip()
        if s and len(s) <= 40 and not _HEAD_PUNCT.search(s):
            heads.setdefault(s, []).append(i)
    best: list[int] = []
    for idx in heads.values():
        if len(idx) < 2:
            continue
        kept = [idx[0]]
        for i in idx[1:]:
            if prose_before[i] - prose_before[kept[-1] + 1] >= 100:
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


def section_finder(sections: list[Section]):
    """``section_at`` for many positions: O(log n) per lookup after one sweep over the sections.

    Sections of one level never overlap (a heading closes the previous one of its level; inline points end at the
    next point), so at most one section per level is open at any position and the innermost is the deepest open one.
    """
    events = sorted({p for sec in sections for p in (sec.start, sec.end)})
    open_at: dict[int, list[Section]] = {}
    close_at: dict[int, list[Section]] = {}
    for sec in sections:
        if sec.end > sec.start:
            open_at.setdefault(sec.start, []).append(sec)
            close_at.setdefault(sec.end, []).append(sec)
    active: dict[int, list[Section]] = {}
    innermost: list[Section | None] = []
    for point in events:
        for sec in close_at.get(point, ()):
            active[sec.level].remove(sec)
        for sec in open_at.get(point, ()):
            active.setdefault(sec.level, []).append(sec)
        live = [level for level, secs in active.items() if secs]
        innermost.append(active[max(live)][-1] if live else None)

    def find(pos: int) -> Section | None:
        k = bisect.bisect_right(events, pos) - 1
        return innermost[k] if k >= 0 else None

    return find
