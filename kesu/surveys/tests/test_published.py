"""Results published from above: recorded with their source, written for the office's own regions only, cited as
published, and drawn on the dashboard beside the plan's target and the national series."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.urls import reverse

from kesu.accounts.models import Role, User
from kesu.accounts.scope import Scope
from kesu.collection.models import IndicatorValue
from kesu.core.exceptions import ApplicationError
from kesu.core.models import AuditEvent
from kesu.plans.models import Framework, Indicator, Plan, Target
from kesu.surveys import selectors, services
from kesu.surveys.models import PublishedFigure

CAST = "https://www.cast.org.cn/example/2024-survey"


@pytest.fixture
def city_office(county_world):
    return User.objects.create_user(username="city", password="x-pass-123", role=Role.OFFICE,
                                    region=county_world["county"].parent)


def _record(actor, area, year, value, publisher="中国科协", **kw):
    return services.published_figure_record(actor=actor, area=area, indicator_code="LIT_RATIO", year=year,
                                            value=value, publisher=publisher,
                                            published_on=kw.pop("on", date(2025, 5, 29)),
                                            **kw)


def test_a_national_figure_is_a_reference_and_a_countys_is_its_value(county_world, city_office):
    national = _record(city_office, None, 2024, "15.37", link=CAST)
    assert not national.written and national.area_name == "全国"
    assert not IndicatorValue.objects.filter(indicator__code="LIT_RATIO").exists()

    county = county_world["county"]
    published = _record(city_office, county, 2024, "10.4", publisher="达州市科协", on=date(2025, 6, 10))
    assert published.written
    value = IndicatorValue.objects.get(indicator__code="LIT_RATIO", region=county, period_id="2024")
    assert value.value == D("10.4") and value.source == "上级发布（达州市科协，2025-06-10）"
    event = AuditEvent.objects.get(object_type="collection.indicatorvalue")
    assert event.source.startswith("上级发布") and event.action == "history"  # a past year: approved history

    citation = selectors.headline_citation(Scope.for_user(county_world["office"]), county, 2024)
    assert citation["kind"] == "published" and citation["n"] is None
    assert citation["sentence"] == "据达州市科协2025年6月10日发布，渠县公民具备科学素质的比例为10.40%。"

    # a corrected release replaces the record and the figure, through the same path (now an amendment)
    _record(city_office, county, 2024, "10.6", publisher="达州市科协", on=date(2025, 7, 1))
    assert PublishedFigure.objects.filter(area=county).count() == 1
    value.refresh_from_db()
    assert value.value == D("10.6") and value.source == "上级发布（达州市科协，2025-07-01）"


@pytest.mark.parametrize(("field", "bad", "message"), [
    ("value", "十五", "比例“十五”不是数字"),
    ("value", "101", "比例“101”应在 0 到 100 之间"),
    ("year", "24", "调查年度“24”不正确"),
    ("publisher", " ", "请填写发布单位"),
    ("link", "ftp://x", "来源链接“ftp://x”应以 http:// 或 https:// 开头"),
])
def test_bad_input_is_refused_whole(county_world, field, bad, message):
    args = {"value": "10.4", "year": 2024, "publisher": "达州市科协", "link": ""} | {field: bad}
    with pytest.raises(ApplicationError, match=message):
        services.published_figure_record(actor=county_world["office"], area=county_world["county"],
                                         indicator_code="LIT_RATIO", published_on=date(2025, 5, 1), **args)
    assert not PublishedFigure.objects.exists() and not IndicatorValue.objects.exists()


def test_a_sibling_county_is_not_the_offices_to_record(county_world):
    with pytest.raises(ApplicationError, match="宣汉县不是本区域、上级区域或下级区域"):
        _record(county_world["office"], county_world["other"], 2024, "9.1")
    # the city above is: recorded as a reference, not written (the county office does not own the city's figures)
    figure = _record(county_world["office"], county_world["county"].parent, 2024, "11.2", publisher="四川省科协")
    assert not figure.written and not IndicatorValue.objects.exists()


def test_the_dashboard_draws_the_ratio_against_target_and_published_series(county_world, city_office, client):
    county = county_world["county"]
    framework = Framework.objects.get(code="kxsz-2021-2035", region__isnull=True)
    plan = Plan.objects.create(region=county, framework=framework, title="方案", start_year=2021, end_year=2025)
    Target.objects.create(plan=plan, indicator=Indicator.objects.get(code="LIT_RATIO"), region=county, year=2025,
                          value=D(12))
    _record(city_office, None, 2023, "14.14")
    _record(city_office, None, 2024, "15.37", link=CAST)
    _record(city_office, county, 2024, "10.4", publisher="达州市科协")
    client.force_login(county_world["office"])
    chart = client.get(reverse("analytics:chart_json", args=["literacy"]), {"region": county.code}).json()
    series = {s["name"]: s["data"] for s in chart["option"]["series"]}
    assert list(series) == ["渠县", "规划目标", "全国（上级发布）"]
    assert chart["option"]["xAxis"]["data"] == ["2023年", "2024年", "2025年"]
    assert series["全国（上级发布）"][1]["value"] == 15.37
    assert series["全国（上级发布）"][1]["name"] == f"2024年 · 上级发布（中国科协，2025-05-29，{CAST}）"
    assert series["渠县"][1]["symbol"] == "triangle" and series["规划目标"] == [None, None, 12]
    assert ["2024年", "渠县", 10.4, "上级发布（达州市科协，2025-05-29）"] in chart["rows"]
    page = client.get(reverse("analytics:dashboard")).content.decode()
    assert "渠县公民具备科学素质的比例" in page
