"""Time report generation: ``python -m kesu.reports.benchmark`` (builders on the hand-made context; add
``--region CODE --period 2026`` to time the whole path from the database, e.g. on the demo data).

Figures are recorded in docs/reports.md.
"""

import argparse
import os
import statistics
import time


def _time(fn, repeat: int) -> tuple[float, float]:
    fn()  # warm up: imports, font cache
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - started)
    return statistics.median(runs), max(runs)


def builders(repeat: int = 5) -> dict[str, tuple[float, float]]:
    from decimal import Decimal

    from kesu.reports.builders import kinds
    from kesu.reports.builders.data import RegionFigure
    from kesu.reports.builders.render import render_all
    from kesu.reports.tests.fixtures import make_context

    county = make_context(kinds.ANNUAL_SUMMARY)
    prefecture = make_context(kinds.ANNUAL_SUMMARY)
    prefecture.region_name = "示范市"
    prefecture.lower_regions = [RegionFigure(f"第{i}县", Decimal(200000 + i * 13000), Decimal(250000))
                                for i in range(1, 11)]
    return {
        "county annual summary with charts (builders)": _time(lambda: render_all(county), repeat),
        "prefecture annual summary, 10 counties (builders)": _time(lambda: render_all(prefecture), repeat),
    }


def database(region_code: str, period: str, repeat: int = 3) -> dict[str, tuple[float, float]]:
    from kesu.accounts.models import Role
    from kesu.accounts.scope import Scope
    from kesu.core.periods import Period
    from kesu.regions.models import Region
    from kesu.reports import context
    from kesu.reports.builders import kinds
    from kesu.reports.builders.render import render_all

    region = Region.objects.get(code=region_code)

    def run():
        ctx = context.build_context(Scope(role=Role.ADMIN), region=region, period=Period.parse(period),
                                    kind=kinds.ANNUAL_SUMMARY)
        render_all(ctx)

    return {f"{region.name} {period} annual summary with charts (database + builders)": _time(run, repeat)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--region", action="append", default=[])
    parser.add_argument("--period", default="2025")
    parser.add_argument("--repeat", type=int, default=5)
    ns = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kesu.settings")
    import django

    django.setup()
    results = builders(ns.repeat)
    for code in ns.region:
        results.update(database(code, ns.period, max(1, ns.repeat // 2)))
    for name, (median, worst) in results.items():
        print(f"{name}: median {median:.2f} s, worst {worst:.2f} s")


if __name__ == "__main__":
    main()
