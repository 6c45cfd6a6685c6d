"""Compose a report of one kind from its context: the genre's structure as blocks.

一、主要工作及成效 with （一）组织领导与工作机制 and one section per 提升行动/重点工程 that has data; 二、存在问题;
三、下步打算; the signature. 工作总结 leave out what has no data; 自查报告 state it plainly (未填报 / 暂无数据).
"""

from decimal import Decimal

from kesu.core import cnformat

from . import clauses, kinds, planning, writing
from .blocks import Cell, Chart, Heading, Paragraph, ReportDocument, Run, Signature, Table
from .data import ItemSection, ReportContext
from .self_check import compose_self_check

NO_DATA = "暂无数据"
CHART_REGIONS = 20  # more bars than this do not fit a page; the table lists every region
NOT_REPORTED = "未填报"
CLOSING = {
    kinds.ANNUAL_SUMMARY: "现将有关情况总结如下：",
    kinds.WORK_REPORT: "现将有关情况汇报如下：",
    kinds.SELF_CHECK: "现将自查情况报告如下：",
    kinds.PROGRESS: "现将工作进展情况报告如下：",
    kinds.STATISTICS: "",
}


class Numbering:
    """Heading numbers of the genre: 一、 （一） 1. （1）, each level restarting under its parent."""

    def __init__(self):
        self.counters = [0, 0, 0, 0]

    def next(self, level: int) -> str:
        self.counters[level - 1] += 1
        for deeper in range(level, 4):
            self.counters[deeper] = 0
        n = self.counters[level - 1]
        if level == 1:
            return f"{cnformat.chinese_ordinal(n)}、"
        if level == 2:
            return f"（{cnformat.chinese_ordinal(n)}）"
        if level == 3:
            return f"{n}."
        return f"（{n}）"

    def heading(self, level: int, text: str) -> Heading:
        return Heading(level, self.next(level), text)


def title_of(ctx: ReportContext) -> str:
    return f"{ctx.region_name}{ctx.period_label}全民科学素质工作{kinds.TITLE_SUFFIX[ctx.kind]}"


def period_word(ctx: ReportContext) -> str:
    """全年 / 上半年 / 下半年 / 本季度 / 本月: how the body refers to the period."""
    pid = ctx.period_id.upper()
    if pid.isdigit() and len(pid) == 4:
        return "全年"
    if "S" in pid:
        return "上半年" if pid.endswith("1") else "下半年"
    if "Q" in pid:
        return "本季度"
    return "本月"


LITERACY = "LIT_RATIO"


def headline_figures(ctx: ReportContext) -> list:
    """The headline's figures less the literacy ratio when it is cited with its source (``literacy_runs``)."""
    return [f for f in ctx.headline if not (ctx.literacy is not None and f.code == LITERACY)]


def headline_runs(ctx: ReportContext) -> list[Run]:
    runs = writing.figures_sentence(headline_figures(ctx), lead=ctx.region_scope_word, when=period_word(ctx),
                                    with_target=False, annual=ctx.period_id.isdigit())
    return runs + literacy_runs(ctx)


def literacy_runs(ctx: ReportContext) -> list[Run]:
    """经抽样调查，全县公民具备科学素质的比例为11.8%（±0.9个百分点）… — or, where the ratio was taken from a published
    result rather than the region's own survey, 据已公布的公民科学素质监测结果…: the reader learns where it comes from."""
    cite = ctx.literacy
    if cite is None:
        return []
    fig = next((f for f in ctx.headline if f.code == LITERACY and f.value is not None), None)
    whole = ctx.region_scope_word
    if cite.from_survey:
        if cite.share is None:
            return [Run(f"经抽样调查，{whole}有效样本量不足，公民具备科学素质的比例不宜发布。", href=cite.source_url)]
        value = (Run(writing.quantity(fig), figure=fig) if fig is not None
                 else Run(cnformat.format_percent(cite.share), href=cite.source_url))
        runs = [Run(f"经抽样调查，{whole}公民具备科学素质的比例为"), value]
        if cite.margin is not None:
            runs.append(Run(f"（±{cnformat.format_plain(cite.margin, 1)}个百分点）"))
    elif fig is not None:
        runs = [Run(f"据已公布的公民科学素质监测结果，{whole}公民具备科学素质的比例为"), Run(writing.quantity(fig),
                                                                                     figure=fig)]
    else:
        return []
    change = writing.change_text(fig, same_period=not ctx.period_id.isdigit()) if fig is not None else ""
    runs.append(Run(f"，{change}。" if change else "。"))
    return writing.merge_plain(runs)


def opening(ctx: ReportContext) -> Paragraph:
    basis = f"《{ctx.framework_name}》" if ctx.framework_name else "全民科学素质行动规划纲要"
    if ctx.plan_title:
        basis += f"和《{ctx.plan_title}》"
    if ctx.kind == kinds.SELF_CHECK:
        text = (f"根据全民科学素质工作考核要求，{ctx.region_name}对照{basis}确定的目标任务，"
                f"对{ctx.period_label}全民科学素质工作逐项开展了自查。")
        return Paragraph([Run(text + CLOSING[ctx.kind])])
    if ctx.kind == kinds.STATISTICS:
        return Paragraph([Run(f"统计范围：{ctx.region_name}；报告期：{ctx.period_label}。"
                              f"表中“{NOT_REPORTED}”表示该项数据尚未填报。")], indent=False)
    if ctx.kind == kinds.WORK_REPORT:
        # The 汇报 answers an inspection: it opens with the occasion; the figures come in 基本情况.
        text = (f"{ctx.period_label}，{ctx.region_name}认真落实{basis}，把提升全民科学素质作为推动高质量发展的基础性工作，"
                f"各成员单位各司其职、协同推进。")
        return Paragraph([Run(text + CLOSING[ctx.kind])])
    guidance = f"坚持{ctx.guidance}的工作格局，" if ctx.guidance else ""
    runs = [Run(f"{ctx.period_label}，{ctx.region_scope_word}深入贯彻落实{basis}，{guidance}"
                f"围绕提升全民科学素质的目标任务，统筹推进各项重点工作。")]
    runs += headline_runs(ctx)
    runs.append(Run(CLOSING[ctx.kind]))
    return Paragraph(writing.merge_plain(runs))


def organisation_blocks(ctx: ReportContext, numbering: Numbering, *, plain_missing: bool) -> list:
    org = ctx.organisation
    if not org.has_data:
        if plain_missing:
            return [numbering.heading(2, "组织领导与工作机制"), Paragraph([Run(f"组织领导与工作机制{NO_DATA}。")])]
        return []
    blocks = [numbering.heading(2, "组织领导与工作机制")]
    runs = []
    if org.body_name:
        runs.append(Run(f"{ctx.region_scope_word}建立了"))
        runs.append(Run(org.body_name, href=org.source_url))
        if org.leader:
            runs.append(Run(f"，由{org.leader}任组长"))
        if org.office_unit:
            runs.append(Run(f"，办公室设在{org.office_unit}"))
        if org.member_units:
            runs.append(Run(f"，现有成员单位{len(org.member_units)}家"))
        runs.append(Run("，形成了政府推动、部门协同、社会参与的工作机制。"))
    if org.meetings:
        runs.append(Run(f"{period_word(ctx)}共召开领导小组（联席）会议{len(org.meetings)}次，"))
        for index, meeting in enumerate(org.meetings):
            runs.append(Run(f"{cnformat.format_date(meeting.held_on)}召开"))
            runs.append(Run(meeting.title, href=meeting.source_url))
            decision = meeting.decisions.strip().rstrip("。")
            runs.append(Run(f"，{decision}" if decision else ""))
            runs.append(Run("；" if index < len(org.meetings) - 1 else "。"))
    if org.documents:
        runs.append(Run("印发了"))
        for index, doc in enumerate(org.documents):
            runs.append(Run(f"《{doc.title}》" if not doc.title.startswith("《") else doc.title, href=doc.source_url))
            if doc.doc_no:
                runs.append(Run(f"（{doc.doc_no}）"))
            if index < len(org.documents) - 1:
                runs.append(Run("、"))
        runs.append(Run(f"等文件{len(org.documents)}件，明确了各成员单位的目标任务和职责分工。"))
    blocks.append(Paragraph(writing.merge_plain(runs)))
    return blocks


_VERB = {"action": "深入实施", "project": "扎实推进"}


def section_heading_text(section: ItemSection) -> str:
    verb = _VERB.get(section.kind, "")
    return f"{verb}{section.title}"


class Memory:
    """What the report has said so far: figure codes and statements, so nothing is said twice."""

    def __init__(self):
        self.codes: set[str] = set()
        self.statements: list[str] = []
        self.clauses: set[str] = set()
        self.cited: set[tuple[str, str]] = set()  # highlighted activities (unit, theme)
        self.beaten = 0  # targets said to be beaten so far

    def cite(self, found: planning.Highlight) -> planning.Highlight:
        self.cited.add((found.unit, found.theme))
        return found

    def note_runs(self, runs: list[Run]) -> list[Run]:
        self.codes.update(r.figure.code for r in runs if r.figure is not None)
        return runs

    def fresh(self, text: str) -> str:
        """The statement less what the report has said already: empty when it near-duplicates a statement said, else
        without the clauses said before (a unit's stock opener, “成立了…工作专班”, is said once)."""
        if any(clauses.similarity(text, said) >= 0.5 for said in self.statements):
            return ""
        kept = [c for c in clauses.split_clauses(text) if c not in self.clauses]
        if not kept or len("".join(kept)) < 6:
            return ""
        self.clauses.update(kept)
        self.statements.append(text)
        return "，".join(kept)


def _fresh_texts(found: list[clauses.Cluster], memory: Memory) -> list[str]:
    return [t for t in (memory.fresh(c.text) for c in found) if t]


def _task_phrase(tasks: list[str]) -> str:
    """实施高素质农民培育计划、开展农村实用技术培训等7项任务 (quotes and doubled verbs removed)."""
    woven = list(dict.fromkeys(clauses.short_title(t) for t in tasks if t))
    if not woven:
        return ""
    if len(woven) <= 2:
        return "、".join(woven) + ("等任务" if len(woven) > 1 else "")
    return f"{'、'.join(woven[:2])}等{len(woven)}项任务"


def _count_word(theme: str) -> str:
    """期 for a course (培训班), 场 for a one-off event: how the genre counts each."""
    return "期" if theme.endswith("班") or "培训" in theme else "场"


def highlight_text(found: planning.Highlight) -> str:
    """One cited activity, said by why it stands out: its reach, a first, a named event of the calendar."""
    people = cnformat.format_quantity(found.people, "人次")
    if found.kind == "words":
        return f"{found.unit}围绕“{clauses.weave_title(found.task)}”组织活动{found.events}场（期），参与群众{people}"
    if _count_word(found.theme) == "期":  # a course counts its trainees, an event its public
        people = f"培训{people}"
    else:
        people = f"参与群众{people}"
    count = f"{found.events}{_count_word(found.theme)}"
    where = f"，覆盖{found.places}个{found.place_word}" if found.places > 1 else ""
    if found.kind == "first":
        return f"{found.unit}首次组织{found.theme}{count}{where}，{people}"
    if found.kind == "named":
        return f"{found.unit}于{found.month}月集中组织{found.theme}{count}{where}，{people}"
    return f"{found.unit}组织{found.theme}{count}{where}，{people}"


def lower_blocks(ctx: ReportContext, budget: planning.Budget, numbering: Numbering, memory: Memory) -> list:
    """An upper region's lower regions, each in one sentence of its own work: its units, what they did that the
    report has not said, its activity records and its most significant activity."""
    found = planning.lower_stories(ctx, budget)
    texts, themes = [], set()
    for story in found:
        methods = _fresh_texts(story.methods, memory)
        parts = [f"{story.region}{story.units}个部门{'；'.join(methods)}" if methods and story.units else ""]
        if story.events:
            people = cnformat.format_quantity(story.people, "人次")
            parts.append(f"{period_word(ctx)}登记科普活动{story.events}场（次），参与群众{people}")
        # An activity the sections cited already, or a theme an earlier region's sentence named, is not cited again.
        pick = next((h for h in story.highlights if (h.unit, h.theme) not in memory.cited
                     and h.theme not in themes), None)
        if pick is not None:
            themes.add(memory.cite(pick).theme)
            parts.append(f"其中{highlight_text(pick)}")
        said = "，".join(p for p in parts if p)
        if said:
            texts.append(said if said.startswith(story.region) else f"{story.region}{said}")
    if not texts:
        return []
    return [numbering.heading(2, f"{ctx.lower_word}工作开展情况"), Paragraph([Run("。".join(texts) + "。")])]


def work_text(story: planning.SectionStory, memory: Memory, *, lead_in: str = "") -> str:
    """The pooled actors and what they did: “县教育局、团县委等5个部门围绕…等7项任务，…；…。其中，…。…。”"""
    parts = []
    methods = _fresh_texts(story.methods, memory)
    results = _fresh_texts(story.results, memory)
    if not methods:  # a unit that wrote only what it achieved: its results say what it did
        methods, results = results, []
    tasks = _task_phrase(story.tasks)
    actors = clauses.join_names(story.actors)
    if actors and methods:
        # “围绕X，围绕Y开展…” doubles the verb: the tasks take 聚焦 when the first method itself opens with 围绕.
        verb = "聚焦" if methods[0].startswith("围绕") else "围绕"
        subject = f"{lead_in}{actors}" + (f"{verb}{tasks}，" if tasks else "")
        parts.append(subject + "；".join(methods) + "。")
    highlights = [highlight_text(memory.cite(h)) for h in story.highlights]
    if highlights:
        parts.append("其中，" + "；".join(highlights) + "。")
    if results:
        parts.append("；".join(results) + "。")
    return "".join(parts)


_BEATEN = ("超额完成年度任务", "高于年度目标要求", "目标任务全面完成")
_AHEAD = ("提前完成全年目标", "已超过全年目标")


def section_blocks(ctx: ReportContext, story: planning.SectionStory, numbering: Numbering, memory: Memory,
                   *, with_target: bool = False) -> list:
    """A 提升行动/工程 in a 工作总结 or 进展: the region's figures, then the units' work pooled and said once."""
    runs = memory.note_runs(writing.figures_sentence(
        story.figures, lead=ctx.region_scope_word, when=period_word(ctx), with_target=with_target,
        annual=is_annual(ctx)))
    if runs and story.beaten is not None:
        # A target beaten is worth its own clause; a half-year that has reached the year's target is ahead of time.
        endings = _AHEAD if not is_annual(ctx) else _BEATEN
        done = endings[memory.beaten % len(endings)]  # said a few times in a report: not the same words each time
        memory.beaten += 1
        runs = runs + [Run(f"{planning.running_label(story.beaten.label)}完成年度目标的"
                           f"{cnformat.format_completion(story.beaten.value, story.beaten.target)}，{done}。")]
    words = work_text(story, memory)
    if not runs and not words:
        return []
    runs = runs + [Run(words)] if words else runs
    return [numbering.heading(2, section_heading_text(story.section)), Paragraph(writing.merge_plain(runs))]


def table_number(figure_value, unit: str) -> str:
    if figure_value is None:
        return NOT_REPORTED
    if unit == "%" or unit.startswith("万") or unit.endswith("万人"):
        return cnformat.format_plain(figure_value)
    return cnformat.format_count(figure_value)


def key_figures_table(ctx: ReportContext, *, caption: str, with_assessment: bool = False) -> Table | None:
    rows = []
    for index, fig in enumerate(ctx.key_figures, start=1):
        rate = cnformat.format_completion(fig.value, fig.target) or ("—" if fig.value is not None else NOT_REPORTED)
        row = [Cell(str(index)), Cell(fig.label.removeprefix("其中")), Cell(fig.unit or "—"),
               Cell(table_number(fig.target, fig.unit) if fig.target is not None else "—"),
               Cell(table_number(fig.value, fig.unit), href=fig.source_url, figure=fig), Cell(rate)]
        if with_assessment:
            row.append(Cell(writing.self_assessment([fig]) or "—"))
        rows.append(row)
    if not rows:
        return None
    columns = ["序号", "指标", "单位", "目标值", "实际值", "完成率"] + (["自评"] if with_assessment else [])
    widths = [0.75, 3.4, 0.8, 1.05, 1.05, 1.15] + ([1.05] if with_assessment else [])
    return Table(caption, columns, rows, widths)


def sections_table(ctx: ReportContext) -> Table | None:
    """Every figure of every section with last year's value and the change: the 统计报表's main table."""
    rows = []
    for section in ctx.sections:
        for fig in section.figures:
            change = ""
            if fig.value is not None and fig.previous is not None:
                change = (cnformat.format_points_change(fig.value, fig.previous) if fig.is_percent
                          else cnformat.format_change(fig.value, fig.previous))
                change = change.replace("较上年", "").replace("比上年", "").replace("与上年", "")
            rows.append([Cell(section.title), Cell(fig.label), Cell(fig.unit or "—"),
                         Cell(table_number(fig.value, fig.unit), href=fig.source_url, figure=fig),
                         Cell(table_number(fig.previous, fig.unit) if fig.previous is not None else "—"),
                         Cell(change or "—")])
    if not rows:
        return None
    return Table("分项指标统计表", ["项目", "指标", "单位", "本期", "上年同期", "增减"], rows,
                 [2.0, 2.8, 0.8, 1.0, 1.0, 1.6])


def lower_regions_table(ctx: ReportContext) -> Table | None:
    if not ctx.lower_regions:
        return None
    ranked = sorted(ctx.lower_regions, key=lambda r: (r.value is None, -(r.value or 0)))
    rows = []
    for index, region in enumerate(ranked, start=1):
        rows.append([Cell(str(index) if region.value is not None else "—"), Cell(region.name),
                     Cell(table_number(region.value, ctx.ranking_unit), href=region.source_url),
                     Cell(table_number(region.target, ctx.ranking_unit) if region.target is not None else "—"),
                     Cell(cnformat.format_completion(region.value, region.target) or "—")])
    note = ""
    reported = [r.value for r in ranked if r.value is not None]
    if ctx.ranking_total is not None and reported and ctx.ranking_total > sum(reported):
        # The region's total also counts its own units' work (本级): show it so the column adds up to the total.
        rest = ctx.ranking_total - sum(reported)
        last = ctx.region_name[-1:]
        own = f"{last if last in '县市区旗州盟省' else ''}本级"
        rows.append([Cell("—"), Cell(own),
                     Cell(table_number(rest, ctx.ranking_unit)), Cell("—"), Cell("—")])
        rows.append([Cell("—"), Cell("合计"), Cell(table_number(ctx.ranking_total, ctx.ranking_unit)),
                     Cell("—"), Cell("—")])
        note = f"注：合计为{ctx.region_name}汇总数，含{own}成员单位直接组织开展的工作；未填报地区不参加排名。"
    unit = f"（{ctx.ranking_unit}）" if ctx.ranking_unit else ""
    return Table(f"{ctx.lower_word}{ctx.ranking_label}{unit}", ["排名", "区域", "实际值", "目标值", "完成率"], rows,
                 [0.7, 2.4, 1.3, 1.3, 1.1], note=note)


def chart_blocks(ctx: ReportContext, *, with_charts: bool) -> tuple[list, str]:
    """The report's charts, and why they could not be drawn (empty when they were, or when none was asked for)."""
    from . import charts

    if not with_charts:
        return [], ""
    wanted = []
    progress = [(f.label, f.completion) for f in ctx.key_figures if f.completion is not None]
    if progress:
        wanted.append(("主要指标目标完成率", lambda: charts.progress_chart(progress), "主要指标完成率条形图"))
    if sum(1 for p in ctx.trend if p.value is not None) >= 2:
        wanted.append((f"{ctx.trend_label}历年变化",
                       lambda: charts.trend_chart(ctx.trend, ctx.trend_label, ctx.trend_unit), "历年趋势折线图"))
    reported = sorted((r for r in ctx.lower_regions if r.value is not None), key=lambda r: -r.value)
    if reported:
        shown = reported[:CHART_REGIONS]
        caption = f"{ctx.lower_word}{ctx.ranking_label}排名" + (
            f"（前{CHART_REGIONS}名）" if len(reported) > CHART_REGIONS else "")
        wanted.append((caption, lambda: charts.ranking_chart(shown, ctx.ranking_label, ctx.ranking_unit),
                       "下级区域排名条形图"))
    if not wanted:
        return [], ""
    if not charts.charts_available():
        return [], charts.CHARTS_UNAVAILABLE
    blocks = []
    for caption, draw, alt in wanted:
        try:
            blocks.append(Chart(caption, draw(), alt))
        except Exception as exc:  # noqa: BLE001 - a chart that fails is named; the rest of the report stands
            return blocks, f"图表“{caption}”绘制失败（{type(exc).__name__}：{exc}），报告中缺少该图及其后的图表。"
    return blocks, ""


def is_annual(ctx: ReportContext) -> bool:
    return ctx.period_id.isdigit()


def prose_length(blocks: list) -> int:
    """Characters of prose: paragraphs only (tables, headings and the signature are not what the budget is about)."""
    return sum(len(b.text) for b in blocks if isinstance(b, Paragraph))


def key_figures_summary(ctx: ReportContext) -> Paragraph | None:
    done = [f for f in ctx.key_figures if f.completion is not None]
    if not done:
        return None
    reached = [f for f in done if f.completion >= Decimal(100)]
    text = f"纳入年度目标考核的{len(ctx.key_figures)}项主要指标中，已填报{len(done)}项，达到年度目标{len(reached)}项"
    missing = len(ctx.key_figures) - len(done)
    if missing:
        text += f"，{missing}项{NOT_REPORTED}"
    return Paragraph([Run(text + "。详见下表。")])


def indicators_blocks(ctx: ReportContext, numbering: Numbering, charts_: list, *, with_assessment: bool = False,
                      heading: str = "主要指标完成情况", summary: Paragraph | None = None) -> list:
    table = key_figures_table(ctx, caption="主要指标完成情况", with_assessment=with_assessment)
    blocks = []
    if summary is None and table:
        summary = key_figures_summary(ctx)
    if summary:
        blocks.append(summary)
    if table:
        blocks.append(table)
    blocks += charts_
    if ctx.lower_regions and ctx.kind in (kinds.WORK_REPORT, kinds.ANNUAL_SUMMARY, kinds.PROGRESS):
        lower = lower_regions_table(ctx)
        if lower:
            blocks.append(lower)
    if not blocks:
        return []
    return [numbering.heading(2, heading), *blocks]


def points_blocks(numbering: Numbering, title: str, texts: list[str], *, plain_missing: bool) -> list:
    """A heading and its points as the office writes them: 一是…；二是…；三是…。"""
    text = planning.ordinal_points(texts)
    if not text:
        if plain_missing:
            return [numbering.heading(1, title), Paragraph([Run(f"各成员单位{NOT_REPORTED}{title}，{NO_DATA}。")])]
        return []
    return [numbering.heading(1, title), Paragraph([Run(text)])]


def next_steps_texts(ctx: ReportContext, points: list[planning.Point]) -> list[str]:
    texts = [p.answer for p in points if p.answer]
    if ctx.next_tasks and is_annual(ctx):
        texts.append(f"围绕{ctx.year + 1}年{_task_phrase(ctx.next_tasks)}，细化分工、压实责任，确保各项任务落到实处")
    return texts


def _stories(ctx: ReportContext, budget: planning.Budget, memory: Memory):
    """Each section's story, planned lazily: a section sees the figures the ones before it have said."""
    return (planning.section_story(s, said=memory.codes, budget=budget) for s in ctx.sections if s.has_data)


def compose_summary(ctx, budget, charts_) -> list:
    """年度工作总结: 一、主要工作及成效 (organisation, each action with data, the key figures) 二、存在问题 三、下步打算."""
    numbering, memory = Numbering(), Memory()
    memory.note_runs(headline_runs(ctx))
    body: list = [numbering.heading(1, "主要工作及成效")]
    body += organisation_blocks(ctx, numbering, plain_missing=False)
    results: list = []
    for story in _stories(ctx, budget, memory):
        results += section_blocks(ctx, story, numbering, memory)
    results += lower_blocks(ctx, budget, numbering, memory)
    results += indicators_blocks(ctx, numbering, charts_)
    # No approved figure at all: say so rather than leave the section empty (or bare but for the organisation).
    body += results or [Paragraph([Run(f"{ctx.region_name}{ctx.period_label}已审核的填报中尚无统计数据，"
                                       f"暂无可总结的工作成效。")])]
    points = planning.problem_points(ctx, limit=budget.points, said=memory.codes)
    body += points_blocks(numbering, "存在问题", [p.problem for p in points if p.problem], plain_missing=False)
    body += points_blocks(numbering, "下步打算", next_steps_texts(ctx, points), plain_missing=False)
    return body


def compose_work_report(ctx, budget, charts_) -> list:
    """工作汇报 to an upper-level inspection: 基本情况, 主要做法和成效 (with 特色亮点), 存在问题, 意见建议.

    It shares the figures of the 总结 but not its text: the figures are gathered in 基本情况, the actions are told by
    what was done (做法) and achieved, and the most significant activities of the year stand out as 特色亮点.
    """
    numbering, memory = Numbering(), Memory()
    body: list = [numbering.heading(1, "基本情况")]
    org = organisation_blocks(ctx, numbering, plain_missing=False)
    body += org[1:]  # no sub-heading: 基本情况 is one short passage
    runs = memory.note_runs(writing.figures_sentence(
        headline_figures(ctx), lead=f"{ctx.period_label}，{ctx.region_scope_word}", with_target=False,
        annual=is_annual(ctx)) + literacy_runs(ctx))
    if runs:
        body.append(Paragraph(runs))
    body += indicators_blocks(ctx, numbering, charts_)[1:]
    body.append(numbering.heading(1, "主要做法和成效"))
    stories = [s for s in _stories(ctx, budget, memory) if s.methods or s.results]
    for story in stories:
        methods = _fresh_texts(story.methods, memory)
        results = _fresh_texts(story.results, memory)
        if not methods and not results:
            continue
        body.append(numbering.heading(2, f"聚焦{story.section.title.removesuffix('提升行动').removesuffix('工程')}"))
        actors = clauses.join_names(story.actors)
        text = f"{actors}{'，'.join(methods)}。" if methods and actors else ""
        if results:
            text += f"{'；'.join(results)}。"
        body.append(Paragraph([Run(text)]))
    bright = [memory.cite(h) for h in sorted((h for s in stories for h in s.highlights), key=lambda h: -h.people)[:3]]
    body += lower_blocks(ctx, budget, numbering, memory)  # after choosing the 特色亮点, which it does not repeat
    if bright:
        body.append(numbering.heading(2, "特色亮点"))
        # “the year's largest” only when it is: the largest of every activity series of the region.
        largest = max((a.participants for s in ctx.sections for a in s.activities), default=0)
        body.append(Paragraph([Run(planning.ordinal_points([
            highlight_text(h) + ("，为全年参与人数最多的系列活动" if i == 0 and h.kind != "words"
                                 and h.people == largest else "")
            for i, h in enumerate(bright)]))]))
    points = planning.problem_points(ctx, limit=budget.points, said=memory.codes)
    body += points_blocks(numbering, "存在问题", [p.problem for p in points if p.problem], plain_missing=False)
    advice = list(dict.fromkeys(p.advice for p in points if p.advice))
    body += points_blocks(numbering, "意见建议", advice, plain_missing=False)
    return body


def progress_overview(ctx: ReportContext) -> Paragraph | None:
    """How far the year's targets are done: 时间过半、任务过半 where a year-to-date period allows saying so."""
    # A count still at zero half-way through the year (an event held in the autumn) is not a rate to report.
    done = [f for f in ctx.key_figures if f.completion is not None and f.is_flow and f.value]
    if not done:
        return None
    share = planning.time_share(ctx.period_id)
    said = "，".join(f"{planning.running_label(f.label)}完成年度目标的{cnformat.format_completion(f.value, f.target)}"
                    for f in done)
    text = f"对照年度目标，{said}"
    if share is not None:
        ahead = [f for f in done if f.completion >= share]
        if len(ahead) == len(done):
            text += "，均实现时间过半、任务过半"
        elif ahead:
            text += f"，{len(ahead)}项实现时间过半、任务过半，{len(done) - len(ahead)}项进度滞后"
        else:
            text += "，进度均滞后于时序进度"
    return Paragraph([Run(text + "。")])


def compose_progress(ctx, budget, charts_) -> list:
    """半年/季度进展: 总体进展 against the year's targets, 重点工作推进情况, 存在问题, 下步工作安排."""
    numbering, memory = Numbering(), Memory()
    memory.note_runs(headline_runs(ctx))
    body: list = [numbering.heading(1, "总体进展")]
    overview = progress_overview(ctx)
    body += indicators_blocks(ctx, numbering, charts_, heading="年度目标完成进度", summary=overview)
    body += organisation_blocks(ctx, numbering, plain_missing=False)
    heading = numbering.heading(1, "重点工作推进情况")
    sections = []
    for story in _stories(ctx, budget, memory):
        sections += section_blocks(ctx, story, numbering, memory)
    sections += lower_blocks(ctx, budget, numbering, memory)
    if sections:
        body += [heading, *sections]
    else:
        numbering.counters[0] -= 1  # the heading is not used: the next one keeps its number
    points = planning.problem_points(ctx, limit=budget.points, said=memory.codes, rates_said=overview is not None)
    body += points_blocks(numbering, "存在问题", [p.problem for p in points if p.problem], plain_missing=False)
    when = "下半年工作安排" if ctx.period_id.upper().endswith("S1") else "下步工作安排"
    body += points_blocks(numbering, when, next_steps_texts(ctx, points), plain_missing=False)
    return body


COMPOSERS = {kinds.ANNUAL_SUMMARY: compose_summary, kinds.WORK_REPORT: compose_work_report,
             kinds.PROGRESS: compose_progress, kinds.SELF_CHECK: compose_self_check}


def build_document(ctx: ReportContext, *, with_charts: bool = True) -> ReportDocument:
    signature = Signature(ctx.office_name, cnformat.format_date(ctx.report_date))
    if ctx.kind == kinds.STATISTICS:
        body = [t for t in (key_figures_table(ctx, caption="主要指标完成情况表"), sections_table(ctx),
                            lower_regions_table(ctx)) if t is not None]
        if not body:
            body = [Paragraph([Run(f"{ctx.period_label}{NO_DATA}。")])]
        return ReportDocument(title_of(ctx), opening(ctx), body, signature, ctx.kind)

    compose = COMPOSERS[ctx.kind]
    charts_, chart_problem = chart_blocks(ctx, with_charts=with_charts)
    head = opening(ctx)
    _, most = planning.PROSE_LIMITS[ctx.kind]
    # The richest plan whose prose fits the kind's length: what is left out is chosen (fewer figures, methods,
    # results), never cut mid-sentence. The last plan is taken when even it is long (a very large region).
    for budget in planning.BUDGETS:
        body = compose(ctx, budget, charts_)
        if len(head.text) + prose_length(body) <= most:
            break
    return ReportDocument(title_of(ctx), head, body, signature, ctx.kind, chart_problem)
