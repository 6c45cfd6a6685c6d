"""The readable table of ``kesu bench run`` (``--json`` prints the result object itself)."""

LABELS = {
    "import_rows_per_s": "Excel 导入速度", "import_peak_mb": "Excel 导入峰值内存",
    "rollup_province_by_county": "汇总：省按县，一年全部指标", "rollup_national_by_province": "汇总：全国按省",
    "county_dashboard": "县办公室首页数据", "duckdb_province_by_county": "DuckDB：省按县",
    "duckdb_national_by_province": "DuckDB：全国按省", "duckdb_export_s": "DuckDB：导出 Parquet",
    "cell_save_server": "单元格保存（服务端）", "report_county": "报告：县年度工作总结", "report_prefecture": "报告：市年度工作总结（含各县）",
    "report_county_pdf": "报告：县年度工作总结转 PDF",
    "extraction_chars_per_s": "提取速度", "dedup_seconds": "去重耗时",
    "extraction_upload_100kb_s": "100 KB 历史报告：上传到审核页", "extraction_split_lines": "分篇与清理（短行）",
    "job_queue_to_start": "后台任务：入队到开始", "job_queue_to_done": "后台任务：入队到完成",
    "http_baseline": "并发：/healthz 对照", "http_dashboard": "并发：首页", "http_cell_save": "并发：单元格保存",
    "http_api_analytics": "并发：API 汇总查询",
    "http_errors": "并发：错误数", "http_throughput": "并发：吞吐",
}


def spread(processes: list) -> str:
    """The mixed run's requests per server process: share, p50 and p95 (for the log and the table)."""
    return " / ".join(f"{p['share']:.0%} p50 {p['p50']:.0f} p95 {p['p95']:.0f} ms" for p in processes) or "—"


def _value(fig) -> str:
    v = fig["value"]
    if v is None:
        return fig.get("skipped", "—")
    if isinstance(v, dict):
        parts = [f"p50 {_num(v['p50'])}", f"p95 {_num(v['p95'])}"]
        if fig["unit"] == "ms" and v.get("n", 0) >= 100:
            parts.append(f"p99 {_num(v['p99'])}")
        return " / ".join(parts) + f" {fig['unit']}"
    return f"{_num(v)} {fig['unit']}"


def _num(v) -> str:
    if v is None:
        return "—"
    return f"{v:,.0f}" if abs(v) >= 100 else f"{v:,.1f}" if abs(v) >= 10 else f"{v:,.2f}"


def table(result: dict) -> str:
    m = result["machine"]
    lines = [f"规模 {result['scale']}，数据库 {result['database']}，{m['cpus']} 核 {m['memory_gb']} GB，"
             f"负载 {m['load_1min']}；数据：" + "，".join(f"{k} {v:,}" for k, v in result["dataset"].items()), ""]
    width = max(len(v) for v in LABELS.values()) + 2
    for key, fig in result["figures"].items():
        extra = []
        if fig.get("ratio_kesu_to_duckdb") is not None:
            extra.append(f"kesu/DuckDB {fig['ratio_kesu_to_duckdb']}")
        if fig.get("cpu_ms"):
            extra.append(f"服务端 CPU p50 {_num(fig['cpu_ms']['p50'])} ms")
        if fig.get("ratio_to_baseline") is not None:
            extra.append(f"单独吞吐 {_num(fig['throughput_alone'])} req/s，为 /healthz 的 {fig['ratio_to_baseline']}")
        if fig.get("throughput") is not None:
            extra.append(f"吞吐 {_num(fig['throughput'])} req/s")
        if fig.get("server_cpu_ms_per_request") is not None:
            extra.append(f"服务进程 CPU {_num(fig['server_cpu_ms_per_request'])} ms/请求")
        if fig.get("client_cpu_ms_per_request") is not None:
            extra.append(f"压测端 CPU {_num(fig['client_cpu_ms_per_request'])} ms/请求")
        if fig.get("processes"):
            extra.append(f"各进程请求占比与延迟 {spread(fig['processes'])}")
        if "errors" in fig:
            extra.append(f"错误 {fig['errors']}")
        label = LABELS.get(key, key)
        pad = width - sum(2 if ord(c) > 0x2E80 else 1 for c in label)
        lines.append(f"{label}{' ' * max(pad, 1)}{_value(fig):<34} 目标 {fig['target_text'] or '—'}"
                     + (f"（{'；'.join(extra)}）" if extra else ""))
        if fig.get("what"):
            lines.append(f"{'':{width}}  {fig['what']}")
    return "\n".join(lines)
