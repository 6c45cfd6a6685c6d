"""A hand-made report context: an invented county with figures, narratives, targets and lower regions."""

from datetime import date
from decimal import Decimal as D

from kesu.reports.builders import kinds
from kesu.reports.builders.data import (
    PERCENT,
    DocumentEntry,
    Figure,
    ItemSection,
    MeetingEntry,
    Narrative,
    Organisation,
    RegionFigure,
    ReportContext,
    TaskCheck,
    TrendPoint,
)


def fig(code, label, unit, value, previous=None, target=None, *, percent=False, flow=True):
    return Figure(code=code, label=label, unit=unit, value=None if value is None else D(str(value)),
                  previous=None if previous is None else D(str(previous)),
                  target=None if target is None else D(str(target)), value_type=PERCENT if percent else "integer",
                  is_flow=flow, source_url=f"/collection/values/?indicator={code}", source_label=f"{label}填报记录")


def make_context(kind: str = kinds.ANNUAL_SUMMARY, *, period_id: str = "2026", period_label: str = "2026年",
                 with_lower: bool = True) -> ReportContext:
    sessions = fig("TRN_FARMER_SESSIONS", "农村实用技术培训期数", "期", 1083, 964, 1000)
    trainees = fig("TRN_FARMER_P", "农村实用技术培训人次", "人次", 265000, 236000, 250000)
    villages = fig("DEMO_VILLAGE", "科普示范村（社区）", "个", 30, 26, 35, flow=False)
    lectures = fig("ACT_LECTURE_N", "科普（技）讲座", "次", 43, 40)
    lecture_p = fig("ACT_LECTURE_P", "科普（技）讲座参加人次", "人次", 21500)
    contests = fig("ACT_CONTEST_N", "科普（技）竞赛", "次", 0)
    elders = fig("TRN_ELDER_P", "老年人智慧助老/健康科普培训人次", "人次", None, 9800, 12000)
    fund = fig("FUND_SPECIAL", "其中科普专项经费", "万元", D("186.5"), 170, 180)
    ratio = fig("LIT_RATIO", "公民具备科学素质的比例", "%", D("10.16"), D("9"), D("10"), percent=True, flow=False)
    events = fig("ACT_EVENTS_TOTAL_N", "各类科普活动", "场次", 1260, 1100)
    events_p = fig("ACT_EVENTS_TOTAL_P", "各类科普活动参加人次", "人次", 120000000 // 300)
    volunteers = fig("HR_VOLUNTEER", "注册科普志愿者", "人", 4620, 4100, 4500, flow=False)

    youth = ItemSection("A1", "青少年科学素质提升行动", "action", [lectures, lecture_p, contests], [
        Narrative("县教育局", "举办科学家精神进校园", progress="我局组织开展科学家精神进校园活动，覆盖全县中小学。",
                  results="全县中小学科学教师配备率达到100%", problems="农村学校科学教师专业化程度不高",
                  next_steps="实施科学教师能力提升计划", source_url="/collection/narratives/1/"),
    ], [TaskCheck("A1.1", "将弘扬科学精神贯穿于育人全链条", ["县教育局", "县科协"], [lectures, lecture_p])])
    farmers = ItemSection("A2", "农民科学素质提升行动", "action", [sessions, trainees, villages], [
        Narrative("县农业农村局", "开展农村实用技术培训", progress="围绕柑橘、黄花等特色产业开展农村实用技术培训",
                  problems="培训内容与农民需求结合不够紧密", next_steps="推行“订单式”培训",
                  source_url="/collection/narratives/2/"),
    ], [TaskCheck("A2.2", "开展农村实用技术培训", ["县农业农村局", "县科协"], [sessions, trainees]),
        TaskCheck("A2.4", "创建科普示范村（社区）和农村科普示范基地", ["县科协"], [villages])])
    elderly = ItemSection("A4", "老年人科学素质提升行动", "action", [elders], [],
                          [TaskCheck("A4.1", "实施智慧助老行动", ["县卫生健康局"], [elders])])
    workers = ItemSection("A3", "产业工人科学素质提升行动", "action", [], [],
                          [TaskCheck("A3.1", "开展产业工人技能培训", ["县人力资源和社会保障局"], [])])
    infra = ItemSection("P3", "科普基础设施工程", "project", [fund, volunteers], [], [
        TaskCheck("P3.3", "将科普经费列入财政预算并逐步提高", ["县财政局", "县科协"], [fund])])
    basic = ItemSection("P4", "基层科普能力提升工程", "project", [events, events_p, ratio], [
        Narrative("县科协", "举办全国科普日主场活动", results="我会联合28个成员单位举办全国科普日主场活动",
                  problems="基层科普人才队伍薄弱", next_steps="加强科普志愿者队伍建设",
                  source_url="/collection/narratives/3/"),
    ], [TaskCheck("P4.6", "举办全国科普日和科技活动周主场活动", ["县科协"], [events, events_p])])

    sections = [youth, farmers, workers, elderly, infra, basic]
    narratives = [n for s in sections for n in s.narratives]
    return ReportContext(
        kind=kind, region_name="示范县", period_id=period_id, period_label=period_label, year=2026,
        office_name="示范县全民科学素质工作领导小组办公室", report_date=date(2026, 7, 9),
        plan_title="示范县全民科学素质行动规划纲要实施方案（2021—2025年）",
        framework_name="全民科学素质行动规划纲要（2021—2035年）",
        guidance="党的领导、政府推动、全民参与、社会协同、开放合作",
        headline=[events, events_p, ratio],
        organisation=Organisation(
            body_name="示范县全民科学素质工作领导小组", leader="副县长张立新", office_unit="县科协",
            member_units=[f"成员单位{i}" for i in range(1, 31)],
            meetings=[MeetingEntry("示范县2026年全民科学素质工作领导小组全体（扩大）会议", date(2026, 3, 21),
                                   "审议通过《示范县2026年全民科学素质工作要点》。", "/plans/meetings/1/")],
            documents=[DocumentEntry("示范县2026年全民科学素质工作要点", "示科素办〔2026〕1号", "示范县科协",
                                     date(2026, 3, 25), "/plans/documents/1/")],
            source_url="/orgs/body/",
        ),
        sections=sections,
        key_figures=[ratio, sessions, trainees, villages, elders, fund, volunteers],
        lower_regions=[RegionFigure(f"第{i}镇", D(20000 + i * 3100) if i != 4 else None, D(24000),
                                    f"/analytics/?region={i}") for i in range(1, 9)] if with_lower else [],
        ranking_label="农村实用技术培训人次", ranking_unit="人次",
        trend=[TrendPoint(2022, D("7.9"), D("8")), TrendPoint(2023, D("8.4"), D("9")), TrendPoint(2024, D("9"), D("9.5")),
               TrendPoint(2025, D("9.6"), D("10")), TrendPoint(2026, D("10.16"), D("10"))],
        trend_label="公民具备科学素质的比例", trend_unit="%",
        problems=narratives, next_steps=narratives, data_state="fixture",
    )
