"""Shares with 95 % intervals by Taylor linearisation, effective n and design effect; small groups suppressed."""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
import polars as pl

from .weighting import effective_n

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    import svy

# A group is published only when it has this many respondents and this effective size: below that a share
# swings too far between samples to be quoted. Both can be set per survey.
MIN_N = 100
MIN_EFFECTIVE_N = 50


@dataclass(frozen=True)
class Estimate:
    group: str  # "" for the whole region, else the grouping variable
    level: str  # "" for the whole region
    outcome: str  # "literate" or a tier label
    share: float | None  # None when suppressed
    se: float | None
    lower: float | None
    upper: float | None
    n: int
    effective_n: float
    deff: float | None
    suppressed: bool

    @property
    def margin(self) -> float | None:
        """Half the width of the interval, the “±” of a published figure."""
        if self.lower is None or self.upper is None:
            return None
        return (self.upper - self.lower) / 2


def estimate(
    frame: pl.DataFrame,
    weights: np.ndarray,
    outcomes: dict[str, np.ndarray],
    *,
    groups: tuple[str, ...] = (),
    stratum: str | None = None,
    psu: str | None = None,
    min_n: int = MIN_N,
    min_effective_n: float = MIN_EFFECTIVE_N,
) -> list[Estimate]:
    """outcomes maps a name to a 0/1 column per respondent; groups are columns of frame to break down by."""
    columns = {name: pl.Series(name, np.asarray(flag, dtype=np.float64)) for name, flag in outcomes.items()}
    data = pl.DataFrame([*columns.values(), pl.Series("_w", weights, dtype=pl.Float64)]).with_columns(
        [frame.get_column(c) for c in (*groups, stratum, psu) if c])
    sample = svy.Sample(data, svy.Design(wgt="_w", stratum=stratum, psu=psu))
    names = list(outcomes)
    found: list[Estimate] = []
    for group in ("", *groups):
        # effective n once per category (Kish's formula from weight sums), not once per outcome
        if group:
            levels, codes = np.unique(data.get_column(group).cast(pl.Utf8).to_numpy(), return_inverse=True)
            sums, squares = np.bincount(codes, weights), np.bincount(codes, weights**2)
            kish = {str(level): float(sums[k] ** 2 / squares[k]) if squares[k] else 0.0
                    for k, level in enumerate(levels)}
        else:
            kish = {"": effective_n(weights)}
        # one call per grouping for all outcomes: the design is set up once
        results = sample.estimation.mean(names, by=group or None, deff="wr")
        for name, result in zip(names, results if isinstance(results, list) else [results], strict=True):
            for row in result.to_polars().iter_rows(named=True):
                level = str(row[group]) if group else ""
                found.append(_estimate(row, group=group, level=level, outcome=name, n_eff=kish[level],
                                       min_n=min_n, min_effective_n=min_effective_n))
    return found


def _estimate(row: dict, *, group: str, level: str, outcome: str, n_eff: float, min_n: int,
              min_effective_n: float) -> Estimate:
    n = int(row["n"])
    suppressed = n < min_n or n_eff < min_effective_n
    deff = row.get("deff")
    return Estimate(
        group=group, level=level, outcome=outcome, n=n, effective_n=n_eff, suppressed=suppressed,
        share=None if suppressed else float(row["est"]),
        se=None if suppressed else float(row["se"]),
        lower=None if suppressed else max(0.0, float(row["lci"])),
        upper=None if suppressed else min(1.0, float(row["uci"])),
        deff=None if suppressed or deff is None or math.isnan(deff) else float(deff),
    )
