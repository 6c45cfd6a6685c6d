"""Mapping facts to indicators with a small catalogue defined here."""

import pytest

from kesu.extraction.engine.facts import extract
from kesu.extraction.engine.mapping import convert_value, map_facts, phrase_match, unit_compatibility

CATALOGUE = [
    {"code": "TRN_FARMER_SESSIONS", "name": "农村实用技术培训期数", "unit": "期",
     "aliases": ["农村实用技术培训", "农民培训", "技术培训"], "population": ["农民", "农村", "农户"]},
    {"code": "TRN_FARMER_P", "name": "农村实用技术培训人次", "unit": "人次",
     "aliases": ["农村实用技术培训", "农民培训", "培训"], "population": ["农民", "农村", "农户"]},
    {"code": "ACT_LECTURE_N", "name": "科普讲座", "unit": "次", "aliases": ["讲座", "报告会"]},
    {"code": "ACT_LECTURE_P", "name": "讲座参加人次", "unit": "人次", "aliases": ["讲座", "报告会"]},
    {"code": "MEDIA_MATERIALS", "name": "发放科普资料", "unit": "份", "aliases": ["科普资料", "宣传资料", "资料"]},
    {"code": "FUND_RAISED", "name": "年度科普经费筹集额", "unit": "万元", "aliases": ["科普经费", "经费", "资金"]},
    {"code": "HR_VOLUNTEER", "name": "注册科普志愿者", "unit": "人", "aliases": ["志愿者"]},
    {"code": "ACT_SCIDAY_N", "name": "全国科普日活动", "unit": "次", "aliases": ["科普日"]},
]

REPORT = (
    "一、农民科学素质工作\n"
    "围绕主导产业,全年举办实用技术培训26期,累计培训3400人次,发放宣传资料5200份。\n"
    "二、科普经费与队伍\n"
    "全年筹集科普经费85万元,注册科普志愿者620人,举办科普讲座14次,听众1800人次。\n"
    "三、重大活动\n"
    "组织全国科普日活动3次,参观游客很多。\n"
)


def mapped():
    return {m["fact"]["text"]: m for m in map_facts(extract(REPORT), CATALOGUE, text=REPORT)}


def test_training_facts_under_farmer_section():
    m = mapped()
    assert m["26期"]["code"] == "TRN_FARMER_SESSIONS"
    assert m["3400人次"]["code"] == "TRN_FARMER_P"
    assert m["3400人次"]["section"] == "一、农民科学素质工作"
    assert 0 < m["3400人次"]["confidence"] <= 1


def test_money_is_converted_to_the_indicator_unit():
    m = mapped()["85万元"]
    assert m["code"] == "FUND_RAISED"
    assert m["fact"]["value"] == 850000
    assert m["value"] == pytest.approx(85.0)
    assert m["unit"] == "万元"


def test_other_indicators():
    m = mapped()
    assert m["5200份"]["code"] == "MEDIA_MATERIALS"
    assert m["620人"]["code"] == "HR_VOLUNTEER"
    assert m["14次"]["code"] == "ACT_LECTURE_N"
    assert m["1800人次"]["code"] == "ACT_LECTURE_P"
    assert m["3次"]["code"] == "ACT_SCIDAY_N"


def test_unmapped_facts_are_kept_with_code_none():
    text = "新建停车位45个。"
    out = map_facts(extract(text), CATALOGUE, text=text)
    assert len(out) == 1
    assert out[0]["code"] is None and out[0]["value"] is None
    assert out[0]["fact"]["text"] == "45个"


def test_population_keywords_decide_between_indicators():
    cat = [
        {"code": "TRN_FARMER_P", "name": "农民培训人次", "unit": "人次", "aliases": ["培训"], "population": ["农民"]},
        {"code": "TRN_YOUTH_P", "name": "青少年培训人次", "unit": "人次", "aliases": ["培训"], "population": ["青少年", "学生"]},
    ]
    text = "一、青少年科学素质\n开展学生科技培训900人次。\n二、农民科学素质\n开展种养技术培训700人次。\n"
    out = {m["fact"]["text"]: m["code"] for m in map_facts(extract(text), cat, text=text)}
    assert out == {"900人次": "TRN_YOUTH_P", "700人次": "TRN_FARMER_P"}


def test_works_on_fact_dicts_without_text():
    fact = {"text": "12期", "start": 0, "end": 3, "value": 12, "value_high": None, "unit": "期",
            "approx": False, "subject": "农民实用技术培训", "suspicious": False}
    out = map_facts([fact], CATALOGUE)
    assert out[0]["code"] == "TRN_FARMER_SESSIONS"


def test_unit_helpers():
    assert unit_compatibility("人次", "人次") == 1.0
    assert unit_compatibility("元", "万元") == 1.0
    assert unit_compatibility("个", "万元") == 0.0
    assert 0 < unit_compatibility("名", "人") < 1
    assert convert_value(4_000_000, "元", "万元") == 400
    assert convert_value(7, "期", "期") == 7
    # A figure already in 万元 or 亿元 (an accepted fact's unit, a catalogue's) fits and keeps its scale.
    assert unit_compatibility("万元", "万元") == 1.0 and unit_compatibility("亿元", "万元") == 1.0
    assert convert_value(86.5, "万元", "万元") == 86.5 and convert_value(2, "亿元", "万元") == 20000
    assert phrase_match("科普讲座", "举办科普讲座") == 1.0
    assert phrase_match("科普讲座", "完全无关") == 0.0


def test_farmer_training_is_recognised_without_the_word_farmer():
    """农村实用技术培训 is the farmers' training although the clause never says 农民 (rural, 农户, 村民 do)."""
    from kesu.bench.mapping import builtin_catalogue

    text = "全年开展农村实用技术培训120期。"
    assert map_facts(extract(text), builtin_catalogue(), text)[0]["code"] == "TRN_FARMER_SESSIONS"
