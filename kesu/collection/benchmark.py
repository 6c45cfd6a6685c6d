"""Benchmark: how long does saving one grid cell take with ~1M values already stored?

Run by hand, never in tests, against a throw-away database::

    KESU_DATA_DIR=var-bench python -m kesu.collection.benchmark           # SQLite
    KESU_DATABASE_URL=postgres://…/kesu_bench python -m kesu.collection.benchmark  # PostgreSQL

It migrates the database, fills it once with synthetic values (1 county × 1000 units × 100 indicators × 10 years
= 1,000,000 rows, marked with the region code ``BENCH``), then times ``value_save`` — the same service the grid
calls, with its scope check, lock guard, version check, validation rules, audit event and submission update — for
a few hundred saves, and prints the median, 95th percentile and the number of SQL queries per save.
"""

import argparse
import os
import statistics
import time
from decimal import Decimal


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kesu.settings")
    import django

    django.setup()


def populate(*, units: int, indicators: int, years: int, stdout=print):
    from django.db import transaction

    from kesu.accounts.models import Role, User
    from kesu.collection.models import DataSet, IndicatorValue, ValidationRule
    from kesu.orgs.models import Unit
    from kesu.plans.models import Category, Indicator
    from kesu.regions.models import Level, Region

    region, created = Region.objects.get_or_create(
        code="BENCH", defaults={"name": "基准测试县", "level": Level.COUNTY, "path": "BENCH/", "depth": 0})
    if not created and IndicatorValue.objects.filter(region=region).exists():
        stdout(f"已有基准数据：{IndicatorValue.objects.filter(region=region).count():,} 条")
        return region
    with transaction.atomic():
        inds = Indicator.objects.bulk_create([
            Indicator(code=f"BENCH_{i:03d}", name=f"基准指标{i}", category=Category.BASE, unit="个", sort=i)
            for i in range(indicators)])
        unit_rows = Unit.objects.bulk_create([Unit(region=region, name=f"基准单位{u:04d}", sort=u)
                                              for u in range(units)])
        ds = DataSet.objects.create(region=region, code="BENCH", name="基准数据集", period_type="Y")
        ds.indicators.set(inds)
        # A few rules over the indicator the benchmark saves, so validation does real work.
        for n in range(1, 6):
            ValidationRule.objects.create(region=region, code=f"BENCH_R{n}", name=f"基准规则{n}",
                                          expression=f"BENCH_000 <= BENCH_{n:03d} * 1000",
                                          codes=["BENCH_000", f"BENCH_{n:03d}"], severity="explain")
        User.objects.create_user(username="bench_filler", password=None, role=Role.FILLER, unit=unit_rows[0])
    this_year = time.localtime().tm_year
    periods = [str(this_year - k) for k in range(years)]
    batch, total = [], 0
    started = time.perf_counter()
    for unit in unit_rows:
        for ind in inds:
            for period in periods:
                batch.append(IndicatorValue(indicator=ind, region=region, unit=unit, period_id=period,
                                            value=Decimal(total % 997)))
                total += 1
        if len(batch) >= 20000:
            IndicatorValue.objects.bulk_create(batch)
            batch = []
            stdout(f"  已写入 {total:,} 条 …")
    IndicatorValue.objects.bulk_create(batch)
    stdout(f"写入 {total:,} 条用时 {time.perf_counter() - started:.0f} 秒")
    return region


def measure(*, saves: int, stdout=print) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from kesu.accounts.models import User
    from kesu.collection.models import IndicatorValue
    from kesu.collection.services import value_save
    from kesu.plans.models import Indicator

    user = User.objects.select_related("unit__region").get(username="bench_filler")
    unit, region = user.unit, user.unit.region
    indicator = Indicator.objects.get(code="BENCH_000")
    period = str(time.localtime().tm_year)
    timings, cpu, queries = [], [], []
    for n in range(saves):
        row = IndicatorValue.objects.get(indicator=indicator, region=region, unit=unit, period_id=period)
        with CaptureQueriesContext(connection) as captured:
            started, started_cpu = time.perf_counter(), time.process_time()
            value_save(actor=user, indicator=indicator, region=region, unit=unit, period=period,
                       value=str(100 + n % 50), expected_version=row.version, explanation="基准测试")
            timings.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
        queries.append(len(captured))
    timings.sort()
    result = {
        "vendor": connection.vendor,
        "rows": IndicatorValue.objects.filter(region=region).count(),
        "saves": saves,
        "median_ms": statistics.median(timings),
        "p95_ms": timings[int(len(timings) * 0.95) - 1],
        "max_ms": timings[-1],
        "cpu_ms": statistics.median(cpu),
        "queries": statistics.median(queries),
        "load": os.getloadavg()[0],
    }
    stdout(f"{result['vendor']}：{result['rows']:,} 条数值，保存 {saves} 次单元格 — 中位数 {result['median_ms']:.1f} ms，"
           f"P95 {result['p95_ms']:.1f} ms，最大 {result['max_ms']:.1f} ms，本进程 CPU 中位数 {result['cpu_ms']:.1f} ms，"
           f"每次 {result['queries']:.0f} 条 SQL（测量时系统负载 {result['load']:.1f}）")
    return result


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="单元格保存基准测试（请使用单独的测试数据库）")
    parser.add_argument("--units", type=int, default=1000)
    parser.add_argument("--indicators", type=int, default=100)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--saves", type=int, default=300)
    args = parser.parse_args(argv)
    _setup_django()
    from django.conf import settings
    from django.core.management import call_command

    settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
    call_command("migrate", interactive=False, verbosity=0)
    populate(units=args.units, indicators=args.indicators, years=args.years)
    measure(saves=args.saves)


if __name__ == "__main__":
    main()
