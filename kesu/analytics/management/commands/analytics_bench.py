"""Generate a synthetic dataset into the configured database and time the roll-up queries (p50/p95).

Use an empty, throw-away database: ``KESU_DATABASE_URL=postgres://…/bench python -m django migrate`` first.
"""

import time

from django.core.management.base import BaseCommand, CommandError

from kesu.regions.models import Region


class Command(BaseCommand):
    help = "统计分析基准测试：生成合成数据并测量汇总查询耗时"

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=["county", "province", "national"], default="county")
        parser.add_argument("--runs", type=int, default=30)
        parser.add_argument("--duckdb", action="store_true", help="同时用 DuckDB + Parquet 测量同样的汇总")

    def handle(self, *args, scale, runs, duckdb, **opts):
        from kesu.analytics import bench

        if Region.objects.filter(code__startswith="B").exists():
            raise CommandError("数据库中已有基准数据，请使用新的空数据库。")
        log = self.stdout.write
        log(f"generating {scale} dataset …")
        t = time.perf_counter()
        info = bench.generate(scale, log=log)
        log(f"generated: {info['regions']} regions, {info['values']:,} values, {info['rollup_rows']:,} roll-up rows "
            f"in {time.perf_counter() - t:.0f}s")
        log("queries (selectors, stored roll-up rows unless noted):")
        bench.run(info, runs=runs, log=log)
        if duckdb:
            log("duckdb over parquet:")
            bench.run_duckdb(info, runs=runs, log=log)
