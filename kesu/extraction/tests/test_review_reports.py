"""A page of several reports uploaded by a county office: each report with its region and period and the evidence,
copies linked to their original, another region's report kept out of the county's figures, and bulk accept taking
each indicator's headline figure of a confirmed report."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from kesu.collection.models import DataSet, IndicatorValue, LockException
from kesu.core.exceptions import ApplicationError
from kesu.extraction import services
from kesu.extraction.models import FactStatus, SourceReport

CITY = ("篇1：达州市2023年全民科学素质工作总结\n"
        "2023年，我市深入实施全民科学素质行动。全市共开展农村实用技术培训410期，其中宣汉县举办52期。"
        "我市将继续努力。\n")
COUNTY = ("篇2：渠县2023年科普工作总结\n"
          "2023年，我县扎实推进全民科学素质工作。全县举办农村实用技术培训120期，其中举办农村实用技术培训夜校15期，培训农民3500人次。"
          "本文来源www.example-fanwen.cn/a/9.html 我县发放科普资料8000余份。\n"
          "一、科普经费\n全县筹集科普经费86.5万元，其中政府拨款60万元。计划明年培训农民5000人次。\n")
PAGE = CITY + COUNTY + COUNTY.replace("篇2", "篇3").replace("扎实推进", "稳步推进")


@pytest.fixture
def page(world):
    return services.document_upload(actor=world.office, region=world.county, name="范文三篇.txt",
                                    data=PAGE.encode()).created[0]


@pytest.mark.django_db
def test_the_page_becomes_three_reports_with_region_period_and_copies(world, page):
    first, second, third = page.reports.order_by("index")
    assert (first.suggested_region, second.suggested_region) == (world.city, world.county)
    assert [r.year_first for r in (first, second, third)] == [2023, 2023, 2023]
    assert third.duplicate_of == second and second.duplicate_of is None
    evidence = first.detected["region"]["evidence"]
    assert page.text[evidence[0]["start"]:evidence[0]["end"]] == "达州市"
    assert not any(r.confirmed for r in (first, second, third))  # detected, not yet confirmed
    copies = page.facts.filter(report=third)
    assert copies.exists() and all(f.copy_of and f.copy_of.report == second for f in copies)
    assert page.facts.get(report=first, text="52期").place == "宣汉县"
    assert "本文来源" not in page.cleaned_text and "example-fanwen" not in page.cleaned_text


@pytest.mark.django_db
def test_nothing_is_accepted_before_the_report_is_confirmed(world, page):
    fact = page.facts.get(report__index=2, text="3500人次")
    with pytest.raises(ApplicationError, match="请先确认"):
        services.fact_accept(actor=world.office, fact=fact, region=world.county, period="2023")
    with pytest.raises(ApplicationError, match="请先确认"):
        services.facts_accept_bulk(actor=world.office, document=page, report=fact.report)
    assert not IndicatorValue.objects.exists()


@pytest.mark.django_db
def test_a_county_office_cannot_confirm_the_citys_report_as_its_own_region(client, world, page):
    city_report = page.reports.get(index=1)
    client.force_login(world.office)
    response = client.post(reverse("extraction:report_confirm", args=[city_report.pk]),
                           {"region": world.city.pk, "year_first": "2023"}, follow=True)
    assert "请选择您管理的区域" in response.content.decode()
    city_report.refresh_from_db()
    assert not city_report.confirmed
    page_html = client.get(reverse("extraction:document", args=[page.pk])).content.decode()
    assert "本篇是达州市的报告，不在您管理的区域内" in page_html


@pytest.mark.django_db
def test_bulk_accept_of_a_confirmed_report_takes_each_headline_and_leaves_the_rest(client, world, page):
    report = page.reports.get(index=2)
    client.force_login(world.office)
    client.post(reverse("extraction:report_confirm", args=[report.pk]),
                {"region": world.county.pk, "year_first": "2023", "year_last": ""})
    report.refresh_from_db()
    assert report.confirmed and report.region == world.county and report.single_year == 2023
    html = client.get(reverse("extraction:document", args=[page.pk])).content.decode()
    assert "全篇总数，其余是其中的分项" in html  # 120期 over 其中…15期, said on the page
    response = client.post(reverse("extraction:bulk_accept", args=[page.pk]), {"report": report.pk}, follow=True)
    assert "已批量采用" in response.content.decode()
    values = {v.indicator.code: v.value for v in IndicatorValue.objects.select_related("indicator")}
    assert values == {"TRN_FARMER_SESSIONS": 120, "FUND_RAISED": 86.5}
    assert page.facts.get(report=report, text="15期").status == FactStatus.PENDING  # the component is left
    assert all(v.region == world.county and v.period_id == "2023" for v in IndicatorValue.objects.all())
    plan = page.facts.get(report__index=2, text="5000人次")  # a plan for next year is never a result
    assert plan.status == FactStatus.PENDING and plan.indicator is None and "目标" in plan.blocked["reason"]
    assert not page.facts.filter(report__index=3, status=FactStatus.ACCEPTED).exists()  # copies untouched
    assert not page.facts.filter(report__index=1, status=FactStatus.ACCEPTED).exists()  # the city's untouched


@pytest.mark.django_db
def test_a_copy_cannot_be_accepted_on_its_own(world, page):
    services.report_confirm(actor=world.office, report=page.reports.get(index=3), region=world.county,
                            year_first="2023")
    copy = page.facts.get(report__index=3, text="3500人次")
    with pytest.raises(ApplicationError, match="重复内容"):
        services.fact_accept(actor=world.office, fact=copy, region=world.county, period="2023")


@pytest.mark.django_db
def test_a_multi_year_report_is_not_bulk_accepted_as_one_year(world):
    text = "渠县2021—2023年科普工作总结\n三年来，我县累计举办农村实用技术培训300期。2023年举办120期。\n"
    doc = services.document_upload(actor=world.office, region=world.county, name="三年.txt",
                                   data=text.encode()).created[0]
    report = doc.reports.get()
    assert (report.year_first, report.year_last) == (2021, 2023)
    services.report_confirm(actor=world.office, report=report, region=world.county, year_first="2021",
                            year_last="2023")
    with pytest.raises(ApplicationError, match="跨多年"):
        services.facts_accept_bulk(actor=world.office, document=doc, report=report)


@pytest.mark.django_db
def test_confirmation_is_audited_and_years_checked(world, page):
    from kesu.core.models import AuditEvent

    report = page.reports.get(index=2)
    with pytest.raises(ApplicationError, match="早于起始年份"):
        services.report_confirm(actor=world.office, report=report, region=world.county, year_first="2023",
                                year_last="2021")
    services.report_confirm(actor=world.office, report=report, region=world.county, year_first="2023")
    assert AuditEvent.objects.filter(action="confirm", object_type="extraction.sourcereport",
                                     object_id=str(report.pk)).exists()
    assert SourceReport.objects.get(pk=report.pk).confirmed_by == world.office


@pytest.mark.django_db
def test_a_sub_regions_figure_is_offered_to_that_region_when_the_office_may_write_there(client, world):
    from kesu.accounts.models import Role, User

    city_office = User.objects.create_user("office_city", password="pw-kesu-1", role=Role.OFFICE, region=world.city)
    doc = services.document_upload(actor=city_office, region=world.city, name="市.txt", data=CITY.encode()).created[0]
    fact = doc.facts.get(text="52期")
    assert fact.place == "宣汉县"
    client.force_login(city_office)
    panel = client.get(reverse("extraction:fact", args=[fact.pk])).content.decode()
    assert "说的是宣汉县" in panel and "可采用为宣汉县的数据" in panel
    assert f'<option value="{world.other.pk}" selected>宣汉县</option>' in panel
    client.force_login(world.office)  # the county office that uploaded the page sees no such offer for 宣汉县
    page = services.document_upload(actor=world.office, region=world.county, name="页.txt",
                                    data=PAGE.encode()).created[0]
    panel = client.get(reverse("extraction:fact", args=[page.facts.get(text="52期").pk])).content.decode()
    assert "说的是宣汉县" in panel and "可采用为" not in panel


@pytest.mark.django_db
def test_a_city_office_accepts_a_report_confirmed_as_the_citys_into_the_city(client, world):
    from kesu.accounts.models import Role, User

    city_office = User.objects.create_user("office_city", password="pw-kesu-1", role=Role.OFFICE, region=world.city)
    city_set = DataSet.objects.create(region=world.city, code="ANNUAL_CITY", name="市年度科普工作统计", period_type="Y")
    city_set.indicators.set(world.ind.values())
    LockException.objects.create(data_set=city_set, period_id="2023", region=world.city,
                                 until=date.today() + timedelta(30), reason="录入历史报告")
    doc = services.document_upload(actor=city_office, region=world.county, name="页.txt",
                                   data=PAGE.encode()).created[0]
    client.force_login(city_office)
    client.post(reverse("extraction:report_confirm", args=[doc.reports.get(index=1).pk]),
                {"region": world.city.pk, "year_first": "2023"})
    fact = doc.facts.get(report__index=1, text="410期")
    panel = client.get(reverse("extraction:fact", args=[fact.pk])).content.decode()
    assert f'<option value="{world.city.pk}"' in panel  # the city is offered although the page was filed under 渠县
    response = client.post(reverse("extraction:fact_accept", args=[fact.pk]),
                           {"region": world.city.pk, "period": "2023"}, follow=True)
    assert "已采用“410期”" in response.content.decode()
    row = IndicatorValue.objects.get(indicator__code="TRN_FARMER_SESSIONS")
    assert (row.region, row.value) == (world.city, 410)
    # The county office sees the same page but may not write for the city.
    client.force_login(world.office)
    county_page = services.document_upload(actor=world.office, region=world.county, name="县.txt",
                                           data=(PAGE + "\n").encode()).created[0]
    response = client.post(reverse("extraction:fact_accept", args=[county_page.facts.get(text="410期").pk]),
                           {"region": world.city.pk, "period": "2023"}, follow=True)
    assert "未能采用“410期”" in response.content.decode()


def test_a_figures_kind_is_named_in_the_reviewers_words():
    from kesu.extraction.models import ExtractedFact

    fact = ExtractedFact(features={"increment": True, "over": True, "other_place": "城关镇", "kind": "target"})
    assert fact.feature_labels == ["目标/计划", "新增数", "下限（超过、不低于）", "城关镇的数"]
    fact.place = "城关镇"  # the page's own reading of the place is shown on its own line; not named twice
    assert "城关镇的数" not in fact.feature_labels
