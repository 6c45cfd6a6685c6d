"""The demo's outcome measures: the published survey series, a 渠县 sample survey accepted as its 2025 figure, and
the 2025 考核 of 渠县's member units and of 达州市's counties, part-way through (some 自评 submitted, some 审核 done).

Every write goes through the services of ``surveys`` and ``assessment``, as an office's would; the stage stays cheap
(one small synthetic round, a few dozen scored items).
"""

from datetime import date

from kesu.accounts.models import User
from kesu.assessment import selectors as assessment_selectors
from kesu.assessment import services as assessment
from kesu.regions.models import Region
from kesu.surveys import services as surveys
from kesu.surveys.core.instrument import builtin_instruments
from kesu.surveys.core.synthetic import census_margins, synthetic_round, wjx_csv

YEAR = 2025  # the last complete year of the demo's 2021—2025 plans
# 全国: the published national series (中国科协); the province's series is invented for the demo.
NATIONAL = {2020: ("10.56", date(2021, 1, 26)), 2022: ("12.93", date(2023, 5, 30)),
            2023: ("14.14", date(2024, 4, 16)), 2024: ("15.37", date(2025, 5, 29))}
PROVINCE = {2020: "9.55", 2022: "11.32", 2023: "12.48", 2024: "13.61"}
SURVEY_SIZE = 800
SURVEY_SHIFT = -0.5  # a county below the national level: about 11 % literate in the synthetic round


def build_outcomes(*, prefecture: Region, focus: Region) -> None:
    city_office = User.objects.get(username="dazhou")
    county_office = User.objects.get(username="quxian")
    _published(city_office, prefecture)
    _survey(county_office, focus)
    _unit_assessment(county_office, focus)
    _county_assessment(city_office, prefecture)


def _published(office, prefecture: Region) -> None:
    province = prefecture.parent
    for year, (value, on) in NATIONAL.items():
        surveys.published_figure_record(actor=office, area=None, indicator_code=surveys.HEADLINE_INDICATOR,
                                        year=year, value=value, publisher="中国科协", published_on=on)
        surveys.published_figure_record(actor=office, area=province, indicator_code=surveys.HEADLINE_INDICATOR,
                                        year=year, value=PROVINCE[year], publisher=f"{province.name}科协",
                                        published_on=date(on.year, on.month, min(on.day + 10, 28)))


def _survey(office, county: Region) -> None:
    """A 问卷星 export of a county round, mapped as guessed, screened, raked to census margins and accepted."""
    from kesu.surveys import selectors

    instrument = builtin_instruments()["literacy-2024"]
    questionnaire = surveys.questionnaire_create(actor=office, region=county, builtin="literacy-2024")
    survey = surveys.survey_round_create(actor=office, region=county, year=YEAR, questionnaire=questionnaire)
    data = synthetic_round(instrument, SURVEY_SIZE, seed=3, ability_shift=SURVEY_SHIFT)
    surveys.survey_file_upload(actor=office, survey=survey, name=f"{county.name}{YEAR}年问卷星导出.csv",
                               data=wjx_csv(instrument, data))
    mapping = {c["header"]: c["target"] for c in selectors.file_columns(survey)["columns"]}
    surveys.survey_round_analyse(actor=office, survey=survey, mapping=mapping, screening=survey.screening,
                                 margins=census_margins(float(county.population_10k or 95) * 7_000),
                                 trim_ratio=5, background=False)
    surveys.survey_round_accept(actor=office, survey=survey)


def _self_assess(actor, a, points: dict[str, str], *, submit: bool = True) -> None:
    """Score the manual items, citing the subject's own activities (and their photos) where it has some."""
    from kesu.accounts.scope import Scope

    choices = assessment_selectors.evidence_choices(Scope.for_user(actor), a)
    records = [key for key, _, _ in choices["activity"][:2] + choices["document"][:1]]
    for score in a.scores.select_related("item"):
        if score.item.number in points:
            assessment.assessment_self_score(actor=actor, assessment=a, item=score.item,
                                             points=points[score.item.number], links=records,
                                             evidence="" if records else "年度工作总结")
    if submit:
        assessment.assessment_submit(actor=actor, assessment=a)


def _unit_assessment(office, county: Region) -> None:
    scheme = assessment.scheme_create(actor=office, region=county, year=YEAR,
                                      definition=assessment.builtin_schemes()["units-annual"])
    assessment.scheme_open(actor=office, scheme=scheme)
    subjects = list(scheme.assessments.select_related("unit").order_by("unit__sort", "pk"))
    # the office reviews the first three units, two more have submitted, the rest are still assessing themselves
    for k, a in enumerate(subjects[:5]):
        _self_assess(office, a, {"3": str(26 - 2 * k), "4": str(17 - k)})
        if k < 3:
            item3 = next(s.item for s in a.scores.select_related("item") if s.item.number == "3")
            adjust = {item3.pk: ("20", "部分任务未见落实材料")} if k == 2 else {}
            assessment.assessment_review(actor=office, assessment=a, adjustments=adjust)


def _county_assessment(office, prefecture: Region) -> None:
    """The 示范县 creation self-assessment, one 考核细则 among others: 渠县 reviewed, 宣汉县 awaiting 审核."""
    scheme = assessment.scheme_create(actor=office, region=prefecture, year=YEAR,
                                      definition=assessment.builtin_schemes()["demonstration-county"])
    assessment.scheme_open(actor=office, scheme=scheme)
    by_code = {a.region.code: a for a in scheme.assessments.select_related("region")}
    for code, points in (("511725", {"2": "14", "3": "18", "4": "13"}), ("511722", {"2": "12", "3": "15", "4": "12"})):
        if code in by_code:
            _self_assess(office, by_code[code], points)
    if "511725" in by_code:
        assessment.assessment_review(actor=office, assessment=by_code["511725"], adjustments={})

