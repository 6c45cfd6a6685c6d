"""The demo's figures are seeded: every build gives the same ones (its own module: no shared build is loaded)."""

from datetime import date

import pytest
from django.db import transaction
from django.db.models import Count, Sum

from kesu.collection.models import Activity, IndicatorValue, Narrative, Submission
from kesu.collection.rollup import RollupRow
from kesu.demo.builder import COUNTIES, FOCUS_COUNTY, PREFECTURE, build_demo
from kesu.demo.figures import build_figures
from kesu.demo.progress import Progress
from kesu.regions.models import Region

pytestmark = pytest.mark.django_db


def _totals() -> dict:
    return {
        "values": IndicatorValue.objects.aggregate(n=Count("id"), s=Sum("value")),
        "activities": Activity.objects.aggregate(n=Count("id"), p=Sum("participants"), f=Sum("funds")),
        "narratives": sorted(Narrative.objects.values_list("progress", flat=True)),
        "statuses": sorted(map(str, Submission.objects.values_list("region__code", "unit__kind", "period_id",
                                                                    "status"))),
        "rollups": sorted(RollupRow.objects.values_list("indicator__code", "region__code", "period_id", "value")),
    }


def test_two_builds_give_the_same_figures(db):
    """Seeded: the same figures every time (two builds of two years, one past and one current)."""
    build_demo(figures=False)
    args = {"prefecture": Region.objects.get(code=PREFECTURE), "focus_code": FOCUS_COUNTY,
            "counties": list(Region.objects.filter(code__in=COUNTIES).order_by("code")), "today": date(2021, 6, 30)}
    results, lines = [], []
    for _ in range(2):
        savepoint = transaction.savepoint()
        build_figures(**args, progress=Progress(lines.append))
        results.append(_totals())
        transaction.savepoint_rollback(savepoint)
    first, second = results
    assert first["values"]["n"] > 500 and first["activities"]["n"] > 300
    assert first == second
    # Each build says its stages: the data sets, each year (the past one backfilled, this one part-way), roll-ups.
    stages = [line.split(" …… ")[0].strip() for line in lines[:4]]
    assert stages == ["报表和审核规则", "2020 年数据（补报、提交、审核）", "2021 年数据（填报中）", "各级汇总（自下而上计算一次）"]
