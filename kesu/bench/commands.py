"""``kesu bench generate`` and ``kesu bench run``: arguments and the entry point the console script calls."""

import json
import os
import sys
import time
from pathlib import Path


def add_arguments(parser) -> None:
    sub = parser.add_subparsers(dest="action", required=True)
    gen = sub.add_parser("generate", help="在当前数据库中生成合成基准数据（请使用单独的空数据库）")
    gen.add_argument("--scale", choices=["county", "province", "national"], default="county")
    gen.add_argument("--seed", type=int, default=7)
    _db_argument(gen)
    run = sub.add_parser("run", help="测量导入、汇总、报告、提取与并发访问性能，并与目标对照")
    run.add_argument("--scale", choices=["county", "province", "national"], default="county")
    run.add_argument("--seed", type=int, default=7)
    _db_argument(run)
    run.add_argument("--json", action="store_true", help="只输出一个 JSON 对象")
    run.add_argument("--runs", type=int, default=20, help="每项查询预热后的重复次数（默认 20）")
    run.add_argument("--rows", type=int, default=100_000, help="Excel 导入测试的行数（默认 100000）")
    run.add_argument("--docs", type=int, default=10_000, help="去重测试的文档数（默认 10000）")
    run.add_argument("--requests", type=int, default=3000, help="并发访问测试的请求总数上限（默认 3000）")
    run.add_argument("--users", type=int, default=50, help="并发用户数（默认 50）")
    run.add_argument("--seconds", type=float, default=120, help="并发访问测试的时间上限（秒，默认 120）")
    run.add_argument("--workers", type=int, help="被测 Web 服务的工作进程数（默认同 kesu serve）")
    run.add_argument("--threads", type=int, help="被测 Web 服务每个进程的线程数（默认同 kesu serve）")
    run.add_argument("--only", action="append", default=[],
                     choices=["import", "rollup", "duckdb", "cell", "reports", "extraction", "jobs", "http"],
                     help="只测量其中几项（可重复）")


def _db_argument(parser) -> None:
    parser.add_argument("--db", choices=["sqlite", "postgres"],
                        help="sqlite：KESU_DATA_DIR/bench-<规模>.sqlite3；postgres：KESU_DATABASE_URL 所指的 PostgreSQL "
                             "数据库（默认 postgres://postgres@127.0.0.1:5432/kesu_bench_<规模>）。不给时用当前配置的数据库")


def select_database(db: str | None, scale: str) -> None:
    """Point KESU_DATABASE_URL at the benchmark database before Django starts (and so before the server does)."""
    if db == "sqlite":
        data = Path(os.environ.get("KESU_DATA_DIR", "var")).resolve()
        data.mkdir(parents=True, exist_ok=True)
        os.environ["KESU_DATABASE_URL"] = f"sqlite:///{data / f'bench-{scale}.sqlite3'}"
    elif db == "postgres":
        url = os.environ.get("KESU_DATABASE_URL", "")
        if not url.startswith("postgres"):
            os.environ["KESU_DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/kesu_bench_{scale}"
        _create_postgres_database(os.environ["KESU_DATABASE_URL"])


def _create_postgres_database(url: str) -> None:
    import psycopg
    from psycopg import sql

    name = url.rsplit("/", 1)[1].split("?")[0]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def prepare() -> None:
    """Django up and the schema current (the benchmark database is usually new)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kesu.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def run(ns) -> int:
    log = (lambda *a, **k: print(*a, **k, file=sys.stderr)) if getattr(ns, "json", False) else print
    select_database(ns.db, ns.scale)
    prepare()
    from . import generate

    found = generate.load_dataset()
    if ns.action == "generate":
        if found is not None:
            print(f"数据库中已有基准数据（{found.scale}），请使用新的空数据库（或 --db 指定）。", file=sys.stderr)
            return 1
        log(f"生成{generate.SCALE_NAMES[ns.scale]}规模的基准数据 …")
        data = generate.generate(ns.scale, seed=ns.seed, log=log)
        log(f"完成：数值 {data.values:,} 条，汇总行 {data.rollup_rows:,} 条，活动 {data.activities:,} 条，"
            f"单位 {data.units:,} 个，用时 {data.seconds:.0f} 秒")
        return 0
    if found is None:
        log(f"数据库中没有基准数据：先生成{generate.SCALE_NAMES[ns.scale]}规模的数据 …")
        t = time.perf_counter()
        found = generate.generate(ns.scale, seed=ns.seed, log=log)
        found.seconds = time.perf_counter() - t
    elif found.scale != ns.scale:
        log(f"注意：数据库中的基准数据规模为 {found.scale}，按该规模测量。")
    from . import measure, output

    result = measure.run_all(found, ns, log=log)
    if ns.json:
        print(json.dumps(result, ensure_ascii=False, indent=1))
    else:
        print(output.table(result))
    return 0
