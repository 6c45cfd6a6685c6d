"""Fact extraction rules, one sentence (written for these tests) per rule."""

import pytest

from kesu.extraction.engine.facts import extract


def facts(text):
    return [(f.text, f.value, f.value_high, f.unit, f.approx, f.suspicious) for f in extract(text)]


def one(text):
    found = extract(text)
    assert len(found) == 1, [f.text for f in found]
    return found[0]


# --- numerals and multipliers ----------------------------------------------------------

@pytest.mark.parametrize(
    "sentence, span, value, unit",
    [
        ("本季度共举办讲座三十余场。", "三十余场", 30, "场"),
        ("活动吸引两万人次参与。", "两万人次", 20000, "人次"),
        ("累计接待一千零八十三人。", "一千零八十三人", 1083, "人"),
        ("全县开办培训班七期。", "七期", 7, "期"),
        ("开展讲座百场。", "百场", 100, "场"),
        ("建成活动室十一个。", "十一个", 11, "个"),
        ("培训农民26.5万人。", "26.5万人", 265000, "人"),
        ("参与人数达27.36亿人次。", "27.36亿人次", 2.736e9, "人次"),
        ("发放手册8余万份。", "8余万份", 80000, "份"),
        ("接待游客3万多人次。", "3万多人次", 30000, "人次"),
        ("共培训学员5 000 人。", "5 000 人", 5000, "人"),
        ("展厅面积3.77万平 方米。", "3.77万平 方米", 37700, "平方米"),
        ("服务群众20万人 次。", "20万人 次", 200000, "人次"),
        ("收获干果500 万千克。", "500 万千克", 5e6, "千克"),
        ("新建展区2000㎡。", "2000㎡", 2000, "平方米"),
    ],
)
def test_numerals_and_multipliers(sentence, span, value, unit):
    f = one(sentence)
    assert (f.text, f.value, f.unit) == (span, value, unit)


def test_traditional_characters_and_full_width_digits_keep_original_spans():
    text = "本市舉辦培訓１２期，培訓農民３萬餘人次，資助96萬(wàn)元。"
    got = facts(text)
    assert got == [
        ("１２期", 12, None, "期", False, False),
        ("３萬餘人次", 30000, None, "人次", True, False),
        ("96萬(wàn)元", 960000, None, "元", False, False),
    ]
    for f in extract(text):
        assert text[f.start:f.end] == f.text


def test_pinyin_after_unit_is_not_in_span():
    f = one("完成課題16項(xiàng),成效顯著。")
    assert (f.text, f.value, f.unit) == ("16項", 16, "项")


# --- approximations ----------------------------------------------------------------------

@pytest.mark.parametrize(
    "sentence, span, value",
    [
        ("参加活动的群众近400人。", "400人", 400),
        ("今年约有500人报名。", "500人", 500),
        ("累计服务逾3000人次。", "3000人次", 3000),
        ("观众超过2万人。", "2万人", 20000),
        ("访问量突破1000人次。", "1000人次", 1000),
        ("建成场地500平方米以上。", "500平方米", 500),
        ("到场嘉宾200人左右。", "200人", 200),
        ("合作社会员1600余人。", "1600余人", 1600),
        ("服务团体近千个。", "千个", 1000),
        ("动员数百名志愿者。", "数百名", 100),
        ("征集几十件作品。", "几十件", 10),
        ("比例不足15%。", "15%", 15),
        ("每个基地每年至少开展12期培训。", "12期", 12),
    ],
)
def test_approximations(sentence, span, value):
    f = one(sentence)
    assert (f.text, f.value, f.approx) == (span, value, True)


def test_exact_numbers_are_not_approx():
    assert one("举办讲座12场。").approx is False


# --- ranges, percent, money ------------------------------------------------------------

def test_ranges_take_low_and_high():
    assert facts("每人掌握2—3门技术。") == [("2—3门", 2, 3, "门", False, False)]
    assert facts("每村配备1 ~ 2 名宣传员。") == [("1 ~ 2 名", 1, 2, "名", False, False)]
    assert facts("建好1-3个服务站。") == [("1-3个", 1, 3, "个", False, False)]
    assert facts("每项资助3万-5万元。") == [("3万-5万元", 30000, 50000, "元", False, False)]
    assert facts("受众3-5万人。") == [("3-5万人", 30000, 50000, "人", False, False)]


def test_date_and_age_ranges_are_not_facts():
    assert facts("活动于5月17~22日举行,面向18~69岁人群。") == []


def test_percent_and_percentage_points():
    assert facts("比例达到21.66%,提高1.38个百分点。") == [
        ("21.66%", 21.66, None, "%", False, False),
        ("1.38个百分点", 1.38, None, "百分点", False, False),
    ]


def test_shared_unit_enumeration():
    got = facts("各项指标分别提高了1.08、1.15和1.24个百分点。")
    assert [(t, v, u) for t, v, _, u, _, _ in got] == [
        ("1.08", 1.08, "百分点"), ("1.15", 1.15, "百分点"), ("1.24个百分点", 1.24, "百分点"),
    ]


def test_chengs_and_fractions():
    assert facts("超过六成的受访者满意。") == [("六成", 6, None, "成", True, False)]
    assert facts("约有1/4的村庄建有书屋。")[0][:4] == ("1/4", 0.25, None, "")


@pytest.mark.parametrize(
    "sentence, span, value",
    [
        ("投入资金400余万元。", "400余万元", 4_000_000),
        ("拨付1.526亿元。", "1.526亿元", 152_600_000),
        ("人均经费4.45元。", "4.45元", 4.45),
        ("每份成本仅3分钱。", "3分钱", 0.03),
    ],
)
def test_money_is_normalised_to_yuan(sentence, span, value):
    f = one(sentence)
    assert (f.text, f.value, f.unit) == (span, pytest.approx(value), "元")


def test_money_without_yuan_keeps_empty_unit():
    f = one("当年科普经费达到了60万,比上年略有增加。")
    assert (f.text, f.value, f.unit) == ("60万", 600000, "")


def test_big_plus_noun_pattern():
    f = one("围绕五大重点人群科学素质提升开展工作。")
    assert (f.text, f.value, f.unit, f.subject) == ("五大重点人群", 5, "", "重点人群")


def test_bare_number_before_plain_noun():
    f = one("全县19公办学校参与评比。")
    assert (f.text, f.value, f.unit) == ("19", 19, "")


def test_count_noun_phrase_ending_in_unit():
    f = one("全年接待2.5万参观人次。")
    assert (f.text, f.value, f.unit) == ("2.5万参观人次", 25000, "人次")


def test_parenthesised_second_unit_merges():
    assert facts("举办培训150場(次)。") == [("150場(次)", 150, None, "场次", False, False)]


def test_arabic_one_with_unit_is_a_fact_but_indefinite_yi_is_not():
    assert facts("建成1条科普长廊。") == [("1条", 1, None, "条", False, False)]
    assert facts("赠送一套丛书,举办一场讲座,培训一批骨干。") == []


# --- exclusions --------------------------------------------------------------------------

@pytest.mark.parametrize(
    "sentence",
    [
        "2019年5月30日召开大会。",
        "近3个月来持续推进,用了4个多小时,为期一周。",
        "我们坚持30多年来的传统,连续15年举办。",
        "面向60岁及以上老人开展服务,庆祝建馆40周年。",
        "第十四届科普活动月和第3届科学节同时开幕。",
        "荣获一等奖,首批入选,位列第二位。",
        "根据县府办[XX]168号文件,地址在学道街39号。",
        "咨询电话0531-66661234,邮编400715。",
        "落实十四五规划,开展三下乡活动,推进四建四化。",
        "形成9+3产业体系,部署3D打印和5G网络。",
        "坚持万众创新,实施千万农村劳动力培训工程。",
        "每万人拥有科普场馆的数量在增加。",
        "阅读量:891 点击:2805",
        "本页为范文精选17篇,约4.61千字。",
        "1、加强组织领导。",
        "落实“七个专项行动”要求。",
        "大家千方百计克服困难,走进千家万户。",
        "结合3.15消费者权益日和COVID-19疫情防控开展宣传。",
        "首页 > 通知公告 共3页 1 2 3 下一页",
        "Copyright © 2005-2023 版权所有 备案号12345678号-1",
        "相关文章: 科普日活动方案(5篇) 扫一扫 已有2.3万人关注",
    ],
)
def test_not_facts(sentence):
    assert facts(sentence) == []


def test_per_n_statistic_next_to_denominator_is_kept():
    got = facts("平均每96.60万人拥有一个科普场馆。")
    assert got == [("96.60万人", 966000, None, "人", False, False)]


# --- corrupted numbers -------------------------------------------------------------------

@pytest.mark.parametrize(
    "sentence, value, unit",
    [
        ("受益群众0余人。", 0, "人"),
        ("培训劳动者1。2万人。", 12000, "人"),
        ("覆盖率为31。35%。", 31.35, "%"),
        ("印发资料20xx余份。", 20, "份"),
        ("听取讲解x360余人。", 360, "人"),
        ("知晓率?8.7%。", 8.7, "%"),
        ("投入资金13黄芩茶叶.9亿元。", 1.39e9, "元"),
        ("发放传单IOoO多份。", 1000, "份"),
    ],
)
def test_corrupted_numbers_are_suspicious(sentence, value, unit):
    f = one(sentence)
    assert f.suspicious is True
    assert (f.value, f.unit) == (pytest.approx(value), unit)


def test_truncated_year_before_yilai_is_flagged():
    f = one("加大培训力度,20以来,各地积极行动。")
    assert (f.text, f.value, f.unit, f.suspicious) == ("20", 20, "", True)


def test_number_cut_off_at_excerpt_end():
    f = one("全省公民具备科学素质的比例达到43.")
    assert (f.text, f.value, f.unit, f.suspicious) == ("43", 43, "", True)


def test_impossible_share_is_suspicious_but_growth_is_not():
    assert one("老年人口占全部人口的比例为287%。").suspicious is True
    assert one("经费较上年增长164.7%。").suspicious is False


def test_part_larger_than_whole_is_suspicious():
    got = extract("全市常住人口3204万人,其中60岁以上老年人口7004万人,儿童520万人。")
    flags = {f.text: f.suspicious for f in got}
    assert flags == {"3204万人": False, "7004万人": True, "520万人": False}


def test_placeholder_year_is_not_a_fact():
    assert facts("20xx年工作总结") == []


# --- subjects ----------------------------------------------------------------------------

@pytest.mark.parametrize(
    "sentence, subject",
    [
        ("全市共举办农民技术培训45期。", "农民技术培训"),
        ("选派89名科技特派员下乡。", "科技特派员"),
        ("发放科普宣传资料3000份。", "科普宣传资料"),
        ("县农业局、县林业局、县妇联等12个部门参加。", "部门"),
    ],
)
def test_subjects(sentence, subject):
    assert one(sentence).subject == subject


def test_subject_after_classifier_is_preferred():
    assert one("市府投入经费,补助12所学校办理科学营。").subject == "学校"
    assert one("全县15个乡镇已全部覆盖。").subject == "乡镇"


def test_subject_is_in_original_script():
    assert one("選派121名科技特派員,深入田間。").subject == "科技特派員"


def test_english_passage_numbers():
    got = facts("The programme reached four cities and 8,593 people, a rate of 31.35% in 2019.")
    assert [(t, v, u) for t, v, _, u, _, _ in got] == [("four", 4, ""), ("8,593", 8593, ""), ("31.35%", 31.35, "%")]
