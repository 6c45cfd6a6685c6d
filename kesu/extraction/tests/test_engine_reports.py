"""Reports of a page (region, period, copies) and the features that say what kind of figure a fact is."""

import pytest

from kesu.extraction.engine.facts import extract
from kesu.extraction.engine.features import fact_features
from kesu.extraction.engine.job import link_facts
from kesu.extraction.engine.mapping import map_facts
from kesu.extraction.engine.reports import Gazetteer, detect_period, detect_region, read_reports

PLACES = ["四川省", "达州市", "渠县", "宣汉县", "通川区", "三汇镇"]
CITY = ("篇1：达州市2023年全民科学素质工作总结\n"
        "2023年，我市深入实施全民科学素质行动，全市共举办科普讲座860期，其中通川区举办95期。我市各县同步推进。\n")
COUNTY = ("篇2：渠县2023年科普工作总结\n"
          "今年，我县围绕重点任务，扎实推进全民科学素质工作。全县新建农家书屋88所，开展科普活动520余场次，"
          "发放图书4200册。我县群众反响良好，全县干部积极参与。\n")
PAGE = CITY + COUNTY + COUNTY.replace("篇2", "篇3").replace("群众反响良好", "群众普遍欢迎")


def test_page_is_split_into_reports_with_region_period_and_copies():
    page = read_reports(PAGE, places=PLACES)
    reports = page["reports"]
    assert [r["region"]["name"] for r in reports] == ["达州市", "渠县", "渠县"]
    assert [r["region"]["level"] for r in reports] == ["city", "county", "county"]
    assert all(r["period"]["years"] == [2023, 2023] for r in reports)
    assert [r["duplicate_of"] for r in reports] == [None, None, 1]  # 篇3 repeats 篇2 with one phrase changed
    evidence = reports[0]["region"]["evidence"]
    assert PAGE[evidence[0]["start"]:evidence[0]["end"]] == "达州市"  # evidence points into the page
    assert any(e["text"] == "我市" for e in evidence)


def test_facts_of_a_copy_link_to_the_original_and_a_sub_region_figure_is_named():
    catalogue = [{"code": "LECTURES", "name": "科普讲座期数", "unit": "期", "aliases": ["科普讲座"]}]
    mapped = map_facts(extract(PAGE), catalogue, PAGE)
    page = read_reports(PAGE, places=PLACES)
    link_facts(PAGE, page, mapped, PLACES)
    by = {}
    for k, m in enumerate(mapped):
        by.setdefault(m["fact"]["text"], []).append((k, m))
    (_, first), (_, copy) = by["88所"]
    assert first["copy_of"] is None and copy["copy_of"] == by["88所"][0][0]
    assert by["95期"][0][1]["place"]["name"] == "通川区"  # the district's figure inside the city's report
    assert by["860期"][0][1]["place"] is None


@pytest.mark.parametrize("title,body,name,level", [
    ("渠县科协2022年工作总结", "一年来，我县科普工作……", "渠县", "county"),
    ("关于全民科学素质工作的报告", "全市上下共同努力，我市科普工作……达州市科学技术协会", "达州市", "city"),
    ("科普工作情况汇报", "本区今年……全区……我区……", None, "county"),
    ("工作总结", "今年以来，各项工作稳步推进。", None, None),
    # Menu words and common nouns that end in a suffix are no places; level words in a list are no names.
    ("首页/新闻/娱乐市政/社区服务", "图片新闻", None, None),
    ("1、科普工作总结 按照市、县的总体部署，开展科普活动", "", None, None),
    ("科普活动月工作总结", "根据x县人民政府办公室的通知，我局开展了宣传活动。", None, "county"),  # a blanked-out name
    ("活动现场，东园社区、西岭社区等示范社区参加", "我县科协……我县……全县", None, "county"),
    # A county body co-hosting a province's forum is a participant: the report is the province's.
    ("论坛在某地举行", "本次论坛由省青少年科技中心、临江市科协主办。来自全省的科技老师……全省……全省",
     None, "province"),
    # 我省 in the title outweighs a body that speaks of 全国 more often; 全国科普示范市 is no self-reference.
    ("我省5名科普信息员进京参加活动", "全国评选……全国100名……全国第一……我省入选", None, "province"),
    ("科协召开全委会", "市委、市政府领导下，我市创建全国科普示范市、全国科普示范县", None, "city"),
])
def test_region_detection(title, body, name, level):
    found = detect_region(title, body, gazetteer=None)
    assert (found["name"], found["level"]) == (name, level)


@pytest.mark.parametrize("title,body,years,part,span", [
    ("2023年科普工作总结", "", [2023, 2023], "", ""),
    ("2021—2023年全民科学素质工作总结", "", [2021, 2023], "", ""),
    ("2024年上半年科普工作总结", "", [2024, 2024], "上半年", ""),
    ("科普工作汇报", "2023年以来……两年来，我县……", [2022, 2023], "", "两年来"),
    ("“十三五”科普工作总结", "“十三五”期间，我市……", [2016, 2020], "", "十三五”期间"),
    # Targets, starting points and a source's date are not the period; a page's date is, when nothing else says.
    ("农民培训", "到2025年，培训农民5000人次。据农业农村部2023年发布的数据……", None, "", ""),
    ("科技馆免费开放", "全省免费开放科技馆从2016年的12座增加到2024年的56座。", [2024, 2024], "", ""),
    ("科技馆局部更新展 日期 2025-12-15", "今年的展览……", [2025, 2025], "", ""),
    ("2020年11月16日星期一", "大会总结了2005年的工作。", [2005, 2005], "", ""),
    # Years in Chinese numerals, as formal documents write them; months and quarters of a part of the year.
    ("二〇二三年全民科学素质工作总结", "", [2023, 2023], "", ""),
    ("科普工作总结", "二零二四年上半年，我县……", [2024, 2024], "上半年", ""),
    ("渠县科协2024年1—6月工作总结", "", [2024, 2024], "1—6月", ""),
    ("前三季度科普工作情况", "2024年前三季度，全县……", [2024, 2024], "前三季度", ""),
    ("科普场馆建设", "2025年前完成建设任务。", None, "", ""),  # a deadline, not the period
])
def test_period_detection(title, body, years, part, span):
    found = detect_period(title, body)
    assert found["years"] == years and found["part"] == part and found["span"].strip("“") == span
    page = title + body  # evidence quotes the page as written (二〇二三年, not 2023年)
    assert all(page[e["start"]:e["end"]] == e["text"] for e in detect_period(title, body, len(title))["evidence"]
               if e["kind"].startswith("开头"))


@pytest.mark.parametrize("title,body,name,level", [
    # A site's masthead (a 科协's name, twice: logo text and alt text) yields to the body the headline names.
    ("2020年11月16日星期一", "2020年11月16日星期一\n江城市科学技术协会江城市科学技术协会\n\n南溪市科协召开全委会\n"
     "南溪市科协主席作工作报告。", "南溪市", "city"),
    ("江城市科学技术协会", "江城市科学技术协会\n南溪区科协开展科普日活动\n我区群众踊跃参加。", "南溪区", "county"),
    ("江城市科学技术协会门户网站", "江城市科学技术协会门户网站\n南溪区科协开展科普日活动\n我区群众踊跃参加。",
     "南溪区", "county"),
    # A yearbook entry names its province once in its prose, then says 全省; a county 科协 in it is a participant.
    ("词条 | 农村科普", "词条 | 农村科普\n北岭省最早的科普协会成立于1982年，由青河县科协创办。全省已有科普协会120个。",
     "北岭省", "province"),
    # Two provinces named: neither is taken.
    ("农村科普", "北岭省，南岭省两地科协签订协议。全省已有科普协会120个。", None, "province"),
])
def test_region_from_mastheads_and_prose(title, body, name, level):
    found = detect_region(title, body, gazetteer=None)
    assert (found["name"], found["level"]) == (name, level)


@pytest.mark.parametrize("gazetteer", [None, PLACES])
@pytest.mark.parametrize("title,rest,name", [
    # A title naming a chain of places is the last one's report; 我县 in the body picks the county among several.
    ("达州市渠县2023年科普工作总结", "今年，我县科普工作稳步推进，全县……", "渠县"),
    ("四川省达州市渠县科协2023年工作总结", "全年开展活动……", "渠县"),
    ("渠县三汇镇2024年科普工作总结", "我镇以示范村创建为抓手，全镇……", "三汇镇"),
    ("达州市科协：渠县创新开展科普进万家活动", "近日，渠县科协走进社区。我县群众踊跃参加。", "渠县"),
    ("达州市2023年全民科学素质工作总结", "我市各县区协同推进，渠县、宣汉县……", "达州市"),
])
def test_the_title_place_that_is_the_reports(title, rest, name, gazetteer):
    body = f"{title}\n{rest}"
    assert detect_region(title, body, gazetteer=Gazetteer(gazetteer) if gazetteer else None)["name"] == name


def test_years_widen_only_for_a_span_framing_the_report():
    # 近10年来 in a later paragraph (a quoted official's cumulative figure) is not the news item's period.
    news = "记者获悉，全国开放科技馆从2015年的90座增加到2024年的400座。\n“科技馆是惠民举措。”他说。\n近10年来，累计补助60亿元。"
    assert detect_period("科技馆开放数量增加", news)["years"] == [2024, 2024]
    # In the paragraph stating the year, the span frames the report: 三年来 widens 2024 back to 2022.
    review = "2024年是创建的第三年，三年来，我县累计建成科普阵地40个。"
    assert detect_period("创建工作汇报", review)["years"] == [2022, 2024]
    # A year the title states is the report's: 三年来 in an annual report's body is one figure's span.
    assert detect_period("渠县2023年科普工作总结", "三年来，我县累计建成科普阵地40个。")["years"] == [2023, 2023]


# Openings of kinds the development texts lack, written for these tests: (title, rest of the body, region, period).
OPENINGS = [
    ("通川区2024年全民科学素质工作自查报告", "按照市里的要求，我区对照考核细则逐项自查。2024年，全区举办科普讲座60期。",
     ("通川区", "county"), ([2024, 2024], "", "")),
    ("渠县科协2025年上半年工作总结", "上半年，我县科协围绕中心工作，开展科普活动120场次。",
     ("渠县", "county"), ([2025, 2025], "上半年", "")),
    ("宣汉县创建全国科普示范县两年来工作回顾", "两年来，在县委、县政府的领导下，我县扎实推进创建工作。2024年，全县新建科普阵地12个。",
     ("宣汉县", "county"), ([2023, 2024], "", "两年来")),
    ("全民科学素质工作情况汇报", "2023年，我省深入实施全民科学素质行动。渠县科协创新开展科普大篷车进乡村活动。全省共举办活动3万场次。"
     "\n四川省科学技术协会", ("四川省", "province"), ([2023, 2023], "", "")),
    ("三汇镇2024年科普工作总结", "今年以来，我镇以科普示范村创建为抓手，全镇开展科普培训25期。",
     ("三汇镇", "town"), ([2024, 2024], "", "")),
    ("科普工作总结", "今年以来，我镇以科普示范村创建为抓手，全镇开展科普培训25期。我镇群众踊跃参加。",
     (None, "town"), (None, "", "")),
    ("渠县2023年科普工作总结", "在达州市科协的指导下，我县全年开展科普活动300余场。全县参与群众5万人次。",
     ("渠县", "county"), ([2023, 2023], "", "")),
    ("东城街道2024年科普工作总结", "一年来，我街道以社区科普为重点，开展活动40场。",
     ("东城街道", "town"), ([2024, 2024], "", "")),
    ("峨边彝族自治县2023年全民科学素质工作总结", "2023年，我县共培训农民3200人次。",
     ("峨边彝族自治县", "county"), ([2023, 2023], "", "")),
    ("渠县举办科普讲座 2024-05-20 来源：渠县科协", "近日，县科协在文化广场举办科普讲座。",
     ("渠县", "county"), ([2024, 2024], "", "")),
    ("渠县科协2023年工作总结及2024年工作打算", "一年来，我县科协坚持服务群众。", ("渠县", "county"), ([2023, 2023], "", "")),
    ("渠縣2023年科普工作總結", "今年，我縣圍繞重點任務開展科普活動。全縣新建農家書屋88所。",
     ("渠县", "county"), ([2023, 2023], "", "")),
    ("2024年第三季度科普工作简报", "本季度，全区开展科普活动45场。", (None, "county"), ([2024, 2024], "第三季度", "")),
    ("达州市科学技术协会达州市科学技术协会", "通川区科协开展科普日活动\n9月18日，通川区科协在城区广场开展科普日活动，"
     "我区群众2000余人参加。", ("通川区", "county"), (None, "", "")),
    ("关于2022—2024年科普工作的自查报告", "三年来，我县认真落实科学素质纲要。", (None, "county"), ([2022, 2024], "", "三年来")),
]


@pytest.mark.parametrize("gazetteer", [None, PLACES + ["东城街道", "峨边彝族自治县"]])
@pytest.mark.parametrize("title,rest,region,period", OPENINGS)
def test_openings_of_other_kinds(title, rest, region, period, gazetteer):
    body = f"{title}\n{rest}"  # as read_reports passes it: the body starts with the title line
    page = read_reports(body, places=gazetteer)["reports"]
    assert len(page) == 1
    found, when = page[0]["region"], page[0]["period"]
    assert (found["name"], found["level"]) == region
    assert (when["years"], when["part"], when["span"]) == period
    assert all(body[e["start"]:e["end"]] == e["text"] for e in found["evidence"] + when["evidence"])


@pytest.mark.parametrize("sentence,number,feature,value", [
    ("计划培训农民500人次。", "500", "kind", "target"),
    ("到2025年，公民具备科学素质的比例达到15%。", "15", "kind", "target"),
    ("全年培训农民3500人次。", "3500", "kind", "result"),
    ("三年来，共开展科普讲座36次。", "36", "span", "cumulative"),
    ("“十三五”期间，建成科普示范基地12个。", "12", "span", "cumulative"),
    ("全年累计培训3400人次。", "3400", "span", "year"),
    ("人均科普经费0.03元。", "0.03", "measure", "per_capita"),
    ("每万人拥有科普人员12名。", "12", "measure", "per_capita"),
    ("科普经费比上年增长12%。", "12", "measure", "growth"),
    ("公民具备科学素质的比例为11.2%。", "11.2", "measure", "share"),
    ("全市开展讲座1083期，其中城区139期。", "139", "component", True),
    ("全市开展讲座1083期，其中城区139期。", "1083", "total_marker", True),
])
def test_features_say_what_kind_of_figure_it_is(sentence, number, feature, value):
    fact = next(f for f in extract(sentence) if f.text.startswith(number))
    assert fact_features(sentence, fact.start, fact.end, fact.unit)[feature] == value


CATALOGUE = [
    {"code": "MUSEUMS", "name": "科技馆数量", "unit": "个", "aliases": ["科技馆"]},
    {"code": "STAFF_FULL", "name": "科普专职人员", "unit": "人", "aliases": []},
    {"code": "GUIDES", "name": "科技辅导员", "unit": "人", "aliases": ["辅导员"]},
    {"code": "PERCAP", "name": "人均科普专项经费", "unit": "元/人", "aliases": ["人均科普经费"]},
    {"code": "DEMO_VILLAGES", "name": "科普示范村", "unit": "个", "aliases": ["示范村"]},
    {"code": "FARMER_P", "name": "农村实用技术培训人次", "unit": "人次", "aliases": ["农民培训", "实用技术培训"]},
    {"code": "FUND", "name": "科普经费", "unit": "万元", "aliases": ["经费"]},
    {"code": "LITERACY", "name": "公民具备科学素质的比例", "unit": "%", "aliases": ["具备科学素质"]},
    {"code": "HQ_FARMER", "name": "高素质农民培育人数", "unit": "人", "aliases": ["培训高素质农民"],
     "population": ["农民"]},
    {"code": "COMMUNITIES", "name": "城镇社区数", "unit": "个", "aliases": ["社区数"]},
    {"code": "EVENTS_P", "name": "各类科普活动参加人次", "unit": "人次", "aliases": ["参加人员", "受益群众"]},
    {"code": "LECTURE_P", "name": "科普（技）讲座参加人次", "unit": "人次", "aliases": ["参加讲座人员"]},
    {"code": "LEADERS", "name": "农村科普带头人", "unit": "人", "aliases": ["科普带头人"]},
    {"code": "DONATION", "name": "捐赠", "unit": "万元", "aliases": ["社会捐赠"]},
    {"code": "EXHIB_AREA", "name": "科技馆展厅面积", "unit": "平方米", "aliases": ["展厅面积"]},
    {"code": "LECTURE_N", "name": "科普（技）讲座", "unit": "次", "aliases": ["科普讲座"]},
    {"code": "VISITS", "name": "科技馆当年参观人次", "unit": "人次", "aliases": ["科技馆接待观众"]},
]


@pytest.mark.parametrize("text,number", [
    ("科技馆建设由36个部门共同推进。", "36"),  # a counting word that is not the indicator's thing
    ("全市建成科普示范乡镇16个。", "16"),  # a neighbouring thing (乡镇, not 村)
    ("计划开展农民实用技术培训500人次。", "500"),  # a plan
    ("三年来，累计开展农民实用技术培训9000人次。", "9000"),  # a multi-year total
    ("人均科普经费0.03元。", "0.03"),  # per capita, not the total
    ("公民具备科学素质的比例比上年提高1.2%。", "1.2"),  # a growth, not the level
    ("到2025年，公民具备科学素质的比例达到15%。", "15"),  # a target
    ("全市科技馆和科学技术类博物馆共计21个。", "21"),  # a combined total is not the narrower indicator
    ("全市科普场馆共有12个。", "12"),  # a broader thing
    ("全市科普专、兼职人员共计3200人。", "3200"),  # both together
    ("评选出优秀科技辅导员10名。", "10"),  # prize winners are not staff
    ("科技馆数量从2019年的5个增加到8个。", "5"),  # another year's figure
    ("全市科技馆年均新增2个。", "2"),  # an average
    ("科技馆年均接待观众5万人次，开展科普活动300场次。", "300"),  # 年均 said once for the whole enumeration
    ("全市科普经费投入首次突破200万元。", "200"),  # a round mark passed, not the statistic
    ("全市建成包括科技馆在内的科普场所9个。", "9"),  # a wider total including the indicator
    ("开展培训，全年培训农民工3000人、失地农民培训800名。", "3000"),  # not the farmers of 实用技术培训
    ("开展培训，全年培训农民工3000人、失地农民培训800名。", "800"),
    ("送科技进社区，先后走进6个社区。", "6"),  # where an activity went, not the region's number of communities
    ("农民丰收节举行，参加实用技术展示的农民1200人次。", "1200"),  # participants are not trainees
    ("受益群众0余人。", "0"),  # a corrupted number
    ("参加义诊的有内科、外科医生及工作人员共12人。", "12"),  # the staff, not the audience
    ("参赛学生、辅导员等1500余人参加闭幕式。", "1500"),  # a ceremony's attendance
    ("培训农村科普带头人后，全年培训人数1万人。", "1"),  # trainees are not 带头人
    ("科协向贫困学校捐赠2万元。", "2"),  # money given away is no donation received
    ("全市科技馆总建筑面积达3.5万平方米。", "3.5"),  # a building's area is not the exhibition area
    ("千场讲座进社区活动启动。", "千"),  # a campaign's name
    ("科技馆从2015年的9座增加到2024年的40座，累计接待观众超4万人次。", "4"),  # 累计 over the years named
])
def test_figures_of_another_kind_stay_unmapped(text, number):
    found = next(m for m in map_facts(extract(text), CATALOGUE, text) if m["fact"]["text"].startswith(number))
    assert found["code"] is None


def test_a_figure_blocked_from_one_indicator_goes_to_the_next_compatible_one():
    text = "举办科普讲座12期，参加人员2000余人。"  # the lecture's audience, not all activities' participants
    found = next(m for m in map_facts(extract(text), CATALOGUE, text) if m["fact"]["text"].startswith("2000"))
    assert found["code"] == "LECTURE_P"
    text = "举办培训班12期，开展各类科普活动300场次。"  # a clause naming all activities keeps the total
    events = [{"code": "EVENTS_N", "name": "各类科普活动", "unit": "场次", "aliases": ["开展科普活动"]}]
    assert map_facts(extract(text), CATALOGUE + events, text)[1]["code"] == "EVENTS_N"
    text = "全县辖城镇社区15个。"  # a stock count stated as such still maps
    assert map_facts(extract(text), CATALOGUE, text)[0]["code"] == "COMMUNITIES"
    text = "全年获得社会捐赠2万元。"
    assert map_facts(extract(text), CATALOGUE, text)[0]["code"] == "DONATION"
    text = "全县培训农民5000人。"  # 高素质农民 is narrower than the farmers the figure names: the plain training
    assert map_facts(extract(text), CATALOGUE, text)[0]["code"] == "FARMER_P"


def test_the_blocked_indicator_and_reason_are_kept_for_the_reviewer():
    text = "计划开展农民实用技术培训500人次。"
    found = map_facts(extract(text), CATALOGUE, text)[0]
    assert found["features"]["blocked"]["code"] == "FARMER_P"
    assert "目标" in found["features"]["blocked"]["reason"]


def test_a_plain_result_still_maps():
    text = "全年开展农民实用技术培训3500人次，建成科普示范村8个，科普经费86.5万元。"
    codes = {m["fact"]["text"]: m["code"] for m in map_facts(extract(text), CATALOGUE, text)}
    assert codes == {"3500人次": "FARMER_P", "8个": "DEMO_VILLAGES", "86.5万元": "FUND"}


def test_a_total_never_maps_to_a_per_capita_indicator():
    text = "全市人均科普经费投入总额586万元。"
    found = map_facts(extract(text), [c for c in CATALOGUE if c["code"] == "PERCAP"], text)[0]
    assert found["code"] is None


def test_a_per_capita_figure_maps_to_a_per_capita_indicator():
    text = "全市人均科普专项经费3.2元。"
    found = map_facts(extract(text), CATALOGUE, text)[0]
    assert found["code"] == "PERCAP" and found["value"] == 3.2


def test_a_headline_figure_is_marked_so_bulk_accept_takes_the_body_sentence():
    text = "我市科普经费突破500万元\n2023年，全市科普经费筹集额达到512.6万元。"
    by = {m["fact"]["text"]: m["features"] for m in map_facts(extract(text), CATALOGUE, text)}
    assert by["500万元"]["heading"] and by["500万元"]["threshold"]
    assert not by["512.6万元"]["heading"] and not by["512.6万元"]["threshold"]


def test_a_section_repeated_in_another_report_is_linked_to_the_first():
    shared = ("一、农民科学素质提升\n组织农业专家深入乡镇和行政村，围绕主导产业开展实用技术培训，全年培训农民3500人次，"
              "发放科普资料8000余份，覆盖所有乡镇，群众反响良好，参训农民普遍掌握了一到两门实用技术。\n")
    own1 = ("2023年，我县扎实推进科普工作，全县举办科普讲座45次，邀请市内外专家授课，内容涵盖健康养生、防灾减灾、"
            "应急避险和网络安全等方面；县科技馆全年免费开放，接待中小学生研学团队32批次，馆校合作课程覆盖全部初中。\n")
    own2 = ("2023年，我县围绕中心工作，全县建成科普示范村12个，开展科普日活动8次，组织科技志愿者走进社区和学校，"
            "开设老年人智能手机使用课堂，编印乡土科普读本两种；县融媒体中心开设科普专栏，全年播出节目五十余期。\n")
    page = "篇1：渠县2023年科普工作总结\n" + own1 + shared + "篇2：宣汉县2023年科普工作总结\n" + own2 + shared
    found = read_reports(page, places=PLACES)
    assert [r["duplicate_of"] for r in found["reports"]] == [None, None]  # different reports …
    assert len(found["copied_sections"]) == 1  # … sharing one section
    mapped = map_facts(extract(page), [], page)
    link_facts(page, found, mapped, PLACES)
    copies = [m for m in mapped if m["copy_of"] is not None]
    assert {m["fact"]["text"] for m in copies} == {"3500人次", "8000余份"}
    assert all(mapped[m["copy_of"]]["report"] == 0 and m["report"] == 1 for m in copies)


def test_a_province_named_once_by_its_short_form_names_the_region_with_the_place_list():
    body = "农村科普\n四川最早的科普协会成立于1982年。全省已有科普协会120个，达州也有。"
    region = read_reports(body, places=PLACES)["reports"][0]["region"]
    assert (region["name"], region["level"]) == ("四川省", "province")
    assert body[region["evidence"][-1]["start"]:region["evidence"][-1]["end"]] == "四川"
