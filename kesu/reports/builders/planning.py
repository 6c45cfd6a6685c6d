"""What a report says, decided before it is worded: content selection and aggregation over the plain context.

The steps, each a function over plain data:

1. ``section_story`` — for one 提升行动/工程: the figures worth saying (not said elsewhere, within the budget), the
   units that did the work (pooled, biggest reach first), the tasks they worked on, the distinct methods and results
   (near-duplicates clustered and said once) and the two or three most significant activities.
2. ``problem_points`` — the problems the data shows (missed targets, falls, 未填报, lagging lower regions) merged with
   the units' stated difficulties; every point carries the step that answers it, so 下步打算 answers 存在问题.
3. ``Budget`` — how much each kind and level may say; the composer (document.py) tries the richest budget first and
   steps down until the prose fits, so length is managed by choosing what to say, never by cutting text.

Realisation (the sentences) is in document.py and writing.py. No Django here.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from statistics import median

from kesu.core import cnformat

from . import clauses, kinds
from .clauses import Cluster, Reach
from .data import ActivitySeries, Figure, ItemSection, ReportContext


@dataclass(frozen=True)
class Highlight:
    """An activity worth citing and why: the largest reach, a first, a named event (from the activity records), or a
    unit's own count when the records say nothing (from its words)."""

    kind: str  # reach | first | named | words
    unit: str
    task: str
    events: int
    people: int
    theme: str = ""
    places: int = 0
    place_word: str = ""
    month: int = 0
    lower_region: str = ""


@dataclass(frozen=True)
class Budget:
    figures: int  # figures per section sentence
    methods: int  # clustered methods per section
    results: int  # clustered results per section
    highlights: int  # activities cited per section
    points: int  # problem points (and the steps that answer them)


# Richest first; the composer takes the first whose prose fits the kind's length.
BUDGETS = [Budget(6, 2, 2, 2, 5), Budget(5, 2, 1, 2, 5), Budget(4, 1, 1, 1, 4), Budget(3, 1, 1, 1, 4),
           Budget(3, 1, 0, 1, 3), Budget(2, 1, 0, 0, 3)]

# Characters of prose (paragraphs, not tables) a report of each kind should come to: a county's 年度工作总结 of
# 3,000–5,000 characters is what offices send; a 汇报 is shorter, a 进展 shorter still, and a 自查报告 goes item
# by item so it may run longer.
PROSE_LIMITS = {
    kinds.ANNUAL_SUMMARY: (2000, 5000),
    kinds.WORK_REPORT: (1500, 4000),
    kinds.PROGRESS: (600, 3000),
    kinds.SELF_CHECK: (1500, 7000),
    kinds.STATISTICS: (0, 10_000),
}

# A fall of at least this much (per cent, against a comparable base) is a problem worth naming.
FALL_POINT = Decimal(-5)
# A lower region below this share of the median of the others is “far behind”.
LAGGING_SHARE = Decimal("0.5")


@dataclass
class SectionStory:
    section: ItemSection
    figures: list[Figure] = field(default_factory=list)
    actors: list[str] = field(default_factory=list)
    tasks: list[str] = field(default_factory=list)
    methods: list[Cluster] = field(default_factory=list)
    results: list[Cluster] = field(default_factory=list)
    highlights: list[Highlight] = field(default_factory=list)
    beaten: Figure | None = None  # the section's target beaten by the widest margin, if any


def _task_titles(section: ItemSection) -> list[str]:
    return [t.title for t in section.tasks] + [n.task for n in section.narratives if n.task]


def reaches(section: ItemSection) -> list[Reach]:
    """Every unit's own count of its activities per task, from its words."""
    out = []
    for n in section.narratives:
        found = clauses.reach_of(f"{n.progress}。{n.results}")
        if found:
            out.append(Reach(n.unit, n.task, *found))
    return out


def select_figures(figures: list[Figure], *, said: set[str], limit: int) -> list[Figure]:
    """Figures with a value (not zero), not said before in the report; targeted ones first, then in plan order.

    A participant count is kept with its session count so the pair reads as one clause.
    """
    fresh = [f for f in figures if f.value is not None and Decimal(f.value) != 0 and f.code not in said]
    ranked = sorted(fresh, key=lambda f: (f.target is None, figures.index(f)))
    chosen = ranked[:limit]
    from .writing import PARTNER

    for fig in list(chosen):
        partner = next((f for f in fresh if PARTNER.get(f.code) == fig.code), None)
        if partner is not None and partner not in chosen:
            chosen.append(partner)
    return [f for f in figures if f in chosen]  # back in plan order: sessions before participants


def section_story(section: ItemSection, *, said: set[str], budget: Budget) -> SectionStory:
    story = SectionStory(section, figures=select_figures(section.figures, said=said, limit=budget.figures))
    titles = _task_titles(section)
    found = reaches(section)
    people = {}
    for reach in found:
        people[reach.unit] = people.get(reach.unit, 0) + reach.people
    units = list(dict.fromkeys(n.unit for n in section.narratives if n.unit))
    story.actors = sorted(units, key=lambda u: (-people.get(u, 0), units.index(u)))
    story.tasks = list(dict.fromkeys(n.task for n in section.narratives if n.task))
    methods, results = [], []
    for n in section.narratives:
        methods += [(n.unit, s) for s in clauses.content_clauses(n.progress, unit=n.unit, tasks=titles)]
        results += [(n.unit, s) for s in clauses.content_clauses(n.results, unit=n.unit, tasks=titles)]
    story.methods = clauses.cluster(methods)[:budget.methods]
    story.results = clauses.cluster(results)[:budget.results]
    over = [f for f in story.figures if f.completion is not None and f.completion > 100]
    story.beaten = max(over, key=lambda f: f.completion, default=None)
    story.highlights = activity_highlights(section.activities, budget.highlights) or word_highlights(
        found, budget.highlights)
    return story


@dataclass
class LowerStory:
    """One lower region's own work in an upper region's report: its units, their distinct methods, its activity
    records and the most significant of them."""

    region: str
    units: int = 0
    methods: list[Cluster] = field(default_factory=list)
    events: int = 0
    people: int = 0
    highlights: list[Highlight] = field(default_factory=list)  # candidates, most significant first


def lower_stories(ctx: ReportContext, budget: Budget) -> list[LowerStory]:
    """The lower regions in the order their units wrote, then those known from activity records only."""
    words = [n for s in ctx.sections for n in s.lower_narratives]
    series = [a for s in ctx.sections for a in s.activities if a.lower_region]
    regions = list(dict.fromkeys([n.region for n in words if n.region] + [a.lower_region for a in series]))
    titles = [n.task for n in words if n.task]
    out = []
    for region in regions:
        mine = [n for n in words if n.region == region]
        done = [(n.unit, s) for n in mine for s in clauses.content_clauses(n.progress or n.results, unit=n.unit,
                                                                           tasks=titles)]
        held = [a for a in series if a.lower_region == region]
        out.append(LowerStory(region, len({n.unit for n in mine}), clauses.cluster(done)[:budget.methods],
                              sum(a.events for a in held), sum(a.participants for a in held),
                              activity_highlights(held, 5)))
    return out


def activity_highlights(series: list[ActivitySeries], limit: int) -> list[Highlight]:
    """The most significant activities of a section from its records: the largest reach, then a first, then a named
    event, then the next largest — each of a different unit and theme, so two highlights are two stories."""
    if not series or limit <= 0:
        return []
    ranked = sorted((s for s in series if s.participants), key=lambda s: (-s.participants, s.unit, s.theme))
    chosen: list[Highlight] = []

    def take(found: ActivitySeries | None, kind: str) -> None:
        if found is None or len(chosen) >= limit:
            return
        if all(found.unit != c.unit and found.theme != c.theme for c in chosen):
            chosen.append(Highlight(kind, found.unit, found.task, found.events, found.participants, found.theme,
                                    found.places, found.place_word, found.month, found.lower_region))

    take(ranked[0] if ranked else None, "reach")
    take(next((s for s in ranked if s.first_time), None), "first")
    take(next((s for s in ranked if s.named), None), "named")
    for found in ranked:
        take(found, "more")
    return chosen


def word_highlights(found: list[Reach], limit: int) -> list[Highlight]:
    """Without activity records: the units' own counts, largest first, different units and tasks."""
    chosen: list[Reach] = []
    for reach in sorted(found, key=lambda r: -r.people):
        if all(reach.unit != c.unit and reach.task != c.task for c in chosen):
            chosen.append(reach)
    return [Highlight("words", r.unit, r.task, r.events, r.people) for r in chosen[:limit]]


# -- problems and the steps that answer them --------------------------------------------------------------------


@dataclass
class Point:
    """One problem the office names, and what it will do about it (empty when nothing backs a step)."""

    kind: str  # target | fall | missing | lagging | stated
    problem: str
    answer: str = ""
    advice: str = ""  # what a 工作汇报 asks of the upper level


def _names(items: list[str], limit: int = 3) -> str:
    items = list(dict.fromkeys(items))
    return "、".join(items) if len(items) <= limit else f"{'、'.join(items[:limit])}等{len(items)}项"


def running_label(label: str) -> str:
    """An indicator's label as running text: “其中科普专项经费” → “科普专项经费”, “职工/产业工人…” → “职工和产业工人…”."""
    return label.removeprefix("其中").replace("/", "和")


def missed_targets(ctx: ReportContext) -> list[Figure]:
    return [f for f in ctx.key_figures if f.completion is not None and f.completion < 100]


def time_share(period_id: str) -> Decimal | None:
    """The share of the year a year-to-date period covers (S1 → 50%); None for a period that is not year-to-date."""
    pid = period_id.upper()
    if pid.endswith("S1"):
        return Decimal(50)
    return None


def _target_point(ctx: ReportContext, *, rates_said: bool = False) -> Point | None:
    """Missed targets with their completion rates, unless the report said the rates already (a 进展's overview)."""
    share = time_share(ctx.period_id)
    if ctx.period_id.isdigit():
        behind = missed_targets(ctx)
        if not behind:
            return None
        said = "，".join(f"{running_label(f.label)}完成年度目标的{cnformat.format_completion(f.value, f.target)}"
                        for f in behind)
        problem = f"部分年度目标未完成，{said}，与目标仍有差距"
    elif share is not None:
        behind = [f for f in ctx.key_figures if f.is_flow and f.value and f.completion is not None
                  and f.completion < share]
        if not behind:
            return None
        if rates_said:
            said = f"{_names([running_label(f.label) for f in behind])}指标"
        else:
            said = "，".join(f"{running_label(f.label)}完成年度目标的{cnformat.format_completion(f.value, f.target)}"
                            for f in behind)
        problem = f"部分指标进度滞后于时序进度，{said}未达到时间过半、任务过半的要求"
    else:
        return None
    labels = _names([running_label(f.label) for f in behind])
    answer = f"针对{labels}进度不足的问题，逐项分析原因，压实牵头单位责任，加强过程调度"
    # The year's report answers with next year's targets; a half-year's with this year's, which it has yet to reach.
    if ctx.period_id.isdigit():
        goals_of, when = [t for t in ctx.next_targets if t.code in {f.code for f in behind}], f"{ctx.year + 1}年"
    else:
        goals_of, when = behind, "全年"
    goals = "、".join(f"{running_label(t.label)}{cnformat.format_quantity(t.target, t.unit, percent=t.is_percent)}"
                      for t in goals_of if t.target is not None)
    if goals:
        answer += f"，确保完成{when}{goals}的目标"
    return Point("target", problem, answer, "建议上级在下达年度目标时统筹考虑基层工作基础，并加强过程指导")


def falling(ctx: ReportContext) -> list[Figure]:
    from .writing import comparable

    seen, out = set(), []
    for section in ctx.sections:
        for f in section.figures:
            if f.code in seen or not f.is_flow or f.is_percent or not comparable(f):
                continue
            seen.add(f.code)
            rate = (Decimal(f.value) - Decimal(f.previous)) / abs(Decimal(f.previous)) * 100
            if rate <= FALL_POINT:
                out.append(f)
    return out


def _fall_point(ctx: ReportContext, *, said_codes: set[str]) -> Point | None:
    """Falls year on year; a rate the sections said already is not said again, the indicator is only named."""
    from .writing import change_text

    down = falling(ctx)
    if not down:
        return None
    same = not ctx.period_id.isdigit()
    base = "上年同期" if same else "上年"
    named = [running_label(f.label) for f in down if f.code in said_codes]
    rated = [f"{running_label(f.label)}{change_text(f, same_period=same)}" for f in down
             if f.code not in said_codes]
    said = "，".join(rated + ([f"{_names(named)}低于{base}"] if named else []))
    labels = _names([running_label(f.label) for f in down])
    return Point("fall", f"部分工作出现下滑，{said}",
                 f"查找{labels}下降的原因，调整工作方式，扭转下滑势头",
                 "建议上级加强对相关行业部门的工作指导，推动数据口径和工作要求上下一致")


def _missing_point(ctx: ReportContext) -> Point | None:
    """Tasks with neither a figure nor a word from their units, and the units that owe them."""
    annual = ctx.period_id.isdigit()
    # Units write their narratives for the year; within the year a task without words is not yet late. Likewise a
    # stock or a ratio is counted at the year's end only.
    written = any(s.narratives for s in ctx.sections)
    empty = [t for s in ctx.sections for t in s.tasks
             if written and not t.narratives and not any(f.has_value for f in t.figures)]
    unreported = [running_label(f.label) for f in ctx.key_figures if f.value is None and (annual or f.is_flow)]
    if not empty and not unreported:
        return None
    parts, units = [], []
    if empty:
        units = list(dict.fromkeys(u for t in empty for u in t.lead_units))
        parts.append(f"{len(empty)}项任务未报送工作情况（{_names([clauses.short_title(t.title) for t in empty], 2)}）")
    if unreported:
        parts.append(f"{_names(unreported)}未填报")
    who = f"{clauses.join_names(units, noun='个单位')}" if units else "相关成员单位"
    return Point("missing", "数据报送不够及时完整，" + "，".join(parts),
                 f"督促{who}按时报送数据和工作情况，把报送质量纳入成员单位工作评价",
                 "建议上级进一步精简统计报表、统一指标口径，减轻基层填报负担")


def _lagging_point(ctx: ReportContext) -> Point | None:
    if not ctx.lower_regions:
        return None
    none = [r.name for r in ctx.lower_regions if r.value is None]
    values = [r.value for r in ctx.lower_regions if r.value is not None]
    far = []
    if len(values) >= 3:
        middle = Decimal(median(values))
        far = [r.name for r in ctx.lower_regions if r.value is not None and r.value < middle * LAGGING_SHARE]
    # Against its own target only for the year: half-way through, every region is at about half of it.
    short = [r.name for r in ctx.lower_regions if ctx.period_id.isdigit() and r.completion is not None
             and r.completion < 80 and r.name not in far]
    if not none and not far and not short:
        return None
    parts = []
    if none:
        parts.append(f"{clauses.join_names(none, noun='个地方')}{ctx.ranking_label}未填报")
    if far:
        parts.append(f"{clauses.join_names(far, noun='个地方')}{ctx.ranking_label}明显低于其他地方")
    if short:
        parts.append(f"{clauses.join_names(short, noun='个地方')}{ctx.ranking_label}完成年度目标不足八成")
    return Point("lagging", f"{ctx.lower_word.removeprefix('各')}工作进展不平衡，" + "，".join(parts),
                 f"加强对{clauses.join_names(none + far + short, noun='个地方')}的督促指导和跟踪调度，推动均衡发展",
                 "建议上级加强对基层薄弱地区的分类指导和帮扶")


# The upper-level request a stated difficulty supports, by what it is about.
_ADVICE = [
    ("经费", "建议上级加大对基层科普经费的支持力度，设立基层科普活动专项补助"),
    ("人才", "建议上级加强对基层科普人员的业务培训，支持科普人才队伍建设"),
    ("设施", "建议上级在科普设施建设项目安排上向基层和农村地区倾斜"),
    ("信息化", "建议上级加强科普信息化平台和优质科普资源的共建共享"),
    ("协调联动", "建议上级将全民科学素质工作纳入对成员单位的年度目标考核"),
    ("新媒体", "建议上级加强科普信息化平台和优质科普资源的共建共享"),
    ("边远", "建议上级支持流动科普设施和科普大篷车向边远地区延伸服务"),
    ("覆盖面", "建议上级加强对重点人群科普服务的统筹指导"),
]


def _stated_points(ctx: ReportContext, limit: int) -> list[Point]:
    """The units' own difficulties, clustered: each distinct one once, in the office's words."""
    stated = [(n.unit, s) for n in ctx.problems for s in clauses.content_clauses(n.problems, unit=n.unit)]
    steps = [(n.unit, s) for n in ctx.next_steps for s in clauses.content_clauses(n.next_steps, unit=n.unit)]
    problems = clauses.cluster(stated)[:limit]
    answers = [c.text.removeprefix("将") for c in clauses.cluster(steps)]
    points = []
    for cluster in problems:
        # The step that answers a difficulty is the stated next step most like it; each step is used once.
        best = max(answers, key=lambda a: clauses.similarity(a, cluster.text), default="")
        if best:
            answers.remove(best)
        advice = next((a for key, a in _ADVICE if key in cluster.text), "")
        points.append(Point("stated", cluster.text, best, advice))
    # Stated next steps no difficulty asked for are still the units' plans: keep them as steps without a problem.
    points += [Point("step", "", a) for a in answers[: max(0, limit - len(problems))]]
    return points


def problem_points(ctx: ReportContext, *, limit: int, said: set[str] = frozenset(),
                   rates_said: bool = False) -> list[Point]:
    """The data's points first (they are the office's to answer for), then the units' stated difficulties.

    ``said`` holds the codes of the figures the report has said already, so a point names them without the number.
    """
    data = [p for p in (_target_point(ctx, rates_said=rates_said), _fall_point(ctx, said_codes=set(said)),
                        _lagging_point(ctx), _missing_point(ctx)) if p]
    return data[:limit] + _stated_points(ctx, max(1, limit - len(data)))


def ordinal_points(texts: list[str]) -> str:
    """一是…；二是…；三是…。 The points' own semicolons become commas so the list stays one level deep."""
    texts = [t.strip().rstrip("。；;").replace("；", "，") for t in texts if t.strip()]
    return "；".join(f"{cnformat.chinese_ordinal(i)}是{t}" for i, t in enumerate(texts, start=1)) + "。" if texts else ""
