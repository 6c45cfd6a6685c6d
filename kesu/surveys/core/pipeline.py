"""One survey round end to end: score → screen → weight → estimate, on columns."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import polars as pl

from .estimates import MIN_EFFECTIVE_N, MIN_N, Estimate, estimate
from .instrument import Instrument
from .scoring import Scores, score
from .screening import Screening, ScreenSettings, screen
from .weighting import rake

AGE_BANDS = ((18, 29), (30, 39), (40, 49), (50, 59), (60, 69))
DEMOGRAPHICS = ("region", "sex", "age", "education", "urban", "occupation")
GROUP_LABELS = {"urban": "城乡", "sex": "性别", "age_group": "年龄组", "education": "文化程度", "region": "地区",
                "occupation": "职业"}
LITERATE = "literate"  # the headline outcome (all tiers above the literate line); tiers keep their labels


def age_group(age: np.ndarray) -> np.ndarray:
    labels = np.full(len(age), "其他", dtype=object)
    for low, high in AGE_BANDS:
        with np.errstate(invalid="ignore"):
            labels[(age >= low) & (age <= high)] = f"{low}—{high}岁"
    return labels.astype(str)


@dataclass
class RoundData:
    """Responses as columns: answers per item key (normalised letters) and demographics per respondent."""

    answers: dict[str, np.ndarray]
    demographics: dict[str, np.ndarray] = field(default_factory=dict)  # str columns; "age" is float
    seconds: np.ndarray | None = None
    duplicate_key: np.ndarray | None = None
    # a stratified or clustered sample: "weight" (float, the inverse selection probability), "stratum", "psu"
    design: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return len(next(iter(self.answers.values()))) if self.answers else 0

    def frame(self) -> pl.DataFrame:
        columns = {k: v for k, v in self.demographics.items() if k != "age"}
        columns.update({f"_{k}": v for k, v in self.design.items() if k != "weight"})
        if "age" in self.demographics:
            columns["age_group"] = age_group(self.demographics["age"])
        return pl.DataFrame({k: np.asarray(v).astype(str) for k, v in columns.items()}) if columns else \
            pl.DataFrame({"_": np.zeros(self.size)})


@dataclass
class Analysis:
    scores: Scores
    screening: Screening
    weights: np.ndarray  # 0 for screened-out respondents
    estimates: list[Estimate]

    def headline(self) -> Estimate:
        return next(e for e in self.estimates if not e.group and e.outcome == LITERATE)


def analyse(
    instrument: Instrument,
    data: RoundData,
    *,
    settings: ScreenSettings | None = None,
    margins: dict[str, dict[str, float]] | None = None,
    groups: tuple[str, ...] = ("urban", "sex", "age_group", "education"),
    trim_ratio: float | None = 5.0,
    min_n: int = MIN_N,
    min_effective_n: float = MIN_EFFECTIVE_N,
) -> Analysis:
    settings = settings or ScreenSettings()
    scores = score(instrument, data.answers)
    scored = instrument.scored_items
    matrix = np.column_stack([data.answers[i.key] for i in scored]) if scored else np.empty((data.size, 0), str)
    screening = screen(
        settings, age=data.demographics.get("age"), seconds=data.seconds, answers=matrix,
        attention_failed=scores.attention_failed, duplicate_key=data.duplicate_key)
    keep = screening.keep
    frame = data.frame().filter(pl.Series(keep))
    # design weights (where the sample was drawn with unequal chances) are the starting point that raking adjusts
    base = data.design["weight"][keep] if "weight" in data.design else np.ones(frame.height)
    weights = rake(frame, margins, base_weight=base, trim_ratio=trim_ratio) if margins else base
    outcomes = {LITERATE: scores.literate[keep]}
    for tier in instrument.scheme.tiers:
        outcomes[tier.label] = scores.tier[keep] == tier.label
    estimates = estimate(frame, weights, outcomes, groups=tuple(g for g in groups if g in frame.columns),
                         stratum="_stratum" if "stratum" in data.design else None,
                         psu="_psu" if "psu" in data.design else None,
                         min_n=min_n, min_effective_n=min_effective_n)
    full = np.zeros(data.size)
    full[keep] = weights
    return Analysis(scores=scores, screening=screening, weights=full, estimates=estimates)
