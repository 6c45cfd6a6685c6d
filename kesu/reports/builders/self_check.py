"""The 自查报告: item by item against the plan's tasks (figures, the units' evidence, a self-assessment from the
figures) and, where the region has a self-assessment under its upper level's 考核细则, against each 考核 item with its
weight, self-score and evidence. Without one it goes against the plan alone and says nothing of scores.
"""

from __future__ import annotations

from kesu.core import cnformat

from . import clauses, planning, writing
from . import document as doc
from .blocks import Cell, Paragraph, Run, Table
from .data import ItemSection, ReportContext, SelfAssessment

NOT_SCORED = "未自评"


def _points(value) -> str:
    return NOT_SCORED if value is None else f"{cnformat.format_plain(value, 1)}分"


def assessment_summary(found: SelfAssessment) -> Paragraph:
    total = f"自评得分{_points(found.self_total)}" if found.self_total is not None else "尚未完成自评"
    scored = sum(1 for i in found.items if i.self_points is not None)
    return Paragraph([Run(f"对照《{found.scheme.strip('《》')}》{len(found.items)}项考核内容逐项自评"
                          f"（已自评{scored}项），{total}（满分{cnformat.format_plain(found.full_marks, 1)}分），"
                          f"自评情况和佐证材料见下表。", href=found.source_url)])


def assessment_table(found: SelfAssessment) -> Table:
    rows = []
    for item in found.items:
        proof = "；".join(p for p in (item.self_note.strip().rstrip("。"),
                                      f"佐证材料：{item.evidence.strip()}" if item.evidence.strip() else "",
                                      item.basis.strip()) if p) or "—"
        rows.append([Cell(item.number), Cell(item.title), Cell(cnformat.format_plain(item.weight, 1)),
                     Cell(_points(item.self_points).removesuffix("分")), Cell(proof)])
    return Table("考核内容自评情况", ["序号", "考核内容", "分值", "自评分", "自评说明及佐证材料"], rows,
                 [0.7, 2.6, 0.8, 0.9, 3.2])


def assessment_blocks(ctx: ReportContext, numbering: doc.Numbering) -> list:
    if ctx.assessment is None or not ctx.assessment.items:
        return []
    return [numbering.heading(2, "考核内容自评情况"), assessment_summary(ctx.assessment),
            assessment_table(ctx.assessment)]


def self_check_section(ctx: ReportContext, section: ItemSection, numbering: doc.Numbering, memory: doc.Memory) -> list:
    """A 考核 item in the 自查报告: each task with its figures (zeros kept), its evidence and a self-assessment."""
    blocks = [numbering.heading(2, section.title)]
    if not section.tasks:
        blocks.append(Paragraph([Run(f"本项无具体任务，{doc.NO_DATA}。")]))
        return blocks
    titles = [t.title for t in section.tasks]
    for task in section.tasks:
        lead = f"（牵头单位：{'、'.join(task.lead_units)}）" if task.lead_units else ""
        blocks.append(numbering.heading(3, f"{clauses.weave_title(task.title)}{lead}"))
        runs = writing.figures_sentence(task.figures, lead="", when=doc.period_word(ctx), keep_zero=True,
                                        annual=doc.is_annual(ctx))
        statements = []
        # The activity records are the evidence; a unit's own count is cited only where the records hold none
        # (two different counts of the same work side by side would leave the reader asking which is true).
        records = [a for a in section.activities if a.task == task.title]
        for n in task.narratives:
            done = [t for t in (memory.fresh(s) for s in clauses.content_clauses(
                n.progress, unit=n.unit, tasks=titles)) if t]
            achieved = [t for t in (memory.fresh(s) for s in clauses.content_clauses(
                n.results, unit=n.unit, tasks=titles)) if t]
            reach = None if records else clauses.reach_of(n.progress)
            if reach:
                done.append(f"组织活动{reach[0]}场（期），参与群众{cnformat.format_quantity(reach[1], '人次')}")
            said = (done + achieved)[:2]
            if said:
                # A statement of results has no verb for the unit to lead: “县科协方面，农村学校学生…”.
                subject = n.unit if done else f"{n.unit}方面，"
                statements.append(Run(f"{subject}{'，'.join(said)}。", href=n.source_url))
        if records:
            themes = list(dict.fromkeys(a.theme for a in sorted(records, key=lambda a: -a.participants)))
            people = cnformat.format_quantity(sum(a.participants for a in records), "人次")
            statements.append(Run(f"活动台账登记{clauses.join_names(themes, limit=2, noun='类活动')}"
                                  f"{sum(a.events for a in records)}场（期），参与群众{people}。",
                                  href=records[0].source_url))
        if runs or statements:
            blocks.append(Paragraph(writing.merge_plain(runs + statements)))
        else:
            missing = "、".join(f.label for f in task.figures) if task.figures else "工作情况"
            blocks.append(Paragraph([Run(f"{missing}{doc.NOT_REPORTED}。")]))
        assessment = writing.self_assessment(task.figures) or ("已开展" if statements or runs else doc.NOT_REPORTED)
        blocks.append(Paragraph([Run(f"自评：{assessment}。")]))
    return blocks


def compose_self_check(ctx, budget, charts_) -> list:
    """自查报告: item by item against the plan, with the evidence and a self-assessment; problems and 整改措施."""
    numbering, memory = doc.Numbering(), doc.Memory()
    body: list = [numbering.heading(1, "自查情况")]
    body += doc.organisation_blocks(ctx, numbering, plain_missing=True)
    body += assessment_blocks(ctx, numbering)
    for section in ctx.sections:
        body += self_check_section(ctx, section, numbering, memory)
    body += doc.indicators_blocks(ctx, numbering, charts_, with_assessment=True)
    points = planning.problem_points(ctx, limit=budget.points, said=memory.codes)
    body += doc.points_blocks(numbering, "存在问题", [p.problem for p in points if p.problem], plain_missing=True)
    body += doc.points_blocks(numbering, "整改措施", doc.next_steps_texts(ctx, points), plain_missing=True)
    return body
