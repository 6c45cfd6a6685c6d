"""Normalise a raw page for matching while keeping a map back to the original offsets.

Two kinds of change are made:

* 1:1 character rewrites that never move offsets: full-width ASCII to half-width, the
  ideographic space to a space, traditional characters to simplified (OpenCC's character
  table, applied per character so the length cannot change);
* deletions, recorded in a :class:`TextMap`: bracketed pinyin glosses that scrapers leave
  inside words (``实现(xiàn)``), URLs and the watermark phrase that introduces them,
  stray ASCII punctuation injected between two Han characters (``科学的'本质``) and short
  runs of spaces inside numbers (``5 000``) or between a number and its unit (``26 次``).

Long space runs are kept: they separate the columns of multi-column OCR.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .textmap import TextMap

HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"

# Full-width ASCII block and a few look-alikes that matter for numbers.
_WIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_WIDTH.update({0x3000: 0x20, 0x00A0: 0x20, 0x2002: 0x20, 0x2003: 0x20, 0x2009: 0x20, 0x200B: 0x20})


@lru_cache(maxsize=1)
def _t2s_table() -> dict[int, int]:
    """Traditional → simplified character table taken from OpenCC's data.

    We read OpenCC's own character dictionary and keep only single-character targets,
    which makes the conversion length-preserving by construction (OpenCC's phrase layer
    can change lengths, and running it on a megabyte is slow).  If the dictionary file
    is not where the pure-Python package keeps it, fall back to asking OpenCC per
    character for the CJK range, still keeping only 1:1 results.
    """
    table: dict[int, int] = {}
    try:
        import opencc  # noqa: PLC0415  (lazy: only needed when text is normalised)
    except ImportError:  # pragma: no cover - dependency missing: no t2s folding
        return table
    from pathlib import Path

    dict_file = Path(getattr(opencc, "__file__", "")).parent / "dictionary" / "TSCharacters.txt"
    if dict_file.is_file():
        for line in dict_file.read_text(encoding="utf-8").splitlines():
            src, _, targets = line.partition("\t")
            target = targets.split(" ")[0] if targets else ""
            if len(src) == 1 and len(target) == 1 and src != target:
                table[ord(src)] = ord(target)
        return table
    converter = opencc.OpenCC("t2s") if hasattr(opencc, "OpenCC") else None
    if converter is None:  # pragma: no cover
        return table
    for cp in range(0x4E00, 0xA000):
        ch = chr(cp)
        out = converter.convert(ch)
        if len(out) == 1 and out != ch:
            table[cp] = ord(out)
    return table


@lru_cache(maxsize=1)
def fold_table() -> dict[int, int]:
    table = dict(_t2s_table())
    table.update(_WIDTH)
    return table


@lru_cache(maxsize=1)
def _fold_string() -> str:
    # str.translate indexes a str table in C, several times faster than a dict lookup per
    # character; code points past the BMP raise IndexError inside translate and are kept.
    table = fold_table()
    return "".join(chr(table.get(i, i)) for i in range(0x10000))


@lru_cache(maxsize=1)
def _foldable() -> re.Pattern:
    return re.compile("[" + "".join(re.escape(chr(cp)) for cp, to in sorted(fold_table().items())
                                    if cp < 0x10000 and cp != to) + "]")


# A page is folded by cleaning, extraction, mapping and the reading of its reports alike: the last few pages folded
# are kept. Below this length most strings (a subject, a clause) need no change at all, which one regex search tells.
_PAGE_CHARS = 256


def fold(text: str) -> str:
    """1:1 rewrite: full-width → half-width, traditional → simplified."""
    if len(text) >= _PAGE_CHARS:
        return _fold_page(text)
    if not _foldable().search(text):
        return text
    return text.translate(_fold_string())


@lru_cache(maxsize=4)
def _fold_page(text: str) -> str:
    return text.translate(_fold_string())


_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ"
_PINYIN = re.compile(rf"\((?=[a-z{_TONED}]*[{_TONED}])[a-z{_TONED}]{{1,7}}\)")
# A source line or watermark URL; public because the cleaner (clean.py) cuts the same marks the normaliser deletes.
SOURCE_MARK = re.compile(
    r"(?:(?:本文来源|文章来源|本文来自|来源于|转载于|转载自|原文地址|原文链接|来源)[:]?\s*)?"
    r"(?:https?://|www\.)[A-Za-z0-9./?=&%#:~+_\-]+"
)
_INJECTED = re.compile(rf"(?<=[{HAN}])['`.´](?=[{HAN}])")
_SPACES = re.compile(rf"(?<=[{HAN}0-9%])[ \t]{{1,2}}(?=[{HAN}0-9])")
_DIGITS_LEFT = re.compile(r"(?<![0-9.])[0-9]{1,3}$")
_DIGITS_RIGHT = re.compile(r"[0-9]{3}(?![0-9])")


def _space_deletions(text: str) -> list[tuple[int, int]]:
    out = []
    for m in _SPACES.finditer(text):
        left, right = text[m.start() - 1], text[m.end()]
        if left.isdigit() and right.isdigit():
            # Only a thousands group ("5 000", "2 133.33") joins two digit runs.
            if not (_DIGITS_LEFT.search(text, max(0, m.start() - 4), m.start())
                    and _DIGITS_RIGHT.match(text, m.end())):
                continue
        out.append(m.span())
    return out


def normalise(original: str) -> TextMap:
    """Return the normalised view of ``original`` with its offset map."""
    folded = fold(original)
    deletions: list[tuple[int, int]] = []
    for rx in (_PINYIN, SOURCE_MARK, _INJECTED):
        deletions.extend(m.span() for m in rx.finditer(folded))
    deletions.extend(_space_deletions(folded))
    if not deletions:
        return TextMap(original, folded, [0], [0])
    return TextMap.with_deletions(original, deletions, source=folded)
