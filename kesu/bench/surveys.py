"""Benchmark of a survey round: score, screen, rake and estimate n respondents (docs/surveys.md).

    python -m kesu.bench.surveys [--sizes 5000 300000] [--runs 3]
"""

from __future__ import annotations

import argparse
import time

from kesu.surveys.core.instrument import builtin_instruments
from kesu.surveys.core.pipeline import analyse
from kesu.surveys.core.synthetic import census_margins, synthetic_round, wjx_csv

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


def measure_import(n: int) -> dict:
    """Reading and mapping a 问卷星-style CSV of n respondents (option texts, 所用时间 in 秒), as an upload does."""
    from kesu.surveys.core.reading import guess_mapping, parse, read_table

    instrument = builtin_instruments()["literacy-2024"]
    data = synthetic_round(instrument, n)
    payload = wjx_csv(instrument, data)
    started = time.perf_counter()
    table = read_table("答卷.csv", payload)
    parse(table, guess_mapping(table.headers, instrument), instrument)
    elapsed = time.perf_counter() - started
    return {"n": n, "megabytes": len(payload) / 1e6, "seconds": elapsed, "rows_per_second": n / elapsed}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="问卷调查计算性能（评分、筛查、加权、估计）")
    parser.add_argument("--sizes", type=int, nargs="+", default=sorted(TARGETS))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--import-rows", type=int, default=300_000, help="答卷文件读取测试的行数（0 为不测）")
    args = parser.parse_args(argv)
    for n in args.sizes:
        row = measure(n, args.runs)
        verdict = "" if row["target"] is None else ("达标" if row["seconds"] < row["target"] else "未达标")
        print(f"{row['n']:>9,} 人  有效 {row['kept']:>9,}  估计 {row['estimates']} 项  "
              f"{row['seconds']:.2f} 秒  比例 {row['share']:.2%} ±{row['margin']:.2%}  "
              f"目标 < {row['target']} 秒 {verdict}")
    if args.import_rows:
        row = measure_import(args.import_rows)
        print(f"答卷文件读取 {row['n']:,} 行（CSV {row['megabytes']:.0f} MB）：{row['seconds']:.2f} 秒，"
              f"{row['rows_per_second']:,.0f} 行/秒")


if __name__ == "__main__":
    main()
