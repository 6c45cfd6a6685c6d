"""The measurements of ``kesu bench run``: each calls the product's own code (services, selectors, builders,
engine, the web server) and reports p50/p95 over repeated runs after a warm-up, beside the target it answers to."""

import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from .output import spread
from .targets import TARGETS

YEAR = "2025"


def percentiles(samples) -> dict:
    s = sorted(samples)
    if not s:
        return {"p50": None, "p95": None, "p99": None, "n": 0}
    pick = lambda q: s[min(len(s) - 1, int(round(q * (len(s) - 1))))]  # noqa: E731
    return {"p50": round(statistics.median(s), 2), "p95": round(pick(0.95), 2), "p99": round(pick(0.99), 2),
            "n": len(s)}


def timed(fn, runs: int) -> dict:
    fn()  # warm-up: caches, imports, query plans
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return percentiles(samples)


def figure(key: str, value, unit: str, **extra) -> dict:
    target = TARGETS.get(key)
    return {"value": value, "unit": unit, "target": target[0] if target else None,
            "target_text": target[1] if target else "", **extra}


def run_all(data, ns, log) -> dict:
    from django.db import connection

    only = set(ns.only) or {"import", "rollup", "duckdb", "cell", "reports", "extraction", "jobs", "http"}
    result = {"scale": data.scale, "database": connection.vendor, "generated_seconds": round(data.seconds, 1),
              "machine": machine(), "dataset": dataset_sizes(), "figures": {}}
    steps = [("rollup", rollup), ("duckdb", duckdb), ("cell", cell_save), ("reports", reports),
             ("extraction", extraction), ("jobs", jobs),
             ("import", excel_import), ("http", http)]
    for name, step in steps:
        if name in only:
            log(f"测量：{name} …")
            started = time.perf_counter()
            result["figures"].update(step(data, ns, log, result))
            log(f"  （{time.perf_counter() - started:.0f} 秒）")
    return result


def machine() -> dict:
    mem = 0
    try:
        mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError):
        pass
    return {"cpus": os.cpu_count(), "memory_gb": round(mem, 1), "python": platform.python_version(),
            "system": platform.platform(terse=True), "load_1min": round(os.getloadavg()[0], 2)}


def dataset_sizes() -> dict:
    from kesu.collection.models import Activity, IndicatorValue, RollupRow
    from kesu.orgs.models import Unit
    from kesu.regions.models import Region

    return {"regions": Region.objects.count(), "values": IndicatorValue.objects.count(),
            "rollup_rows": RollupRow.objects.count(), "activities": Activity.objects.count(),
            "units": Unit.objects.count()}


# -- places ------------------------------------------------------------------------------------------------------


def places(data):
    """(province, its counties, a county, a prefecture with its counties) inside the generated scope."""
    from kesu.regions.models import Level, Region

    roots = list(Region.objects.filter(pk__in=data.root_ids).order_by("code"))
    if data.scale == "county":
        county = roots[0]
        province = Region.objects.get(code=county.path.strip("/").split("/")[0])
    else:
        province = roots[0] if data.scale == "province" else next(
            (r for r in roots if r.code.startswith("36")), roots[0])
        county = Region.objects.filter(path__startswith=province.path, level=Level.COUNTY).order_by("code").first()
    counties = list(Region.objects.filter(path__startswith=province.path, level=Level.COUNTY).order_by("code"))
    prefecture = county.parent
    return province, counties, county, prefecture


# -- roll-up queries ---------------------------------------------------------------------------------------------


def rollup(data, ns, log, result) -> dict:
    from kesu.accounts.models import Role
    from kesu.accounts.scope import Scope
    from kesu.analytics.selectors import dashboard
    from kesu.analytics.selectors.figures import Plan, figures
    from kesu.collection.models import ActivityIndicatorRule
    from kesu.plans.models import Indicator
    from kesu.regions.models import Level, Region

    province, counties, county, _ = places(data)
    everything = list(Indicator.objects.order_by("sort", "code"))
    plan = Plan.for_indicators(everything)
    out = {}
    out["rollup_province_by_county"] = figure(
        "rollup_province_by_county", timed(lambda: figures(plan, province, [province, *counties], [YEAR]), ns.runs),
        "ms", what=f"{province.name} 按县级 {len(counties)} 个，全部 {len(everything)} 个指标，{YEAR} 年")
    log(f"  省按县：p50 {out['rollup_province_by_county']['value']['p50']} ms")
    provinces = list(Region.objects.filter(level=Level.PROVINCE).order_by("code"))
    derived = set(ActivityIndicatorRule.objects.values_list("indicator_id", flat=True))
    stored = Plan.for_indicators([i for i in everything if i.pk not in derived])
    out["rollup_national_by_province"] = figure(
        "rollup_national_by_province", timed(lambda: figures(stored, provinces[0], provinces, [YEAR]), ns.runs),
        "ms", what=f"全国按省 {len(provinces)} 个，存储汇总的 {len(stored.value_ids)} 个指标及比率，{YEAR} 年")
    log(f"  全国按省：p50 {out['rollup_national_by_province']['value']['p50']} ms")
    scope = Scope(role=Role.OFFICE, region_id=county.pk, region_path=county.path)
    today = date(int(YEAR) + 1, 3, 1)
    out["county_dashboard"] = figure(
        "county_dashboard", timed(lambda: dashboard.for_scope(scope, today=today), ns.runs), "ms",
        what=f"{county.name}办公室首页（全部图表与表格的数据）")
    log(f"  县首页：p50 {out['county_dashboard']['value']['p50']} ms")
    return out


# -- one grid cell save, in process (server time) ----------------------------------------------------------------


def cell_save(data, ns, log, result) -> dict:
    """``value_save`` — what the grid's cell save runs: scope, lock guard, version check, rules, audit, return."""
    from kesu.accounts.models import Role, User
    from kesu.bench.generate import value_indicators
    from kesu.collection.models import IndicatorValue
    from kesu.collection.services import value_save
    from kesu.orgs.models import Unit

    _, _, county, _ = places(data)
    unit = Unit.objects.filter(region=county).order_by("pk").first()
    user = User.objects.filter(username="bench_cell").first() or User.objects.create_user(
        username="bench_cell", password=None, role=Role.FILLER, unit=unit)
    indicator = value_indicators()[0]
    period = str(date.today().year)
    n = [0]

    def save():
        row = IndicatorValue.objects.filter(indicator=indicator, region=county, unit=user.unit,
                                            period_id=period).first()
        n[0] += 1
        value_save(actor=user, indicator=indicator, region=county, unit=user.unit, period=period,
                   value=str(100 + n[0] % 50), expected_version=row.version if row else 0, explanation="基准测试")

    out = {"cell_save_server": figure("cell_save_server", timed(save, max(ns.runs, 10)), "ms",
                                      what=f"value_save，库中已有 {result['dataset']['values']:,} 条数值")}
    log(f"  单元格保存（进程内）p50 {out['cell_save_server']['value']['p50']} ms")
    return out


# -- DuckDB over Parquet -----------------------------------------------------------------------------------------


def duckdb(data, ns, log, result) -> dict:
    try:
        import duckdb as duck
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        log("  未安装 duckdb/pyarrow（pip install 'kesu[bench]'）：跳过")
        return {k: figure(k, None, "ms", skipped="duckdb/pyarrow 未安装") for k in
                ("duckdb_province_by_county", "duckdb_national_by_province", "duckdb_export_s")}
    from django.db import connection

    from kesu.bench.generate import value_indicators
    from kesu.collection.models import IndicatorValue
    from kesu.regions.models import Region

    province, counties, county, _ = places(data)
    tmp = Path(tempfile.mkdtemp(prefix="kesu-bench-"))
    started = time.perf_counter()
    cols = {"indicator": [], "region": [], "period": [], "value": []}
    qs = IndicatorValue.objects.filter(unit__isnull=True).values_list("indicator_id", "region_id", "period_id",
                                                                       "value")
    writer = None
    for n, row in enumerate(qs.iterator(chunk_size=50_000), 1):
        for k, v in zip(cols, row, strict=True):
            cols[k].append(v)
        if n % 500_000 == 0:
            writer = _flush(pa, pq, writer, tmp / "values.parquet", cols)
    writer = _flush(pa, pq, writer, tmp / "values.parquet", cols)
    if writer:
        writer.close()
    # Each region with its province and county-level ancestor, so that both roll-ups are plain equi-joins.
    regions = list(Region.objects.values_list("id", "code", "path", "level"))
    level_of = {code: level for _, code, _, level in regions}
    county_of = [next((c for c in path.strip("/").split("/") if level_of.get(c) == 3), None)
                 for _, _, path, _ in regions]
    pq.write_table(pa.table({"id": [r[0] for r in regions], "province": [r[2].split("/")[0] for r in regions],
                             "county": county_of}), tmp / "regions.parquet")
    inds = value_indicators()
    pq.write_table(pa.table({"id": [i.pk for i in inds], "flow": [i.time_aggregation == "sum" for i in inds]}),
                   tmp / "indicators.parquet")
    export_s = time.perf_counter() - started
    con = duck.connect()
    for name in ("values", "regions", "indicators"):
        con.execute(f"CREATE VIEW {name}_ AS SELECT * FROM read_parquet('{tmp / (name + '.parquet')}')")
    # Flows sum the year's months; stocks take December — the same rule the roll-up rows follow.
    year_value = (f"SELECT v.indicator, v.region, sum(v.value) AS value FROM values_ v JOIN indicators_ i "
                  f"ON i.id = v.indicator WHERE v.period LIKE '{YEAR}%' AND (i.flow OR v.period = '{YEAR}12') "
                  f"GROUP BY 1, 2")
    by_county = (f"SELECT r.county, y.indicator, sum(y.value) FROM ({year_value}) y JOIN regions_ r "
                 f"ON r.id = y.region WHERE r.province = '{province.code}' GROUP BY 1, 2")
    by_province = (f"SELECT r.province, y.indicator, sum(y.value) FROM ({year_value}) y "
                   f"JOIN regions_ r ON r.id = y.region GROUP BY 1, 2")
    out = {"duckdb_export_s": figure("duckdb_export_s", round(export_s, 2), "s", what="导出数值为 Parquet")}
    for key, sql, ours in (("duckdb_province_by_county", by_county, "rollup_province_by_county"),
                           ("duckdb_national_by_province", by_province, "rollup_national_by_province")):
        stats = timed(lambda sql=sql: con.execute(sql).fetchall(), ns.runs)
        kesu = result["figures"].get(ours, {}).get("value") or {}
        ratio = round(kesu["p50"] / stats["p50"], 2) if kesu.get("p50") and stats["p50"] else None
        out[key] = figure(key, stats, "ms", ratio_kesu_to_duckdb=ratio, what="同一查询，DuckDB 读 Parquet")
        log(f"  {key}: p50 {stats['p50']} ms（kesu/DuckDB = {ratio}）")
    con.close()
    for f in tmp.iterdir():
        f.unlink()
    tmp.rmdir()
    connection.close()
    return out


def _flush(pa, pq, writer, path, cols):
    if not cols["value"]:
        return writer
    table = pa.table({"indicator": pa.array(cols["indicator"], pa.int32()),
                      "region": pa.array(cols["region"], pa.int32()),
                      "period": pa.array(cols["period"], pa.string()),
                      "value": pa.array([float(v) if v is not None else None for v in cols["value"]], pa.float64())})
    writer = writer or pq.ParquetWriter(path, table.schema)
    writer.write_table(table)
    for v in cols.values():
        v.clear()
    return writer


# -- reports -----------------------------------------------------------------------------------------------------


def reports(data, ns, log, result) -> dict:
    from kesu.accounts.models import Role
    from kesu.accounts.scope import Scope
    from kesu.core.periods import Period
    from kesu.regions.models import Region
    from kesu.reports import context
    from kesu.reports.builders import kinds
    from kesu.reports.builders.render import render_all

    _, _, county, prefecture = places(data)
    scope = Scope(role=Role.ADMIN)
    runs = max(2, min(5, ns.runs // 4))

    def report(region):
        return lambda: render_all(context.build_context(scope, region=region, period=Period.parse(YEAR),
                                                        kind=kinds.ANNUAL_SUMMARY))

    n_counties = Region.objects.filter(parent=prefecture).count()
    out = {"report_county": figure("report_county", timed(report(county), runs), "ms",
                                   what=f"{county.name} {YEAR} 年度工作总结（含图表）"),
           "report_prefecture": figure("report_prefecture", timed(report(prefecture), runs), "ms",
                                       what=f"{prefecture.name}（下辖 {n_counties} 个县级）{YEAR} 年度工作总结")}
    log(f"  县报告 p50 {out['report_county']['value']['p50']} ms，市报告 p50 {out['report_prefecture']['value']['p50']} ms")
    from kesu.reports.builders.pdf import docx_to_pdf, pdf_available

    if pdf_available():  # the PDF conversion (LibreOffice, with the free faces' fontconfig) of the county's report
        docx = report(county)().docx
        pdf_runs = max(1, min(3, ns.runs // 8))  # a conversion takes seconds: a few runs tell enough
        out["report_county_pdf"] = figure("report_county_pdf", timed(lambda: docx_to_pdf(docx), pdf_runs), "ms",
                                          what=f"{county.name} {YEAR} 年度工作总结 DOCX → PDF（LibreOffice）")
        log(f"  县报告转 PDF p50 {out['report_county_pdf']['value']['p50']} ms")
    return out


# -- extraction --------------------------------------------------------------------------------------------------


def extraction(data, ns, log, result) -> dict:
    import random

    from .extraction import bench_dedup, bench_extraction, bench_split_lines, bench_upload_end_to_end, generated_text

    rng = random.Random(1)
    texts = [generated_text(3000, rng) for _ in range(max(10, min(300, ns.docs // 30)))]
    runs = max(3, min(7, ns.runs // 3))
    speeds = []
    bench_extraction(texts[:5], "warm-up")
    for _ in range(runs):
        speeds.append(bench_extraction(texts, "generated")["chars_per_cpu_s"])
    dedup = bench_dedup(ns.docs, 3000, max(5, ns.docs // 200), rng)
    _, _, county, _ = places(data)
    upload = bench_upload_end_to_end(county, 100_000, runs=3)
    split = bench_split_lines()
    out = {"extraction_chars_per_s": figure("extraction_chars_per_s", percentiles(speeds), "chars/s",
                                            what=f"{len(texts)} 篇 3000 字生成文本，单核 CPU 时间"),
           "dedup_seconds": figure("dedup_seconds", dedup["wall_s"], "s",
                                   what=f"{dedup['docs']} 篇 × 3000 字", planted=dedup["planted"],
                                   planted_found=dedup["planted_found"], spurious=dedup["spurious"]),
           "extraction_upload_100kb_s": figure("extraction_upload_100kb_s", percentiles(upload["wall_s"]), "s",
                                               what=f"100 KB 报告上传→提取→审核页（{upload['facts']} 条数据）"),
           "extraction_split_lines": figure("extraction_split_lines", split[-1]["cpu_s"], "s",
                                            what=f"分篇、分章、清理 {split[-1]['lines']:,} 个短行（CPU）", by_lines=split)}
    log(f"  100 KB 报告上传到审核页 p50 {out['extraction_upload_100kb_s']['value']['p50']} 秒")
    log(f"  提取 p50 {out['extraction_chars_per_s']['value']['p50']:,} 字/秒；去重 {dedup['wall_s']} 秒")
    return out


# -- background jobs: queue → start, queue → done through a real worker process --------------------------------


def jobs(data, ns, log, result) -> dict:
    from .jobs import measure

    got = measure(max(5, ns.runs))
    what = "真实 kesu worker 进程（轮询间隔 60 秒，靠入队唤醒），逐个入队小任务"
    out = {"job_queue_to_start": figure("job_queue_to_start", percentiles(got["start_ms"]), "ms", what=what),
           "job_queue_to_done": figure("job_queue_to_done", percentiles(got["done_ms"]), "ms", what=what)}
    log(f"  入队到开始 p50 {out['job_queue_to_start']['value']['p50']} ms，"
        f"入队到完成 p50 {out['job_queue_to_done']['value']['p50']} ms")
    return out


# -- Excel import (own process: peak memory is the import's) ----------------------------------------------------


def excel_import(data, ns, log, result) -> dict:
    from django.db import connections

    _, _, county, _ = places(data)
    connections.close_all()
    runs = 1 if ns.rows >= 50_000 else 3
    proc = subprocess.run([sys.executable, "-m", "kesu.bench.importing", "--county", county.code, "--rows",
                           str(ns.rows), "--runs", str(runs)], capture_output=True, text=True, env=os.environ.copy())
    if proc.returncode:
        raise RuntimeError("Excel 导入测量失败：" + proc.stderr[-2000:])
    got = json.loads(proc.stdout.strip().splitlines()[-1])
    out = {"import_rows_per_s": figure("import_rows_per_s", percentiles(got["rows_per_s"]), "rows/s",
                                       what=f"{got['rows']:,} 行活动工作簿，读取+校验+写入"),
           "import_peak_mb": figure("import_peak_mb", round(got["peak_mb"], 1), "MB", what="导入进程最大常驻内存")}
    log(f"  导入 p50 {out['import_rows_per_s']['value']['p50']:,.0f} 行/秒，峰值内存 {got['peak_mb']:.0f} MB")
    return out


# -- HTTP under load ---------------------------------------------------------------------------------------------


def http(data, ns, log, result) -> dict:
    from . import load

    _, _, county, _ = places(data)
    got = load.run(county, users=ns.users, requests=ns.requests, seconds=ns.seconds, workers=ns.workers,
                   threads=getattr(ns, "threads", None))
    what = f"{ns.users} 个并发用户，gunicorn {got.workers} 个进程 × {got.threads} 个线程"
    base = got.alone[load.BASELINE]
    baseline_rps = len(base.samples.ms[load.BASELINE]) / base.seconds if base.seconds else None
    # client_cpu_ms_per_request: what the load generator (this process, on the same cores) spent per request sent;
    # server_cpu_ms_per_request: what all of kesu serve's processes spent per request (cpu_ms is the views' share)
    out = {"http_baseline": figure("http_baseline", percentiles(base.samples.cpu_ms[load.BASELINE]), "ms",
                                   errors=base.samples.errors[load.BASELINE],
                                   throughput=round(baseline_rps, 1) if baseline_rps else None,
                                   client_cpu_ms_per_request=base.client_cpu_ms_per_request,
                                   server_cpu_ms_per_request=base.server_cpu_ms_per_request,
                                   what=f"/healthz 单独压测（无数据库的最小请求）：服务端 CPU 毫秒/请求，{what}")}
    mixed = got.mixed.samples
    for kind in load.KINDS:
        key = f"http_{kind}"
        own = got.alone[kind]
        rps = len(own.samples.ms[kind]) / own.seconds if own.seconds else None
        errors = mixed.errors[kind] + own.samples.errors[kind]
        out[key] = figure(key, percentiles(mixed.ms[kind]), "ms", errors=errors,
                          cpu_ms=percentiles(own.samples.cpu_ms[kind]), queries=max(own.samples.queries[kind],
                                                                                    default=None),
                          throughput_alone=round(rps, 1) if rps else None,
                          ratio_to_baseline=round(rps / baseline_rps, 3) if rps and baseline_rps else None,
                          client_cpu_ms_per_request=own.client_cpu_ms_per_request,
                          server_cpu_ms_per_request=own.server_cpu_ms_per_request,
                          what=f"混合压测延迟；单独压测吞吐与 /healthz 之比；{what}")
        log(f"  {kind}: p50 {out[key]['value']['p50']} ms，p95 {out[key]['value']['p95']} ms，"
            f"服务端 CPU p50 {out[key]['cpu_ms']['p50']} ms，SQL {out[key]['queries']} 条，"
            f"单独 {out[key]['throughput_alone']} req/s"
            f"（/healthz 的 {out[key]['ratio_to_baseline']}），服务进程 CPU {own.server_cpu_ms_per_request} ms/请求，"
            f"压测端 CPU {own.client_cpu_ms_per_request} ms/请求，"
            f"错误 {out[key]['errors']}")
    parts = [got.mixed, *got.alone.values()]
    errors = sum(sum(part.samples.errors.values()) for part in parts)
    first = next((part.samples.first_error for part in parts if part.samples.first_error), "")
    out["http_errors"] = figure("http_errors", errors, "requests", first_error=first)
    total = sum(len(v) for v in mixed.ms.values())
    # How the mixed requests spread over the server's processes: a kept-alive connection stays with the process
    # that accepted it, so one process can queue while another idles, and the percentiles above then mostly
    # measure that process's queue.
    processes = [{"share": round(len(ms) / total, 3), **percentiles(ms)}
                 for ms in sorted(mixed.by_process.values(), key=len, reverse=True)]
    out["http_throughput"] = figure("http_throughput", round(total / got.mixed.seconds, 1) if got.mixed.seconds
                                    else None, "req/s", requests=total, seconds=round(got.mixed.seconds, 1),
                                    baseline=out["http_baseline"]["throughput"], processes=processes,
                                    client_cpu_ms_per_request=got.mixed.client_cpu_ms_per_request,
                                    server_cpu_ms_per_request=got.mixed.server_cpu_ms_per_request)
    log(f"  混合：{out['http_throughput']['value']} req/s，服务进程 CPU {got.mixed.server_cpu_ms_per_request} ms/请求，"
        f"压测端 CPU {got.mixed.client_cpu_ms_per_request} ms/请求；各进程 {spread(processes)}")
    return out
