"""What is new in the writing layer's plan, on small hand-made contexts (no database): highlights from the activity
records, the literacy ratio cited with its source, a prefecture's counties pooled, the 自查报告 against the
region's self-assessment."""

from decimal import Decimal as D

from kesu.reports.builders import kinds, planning
from kesu.reports.builders.blocks import Heading, Paragraph, Table
from kesu.reports.builders.data import (
    ActivitySeries,
    AssessmentItem,
    LiteracyCitation,
    Narrative,
    SelfAssessment,
)
from kesu.reports.builders.document import build_document, opening

from .fixtures import make_context


def _series():
    return [
        ActivitySeries("县农业农村局", "高素质农民培训班", "开展农村实用技术培训", events=16, participants=31700,
                       places=16, month=2),
        ActivitySeries("县科协", "农村实用技术培训", "开展农村实用技术培训", events=12, participants=17000, places=12,
                       month=3),
        ActivitySeries("县科协", "文化科技卫生“三下乡”集中示范活动", "", events=3, participants=3065, places=3,
                       month=1, named=True),
        ActivitySeries("县妇联", "巾帼科技致富带头人培训班", "", events=2, participants=260, month=6,
                       first_time=True),
    ]


def _text(document) -> str:
    return "\n".join(b.text for b in [document.opening, *document.body] if isinstance(b, Paragraph))


def test_highlights_are_the_largest_reach_a_first_and_a_named_event_of_different_units():
    found = planning.activity_highlights(_series(), 3)
    assert [(h.kind, h.unit) for h in found] == [("reach", "县农业农村局"), ("first", "县妇联"), ("named", "县科协")]
    assert planning.activity_highlights(_series(), 1)[0].theme == "高素质农民培训班"


def test_a_section_cites_its_activity_records_rather_than_the_units_own_counts():
    ctx = make_context()
    ctx.sections[1].activities = _series()
    text = _text(build_document(ctx, with_charts=False))
    assert "县农业农村局组织高素质农民培训班16期，覆盖16个乡镇（街道），培训3.17万人次" in text
    assert "县妇联首次组织巾帼科技致富带头人培训班2期" in text or "县科协于1月集中组织文化科技卫生" in text


def test_the_opening_cites_the_survey_with_its_margin_or_the_published_result_as_such():
    ctx = make_context()
    ctx.literacy = LiteracyCitation(D("10.16"), D("0.9"), "示范县2026年公民科学素质抽样调查")
    text = opening(ctx).text
    assert "经抽样调查，全县公民具备科学素质的比例为10.16%（±0.9个百分点），比上年提高1.16个百分点。" in text
    assert text.count("10.16%") == 1
    ctx.literacy = LiteracyCitation(D("10.16"))
    text = opening(ctx).text
    assert "据已公布的公民科学素质监测结果，全县公民具备科学素质的比例为10.16%" in text and "抽样调查" not in text
    ctx.literacy = LiteracyCitation(None, None, "示范县2026年公民科学素质抽样调查")
    assert "有效样本量不足" in opening(ctx).text and "10.16%" not in opening(ctx).text


def test_a_prefecture_says_what_each_county_did():
    ctx = make_context()
    ctx.region_name = "示范市"
    ctx.sections[1].lower_narratives = [
        Narrative("甲县农业农村局", "开展农村实用技术培训", progress="我局在全县推行“田间课堂”，把培训办到合作社。",
                  region="甲县"),
        Narrative("乙县科协", "开展农村实用技术培训", progress="依托农技协开展柑橘修剪技术现场培训。", region="乙县"),
    ]
    ctx.sections[1].activities = [
        ActivitySeries("甲县农业农村局", "高素质农民培训班", events=9, participants=8000, places=7,
                       lower_region="甲县"),
        ActivitySeries("乙县科协", "柑橘修剪技术现场培训", events=5, participants=2100, places=4,
                       lower_region="乙县"),
    ]
    document = build_document(ctx, with_charts=False)
    heading = next(b for b in document.body if isinstance(b, Heading) and b.text == "各县（市、区）工作开展情况")
    paragraph = document.body[document.body.index(heading) + 1].text
    assert paragraph.startswith("甲县1个部门在全县推行“田间课堂”，把培训办到合作社")
    assert "乙县1个部门依托农技协开展柑橘修剪技术现场培训" in paragraph
    assert "全年登记科普活动5场（次），参与群众2100人次" in paragraph
    assert "我局" not in paragraph


def test_the_self_check_goes_item_by_item_against_the_assessment_with_scores_and_evidence():
    ctx = make_context(kinds.SELF_CHECK)
    plain = build_document(ctx, with_charts=False)
    assert not any(isinstance(b, Table) and b.caption == "考核内容自评情况" for b in plain.body)
    ctx.assessment = SelfAssessment("达州市2026年全民科学素质工作考核细则", "已提交", D("86.5"), [
        AssessmentItem("1", "组织领导", D("20"), D("18"), "召开领导小组会议2次", "会议纪要2份"),
        AssessmentItem("2", "重点任务完成情况", D("60"), D("52.5"), "", "活动台账", "实际值/目标值"),
        AssessmentItem("3", "数据报送", D("20"), None),
    ])
    document = build_document(ctx, with_charts=False)
    table = next(b for b in document.body if isinstance(b, Table) and b.caption == "考核内容自评情况")
    assert [[c.text for c in row] for row in table.rows] == [
        ["1", "组织领导", "20", "18", "召开领导小组会议2次；佐证材料：会议纪要2份"],
        ["2", "重点任务完成情况", "60", "52.5", "佐证材料：活动台账；实际值/目标值"],
        ["3", "数据报送", "20", "未自评", "—"]]
    assert "3项考核内容逐项自评（已自评2项），自评得分86.5分（满分100分）" in _text(document)


def test_a_target_beaten_is_said_in_its_section():
    text = _text(build_document(make_context(), with_charts=False))
    assert "农村实用技术培训期数完成年度目标的108.3%，超额完成年度任务。" in text
    half = _text(build_document(make_context(kinds.PROGRESS, period_id="2026S1", period_label="2026年上半年"),
                                with_charts=False))
    assert "超额完成年度任务" not in half
