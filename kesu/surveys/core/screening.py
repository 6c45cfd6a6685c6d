"""Quality screening: each rule can be switched off, and every excluded respondent keeps its reasons."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

import numpy as np

RULE_LABELS = {
    "age": "年龄不在调查对象范围内",
    "speeder": "答题时间过短",
    "straight": "所有题目选同一选项",
    "attention": "未通过注意力检验题",
    "duplicate": "重复作答",
}


@dataclass(frozen=True)
class ScreenSettings:
    age: bool = True
    min_age: int = 18
    max_age: int = 69
    speeder: bool = True
    min_seconds: float = 120.0
    straight: bool = True
    straight_min_items: int = 10  # a short questionnaire can be answered "all A" honestly
    attention: bool = True
    duplicate: bool = True

    @classmethod
    def from_dict(cls, data: dict | None) -> ScreenSettings:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in (data or {}).items() if k in known})

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Screening:
    keep: np.ndarray  # bool per respondent
    flags: dict[str, np.ndarray]  # rule → bool per respondent (only rules switched on)

    def counts(self) -> dict[str, int]:
        return {rule: int(flag.sum()) for rule, flag in self.flags.items()}

    def reasons(self, index: int) -> list[str]:
        return [RULE_LABELS[rule] for rule, flag in self.flags.items() if flag[index]]


def screen(
    settings: ScreenSettings,
    *,
    age: np.ndarray | None,
    seconds: np.ndarray | None,
    answers: np.ndarray,  # (n, items) normalised letters of the scored items
    attention_failed: np.ndarray,
    duplicate_key: np.ndarray | None,  # phone / device / IP, '' where absent
) -> Screening:
    n = answers.shape[0]
    flags: dict[str, np.ndarray] = {}
    if settings.age and age is not None:
        # A missing age cannot prove the respondent is in the population, so it screens out too.
        with np.errstate(invalid="ignore"):
            flags["age"] = ~((age >= settings.min_age) & (age <= settings.max_age))
    if settings.speeder and seconds is not None:
        with np.errstate(invalid="ignore"):
            flags["speeder"] = seconds < settings.min_seconds
    if settings.straight and answers.shape[1] >= settings.straight_min_items:
        first = answers[:, :1]
        flags["straight"] = (answers == first).all(axis=1) & (first[:, 0] != "")
    if settings.attention:
        flags["attention"] = attention_failed.copy()
    if settings.duplicate and duplicate_key is not None:
        flags["duplicate"] = _later_duplicates(duplicate_key)
    keep = np.ones(n, dtype=bool)
    for flag in flags.values():
        keep &= ~flag
    return Screening(keep=keep, flags=flags)


def _later_duplicates(keys: np.ndarray) -> np.ndarray:
    """True for every row whose key was already seen in an earlier row; the first answer counts."""
    keys = keys.astype(str)
    _, first = np.unique(keys, return_index=True)
    duplicate = np.ones(len(keys), dtype=bool)
    duplicate[first] = False
    duplicate &= keys != ""
    return duplicate
