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
CLAUSE_BREAK = re.compile(r"[,;。!?:\n\r|\[\]\"…>]|\s{3,}")

_LEAD_WORDS = (
    "其中 另外 此外 同时 并且 并 且 还 共计 共 累计 合计 总计 全年 今年 当年 目前 截至目前 截至 至今 已 先后 "
    "以及 及 和 与 对 向 为 在 据统计 据了解"
).split()
# Longest alternatives first, so that "共计" is not read as "共" + "计…".
_LEAD = re.compile(
    r"^(?:[一二三四五六七八九十]+是|"
    + "|".join(sorted(_LEAD_WORDS, key=len, reverse=True))
    + r"|\d+、|[,、\s])+"
)
_TRAIL = re.compile(
    r"(?:前|首次|首度|再次|已经|同比|由|从|将|每年|每月|每季度|每期|每次|每场|分别为|分别|达到了|达到|已达|已超过|超过|超出|突破|高达|多达|增至|增加到|提高到|仅为|约为|大约|大于|不低于|"
    r"不少于|不足|至少|将近|接近|近|约|逾|超|达|为|共有|共计|累计|合计|总计|共|计|有|是|了|的|已|"
    r"全市|全县|全区|全省|全国|全镇|各类|各种|[\s、(])+$"
)
# Verbs after which the counted noun follows the number ("建立247个农村科技活动室").
_VERB_END = re.compile(
    r"(?:举办|开展|组织|建立|建成|创建|新建|选派|培养|选拔培养|发放|印发|编印|印制|放映|扶持|成立|评选|表彰|"
    r"吸引|带动|接待|拥有|设有|共有|有|创办|兴办|培育|聘请|邀请|招募|发展|购置|配备|出动|派出|完成|投入|制作|"
    r"设立|设置|认定|命名|入选|推荐|涌现|评出|颁发|征集|收到|收集|展出|推出|开设|开通|上线|发布|出版|"
    r"走进|进入|精选|设|共设|在全?[市县区省镇乡]?|在|于|的|了|把|将|使|让|给|由|从)$"
)
# Where a right-hand noun phrase stops.
_RIGHT_STOP = re.compile(
    r"[,;。!?:、\n()\[\]《》“”「」]|以|参加|参与|受到|获得|获|进行|开展|在|向|中|的|入围|入选|上榜|接受|分别|共|"
    r"和|与|及|等|为|被|将|已|正|均|都|全部|得到|实现|达到|通过|参观|完成|组成|担任|从|到|于|下乡|下村|深入|赴|前往|进村|进社区|走进|进入|办理|举办"
)


# Action verbs: the counted noun comes after them ("开展农村能工巧匠培训30期" → 农村能工巧匠培训).
_VERB_CUT = re.compile(
    r"开展|举办|组织|建立|建成|创建|新建|购置|投入|发放|印发|编印|放映|展出|展览|走访|申报|评选出|评出|选出|建设|"
    r"兴办|创办|开设|建好|选派|选拔|培养|完成|推出|设有|拥有|包括|接待|吸引|带动|组建|成立|聘请|邀请|出动|派出|"
    r"制作|征集|收到|设立|认定|命名|举行|召开|实施|配备|安排|争取|评为|表彰|资助|捐赠|掌握|来自|共有|加强对|深入"
)
# Generic actors and places that open a clause but are not what is counted.
_ACTOR = re.compile(
    r"^(?:当地|我国|我省|我市|我县|我区|我局|我会|全国|全省|全市|全县|全区|全镇|本市|本县|该市|该县|各地|各级|各类|各种|"
    r"市科协|县科协|省科协)+"
)


def subject_spans(
    norm: str, num_start: int, unit_end: int, left_limit: int, right_limit: int,
    prev_subject: tuple[int, int] | None = None, classifier: bool = False,
) -> list[tuple[int, int]]:
    """Normalised spans whose concatenation is the subject phrase (possibly empty).

    When a number has no subject of its own but follows another fact in the same
    enumeration ("短训班110期、5500人次", "支出31.37亿元,占15.1%"), it inherits the
    previous fact's subject, followed by its own short left text ("占").
    """
    s, e = subject_span(norm, num_start, unit_end, left_limit, right_limit, classifier)
    if _han_count(norm[s:e]) >= 2 or prev_subject is None or prev_subject[1] <= prev_subject[0]:
        return [(s, e)]
    gap = norm[left_limit:num_start]
    if len(gap) > 6 or re.search(r"[。;\n]", gap):
        return [(s, e)]
    return [prev_subject, (s, e)] if e > s and not _right_used(s, unit_end) else [prev_subject]


def _right_used(s: int, unit_end: int) -> bool:
    return s >= unit_end


def subject_span(
    norm: str, num_start: int, unit_end: int, left_limit: int, right_limit: int, classifier: bool = False
) -> tuple[int, int]:
    """Return the normalised [start, end) of the subject phrase (may be empty).

    ``classifier`` says the unit is a measure word that can precede its noun ("12所学校");
    a noun phrase right after it is then preferred to the left context.
    """
    if classifier:
        r = _right_phrase(norm, unit_end, right_limit)
        if r[1] - r[0] >= 2 and not _VERB_START.match(norm, r[0]):
            return r
    left = _clause_start(norm, num_start, left_limit)
    seg = norm[left:num_start]
    m = _LEAD.match(seg)
    s = left + (m.end() if m else 0)
    e = num_start
    t = _TRAIL.search(norm, s, e)
    if t and t.start() >= s:
        e = t.start()
    # An enumeration closed by 等 names examples, not the counted thing: "A、B、C等36个部门".
    k = norm.rfind("等", s, e)
    if k >= 0 and norm.rfind("、", s, k) >= 0 and _han_count(norm[k + 1:e]) < 2:
        s = k + 1
    last_verb = None
    for vm in _VERB_CUT.finditer(norm, s, e):
        last_verb = vm
    before_cut = s
    if last_verb is not None and (_han_count(norm[last_verb.end():e]) >= 3 or last_verb.end() == e):
        s = last_verb.end()
        s += len(_LEAD.match(norm[s:e]).group()) if _LEAD.match(norm[s:e]) else 0
    am = _ACTOR.match(norm, s, e)
    if am and am.end() > s:
        s = am.end()
    left_text = norm[s:e]
    han = _han_count(left_text)
    verb_end = bool(_VERB_END.search(left_text))
    if han < 2 or verb_end:
        r = _right_phrase(norm, unit_end, right_limit)
        if r[1] - r[0] >= 2 or (r[1] > r[0] and (han == 0 or verb_end)):
            return r
    if han < 2:
        if s == e and before_cut < s:
            return before_cut, e  # only a verb phrase names it: "累计投入"
        return s, e
    # Long left contexts: keep the part after the last "的" or "、" run, then the nearest 14 characters.
    if e - s > 14:
        j = norm.rfind("的", s, e - 2)
        if j >= 0 and e - j - 1 >= 2:
            s = j + 1
    if e - s > 14:
        s = e - 14
    return s, e


_HAN_CHAR = re.compile(r"[\u4e00-\u9fff]")


def _han_count(text: str) -> int:
    return len(_HAN_CHAR.findall(text))


def _clause_start(norm: str, pos: int, limit: int) -> int:
    start = max(limit, pos - 60)
    last = start
    for m in CLAUSE_BREAK.finditer(norm, start, pos):
        last = m.end()
    return last


_NOUN_CHAR = re.compile(rf"[{HAN}A-Za-z0-9“”\"]")


# A right-hand phrase that starts with a verb is not the counted noun ("12个参加评比").
_VERB_START = re.compile(
    r"参加|参与|受到|获得|获|进行|开展|入围|入选|上榜|接受|得到|实现|达到|通过|完成|组成|担任|以上|左右|被|将|已|正|均|都"
)
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
