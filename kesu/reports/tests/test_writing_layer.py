"""The writing layer's steps one by one, on small hand-written inputs (no database)."""

from decimal import Decimal as D

from kesu.reports.builders import clauses, planning, writing
from kesu.reports.builders.data import ItemSection, Narrative, RegionFigure, TaskCheck

from .fixtures import fig, make_context


def test_a_units_text_loses_its_subject_task_introduction_and_reach():
    text = ("今年以来，我局聚焦“开展农村实用技术培训”，坚持需求导向，组织农技专家深入乡镇，共组织活动12场次，服务群众"
            "1500人次。")
    assert clauses.reach_of(text) == (12, 1500)
    assert clauses.content_clauses(text, unit="县农业农村局", tasks=["开展农村实用技术培训"]) == [
        "坚持需求导向，组织农技专家深入乡镇"]
    assert clauses.content_clauses("我会工作中还存在一些困难：经费投入总体不足，活动难以持续。", unit="县科协") == [
        "经费投入总体不足，活动难以持续"]
    assert clauses.content_clauses("继续做好相关工作。") == []


def test_near_duplicates_are_clustered_and_said_once():
    found = clauses.cluster([
        ("县教育局", "推动科学家精神进校园、科普讲座和科技节等活动覆盖城乡各中小学校"),
        ("县科协", "推动科学家精神进校园和科普讲座等活动覆盖城乡中小学校"),
        ("团县委", "组织青少年科普研学活动"),
    ])
    assert len(found) == 2
    assert found[0].units == ["县教育局", "县科协"] and found[0].size == 2


def test_self_references_become_the_units_name():
    assert clauses.name_self("我局组织开展培训", "县教育局") == "县教育局组织开展培训"
    assert clauses.has_self_reference("本单位牵头") and not clauses.has_self_reference("县科协牵头")


def test_task_titles_are_woven_without_doubled_quotes():
    assert clauses.weave_title("落实中小学科学教育“双减”中做加法。") == "落实中小学科学教育‘双减’中做加法"
    assert clauses.short_title("实施职业技能提升行动，开展产业工人技能培训") == "开展产业工人技能培训"
    assert clauses.join_names(["县教育局", "团县委", "县科协", "县科技局", "县教育局"]) == "县教育局、团县委、县科协等4个部门"


def test_stocks_are_said_as_stocks_and_flows_with_their_change():
    museum = fig("SITE_MUSEUM", "科技馆", "个", 1, 1, flow=False)
    boards = fig("SITE_BOARD", "科普画廊/宣传栏", "个", 532, 498, flow=False)
    text = "".join(r.text for r in writing.figures_sentence([museum, boards], lead="全县", when="全年"))
    assert text == "全县现有科技馆1个；累计建成科普画廊（宣传栏）532个，新增34个。"
    half = fig("TRN_FARMER_P", "农村实用技术培训人次", "人次", 36400, 44500)
    assert writing.change_text(half, same_period=True) == "较上年同期下降18.2%"
    jump = fig("TRN_CADRE_P", "领导干部和公务员科学素质培训人次", "人次", 583, 110)
    assert writing.change_text(jump) == ""  # +430 %: not a comparable base


def test_participants_continue_only_their_own_count():
    day = fig("ACT_SCIDAY_N", "全国科普日活动", "次", 57)
    people = fig("ACT_EVENTS_TOTAL_P", "各类科普活动参加人次", "人次", 204800)
    text = "".join(r.text for r in writing.figures_sentence([day, people], lead="全县", when="全年"))
    assert "开展全国科普日活动57次；各类科普活动参与群众20.48万人次" in text


def test_problems_come_from_the_data_and_steps_answer_them():
    ctx = make_context()
    points = planning.problem_points(ctx, limit=5)
    kinds_ = [p.kind for p in points]
    assert kinds_[:3] == ["target", "lagging", "missing"]
    assert "科普示范村（社区）完成年度目标的85.7%" in points[0].problem
    assert "科普示范村（社区）" in points[0].answer
    assert "第4镇" in points[1].problem and "第4镇" in points[1].answer
    assert "县人力资源和社会保障局" in points[2].answer  # the unit that owes the unreported task
    text = planning.ordinal_points([p.problem for p in points])
    assert text.startswith("一是") and "；二是" in text and text.endswith("。")


def test_nothing_is_a_problem_without_data_or_words_behind_it():
    ctx = make_context(with_lower=False)
    ctx.key_figures = []
    ctx.sections = [ItemSection("A1", "青少年科学素质提升行动", figures=[fig("ACT_LECTURE_N", "讲座", "次", 40, 38)],
                                tasks=[TaskCheck("1", "举办讲座", ["县教育局"], [])],
                                narratives=[Narrative("县教育局", "举办讲座", progress="举办科普讲座")])]
    ctx.sections[0].tasks[0].narratives = ctx.sections[0].narratives
    ctx.problems, ctx.next_steps, ctx.lower_regions = [], [], [RegionFigure("甲镇", D(5))]
    assert planning.problem_points(ctx, limit=5) == []


def test_highlights_name_the_largest_reach_of_different_units_and_tasks():
    section = ItemSection("A2", "农民科学素质提升行动", narratives=[
        Narrative("县农业农村局", "开展培训", progress="开展相关活动10场（期），参与群众900人次"),
        Narrative("县科协", "开展培训", progress="开展相关活动5场（期），参与群众1200人次"),
        Narrative("县科技局", "推广新技术", progress="开展相关活动3场（期），参与群众300人次"),
    ])
    story = planning.section_story(section, said=set(), budget=planning.BUDGETS[0])
    assert [(h.unit, h.people) for h in story.highlights] == [("县科协", 1200), ("县科技局", 300)]
    assert story.actors == ["县科协", "县农业农村局", "县科技局"]


def test_next_steps_answer_with_next_years_targets_and_tasks():
    from kesu.reports.builders.document import build_document

    ctx = make_context()
    ctx.next_targets = [fig("DEMO_VILLAGE", "科普示范村（社区）", "个", None, target=40, flow=False)]
    ctx.next_tasks = ["实施青少年科学素质提升行动，建设农村中学科技馆", "开展“科普大篷车”巡展"]
    points = planning.problem_points(ctx, limit=5)
    assert "确保完成2027年科普示范村（社区）40个的目标" in points[0].answer
    text = build_document(ctx, with_charts=False).plain_text()
    steps = text[text.index("三、下步打算"):]
    assert "围绕2027年建设农村中学科技馆、开展‘科普大篷车’巡展等任务" in steps
