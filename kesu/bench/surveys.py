"""Benchmark of a survey round: score, screen, rake and estimate n respondents (docs/surveys.md).

    python -m kesu.bench.surveys [--sizes 5000 300000] [--runs 3]
"""

from __future__ import annotations

import argparse
import time

from kesu.surveys.core.instrument import builtin_instruments
from kesu.surveys.core.pipeline import analyse
from kesu.surveys.core.synthetic import census_margins, synthetic_round

TARGETS = {5_000: 1.0, 300_000: 10.0}


def measure(n: int, runs: int) -> dict:
    instrument = builtin_instruments()["literacy-2024"]
    data = synthetic_round(instrument, n)
    margins = census_margins(1_000_000)
    best = None
    for _ in range(runs):
        started = time.perf_counter()
        analysis = analyse(instrument, data, margins=margins)
        elapsed = time.perf_counter() - started
        best = elapsed if best is None else min(best, elapsed)
    head = analysis.headline()
    return {"n": n, "kept": int(analysis.screening.keep.sum()), "seconds": best, "estimates": len(analysis.estimates),
            "share": head.share, "margin": head.margin, "target": TARGETS.get(n)}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="问卷调查计算性能（评分、筛查、加权、估计）")
    parser.add_argument("--sizes", type=int, nargs="+", default=sorted(TARGETS))
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    for n in args.sizes:
        row = measure(n, args.runs)
        verdict = "" if row["target"] is None else ("达标" if row["seconds"] < row["target"] else "未达标")
        print(f"{row['n']:>9,} 人  有效 {row['kept']:>9,}  估计 {row['estimates']} 项  "
              f"{row['seconds']:.2f} 秒  比例 {row['share']:.2%} ±{row['margin']:.2%}  "
              f"目标 < {row['target']} 秒 {verdict}")


if __name__ == "__main__":
    main()
