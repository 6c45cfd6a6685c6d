"""What kind of figure a fact is, read from the words around it — the features the mapper uses and the page shows.

* ``kind``: ``target`` for plans, goals and thresholds (计划培训500人次, 到2025年达到15%, 力争…), else ``result``;
* ``span``: ``cumulative`` for totals over several years (累计, 三年来, “十三五”期间, 历年, 先后), else ``year``;
* ``measure``: ``per_capita`` (人均, 每万人 …), ``growth`` (增长12%, 同比…, 比上年增加…), ``share`` (other
  percentages), else ``total``;
* ``component``: the clause says the figure is a part (其中, 包括, 分别);
* ``total_marker``: the clause says it is the whole region's figure (全县, 共, 合计, 总计).

The clause is the text since the last comma or sentence end; the sentence (for spans and targets, which are often
stated once at its start: “三年来，共开展…”) is the text since the last sentence end. Nothing here is specific to one
text: these are the ways Chinese work reports say what a number is.
"""

from __future__ import annotations

import re

_SENTENCE_END = re.compile(r"[。；;！？!?\n]")
_CLAUSE_END = re.compile(r"[。；;！？!?\n，,：:]")
TARGET = re.compile(r"计划|目标|力争|预计|争取|确保|拟|将达到|要达到|达到.{0,6}以上|不低于|不少于|任务数|"
                    r"(?:到|至)\s*(?:19|20)\d\d\s*年(?:底|末)?|(?:19|20)\d\d\s*年(?:前|以前)")
CUMULATIVE = re.compile(r"历年|(?<![\d〇零])[两二三四五六七八九十\d]{1,2}\s*年(?:来|以来|间)|近[两二三四五六七八九十\d]{1,2}年|"
                        r"十[一二三四五]五.{0,2}(?:期间|以来|时期)|建站以来|成立以来|开展以来|实施以来")
# 累计/先后 sum over a period the sentence may already name as one year (全年累计培训…).
CUMULATIVE_WEAK = re.compile(r"累计|先后")
ONE_YEAR = re.compile(r"全年|今年|本年|当年|年内|年度|(?:19|20)\d\d\s*年(?![-—–~～至到]|以来|来)")
NOT_CUMULATIVE = re.compile(r"(?:今年|本年|年初|年度|全年)以来")
PER_CAPITA = re.compile(r"人均|户均|生均|每万人|每千人|每百人|每十万人|每人|平均每")
GROWTH_CLAUSE = re.compile(r"同比|比上年|较上年|比去年|较去年|增幅|增速|环比")
GROWTH_VERB = re.compile(r"(?:增长|提高|增加|上升|下降|减少|提升|降低)了?(?:约|近|超过)?$")
COMPONENT = re.compile(r"其中|包括|含|分别")
TOTAL = re.compile(r"全(?:省|市|州|县|区|旗|镇|乡|年)|共计?|合计|总计|总数|总量|总共")
RATE_UNITS = {"%", "百分点", "倍", "‰"}


def _since(rx: re.Pattern, text: str, start: int, reach: int) -> str:
    lo = max(0, start - reach)
    window = text[lo:start]
    cut = max((m.end() for m in rx.finditer(window)), default=0)
    return window[cut:]


def fact_features(text: str, start: int, end: int, unit: str) -> dict:
    clause = _since(_CLAUSE_END, text, start, 60)
    sentence = _since(_SENTENCE_END, text, start, 160)
    after = text[end:end + 12]
    after = after[: (m.start() if (m := _CLAUSE_END.search(after)) else len(after))]
    features = {"kind": "result", "span": "year", "measure": "total", "component": False, "total_marker": False}
    if TARGET.search(clause) or TARGET.search(sentence[:-len(clause)] if clause else sentence):
        features["kind"] = "target"
    if (CUMULATIVE.search(sentence) and not NOT_CUMULATIVE.search(sentence)) or (
            CUMULATIVE_WEAK.search(sentence) and not ONE_YEAR.search(sentence)):
        features["span"] = "cumulative"
    if PER_CAPITA.search(clause) or PER_CAPITA.match(after) or "/人" in after[:3]:
        features["measure"] = "per_capita"
    elif GROWTH_CLAUSE.search(clause) or (unit in RATE_UNITS and GROWTH_VERB.search(clause)) or \
            GROWTH_VERB.search(clause) and re.search(r"[比较]", clause):
        features["measure"] = "growth"
    elif unit in RATE_UNITS:
        features["measure"] = "share"
    features["component"] = bool(COMPONENT.search(clause))
    features["total_marker"] = bool(TOTAL.search(clause))
    return features


def indicator_accepts(features: dict, indicator: dict) -> str | None:
    """None when an indicator can take a figure of these features, else the reason (in Chinese) it cannot."""
    name = indicator.get("name", "") + " " + " ".join(indicator.get("aliases") or [])
    unit = indicator.get("unit", "")
    if features.get("kind") == "target":
        return "是目标或计划数，不是实际完成数"
    if features.get("span") == "cumulative" and "累计" not in name:
        return "是多年累计数，指标按年统计"
    if features.get("measure") == "per_capita" and not (PER_CAPITA.search(name) or "/" in unit):
        return "是人均（每单位）数，指标是总量"
    if features.get("measure") == "growth" and not re.search(r"增长|增幅|增速|提高", name):
        return "是增幅，指标是水平值"
    return None


_STEM_SUFFIX = re.compile(r"(?:人次|次数|期数|场次|人数|个数|数量|总数|总额|金额|比例|比重|覆盖率|普及率|率|数|额)$")
_ADMIN = set("省市州县区旗镇乡村")


def thing_conflict(subject: str, indicator: dict) -> bool:
    """True when the thing counted plainly is not the indicator's thing (“36个部门” is no 科技馆).

    Chinese noun phrases end in their head: the subject's last two characters, or the indicator stem's last
    character, must appear on the other side. An empty subject says nothing; an administrative unit (九个县) alone is
    never an indicator's thing unless the indicator counts such units.
    """
    s = (subject or "").strip()
    if not s:
        return False
    stems = [_STEM_SUFFIX.sub("", n) for n in [indicator.get("name", "")] + list(indicator.get("aliases") or []) if n]
    stems = [st for st in stems if st]
    if not stems:
        return False
    if len(s) == 1:
        return s in _ADMIN and not any(s in st for st in stems)
    tail = s[-2:]
    return not any(tail in st or st[-1] in s for st in stems)
