"""The Excel import in detail: a 100 000-row activity workbook imported five ways (``kesu bench run --only import``
gives the headline figure; this breaks it down).

    KESU_DATA_DIR=/tmp/kesu-bench python -m kesu.bench.import_runs [--rows N]
    KESU_DATABASE_URL=postgres://USER@HOST:5432/DB python -m kesu.bench.import_runs

It migrates the database it is pointed at, builds a county with one member unit and a filler, writes the workbook
with openpyxl in write-only mode, then times: the first import (creates every row), the same file again (must
change nothing), the same file as a background job does it (a check pass for the preview, then the commit), and
a file in which every tenth row changed (updates those rows only). Prints wall-clock rows/s, the CPU seconds this
process spent (steadier than wall-clock time on a shared machine; the database server's own work is not in it) and
peak memory (ru_maxrss of this process). It is a script, not a test: figures depend on the machine.
"""

import argparse
import os
import resource
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kesu.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def write_workbook(path: Path, rows: int, year: int, towns: list[str], changed_every: int = 0) -> None:
    """``changed_every`` = n > 0 raises 参加人次 by one on every n-th row (a re-upload that edits some rows)."""
    from openpyxl import Workbook

    from kesu.collection.excel.columns import ACTIVITY_COLUMNS

    kinds = ["培训", "讲座", "展览", "竞赛", "科普日", "科技咨询"]
    people = ["农民", "青少年", "老年人", "社区居民", "公众"]
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("活动")
    ws.append([c.header for c in ACTIVITY_COLUMNS])
    start = date(year, 1, 1)
    for i in range(rows):
        day = start + timedelta(days=i % 365)
        bump = 1 if changed_every and i % changed_every == 0 else 0
        ws.append([f"基准活动{i:06d}", kinds[i % len(kinds)], people[i % len(people)], day, day, towns[i % len(towns)],
                   1 + i % 3, 20 + i % 500 + bump, 10 + i % 300, i % 1000, f"{(i % 50) * 100}", f"地点{i % 97}", None,
                   "基准数据"])
    wb.save(path)


def _world():
    from kesu.accounts.models import Role, User
    from kesu.orgs.models import Unit
    from kesu.regions.models import Level, Region

    def region(code, name, level, parent=None):
        path = (parent.path if parent else "") + f"{code}/"
        obj, _ = Region.objects.get_or_create(code=code, defaults={
            "name": name, "level": level, "parent": parent, "path": path, "depth": parent.depth + 1 if parent else 0})
        return obj
    city = region("919700", "基准市", Level.PREFECTURE)
    county = region("919701", "基准县", Level.COUNTY, city)
    towns = [region(f"919701{n:03d}", f"基准镇{n}", Level.TOWNSHIP, county) for n in range(1, 6)]
    unit, _ = Unit.objects.get_or_create(region=county, name=f"基准县教育局{os.getpid()}")
    user = User.objects.create_user(username=f"bench_{os.getpid()}_{time.time_ns()}", password="x" * 12,
                                    role=Role.FILLER, unit=unit)
    return unit, user, [t.name for t in towns]


def _timed(label: str, rows: int, passes) -> None:
    """Run ``passes`` (callables returning an importer Outcome) back to back and print one line for them."""
    t0, c0 = time.perf_counter(), time.process_time()
    for one in passes:
        outcome = one()
        if outcome.blocking:
            print("blocking problems:", [p.message for p in outcome.blocking[:5]])
            sys.exit(1)
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{label}: {elapsed:.1f} s, {rows / elapsed:,.0f} rows/s (CPU {cpu:.1f} s, {rows / cpu:,.0f} rows/CPU-s), "
          f"{outcome.summary.get('活动')}, max RSS so far {rss:,.0f} MB")


def run(rows: int) -> None:
    _setup_django()
    from django.db import connection

    from kesu.collection.excel import importer
    from kesu.collection.excel.context import Reporter, build_context
    from kesu.core.periods import Period

    year = date.today().year
    unit, user, towns = _world()
    reporter = Reporter(region=unit.region, unit=unit, period=Period.parse(str(year)))

    def importing(path, *, commit=True, background=False):
        progress = (lambda _stage, _pct: None) if background else None
        return lambda: importer.run(path, path.name, build_context(reporter), actor=user, commit=commit,
                                    progress=progress)

    with tempfile.TemporaryDirectory() as tmp:
        path, edited = Path(tmp) / "bench.xlsx", Path(tmp) / "bench-edited.xlsx"
        t0 = time.perf_counter()
        write_workbook(path, rows, year, towns)
        write_workbook(edited, rows, year, towns, changed_every=10)
        print(f"database: {connection.vendor}; workbook: {rows} rows, {path.stat().st_size / 1e6:.1f} MB, "
              f"two written in {time.perf_counter() - t0:.1f} s")
        _timed("check only (the preview of a new file)", rows, [importing(path, commit=False)])
        _timed("import (first upload, creates every row)", rows, [importing(path)])
        _timed("re-import (same file, changes nothing)", rows, [importing(path)])
        _timed("background job, same file (check job + commit job)", rows,
               [importing(path, commit=False, background=True), importing(path, background=True)])
        _timed("re-import with every 10th row edited (updates 10%)", rows, [importing(edited)])
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (max RSS): {peak:,.0f} MB")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    run(parser.parse_args(argv).rows)


if __name__ == "__main__":
    main()
