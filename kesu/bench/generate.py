"""Deterministic synthetic data on the real region tree, bulk-loaded, with the stored roll-up rows built to match.

Scales (all on the national region list from ``kesu regions load``, townships loaded for the counties in scope):

- ``county``: one county (宣汉县); monthly values at its townships;
- ``province``: one province (江西省, 100 counties); monthly values at each county;
- ``national``: every province; monthly values at each county (≈ 2,850 counties → ≈ 10M values).

Every county gets 20–30 member units and activities by kind and population (≈ 700 per county, ≈ 2M nationally)
across five years. Values follow the built-in indicators that are stored as numbers and summed across regions;
ratio indicators are recomputed by analytics and activity-derived ones counted from the activities, so neither is
stored. Magnitudes are log-normal per indicator and per region (a few large counties, many small ones), scaled by a
synthetic population and growing year on year. All returns are approved, so the roll-up rows (``RollupRow``) are
computed here with numpy by the same rules as ``kesu.collection.rollup`` and loaded in the same pass; a test checks
they equal what ``rollup_refresh`` computes.

Rows are written with COPY on PostgreSQL and with ``executemany`` inside one transaction on SQLite.
"""

import calendar
import io
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
from django.db import connection, transaction
from django.utils import timezone

YEARS = list(range(2021, 2026))
SCALES = {"county": "511722", "province": "36", "national": ""}
SCALE_NAMES = {"county": "县级（宣汉县）", "province": "省级（江西省）", "national": "全国"}
VALUE_SET = "BENCH_VALUES"
UNIT_SET = "BENCH_UNITS"
ACTIVITIES_PER_COUNTY = 700
UNIT_NAMES = ["科协", "教育局", "科技局", "农业农村局", "卫健局", "文广旅局", "人社局", "总工会", "团县委", "妇联",
              "融媒体中心", "气象局", "应急管理局", "生态环境局", "自然资源局", "老龄办", "残联", "林业局",
              "市场监管局", "住建局", "地震局", "民政局", "工信局", "财政局", "宣传部", "组织部", "发改局", "统计局",
              "图书馆", "文化馆"]


@dataclass
class Dataset:
    """What ``generate`` created (and ``load_dataset`` finds again): the tree and the ids the benchmark needs."""

    scale: str
    root_ids: list  # the scope's top regions (one county, one province, or every province)
    region_ids: list = field(default_factory=list)
    values: int = 0
    rollup_rows: int = 0
    activities: int = 0
    units: int = 0
    seconds: float = 0.0


def _months():
    return [f"{y}{m:02d}" for y in YEARS for m in range(1, 13)]


def _derived_ids():
    out = []
    for y in YEARS:
        out += [f"{y}Q{q}" for q in range(1, 5)] + [f"{y}S{s}" for s in (1, 2)] + [str(y)]
    return out


def _derive(values: np.ndarray, flows: np.ndarray) -> np.ndarray:
    """(regions, indicators, 60 months) → (regions, indicators, 35): quarters, halves and the year, per year."""
    r, i, _ = values.shape
    by_year = values.reshape(r, i, len(YEARS), 12)
    out = []
    for yi in range(len(YEARS)):
        m = by_year[:, :, yi, :]
        parts = []
        for size in (3, 6, 12):
            g = m.reshape(r, i, 12 // size, size)
            parts.append(np.where(flows[None, :, None], g.sum(axis=3), g[:, :, :, -1]))
        out.append(np.concatenate(parts, axis=2))
    return np.concatenate(out, axis=2)


def value_indicators():
    """Built-in indicators stored as numbers and summed across regions (flows and period-end stocks)."""
    from kesu.collection.models import ActivityIndicatorRule
    from kesu.plans.models import Indicator

    derived = set(ActivityIndicatorRule.objects.values_list("indicator_id", flat=True))
    return [i for i in Indicator.objects.order_by("sort", "code")
            if i.pk not in derived and not i.numerator and i.region_aggregation == "sum"
            and i.time_aggregation in ("sum", "latest")]


def activity_indicators():
    from kesu.plans.models import Indicator

    return list(Indicator.objects.filter(activity_rule__isnull=False).order_by("sort", "code"))


def _ensure_catalogue(scale: str, log) -> list:
    """The region list (with townships of the counties in scope) and the built-in indicators."""
    from kesu.plans.loader import load_builtin
    from kesu.regions.loader import load_regions
    from kesu.regions.models import Level, Region

    t = time.perf_counter()
    load_builtin()
    if not Region.objects.filter(level=Level.PROVINCE).exists():
        load_regions()
    code = SCALES[scale]
    counties = Region.objects.filter(level=Level.COUNTY, code__startswith=code).values_list("code", flat=True)
    load_regions(townships=list(counties))
    roots = _roots(scale)
    log(f"  区划与指标目录就绪（{time.perf_counter() - t:.1f} 秒）")
    return roots


def generate(scale: str, *, seed: int = 7, log=print) -> Dataset:
    """Create the synthetic dataset for ``scale`` in the configured (empty of benchmark data) database: all of it
    or, when interrupted, nothing."""
    with transaction.atomic():
        data = _generate(scale, seed, log)
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        # VACUUM sets the visibility map, so roll-up reads are index-only scans as they are in a running system once
        # autovacuum has passed over freshly loaded rows; it cannot run inside a transaction.
        started = time.perf_counter()
        with connection.cursor() as cur:
            for model in ("collection_rolluprow", "collection_indicatorvalue", "collection_activity"):
                cur.execute(f"VACUUM ANALYZE {model}")
        log(f"  VACUUM ANALYZE（{time.perf_counter() - started:.1f} 秒）")
    return data


def _generate(scale: str, seed: int, log) -> Dataset:
    from kesu.collection.models import Activity, DataSet, IndicatorValue, RollupRow, Submission
    from kesu.orgs.models import Unit, UnitKind
    from kesu.regions.models import Level, Region

    started = time.perf_counter()
    rng = np.random.default_rng(seed)
    roots = _ensure_catalogue(scale, log)
    inds = value_indicators()
    act_inds = activity_indicators()
    # The subtree(s) in scope, plus the ancestors of a county root so that its province sees its figures too.
    nodes = []
    for root in roots:
        nodes += list(Region.objects.filter(path__startswith=root.path).order_by("depth", "path"))
    ancestors = [] if scale != "county" else list(
        Region.objects.filter(code__in=[c for c in roots[0].path.strip("/").split("/")[:-1]]).order_by("depth"))
    nodes = ancestors + nodes
    index = {r.pk: k for k, r in enumerate(nodes)}
    parent = [index.get(r.parent_id, -1) for r in nodes]
    has_child = {p for p in parent if p >= 0}
    value_level = Level.TOWNSHIP if scale == "county" else Level.COUNTY
    leaves = [k for k, r in enumerate(nodes)
              if r.level == value_level or (r.level < value_level and k not in has_child)]
    counties = [r for r in nodes if r.level == Level.COUNTY]
    log(f"  区域 {len(nodes):,} 个（填报区域 {len(leaves):,}，县级 {len(counties):,}），数值指标 {len(inds)} 个")

    with transaction.atomic():
        top = roots[0]
        label = f"基准数据（{scale}）"
        vset = DataSet.objects.create(region=top, code=VALUE_SET, name=label, period_type="M", units_report=False,
                                      lowest_level=value_level, sort=900)
        vset.indicators.set(inds)
        uset = DataSet.objects.create(region=top, code=UNIT_SET, name=f"基准单位报表（{scale}）", period_type="Y",
                                      units_report=True, lowest_level=Level.COUNTY, sort=901)
        uset.indicators.set(act_inds + inds[:6])
        kinds = [k for k in UnitKind.values if k != "township"]
        units = []
        for c in counties:
            n = int(rng.integers(20, 31))
            for u in range(n):
                units.append(Unit(region=c, name=f"{c.name}{UNIT_NAMES[u % len(UNIT_NAMES)]}",
                                  kind=kinds[u % len(kinds)], sort=u))
        Unit.objects.bulk_create(units, batch_size=5000)
    unit_rows = list(Unit.objects.filter(region__in=counties).values_list("pk", "region_id"))

    # -- values ---------------------------------------------------------------------------------------------------
    n_l, n_i, months = len(leaves), len(inds), _months()
    flows = np.array([i.time_aggregation == "sum" for i in inds])
    base = np.exp(rng.uniform(1.0, 7.5, size=n_i))  # indicator magnitude: a handful to a few thousand a month
    size = rng.lognormal(0.0, 0.8, size=n_l)  # region skew: many small, a few large
    growth = (1.0 + rng.uniform(0.0, 0.12, size=n_i))[None, :, None] ** (np.arange(len(months)) // 12)[None, None, :]
    noise = rng.lognormal(0.0, 0.35, size=(n_l, n_i, len(months)))
    monthly = base[None, :, None] * size[:, None, None] * growth * noise
    stock_shape = (np.arange(len(months)) + 12.0)[None, None, :] * 2.0  # stocks accumulate slowly
    values = np.where(flows[None, :, None], monthly, base[None, :, None] * size[:, None, None] * stock_shape)
    values = np.rint(values).astype(np.int64)
    # Regions with figures: the value regions and their ancestors (townships without values get no rows).
    with_rows = set(leaves)
    for k in leaves:
        while parent[k] >= 0 and parent[k] not in with_rows:
            k = parent[k]
            with_rows.add(k)
    rows_idx = sorted(with_rows)
    pos = {k: j for j, k in enumerate(rows_idx)}
    full = np.zeros((len(rows_idx), n_i, len(months)), dtype=np.int64)
    full[[pos[k] for k in leaves]] = values
    for k in sorted(rows_idx, key=lambda k: -nodes[k].depth):
        if parent[k] >= 0:
            full[pos[parent[k]]] += full[pos[k]]
    derived = _derive(full, flows)
    log(f"  数值 {values.size:,} 条已生成（{time.perf_counter() - started:.1f} 秒）")

    now = timezone.now().isoformat()
    ind_ids = [i.pk for i in inds]
    reg_ids = [r.pk for r in nodes]
    derived_ids = _derived_ids()
    leaf_set = set(leaves)

    def value_lines():
        for li, k in enumerate(leaves):
            rid = reg_ids[k]
            for ii, iid in enumerate(ind_ids):
                row = values[li, ii].tolist()
                for mi, pid in enumerate(months):
                    yield f"{iid}\t{rid}\t\\N\t{pid}\t{row[mi]}\t\t1\tbench\t\\N\t{now}\t{now}\n"

    def rollup_lines():
        for k in rows_idx:
            rid, j, own = reg_ids[k], pos[k], k in leaf_set
            for ii, iid in enumerate(ind_ids):
                for pid, v in zip(months + derived_ids, full[j, ii].tolist() + derived[j, ii].tolist(), strict=True):
                    yield (f"{iid}\t{rid}\t{pid}\t{v}\t{v}\t\\N\n" if own else f"{iid}\t{rid}\t{pid}\t{v}\t\\N\t{v}\n")

    def submission_lines():
        for k in leaves:
            for pid in months:
                y, m = int(pid[:4]), int(pid[4:])
                end = f"{y}-{m:02d}-{calendar.monthrange(y, m)[1]:02d}"
                yield (f"{vset.pk}\t{pid}\t{y}-{m:02d}-01\t{end}\t{reg_ids[k]}\t\\N\tapproved\t{now}\t\\N\t{now}"
                       f"\t\\N\t{now}\t\t{now}\t{now}\n")
        for uid, rid in unit_rows:
            for y in YEARS:
                yield (f"{uset.pk}\t{y}\t{y}-01-01\t{y}-12-31\t{rid}\t{uid}\tapproved\t{now}\t\\N\t{now}"
                       f"\t\\N\t{now}\t\t{now}\t{now}\n")

    # -- activities: each county's units organise them at the county's townships ---------------------------------
    townships: dict[int, list[int]] = {}
    for r in nodes:
        if r.level == Level.TOWNSHIP:
            townships.setdefault(r.parent_id, []).append(r.pk)
    units_of: dict[int, list[int]] = {}
    for uid, rid in unit_rows:
        units_of.setdefault(rid, []).append(uid)
    act_kinds = ["training", "lecture", "exhibition", "contest", "science_day", "science_week",
                 "three_to_countryside", "caravan", "consulting", "screening", "camp", "other"]
    kind_p = np.array([24, 20, 6, 5, 6, 5, 8, 3, 10, 7, 2, 4], dtype=float)
    pops = ["youth", "farmer", "worker", "elder", "cadre", "community", "public"]
    pop_p = np.array([22, 24, 10, 12, 6, 12, 14], dtype=float)
    kind_names = {"training": "培训", "lecture": "讲座", "exhibition": "展览", "contest": "竞赛", "science_day": "科普日",
                  "science_week": "科技活动周", "three_to_countryside": "三下乡", "caravan": "科普大篷车",
                  "consulting": "科技咨询", "screening": "影视放映", "camp": "夏令营", "other": "科普"}
    first_day = date(YEARS[0], 1, 1)
    n_days = (date(YEARS[-1], 12, 31) - first_day).days + 1

    def activity_lines():
        for c in counties:
            us = units_of.get(c.pk)
            if not us:
                continue
            places = townships.get(c.pk) or [c.pk]
            n = ACTIVITIES_PER_COUNTY
            ks = rng.choice(len(act_kinds), size=n, p=kind_p / kind_p.sum())
            ps = rng.choice(len(pops), size=n, p=pop_p / pop_p.sum())
            days = rng.integers(0, n_days, size=n)
            length = rng.integers(0, 3, size=n)
            people = np.rint(rng.lognormal(3.8, 0.9, size=n)).astype(int) + 5
            sessions = rng.integers(1, 6, size=n)
            materials = np.rint(people * rng.uniform(0.5, 4.0, size=n)).astype(int)
            funds = np.rint(rng.lognormal(7.5, 1.1, size=n)).astype(int)
            u_idx = rng.integers(0, len(us), size=n)
            p_idx = rng.integers(0, len(places), size=n)
            for j in range(n):
                start = first_day + timedelta(days=int(days[j]))
                end = start + timedelta(days=int(length[j]))
                kind = act_kinds[ks[j]]
                yield (f"{us[u_idx[j]]}\t{places[p_idx[j]]}\t{kind}\t{kind_names[kind]}活动（第{j + 1}期）\t{start}"
                       f"\t{end}\t{pops[ps[j]]}\t\\N\t\\N\t{sessions[j]}\t{people[j] * sessions[j]}\t{people[j]}"
                       f"\t{materials[j]}\t{funds[j]}\t\t\t\t1\tbench\t\\N\t{now}\t{now}\n")

    t = time.perf_counter()
    with transaction.atomic():
        n_values = _load(IndicatorValue, ["indicator_id", "region_id", "unit_id", "period_id", "value", "explanation",
                                          "version", "source", "updated_by_id", "created_at", "updated_at"],
                         value_lines())
        _load(Submission, ["data_set_id", "period_id", "period_start", "period_end", "region_id", "unit_id",
                           "status", "submitted_at", "submitted_by_id", "reviewed_at", "reviewed_by_id",
                           "accepted_at", "return_reason", "created_at", "updated_at"], submission_lines())
        n_rollup = _load(RollupRow, ["indicator_id", "region_id", "period_id", "value", "own", "parts"],
                         rollup_lines())
        n_acts = _load(Activity, ["unit_id", "region_id", "kind", "title", "start_date", "end_date", "population",
                                  "framework_item_id", "task_id", "sessions", "participants", "people", "materials",
                                  "funds", "place", "notes", "external_key", "version", "source", "updated_by_id",
                                  "created_at", "updated_at"], activity_lines())
    log(f"  写入数值 {n_values:,} 条、汇总行 {n_rollup:,} 条、活动 {n_acts:,} 条（{time.perf_counter() - t:.1f} 秒）")
    t = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    log(f"  更新统计信息（{time.perf_counter() - t:.1f} 秒）")
    return Dataset(scale=scale, root_ids=[r.pk for r in roots], region_ids=reg_ids, values=n_values,
                   rollup_rows=n_rollup, activities=n_acts, units=len(unit_rows),
                   seconds=time.perf_counter() - started)


def _load(model, columns, lines, chunk=100_000) -> int:
    """Bulk-write tab-separated lines (``\\N`` = NULL): COPY on PostgreSQL, executemany on SQLite. Returns rows."""
    table = model._meta.db_table
    n = 0
    if connection.vendor == "postgresql":
        with connection.cursor() as cur, _without_indexes(cur, table):
            raw = getattr(cur, "cursor", cur)
            with raw.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                buf = io.StringIO()
                for line in lines:
                    buf.write(line)
                    n += 1
                    if n % chunk == 0:
                        copy.write(buf.getvalue())
                        buf = io.StringIO()
                copy.write(buf.getvalue())
        return n
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"
    batch = []
    with connection.cursor() as cur:
        for line in lines:
            batch.append([None if v == "\\N" else v for v in line.rstrip("\n").split("\t")])
            n += 1
            if len(batch) >= chunk:
                cur.executemany(sql, batch)
                batch = []
        if batch:
            cur.executemany(sql, batch)
    return n


@contextmanager
def _without_indexes(cur, table: str):
    """PostgreSQL: drop the table's secondary indexes, unique and foreign-key constraints for the COPY and build
    them again afterwards — one sorted pass each instead of a B-tree insert and a trigger call per row (the usual
    way to bulk-load; several times faster at tens of millions of rows). Same transaction: all or nothing."""
    cur.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending checks may block the ALTER TABLEs below
    cur.execute("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass "
                "AND contype IN ('u', 'f') ORDER BY contype DESC", [table])
    constraints = cur.fetchall()
    cur.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname NOT IN "
                "(SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass)", [table, table])
    indexes = cur.fetchall()
    for name, _ in constraints:
        cur.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _ in indexes:
        cur.execute(f'DROP INDEX "{name}"')
    yield
    for _, definition in indexes:
        cur.execute(definition)
    for name, definition in reversed(constraints):
        cur.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')


def load_dataset() -> Dataset | None:
    """The dataset a previous ``generate`` left in the database (None when there is none)."""
    from kesu.collection.models import DataSet
    ds = DataSet.objects.filter(code=VALUE_SET).first()
    if ds is None:
        return None
    found = ds.name.removeprefix("基准数据（").removesuffix("）")
    return Dataset(scale=found, root_ids=[r.pk for r in _roots(found)])


def _roots(scale: str) -> list:
    from kesu.regions.models import Level, Region

    code = SCALES[scale]
    if len(code) == 6:
        return list(Region.objects.filter(code=code))
    return list(Region.objects.filter(level=Level.PROVINCE, code__startswith=code).order_by("code"))
