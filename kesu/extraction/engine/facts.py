"""Extract every quantity that counts something from a Chinese report text.

The scan runs over the normalised text (see :mod:`normalize`), finds numeral cores
(Arabic ``1,083``/``26.5``, Chinese ``三十``/``两万``/``数百``), reads what follows the
core (range, 余/多, 万/亿 multipliers, the unit) and what precedes it (approximators,
ordinal and identifier context), then decides whether the number is a fact.  Each fact
is reported with its span in the ORIGINAL text via the offset map.

The decision rules follow the corpus labelling guide: dates, durations, ages, ordinals,
list markers, identifiers, page chrome and slogans are not facts; corrupted numbers are
reported with ``suspicious=True``.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field

from . import numerals as nm
from .normalize import HAN, normalise
from .subject import subject_spans
from .textmap import TextMap
from .units import (
    BIG_HEADS,
    CLASSIFIERS,
    COUNT_SET,
    DURATION_AFTER_GE,
    MONEY_SCALE,
    UNIT_RX,
    output_unit,
)


@dataclass
class Fact:
    text: str
    start: int
    end: int
    value: float | int
    value_high: float | int | None
    unit: str
    approx: bool
    subject: str
    suspicious: bool
    # Normalised-text positions, kept for splitting/mapping; not part of the output schema.
    nstart: int = field(default=0, repr=False)
    nend: int = field(default=0, repr=False)

    def to_dict(self) -> dict:
        # By hand: dataclasses.asdict deep-copies field by field and cost more than mapping a dense page.
        return {"text": self.text, "start": self.start, "end": self.end, "value": self.value,
                "value_high": self.value_high, "unit": self.unit, "approx": self.approx, "subject": self.subject,
                "suspicious": self.suspicious}


CN_CHARS = "零〇○一二两三四五六七八九十百千万亿"
CORE = re.compile(
    rf"(?P<ar>\d+(?:,\d{{3}})+(?!\d)(?:\.\d+)?|\d+(?:\.\d+)?)"
    rf"|(?P<cn>[数几]?[{CN_CHARS}]+几?)"
    r"|(?P<ocr>(?<![A-Za-z])(?=[IlO0o]*[Oo][IlO0o]*[O0o])[IlO0o]{3,}(?=[余多]?[\u4e00-\u9fff]))"
    rf"|(?P<pct>百分之)"
)
RANGE_SEP = re.compile(r"\s*(?:-|—|–|~|～|至|到|－|──|——)\s*")
AR_NUM = re.compile(r"\d+(?:,\d{3})+(?!\d)(?:\.\d+)?|\d+(?:\.\d+)?")
CN_NUM = re.compile(rf"[{CN_CHARS}]+")
PREFIX_APPROX = re.compile(
    r"(?:近|约|逾|超过|超出|超|突破|大于|不低于|不少于|不足|至少|将近|接近|近乎|约为|大约|上)(?:有|达|为)?\s*$"
)
SUFFIX_APPROX = re.compile(r"以上|左右|上下|有余|余")
ORDINAL_BEFORE = re.compile(r"(?:第|Page|P\.|p\.|No\.|NO\.|篇|初|星期|礼拜|周|农历)\s*$")
# "每万人" is a per-N denominator; "平均每95.51万人拥有一个" is a statistic (rule 22).
NUMBER_AFTER_PER = re.compile(r"[\d.]*[万亿千百]?[人名个]?(?:拥有|有|就有)")
CHROME_BEFORE = re.compile(
    r"(?:阅读|浏览|点击|查看|评论|收藏|下载|点赞|访问|人气|热度|回复|关注|粉丝|字数|分享)"
    r"(?:量|数|次数|人数|率|过|了)?\s*[:]?\s*$"
)
COMPILATION_BEFORE = re.compile(
    r"(?:精选|共含|收集的?|收录|总结|汇报|报告|体会|范文|大全|合集|方案|计划|发言稿|演讲稿|心得|模板|通用)\s*\(?\s*$"
)
# Counters written after the number: "2.3万人关注", "1200人阅读".
CHROME_AFTER = re.compile(r"(?:关注|订阅|阅读|浏览|点赞|下载|收藏|评论|已读|围观|看过)")
VERB_BEFORE = re.compile(r"(?:达|为|至|计|共|有|超|逾|约|近|增|加|减|长|降|升|是|破|到|出|过|占|了)\s*$")
FUNCTION_AFTER = set("的是在了也都就而和与及或、等中上下内外前后以为到至比占约近达共计从由向对把被将让给于")
CAPTION_BEFORE = re.compile(r"(?:^|[\s(])(?:图|表|附件|附表|附图|图表)\s*$")
PLACE_CHARS = set("镇乡村县市区省街路巷湾庄屯寨桥")
NAME_AFTER = re.compile(rf"[{HAN}]{{0,2}}(?:网|号|路|街|巷)")
QUOTE_OPEN = "“「『‘"
QUOTE_CLOSE = "”」』’"
BLOCKED = re.compile(
    r"(?=[\d(])(?:\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}"  # dates
    r"|\d{1,2}:\d{2}(?::\d{2})?|\d{1,2}[时点]\d{1,2}分"  # times
    r"|\(?\d{3,4}\)?-\d{7,8}|\d{3}-\d{3}-\d{4}|(?<!\d)1[3-9]\d{9}(?!\d))"  # phones
)
LINE_BREAK = re.compile(r"\n")
_RX_IDEO_DOT = re.compile(r"。(\d+)(?=[万亿%]|[\u4e00-\u9fff])")
_RX_SPAM_IN_NUMBER = re.compile(rf"([{HAN}]{{2,6}})\.(\d+)")
_RX_LETTERS_END = re.compile(r"[A-Za-z_]+$")
_RX_PLACEHOLDER = re.compile(r"[xX_]+")
_RX_FRACTION = re.compile(r"/(\d+)(?![\d/])")
_RX_YEAR_MONTH = re.compile(r"(?:19|20)\d\d\.(?:0?[1-9]|1[0-2])")
_RX_PAREN_UNIT = re.compile(r"\(([^()]{1,2})\)")
_RX_NOUN_UNIT = re.compile(rf"[{HAN}]{{1,4}}?(人次|场次)")


def extract(text: str) -> list[Fact]:
    """Extract facts from ``text``; offsets refer to ``text`` itself."""
    return extract_from_map(normalise(text))


def extract_from_map(tm: TextMap) -> list[Fact]:
    norm = tm.text
    blocked = _Blocked(norm)
    raw: list[dict] = []
    pos = 0
    n = len(norm)
    while pos < n:
        m = CORE.search(norm, pos)
        if not m:
            break
        skip = blocked.resume(m.start()) if blocked.starts else None
        if skip is not None:
            pos = skip
            continue
        kind = m.lastgroup
        if kind == "ar":
            cand = _arabic(norm, m)
        elif kind == "cn":
            cand = _chinese(norm, m)
        elif kind == "ocr":
            cand = _ocr(norm, m)
        else:
            cand = _percent_words(norm, m)
        if cand is None:
            # Skip the rejected number's own multiplier too, so "每95.51万人" is not re-read as "万人".
            pos = m.end()
            while pos < n and norm[pos] in "万亿千百余多" and kind == "ar":
                pos += 1
            continue
        raw.append(cand)
        pos = max(m.end(), cand["nend"])
    raw.extend(_english_numbers(norm))
    raw.sort(key=lambda c: c["nstart"])
    _shared_units(norm, raw)
    _layout_continuations(norm, raw)
    facts = []
    for c in raw:
        if c.get("pending") and not _accept_bare(norm, c):
            continue
        facts.append(c)
    out: list[Fact] = []
    prev_span = None
    for i, c in enumerate(facts):
        left_limit = facts[i - 1]["nend"] if i else 0
        if prev_span and prev_span[0] >= left_limit:
            left_limit = max(left_limit, prev_span[1])  # the previous subject followed its number
        right_limit = facts[i + 1]["nstart"] if i + 1 < len(facts) else n
        if c.get("subject_span"):
            spans = [c["subject_span"]]
        else:
            num_start = c["nstart"] - c.get("prefix_len", 0)
            classifier = c.get("raw_unit") in CLASSIFIERS
            spans = subject_spans(norm, num_start, c["nend"], left_limit, right_limit, prev_span, classifier)
        subject = "".join(_original_chars(tm, ss, se) for ss, se in spans).strip()
        prev_span = spans[0] if len(spans) == 1 else None
        start, end = tm.span_to_original(c["nstart"], c["nend"])
        out.append(
            Fact(
                text=tm.original[start:end],
                start=start,
                end=end,
                value=nm.tidy(c["value"]),
                value_high=nm.tidy(c["value_high"]) if c.get("value_high") is not None else None,
                unit=c["unit"],
                approx=bool(c["approx"]),
                subject=subject,
                suspicious=bool(c.get("suspicious")),
                nstart=c["nstart"],
                nend=c["nend"],
            )
        )
    _flag_parts_exceeding_whole(norm, out)
    return out


_WHOLE = re.compile(r"总人口|常住人口|户籍人口|全市人口|全县人口|全区人口|全省人口|居民总数|总人数")
_PART = re.compile(r"老年|老人|60岁|65岁|儿童|青少年|学生|农民|妇女|职工|劳动力|流动人口")


def _flag_parts_exceeding_whole(norm: str, facts: list[Fact]) -> None:
    """Statistics impossible on their face: a sub-population larger than the population
    stated in the same paragraph (e.g. more elderly people than residents)."""
    people = [f for f in facts if f.unit in ("人", "名", "")]
    for whole in people:
        if not _WHOLE.search(whole.subject) and not _WHOLE.search(norm[max(0, whole.nstart - 12):whole.nstart]):
            continue
        para_lo = norm.rfind("\n", 0, whole.nstart) + 1
        para_hi = norm.find("\n", whole.nend)
        para_hi = len(norm) if para_hi < 0 else para_hi
        for part in people:
            if part is whole or not (para_lo <= part.nstart < para_hi):
                continue
            if _PART.search(part.subject) and part.value > whole.value * 1.01:
                part.suspicious = True


# --------------------------------------------------------------------------- helpers


def _original_chars(tm: TextMap, s: int, e: int) -> str:
    """The original characters behind normalised [s, e), without deleted noise."""
    if e <= s:
        return ""
    o1, o2 = tm.to_original(s), tm.to_original(e - 1)
    if o2 - o1 == e - 1 - s:  # no deletion inside: one slice
        return tm.original[o1:o2 + 1]
    return "".join(tm.original[tm.to_original(k)] for k in range(s, e))


class _Blocked:
    """Spans of dates, times and phone numbers; ``resume(pos)`` says where to skip to."""

    def __init__(self, norm: str) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []
        for m in BLOCKED.finditer(norm):
            self.starts.append(m.start())
            self.ends.append(m.end())

    def resume(self, pos: int) -> int | None:
        i = bisect_right(self.starts, pos) - 1
        if i >= 0 and pos < self.ends[i]:
            return self.ends[i]
        return None


def _line_start(norm: str, pos: int, reach: int = 400) -> int:
    """Start of the line holding ``pos`` (searched at most ``reach`` characters back,
    so that a megabyte without line breaks does not make the scan quadratic)."""
    lo = max(0, pos - reach)
    k = norm.rfind("\n", lo, pos)
    return k + 1 if k >= 0 else lo


def _at_line_start(norm: str, pos: int) -> bool:
    k = pos - 1
    while k >= 0 and norm[k] in " \t|>·•-*":
        k -= 1
    return k < 0 or norm[k] == "\n"


def _in_quotes(norm: str, start: int, end: int) -> bool:
    """True if [start, end) sits inside a short quotation (slogans, names)."""
    lo = max(_line_start(norm, start), start - 10)
    before = norm[lo:start]
    opened = max(before.rfind(q) for q in QUOTE_OPEN)
    if opened < 0 or any(q in before[opened:] for q in QUOTE_CLOSE):
        return False
    after = norm[end:end + 10]
    return any(q in after for q in QUOTE_CLOSE)


def _read_unit(norm: str, p: int, kind: str) -> tuple[str | None, int, bool]:
    """Read the unit at ``p``.  Returns (unit or None, end, is_count_unit)."""
    m = UNIT_RX.match(norm, p)
    if not m:
        return None, p, False
    u = m.group()
    end = m.end()
    if u == "个":
        tail = norm[end:end + 4]
        if tail.startswith("百分点"):
            return "百分点", end + 3, True
        if tail.startswith("多"):
            tail = tail[1:]
        if tail.startswith(DURATION_AFTER_GE):
            return "个月", end, False
    if u == "分" and (kind == "cn" or norm[end:end + 1] in ("之", "钟")):
        return None, p, False
    if u == "成" and norm[end:end + 1] and norm[end] in "立为员果功本就绩效熟长型交品年人都":
        return None, p, False
    if u in ("度", "升") and norm[end:end + 1] and "\u4e00" <= norm[end] <= "\u9fff":
        return None, p, False
    if u in COUNT_SET:
        # Parenthesised second unit: "場(次)" → 场次; "份(册)" keeps 份.
        pm = _RX_PAREN_UNIT.match(norm[end:end + 4])
        if pm and pm.group(1) == "次":
            return u + "次", end + pm.end(), True
        if pm and UNIT_RX.fullmatch(pm.group(1)):
            return u, end + pm.end(), True
        return u, end, True
    return u, end, False


def _tail(norm: str, p: int, kind: str) -> dict:
    """Parse what follows a numeral core: range, 余/多, multipliers, unit, suffix approx."""
    out = {"high": None, "high_kind": None, "mid_approx": False, "mult": 1.0, "unit": None, "count": False}
    rm = RANGE_SEP.match(norm, p)
    if rm and rm.end() < len(norm):
        num_rx = AR_NUM if kind == "ar" else CN_NUM
        nm2 = num_rx.match(norm, rm.end())
        if nm2:
            hv = nm.parse_arabic(nm2.group()) if kind == "ar" else (nm.parse_chinese(nm2.group()) or (None,))[0]
            if hv is not None:
                out["high"] = hv
                p = nm2.end()
    if norm[p:p + 1] in ("余", "多") and p < len(norm):
        out["mid_approx"] = True
        p += 1
    em = ENGLISH_MULT.match(norm, p)
    if em and kind == "ar":
        out["mult"] = ENGLISH_SCALE[em.group(1).lower()]
        p = em.end()
    while p < len(norm):
        um = UNIT_RX.match(norm, p)
        if um and len(um.group()) > 1 and um.group()[0] in "千百万":
            break  # 千克 / 千米 / 千瓦 are units, not 千 × 克
        ch = norm[p]
        if ch in "万亿" or (kind == "ar" and ch in "千百" and out["mult"] == 1.0):
            out["mult"] *= nm.MULTIPLIERS[ch]
            p += 1
            continue
        break
    if out["high"] is None and out["mult"] != 1.0:
        p = _range_after_multiplier(norm, p, kind, out)
    if not out["mid_approx"] and norm[p:p + 1] in ("余", "多") and out["mult"] != 1.0:
        out["mid_approx"] = True
        p += 1
    while norm[p:p + 1] == " " and p - 1 >= 0:  # tolerate a space before the unit (ASCII-led text)
        if UNIT_RX.match(norm, p + 1):
            p += 1
        else:
            break
    unit, uend, count = _read_unit(norm, p, kind)
    out["unit_start"] = p
    if unit is None:
        # "7636.51万参观人次": a short noun glued to the count unit it names.
        cm = _RX_NOUN_UNIT.match(norm[p:p + 7])
        if cm and kind == "ar":
            unit, uend, count = cm.group(1), p + cm.end(), True
    out["unit"], out["count"] = unit, count
    p = uend if unit else p
    sm = SUFFIX_APPROX.match(norm, p)
    out["suffix_approx"] = bool(sm) and unit is not None
    out["end"] = p
    return out


def _range_after_multiplier(norm: str, p: int, kind: str, out: dict) -> int:
    """'3万-5万元': the high end carries its own multiplier."""
    rm = RANGE_SEP.match(norm, p)
    if not rm:
        return p
    nm2 = (AR_NUM if kind == "ar" else CN_NUM).match(norm, rm.end())
    if not nm2:
        return p
    q = nm2.end()
    mult2 = 1.0
    while q < len(norm) and norm[q] in "万亿":
        mult2 *= nm.MULTIPLIERS[norm[q]]
        q += 1
    if mult2 == 1.0:
        return p
    hv = nm.parse_arabic(nm2.group()) if kind == "ar" else (nm.parse_chinese(nm2.group()) or (None,))[0]
    if hv is None:
        return p
    out["high"] = hv * mult2 / out["mult"]
    return q


def _base(nstart: int, nend: int, value: float, unit: str, approx: bool, **kw) -> dict:
    d = {"nstart": nstart, "nend": nend, "value": value, "value_high": None, "unit": unit, "approx": approx}
    d.update(kw)
    return d


# "至少开展200期": a bound word may sit before the verb that governs the number.
DISTANT_BOUND = re.compile(r"(?:至少|不少于|不低于|不超过)[\u4e00-\u9fff]{1,4}$")


def _prefix_approx(norm: str, start: int) -> tuple[bool, int]:
    m = PREFIX_APPROX.search(norm, max(0, start - 4), start)
    if m:
        return True, start - m.start()
    if DISTANT_BOUND.search(norm, max(0, start - 8), start):
        return True, 0
    return False, 0


def _finish_unit(value: float, high: float | None, unit: str | None) -> tuple[float, float | None, str]:
    if unit is None:
        return value, high, ""
    if unit in MONEY_SCALE:
        scale = MONEY_SCALE[unit]
        value *= scale
        high = high * scale if high is not None else None
    return value, high, output_unit(unit)


def _arabic(norm: str, m: re.Match) -> dict | None:
    s, e = m.span()
    raw = m.group()
    prev = norm[s - 1] if s else "\n"
    suspicious = False
    value = nm.parse_arabic(raw)
    if value is None:
        return None
    head = norm[max(0, s - 8):s]
    # Corruption: "1。2万人" (ideographic full stop inside a decimal).
    cm = _RX_IDEO_DOT.match(norm[e:e + 8])
    if cm and "." not in raw and (UNIT_RX.match(norm, e + cm.end()) or norm[e + cm.end()] in "万亿%"):
        value = float(f"{raw}.{cm.group(1)}")
        e += cm.end()
        suspicious = True
    # Corruption: a spam word pasted inside a number ("13<word>.9亿元").
    sm = _RX_SPAM_IN_NUMBER.match(norm[e:e + 14])
    if sm and not UNIT_RX.match(norm, e) and "." not in raw:
        after = e + sm.end()
        if norm[after:after + 1] in ("万", "亿", "%") or UNIT_RX.match(norm, after):
            value = float(f"{raw}.{sm.group(2)}")
            e = after
            suspicious = True
    # Placeholders and mojibake around digits: "x360余人", "20xx余份", "?8.7%".
    if prev and prev in "xX_" :
        run = _RX_LETTERS_END.search(head)
        if run and set(run.group()) <= set("xX_"):
            suspicious = True
        else:
            return None
    elif prev == "?" or prev == "\ufffd":
        suspicious = True
    elif prev.isascii() and prev.isalpha():
        return None
    after_ph = _RX_PLACEHOLDER.match(norm[e:e + 4])
    if after_ph:
        nxt = e + after_ph.end()
        unit, _, count = _read_unit(norm, nxt + (1 if norm[nxt:nxt + 1] in "余多" else 0), "ar")
        if not count:
            return None  # "20xx年": a date placeholder
        e = nxt
        suspicious = True
    nxt = norm[e:e + 1]
    if nxt.isascii() and nxt.isalpha() or nxt == "+" or prev == "+":
        return None  # 3D, 5G, 4F, 9+3
    if ORDINAL_BEFORE.search(head) or CHROME_BEFORE.search(norm, max(0, s - 12), s):
        return None
    if head.endswith("每") and not NUMBER_AFTER_PER.match(norm, e):
        return None
    # Bracketed references and list markers: "[4-5]", "(1)", "1、", "1.1 " at a line start.
    if prev in "[【" or (prev in "((" and nxt in "))"):
        return None
    line_start = _at_line_start(norm, s)
    if nxt in ("、", ")", ")") and "." not in raw and len(raw) <= 2:
        if line_start or (prev and prev in "。;;::!?! \t\n,,"):
            return None
    if nxt == "." and not norm[e + 1:e + 2].isdigit() and line_start:
        return None
    # Fractions: "1/4" → 0.25 (dates like 2021/10/27 are blocked before we get here).
    fm = _RX_FRACTION.match(norm[e:e + 6])
    if fm and "." not in raw and prev != "/":
        den = float(fm.group(1))
        if den:
            return _base(s, e + fm.end(), value / den, "", False, prefix_len=_prefix_approx(norm, s)[1])
    if prev == "/":
        return None
    # Truncated year: "20以来".
    if raw in ("19", "20") and norm.startswith("以来", e):
        return _base(s, e, value, "", False, suspicious=True, subject_span=(e, e))
    # Truncated at the very end of the excerpt: "比例达到43."
    year_like = "." not in raw and "," not in raw and len(raw) == 4 and 1900 <= value <= 2100
    if len(norm) - e <= 64 and norm[e:].strip() in ("", ".") and not year_like and prev not in "-—–/":
        return _base(s, e, value, "", False, suspicious=True)
    t = _tail(norm, e, "ar")
    unit = t["unit"]
    if unit is not None and not t["count"]:
        return None  # dates, durations, ages, identifiers
    if _RX_YEAR_MONTH.fullmatch(raw) and unit is None and t["mult"] == 1.0:
        return None  # "2023.12": a year and month
    if len(raw) > 1 and raw[0] == "0" and "." not in raw:
        return None  # codes and phone fragments ("0531")
    if unit in ("篇", "条", "份", "页") and COMPILATION_BEFORE.search(norm, max(0, s - 7), s):
        return None  # "(精选3篇)", "收录579518条"
    if unit in ("人", "次", "人次") and CHROME_AFTER.match(norm, t["end"]):
        return None  # page counters: "2.3万人关注"
    if year_like and (unit is None or norm.startswith(("起", "以来", "至今"), t["end"])) and t["mult"] == 1.0:
        return None
    approx_pre, prefix_len = _prefix_approx(norm, s)
    value *= t["mult"]
    high = t["high"] * t["mult"] if t["high"] is not None else None
    if t["high"] is not None and unit is None and t["mult"] == 1.0:
        return None  # "2011-2015" style spans without a unit are not counts
    value, high, out_unit = _finish_unit(value, high, unit)
    approx = approx_pre or t["mid_approx"] or t["suffix_approx"]
    if value == 0 and t["mid_approx"]:
        suspicious = True  # "0余人": the leading digits are lost
    cand = _base(s, t["end"], value, out_unit, approx, value_high=high, suspicious=suspicious, prefix_len=prefix_len,
                 raw_unit=unit)
    if out_unit == "%" and value > 100 and _share_context(norm, s):
        cand["suspicious"] = True
    if unit is None and t["mult"] == 1.0:
        if (len(raw) >= 5 and "," not in raw and "." not in raw) or line_start or _in_quotes(norm, s, e):
            return None  # identifiers, postcodes, section numbers, slogans
        if raw and prev in QUOTE_OPEN:
            return None
        cand["pending"] = True
        cand["raw_end"] = e
    if unit is None and not suspicious and prev in QUOTE_OPEN:
        return None
    if unit is None:
        big = _big_noun(norm, t["end"], value)
        if big:
            cand.update(big)
            cand.pop("pending", None)
    return cand


def _share_context(norm: str, s: int) -> bool:
    ctx = norm[max(0, s - 12):s]
    return bool(re.search(r"占|比例|比重|占比", ctx)) and not re.search(r"增|提高|上升|下降|减少|高于|超", ctx)


def _big_noun(norm: str, p: int, value: float) -> dict | None:
    """'N大 + noun' (九大任务): returns span/subject updates, or None."""
    if norm[p:p + 1] != "大" or value > 10 or value < 2 or value != int(value):
        return None
    q = p + 1
    stop = q
    while stop < len(norm) and stop - q < 7 and "\u4e00" <= norm[stop] <= "\u9fff" and norm[stop] not in "的之后中和与及等在是为":
        stop += 1
    if stop - q < 1:
        return None
    noun = norm[q:stop]
    best = 0
    for h in BIG_HEADS:
        k = noun.find(h)
        while k >= 0:
            if k + len(h) <= 6:
                best = max(best, k + len(h))
            k = noun.find(h, k + 1)
    if not best:
        best = min(len(noun), 4)
    if best < 1:
        return None
    return {"nend": q + best, "unit": "", "subject_span": (q, q + best)}


def _chinese(norm: str, m: re.Match) -> dict | None:
    s, e = m.span()
    raw = m.group()
    # The core regex is greedy over numeral characters; a following 余/多 may split
    # "三十余万" into "三十" + 余 + 万, which _tail puts back together.
    parsed = nm.parse_chinese(raw)
    if parsed is None:
        # Try without a trailing 万/亿 that _tail will read as a multiplier.
        return None
    value, vague = parsed
    prev = norm[s - 1] if s else "\n"
    head = norm[max(0, s - 8):s]
    if ORDINAL_BEFORE.search(head) or CHROME_BEFORE.search(norm, max(0, s - 12), s):
        return None
    if prev in CN_CHARS or head.endswith("每"):
        return None  # 每万人 (a denominator), 党的二十大
    t = _tail(norm, e, "cn")
    unit = t["unit"]
    end = t["end"]
    # Idioms and slogans pack several numerals together: 千家万户, 三番五次, 六个一, 四建四化.
    near = norm[max(0, s - 2):s] + norm[end:end + 2]
    if any(c in CN_CHARS for c in near) and not (raw == "一" or raw.startswith("一")):
        return None
    if any(c in CN_CHARS for c in norm[end:end + 2]):
        return None
    if _in_quotes(norm, s, end):
        return None
    approx_pre, prefix_len = _prefix_approx(norm, s)
    if raw in ("一",) and not t["mid_approx"] and t["mult"] == 1.0:
        return None  # indefinite article: 一套丛书, 一批
    if raw in ("万", "千", "百", "亿") and not approx_pre and not unit:
        return None  # 万众创新, 千万农村劳动力
    if unit is not None and not t["count"]:
        return None
    if unit not in (None, "个") and norm[end:end + 1] in PLACE_CHARS:
        return None  # place names: 三口镇, 五里村
    if unit is None:
        big = _big_noun(norm, end, value)
        if big:
            return _base(s, big["nend"], value, "", False, subject_span=big["subject_span"])
        if norm.startswith("方面", end):
            return _base(s, end, value, "", False, subject_span=(end, end + 2), prefix_len=prefix_len)
        if norm.startswith("地", end) and not "\u4e00" <= norm[end + 1:end + 2] <= "\u9fff" and raw != "一":
            return _base(s, end, value, "", False, subject_span=(end, end + 1), prefix_len=prefix_len)
        return None
    if raw in ("万", "千", "百") and prev in "千百万":
        return None
    value *= t["mult"]
    high = t["high"] * t["mult"] if t["high"] is not None else None
    value, high, out_unit = _finish_unit(value, high, unit)
    approx = approx_pre or vague or t["mid_approx"] or t["suffix_approx"]
    return _base(s, end, value, out_unit, approx, value_high=high, prefix_len=prefix_len, raw_unit=unit)


def _ocr(norm: str, m: re.Match) -> dict | None:
    """OCR letters standing for digits: 'IOoO多份' → 1000, suspicious."""
    digits = m.group().translate(str.maketrans("IlOo", "1100"))
    t = _tail(norm, m.end(), "ar")
    if not t["count"]:
        return None
    value, high, unit = _finish_unit(float(digits) * t["mult"], None, t["unit"])
    return _base(m.start(), t["end"], value, unit, t["mid_approx"] or t["suffix_approx"], suspicious=True)


_PCT_NUM = re.compile(rf"(\d+(?:\.\d+)?)|([{CN_CHARS}]+(?:点[零〇一二两三四五六七八九]+)?)")


def _percent_words(norm: str, m: re.Match) -> dict | None:
    """百分之三十 → 30 %."""
    nm2 = _PCT_NUM.match(norm, m.end())
    if not nm2:
        return None
    if nm2.group(1):
        value = float(nm2.group(1))
    else:
        whole, _, frac = nm2.group(2).partition("点")
        p = nm.parse_chinese(whole)
        if p is None:
            return None
        value = p[0]
        if frac:
            value = float(f"{int(value)}." + "".join(str(nm.DIGITS[c]) for c in frac))
    approx, plen = _prefix_approx(norm, m.start())
    return _base(m.start(), nm2.end(), value, "%", approx, prefix_len=plen)


def _shared_units(norm: str, raw: list[dict]) -> None:
    """'1.08、1.15和1.24个百分点': bare numbers in an enumeration take the shared unit."""
    for i in range(len(raw) - 2, -1, -1):
        c, nxt = raw[i], raw[i + 1]
        if not c.get("pending") or not nxt["unit"]:
            continue
        gap = norm[c["nend"]:nxt["nstart"]]
        if gap in ("、", "和", "与", "及", "或", ",", "、和"):
            c["unit"] = nxt["unit"]
            c["pending"] = False


def _layout_continuations(norm: str, raw: list[dict]) -> None:
    """Multi-column OCR: '600   …' with '余人' at the top of the same column on the next line."""
    for c in raw:
        if not c.get("pending"):
            continue
        e = c["nend"]
        gap = re.match(r"[ \t]{3,}|[ \t]*\n", norm[e:e + 40])
        if not gap:
            continue
        ls = _line_start(norm, c["nstart"])
        le = norm.find("\n", c["nstart"])
        if le < 0:
            continue
        line = norm[ls:le]
        col = len(re.findall(r"\S[ \t]{3,}(?=\S)", norm[ls:c["nstart"]]))
        nl_end = norm.find("\n", le + 1)
        nxt_line = norm[le + 1:nl_end if nl_end >= 0 else len(norm)]
        segs = [mm for mm in re.finditer(r"\S+(?:[ \t]{1,2}\S+)*", nxt_line)]
        if col >= len(segs) or not line:
            continue
        seg_start = le + 1 + segs[col].start()
        approx = norm[seg_start:seg_start + 1] in ("余", "多")
        unit, _, count = _read_unit(norm, seg_start + (1 if approx else 0), "ar")
        if count:
            value, _, out_unit = _finish_unit(c["value"], None, unit)
            c.update(value=value, unit=out_unit, approx=c["approx"] or approx, pending=False)


ENGLISH_SCALE = {"thousand": 1e3, "million": 1e6, "billion": 1e9}
ENGLISH_MULT = re.compile(r" (thousand|million|billion)\b", re.I)
ENGLISH_WORDS = {
    w: i for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
        "sixteen seventeen eighteen nineteen twenty".split())
}
ENGLISH_WORDS.update({"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
                      "ninety": 90, "hundred": 100, "dozen": 12})
ENGLISH_RX = re.compile(
    r"(?<![A-Za-z-])(" + "|".join(w for w in ENGLISH_WORDS if w not in ("zero", "one")) + r")"
    r"(?: (thousand|million|billion))? (?!(?:years?|months?|days?|weeks?|hours?|minutes?|times|o'clock)\b)(?=[a-z])",
    re.I,
)


def _english_numbers(norm: str) -> list[dict]:
    """Number words in English passages ("four cities"); English nouns are not units."""
    out = []
    if not re.search(r"[A-Za-z]{3,} [A-Za-z]{3,} [A-Za-z]{3,}", norm):
        return out
    for m in ENGLISH_RX.finditer(norm):
        value = float(ENGLISH_WORDS[m.group(1).lower()])
        if m.group(2):
            value *= ENGLISH_SCALE[m.group(2).lower()]
        out.append(_base(m.start(), m.end() - 1, value, "", False))
    return out


def _accept_bare(norm: str, c: dict) -> bool:
    """A number with no unit and no multiplier: keep only when it evidently counts."""
    e = c.get("raw_end", c["nend"])
    nxt = norm[e:e + 1]
    s = c["nstart"] - c.get("prefix_len", 0)
    if nxt == " " and re.match(r" [a-z]", norm[e:e + 2]) and norm[s - 1:s] in (" ", "\n", ""):
        return True  # English prose: "8,593 people"
    if CAPTION_BEFORE.search(norm, max(0, s - 3), s):
        return False  # figure and table numbers: "图1", "表2"
    if norm[s - 1:s] in ("-", "—", "–", "/"):
        return False  # the tail of a code or a date: "COVID-19", "2021/22"
    if "\u4e00" <= nxt <= "\u9fff":
        if NAME_AFTER.match(norm, e):
            return False  # site names and addresses: "92范文网", "39号"
        if "." in norm[c["nstart"]:e]:
            return False  # "3.15消费者权益日": a bare decimal before a noun is a date or a code
        return nxt not in FUNCTION_AFTER and not UNIT_RX.match(norm, e)
    return bool(VERB_BEFORE.search(norm, max(0, s - 3), s)) or c.get("prefix_len", 0) > 0
