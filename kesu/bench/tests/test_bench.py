"""``kesu bench``: the command completes at county scale and reports every figure; the generated roll-up rows are
exactly what the roll-up maintenance computes. Timings are not asserted (they go in docs/scale.md)."""

import json
import os
import subprocess
import sys

import psycopg
import pytest
from psycopg import sql

from kesu.bench.targets import TARGETS

FIGURE_FIELDS = {"value", "unit", "target", "target_text"}


def _bench_env(tmp_path):
    env = os.environ.copy()
    env["KESU_DATA_DIR"] = str(tmp_path)
    url = env.get("KESU_DATABASE_URL", "")
    if url.startswith("postgres"):
        env["KESU_DATABASE_URL"] = url.rsplit("/", 1)[0] + "/" + url.rsplit("/", 1)[1].split("?")[0] + "_bench"
    else:
        env.pop("KESU_DATABASE_URL", None)
    return env


def _drop(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def test_county_run_reports_every_figure_as_json(tmp_path):
    env = _bench_env(tmp_path)
    url = env.get("KESU_DATABASE_URL", "")
    db = ["--db", "postgres"] if url else []
    if url:
        _drop(url)
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "kesu.cli", "bench", "run", "--scale", "county", *db, "--json", "--runs", "2",
             "--rows", "300", "--docs", "200", "--users", "4", "--requests", "40", "--seconds", "20", "--workers", "2"],
            capture_output=True, text=True, env=env, timeout=240)
    finally:
        if url:
            _drop(url)
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(proc.stdout)
    assert result["scale"] == "county"
    assert result["database"] == ("postgresql" if url else "sqlite")
    assert {"cpus", "memory_gb", "load_1min"} <= set(result["machine"])
    assert result["dataset"]["values"] > 100_000 and result["dataset"]["activities"] >= 700
    from kesu.reports.builders.pdf import pdf_available

    expected = set(TARGETS) - (set() if pdf_available() else {"report_county_pdf"})  # PDF needs LibreOffice
    assert set(result["figures"]) == expected, expected ^ set(result["figures"])
    for key, fig in result["figures"].items():
        assert FIGURE_FIELDS <= set(fig), key
        assert fig["value"] is not None, key
        if isinstance(fig["value"], dict):
            assert fig["value"]["n"] >= 1 and fig["value"]["p50"] is not None, key
    assert result["figures"]["http_errors"]["value"] == 0, result["figures"]["http_errors"]["first_error"]
    # CPU per request is measured in the server's workers, and each page's throughput is set against /healthz's.
    assert result["figures"]["http_baseline"]["throughput"] > 0
    for kind in ("dashboard", "cell_save", "api_analytics"):
        fig = result["figures"][f"http_{kind}"]
        assert fig["cpu_ms"]["n"] >= 1 and fig["cpu_ms"]["p50"] > 0, kind
        assert fig["queries"] >= 1, kind  # the most SQL statements one request of the kind made
        assert 0 < fig["ratio_to_baseline"], kind
    # The load generator's own CPU per request and the whole server's, for each part alone and for the mixed part
    # (present; their values are the machine's)
    for key in ("http_baseline", "http_dashboard", "http_cell_save", "http_api_analytics", "http_throughput"):
        assert {"client_cpu_ms_per_request", "server_cpu_ms_per_request"} <= set(result["figures"][key]), key
    # Every mixed request names the server process that served it: the run reports each process's share and latency.
    processes = result["figures"]["http_throughput"]["processes"]
    assert 1 <= len(processes) <= 2 and abs(sum(p["share"] for p in processes) - 1) < 0.01, processes
    assert all(p["p95"] >= p["p50"] > 0 for p in processes), processes
    assert result["figures"]["duckdb_province_by_county"]["ratio_kesu_to_duckdb"] is not None


@pytest.mark.django_db
def test_generated_rollups_equal_what_the_rollup_maintenance_computes():
    from kesu.bench import generate
    from kesu.collection.models import Activity, IndicatorValue
    from kesu.collection.rollup import RollupRow, rollup_rebuild

    data = generate.generate("county", log=lambda *a: None)
    assert IndicatorValue.objects.count() == data.values > 0
    assert Activity.objects.count() == data.activities
    codes = [i.pk for i in generate.value_indicators()][:4]

    def rows():
        return {(r.indicator_id, r.region_id, r.period_id): (r.value, r.own, r.parts)
                for r in RollupRow.objects.filter(indicator_id__in=codes)}

    generated = rows()
    rollup_rebuild(indicator_ids=codes)
    assert rows() == generated
