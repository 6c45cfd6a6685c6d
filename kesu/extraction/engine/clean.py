"""Remove site chrome and boilerplate lines from a scraped report page.

The decision is made from the *shape* of lines rather than from one site's strings:

* a line of prose has sentence punctuation; chrome (menus, buttons, tag clouds, link
  lists, counters) is short and has none;
* link lists and "related articles" come as runs of several such short lines;
* lines repeated many times on a page are template furniture;
* lines that are mostly Latin letters, digits and symbols in a Chinese page are UI
  labels ("HOT", "NEW", "| 2023-01-01");
* a small, generic vocabulary of page self-reference (本站, 小编, 本文, 下载, 收藏 …) raises
  the score of a line; on its own it never removes a line of real prose.

Title lines (short, no punctuation, followed by prose) are kept.  The result keeps a map
back to the original through :class:`TextMap`.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from .textmap import TextMap

SENTENCE_PUNCT = re.compile(r"[。!?;！？；，,]")
HAN_RX = re.compile(r"[\u4e00-\u9fff]")
# Words by which a page talks about itself rather than about the work reported.
SELF_REFERENCE = re.compile(
    r"本站|小编|本文|投稿|下载|收藏|分享|推荐|点击|登录|注册|评论|阅读|浏览|返回|首页|上一篇|下一篇|"
    r"版权|备案|免责声明|猜你|热门|相关|联系我们|网站地图|设为首页|客服|扫码|二维码|关注|广告|更多|"
    r"文档|格式|转载|来源|标签|打印|关闭|字号|编辑|责任编辑|作者"
)
SECTION_START = re.compile(r"^\s*(?:[一二三四五六七八九十]+、|[(（][一二三四五六七八九十\d]+[)）]|\d+[、.．]|篇\s*\d)")


@dataclass
class Line:
    start: int
    end: int
    text: str


def lines_of(text: str) -> list[Line]:
    out = []
    pos = 0
    for raw in text.split("\n"):
        out.append(Line(pos, pos + len(raw), raw))
        pos += len(raw) + 1
    return out


def _is_short_bare(line: str) -> bool:
    s = line.strip()
    return bool(s) and len(s) <= 40 and not SENTENCE_PUNCT.search(s)


def boilerplate_flags(text: str) -> list[bool]:
    """One flag per line of ``text`` (split on "\\n"): True = boilerplate."""
    return list(_boilerplate_flags(text))


@lru_cache(maxsize=2)
def _boilerplate_flags(text: str) -> tuple[bool, ...]:
    # Kept for the page being read: cleaning it and splitting it into reports both ask.
    from .normalize import SOURCE_MARK

    lines = lines_of(text)
    # A watermark pasted into a line of prose is cut out (clean_text), not a reason to drop the prose with it.
    stripped = [SOURCE_MARK.sub("", ln.text).strip() if "www." in ln.text or "://" in ln.text
                else ln.text.strip() for ln in lines]
    counts = Counter(s for s in stripped if s)
    flags = [False] * len(lines)
    nonempty = [i for i, s in enumerate(stripped) if s]
    seen: set[str] = set()
    for i in nonempty:
        s = stripped[i]
        han = len(HAN_RX.findall(s))
        self_refs = len(set(SELF_REFERENCE.findall(s)))  # distinct: prose may repeat one word
        if han == 0 and len(s) <= 40:
            flags[i] = True  # "HOT", "NEW", "|", dates and counters on their own
        elif _is_short_bare(s) and self_refs >= 1:
            flags[i] = True  # "收藏本文 下载本文", "点击下载文档"
        elif self_refs >= 3 and han < 120 or self_refs >= 2 and han < 60:
            flags[i] = True  # a promo sentence about the page itself
        elif _is_short_bare(s) and counts[s] >= 3 and s in seen:
            flags[i] = True  # template furniture repeated across the page (first copy kept)
        seen.add(s)
    # Runs of >= 3 short unpunctuated lines (blank lines between them allowed) are link lists.
    run: list[int] = []
    for i in nonempty + [None]:
        if i is not None and _is_short_bare(stripped[i]) and not SECTION_START.match(stripped[i]):
            run.append(i)
            continue
        if len(run) >= 3:
            for j in run:
                flags[j] = True
        run = []
    return tuple(flags)


def clean_text(text: str) -> TextMap:
    """Return ``text`` without boilerplate lines, as a TextMap back to the original."""
    flags = boilerplate_flags(text)
    deletions = []
    for line, flag in zip(lines_of(text), flags, strict=True):
        if flag:
            deletions.append((line.start, min(line.end + 1, len(text))))
    deletions.extend(source_mark_spans(text))
    return TextMap.with_deletions(text, deletions)


def source_mark_spans(text: str) -> list[tuple[int, int]]:
    """Source lines and watermarks pasted inside a paragraph ("…工作。本文来源www.… 全年…"): the same pattern the
    extraction normaliser deletes, so the cleaned text shown to a reviewer and the text facts are read from agree."""
    from .normalize import SOURCE_MARK, fold

    return [m.span() for m in SOURCE_MARK.finditer(fold(text))]
