"""Cleaning, splitting and de-duplication on a compilation page written for this test."""

import pytest

from kesu.extraction.engine.clean import boilerplate_flags, clean_text
from kesu.extraction.engine.dedup import differing_passages, find_duplicate_sections, find_near_duplicates
from kesu.extraction.engine.split import section_at, split_documents, split_sections

BODY_A = (
    "一、组织领导\n"
    "镇政府成立科普工作小组,由分管副镇长任组长,统筹全镇科普资源,制定年度计划并按季度督查落实情况。\n"
    "二、农民培训\n"
    "全年举办种植技术培训班18期,培训农民2100人次;一是邀请农技专家进村授课,二是组织示范户外出参观学习。\n"
    "三、青少年活动\n"
    "在中心小学举办科技节,开展小制作比赛和科学实验秀,参与学生860名,评出优秀作品45件。\n"
)
BODY_B = BODY_A.replace("18期", "21期").replace("2100人次", "2400人次")
BODY_C = (
    "一、基本情况\n"
    "社区依托党群服务中心建设科普角,配置电子阅读屏两台,每月更新展板内容,吸引居民驻足阅读与交流讨论。\n"
    "二、主要做法\n"
    "联合卫生院开展健康讲座9场,发放健康手册1500份,为老年居民测量血压并建立随访档案,反响良好。\n"
)

PAGE = (
    "某某范文网 > 工作总结\n"
    "收藏本文 下载本文 分享\n"
    "下面是小编为大家整理的工作总结(共3篇),欢迎阅读分享,希望对您有帮助。\n"
    "篇1:镇科普工作总结\n" + BODY_A +
    "篇2:镇科普工作总结\n" + BODY_B +
    "篇3:社区科普工作汇报\n" + BODY_C +
    "相关推荐\n"
    "乡镇科普工作计划\n"
    "社区科普活动方案\n"
    "学校科技节活动总结\n"
    "点击下载本文\n"
)


def test_boilerplate_lines_are_flagged_by_shape():
    lines = PAGE.split("\n")
    flags = dict(zip(lines, boilerplate_flags(PAGE), strict=True))
    assert flags["收藏本文 下载本文 分享"] is True
    assert flags["乡镇科普工作计划"] is True  # a link list of short unpunctuated lines
    assert flags["社区科普活动方案"] is True
    assert flags["点击下载本文"] is True
    assert flags["一、组织领导"] is False  # a heading followed by prose stays
    assert flags[BODY_C.split("\n")[1]] is False


def test_clean_text_keeps_offsets_to_the_original():
    tm = clean_text(PAGE)
    assert "收藏本文" not in tm.text
    assert "种植技术培训班18期" in tm.text
    i = tm.text.index("18期")
    assert PAGE[tm.to_original(i):tm.to_original(i) + 3] == "18期"


def test_split_documents_finds_three_reports():
    docs = split_documents(PAGE)
    assert [d.title for d in docs] == ["镇科普工作总结", "镇科普工作总结", "社区科普工作汇报"]
    assert "21期" in docs[1].text and "18期" not in docs[1].text
    assert "乡镇科普工作计划" not in docs[2].text  # the trailing link list is dropped
    assert PAGE[docs[0].start:].startswith("篇1")


def test_split_documents_by_repeated_title():
    title = "二〇二三年科协工作总结"
    page = title + "\n" + BODY_A + title + "\n" + BODY_C
    docs = split_documents(page)
    assert len(docs) == 2
    assert docs[1].text.startswith(title)


def test_split_sections_levels_and_inline_points():
    secs = split_sections(BODY_A)
    headings = [(s.level, s.heading) for s in secs]
    assert (1, "一、组织领导") in headings
    assert (1, "二、农民培训") in headings
    points = [s for s in secs if s.level == 5]
    assert [p.heading[:2] for p in points] == ["一是", "二是"]
    pos = BODY_A.index("18期")
    assert section_at(secs, pos).heading == "二、农民培训"
    assert section_at(secs, BODY_A.index("860名")).heading == "三、青少年活动"


def test_near_duplicates_report_the_copy_with_differences():
    docs = {f"doc{i}": d.text for i, d in enumerate(split_documents(PAGE), 1)}
    pairs = find_near_duplicates(docs, threshold=0.7)
    assert [(p.a, p.b) for p in pairs] == [("doc1", "doc2")]
    assert pairs[0].score > 0.8
    changed = " ".join(d["a_text"] + " " + d["b_text"] for d in pairs[0].differences)
    assert "18期" in changed and "21期" in changed


def test_unrelated_documents_are_not_duplicates():
    pairs = find_near_duplicates({"a": BODY_A, "c": BODY_C}, threshold=0.5)
    assert pairs == []


def test_truncated_copy_scores_high_by_overlap():
    full = BODY_A + BODY_C
    pairs = find_near_duplicates({"full": full, "part": BODY_A}, threshold=0.9)
    assert len(pairs) == 1
    assert pairs[0].score > 0.95
    assert pairs[0].jaccard < 0.8


def test_duplicate_sections_across_documents():
    docs = {"x": BODY_A, "y": BODY_C + BODY_A.split("三、")[0]}
    pairs = find_duplicate_sections(docs, threshold=0.9, min_chars=20)
    assert pairs, "the copied sections should be found"
    assert all(p.a.split("@")[0] != p.b.split("@")[0] for p in pairs)


def test_differing_passages_points_at_changed_sentence():
    diffs = differing_passages("甲乙丙。今年培训18期。丁戊。", "甲乙丙。今年培训21期。丁戊。")
    assert len(diffs) == 1
    assert diffs[0]["a_text"] == "今年培训18期。" and diffs[0]["b_text"] == "今年培训21期。"


@pytest.mark.parametrize("n", [300])
def test_dedup_scales_with_banding_not_pairs(n):
    import random

    rng = random.Random(7)
    alphabet = "科普培训农民活动讲座志愿者资料基地社区学校青少年工作开展组织举办推进提升服务群众"
    docs = {f"d{i}": "".join(rng.choice(alphabet) for _ in range(400)) for i in range(n)}
    docs["copy"] = docs["d5"][:380] + "改动"
    pairs = find_near_duplicates(docs, threshold=0.8, with_differences=False)
    assert [(p.a, p.b) for p in pairs] == [("d5", "copy")] or [(p.a, p.b) for p in pairs] == [("copy", "d5")]


def test_cleaning_removes_source_watermarks_inside_a_paragraph():
    from kesu.extraction.engine import clean_text

    text = "全年培训农民3500人次。本文来源www.example-fanwen.com/a/1.html 发放资料8000份。\n"
    cleaned = clean_text(text).text
    assert "本文来源" not in cleaned and "example" not in cleaned
    assert "3500人次" in cleaned and "发放资料8000份" in cleaned


def test_section_finder_agrees_with_section_at():
    from kesu.extraction.engine.split import section_at, section_finder, split_sections

    text = "一、培训\n（一）农民\n一是办班，二是下乡。\n（二）青少年\n1. 竞赛\n二、经费\n全年筹集。"
    sections = split_sections(text)
    find = section_finder(sections)
    for pos in range(len(text) + 1):
        a, b = section_at(sections, pos), find(pos)
        assert (a and (a.start, a.level)) == (b and (b.start, b.level))


def test_a_reports_first_figures_are_not_under_the_last_heading_of_the_report_before(tmp_path):
    from kesu.extraction.engine.job import run

    page = ("篇1：甲县2019年科普工作总结\n2019年，我县开展科普讲座30场。\n一、科普经费\n全县科普经费筹集额50万元。\n"
            "篇2：乙县2019年科普工作总结\n2019年，我县开展科普讲座45场。\n二、队伍建设\n全县注册科普志愿者800人。\n")
    path = tmp_path / "两篇.txt"
    path.write_text(page, encoding="utf-8")
    out = run({"kind": "txt", "path": str(path)})
    assert len(out["reports"]) == 2
    sections = {f["fact"]["text"]: f["section"] for f in out["facts"]}
    assert sections["50万元"] == "一、科普经费" and sections["45场"] == "" and sections["800人"] == "二、队伍建设"
