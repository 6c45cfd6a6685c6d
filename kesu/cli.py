"""The ``kesu`` console script.

Each command reads KESU_DATA_DIR and KESU_DATABASE_URL (see kesu/settings.py). ``extract`` and ``dedup`` start
without Django, so they are fast and need no database.
"""

import argparse
import os
import sys

# (command, one-line purpose); the order is the order of ``kesu --help``.
COMMANDS = [
    ("serve", "启动 Web 服务和后台任务进程（单机部署）"),
    ("worker", "运行后台任务处理进程（大文件 Excel 导入等）"),
    ("setup", "创建或升级数据库并收集静态文件"),
    ("demo", "载入演示数据（达州市及其县区，标注“演示数据”）"),
    ("regions", "行政区划：regions load 载入全国省、地、县三级区划"),
    ("framework", "纲要框架与指标目录：framework load 载入内置纲要和指标"),
    ("createsuperuser", "创建系统管理员账号"),
    ("extract", "从历史报告文本中提取数量事实（FILE… [--json]）"),
    ("dedup", "查找目录中近似重复的报告（DIR）"),
    ("report", "生成报告：report --region CODE --period 2026 --kind 年度工作总结 -o FILE.docx"),
    ("bench", "性能基准：bench generate 生成合成数据；bench run 测量并与目标对照"),
    ("backup", "备份数据库、上传文件和生成的报告到一个归档（FILE，服务运行时也可执行）"),
    ("restore", "把备份归档恢复到新建的空实例（FILE）"),
    ("manage", "运行 Django 管理命令（高级）"),
]


def _django_setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kesu.settings")
    import django

    django.setup()


def _call(name: str, *args, **options) -> int:
    _django_setup()
    from django.core.management import CommandError, call_command

    try:
        call_command(name, *args, **options)
    except CommandError as exc:  # a refusal: its Chinese message, not a traceback
        print(exc, file=sys.stderr)
        return 1
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kesu",
        description="科素：全民科学素质工作系统",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", title="命令")
    purposes = dict(COMMANDS)

    serve = sub.add_parser("serve", help=purposes["serve"])
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, help="工作进程数（默认每个 CPU 核一个，至少 2 个）")
    serve.add_argument("--threads", type=int, help="每个工作进程的线程数（默认 4）")
    serve.add_argument("--development", action="store_true", help="用 Django 开发服务器（单进程，便于调试）")
    serve.add_argument("--no-worker", action="store_true", help="不同时启动后台任务进程（另行运行 kesu worker 时）")

    sub.add_parser("worker", help=purposes["worker"])
    sub.add_parser("setup", help=purposes["setup"])
    sub.add_parser("demo", help=purposes["demo"])

    regions = sub.add_parser("regions", help=purposes["regions"])
    regions_sub = regions.add_subparsers(dest="action", required=True)
    regions_load = regions_sub.add_parser("load", help="载入全国省、地、县三级行政区划")
    regions_load.add_argument("--townships", metavar="CODE", action="append", default=[],
                              help="同时载入该县级区划（6 位代码）下的乡镇（街道），可重复")

    framework = sub.add_parser("framework", help=purposes["framework"])
    framework_sub = framework.add_subparsers(dest="action", required=True)
    framework_sub.add_parser("load", help="载入内置纲要框架和指标目录（可重复执行）")

    sub.add_parser("createsuperuser", help=purposes["createsuperuser"])

    extract = sub.add_parser("extract", help=purposes["extract"], add_help=False)
    extract.add_argument("args", nargs=argparse.REMAINDER)
    dedup = sub.add_parser("dedup", help=purposes["dedup"], add_help=False)
    dedup.add_argument("args", nargs=argparse.REMAINDER)
    from kesu.reports.commands import add_arguments as report_arguments

    report_arguments(sub.add_parser("report", help=purposes["report"]))
    from kesu.bench.commands import add_arguments as bench_arguments

    bench_arguments(sub.add_parser("bench", help=purposes["bench"]))
    for name in ("backup", "restore"):
        sub.add_parser(name, help=purposes[name]).add_argument("file", metavar="FILE")
    manage = sub.add_parser("manage", help=purposes["manage"], add_help=False)
    manage.add_argument("args", nargs=argparse.REMAINDER)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    # These pass their arguments on untouched (argparse would take their options for its own).
    if argv and argv[0] in {"extract", "dedup"}:
        from kesu.extraction import commands

        return (commands.extract_main if argv[0] == "extract" else commands.dedup_main)(argv[1:])
    if argv and argv[0] == "manage":
        _django_setup()
        from django.core.management import execute_from_command_line

        execute_from_command_line(["kesu manage", *argv[1:]])
        return 0
    parser = _parser()
    ns = parser.parse_args(argv)
    if ns.command is None:
        parser.print_help()
        return 0
    if ns.command == "report":
        _django_setup()
        from kesu.reports.commands import run as report_run

        return report_run(ns)
    if ns.command == "bench":
        from kesu.bench.commands import run as bench_run

        return bench_run(ns)
    if ns.command == "serve":
        extra = {name: getattr(ns, name) for name in ("workers", "threads") if getattr(ns, name)}
        return _call("kesu_serve", host=ns.host, port=ns.port, development=ns.development, no_worker=ns.no_worker,
                     **extra)
    if ns.command == "worker":
        return _call("kesu_worker")
    if ns.command == "setup":
        return _call("kesu_setup")
    if ns.command == "demo":
        return _call("load_demo")
    if ns.command == "regions":
        return _call("load_regions", townships=ns.townships)
    if ns.command == "framework":
        return _call("load_frameworks")
    if ns.command in ("backup", "restore"):
        return _call(f"kesu_{ns.command}", ns.file)
    if ns.command == "createsuperuser":
        return _call("createsuperuser")
    parser.error(f"未知命令：{ns.command}")
    return 2


if __name__ == "__main__":
    sys.exit(main())
