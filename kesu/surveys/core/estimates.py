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
    found: list[Estimate] = []
    for group in ("", *groups):
        if group:
            keys = data.get_column(group).cast(pl.Utf8).to_numpy()
        for name in outcomes:
            result = sample.estimation.mean(name, by=group or None, deff="wr").to_polars()
            for row in result.iter_rows(named=True):
                level = str(row[group]) if group else ""
                in_group = keys == level if group else np.ones(len(weights), dtype=bool)
                n = int(row["n"])
                n_eff = effective_n(weights[in_group])
                suppressed = n < min_n or n_eff < min_effective_n
                deff = row.get("deff")
                found.append(Estimate(
                    group=group, level=level, outcome=name, n=n, effective_n=n_eff, suppressed=suppressed,
                    share=None if suppressed else float(row["est"]),
                    se=None if suppressed else float(row["se"]),
                    lower=None if suppressed else max(0.0, float(row["lci"])),
                    upper=None if suppressed else min(1.0, float(row["uci"])),
                    deff=None if suppressed or deff is None or math.isnan(deff) else float(deff),
                ))
    return found
