"""Excel import benchmark, run in its own process so that its peak memory is the import's alone.

``python -m kesu.bench.importing --rows N --runs K`` (started by ``kesu bench run``) writes an activity workbook of
N rows with openpyxl (write-only), imports it end to end (parse, validate, write) into a new member unit of the
benchmark county K times — each run into a fresh unit, so every run creates every row — after a 1,000-row warm-up,
and prints one JSON object: rows/s per run and the peak resident memory of the process.
"""

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from kesu.bench.import_runs import write_workbook


def _reporter(county_code: str, year: int, n: int):
    from kesu.accounts.models import Role, User
    from kesu.collection.excel.context import Reporter
    from kesu.core.periods import Period
    from kesu.orgs.models import Unit
    from kesu.regions.models import Region

    county = Region.objects.get(code=county_code)
    unit = Unit.objects.create(region=county, name=f"基准导入单位{os.getpid()}-{n}")
    user = User.objects.create_user(username=f"bench_import_{os.getpid()}_{n}", password=None, role=Role.FILLER,
                                    unit=unit)
    towns = list(Region.objects.filter(parent=county).order_by("code").values_list("name", flat=True)[:20])
    return Reporter(region=county, unit=unit, period=Period.parse(str(year))), user, towns or [county.name]


def measure(county_code: str, rows: int, runs: int) -> dict:
    from kesu.collection.excel import importer
    from kesu.collection.excel.context import build_context

    year = date.today().year
    speeds = []
    with tempfile.TemporaryDirectory() as tmp:
        for n, size in enumerate([min(rows, 1000)] + [rows] * runs):
            reporter, user, towns = _reporter(county_code, year, n)
            path = Path(tmp) / f"bench-{size}.xlsx"
            if not path.exists():
                write_workbook(path, size, year, towns)
            ctx = build_context(reporter)
            started = time.perf_counter()
            outcome = importer.run(path, path.name, ctx, actor=user, commit=True)
            elapsed = time.perf_counter() - started
            if outcome.blocking:
                raise SystemExit("导入被拒绝：" + "；".join(p.message for p in outcome.blocking[:3]))
            if n:  # the first run is the warm-up
                speeds.append(size / elapsed)
    return {"rows": rows, "runs": runs, "rows_per_s": speeds,
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--county", required=True)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kesu.settings")
    import django

    django.setup()
    print(json.dumps(measure(args.county, args.rows, args.runs)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
