"""Every write of the surveys app: keyword-only, one transaction, an audit event.

An accepted estimate becomes a figure only through ``kesu.collection.services.outside_figures_accept``, so scope, locks,
rules and audit are those of every other door.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from kesu.accounts.scope import Scope
from kesu.collection.reporting import data_sets_for
from kesu.collection.services import Figure, outside_figures_accept
from kesu.core import audit, worker
from kesu.core.exceptions import ApplicationError
from kesu.plans.models import Indicator

from .core.instrument import InstrumentError, builtin_definitions, instrument_from_dict
from .core.pipeline import GROUP_LABELS, LITERATE, analyse
from .core.reading import FIELDS, ResponseFileError, parse, read_table
from .core.screening import ScreenSettings
from .core.weighting import WeightingError
from .models import LOCAL_SURVEY_SOURCE, PublishedFigure, Questionnaire, RoundStatus, SurveyEstimate, SurveyRound

HEADLINE_INDICATOR = "LIT_RATIO"  # 公民具备科学素质的比例
RURAL_INDICATOR = "LIT_RURAL_RATIO"  # 农村居民具备科学素质的比例
EXCLUDED_KEPT = 500  # the exclusion list shown on the page; the counts cover everyone


def _require_manager(actor, region) -> None:
    Scope.for_user(actor).require(Scope.for_user(actor).manages_region(region))


def questionnaire_create(*, actor, region, builtin: str = "", definition: dict | None = None,
                         name: str = "") -> Questionnaire:
    _require_manager(actor, region)
    if definition is None:
        definition = builtin_definitions().get(builtin)
        if definition is None:
            raise ApplicationError(f"内置问卷“{builtin}”不存在。", field="builtin")
    try:
        instrument = instrument_from_dict(definition)
    except InstrumentError as exc:
        raise ApplicationError(str(exc), field="definition") from None
    with transaction.atomic():
        questionnaire = Questionnaire.objects.create(region=region, name=(name or instrument.name)[:200],
                                                     definition=definition)
        audit.record(actor=actor, action="create", instance=questionnaire, object_repr=f"调查问卷“{questionnaire.name}”",
                     region_path=region.path)
    return questionnaire


def survey_round_create(*, actor, region, year: int, questionnaire: Questionnaire, title: str = "") -> SurveyRound:
    _require_manager(actor, region)
    if not region.path.startswith(questionnaire.region.path) and not questionnaire.region.path.startswith(
            region.path):
        raise ApplicationError("所选问卷不属于本区域或上级区域。", field="questionnaire")
    if not 2000 <= int(year) <= 2100:
        raise ApplicationError(f"调查年度“{year}”不正确。", field="year")
    with transaction.atomic():
        survey = SurveyRound.objects.create(
            region=region, year=int(year), questionnaire=questionnaire,
            title=(title or f"{region.name}{year}年公民科学素质抽样调查")[:200],
            screening=ScreenSettings().to_dict())
        audit.record(actor=actor, action="create", instance=survey, object_repr=survey.title,
                     region_path=region.path)
    return survey


def survey_file_upload(*, actor, survey: SurveyRound, name: str, data: bytes) -> SurveyRound:
    """Store a response file once it reads; the estimates of an earlier file are dropped with it."""
    _require_manager(actor, survey.region)
    if survey.status == RoundStatus.ACCEPTED:
        raise ApplicationError("该调查结果已采用，不能更换答卷文件。", field="file")
    if survey.status == RoundStatus.COMPUTING:
        raise ApplicationError("正在后台计算，请稍候再更换文件。", field="file")
    try:
        table = read_table(name, data)
    except ResponseFileError as exc:
        raise ApplicationError("\n".join(exc.messages), field="file") from None
    if table.rows == 0:
        raise ApplicationError("文件中没有答卷（只有列标题）。", field="file")
    with transaction.atomic():
        survey.estimates.all().delete()
        survey.file.save(name, ContentFile(data), save=False)
        survey.original_name, survey.rows, survey.status = name[:255], table.rows, RoundStatus.DRAFT
        survey.kept, survey.excluded, survey.exclusion_counts, survey.analysed_at = 0, [], {}, None
        survey.error = ""
        survey.save()
        audit.record(actor=actor, action="upload", instance=survey, object_repr=survey.title,
                     changes={"file": [None, name], "rows": [None, table.rows]}, region_path=survey.region.path)
    return survey


IN_REQUEST_ROWS = 20_000  # a city's round computes within the request (< 1 s); larger ones go to the worker


def survey_round_analyse(*, actor, survey: SurveyRound, mapping: dict[str, str], screening: dict,
                         margins: dict[str, dict[str, float]], trim_ratio: float | None,
                         background: bool | None = None) -> SurveyRound:
    """Parse the file with the mapping, screen, weight and estimate; all estimates are replaced at once.

    A file of more than IN_REQUEST_ROWS answers is computed by the task worker: the round shows 计算中 until then,
    and a refusal found there (a bad cell, margins that do not fit) is kept on the round and shown on its page.
    """
    _require_manager(actor, survey.region)
    if survey.status == RoundStatus.ACCEPTED:
        raise ApplicationError("该调查结果已采用，不能重新计算。", field="file")
    if survey.status == RoundStatus.COMPUTING:
        raise ApplicationError("正在后台计算，请稍候。", field="status")
    if not survey.file:
        raise ApplicationError("请先上传答卷文件。", field="file")
    instrument = instrument_from_dict(survey.questionnaire.definition)
    valid_targets = set(FIELDS) | {i.key for i in instrument.items}
    mapping = {h: t for h, t in mapping.items() if t in valid_targets}
    settings = ScreenSettings.from_dict(screening)
    if background if background is not None else survey.rows > IN_REQUEST_ROWS:
        with transaction.atomic():
            survey.mapping, survey.screening, survey.margins = mapping, settings.to_dict(), margins
            survey.trim_ratio, survey.status, survey.error = trim_ratio or 0, RoundStatus.COMPUTING, ""
            survey.save()
            audit.record(actor=actor, action="analyse_queued", instance=survey, object_repr=survey.title,
                         region_path=survey.region.path)
            transaction.on_commit(lambda: _enqueue(survey.pk, actor.pk))
        return survey
    return _compute(actor=actor, survey=survey, instrument=instrument, mapping=mapping, settings=settings,
                    margins=margins, trim_ratio=trim_ratio)


def _enqueue(survey_id: int, actor_id: int) -> None:
    from .tasks import compute_round

    worker.enqueue(compute_round, survey_id, actor_id, label=f"survey round {survey_id}")


def survey_round_compute(*, survey_id: int, actor_id: int) -> None:
    """The worker's half of a large computation, with the parameters stored on the round."""
    from django.contrib.auth import get_user_model

    survey = SurveyRound.objects.select_related("questionnaire", "region").get(pk=survey_id)
    if survey.status != RoundStatus.COMPUTING:
        return
    actor = get_user_model().objects.get(pk=actor_id)
    try:
        _compute(actor=actor, survey=survey, instrument=instrument_from_dict(survey.questionnaire.definition),
                 mapping=survey.mapping, settings=ScreenSettings.from_dict(survey.screening), margins=survey.margins,
                 trim_ratio=survey.trim_ratio or None)
    except ApplicationError as exc:
        # the estimates of an earlier run, if any, stay as they were
        earlier = RoundStatus.ANALYSED if survey.estimates.exists() else RoundStatus.DRAFT
        SurveyRound.objects.filter(pk=survey_id).update(status=earlier, error=exc.message)


def _compute(*, actor, survey: SurveyRound, instrument, mapping, settings, margins, trim_ratio) -> SurveyRound:
    with survey.file.open("rb") as handle:
        data = handle.read()
    try:
        responses = parse(read_table(survey.original_name, data), mapping, instrument)
        result = analyse(instrument, responses, settings=settings, margins=margins or None, trim_ratio=trim_ratio)
    except ResponseFileError as exc:
        raise ApplicationError("\n".join(exc.messages), field="file") from None
    except WeightingError as exc:
        raise ApplicationError(str(exc), field="margins") from None
    excluded = [[int(i) + 2, result.screening.reasons(int(i))]
                for i in (~result.screening.keep).nonzero()[0][:EXCLUDED_KEPT]]
    with transaction.atomic():
        survey.estimates.all().delete()
        SurveyEstimate.objects.bulk_create(SurveyEstimate(survey=survey, **_fields(e)) for e in result.estimates)
        survey.screening, survey.margins, survey.trim_ratio = settings.to_dict(), margins, trim_ratio or 0
        survey.mapping, survey.error = mapping, ""
        survey.kept, survey.excluded = int(result.screening.keep.sum()), excluded
        survey.exclusion_counts = result.screening.counts()
        survey.status, survey.analysed_at = RoundStatus.ANALYSED, timezone.now()
        survey.save()
        questionnaire = survey.questionnaire
        questionnaire.mapping = {**questionnaire.mapping, **mapping}
        questionnaire.save(update_fields=["mapping", "updated_at"])
        head = result.headline()
        audit.record(actor=actor, action="analyse", instance=survey, object_repr=survey.title,
                     changes={"kept": [None, survey.kept], "share": [None, head.share]},
                     region_path=survey.region.path)
    return survey


def _fields(e) -> dict:
    return {"group": e.group, "level": e.level, "outcome": e.outcome, "share": e.share, "se": e.se,
            "lower": e.lower, "upper": e.upper, "n": e.n, "effective_n": e.effective_n, "deff": e.deff,
            "suppressed": e.suppressed}


def _percent(share: float) -> Decimal:
    return (Decimal(str(share)) * 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def source_label(estimate: SurveyEstimate) -> str:
    """本地抽样调查（样本量1,234，95%置信区间11.2%—12.6%）: the figure's source, as the value keeps it."""
    return (f"{LOCAL_SURVEY_SOURCE}（样本量{estimate.n:,}，95%置信区间{_percent(estimate.lower)}%—"
            f"{_percent(estimate.upper)}%）")


def survey_round_accept(*, actor, survey: SurveyRound) -> SurveyRound:
    """Write the headline (and the rural ratio, where publishable) as the region-year figures."""
    _require_manager(actor, survey.region)
    if survey.status != RoundStatus.ANALYSED:
        raise ApplicationError("请先完成计算，再采用调查结果。" if survey.status == RoundStatus.DRAFT
                               else "该调查结果已采用。", field="status")
    estimates = {(e.group, e.level): e for e in survey.estimates.filter(outcome=LITERATE)}
    head = estimates.get(("", ""))
    if head is None or head.suppressed:
        raise ApplicationError("有效样本量不足，全区域比例不宜发布，不能采用。", field="status")
    writes = [(HEADLINE_INDICATOR, head)]
    rural = estimates.get(("urban", "农村"))
    # the rural ratio is written where the region's returns collect it; the headline is always asked for
    if rural is not None and not rural.suppressed and data_sets_for(
            survey.region, None, indicator=Indicator.objects.get(code=RURAL_INDICATOR), period_type="Y"):
        writes.append((RURAL_INDICATOR, rural))
    with transaction.atomic():
        # The same path as any outside figure for a past year: a year kesu never collected is loaded as approved
        # history; an approved year is corrected with the round as the reason; otherwise the open return.
        indicators = {i.code: i for i in Indicator.objects.filter(code__in=[code for code, _ in writes])}
        reason = f"采用“{survey.title}”的调查结果"
        result = outside_figures_accept(actor=actor, door="survey", reason=reason, amend_reason=reason, figures=[
            Figure(indicator=indicators[code], region=survey.region, unit=None, period=str(survey.year),
                   value=str(_percent(estimate.share)), source=source_label(estimate), row=n)
            for n, (code, estimate) in enumerate(writes, start=1)])
        if result.errors:
            first = result.errors[0]
            raise ApplicationError(first.message, field=first.field, extra=first.extra)
        survey.status, survey.accepted_by, survey.accepted_at = RoundStatus.ACCEPTED, actor, timezone.now()
        survey.save()
        audit.record(actor=actor, action="accept", instance=survey, object_repr=survey.title,
                     changes={"status": [RoundStatus.ANALYSED, RoundStatus.ACCEPTED]},
                     source=source_label(head), region_path=survey.region.path)
    return survey


PUBLISHED_INDICATORS = (HEADLINE_INDICATOR, RURAL_INDICATOR)


def published_figure_record(*, actor, area, indicator_code: str, year, value, publisher: str, published_on,
                            link: str = "") -> PublishedFigure:
    """Record a result published from above; one about a region the office manages also becomes its figure.

    ``area`` None is 全国. The office may record figures about the nation, the regions above it and its own
    subtree; recording the same area, indicator and year again replaces the earlier record (a corrected release).
    A figure about a managed region goes through the one write path (door 上级发布) with the publisher, date and
    link as its source, so the grid, the dashboard and the reports show where it came from.
    """
    scope = Scope.for_user(actor)
    scope.require(scope.can_manage and not scope.is_admin)
    office = actor.region
    if area is not None and not (area.is_within(office) or office.is_within(area)):
        raise ApplicationError(f"{area.name}不是本区域、上级区域或下级区域，不能录入其发布结果。", field="area")
    if indicator_code not in PUBLISHED_INDICATORS:
        raise ApplicationError(f"指标“{indicator_code}”不是调查发布的比例。", field="indicator")
    indicator = Indicator.objects.get(code=indicator_code)
    year = str(year).strip()
    if not (year.isdigit() and 1990 <= int(year) <= 2100):
        raise ApplicationError(f"调查年度“{year}”不正确（应为四位数字年份）。", field="year")
    try:
        number = Decimal(str(value).strip().rstrip("%"))
    except ArithmeticError:
        raise ApplicationError(f"比例“{value}”不是数字。", field="value") from None
    if not 0 <= number <= 100 or number != number.quantize(Decimal("0.01")):
        raise ApplicationError(f"比例“{value}”应在 0 到 100 之间，最多两位小数。", field="value")
    publisher = publisher.strip()
    if not publisher:
        raise ApplicationError("请填写发布单位（如 中国科协、四川省科协）。", field="publisher")
    if published_on is None:
        raise ApplicationError("请填写发布日期。", field="published_on")
    link = link.strip()
    if link and not link.startswith(("http://", "https://")):
        raise ApplicationError(f"来源链接“{link[:60]}”应以 http:// 或 https:// 开头。", field="link")
    with transaction.atomic():
        # no ordering: the model's default joins the area, and PostgreSQL cannot lock the nullable side of a join
        found = PublishedFigure.objects.select_for_update(of=("self",)).order_by().filter(
            office=office, area=area, indicator=indicator, year=int(year)).first()
        old = {"value": found.value, "publisher": found.publisher} if found else {}
        figure = found or PublishedFigure(office=office, area=area, indicator=indicator, year=int(year))
        figure.value, figure.publisher, figure.published_on = number, publisher[:100], published_on
        figure.link, figure.recorded_by = link[:500], actor
        figure.written = area is not None and scope.manages_region(area)
        figure.save()
        if figure.written:
            reason = f"录入{publisher}发布的{area.name}{year}年调查结果"
            result = outside_figures_accept(actor=actor, door="published", reason=reason, amend_reason=reason,
                                            figures=[Figure(indicator=indicator, region=area, unit=None, period=year,
                                                            value=str(number), source=figure.source_text)])
            if not result.ok:
                raise ApplicationError(f"写入{area.name}{year}年数据未成功：{result.errors[0].message}", field="value")
        audit.record(actor=actor, action="update" if found else "create", instance=figure, object_repr=str(figure),
                     changes={"value": [str(old.get("value")) if old else None, str(number)],
                              "publisher": [old.get("publisher"), publisher]},
                     source=figure.source_text, region_path=office.path)
    return figure


GROUPS = GROUP_LABELS
