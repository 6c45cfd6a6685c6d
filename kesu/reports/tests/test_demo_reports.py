"""Every kind from the demo data (kesu/demo/builder.py) through the real context builder and analytics figures."""

import io
import re

import pytest
from docx import Document

from kesu.accounts.models import User
from kesu.core import cnformat
from kesu.reports import services
from kesu.reports.builders import kinds

pytest.importorskip("kesu.analytics.selectors.figures")

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(demo_db, db):
    return User.objects.get(username="quxian"), User.objects.get(username="dazhou")


def _text(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    parts += [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join(parts)


@pytest.mark.parametrize("kind", [k for k, _, _ in kinds.KINDS])
def test_every_kind_from_the_demo(demo, kind):
    county_office, _ = demo
    region = county_office.region
    version = services.report_generate(actor=county_office, region=region, period="2025", kind=kind)
    text = _text(version.docx.read())
    assert version.title.startswith("渠县2025年全民科学素质工作")
    assert "None" not in text and "{{" not in text and "0余" not in text
    latin = text.replace("科普e站", "")  # the programme's own name for its stations
    assert not re.search(r"[A-Za-z]", latin), re.findall(r".{6}[A-Za-z]+.{6}", latin)[:3]
    if kind != kinds.STATISTICS:
        assert "渠县全民科学素质工作领导小组" in text  # the coordination body of the demo
        first = {kinds.ANNUAL_SUMMARY: "主要工作及成效", kinds.WORK_REPORT: "基本情况", kinds.SELF_CHECK: "自查情况",
                 kinds.PROGRESS: "总体进展"}[kind]
        assert f"一、{first}" in text
    if kind == kinds.SELF_CHECK:
        assert "自评：" in text


def test_demo_figures_in_the_text_are_the_analytics_values(demo):
    from kesu.accounts.scope import Scope
    from kesu.core.periods import Period
    from kesu.reports import context
    from kesu.reports.builders.render import render_all

    county_office, _ = demo
    ctx = context.build_context(Scope.for_user(county_office), region=county_office.region,
                                period=Period.parse("2025"), kind=kinds.ANNUAL_SUMMARY)
    report = render_all(ctx, with_charts=False)
    docx_text = _text(report.docx)
    for run in report.document.figure_runs():
        fig = run.figure
        assert run.text == cnformat.format_quantity(fig.value, fig.unit, percent=fig.is_percent)
        assert run.text in docx_text
    # Every targeted indicator of the plan is in the key-figure table, with its target.
    assert ctx.key_figures and all(f.target is not None for f in ctx.key_figures)


def test_prefecture_report_ranks_its_counties(demo):
    _, city_office = demo
    version = services.report_generate(actor=city_office, region=city_office.region, period="2025",
                                       kind=kinds.WORK_REPORT)
    assert version.title == "达州市2025年全民科学素质工作情况汇报"


def test_a_report_just_generated_is_current_until_a_figure_changes(demo, client):
    from django.urls import reverse
    from django.utils import timezone

    from kesu.collection import services as collection_services

    county_office, _ = demo
    version = services.report_generate(actor=county_office, region=county_office.region, period="2025",
                                       kind=kinds.ANNUAL_SUMMARY, with_charts=False)
    client.force_login(county_office)
    page = reverse("reports:version_detail", args=[version.pk])
    assert "数据已有变化" not in client.get(page).content.decode()
    # The county office's own return of the current year is still being filled (填报中) in the demo.
    collection_services.value_save(actor=county_office, indicator="ORG_MEETINGS", region=county_office.region,
                                   unit=None, period=str(timezone.localdate().year), value=3)
    assert "数据已有变化" in client.get(page).content.decode()
