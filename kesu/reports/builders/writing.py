"""Sentences of the genre written from figures: “全县共举办农村实用技术培训1083期，培训农民26.5万人次，较上年增长12.3%”.

Every number goes through ``kesu.core.cnformat``; a missing value is left out of the prose (the tables say 未填报),
and a zero is left out of the 工作总结's prose too, because “举办0期” is not how a report reads.
"""

from decimal import Decimal

from kesu.core import cnformat

from .blocks import Run
from .data import Figure

# How the genre says a figure, by indicator code: a verb phrase before the quantity. Codes not listed fall back to
# a phrase built from the label (see ``_phrase``).
PHRASES = {
    "TRN_FARMER_SESSIONS": "举办农村实用技术培训",
    "TRN_FARMER_P": "培训农民",
    "TRN_HQFARMER": "培育高素质农民",
    "TRN_WORKER_SESSIONS": "举办职工技能培训",
    "TRN_WORKER_P": "开展职工技能培训",
    "TRN_ELDER_P": "开展老年人智慧助老和健康科普培训",
    "TRN_CADRE_P": "培训领导干部和公务员",
    "TRN_TEACHER_P": "培训科技教师和科技辅导员",
    "TRN_YOUTH_P": "组织青少年参加科技教育活动",
    "TRN_COMMUNITY_P": "开展社区居民科普培训",
    "ACT_LECTURE_N": "举办科普讲座",
    "ACT_LECTURE_P": "参加讲座群众",
    "ACT_CONSULT_N": "开展科技咨询活动",
    "ACT_CONSULT_P": "接受咨询群众",
    "ACT_EXHIB_N": "举办科普专题展览",
    "ACT_EXHIB_P": "参观群众",
    "ACT_CONTEST_N": "举办科技竞赛",
    "ACT_CONTEST_P": "参赛",
    "ACT_CAMP_N": "组织科技夏（冬）令营",
    "ACT_YOUTH_GROUPS": "组建青少年科技兴趣小组",
    "ACT_WEEK_N": "开展科技活动周专题活动",
    "ACT_SCIDAY_N": "开展全国科普日活动",
    "ACT_EVENTS_TOTAL_N": "开展各类科普活动",
    "ACT_EVENTS_TOTAL_P": "参与群众",
    "ACT_THREE_RURAL_N": "开展文化科技卫生“三下乡”活动",
    "ACT_CARAVAN_STOPS": "科普大篷车和流动科技馆巡展",
    "ACT_VEHICLE_TRIPS": "出动科普宣传车辆",
    "ACT_OPEN_UNITS": "向社会开放科研机构和企业",
    "ACT_PROMOTED_TECH": "推广新技术新品种",
    "MEDIA_MATERIALS": "发放科普宣传资料",
    "MEDIA_BOARDS": "展出科普展板",
    "MEDIA_POSTS": "发布新媒体科普作品",
    "MEDIA_READS": "阅读量达",
    "MEDIA_TV_HOURS": "电视台播出科普节目",
    "MEDIA_KPZG_USERS": "科普中国注册用户达到",
    "MEDIA_KPZG_SHARES": "转发科普中国信息",
    "FUND_RAISED": "筹集科普经费",
    "FUND_GOV": "其中政府拨款",
    "FUND_SPECIAL": "落实科普专项经费",
    "FUND_STRIVED": "争取上级科普项目资金",
    "DEMO_VILLAGE": "建成科普示范村（社区）",
    "DEMO_BASE_RURAL": "建成农村科普示范基地",
    "DEMO_LEADER": "培育农村科普带头人",
    "ORG_NJX": "发展农村专业技术协会",
    "ORG_TOWN_KX": "建成乡镇（街道）科协",
    "ORG_ENTERPRISE_KX": "建立企业科协",
    "SITE_BOARD": "建成科普画廊（宣传栏）",
    "SITE_ESTATION": "建成科普e站",
    "SITE_MUSEUM": "建成科技馆",
    "SITE_RURAL_SCHOOL_MUSEUM": "建成农村中学科技馆",
    "SITE_YOUTH_CENTER": "建成青少年科技馆站",
    "HR_VOLUNTEER": "注册科普志愿者达到",
    "HR_FULL": "科普专职人员",
    "HR_PART": "科普兼职人员",
    "LIT_RATIO": "公民具备科学素质的比例达到",
}

# A figure that continues its partner with a comma (sessions, then participants) when it follows it directly;
# alone, it takes its own phrase (“各类科普活动参与群众20.48万人次”, never tacked onto another indicator's count).
PARTNER = {
    "TRN_FARMER_P": "TRN_FARMER_SESSIONS", "TRN_WORKER_P": "TRN_WORKER_SESSIONS", "ACT_LECTURE_P": "ACT_LECTURE_N",
    "ACT_CONSULT_P": "ACT_CONSULT_N", "ACT_EXHIB_P": "ACT_EXHIB_N", "ACT_CONTEST_P": "ACT_CONTEST_N",
    "ACT_EVENTS_TOTAL_P": "ACT_EVENTS_TOTAL_N", "MEDIA_READS": "MEDIA_POSTS", "FUND_GOV": "FUND_RAISED",
    "FUND_SPECIAL": "FUND_RAISED",
}
ALONE = {
    "ACT_LECTURE_P": "科普讲座参加群众", "ACT_CONSULT_P": "科技咨询接受群众", "ACT_EXHIB_P": "科普展览参观群众",
    "ACT_CONTEST_P": "科技竞赛参赛", "ACT_EVENTS_TOTAL_P": "各类科普活动参与群众", "MEDIA_READS": "新媒体科普作品阅读量达",
    "FUND_GOV": "科普经费政府拨款", "FUND_SPECIAL": "落实科普专项经费",
}
CONTINUES = set(PARTNER)

# A change beyond these bounds says more about what was reported in each year (a unit that began reporting, a
# return left out) than about the work: the prose leaves such a comparison out and the tables keep both values.
COMPARABLE_RISE, COMPARABLE_FALL = Decimal(150), Decimal(-60)

# Verbs that open a stock's phrase (“建成科技馆”): the year's report says what exists (“现有科技馆1个”) or what was
# added (“累计建成科普画廊532个，新增34个”), never that the whole stock was built this year.
_STOCK_VERBS = ("建成", "建立", "发展", "培育", "组建")
# A count of the period that reads “全县共<verb>…”; a phrase without such a verb (“科普大篷车…巡展”) takes no 共.
_COUNT_VERBS = ("举办", "开展", "培训", "组织", "培育", "发放", "展出", "发布", "出动", "推广", "筹集", "落实", "争取",
                "转发")


def quantity(figure: Figure) -> str:
    """The formatted value with its unit; callers check ``has_value`` first."""
    return cnformat.format_quantity(figure.value, figure.unit, percent=figure.is_percent)


def _phrase(figure: Figure, *, after: str = "") -> str:
    if figure.code in PARTNER and after != PARTNER[figure.code] and figure.code in ALONE:
        return ALONE[figure.code]
    if figure.code in PHRASES:
        return PHRASES[figure.code]
    label = figure.label
    if figure.is_percent or not figure.is_flow:
        return f"{label}达到"
    if label.endswith("人次"):
        return label[: -len("人次")]
    if label.endswith("期数"):
        return f"举办{label[: -len('期数')]}"
    return f"{label}共"


def comparable(figure: Figure) -> bool:
    """Whether last year's value is a fair base: both there, not zero, and the change within plausible bounds."""
    if figure.value is None or not figure.previous:
        return False
    if figure.is_percent:
        return True
    rate = (Decimal(figure.value) - Decimal(figure.previous)) / abs(Decimal(figure.previous)) * 100
    return COMPARABLE_FALL <= rate <= COMPARABLE_RISE


def change_text(figure: Figure, *, same_period: bool = False) -> str:
    """较上年增长12.3% for counts; 比上年提高1.16个百分点 for percentages; 较上年同期… for part of a year; empty
    without a fair base (see ``comparable``)."""
    if figure.value is None or figure.previous is None:
        return ""
    if figure.is_percent:
        text = cnformat.format_points_change(figure.value, figure.previous)
    elif not comparable(figure):
        return ""
    else:
        text = cnformat.format_change(figure.value, figure.previous)
    return text.replace("上年", "上年同期") if same_period else text


def completion_text(figure: Figure) -> str:
    rate = cnformat.format_completion(figure.value, figure.target)
    return f"完成年度目标的{rate}" if rate else ""


def _speakable(figure: Figure, *, keep_zero: bool) -> bool:
    if figure.value is None:
        return False
    return keep_zero or Decimal(figure.value) != 0


def _stock_clause(figure: Figure, *, annual: bool) -> list[Run] | None:
    """A stock said as a stock: 现有… / 累计建成…，新增…; None for a figure that is not a counted stock."""
    if figure.is_flow or figure.is_percent:
        return None
    phrase = PHRASES.get(figure.code, "")
    verb = next((v for v in _STOCK_VERBS if phrase.startswith(v)), "")
    if phrase and not verb and not phrase.endswith("达到"):
        return None  # a phrase that already reads as a state (“向社会开放科研机构和企业6个”)
    noun = phrase[len(verb):] if verb else (phrase.removesuffix("达到") or figure.label)
    delta = None
    if annual and figure.previous is not None and comparable(figure):
        delta = Decimal(figure.value) - Decimal(figure.previous)
    if delta is not None and delta > 0:
        added = cnformat.format_quantity(delta, figure.unit)
        if verb:
            return [Run(f"累计{phrase}"), Run(quantity(figure), figure=figure), Run(f"，新增{added}")]
        return [Run(f"{noun}达到"), Run(quantity(figure), figure=figure), Run(f"，较上年增加{added}")]
    return [Run(f"现有{noun}"), Run(quantity(figure), figure=figure)]


def figure_clause(figure: Figure, *, with_target: bool = True, annual: bool = True, after: str = "") -> list[Run]:
    """“举办农村实用技术培训” + “1083期” (+ “，较上年增长12.3%” + “，完成年度目标的103.5%”)."""
    runs = _stock_clause(figure, annual=annual)
    if runs is None:
        runs = [Run(_phrase(figure, after=after)), Run(quantity(figure), figure=figure)]
        change = change_text(figure, same_period=not annual)
        if change:
            runs.append(Run(f"，{change}"))
    if with_target:
        done = completion_text(figure)
        if done:
            runs.append(Run(f"，{done}"))
    return runs


def figures_sentence(figures: list[Figure], *, lead: str, keep_zero: bool = False, with_target: bool = True,
                     annual: bool = True, when: str = "") -> list[Run]:
    """One sentence over several figures: [when] lead (+ 共) + clauses joined by “，” (continuations) or “；”, ending
    “。”. ``when`` (全年, 上半年) leads only a sentence that opens with a count of the period: a stock is not “全年现有”.

    Returns no runs when no figure has a value to say.
    """
    speakable = [f for f in figures if _speakable(f, keep_zero=keep_zero)]
    if not speakable:
        return []
    first = speakable[0]
    if first.is_flow:
        lead = when + lead
    # “全县共举办…” for counts of the period; a stock or a ratio reads “全县…达到…” without 共.
    together = (first.is_flow and not first.is_percent and _phrase(first).startswith(_COUNT_VERBS)
                and first.code not in PARTNER)
    runs = [Run(lead + ("共" if together else ""))]
    previous = ""
    for index, figure in enumerate(speakable):
        if index:
            runs.append(Run("，" if PARTNER.get(figure.code) == previous else "；"))
        runs.extend(figure_clause(figure, with_target=with_target, annual=annual, after=previous))
        previous = figure.code
    runs.append(Run("。"))
    return merge_plain(runs)


def merge_plain(runs: list[Run]) -> list[Run]:
    """Join neighbouring plain runs so the document has fewer, longer runs."""
    merged: list[Run] = []
    for run in runs:
        if merged and run.figure is None and not run.href and merged[-1].figure is None and not merged[-1].href:
            merged[-1] = Run(merged[-1].text + run.text)
        else:
            merged.append(run)
    return merged


def self_assessment(figures: list[Figure]) -> str:
    """The self-assessment of a 考核 item, from the completion of its targeted figures only.

    已完成 (every target reached), 基本完成 (every rate ≥ 80%), 未完成 (any below), 未填报 (targets but no values),
    empty when the item has no targets (then the narrative speaks for it).
    """
    targeted = [f for f in figures if f.target]
    if not targeted:
        return ""
    rates = [f.completion for f in targeted if f.value is not None]
    if not rates:
        return "未填报"
    if len(rates) < len(targeted):
        return "部分未填报"
    if all(r >= 100 for r in rates):
        return "已完成"
    if all(r >= 80 for r in rates):
        return "基本完成"
    return "未完成"
