"""The demo as a living installation: years of approved figures behind the reports and dashboards, and a current
year part-way through collection (one build shared by the session: ``demo_db``)."""

import io
import re

import pytest
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from docx import Document

from kesu.accounts.models import User
from kesu.accounts.scope import Scope
from kesu.analytics.selectors import dashboard
from kesu.collection import selectors as collection_selectors
from kesu.collection.models import (
    Activity,
    IndicatorValue,
    LockException,
    Narrative,
    Submission,
    SubmissionEvent,
    SubmissionStatus,
)
from kesu.collection.rollup import RollupRow, rollup_rebuild
from kesu.core.models import AuditEvent
from kesu.core.periods import Period
from kesu.demo.builder import FOCUS_COUNTY
from kesu.regions.models import Region
from kesu.reports import services as report_services
from kesu.reports.builders import kinds

pytestmark = pytest.mark.django_db


def _docx_text(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    parts += [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join(parts)


def _this_year() -> int:
    return timezone.localdate().year


@pytest.mark.parametrize("code", [FOCUS_COUNTY, "511722"])
def test_a_countys_annual_summary_for_2025_reports_real_figures(demo_db, code):
    region = Region.objects.get(code=code)
    office = User.objects.get(username="quxian" if code == FOCUS_COUNTY else "dazhou")
    version = report_services.report_generate(actor=office, region=region, period="2025",
                                              kind=kinds.ANNUAL_SUMMARY, with_charts=False)
    text = _docx_text(version.docx.read())
    main = text[text.index("一、主要工作及成效"):text.index("二、存在问题")]
    assert "未填报" not in main
    assert re.search(r"举办农村实用技术培训\d+期，较上年(增长|下降)", main)
    # The headline figures open the report and are not said again under the sections.
    assert re.search(r"公民具备科学素质的比例(?:达到|为)\d+(\.\d+)?%", text[:text.index("二、存在问题")])
    # The member units' work pooled under the office's voice, not pasted unit by unit.
    assert "县农业农村局" in main and "全年开展相关活动" not in main
    problems = text[text.index("二、存在问题"):text.index("三、下步打算")]
    assert "一是" in problems and "工作中还存在一些困难" not in problems


def test_the_office_and_leader_dashboards_show_the_latest_approved_year(demo_db, client):
    today = timezone.localdate()
    for username in ("dazhou", "leader", "quxian"):
        user = User.objects.get(username=username)
        ctx = dashboard.for_scope(Scope.for_user(user), today=today)
        assert ctx["year"] == today.year - 1 and ctx["choice"].complete and ctx["choice"].running == today.year
        assert len(ctx["headline"]) >= 3 and all(h.current.value for h in ctx["headline"])
        client.force_login(user)
        page = client.get(reverse("analytics:dashboard")).content.decode()
        assert f"以下为{today.year - 1}年（最近一个审核完成的年度）数据；{today.year}年正在填报审核" in page
    office = dashboard.for_scope(Scope.for_user(User.objects.get(username="quxian")), today=today)
    assert office["plan"] is not None and any(t.items for t in office["tasks"])  # target progress of that year
    # The ranking of lower regions ranks by a figure they have: the townships' 科普示范村, not the county's museum.
    ranking = next(data for data, _ in office["charts"] if data.name == "ranking")
    assert "科普示范村" in ranking.title and sum(1 for row in ranking.rows if row[2]) >= 20
    # Sixty townships: twenty bars at a time with a scroll bar, in a chart tall enough to read them.
    assert len(ranking.rows) == 60 and ranking.option["dataZoom"][0]["endValue"] == 19
    client.force_login(User.objects.get(username="quxian"))
    page = client.get(reverse("analytics:dashboard")).content.decode()
    assert f'style="height:{ranking.height}px" id="chart-ranking"' in page


def test_the_reports_page_offers_the_latest_approved_year(demo_db, client):
    client.force_login(User.objects.get(username="quxian"))
    page = client.get(reverse("reports:index")).content.decode()
    assert re.search(rf'name="period"[^>]*value="{_this_year() - 1}"', page)


def test_past_years_are_approved_bottom_up_and_this_year_is_part_way(demo_db):
    year = _this_year()
    past = Submission.objects.filter(period_id__in=[str(y) for y in range(2020, year)])
    assert past.count() > 500 and set(past.values_list("status", flat=True)) == {SubmissionStatus.ACCEPTED}
    assert SubmissionEvent.objects.filter(action="approve", submission__in=past).count() == past.count()
    # Entered as 补报: the office reopened each closed period, and every figure left an audit event.
    assert LockException.objects.filter(period_id="2020").exists()
    assert AuditEvent.objects.filter(object_type="collection.indicatorvalue").count() >= \
        IndicatorValue.objects.count()
    now = dict(Submission.objects.filter(period_id=str(year)).values_list("status").annotate(n=Count("id")))
    assert now.get(SubmissionStatus.SUBMITTED) and now.get(SubmissionStatus.DRAFT)
    assert not now.get(SubmissionStatus.APPROVED) and not now.get(SubmissionStatus.ACCEPTED)
    # The 催报 page has someone to chase: reporters of this year that have not submitted.
    office = Scope.for_user(User.objects.get(username="quxian"))
    ds = Submission.objects.filter(period_id=str(year), unit__isnull=False, region__code=FOCUS_COUNTY)[0].data_set
    check = collection_selectors.completeness(office, ds, Period.parse(str(year)))
    assert check.missing and 0 < check.submitted < check.expected


def test_activities_narratives_and_townships_of_the_focus_county(demo_db):
    county = Region.objects.get(code=FOCUS_COUNTY)
    acts = Activity.objects.filter(unit__region=county, start_date__year=2025)
    assert acts.count() > 150
    assert {"training", "lecture", "science_day", "science_week", "three_to_countryside"} <= set(
        acts.values_list("kind", flat=True))
    assert not Activity.objects.filter(start_date__gte=timezone.localdate()).exists()  # nothing in the future
    assert Narrative.objects.filter(region=county, period_id="2025").values("unit").distinct().count() >= 15
    towns = Submission.objects.filter(region__parent=county, period_id="2025", status=SubmissionStatus.ACCEPTED)
    assert towns.count() == county.children.count()


def test_stored_roll_ups_equal_a_full_rebuild(demo_db):
    """The demo refreshes its roll-ups once at the end (rollup_deferred); a rebuild from the values agrees."""
    fields = ("indicator_id", "region_id", "period_id", "value", "own", "parts")
    stored = set(RollupRow.objects.values_list(*fields))
    assert len(stored) > 1000
    rollup_rebuild()
    assert set(RollupRow.objects.values_list(*fields)) == stored


def test_demo_measures_outcomes_a_survey_published_series_and_assessments(demo_db):
    from kesu.assessment.models import Assessment, AssessmentStatus, Evidence
    from kesu.surveys.models import PublishedFigure, RoundStatus, SurveyRound
    from kesu.surveys.selectors import headline_citation

    county = Region.objects.get(code=FOCUS_COUNTY)
    survey = SurveyRound.objects.get(region=county, year=2025)
    assert survey.status == RoundStatus.ACCEPTED and survey.kept > 600
    value = IndicatorValue.objects.get(indicator__code="LIT_RATIO", region=county, unit=None, period_id="2025")
    assert value.source.startswith("本地抽样调查（样本量") and 9 < value.value < 14
    office = Scope.for_user(User.objects.get(username="quxian"))
    assert headline_citation(office, county, 2025)["kind"] == "survey"
    assert str(PublishedFigure.objects.get(area__isnull=True, year=2024).value) == "15.37"
    assert {f.area_name for f in PublishedFigure.objects.all()} == {"全国", "四川省"}

    statuses = dict(Assessment.objects.filter(scheme__region=county).values_list("status").annotate(n=Count("pk")))
    assert statuses[AssessmentStatus.REVIEWED] == 3 and statuses[AssessmentStatus.SUBMITTED] == 2
    assert Evidence.objects.filter(score__assessment__scheme__region=county, kind="activity").exists()
    city = Assessment.objects.filter(scheme__region=county.parent).select_related("region")
    assert {a.region.name: a.status for a in city if a.status != AssessmentStatus.SELF} == {
        "渠县": AssessmentStatus.REVIEWED, "宣汉县": AssessmentStatus.SUBMITTED}

    chart = dashboard.for_scope(Scope.for_user(User.objects.get(username="dazhou")), today=timezone.localdate())
    literacy = next(data for data, _ in chart["charts"] if data.name == "literacy")
    assert {s["name"] for s in literacy.option["series"]} >= {"达州市", "规划目标", "全国（上级发布）", "四川省（上级发布）"}
