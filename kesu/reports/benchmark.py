"""Time the report of the demo's county and prefecture: ``python -m kesu.reports.benchmark`` (after ``kesu demo``).

Prints p50/max wall time, p50 CPU time and the writing layer's share (planning and wording, without context and
rendering) over five runs after a warm-up. Figures are recorded in docs/reports.md; the whole system's benchmark is
``kesu bench`` (docs/scale.md).
"""

import os
import statistics
import time

RUNS = 5


def measure(region_code: str, *, with_charts: bool) -> dict:
    from kesu.accounts.models import Role
    from kesu.accounts.scope import Scope
    from kesu.core.periods import Period
    from kesu.regions.models import Region
    from kesu.reports import context
    from kesu.reports.builders import kinds
    from kesu.reports.builders.document import build_document
    from kesu.reports.builders.render import render_all

    region = Region.objects.get(code=region_code)
    wall, cpu, writing = [], [], []
    for run in range(RUNS + 1):
        started, started_cpu = time.perf_counter(), time.process_time()
        ctx = context.build_context(Scope(role=Role.ADMIN), region=region, period=Period.parse("2025"),
                                    kind=kinds.ANNUAL_SUMMARY)
        planned = time.perf_counter()
        build_document(ctx, with_charts=False)
        written = time.perf_counter()
        render_all(ctx, with_charts=with_charts)
        if run:  # the first run warms caches (fonts, templates)
            wall.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
            writing.append(written - planned)

    def ms(values):
        return round(statistics.median(values) * 1000)

    return {"region": region.name, "charts": with_charts, "wall_p50_ms": ms(wall),
            "wall_max_ms": round(max(wall) * 1000), "cpu_p50_ms": ms(cpu), "writing_p50_ms": ms(writing)}


def main() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kesu.settings")
    django.setup()
    for code in ("511725", "511700"):
        for with_charts in (True, False):
            print(measure(code, with_charts=with_charts))


if __name__ == "__main__":
    main()
