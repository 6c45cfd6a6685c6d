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
from functools import lru_cache

from .normalize import fold

_CLAUSE_END = re.compile(r"[。；;！？!?\n，,：:]")
# Everything up to the last sentence (clause) end: one greedy match in C finds where the fact's sentence begins.
UP_TO_SENTENCE_END = re.compile(r"(?s).*[。；;！？!?\n]")
_UP_TO_CLAUSE_END = re.compile(r"(?s).*[。；;！？!?\n，,：:]")
TARGET = re.compile(r"计划|目标|力争|预计|争取(?!上级|到|项目|资金|经费|中国|中央|国家|省|市)|确保|拟|"
                    r"将(?:达到|举办|开展|建成|完成|组织|实现|培训)|要达到|达到.{0,6}以上|不低于|不少于|任务数|"
                    r"(?:到|至)\s*(?:19|20)\d\d\s*年(?:底|末)?(?!的)|(?:19|20)\d\d\s*年(?:前|以前)")
CUMULATIVE = re.compile(r"历年|(?<![\d〇零])[两二三四五六七八九十\d]{1,2}\s*年(?:来|以来|间)|近[两二三四五六七八九十\d]{1,2}年|"
                        r"十[一二三四五]五.{0,2}(?:期间|以来|时期)|建站以来|成立以来|开展以来|实施以来|开馆以来|"
                        r"(?:自|从)\s*(?:19|20)\d\d\s*年(?:以来|来)")
# 累计/先后 sum over a period the sentence may already name as one year (全年累计培训…).
CUMULATIVE_WEAK = re.compile(r"累计|先后")
ONE_YEAR = re.compile(r"全年|今年|本年|当年|年内|年度|(?:19|20)\d\d\s*年(?![-—–~～至到]|以来|来)")
NOT_CUMULATIVE = re.compile(r"(?:今年|本年|年初|年度|全年)以来")
PER_CAPITA = re.compile(r"人均|户均|生均|每万人|每千人|每百人|每十万人|每人|平均每")
# An amount for each one of something (每个村投入3000元, 每所学校配备…): per unit, not the region's total.
PER_UNIT = re.compile(r"每(?:个|所|家|户|村|校|座|名|位|期|场|次)")
# A place named at the head of the figure's clause (其中城关镇…, 东山乡培训…, 河西区建成…): a sub-region's or another
# region's figure. Generic nouns that end like places (城镇, 下乡, 社区, 园区 …) are no names.
PLACE = re.compile(r"^(?:其中|在|由|而|另外|此外|邻近的|相邻的|周边的)?([\u4e00-\u9fff]{2,3}?)(镇|乡|街道|区)(?![级域内外委政])")
NOT_PLACE = re.compile(r"[各全每本该我个的了在和与及对向从到为把被将使让给共有等]|^(?:依托|组织|开展|举办|建成|新建|覆盖|深入|走进|送|进)"
                       r"|^(?:老城|主城|新城|中心城|市城|县城)$"
                       r"|(?:下|回|返|社|园|景|辖|牧|片|校|展|验|动|村|乡|镇|功能|示范|开发|保护|试验|服务|体验|活动|"
                       r"工业|产业|经济|高新)$")
# Things added this year (新增科普e站23个, 新建活动室): the increase, not the stock an indicator of places counts.
INCREMENT = re.compile(r"新增|新建|新发展|新认定|新命名|新设立|新成立|新创建|新挂牌")
PLACE_UNITS = {"个", "所", "家", "座", "处", "支"}
# A wider region's figure quoted beside the report's own (全省…为13.2%，我县为11.5%).
WIDER = re.compile(r"全国|全省|全市|全州")
OWN_NARROWER = {"全国": "我省|我市|我县|我区|全省|全市|全县|全区", "全省": "我市|我县|我区|全市|全县|全区",
                "全市": "我县|我区|全县|全区", "全州": "我县|全县"}
GROWTH_CLAUSE = re.compile(r"同比|比上年|较上年|比去年|较去年|增幅|增速|环比")
GROWTH_VERB = re.compile(r"(?:增长|提高|增加|上升|下降|减少|提升|降低)了?(?:约|近|超过)?$")
COMPONENT = re.compile(r"其中|包括|含|分别")
TOTAL = re.compile(r"全(?:省|市|州|县|区|旗|镇|乡|年)|共计?|合计|总计|总数|总量|总共")
RATE_UNITS = {"%", "百分点", "倍", "‰"}
AVERAGE = re.compile(r"年均|平均每年|每年平均|平均|日均|月均|周均|场均|期均")
# Honours and selections: the figure counts who was picked (winners, finalists, those named 先进/示范), not staff,
# participants or facilities.
HONOUR = re.compile(r"获奖|[一二三]等奖|入围|入榜|评选出|评出|评为|被授予|表彰|表现突出|最具人气|进入复评|获得.{0,12}称号|荣获")
# A threshold stated in place of the figure (突破200亿元, 超过24%): rounded, never the figure itself.
THRESHOLD = re.compile(r"(?:突破|超过|超|逾|大于|不低于|至少|达)$")
# Of those, the words that state a bound passed rather than the figure reached (比例超过12%; 覆盖率达100% is the figure).
OVER = re.compile(r"(?:突破|超过|超|逾|大于|不低于|至少)$")
# A bare 百/千/万 (not 百二十, not 千5): a campaign's name.
ROUND = re.compile(r"[百千万](?![\d零一二三四五六七八九十])")
# 突破 names a round mark passed (经费首次突破100万元), never the statistic itself.
BREAKTHROUGH = re.compile(r"突破$")
# Another year than the report's, named for this figure (从2015年的92座 …).
# A figure followed by 的要求/的标准 is the level asked for (未达到人均1.5元的要求), not the one reached.
REQUIRED = re.compile(r"^的?(?:要求|标准|目标|考核要求|任务)")
OTHER_YEAR = re.compile(r"(?:从|由|比|较|与)\s*(?:19|20)\d\d\s*年(?:的|底|末)?$")


_YEAR = re.compile(r"((?:19|20)\d\d)\s*年")


def _earlier_year(clause: str, rest: str) -> bool:
    """The figure's clause names a year and the rest of its sentence a later one (2022年…260场次，2023年增至310场次):
    the earlier year's figure is the base of a comparison."""
    if "年" not in clause:
        return False
    rest = rest[: (m.start() if (m := _UP_TO_SENTENCE_END_FIRST.search(rest)) else len(rest))]
    own, later = _YEAR.findall(clause), _YEAR.findall(rest)
    return bool(own and later) and max(later) > max(own)


# A county or city named after 其中 (a province's report quoting one of its counties) or after 邻县/周边 (a
# neighbour): not the report's own figure. A county named bare at a clause's head is usually the report's own.
NAMED_COUNTY = re.compile(r"^(?:其中|邻县|邻市|邻近的|相邻的|周边的?)\s*([\u4e00-\u9fff]{2,3}?)(县|市)(?![级域内外委政直])")
NEIGHBOUR = re.compile(r"^(?:邻县|邻市|周边县市?)")


def _named_place(clause: str, sentence: str, rest: str) -> str | None:
    """The sub-region or other region a figure is about, when its clause names one."""
    head = clause[m.end():] if (m := _LEADING_SPACE.match(clause)) else clause
    if (m := PLACE.match(head)) and not NOT_PLACE.search(m.group(1)):
        return m.group(1) + m.group(2)
    if (m := NAMED_COUNTY.match(head)) and not NOT_PLACE.search(m.group(1)):
        return m.group(1) + m.group(2)
    if m := NEIGHBOUR.match(head):
        return m.group(0)
    if "全" not in clause:
        return None
    rest = rest[: (m.start() if (m := _UP_TO_SENTENCE_END_FIRST.search(rest)) else len(rest))]
    if (m := WIDER.search(clause)) and re.search(OWN_NARROWER[m.group(0)], sentence[:-len(clause) or None] + rest):
        return m.group(0)
    return None


_PUNCTUATED = re.compile(r"[。，,；;]")
_LEADING_SPACE = re.compile(r"[\s、]+")
_UP_TO_SENTENCE_END_FIRST = re.compile(r"[。；;！？!?\n]")


def _since(rx: re.Pattern, text: str, start: int, reach: int) -> str:
    window = text[max(0, start - reach):start]
    m = rx.match(window)
    return window[m.end():] if m else window


def fact_features(text: str, start: int, end: int, unit: str) -> dict:
    # Only a window around the fact is read; folding it (traditional → simplified, full-width → half-width) is 1:1,
    # so offsets within it stay valid.
    lo = max(0, start - 200)
    return folded_features(fold(text[lo:end + 20]), start - lo, end - lo, unit)


def folded_features(text: str, start: int, end: int, unit: str) -> dict:
    """``fact_features`` of a text already folded (the mapper folds a report once, not once per fact)."""
    lo = max(0, start - 200)
    text, start, end = text[lo:end + 20], start - lo, end - lo
    clause = _since(_UP_TO_CLAUSE_END, text, start, 60)
    sentence = _since(UP_TO_SENTENCE_END, text, start, 160)
    after = text[end:end + 12]
    after = after[: (m.start() if (m := _CLAUSE_END.search(after)) else len(after))]
    features = {"kind": "result", "span": "year", "measure": "total", "component": False, "total_marker": False}
    if TARGET.search(clause) or TARGET.search(sentence[:-len(clause)] if clause else sentence) or REQUIRED.match(after):
        features["kind"] = "target"
    if (CUMULATIVE.search(sentence) and not NOT_CUMULATIVE.search(sentence)) or (
            CUMULATIVE_WEAK.search(sentence) and (not ONE_YEAR.search(sentence)
                                                  or len(set(_YEAR.findall(sentence))) > 1)):
        features["span"] = "cumulative"
    if PER_CAPITA.search(clause) or PER_CAPITA.match(after) or "/人" in after[:3] or PER_UNIT.search(clause):
        features["measure"] = "per_capita"
    elif GROWTH_CLAUSE.search(clause) or (unit in RATE_UNITS and GROWTH_VERB.search(clause)) or \
            GROWTH_VERB.search(clause) and ("比" in clause or "较" in clause):
        features["measure"] = "growth"
    elif unit in RATE_UNITS:
        features["measure"] = "share"
    features["other_place"] = _named_place(clause, sentence, text[end:end + 60])
    features["increment"] = bool(INCREMENT.search(clause))
    features["component"] = bool(COMPONENT.search(clause))
    features["total_marker"] = bool(TOTAL.search(clause))
    features["honour"] = bool(HONOUR.search(clause))
    # 年均 said once at the head of an enumeration covers every figure of the sentence (年均接待…，开展…，覆盖…).
    features["average"] = bool(AVERAGE.search(clause)) or bool(
        AVERAGE.search(sentence) and not ONE_YEAR.search(sentence))
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line = text[line_start: len(text) if line_end < 0 else line_end].strip()
    # A headline repeats a figure of the body in round words; the body's sentence is the one to take.
    features["heading"] = len(line) <= 50 and not _PUNCTUATED.search(line)
    features["threshold"] = bool(THRESHOLD.search(text[max(0, start - 3):start]))
    features["over"] = bool(OVER.search(text[max(0, start - 3):start]))
    # 百场讲座, 千人培训: a bare hundred or thousand names a campaign, not a count.
    features["round"] = bool(ROUND.match(text, start))
    features["breakthrough"] = bool(BREAKTHROUGH.search(text[max(0, start - 4):start]))
    features["other_year"] = bool(OTHER_YEAR.search(text[max(0, start - 12):start])) or _earlier_year(
        clause, text[end:end + 60])
    return features


# A training indicator counts training: the figure's sentence must say so (a forum's or an event's participants
# are not trainees).
_TRAINING_NAME = re.compile(r"培训|培育")
TRAINING = re.compile(r"培训|培育|培养|轮训|训练|受训|参训|学员|班|课程|授课|普训|技能提升")


# A total over all kinds (各类科普活动参加人次) is not taken for a figure whose sentence names one kind of activity
# that has its own indicator (举办科普讲座…，参加人员2000人; 竞赛…参加人数).
BROAD = ("各类", "合计", "总")
# 应急演练 is a kind of its own: its participants are not those of 科普 activities.
ACTIVITY_KIND = re.compile(r"讲座|报告会|科普报告|咨询|义诊|竞赛|大赛|展览|参观|夏令营|冬令营|培训|演练")


# Counts of the region's own administrative units (城镇社区数, 行政村数) are stocks a report states as such (全县辖…,
# 共有…); "送到3个社区" counts where something went.
STOCK_NAME = re.compile(r"^(?:城镇社区|行政村|乡镇|社区|村)(?:（[^）]*）)?(?:个)?数$")
STOCK = re.compile(r"辖|共有|现有|拥有|全(?:省|市|县|区|镇|乡)(?:共|有)")
# "包括A和B在内的X": X is a wider total than A or B.
INCLUDING = re.compile(r"包括(.{1,40}?)在内")
# Trainees who are not farmers in the sense of 农村实用技术培训: migrant and other workers, the labour force.
NOT_FARMERS = re.compile(r"农民工|劳动力|再就业|已就业|在岗|从业人员|职工|失地")


# Who served an activity (staff, experts, team leaders) are not its audience; attending a ceremony is not taking
# part in the activity; money given away is not a donation received.
AUDIENCE_NAME = re.compile(r"参加|参观|群众|受众|听众|受益")
STAFF = re.compile(r"工作人员|医疗专家|领队|讲解员|医生|医护")
CEREMONY = re.compile(r"闭幕式|开幕式|颁奖|仪式|典礼")
RECEIVED = re.compile(r"社会|接受|获得|收到|募集|各界|争取|筹集|受赠")


# A site's visitors (科技馆当年参观人次) are counted at the site: the sentence or its section must name it (an exhibition's
# visitors are the exhibition's).
SITE_AUDIENCE = re.compile(r"馆.*(?:参观|观众|接待)")
SITE = re.compile(r"馆")
# 各类/各种/所有 X: a total over every kind of thing, broader than an indicator of one kind (for people it qualifies
# what they did: 接受群众各种咨询).
ALL_KINDS = re.compile(r"各类|各种|所有")


def _last_clause(text: str) -> str:
    return re.split(r"[，,：:]", text)[-1]


def _names(indicator: dict) -> list[str]:
    return [_PARENS.sub("", n) for n in [indicator.get("name", "")] + list(indicator.get("aliases") or []) if n]


def _named_kind(fields: dict, sentence: str):
    """The one kind of activity a figure is about: named in its own clause, or, when the clause names none (参加人员
    2000人), earlier in the sentence; a clause that says 活动 itself (开展各类科普活动300场) is about all kinds."""
    clause = _last_clause(fields.get("context", "")) + fields.get("subject", "")
    if m := ACTIVITY_KIND.search(clause):
        return m
    return None if "活动" in clause else ACTIVITY_KIND.search(sentence)


def _unnamed_part(own: str, indicator: dict) -> bool:
    """A 其中 figure whose own clause names none of the indicator's things (…接待观众15.6万人次，其中中小学生6.2万人次;
    其中国家级2个、省级9个): a part of the total before it, of another population or level, not the indicator."""
    if not own.startswith("其中"):
        return False
    _, stems = terms_of(indicator.get("name", ""), tuple(indicator.get("aliases") or ()))
    return not any(st[-2:] in own for st in stems if len(st) >= 2)


def indicator_accepts(features: dict, indicator: dict, fields: dict | None = None) -> str | None:
    """None when an indicator can take a figure of these features, else the reason (in Chinese) it cannot."""
    if features.get("corrupt"):
        return "数字在原文中已损坏"
    if features.get("other_place"):
        return f"是“{features['other_place']}”的数，不是本报告地区的"
    sentence = (fields or {}).get("sentence", "")
    if fields is not None and STOCK_NAME.search(indicator.get("name", "")) and not STOCK.search(sentence):
        return "不是本地区的建制总数（句中没有“辖、共有、现有”）"
    inside = INCLUDING.search(sentence)
    if inside and any(n and n in inside.group(1) for n in _names(indicator)):
        return "是包括该指标在内的更大合计"
    if fields is not None and NOT_FARMERS.search(fields.get("subject", "")) and "农" in indicator.get("name", "") \
            and _TRAINING_NAME.search(indicator.get("name", "")):
        return "培训的是农民工、劳动力或在岗人员，不是农村实用技术培训"
    name = indicator.get("name", "")
    if fields is not None:
        clause = fields.get("context", "")
        subject = fields.get("subject", "")
        if AUDIENCE_NAME.search(name) and (STAFF.search(subject) or STAFF.search(_last_clause(clause))):
            return "是工作人员、专家或领队，不是参加的群众"
        if CEREMONY.search(subject):
            return "是仪式的出席人数，不是活动的参加人次"
        if "培训" in subject and not _TRAINING_NAME.search(name + " ".join(indicator.get("aliases") or [])):
            return "是培训的人数，不是该指标统计的对象"
        if _unnamed_part(_last_clause(clause) + subject, indicator):
            return "是“其中”一部分（另一人群或级别）的数，不是指标的总量"
        if "捐赠" in name and not RECEIVED.search(clause):
            return "是捐出的钱款，不是收到的捐赠"
        if SITE_AUDIENCE.search(name) and not SITE.search(sentence + fields.get("section", "")):
            return "句中没有说是哪个场馆，不是场馆的参观人次"
        if indicator.get("unit") not in ("人", "人次") and ALL_KINDS.search(_last_clause(clause) + subject) and not any(
                "各类" in n or n.startswith(BROAD) for n in [name, *(indicator.get("aliases") or [])]):
            return "是各类合计，指标只是其中一类"
    if features.get("over") and indicator.get("unit") in RATE_UNITS:
        return "是“超过、达到”的门槛值，不是统计的比例"
    if features.get("round"):
        return "是“百场”“千人”之类的整数提法，不是统计值"
    if features.get("breakthrough"):
        return "是“突破”的整数关口，不是统计值"
    if fields is not None and _TRAINING_NAME.search(indicator.get("name", "")) and not TRAINING.search(sentence):
        return "句中没有培训，不是培训人次或期数"
    if fields is not None and indicator.get("name", "").startswith(BROAD) and (m := _named_kind(fields, sentence)):
        return f"句中说的是“{m.group(0)}”这一类活动，不是各类活动的合计"
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
    if features.get("measure") != "per_capita" and (re.search(r"人均|每万人|每千人", name) or "/" in unit):
        return "是总量，指标是人均（每单位）数"
    if features.get("honour") and not re.search(r"示范|奖|先进|特色", name):
        return "是获奖、入选或受表彰的数目，不是指标所统计的对象"
    if features.get("increment") and unit in PLACE_UNITS and "新增" not in name:
        return "是当年新增数，指标是现有总数"
    if features.get("other_year"):
        return "是另一年份的数"
    if features.get("average") and features.get("measure") != "per_capita" and "平均" not in name:
        return "是平均数，指标是当年总量"
    return None


_PARENS = re.compile(r"[（(][^）)]*[）)]")
# Qualifiers that make a thing another thing (a 科普示范乡镇 is not simply a 乡镇; an 应急科普宣教基地 is no 科普教育基地).
QUALIFIERS = ("示范", "先进", "特色", "重点", "星级", "优秀", "场馆", "建筑面积", "占地面积", "应急")
_STEM_SUFFIX = re.compile(r"(?:人次|次数|期数|场次|人数|个数|数量|总数|总额|金额|比例|比重|覆盖率|普及率|率|数|额)$")
_ADMIN = set("省市州县区旗镇乡村")


def thing_conflict(subject: str, names: list[str], stems: list[str]) -> bool:
    """True when the thing counted plainly is not the indicator's thing (“36个部门” is no 科技馆).

    Chinese noun phrases end in their head: the subject's last two characters, or the indicator stem's last
    character, must appear on the other side. An empty subject says nothing; an administrative unit (九个县) alone is
    never an indicator's thing unless the indicator counts such units. ``names`` and ``stems`` are the indicator's
    ``terms_of``.
    """
    s = (subject or "").strip()
    if not s or not stems:
        return False
    if any(q in s and not any(q in n for n in names) for q in QUALIFIERS):
        return True
    if len(s) == 1:
        return s in _ADMIN and not any(s in st for st in stems)
    return not all(_same_head(part, stems) for part in _CONJ.split(s) if part)


@lru_cache(maxsize=4096)
def terms_of(name: str, aliases: tuple) -> tuple[list[str], list[str]]:
    """An indicator's names without glosses, and their stems (without 人次/数/率 …): computed once per indicator."""
    names = [_PARENS.sub("", n) for n in (name, *aliases) if n]
    return names, [st for st in (_STEM_SUFFIX.sub("", n) for n in names) if st]


def _same_head(phrase: str, stems: list[str]) -> bool:
    """The phrase's head (its last two characters) is in a stem, or a stem's head is in the phrase."""
    if len(phrase) < 2:
        return True
    return any(phrase[-2:] in st or (len(st) >= 2 and st[-2:] in phrase) or (len(st) == 1 and st in phrase)
               for st in stems)


# Things joined in one subject (科技馆和科学技术类博物馆, 专、兼职人员): every one must be the indicator's thing.
_CONJ = re.compile(r"和|与|及|、")
# Modifiers that narrow an indicator's population: a subject without the modifier is a broader figure.
MODIFIERS = ("专职", "兼职", "女性", "专项", "政府", "注册", "中级职称", "高素质")
# Other ways a report says the modifier (高素质农民 were called 新型职业农民).
MODIFIER_FORMS = {"高素质": ("高素质", "职业农民")}


# Modifiers that, said of the figure, make it another population than an indicator without them (基本具备 ≠ 具备).
OWN_MODIFIERS = ("基本",)
# The subject says the other of a pair the indicator names (兼职人员 is no 专职人员, whatever the clause before said).
OPPOSED = (("专职", "兼职"), ("兼职", "专职"))
_BOTH = re.compile(r"专[、和与及]?兼职|专职[、和与及]兼职")


def modifier_conflict(subject: str, context: str, indicator: dict) -> bool:
    """True when the indicator names a narrower population (科普专职人员) than the figure's subject says, or the
    figure a population the indicator does not (具备基本科学素质), or both of a pair together (专、兼职人员)."""
    name = indicator.get("name", "")
    near = (subject or "") + (context or "")
    if any(m in name and not any(f in near for f in MODIFIER_FORMS.get(m, (m,))) for m in MODIFIERS):
        return True
    if any(m in (subject or "") and m not in name for m in OWN_MODIFIERS):
        return True
    if any(a in (subject or "") and b in name and a not in name for a, b in OPPOSED):
        return True
    return bool(_BOTH.search(subject or "")) and not _BOTH.search(name)
