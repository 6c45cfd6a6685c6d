"""The performance targets the product set itself (docs/scale.md), printed beside each measured figure.

Each is (threshold, text). They are read by people: ``kesu bench run`` never fails because a target is missed.
"""

TARGETS = {
    "import_rows_per_s": (5000, "≥ 5,000 行/秒"),
    "import_peak_mb": (1024, "< 1 GB"),
    "rollup_province_by_county": (30, "PostgreSQL p50 ≤ 30 ms"),
    "rollup_national_by_province": (60, "PostgreSQL p50 ≤ 60 ms"),
    "county_dashboard": (20, "SQLite 县级 p50 < 20 ms（每个查询）"),
    "duckdb_province_by_county": (None, "对照：DuckDB + Parquet（7 ms 量级）"),
    "duckdb_national_by_province": (None, "对照：DuckDB + Parquet（48 ms 量级）"),
    "duckdb_export_s": (None, "对照所需的一次性导出"),
    "cell_save_server": (50, "服务端 < 50 ms（库中 100 万条数值）"),
    "report_county": (3000, "< 3 s"),
    "report_prefecture": (10000, "< 10 s（10 个县）"),
    "report_county_pdf": (15000, "< 15 s（下载 PDF 时同步转换）"),
    "extraction_chars_per_s": (350_000, "≥ 1 MB/s（约 35 万汉字/秒）"),
    "extraction_upload_100kb_s": (5, "< 5 秒（上传 100 KB 报告到看到审核页）"),
    "extraction_split_lines": (None, "随行数线性增长"),
    "dedup_seconds": (60, "10,000 篇 < 60 s"),
    "job_queue_to_start": (1000, "p95 < 1 s（入队即唤醒，不靠轮询）"),
    "job_queue_to_done": (None, "小任务入队到完成"),
    "http_baseline": (None, "对照：/healthz 的服务端 CPU 与吞吐"),
    "http_dashboard": (500, "50 并发 p95 < 500 ms，零错误"),
    "http_cell_save": (300, "50 并发 p95 < 300 ms，零错误"),
    "http_api_analytics": (None, "50 并发，零错误"),
    "http_errors": (0, "0"),
    "http_throughput": (None, ""),
}
