"""``kesu report``: write one report to a file from the command line (nothing is stored)."""

import argparse
import sys
import time
from pathlib import Path

from .builders import kinds


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--region", required=True, metavar="CODE", help="区划代码，如 511725")
    parser.add_argument("--period", required=True, help="报告期，如 2026、2026S1、2026Q3")
    parser.add_argument("--kind", default="年度工作总结",
                        help="报告类型：" + "、".join(kinds.LABELS.values()) + "（默认 年度工作总结）")
    parser.add_argument("--format", choices=["docx", "html", "md", "pdf"], help="输出格式（默认按文件扩展名）")
    parser.add_argument("-o", "--output", required=True, metavar="FILE", help="输出文件")
    parser.add_argument("--date", metavar="DATE", help="成文日期（落款日期），如 2026-01-15 或 2026年1月15日（默认当天）")
    parser.add_argument("--no-charts", action="store_true", help="不绘制图表")


def run(ns) -> int:

    from kesu.accounts.models import Role
    from kesu.accounts.scope import Scope
    from kesu.core import clock
    from kesu.core.demo_flag import demo_loaded
    from kesu.core.exceptions import ApplicationError
    from kesu.core.periods import Period
    from kesu.regions.models import Region

    from . import context as context_builder
    from .builders.html_builder import standalone_html
    from .builders.pdf import PdfUnavailable, docx_to_pdf
    from .builders.render import render_all
    from .services import active_template, parse_report_date, template_bytes_of

    output = Path(ns.output)
    fmt = ns.format or output.suffix.lstrip(".").lower() or "docx"
    if fmt not in ("docx", "html", "md", "pdf"):
        print(f"无法从文件名判断输出格式：{output.name}（请用 --format 指定 docx、html、md 或 pdf）", file=sys.stderr)
        return 2
    kind = kinds.parse_kind(ns.kind)
    if kind is None:
        print(f"报告类型“{ns.kind}”不存在，可选：{'、'.join(kinds.LABELS.values())}", file=sys.stderr)
        return 2
    region = Region.objects.filter(code=ns.region).first()
    if region is None:
        print(f"区划代码“{ns.region}”不存在（请先运行 kesu regions load）", file=sys.stderr)
        return 2
    started = time.perf_counter()
    try:
        period = Period.parse(ns.period)
        report_date = parse_report_date(ns.date or "") or clock.today()
        ctx = context_builder.build_context(Scope(role=Role.ADMIN), region=region, period=period, kind=kind,
                                            report_date=report_date, is_demo=demo_loaded())
        template = active_template(region, kind)
        report = render_all(ctx, template=template_bytes_of(template),
                            with_charts=not ns.no_charts)
        if fmt == "docx":
            output.write_bytes(report.docx)
        elif fmt == "pdf":
            output.write_bytes(docx_to_pdf(report.docx))
        elif fmt == "md":
            output.write_text(report.markdown, encoding="utf-8")
        else:
            # No address of the app is known here: the source links are left out, the figures stay.
            output.write_text(standalone_html(report.html, title=report.document.title, base_url=None),
                              encoding="utf-8")
    except (ApplicationError, PdfUnavailable) as exc:
        print(str(exc), file=sys.stderr)
        return 1
    print(f"已生成《{report.document.title}》→ {output}（{time.perf_counter() - started:.1f} 秒）")
    if report.document.chart_problem:
        print(f"注意：{report.document.chart_problem}", file=sys.stderr)
    return 0
