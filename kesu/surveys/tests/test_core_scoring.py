"""Scoring and screening of the pure survey core (no database)."""

import numpy as np
import polars as pl
import pytest

from kesu.surveys.core.estimates import estimate
from kesu.surveys.core.instrument import InstrumentError, builtin_instruments, instrument_from_dict, normalise_answer
from kesu.surveys.core.scoring import score
from kesu.surveys.core.screening import ScreenSettings, screen
from kesu.surveys.core.weighting import WeightingError, rake


@pytest.fixture(scope="module")
def instruments():
    return builtin_instruments()


def answers_with(instrument, right_per_dimension: dict[str, int], n=1):
    """Answers getting the first k items of each dimension right and the rest wrong."""
    answers, used = {}, {d: 0 for d in instrument.scheme.dimensions}
    for item in instrument.items:
        if item.attention:
            answers[item.key] = np.array([item.answer] * n)
            continue
        ok = used[item.dimension] < right_per_dimension.get(item.dimension, 0)
        used[item.dimension] += 1
        wrong = "A" if item.answer != "A" else "B"
        answers[item.key] = np.array([item.answer if ok else wrong] * n)
    return answers


def test_the_2024_instrument_has_the_published_structure(instruments):
    ins = instruments["literacy-2024"]
    assert ins.dimension_points() == {"科学知识": 40, "科学方法": 20, "科学精神与思想": 20, "应用科学的能力": 20}


@pytest.mark.parametrize("right, total, tier, literate", [
    ({"科学知识": 10, "科学方法": 5, "科学精神与思想": 5, "应用科学的能力": 5}, 100, "具备高阶科学素质", True),
    ({"科学知识": 10, "科学方法": 5, "科学精神与思想": 4, "应用科学的能力": 3}, 88, "具备高阶科学素质", True),
    ({"科学知识": 10, "科学方法": 3, "科学精神与思想": 3, "应用科学的能力": 3}, 76, "具备科学素质", True),
    # exactly 70 is not “more than 70”: 基本具备, not literate
    ({"科学知识": 10, "科学方法": 3, "科学精神与思想": 2, "应用科学的能力": 2}, 68, "基本具备科学素质", False),
    ({"科学知识": 5, "科学方法": 2, "科学精神与思想": 2, "应用科学的能力": 2}, 44, "科学素质较低", False),
])
def test_2024_totals_and_tiers(instruments, right, total, tier, literate):
    result = score(instruments["literacy-2024"], answers_with(instruments["literacy-2024"], right))
    assert result.total[0] == total
    assert result.tier[0] == tier
    assert bool(result.literate[0]) is literate


def test_a_total_of_exactly_70_is_not_literate():
    data = {"code": "t", "name": "t", "scheme": {"kind": "points", "dimensions": ["甲"], "literate_above": 70,
                                                 "tiers": [{"label": "具备", "above": 70}, {"label": "较低", "above": -1}]},
            "items": [{"key": "A", "dimension": "甲", "answer": "A", "points": 70},
                      {"key": "B", "dimension": "甲", "answer": "A", "points": 30}]}
    ins = instrument_from_dict(data)
    result = score(ins, {"A": np.array(["A", "A"]), "B": np.array(["B", "A"])})
    assert result.literate.tolist() == [False, True]
    assert result.tier.tolist() == ["较低", "具备"]


def test_miller_rule_needs_every_dimension(instruments):
    ins = instruments["literacy-miller"]
    strong_two = answers_with(ins, {"科学术语和概念": 5, "科学方法和过程": 5, "科学技术对社会的影响": 2})
    all_three = answers_with(ins, {"科学术语和概念": 3, "科学方法和过程": 3, "科学技术对社会的影响": 3})
    assert not score(ins, strong_two).literate[0]  # 12 of 15 right, but one dimension below 60 %
    assert score(ins, all_three).literate[0]  # 9 of 15 right, 60 % everywhere


def test_multiple_choice_answers_are_normalised():
    assert normalise_answer("c,a") == "AC"
    assert normalise_answer("A┋C") == "AC"
    assert normalise_answer(None) == ""


def test_a_bad_item_bank_names_the_item():
    data = {"code": "t", "name": "t", "scheme": {"kind": "points", "dimensions": ["科学知识"]},
            "items": [{"key": "K1", "dimension": "科学知识", "answer": "A", "points": 4},
                      {"key": "K2", "dimension": "科学常识", "answer": "B", "points": 4}]}
    with pytest.raises(InstrumentError, match="第2题（K2）：维度“科学常识”不在评分方案的维度中"):
        instrument_from_dict(data)


def test_screening_flags_each_rule_with_its_reason():
    answers = np.array([list("ABCDABCDAB"), list("AAAAAAAAAA"), list("ABCDABCDAB"), list("ABCDABCDAB"),
                        list("ABCDABCDAB"), list("ABCDABCDAB")])
    result = screen(
        ScreenSettings(min_seconds=100),
        age=np.array([30, 40, 17, 70, 35, np.nan]),
        seconds=np.array([300, 300, 300, 300, 50, 300]),
        answers=answers,
        attention_failed=np.array([False, False, False, False, False, True]),
        duplicate_key=np.array(["138", "139", "", "", "138", ""]),
    )
    assert result.keep.tolist() == [True, False, False, False, False, False]
    assert result.reasons(1) == ["所有题目选同一选项"]
    assert result.reasons(2) == ["年龄不在调查对象范围内"]
    assert result.reasons(4) == ["答题时间过短", "重复作答"]
    assert result.reasons(5) == ["年龄不在调查对象范围内", "未通过注意力检验题"]


def test_switched_off_rules_exclude_nobody():
    result = screen(
        ScreenSettings(age=False, speeder=False, straight=False, attention=False, duplicate=False),
        age=np.array([10.0]), seconds=np.array([1.0]), answers=np.array([list("AAAAAAAAAA")]),
        attention_failed=np.array([True]), duplicate_key=np.array(["x"]))
    assert result.keep.all() and result.flags == {}


def test_raked_weights_reproduce_every_margin_exactly():
    rng = np.random.default_rng(3)
    n = 2000
    frame = pl.DataFrame({"sex": rng.choice(["男", "女"], n, p=[0.3, 0.7]),
                          "urban": rng.choice(["城镇", "农村"], n, p=[0.8, 0.2]),
                          "education": rng.choice(["初中及以下", "高中", "大专及以上"], n)})
    margins = {"sex": {"男": 51_200, "女": 48_800}, "urban": {"城镇": 55_000, "农村": 45_000},
               "education": {"初中及以下": 60_000, "高中": 25_000, "大专及以上": 15_000}}
    weights = rake(frame, margins, trim_ratio=None)
    for variable, counts in margins.items():
        totals = {k: weights[(frame[variable] == k).to_numpy()].sum() for k in counts}
        for level, count in counts.items():
            assert totals[level] == pytest.approx(count, rel=1e-6)


def test_margins_that_do_not_fit_the_sample_are_refused_in_chinese():
    frame = pl.DataFrame({"sex": ["男", "女", "未知"]})
    with pytest.raises(WeightingError, match="样本中“性别”为“未知”的受访者在人口边际中没有对应数字"):
        rake(frame, {"sex": {"男": 10, "女": 10}})
    with pytest.raises(WeightingError, match="“城乡”的“农村”类在样本中没有受访者"):
        rake(pl.DataFrame({"urban": ["城镇"] * 5}), {"urban": {"城镇": 10, "农村": 10}})


def test_small_groups_are_marked_not_shown():
    rng = np.random.default_rng(5)
    frame = pl.DataFrame({"education": ["大专及以上"] * 40 + ["初中"] * 400})
    found = estimate(frame, np.ones(440), {"literate": rng.random(440) < 0.2}, groups=("education",))
    small = next(e for e in found if e.level == "大专及以上")
    large = next(e for e in found if e.level == "初中")
    assert small.suppressed and small.share is None and small.lower is None and small.n == 40
    assert not large.suppressed and large.share is not None


def test_the_core_imports_no_django():
    import subprocess
    import sys

    code = ("import sys, kesu.surveys.core.pipeline, kesu.surveys.core.reading, kesu.surveys.core.itembank; "
            "print(any(m == 'django' or m.startswith('django.') for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
