"""Find the phrase that names what a number counts.

Report prose puts the counted thing either before the number ("培训人员26.5万人",
"受益群众0余人") or right after its measure word ("选派121名科技特派员").  We take the
clause-local text on the left, trim framing words (totals, verbs of reaching, time
adverbs) and fall back to the noun phrase on the right when the left side is empty or
ends in a verb of doing ("建立", "组织了").
"""

from __future__ import annotations

import re

from .normalize import HAN

# Clause boundaries for subject search ("、" is deliberately absent: it joins nouns
# inside a subject, e.g. "科普讲座、科普报告会").
CLAUSE_BREAK = re.compile(r"[,;。!?:\n\r|()\[\]《》“”\"「」…]|\s{3,}")

_LEAD = re.compile(
    r"^(?:[一二三四五六七八九十]+是|其中|另外|此外|同时|并且|并|且|还|共|共计|累计|合计|总计|全年|今年|当年|"
    r"目前|截至目前|截至|至今|已|先后|以及|及|和|与|对|向|为|在|据统计|据了解|\d+、|[,、\s])+"
)
_TRAIL = re.compile(
    r"(?:前|分别为|分别|达到了|达到|已达|已超过|超过|超出|突破|高达|多达|增至|增加到|提高到|仅为|约为|大约|大于|不低于|"
    r"不少于|不足|至少|将近|接近|近|约|逾|超|达|为|共有|共计|累计|合计|总计|共|计|有|是|了|的|已|总数|人数|数量|"
    r"全市|全县|全区|全省|全国|全镇|各类|各种|\s)+$"
)
# Verbs after which the counted noun follows the number ("建立247个农村科技活动室").
_VERB_END = re.compile(
    r"(?:举办|开展|组织|建立|建成|创建|新建|选派|培养|选拔培养|发放|印发|编印|印制|放映|扶持|成立|评选|表彰|"
    r"吸引|带动|接待|拥有|设有|共有|有|创办|兴办|培育|聘请|邀请|招募|发展|购置|配备|出动|派出|完成|投入|制作|"
    r"设立|设置|认定|命名|入选|推荐|涌现|评出|颁发|征集|收到|收集|展出|推出|开设|开通|上线|发布|出版|"
    r"在全?[市县区省镇乡]?|在|于|的|了|把|将|使|让|给|由|从)$"
)
# Where a right-hand noun phrase stops.
_RIGHT_STOP = re.compile(
    r"[,;。!?:、\n()\[\]《》“”「」]|参加|参与|受到|获得|获|进行|开展|在|向|中|的|入围|入选|上榜|接受|分别|共|"
    r"和|与|及|等|为|被|将|已|正|均|都|全部|得到|实现|达到|通过|参观|完成|组成|担任|从|到|于"
)


def subject_span(norm: str, num_start: int, unit_end: int, left_limit: int, right_limit: int) -> tuple[int, int]:
    """Return the normalised [start, end) of the subject phrase (may be empty)."""
    left = _clause_start(norm, num_start, left_limit)
    seg = norm[left:num_start]
    m = _LEAD.match(seg)
    s = left + (m.end() if m else 0)
    e = num_start
    t = _TRAIL.search(norm, s, e)
    if t and t.start() >= s:
        e = t.start()
    left_text = norm[s:e]
    han = sum(1 for c in left_text if "\u4e00" <= c <= "\u9fff")
    if han < 2 or _VERB_END.search(left_text):
        r = _right_phrase(norm, unit_end, right_limit)
        if r[1] - r[0] >= 2:
            return r
        if han < 1:
            return r
        # Left text that is only a verb still says something ("培训"): strip nothing more.
    # Long left contexts: keep the nearest 20 characters, cut at a "、" run boundary when possible.
    if e - s > 24:
        s = e - 24
    return s, e


def _clause_start(norm: str, pos: int, limit: int) -> int:
    start = max(limit, pos - 60)
    last = start
    for m in CLAUSE_BREAK.finditer(norm, start, pos):
        last = m.end()
    return last


_NOUN_CHAR = re.compile(rf"[{HAN}A-Za-z0-9“”\"]")


_RIGHT_LEAD = re.compile(r"(?:以上|左右|上下|有余|的)+")


def _right_phrase(norm: str, pos: int, limit: int) -> tuple[int, int]:
    lead = _RIGHT_LEAD.match(norm, pos)
    if lead:
        pos = lead.end()
    end = min(limit, pos + 20, len(norm))
    if pos >= end or not _NOUN_CHAR.match(norm, pos):
        return pos, pos
    m = _RIGHT_STOP.search(norm, pos + 1, end)
    stop = m.start() if m else end
    # A quoted title right after the unit belongs to the subject ("“希望的田野”读本").
    if norm[pos] in "“\"" :
        close = norm.find("”" if norm[pos] == "“" else "\"", pos + 1, end)
        if close > 0:
            m = _RIGHT_STOP.search(norm, close + 1, end)
            stop = m.start() if m else end
    return pos, stop
