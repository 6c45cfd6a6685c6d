"""Scoring every respondent at once: item points, dimension scores, total, tier and the literate flag."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .instrument import MILLER, Instrument


@dataclass(frozen=True)
class Scores:
    dimensions: dict[str, np.ndarray]  # points per respondent in each dimension
    total: np.ndarray
    tier: np.ndarray  # tier label per respondent ("" under the Miller rule)
    literate: np.ndarray  # bool: 具备科学素质
    attention_failed: np.ndarray  # bool: a wrong answer on any attention item


def score(instrument: Instrument, answers: dict[str, np.ndarray]) -> Scores:
    """answers maps item key → normalised option letters per respondent ('' when unanswered)."""
    items = instrument.scored_items
    n = len(next(iter(answers.values()))) if answers else 0
    dimensions = instrument.scheme.dimensions
    # One column per item: its points when right, 0 otherwise. The (n, items) matrix then reduces per dimension
    # with a single product against the item → dimension incidence matrix.
    correct = np.zeros((n, len(items)), dtype=np.float64)
    for j, item in enumerate(items):
        correct[:, j] = (answers[item.key] == item.answer) * item.points
    incidence = np.zeros((len(items), len(dimensions)))
    for j, item in enumerate(items):
        incidence[j, dimensions.index(item.dimension)] = 1.0
    by_dimension = correct @ incidence
    total = by_dimension.sum(axis=1)
    scheme = instrument.scheme
    if scheme.kind == MILLER:
        maxima = np.array([instrument.dimension_points()[d] for d in dimensions])
        literate = (by_dimension >= scheme.dimension_share * maxima - 1e-9).all(axis=1)
        tier = np.where(literate, "具备科学素质", "不具备科学素质")
    else:
        literate = total > scheme.literate_above
        tier = np.select([total > t.above for t in scheme.tiers], [t.label for t in scheme.tiers],
                         default=scheme.tiers[-1].label if scheme.tiers else "")
    failed = np.zeros(n, dtype=bool)
    for item in instrument.attention_items:
        failed |= answers[item.key] != item.answer
    return Scores(
        dimensions={d: by_dimension[:, k] for k, d in enumerate(dimensions)},
        total=total,
        tier=tier,
        literate=literate,
        attention_failed=failed,
    )
