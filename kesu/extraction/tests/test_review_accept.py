"""Accepting extracted facts into figures through the collection services, ignoring them, and bulk acceptance."""

from decimal import Decimal

import pytest
from django.urls import reverse

from kesu.collection.models import IndicatorValue, Submission, SubmissionStatus
from kesu.core.models import AuditEvent
from kesu.extraction import services
from kesu.extraction.models import ExtractedFact, FactStatus

from .conftest import REPORT


@pytest.fixture
def doc(world):
    document = services.document_upload(actor=world.office, region=world.county, name="2023年总结.txt",
                                        data=REPORT.encode()).created[0]
    services.report_confirm(actor=world.office, report=document.reports.get(), region=world.county, year_first="2023")
    return document


def _accept(client, user, fact, **data):
    client.force_login(user)
    return client.post(reverse("extraction:fact_accept", args=[fact.pk]), data, follow=True)


@pytest.mark.django_db
def test_accept_writes_the_value_with_provenance_and_audit(client, world, doc):
    fact = doc.facts.get(text="3500人次")
    response = _accept(client, world.office, fact, region=world.county.pk, period="2023",
                       indicator=world.ind["TRN_FARMER_P"].pk, unit="")
    assert "已采用“3500人次”" in response.content.decode()
    value = IndicatorValue.objects.get(indicator=world.ind["TRN_FARMER_P"], region=world.county, unit=None,
                                       period_id="2023")
    assert value.value == Decimal("3500")
    assert value.source == f"提取:文档#{doc.pk}:{fact.start}-{fact.end}"
    assert doc.text[fact.start:fact.end] == "3500人次"
    event = AuditEvent.objects.get(object_type="collection.indicatorvalue", object_id=str(value.pk))
    assert event.source == value.source and event.actor == world.office and "历史报告" in event.reason
    fact.refresh_from_db()
    assert fact.status == FactStatus.ACCEPTED and fact.accepted_value == value
    assert AuditEvent.objects.filter(action="accept", object_type="extraction.extractedfact").exists()


@pytest.mark.django_db
def test_money_is_converted_and_the_indicator_and_unit_can_be_chosen(client, world, doc):
    fact = doc.facts.get(text="86.5万元")
    _accept(client, world.office, fact, region=world.county.pk, period="2023", indicator=world.ind["FUND_RAISED"].pk,
            unit=world.agri.pk)
    value = IndicatorValue.objects.get(indicator=world.ind["FUND_RAISED"], unit=world.agri)
    assert value.value == Decimal("86.5")  # 865000 元 in the indicator's 万元


@pytest.mark.django_db
def test_unmapped_fact_accepted_after_choosing_an_indicator(client, world, doc):
    fact = doc.facts.get(text="120期")
    fact.indicator = None
    fact.save()
    response = _accept(client, world.office, fact, region=world.county.pk, period="2023", indicator="")
    assert "尚未对应指标" in response.content.decode()
    _accept(client, world.office, fact, region=world.county.pk, period="2023",
            indicator=world.ind["TRN_FARMER_SESSIONS"].pk)
    assert IndicatorValue.objects.get(indicator=world.ind["TRN_FARMER_SESSIONS"]).value == 120


@pytest.mark.django_db
def test_incompatible_unit_refused(client, world, doc):
    fact = doc.facts.get(text="3500人次")
    response = _accept(client, world.office, fact, region=world.county.pk, period="2023",
                       indicator=world.ind["FUND_RAISED"].pk)
    assert "不符，不能采用" in response.content.decode()
    assert not IndicatorValue.objects.exists()


@pytest.mark.django_db
def test_accepting_into_a_locked_period_only_proposes_the_change(client, world, doc):
    Submission.objects.create(data_set=world.ds, period_id="2023", region=world.county, unit=None,
                              status=SubmissionStatus.APPROVED, period_start="2023-01-01", period_end="2023-12-31")
    fact = doc.facts.get(text="3500人次")
    response = _accept(client, world.office, fact, region=world.county.pk, period="2023",
                       indicator=world.ind["TRN_FARMER_P"].pk)
    page = response.content.decode()
    assert "确认更正已审核数据" in page and "已审核锁定" in page and "现为 空，改为 3500" in page
    assert not IndicatorValue.objects.exists()
    fact.refresh_from_db()
    assert fact.status == FactStatus.PENDING


@pytest.mark.django_db
def test_a_year_kesu_never_collected_is_loaded_as_approved_history_with_its_source(client, world, doc):
    fact = doc.facts.get(text="3500人次")
    response = _accept(client, world.office, fact, region=world.county.pk, period="2019",
                       indicator=world.ind["TRN_FARMER_P"].pk)
    assert "已采用“3500人次”" in response.content.decode()
    value = IndicatorValue.objects.get(indicator=world.ind["TRN_FARMER_P"], region=world.county, period_id="2019")
    assert value.value == Decimal("3500") and value.source == fact.source_label
    assert ExtractedFact.objects.get(accepted_value=value) == fact  # the figure links back to its sentence
    event = AuditEvent.objects.get(object_type="collection.indicatorvalue", object_id=str(value.pk))
    assert event.action == "history" and event.source.startswith("提取:文档#")
    sub = Submission.objects.get(region=world.county, unit=None, period_id="2019")
    assert sub.status == SubmissionStatus.APPROVED  # history reads as final in every figure and report
    from kesu.collection.rollup import RollupRow
    assert RollupRow.objects.filter(region=world.county, period_id="2019", indicator=world.ind["TRN_FARMER_P"]).exists()


@pytest.mark.django_db
def test_an_approved_year_is_a_correction_the_office_confirms_with_a_reason(client, world, doc):
    from datetime import date

    indicator = world.ind["TRN_FARMER_P"]
    IndicatorValue.objects.create(indicator=indicator, region=world.county, unit=None, period_id="2019",
                                  value=Decimal("3000"))
    Submission.objects.create(data_set=world.ds, period_id="2019", period_start=date(2019, 1, 1),
                              period_end=date(2019, 12, 31), region=world.county, status=SubmissionStatus.APPROVED)
    fact = doc.facts.get(text="3500人次")
    args = {"region": world.county.pk, "period": "2019", "indicator": indicator.pk, "unit": ""}
    page = _accept(client, world.office, fact, **args).content.decode()
    assert "确认更正已审核数据" in page and "现为 3000，改为 3500" in page  # proposed, not written
    assert IndicatorValue.objects.get(period_id="2019").value == Decimal("3000")
    page = _accept(client, world.office, fact, **args, confirm="1", amend_reason=" ").content.decode()
    assert "请填写更正原因" in page and IndicatorValue.objects.get(period_id="2019").value == Decimal("3000")
    page = _accept(client, world.office, fact, **args, confirm="1", amend_reason="旧报告复核后更正").content.decode()
    assert "已采用“3500人次”" in page
    value = IndicatorValue.objects.get(period_id="2019")
    assert value.value == Decimal("3500") and ExtractedFact.objects.get(accepted_value=value) == fact
    event = AuditEvent.objects.get(object_type="collection.indicatorvalue", action="amend")
    assert "更正原因：旧报告复核后更正" in event.reason and event.changes["value"] == ["3000.0000", "3500.0000"]
    from kesu.collection.rollup import RollupRow
    assert RollupRow.objects.get(region=world.county, period_id="2019", indicator=indicator).value == Decimal("3500")


@pytest.mark.django_db
@pytest.mark.parametrize("period,expected", [("", "请填写四位年份"), ("二〇二三", "请填写四位年份"), ("1800", "请填写四位年份")])
def test_bad_period_refused(client, world, doc, period, expected):
    fact = doc.facts.get(text="3500人次")
    response = _accept(client, world.office, fact, region=world.county.pk, period=period,
                       indicator=world.ind["TRN_FARMER_P"].pk)
    assert expected in response.content.decode()
    assert not IndicatorValue.objects.exists()


@pytest.mark.django_db
def test_region_out_of_scope_refused(client, world, doc):
    fact = doc.facts.get(text="3500人次")
    response = _accept(client, world.office, fact, region=world.other.pk, period="2023",
                       indicator=world.ind["TRN_FARMER_P"].pk)
    assert "本辖区内的区域" in response.content.decode()
    assert not IndicatorValue.objects.exists()


@pytest.mark.django_db
def test_accepting_twice_is_refused(client, world, doc):
    fact = doc.facts.get(text="3500人次")
    data = dict(region=world.county.pk, period="2023", indicator=world.ind["TRN_FARMER_P"].pk)
    _accept(client, world.office, fact, **data)
    response = _accept(client, world.office, fact, **data)
    assert "已被采用" in response.content.decode()
    assert AuditEvent.objects.filter(object_type="collection.indicatorvalue").count() == 1


@pytest.mark.django_db
def test_ignore_with_reason(client, world, doc):
    fact = doc.facts.get(text="8000余份")
    client.force_login(world.office)
    client.post(reverse("extraction:fact_ignore", args=[fact.pk]), {"reason": "宣传品，不计入统计"})
    fact.refresh_from_db()
    assert fact.status == FactStatus.IGNORED and fact.ignore_reason == "宣传品，不计入统计"
    page = client.get(reverse("extraction:document", args=[doc.pk]), {"f": "ignored"}).content.decode()
    assert "8000余份" in page and "3500人次</a>" not in page.split('id="facts-table"')[1]


@pytest.mark.django_db
def test_bulk_accept_high_confidence_facts_in_one_go(client, world, doc):
    client.force_login(world.office)
    response = client.post(reverse("extraction:bulk_accept", args=[doc.pk]),
                           {"region": world.county.pk, "period": "2023", "unit": ""}, follow=True)
    page = response.content.decode()
    assert "已批量采用" in page
    values = {v.indicator.code: v.value for v in IndicatorValue.objects.select_related("indicator")}
    # 86.5万元 and 60万元 both map to the fund indicator: the more confident one is taken, the other left.
    assert values == {"TRN_FARMER_SESSIONS": 120, "FUND_RAISED": Decimal("86.5")}
    assert doc.facts.get(text="60万元").status == FactStatus.PENDING
    assert all(v.source.startswith(f"提取:文档#{doc.pk}:") for v in IndicatorValue.objects.all())


@pytest.mark.django_db
def test_bulk_accept_is_all_or_nothing(client, world, doc):
    Submission.objects.create(data_set=world.ds, period_id="2023", region=world.county, unit=None,
                              status=SubmissionStatus.SUBMITTED, period_start="2023-01-01", period_end="2023-12-31")
    client.force_login(world.office)
    response = client.post(reverse("extraction:bulk_accept", args=[doc.pk]),
                           {"region": world.county.pk, "period": "2023"}, follow=True)
    assert "未保存任何数据" in response.content.decode() and "已提交" in response.content.decode()
    assert not IndicatorValue.objects.exists()
    assert not doc.facts.filter(status=FactStatus.ACCEPTED).exists()


@pytest.mark.django_db
def test_review_page_highlights_every_fact_and_filters_the_table(client, world, doc):
    client.force_login(world.office)
    page = client.get(reverse("extraction:document", args=[doc.pk])).content.decode()
    for fact in doc.facts.all():
        assert f'id="f-{fact.pk}"' in page
    assert "fact-mapped" in page and "fact-unmapped" in page
    table = client.get(reverse("extraction:document", args=[doc.pk]), {"f": "unmapped"}).content.decode()
    rows = table.split('id="facts-table"')[1]
    assert "8000余份" in rows and "3500人次" not in rows
    detail = client.get(reverse("extraction:fact", args=[doc.facts.get(text="3500人次").pk])).content.decode()
    assert "农村实用技术培训人次" in detail and 'value="2023"' in detail  # year guessed from the title


@pytest.mark.django_db
def test_suspicious_fact_marked_differently(client, world):
    text = REPORT + "\n三、其他\n全年培训0余人。\n"
    doc = services.document_upload(actor=world.office, region=world.county, name="b.txt", data=text.encode()).created[0]
    bad = doc.facts.get(suspicious=True)
    client.force_login(world.office)
    page = client.get(reverse("extraction:document", args=[doc.pk])).content.decode()
    assert f'id="f-{bad.pk}" class="fact fact-suspicious' in page


@pytest.mark.django_db
def test_bulk_accept_into_an_approved_year_proposes_the_corrections_and_writes_them_on_one_reason(client, world, doc):
    from datetime import date

    IndicatorValue.objects.create(indicator=world.ind["TRN_FARMER_SESSIONS"], region=world.county, unit=None,
                                  period_id="2023", value=Decimal("100"))
    Submission.objects.create(data_set=world.ds, period_id="2023", period_start=date(2023, 1, 1),
                              period_end=date(2023, 12, 31), region=world.county, status=SubmissionStatus.APPROVED)
    client.force_login(world.office)
    url = reverse("extraction:bulk_accept", args=[doc.pk])
    page = client.post(url, {"unit": ""}).content.decode()
    rows = page.split('id="amend-rows"')[1]
    assert "确认更正 2 项" in page and "“120期”" in rows and "“86.5万元”" in rows  # proposed, with now and new
    assert ">100<" in rows and "空" in rows
    assert IndicatorValue.objects.get(indicator=world.ind["TRN_FARMER_SESSIONS"]).value == Decimal("100")
    page = client.post(url, {"unit": "", "confirm": "1", "amend_reason": " "}).content.decode()
    assert "请填写更正原因" in page and not doc.facts.filter(status=FactStatus.ACCEPTED).exists()
    page = client.post(url, {"unit": "", "confirm": "1", "amend_reason": "旧报告复核"}, follow=True).content.decode()
    assert "已批量采用 2 条数据" in page
    values = {v.indicator.code: v.value for v in IndicatorValue.objects.select_related("indicator")}
    assert values == {"TRN_FARMER_SESSIONS": 120, "FUND_RAISED": Decimal("86.5")}
    fact = doc.facts.get(text="120期")
    assert fact.status == FactStatus.ACCEPTED and fact.accepted_value.source == fact.source_label
    assert AuditEvent.objects.filter(action="amend", reason__contains="更正原因：旧报告复核").count() == 2


@pytest.mark.django_db
def test_bulk_accept_leaves_an_indicator_summed_from_activities_and_takes_the_rest(client, world, doc):
    from kesu.collection.models import ActivityIndicatorRule, Measure

    ActivityIndicatorRule.objects.create(indicator=world.ind["TRN_FARMER_SESSIONS"], measure=Measure.COUNT)
    client.force_login(world.office)
    page = client.get(reverse("extraction:document", args=[doc.pk])).content.decode()
    assert "由科普活动自动汇总" in page  # the review page says why 120期 is not in the batch
    page = client.post(reverse("extraction:bulk_accept", args=[doc.pk]), {"unit": ""}, follow=True).content.decode()
    assert "已批量采用 1 条数据" in page  # the batch is not refused as a whole for one such figure
    assert {v.indicator.code for v in IndicatorValue.objects.select_related("indicator")} == {"FUND_RAISED"}
    assert doc.facts.get(text="120期").status == FactStatus.PENDING
    detail = client.get(reverse("extraction:fact", args=[doc.facts.get(text="120期").pk])).content.decode()
    assert "由科普活动自动汇总，本年度不能直接采用" in detail  # said before the office tries


@pytest.mark.django_db
def test_a_year_before_the_system_takes_an_activity_summed_figure_as_history_and_the_figures_show_it(client, world):
    """2019: no return, no activity registered. 120期 of training is the county's own figure for that year; once a
    year has activities, the figure is theirs and a typed one is refused at every door."""
    from datetime import date

    from kesu.analytics.selectors.figures import Plan, live_figures, stored_figures
    from kesu.collection.models import Activity, ActivityIndicatorRule, Measure
    from kesu.collection.services import HISTORY, Figure, figures_write

    sessions = world.ind["TRN_FARMER_SESSIONS"]
    ActivityIndicatorRule.objects.create(indicator=sessions, measure=Measure.COUNT)
    document = services.document_upload(actor=world.office, region=world.county, name="2019年总结.txt",
                                        data=REPORT.encode()).created[0]
    services.report_confirm(actor=world.office, report=document.reports.get(), region=world.county, year_first="2019")
    client.force_login(world.office)
    page = client.post(reverse("extraction:bulk_accept", args=[document.pk]), {"unit": ""}, follow=True)
    assert "已批量采用 2 条数据" in page.content.decode()
    assert IndicatorValue.objects.get(indicator=sessions, period_id="2019").value == 120
    assert AuditEvent.objects.filter(action="history", object_type="collection.indicatorvalue").count() == 2
    plan = Plan.for_indicators([sessions])
    for read in (live_figures(plan, world.county, ["2019"]), stored_figures(plan, world.county, [world.county],
                                                                             ["2019"])):
        assert read[(sessions.pk, world.county.pk, "2019")].value == 120

    Activity.objects.create(unit=world.agri, region=world.county, kind="training", title="果树修剪培训",
                            start_date=date(2018, 5, 6), end_date=date(2018, 5, 6))
    result = figures_write(actor=world.office, door="history", mode=HISTORY, figures=[
        Figure(indicator=sessions, region=world.county, unit=None, period="2018", value="30", row=1)])
    assert result.errors and "已登记科普活动" in result.errors[0].message and "由活动汇总" in result.errors[0].message
