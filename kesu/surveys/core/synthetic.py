"""A synthetic survey round for the benchmark and the demo: respondents with ability-driven answers."""

from __future__ import annotations

import numpy as np

from .instrument import Instrument
from .pipeline import RoundData

EDUCATION = ("小学及以下", "初中", "高中", "大专", "本科及以上")
EDUCATION_SHARE = (0.25, 0.35, 0.18, 0.11, 0.11)
EDUCATION_ABILITY = (-0.9, -0.4, 0.1, 0.5, 0.9)
LETTERS = np.array(list("ABCD"))


def synthetic_round(instrument: Instrument, n: int, *, seed: int = 7, regions: tuple[str, ...] = (),
                    ability_shift: float = 0.0) -> RoundData:
    """``ability_shift`` moves everyone's ability (a negative shift: a county below the national level)."""
    rng = np.random.default_rng(seed)
    urban = rng.choice(["城镇", "农村"], n, p=[0.64, 0.36])
    sex = rng.choice(["男", "女"], n, p=[0.51, 0.49])
    education_index = rng.choice(len(EDUCATION), n, p=EDUCATION_SHARE)
    age = rng.integers(16, 73, n).astype(float)
    ability = (rng.normal(0, 1, n) + np.take(EDUCATION_ABILITY, education_index) + 0.3 * (urban == "城镇")
               - 0.01 * (age - 40) + ability_shift)
    # the chance of a right answer rises with ability along a logistic curve, each item a little harder
    answers = {}
    for k, item in enumerate(instrument.items):
        if item.attention:
            answers[item.key] = np.where(rng.random(n) < 0.97, item.answer, LETTERS[rng.integers(0, 4, n)])
            continue
        p = 1 / (1 + np.exp(-(1.2 * ability - 0.4 - 0.03 * k)))
        answers[item.key] = np.where(rng.random(n) < p, item.answer, LETTERS[rng.integers(0, 4, n)])
    demographics = {"sex": sex, "urban": urban, "age": age, "education": np.take(EDUCATION, education_index)}
    if regions:
        demographics["region"] = rng.choice(list(regions), n)
    seconds = rng.lognormal(np.log(420), 0.45, n)
    phone = np.char.add("1", rng.integers(3_000_000_000, 9_999_999_999, n).astype(str))
    return RoundData(answers=answers, demographics=demographics, seconds=seconds, duplicate_key=phone)


def wjx_csv(instrument: Instrument, data: RoundData) -> bytes:
    """A round as a 问卷星-style CSV export: numbered headers, option texts, 所用时间 in 秒, a 来源IP column."""
    headers = ["所用时间", "来源IP", "1.性别", "2.年龄", "3.文化程度", "4.居住地"]
    headers += [f"{k + 5}.{item.text}" for k, item in enumerate(instrument.items)]
    columns = [np.char.add(data.seconds.astype(int).astype(str), "秒"), data.duplicate_key,
               data.demographics["sex"], data.demographics["age"].astype(int).astype(str),
               data.demographics["education"], data.demographics["urban"]]
    for item in instrument.items:
        options = np.array(item.options)
        columns.append(options[np.searchsorted(LETTERS, data.answers[item.key])])
    lines = [",".join(headers)] + [",".join(row) for row in zip(*(c.tolist() for c in columns), strict=True)]
    return "\n".join(lines).encode("utf-8-sig")


def census_margins(total: float) -> dict[str, dict[str, float]]:
    """Population margins of the shape an office enters from its census tables (shares close to the 2020 census)."""
    return {
        "sex": {"男": 0.512 * total, "女": 0.488 * total},
        "urban": {"城镇": 0.62 * total, "农村": 0.38 * total},
        "age_group": {"18—29岁": 0.21 * total, "30—39岁": 0.22 * total, "40—49岁": 0.21 * total,
                      "50—59岁": 0.20 * total, "60—69岁": 0.16 * total},
        "education": dict(zip(EDUCATION, (s * total for s in (0.28, 0.36, 0.17, 0.10, 0.09)), strict=True)),
    }
