"""Benchmark of the roll-up queries on a synthetic dataset (not a test; run ``kesu-manage analytics_bench``).

Scales: ``county`` (1 county, 20 townships, 25 units — the SQLite target), ``province`` (1 province,
~10 prefectures, ~85 counties) and ``national`` (34 provinces, 333 prefectures, ~2,840 counties). 70 indicators
(flows and stocks), 5 years of monthly region-level values at the lowest level, all approved; the roll-up rows are
computed with numpy by the same rules and bulk loaded (COPY on PostgreSQL). Queries go through the same selectors
as the pages. DuckDB over Parquet runs the same aggregations for comparison when duckdb/pyarrow are installed.
"""

import io
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from django.db import connection, transaction
from django.utils import timezone

from kesu.accounts.scope import Scope
from kesu.collection.models import DataSet, IndicatorValue, Submission
from kesu.collection.rollup import RollupRow
from kesu.plans.models import Category, Indicator
from kesu.regions.models import Level, Region

YEARS = list(range(2021, 2026))
N_INDICATORS = 70
SCALES = {"county": (1, 1, 1, 20), "province": (1, 10, 85, 0), "national": (34, 333, 2840, 0)}


@dataclass
class Tree:
    regions: list  # Region objects (unsaved or saved), parents first
    leaves: list  # indices of leaf regions (where values are stored)
    parent: list  # index of parent per region (-1 root)


def build_tree(scale: str) -> Tree:
    provinces, prefectures, counties, townships = SCALES[scale]
    regions, parent = [], []

    def add(code, name, level, par):
        path = (regions[par].path if par >= 0 else "") + f"{code}/"
        regions.append(Region(code=code, name=name, level=level, path=path,
                              depth=(regions[par].depth + 1) if par >= 0 else 0, population_10k=50 + len(regions) % 90))
        parent.append(par)
        return len(regions) - 1

    if scale == "county":
        c = add("B99001", "基准县", Level.COUNTY, -1)
        leaves = [add(f"B99001{t:03d}", f"基准乡镇{t}", Level.TOWNSHIP, c) for t in range(1, townships + 1)]
        return Tree(regions, leaves, parent)
    root = add("B00000", "全国（基准）", Level.PROVINCE, -1) if scale == "national" else -1
    leaves = []
    pref_per_prov = [prefectures // provinces + (1 if i < prefectures % provinces else 0) for i in range(provinces)]
    pref_index = 0
    for p in range(provinces):
        pi = add(f"B{p + 11:02d}0000", f"基准省{p + 1}", Level.PROVINCE, root)
        for f in range(pref_per_prov[p]):
            fi = add(f"B{p + 11:02d}{f + 1:02d}00", f"基准市{pref_index + 1}", Level.PREFECTURE, pi)
            n = counties // prefectures + (1 if pref_index < counties % prefectures else 0)
            for c in range(n):
                leaves.append(add(f"B{p + 11:02d}{f + 1:02d}{c + 1:02d}", f"基准县{len(leaves) + 1}", Level.COUNTY, fi))
            pref_index += 1
    return Tree(regions, leaves, parent)


def _months():
    return [f"{y}{m:02d}" for y in YEARS for m in range(1, 13)]


def _derived_ids():
    out = []
    for y in YEARS:
        out += [f"{y}Q{q}" for q in range(1, 5)] + [f"{y}S{s}" for s in (1, 2)] + [str(y)]
    return out


def _derive(values: np.ndarray, flows: np.ndarray) -> np.ndarray:
    """(regions, indicators, 60 months) → (regions, indicators, 35) quarter/half/year figures per year."""
    r, i, _ = values.shape
    by_year = values.reshape(r, i, len(YEARS), 12)
    out = []
    for yi in range(len(YEARS)):
        m = by_year[:, :, yi, :]
        parts = []
        for size in (3, 6, 12):
            g = m.reshape(r, i, 12 // size, size)
            parts.append(np.where(flows[None, :, None], g.sum(axis=3), g[:, :, :, -1]))
        out.append(np.concatenate(parts, axis=2))  # 4 quarters, 2 halves, 1 year
    return np.concatenate(out, axis=2)


def generate(scale: str, *, seed: int = 7, log=print) -> dict:
    """Create regions, indicators, a data set, approved returns, values and roll-up rows. Returns sizes."""
    t0 = time.perf_counter()
    rng = np.random.default_rng(seed)
    tree = build_tree(scale)
    with transaction.atomic():
        Region.objects.bulk_create(tree.regions, batch_size=2000)
        saved = {r.code: r for r in Region.objects.filter(code__in=[r.code for r in tree.regions])}
        regions = [saved[r.code] for r in tree.regions]
        for r, par in zip(regions, tree.parent):
            r.parent_id = regions[par].pk if par >= 0 else None
        Region.objects.bulk_update(regions, ["parent"], batch_size=2000)
        inds = [Indicator(code=f"BENCH_{k:02d}", name=f"基准指标{k}", category=Category.ACTIVITIES, unit="个",
                          region_aggregation="sum", time_aggregation="sum" if k % 3 else "latest", sort=1000 + k)
                for k in range(1, N_INDICATORS + 1)]
        Indicator.objects.bulk_create(inds)
        inds = list(Indicator.objects.filter(code__startswith="BENCH_").order_by("sort"))
        ds = DataSet.objects.create(region=regions[0], code="BENCH", name="基准报表", period_type="M",
                                    lowest_level=max(r.level for r in regions))
        ds.indicators.set(inds)
    flows = np.array([i.time_aggregation == "sum" for i in inds])
    months = _months()
    leaves = tree.leaves
    values = rng.integers(0, 1000, size=(len(leaves), len(inds), len(months))).astype(np.int64)
    log(f"  tree {len(regions)} regions, {len(leaves)} leaves; {values.size:,} values generated "
        f"({time.perf_counter() - t0:.1f}s)")

    # figures for every region: leaves as given, parents as sums of children (deepest first)
    full = np.zeros((len(regions), len(inds), len(months)), dtype=np.int64)
    full[leaves] = values
    for idx in sorted(range(len(regions)), key=lambda k: -regions[k].depth):
        par = tree.parent[idx]
        if par >= 0:
            full[par] += full[idx]
    derived = _derive(full, flows)
    # stocks at a parent: the sum of the children's period-end values equals the derived value of the summed
    # months only when every child reports every month, which the synthetic data does.
    now = timezone.now().isoformat()
    leaf_set = set(leaves)
    ind_ids = [i.pk for i in inds]
    reg_ids = [r.pk for r in regions]
    derived_ids = _derived_ids()

    def value_lines():
        for li, ridx in enumerate(leaves):
            rid = reg_ids[ridx]
            for ii, iid in enumerate(ind_ids):
                row = values[li, ii]
                for mi, pid in enumerate(months):
                    yield f"{iid}\t{rid}\t\\N\t{pid}\t{row[mi]}\t\t1\tbench\t\\N\t{now}\t{now}\n"

    def rollup_lines():
        for ridx, rid in enumerate(reg_ids):
            own = ridx in leaf_set
            for ii, iid in enumerate(ind_ids):
                for mi, pid in enumerate(months):
                    v = full[ridx, ii, mi]
                    yield _rollup_line(iid, rid, pid, v, own)
                for di, pid in enumerate(derived_ids):
                    yield _rollup_line(iid, rid, pid, derived[ridx, ii, di], own)

    def sub_lines():
        for ridx in leaves:
            for pid in months:
                y, m = int(pid[:4]), int(pid[4:])
                import calendar
                end = f"{y}-{m:02d}-{calendar.monthrange(y, m)[1]:02d}"
                yield (f"{ds.pk}\t{pid}\t{y}-{m:02d}-01\t{end}\t{reg_ids[ridx]}\t\\N\tapproved\t\\N\t\\N\t\\N\t\\N"
                       f"\t\\N\t\t{now}\t{now}\n")

    t1 = time.perf_counter()
    _load(IndicatorValue, ["indicator_id", "region_id", "unit_id", "period_id", "value", "explanation", "version",
                           "source", "updated_by_id", "created_at", "updated_at"], value_lines())
    _load(Submission, ["data_set_id", "period_id", "period_start", "period_end", "region_id", "unit_id", "status",
                       "submitted_at", "submitted_by_id", "reviewed_at", "reviewed_by_id", "accepted_at",
                       "return_reason", "created_at", "updated_at"], sub_lines())
    _load(RollupRow, ["indicator_id", "region_id", "period_id", "value", "own", "parts"], rollup_lines())
    log(f"  loaded values, returns and roll-up rows ({time.perf_counter() - t1:.1f}s)")
    if connection.vendor == "postgresql":
        # VACUUM as well: it sets the visibility map, so reads of roll-up rows are index-only scans, as they are in
        # a running system once autovacuum has passed over freshly loaded rows (VACUUM cannot run in a transaction).
        with connection.cursor() as cur:
            cur.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
    return {"regions": len(regions), "leaves": len(leaves), "values": int(values.size),
            "rollup_rows": len(regions) * len(inds) * (len(months) + len(derived_ids)), "root": regions[0],
            "full": full, "months": months, "tree": tree, "indicators": inds, "regions_list": regions}


def _rollup_line(iid, rid, pid, v, own):
    return f"{iid}\t{rid}\t{pid}\t{v}\t{v if own else chr(92) + 'N'}\t{chr(92) + 'N' if own else v}\n"


def _load(model, columns, lines, chunk=200_000):
    table = model._meta.db_table
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            raw = cur.cursor if hasattr(cur, "cursor") else cur
            with raw.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                buf = io.StringIO()
                n = 0
                for line in lines:
                    buf.write(line)
                    n += 1
                    if n % chunk == 0:
                        copy.write(buf.getvalue())
                        buf = io.StringIO()
                copy.write(buf.getvalue())
        return
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"
    batch = []
    with connection.cursor() as cur:
        for line in lines:
            batch.append([None if v == "\\N" else v for v in line.rstrip("\n").split("\t")])
            if len(batch) >= chunk:
                cur.executemany(sql, batch)
                batch = []
        if batch:
            cur.executemany(sql, batch)


def _timed(fn, runs: int) -> tuple[float, float]:
    fn()  # warm up
    samples = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t) * 1000)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, int(len(samples) * 0.95))]


def run(info: dict, *, runs: int = 30, log=print) -> list[tuple]:
    from .selectors import compare, consistency
    from .selectors.explore import explore
    from .selectors.figures import Plan, live_figures, stored_figures

    scope = Scope(role="admin")
    root = Region.objects.get(pk=info["root"].pk)
    inds = info["indicators"]
    year = str(YEARS[-1])
    from kesu.core.periods import Period
    results = []

    def add(name, fn, n=runs):
        p50, p95 = _timed(fn, n)
        results.append((name, p50, p95))
        log(f"  {name:<58} p50 {p50:8.1f} ms   p95 {p95:8.1f} ms")

    plan = Plan.for_indicators(inds)
    add(f"all {len(inds)} indicators, {root.name} by child region, {year}",
        lambda: explore(scope, indicators=inds, region=root, periods=[Period.parse(year)], group_by="region"))
    province = root if root.parent_id is None and "全国" not in root.name else \
        Region.objects.filter(parent=root).order_by("code").first()
    counties = list(Region.objects.filter(path__startswith=province.path, level=Level.COUNTY)) if province else []
    if counties and province.level == Level.PROVINCE:
        add(f"all indicators, {province.name} by county ({len(counties)}), {year}",
            lambda: stored_figures(plan, province, counties, [year]))
    add("trend: 3 indicators × 5 years at root",
        lambda: explore(scope, indicators=inds[:3], region=root, periods=[Period.parse(str(y)) for y in YEARS],
                        group_by="period"))
    add("ranking of child regions (per 10k population)",
        lambda: compare.ranking(scope, indicator=inds[0], region=root, period=Period.parse(year),
                                per_population=True))
    add("consistency: mismatches in the subtree, one year",
        lambda: consistency.mismatches(scope, region=root, period_ids=[year]))
    if info["values"] <= 500_000:
        add("live (incl. submitted) all indicators by child region, year",
            lambda: live_figures(plan, root, [year], include_submitted=True), n=max(3, runs // 5))
    return results


def run_duckdb(info: dict, *, runs: int = 30, log=print) -> list[tuple]:
    """The same aggregations over Parquet in DuckDB: values → leaf year figures → parent sums."""
    try:
        import duckdb
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        log("  duckdb/pyarrow not installed: skipped")
        return []
    tree, regions, full = info["tree"], info["regions_list"], info["full"]
    leaves = tree.leaves
    months = info["months"]
    inds = info["indicators"]
    n_l, n_i, n_m = len(leaves), len(inds), len(months)
    leaf_vals = full[leaves]
    tmp = Path(tempfile.mkdtemp())
    table = pa.table({
        "indicator": np.repeat(np.arange(n_i, dtype=np.int32)[None, :, None], n_l, 0).repeat(n_m, 2).ravel(),
        "leaf": np.repeat(np.arange(n_l, dtype=np.int32), n_i * n_m),
        "month": np.tile(np.arange(n_m, dtype=np.int16), n_l * n_i),
        "value": leaf_vals.ravel(),
    })
    pq.write_table(table, tmp / "values.parquet")
    path_of = {i: r.path for i, r in enumerate(regions)}
    regs = pa.table({"leaf": np.arange(n_l, dtype=np.int32), "path": [path_of[i] for i in leaves]})
    pq.write_table(regs, tmp / "leaves.parquet")
    con = duckdb.connect()
    con.execute(f"CREATE VIEW v AS SELECT * FROM read_parquet('{tmp / 'values.parquet'}')")
    con.execute(f"CREATE VIEW l AS SELECT * FROM read_parquet('{tmp / 'leaves.parquet'}')")
    root = regions[0]
    depth = len(root.path.strip("/").split("/"))
    year_start = (len(YEARS) - 1) * 12
    sql = (f"SELECT split_part(l.path, '/', {depth + 1}) AS child, v.indicator, sum(v.value) "
           f"FROM v JOIN l USING (leaf) WHERE v.month >= {year_start} GROUP BY 1, 2")
    p50, p95 = _timed(lambda: con.execute(sql).fetchall(), runs)
    log(f"  {'duckdb: all indicators by child region, one year (flows)':<58} p50 {p50:8.1f} ms   p95 {p95:8.1f} ms")
    return [("duckdb by child region", p50, p95)]
