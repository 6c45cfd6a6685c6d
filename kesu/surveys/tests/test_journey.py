"""A survey round from response file to the county's headline figure, through the services and the pages."""

import io

import docx
import pytest
from django.urls import reverse

from kesu.accounts.scope import Scope
from kesu.collection.models import IndicatorValue
from kesu.core.exceptions import ApplicationError
from kesu.core.models import AuditEvent
from kesu.surveys import selectors, services
from kesu.surveys.models import RoundStatus, SurveyRound

from .conftest import literacy_margins


@pytest.fixture
def survey(county_world):
    office, county = county_world["office"], county_world["county"]
    questionnaire = services.questionnaire_create(actor=office, region=county, builtin="literacy-2024")
    return services.survey_round_create(actor=office, region=county, year=2025, questionnaire=questionnaire)


def _mapping(survey):
    return {c["header"]: c["target"] for c in selectors.file_columns(survey)["columns"]}


def test_a_round_from_file_to_accepted_figure(county_world, survey, sample_csv):
    office = county_world["office"]
    services.survey_file_upload(actor=office, survey=survey, name="答卷.csv", data=sample_csv)
    assert survey.rows == 1200
    mapping = _mapping(survey)
    assert mapping["1.性别"] == "sex" and mapping["4.居住地"] == "urban" and mapping["所用时间"] == "seconds"
    services.survey_round_analyse(actor=office, survey=survey, mapping=mapping, screening={
        "age": True, "speeder": True, "straight": True, "attention": True, "duplicate": True},
        margins=literacy_margins(), trim_ratio=5)
    survey.refresh_from_db()
    assert survey.status == RoundStatus.ANALYSED
    assert 0 < survey.kept < 1200 and survey.exclusion_counts["age"] > 0
    row, reasons = survey.excluded[0]
    assert row >= 2 and reasons  # a file row number and its reasons
    head = survey.estimates.get(group="", outcome="literate")
    assert 0 < head.lower < head.share < head.upper < 1
    # the questionnaire remembers the mapping for the next round's file
    assert survey.questionnaire.mapping["4.居住地"] == "urban"

    services.survey_round_accept(actor=office, survey=survey)
    value = IndicatorValue.objects.get(indicator__code="LIT_RATIO", region=county_world["county"], period_id="2025",
                                       unit=None)
    assert float(value.value) == pytest.approx(head.share * 100, abs=0.006)
    assert value.source.startswith(f"本地抽样调查（样本量{head.n:,}，95%置信区间")
    assert AuditEvent.objects.filter(object_type="collection.indicatorvalue", object_id=str(value.pk)).exists()
    with pytest.raises(ApplicationError, match="已采用"):
        services.survey_round_accept(actor=office, survey=survey)


def test_a_bad_file_changes_nothing(county_world, survey, sample_csv):
    office = county_world["office"]
    services.survey_file_upload(actor=office, survey=survey, name="答卷.csv", data=sample_csv)
    mapping = _mapping(survey)
    services.survey_round_analyse(actor=office, survey=survey, mapping=mapping, screening={}, margins={},
                                  trim_ratio=None)
    before = list(survey.estimates.values_list("share", flat=True))
    broken = sample_csv.decode("utf-8-sig").replace(",男,", ",未说明,", 1).encode()
    services.survey_file_upload(actor=office, survey=survey, name="答卷2.csv", data=broken)
    with pytest.raises(ApplicationError, match=r"第\d+行“1.性别”列：性别“未说明”无法识别"):
        services.survey_round_analyse(actor=office, survey=survey, mapping=mapping, screening={}, margins={},
                                      trim_ratio=None)
    survey.refresh_from_db()
    assert survey.status == RoundStatus.DRAFT and not survey.estimates.exists()
    assert before  # the first file had estimates; the refused run wrote none


def test_margins_that_miss_a_category_are_refused_by_name(county_world, survey, sample_csv):
    office = county_world["office"]
    services.survey_file_upload(actor=office, survey=survey, name="答卷.csv", data=sample_csv)
    margins = literacy_margins()
    del margins["education"]["大专"]
    with pytest.raises(ApplicationError, match="样本中“文化程度”为“大专”的受访者在人口边际中没有对应数字"):
        services.survey_round_analyse(actor=office, survey=survey, mapping=_mapping(survey), screening={},
                                      margins=margins, trim_ratio=5)


def test_another_county_cannot_touch_the_round(county_world, survey, sample_csv):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.survey_file_upload(actor=county_world["other_office"], survey=survey, name="答卷.csv",
                                    data=sample_csv)


def test_the_pages_walk_an_office_through(county_world, survey, sample_csv, client):
    client.force_login(county_world["office"])
    detail = reverse("surveys:detail", args=[survey.pk])
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.post(reverse("surveys:upload", args=[survey.pk]),
                {"file": SimpleUploadedFile("答卷.csv", sample_csv, content_type="text/csv")})
    page = client.get(detail).content.decode()
    assert "2. 列对应" in page and "1.性别" in page
    columns = selectors.file_columns(SurveyRound.objects.get(pk=survey.pk))["columns"]
    form = {f"header-{k}": c["header"] for k, c in enumerate(columns, 1)}
    form.update({f"target-{k}": c["target"] for k, c in enumerate(columns, 1)})
    form.update({"rule-age": "on", "rule-speeder": "on", "min_seconds": "60", "min_age": "18", "max_age": "69"})
    client.post(reverse("surveys:analyse", args=[survey.pk]), form)
    page = client.get(detail).content.decode()
    assert "公民具备科学素质的比例" in page and "95%置信区间" in page and "未加权" in page
    assert "年龄不在调查对象范围内" in page
    # the margins form now lists the sample's categories; fill them all and weight
    for variable, counts in literacy_margins().items():
        form.update({f"margin-{variable}-{level}": f"{count:.0f}" for level, count in counts.items()})
    form["trim_ratio"] = "5"
    client.post(reverse("surveys:analyse", args=[survey.pk]), form)
    page = client.get(detail).content.decode()
    assert "已按人口结构加权" in page
    report = client.get(reverse("surveys:report", args=[survey.pk]))
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(report.content)).paragraphs)
    head = SurveyRound.objects.get(pk=survey.pk).estimates.get(group="", outcome="literate")
    assert f"经抽样调查，渠县公民具备科学素质的比例为{head.share * 100:.2f}%（±{head.margin * 100:.2f}个百分点" in text
    assert "渠县2025年公民科学素质抽样调查分析报告" in text and "迭代加权" in text
    # the tier shares and the groups' ratios are drawn too, each with its interval, under a numbered caption
    assert "图1 公民科学素质水平分布" in text and "图2 分组具备科学素质的比例" in text
    assert len(docx.Document(io.BytesIO(report.content)).inline_shapes) == 2
    response = client.post(reverse("surveys:accept", args=[survey.pk]), follow=True)
    assert "已写入填报数据" in response.content.decode()
    assert SurveyRound.objects.get(pk=survey.pk).status == RoundStatus.ACCEPTED
    citation = selectors.headline_citation(Scope.for_user(county_world["office"]), county_world["county"], 2025)
    assert citation["sentence"].startswith("经抽样调查，渠县公民具备科学素质的比例为") and citation["n"] == head.n
    assert citation["kind"] == "survey" and citation["source"] == "本地抽样调查"


def test_an_office_loads_its_own_item_bank(county_world, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from kesu.surveys.models import Questionnaire

    client.force_login(county_world["office"])
    template = client.get(reverse("surveys:itembank_template"))
    assert template.status_code == 200
    client.post(reverse("surveys:questionnaire_import"), {
        "file": SimpleUploadedFile("题库.xlsx", template.content), "name": "渠县2025年问卷", "kind": "miller",
        "threshold": "50", "region": county_world["county"].pk})
    questionnaire = Questionnaire.objects.get(name="渠县2025年问卷")
    assert questionnaire.definition["scheme"] == {**questionnaire.definition["scheme"], "kind": "miller",
                                                  "dimension_share": 0.5}
    assert len(questionnaire.definition["items"]) == 26


def test_a_large_round_is_computed_by_the_worker(county_world, survey, sample_csv, settings,
                                                 django_capture_on_commit_callbacks):
    """Above the in-request size the computation is a task; its refusal is kept on the round for the page."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    office = county_world["office"]
    services.survey_file_upload(actor=office, survey=survey, name="答卷.csv", data=sample_csv)
    mapping = _mapping(survey)
    with django_capture_on_commit_callbacks(execute=True):
        services.survey_round_analyse(actor=office, survey=survey, mapping=mapping, screening={}, margins={},
                                      trim_ratio=None, background=True)
    survey.refresh_from_db()
    assert survey.status == RoundStatus.ANALYSED and survey.estimates.exists() and survey.error == ""
    margins = literacy_margins()
    del margins["sex"]["女"]
    with django_capture_on_commit_callbacks(execute=True):
        services.survey_round_analyse(actor=office, survey=survey, mapping=mapping, screening={}, margins=margins,
                                      trim_ratio=None, background=True)
    survey.refresh_from_db()
    assert survey.status == RoundStatus.ANALYSED  # the earlier estimates stand
    assert "样本中“性别”为“女”的受访者在人口边际中没有对应数字" in survey.error
