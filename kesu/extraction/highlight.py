"""Cut a document's text into pieces for the review page: fact spans, and boilerplate removed by cleaning."""

import re
from dataclasses import dataclass
from itertools import pairwise


@dataclass
class Piece:
    text: str
    fact: object = None  # the ExtractedFact whose span this is
    removed: bool = False  # page chrome the cleaner dropped


def pieces(text: str, kept_ranges: list, facts: list) -> list[Piece]:
    """Consecutive pieces covering ``text``; overlapping fact spans keep the first (facts do not overlap in practice)."""
    spans, last_end = [], -1
    for fact in sorted(facts, key=lambda f: (f.start, f.end)):
        if fact.start >= last_end and fact.end <= len(text) and fact.end > fact.start:
            spans.append(fact)
            last_end = fact.end
    kept = [(s, e) for s, e in kept_ranges] if kept_ranges else [(0, len(text))]
    bounds = {0, len(text)}
    for s, e in kept:
        bounds.update((s, e))
    for f in spans:
        bounds.update((f.start, f.end))
    cuts = sorted(b for b in bounds if 0 <= b <= len(text))
    out: list[Piece] = []
    ki = fi = 0
    for a, b in pairwise(cuts):
        while ki < len(kept) and kept[ki][1] <= a:
            ki += 1
        while fi < len(spans) and spans[fi].end <= a:
            fi += 1
        removed = not (ki < len(kept) and kept[ki][0] <= a < kept[ki][1])
        fact = spans[fi] if fi < len(spans) and spans[fi].start <= a < spans[fi].end else None
        if out and out[-1].fact is None and fact is None and out[-1].removed == removed:
            out[-1].text += text[a:b]
        else:
            out.append(Piece(text[a:b], fact, removed))
    return out


def context(text: str, start: int, end: int, reach: int = 60) -> tuple[str, str, str]:
    """The text around a span: (before, span, after), cut at line breaks."""
    before = text[max(0, start - reach):start].rsplit("\n", 1)[-1]
    after = text[end:end + reach].split("\n", 1)[0]
    return before, text[start:end], after


def guess_year(*texts: str) -> str:
    """The report year a document names first (2023年…工作总结), to pre-fill the period."""
    for t in texts:
        m = re.search(r"(19[5-9]\d|20\d\d)\s*年", t or "")
        if m:
            return m.group(1)
    return ""
