"""The 自查报告 of a region its upper level assesses: the real assessment app's scheme, the county office's own
self-scores and evidence, read through the context builder into the report's 考核 table."""

from decimal import Decimal as D

import pytest

from kesu.accounts.models import Role, User
from kesu.accounts.scope import Scope
from kesu.assessment import selectors as assessment_selectors
from kesu.assessment import services
from kesu.core.periods import Period
from kesu.plans.loader import load_builtin
from kesu.plans.models import Framework, Plan
from kesu.regions.models import Level
from kesu.reports import context
from kesu.reports.builders import kinds
from kesu.reports.builders.blocks import Paragraph, Table
from kesu.reports.builders.document import build_document
from kesu.testing import make_region


@pytest.fixture
def assessed(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    load_builtin()
    city = make_region("511700", "达州市", Level.PREFECTURE)
    county = make_region("511725", "渠县", Level.COUNTY, city)
    framework = Framework.objects.get(code="kxsz-2021-2035", region__isnull=True)
    Plan.objects.create(region=county, framework=framework, title="渠县实施方案", start_year=2021, end_year=2025)
    city_office = User.objects.create_user(username="city", password="x-pass-123", role=Role.OFFICE, region=city)
    office = User.objects.create_user(username="office", password="x-pass-123", role=Role.OFFICE, region=county)
    scheme = services.scheme_create(actor=city_office, region=city, year=2025,
                                    definition=services.builtin_schemes()["demonstration-county"])
    services.scheme_open(actor=city_office, scheme=scheme)
    assessment = scheme.assessments.get(region=county)
    item = assessment.scores.get(item__number="3").item
    services.assessment_self_score(actor=office, assessment=assessment, item=item, points="18",
                                   note="县财政将科普经费列入年度预算", evidence="县财政局预算批复文件")
    return {"county": county, "office": office}


def test_the_self_check_report_scores_each_assessment_item_with_its_evidence(assessed):
    scope = Scope.for_user(assessed["office"])
    found = assessment_selectors.region_self_assessment(scope, region=assessed["county"], year=2025)
    assert found["scheme"] == "全国科普示范县（市、区）创建自评细则" and len(found["items"]) == 6
    assert assessment_selectors.region_self_assessment(scope, region=assessed["county"], year=2024) is None

    ctx = context.build_context(scope, region=assessed["county"], period=Period.parse("2025"), kind=kinds.SELF_CHECK)
    document = build_document(ctx, with_charts=False)
    table = next(b for b in document.body if isinstance(b, Table) and b.caption == "考核内容自评情况")
    rows = {row[0].text: [c.text for c in row] for row in table.rows}
    assert rows["3"] == ["3", "科普经费列入财政预算并足额到位", "20", "18",
                         "县财政将科普经费列入年度预算；佐证材料：县财政局预算批复文件"]
    assert rows["2"][3] == "未自评"
    text = "".join(b.text for b in document.body if isinstance(b, Paragraph))
    scored = sum(1 for i in found["items"] if i["self_points"] is not None)  # automatic items score themselves
    assert f"对照《全国科普示范县（市、区）创建自评细则》6项考核内容逐项自评（已自评{scored}项），尚未完成自评" in text
    assert ctx.assessment.full_marks == D(100)

    # Another kind of report does not carry the assessment.
    summary = context.build_context(scope, region=assessed["county"], period=Period.parse("2025"),
                                    kind=kinds.ANNUAL_SUMMARY)
    assert summary.assessment is None
