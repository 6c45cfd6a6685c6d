"""The context builder on the demo's plans, bodies, meetings and targets, with figures from a stand-in source so
that the structure is checked whatever the demo's figures are."""

from decimal import Decimal

import pytest

from kesu.accounts.models import User
from kesu.accounts.scope import Scope
from kesu.core import cnformat
from kesu.core.periods import Period
from kesu.reports import context
from kesu.reports.builders import kinds
from kesu.reports.builders.render import render_all

pytestmark = pytest.mark.django_db


class StandInFigures:
    """Every indicator has a value derived from its id; last year's is 10 % lower."""

    def __init__(self, indicators, root, regions, period_ids):
        self.values = {}

    def get(self, indicator, region, period_id):
        if indicator.unit == "%":
            return Decimal("9.5") if period_id == "2025" else Decimal("9")
        base = Decimal(20000 + indicator.pk * 37 + region.pk % 11)
        return base if period_id == "2025" else (base * Decimal("0.9")).quantize(Decimal(1))


def test_county_context_from_the_demo(monkeypatch):
    from kesu.demo.builder import build_demo

    build_demo(figures=False)
    monkeypatch.setattr(context, "_Figures", StandInFigures)
    monkeypatch.setattr(context, "_narratives", lambda region, period: {})
    office = User.objects.get(username="quxian")
    ctx = context.build_context(Scope.for_user(office), region=office.region, period=Period.parse("2025"),
                                kind=kinds.ANNUAL_SUMMARY)
    assert ctx.region_name == "渠县" and ctx.plan_title.startswith("渠县全民科学素质行动规划纲要实施方案")
    assert ctx.office_name == "渠县全民科学素质工作领导小组办公室"
    assert ctx.organisation.body_name == "渠县全民科学素质工作领导小组"
    assert ctx.organisation.leader.endswith("张立新") and len(ctx.organisation.member_units) >= 20
    assert [s.code for s in ctx.sections][:5] == ["A1", "A2", "A3", "A4", "A5"]
    farmers = next(s for s in ctx.sections if s.code == "A2")
    sessions = next(f for f in farmers.figures if f.code == "TRN_FARMER_SESSIONS")
    assert sessions.target == Decimal(540) and sessions.value is not None
    assert {f.code for f in ctx.key_figures} >= {"LIT_RATIO", "TRN_FARMER_P", "FUND_SPECIAL"}
    assert ctx.lower_regions and ctx.ranking_label  # the townships of 渠县

    report = render_all(ctx, with_charts=False)
    text = report.text
    assert text.startswith("渠县2025年全民科学素质工作总结")
    assert f"举办农村实用技术培训{cnformat.format_count(sessions.value)}期，较上年增长" in text
    # No accepted survey in the demo: the ratio is cited as the published result it was entered from.
    assert "据已公布的公民科学素质监测结果，全县公民具备科学素质的比例为9.5%，比上年提高0.5个百分点" in text
    for run in report.document.figure_runs():
        assert run.text == cnformat.format_quantity(run.figure.value, run.figure.unit, percent=run.figure.is_percent)


def test_an_office_cannot_build_another_regions_context(monkeypatch):
    from django.core.exceptions import PermissionDenied

    from kesu.demo.builder import build_demo
    from kesu.regions.models import Region

    build_demo(figures=False)
    office = User.objects.get(username="quxian")
    with pytest.raises(PermissionDenied):
        context.build_context(Scope.for_user(office), region=Region.objects.get(code="511722"),
                              period=Period.parse("2025"), kind=kinds.ANNUAL_SUMMARY)


def test_a_year_without_approved_figures_says_so_under_its_first_heading(users, regions):
    """No approved figure for the year (nothing entered, or nothing approved yet): the summary's
    “一、主要工作及成效” says so in one sentence instead of standing empty."""
    ctx = context.build_context(Scope.for_user(users["office"]), region=regions["county"],
                                period=Period.parse("2025"), kind=kinds.ANNUAL_SUMMARY)
    lines = render_all(ctx, with_charts=False).text.splitlines()
    first = lines.index("一、主要工作及成效")
    assert lines[first + 1] == "渠县2025年已审核的填报中尚无统计数据，暂无可总结的工作成效。"
    assert "None" not in "\n".join(lines)
