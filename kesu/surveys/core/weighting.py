"""Weights to the region's population: raking over margins or post-stratification over cells, with trimming.

The adjustment itself is done by svy (the maintained successor of samplics, with a compiled core): it rakes,
post-stratifies and trims, and the same library gives the design-based variances in estimates.py, so the weights
and their uncertainty come from one well-tested implementation.
"""

from __future__ import annotations

import warnings

import numpy as np
import polars as pl

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    import svy

VARIABLE_LABELS = {
    "sex": "性别", "age_group": "年龄组", "education": "文化程度", "urban": "城乡", "region": "地区",
    "occupation": "职业",
}
CELL_SEPARATOR = "|"


class WeightingError(ValueError):
    """Margins that do not fit the sample; the message is Chinese and names the variable and category."""


def _label(variable: str) -> str:
    return VARIABLE_LABELS.get(variable, variable)


def check_margins(frame: pl.DataFrame, margins: dict[str, dict[str, float]]) -> None:
    for variable, counts in margins.items():
        if variable not in frame.columns:
            raise WeightingError(f"人口边际“{_label(variable)}”在样本中没有对应的列。")
        seen = set(frame.get_column(variable).cast(pl.Utf8).unique().to_list())
        missing = sorted(str(v) for v in seen - set(counts))
        if missing:
            raise WeightingError(f"样本中“{_label(variable)}”为“{'、'.join(missing)}”的受访者在人口边际中没有对应数字。")
        empty = sorted(level for level, count in counts.items() if count > 0 and level not in seen)
        if empty:
            raise WeightingError(f"人口边际“{_label(variable)}”的“{'、'.join(empty)}”类在样本中没有受访者，无法加权；"
                                 f"请合并该类或改用更粗的分组。")
        bad = [level for level, count in counts.items() if not (count >= 0)]
        if bad:
            raise WeightingError(f"人口边际“{_label(variable)}”的“{bad[0]}”类人数不能为负数或空。")


def rake(
    frame: pl.DataFrame,
    margins: dict[str, dict[str, float]],
    *,
    base_weight: np.ndarray | None = None,
    trim_ratio: float | None = 5.0,
) -> np.ndarray:
    """Final weights whose totals match every margin; trim_ratio caps a weight at that many times the median."""
    check_margins(frame, margins)
    levels_used = {v: {k: float(c) for k, c in counts.items() if c > 0} for v, counts in margins.items()}
    data = frame.select([pl.col(v).cast(pl.Utf8) for v in margins]).with_columns(
        pl.Series("_w", base_weight if base_weight is not None else np.ones(frame.height), dtype=pl.Float64))
    sample = svy.Sample(data, svy.Design(wgt="_w"))
    trimming = svy.TrimConfig(upper=svy.Threshold("median", trim_ratio)) if trim_ratio else None
    try:
        sample = sample.weighting.rake(controls=levels_used, wgt_name="_rk", max_iter=200, tol=1e-8,
                                       trimming=trimming)
    except Exception as exc:  # svy reports non-convergence as its own error types
        raise WeightingError(f"迭代加权未收敛：人口边际之间可能互相矛盾（各边际总人数应一致）。（{exc.__class__.__name__}）") from exc
    return sample.data.get_column("_rk").to_numpy()


def poststratify(
    frame: pl.DataFrame,
    cells: dict[tuple[str, ...], float],
    variables: tuple[str, ...],
    *,
    base_weight: np.ndarray | None = None,
) -> np.ndarray:
    """Weights matching a joint table (e.g. 性别 × 年龄组 × 城乡 from the census) cell by cell."""
    cell = frame.select(pl.concat_str([pl.col(v).cast(pl.Utf8) for v in variables], separator=CELL_SEPARATOR))
    cell = cell.to_series().alias("_cell")
    controls = {CELL_SEPARATOR.join(key): float(count) for key, count in cells.items() if count > 0}
    check_margins(pl.DataFrame([cell]), {"_cell": controls})
    data = pl.DataFrame([cell]).with_columns(
        pl.Series("_w", base_weight if base_weight is not None else np.ones(frame.height), dtype=pl.Float64))
    sample = svy.Sample(data, svy.Design(wgt="_w"))
    sample = sample.weighting.poststratify(controls=controls, cells="_cell", wgt_name="_ps")
    return sample.data.get_column("_ps").to_numpy()


def effective_n(weights: np.ndarray) -> float:
    """Kish's effective sample size: what the weighted sample is worth as a simple random sample."""
    total = weights.sum()
    squares = float((weights**2).sum())
    return float(total * total / squares) if squares else 0.0
