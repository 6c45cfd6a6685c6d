"""Compose a report of one kind from its context: the genre's structure as blocks.

一、主要工作及成效 with （一）组织领导与工作机制 and one section per 提升行动/重点工程 that has data; 二、存在问题;
三、下步打算; the signature. 工作总结 leave out what has no data; 自查报告 state it plainly (未填报 / 暂无数据).
"""

from decimal import Decimal

from kesu.core import cnformat

from . import kinds, writing
from .blocks import Cell, Chart, Heading, Paragraph, ReportDocument, Run, Signature, Table
from .data import ItemSection, ReportContext

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


def headline_runs(ctx: ReportContext) -> list[Run]:
    return writing.figures_sentence(ctx.headline, lead=f"{period_word(ctx)}{ctx.region_scope_word}",
                                    with_target=False)


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
    guidance = f"坚持{ctx.guidance}的工作格局，" if ctx.guidance else ""
    runs = [Run(f"{ctx.period_label}，{ctx.region_scope_word}深入贯彻落实{basis}，{guidance}"
                f"围绕提升全民科学素质的目标任务，统筹推进各项重点工作。")]
    runs += headline_runs(ctx)
    runs.append(Run(CLOSING[ctx.kind]))
    return Paragraph(writing._merge_plain(runs))


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
    blocks.append(Paragraph(writing._merge_plain(runs)))
    return blocks


_VERB = {"action": "深入实施", "project": "扎实推进"}


def section_heading_text(section: ItemSection) -> str:
    verb = _VERB.get(section.kind, "")
    return f"{verb}{section.title}"


def section_blocks(ctx: ReportContext, section: ItemSection, numbering: Numbering) -> list:
    """A 提升行动/重点工程 in a 工作总结: the figures' sentence, then the units' narratives under it."""
    blocks = [numbering.heading(2, section_heading_text(section))]
    runs = writing.figures_sentence(section.figures, lead=f"{period_word(ctx)}{ctx.region_scope_word}")
    if runs:
        blocks.append(Paragraph(runs))
    blocks.extend(writing.narrative_paragraphs(section.narratives))
    return blocks


def self_check_section(ctx: ReportContext, section: ItemSection, numbering: Numbering) -> list:
    """A 考核 item in the 自查报告: each task with its figures (zeros kept), its units' words and a self-assessment."""
    blocks = [numbering.heading(2, section.title)]
    if not section.tasks:
        blocks.append(Paragraph([Run(f"本项无具体任务，{NO_DATA}。")]))
        return blocks
    for task in section.tasks:
        lead = f"（牵头单位：{'、'.join(task.lead_units)}）" if task.lead_units else ""
        blocks.append(numbering.heading(3, f"{task.title}{lead}"))
        runs = writing.figures_sentence(task.figures, lead=f"{period_word(ctx)}", keep_zero=True)
        if runs:
            blocks.append(Paragraph(runs))
        words = writing.narrative_paragraphs(task.narratives)
        blocks.extend(words)
        if not runs and not words:
            missing = "、".join(f.label for f in task.figures) if task.figures else "工作情况"
            blocks.append(Paragraph([Run(f"{missing}{NOT_REPORTED}。")]))
        assessment = writing.self_assessment(task.figures) or ("已开展" if words or runs else NOT_REPORTED)
        blocks.append(Paragraph([Run(f"自评：{assessment}。")]))
    return blocks


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
    unit = f"（{ctx.ranking_unit}）" if ctx.ranking_unit else ""
    return Table(f"{ctx.lower_word}{ctx.ranking_label}{unit}", ["排名", "区域", "实际值", "目标值", "完成率"], rows,
                 [0.7, 2.4, 1.3, 1.3, 1.1])


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


def _narrative_section(numbering: Numbering, title: str, narratives, field_name: str, *, plain_missing: bool) -> list:
    paragraphs = writing.numbered_points(narratives, field_name)
    if not paragraphs:
        if plain_missing:
            return [numbering.heading(1, title), Paragraph([Run(f"各成员单位{NOT_REPORTED}{title}，{NO_DATA}。")])]
        return []
    return [numbering.heading(1, title), *paragraphs]


def build_document(ctx: ReportContext, *, with_charts: bool = True) -> ReportDocument:
    numbering = Numbering()
    signature = Signature(ctx.office_name, cnformat.format_date(ctx.report_date))
    if ctx.kind == kinds.STATISTICS:
        body = [t for t in (key_figures_table(ctx, caption="主要指标完成情况表"), sections_table(ctx),
                            lower_regions_table(ctx)) if t is not None]
        if not body:
            body = [Paragraph([Run(f"{ctx.period_label}{NO_DATA}。")])]
        return ReportDocument(title_of(ctx), opening(ctx), body, signature, ctx.kind)

    self_check = ctx.kind == kinds.SELF_CHECK
    body: list = [numbering.heading(1, "主要工作及成效")]
    body += organisation_blocks(ctx, numbering, plain_missing=self_check)
    for section in ctx.sections:
        if self_check:
            body += self_check_section(ctx, section, numbering)
        elif section.has_data:
            body += section_blocks(ctx, section, numbering)
    table = key_figures_table(ctx, caption="主要指标完成情况", with_assessment=self_check)
    charts_, chart_problem = chart_blocks(ctx, with_charts=with_charts)
    if table or charts_:
        body.append(numbering.heading(2, "主要指标完成情况"))
        if table:
            done = [f for f in ctx.key_figures if f.completion is not None]
            reached = [f for f in done if f.completion >= Decimal(100)]
            if done:
                body.append(Paragraph([Run(f"纳入年度目标考核的{len(ctx.key_figures)}项主要指标中，已填报{len(done)}项，"
                                           f"达到年度目标{len(reached)}项。详见下表。")]))
            body.append(table)
        body += charts_
    if ctx.lower_regions and ctx.kind in (kinds.WORK_REPORT, kinds.ANNUAL_SUMMARY):
        lower = lower_regions_table(ctx)
        if lower:
            body.append(lower)
    body += _narrative_section(numbering, "存在问题", ctx.problems, "problems", plain_missing=self_check)
    body += _narrative_section(numbering, "下步打算", ctx.next_steps, "next_steps", plain_missing=self_check)
    return ReportDocument(title_of(ctx), opening(ctx), body, signature, ctx.kind, chart_problem)
