"""Every write of the extraction app: storing uploads, and accepting or ignoring extracted facts.

Accepted facts become figures only through ``kesu.collection.services.figures_write``, so the same scope, lock,
validation and audit rules apply as for a form or an Excel row; the value's source names the document and span.
"""

import hashlib
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from kesu.accounts.scope import Scope
from kesu.collection.models import IndicatorValue
from kesu.collection.services import AMEND, Figure, outside_figures_accept, outside_paths
from kesu.core import audit, worker
from kesu.core.exceptions import ApplicationError
from kesu.core.periods import Period

from . import intake
from .models import DocumentStatus, ExtractedFact, FactStatus, SourceDocument, SourceReport

HIGH_CONFIDENCE = 0.7


def stale_after_seconds() -> int:
    """A document still 提取中 after this long lost its worker (killed, restarted): it may be retried."""
    from .sandbox import cpu_seconds

    return getattr(settings, "KESU_EXTRACTION_STALE_SECONDS", cpu_seconds() * 3 + 120)


@dataclass
class UploadOutcome:
    created: list = field(default_factory=list)  # new SourceDocuments
    seen: list = field(default_factory=list)  # (file name, the earlier SourceDocument with the same content)
    skipped: list = field(default_factory=list)  # Chinese messages for zip entries that are not documents


def _require_office(actor, region) -> Scope:
    scope = Scope.for_user(actor)
    if not scope.manages_region(region):
        raise PermissionDenied("无权为该区域上传或审核历史报告")
    return scope


def _display_name(name: str) -> str:
    return ((name or "上传文件").replace("\\", "/").rsplit("/", 1)[-1] or "上传文件")[:255]


def document_upload(*, actor, region, name: str, data: bytes) -> UploadOutcome:
    """Store one uploaded file (a report, or a .zip of reports) for ``region`` and extract its facts."""
    scope = _require_office(actor, region)
    name = _display_name(name)
    intake.check_size(len(data), name)
    kind = intake.sniff(data, name)
    outcome = UploadOutcome()
    if kind != intake.ZIP:
        intake.check_content(kind, data, name)
        _store(outcome, actor=actor, scope=scope, region=region, name=name, data=data, kind=kind)
        return outcome
    entries = intake.zip_entries(data, name)
    with transaction.atomic():
        for entry in entries:
            try:
                entry_kind = intake.sniff(entry.data, entry.name)
                if entry_kind == intake.ZIP:
                    raise ApplicationError(f"“{entry.name}”是压缩包，压缩包内不能再套压缩包。")
                intake.check_size(len(entry.data), entry.name)
                intake.check_content(entry_kind, entry.data, entry.name)
            except ApplicationError as exc:
                outcome.skipped.append(exc.message)
                continue
            _store(outcome, actor=actor, scope=scope, region=region, name=_display_name(entry.name), data=entry.data,
                   kind=entry_kind, batch=name)
    if not outcome.created and not outcome.seen:
        raise ApplicationError(f"压缩包“{name}”中没有可读取的报告文档（.txt、.docx、.html、.pdf）。"
                               + ("" if not outcome.skipped else " " + "；".join(outcome.skipped[:5])), field="file")
    return outcome


def _store(outcome: UploadOutcome, *, actor, scope, region, name, data, kind, batch="") -> None:
    digest = hashlib.sha256(data).hexdigest()
    earlier = (SourceDocument.objects.filter(scope.region_q("region__"), sha256=digest).order_by("created_at")
               .first())
    if earlier is not None:
        outcome.seen.append((name, earlier))
        return
    with transaction.atomic():
        document = SourceDocument(region=region, uploaded_by=actor, original_name=name, batch=batch[:255], kind=kind,
                                  size=len(data), sha256=digest)
        document.file.save(f"{digest[:16]}.{kind}", ContentFile(data), save=False)
        document.save()
        audit.record(actor=actor, action="upload", instance=document, object_repr=f"历史报告“{name}”",
                     changes={"sha256": [None, digest], "size": [None, len(data)]}, source=batch or "上传",
                     region_path=region.path)
    # Reading and extracting run in the worker, never in the request (the task row commits with the document; the
    # immediate backend of the tests runs it here).
    _enqueue(document.pk)
    document.refresh_from_db()
    outcome.created.append(document)


def _enqueue(document_id: int) -> None:
    from .tasks import extract_document

    worker.enqueue(extract_document, document_id, label=f"extraction task for document {document_id}")


def document_is_stuck(document: SourceDocument) -> bool:
    """Queued or 提取中 for longer than any run may take: its worker died, so the user may start it again."""
    if document.status not in (DocumentStatus.PENDING, DocumentStatus.PROCESSING):
        return False
    return (timezone.now() - document.updated_at).total_seconds() > stale_after_seconds()


def document_retry(*, actor, document: SourceDocument) -> SourceDocument:
    """重新提取: a failed (or stuck) document goes back to the worker; its earlier facts are replaced when it ends."""
    _require_office(actor, document.region)
    if document.status != DocumentStatus.FAILED and not document_is_stuck(document):
        raise ApplicationError(f"“{document.original_name}”{document.get_status_display()}，无需重新提取。",
                               field="document")
    if document.facts.filter(status=FactStatus.ACCEPTED).exists():
        raise ApplicationError(f"“{document.original_name}”已有数据被采用，不能重新提取。", field="document")
    with transaction.atomic():
        old = document.status
        document.status, document.error = DocumentStatus.PENDING, ""
        document.save(update_fields=["status", "error", "updated_at"])
        audit.record(actor=actor, action="retry", instance=document, object_repr=f"历史报告“{document.original_name}”",
                     changes={"status": [old, document.status]}, region_path=document.region.path)
    _enqueue(document.pk)
    document.refresh_from_db()
    return document


def document_delete(*, actor, document: SourceDocument) -> None:
    """删除 a document with its file, reports and facts; refused once any of its facts has become a figure."""
    _require_office(actor, document.region)
    accepted = document.facts.filter(status=FactStatus.ACCEPTED).count()
    if accepted:
        raise ApplicationError(f"“{document.original_name}”已有 {accepted} 条数据被采用，不能删除。", field="document")
    name, path = document.original_name, document.region.path
    with transaction.atomic():
        audit.record(actor=actor, action="delete", instance=document, object_repr=f"历史报告“{name}”",
                     changes={"sha256": [document.sha256, None]}, region_path=path)
        stored = document.file.name
        document.delete()
        transaction.on_commit(lambda: document.file.storage.delete(stored))


# -- review ----------------------------------------------------------------------------------------------------------


def report_confirm(*, actor, report: SourceReport, region, year_first, year_last=None) -> SourceReport:
    """确认 whose report it is and which years it covers; until then none of its facts can be accepted."""
    scope = _require_office(actor, report.document.region)
    if not scope.manages_region(region):
        raise ApplicationError(f"{region.name}不在您管理的区域内：这一篇的数据不能由您采用。", field="region")
    first = _year(year_first).year
    last = _year(year_last).year if str(year_last or "").strip() else first
    if last < first:
        raise ApplicationError(f"截止年份 {last} 早于起始年份 {first}。", field="year_last")
    with transaction.atomic():
        old = {"region": report.region_id, "years": [report.year_first, report.year_last], "confirmed": report.confirmed}
        report.region, report.year_first, report.year_last = region, first, last
        report.confirmed_by, report.confirmed_at = actor, timezone.now()
        report.save()
        audit.record(actor=actor, action="confirm", instance=report,
                     object_repr=f"历史报告“{report.document.original_name}”{report}",
                     changes={"region": [old["region"], region.pk], "years": [old["years"], [first, last]],
                              "confirmed": [old["confirmed"], True]},
                     region_path=region.path)
    return report


def _require_confirmed(fact: ExtractedFact) -> None:
    report = fact.report
    if report is not None and not report.confirmed:
        raise ApplicationError(f"请先确认“{fact.text}”所在的篇{report.index}是哪个区域、哪一年的报告，再采用其中的数据。",
                               field="report")
    if fact.copy_of_id:
        raise ApplicationError(f"“{fact.text}”是重复内容中的同一数据，请在原处（第 {fact.copy_of.start} 字起）审核。",
                               field="fact")


def _reviewable(actor, fact: ExtractedFact) -> Scope:
    scope = _require_office(actor, fact.document.region)
    if fact.status == FactStatus.ACCEPTED:
        raise ApplicationError(f"“{fact.text}”已被采用，无需重复操作。", field="fact")
    return scope


def _year(period) -> Period:
    """Old reports are annual: the reviewer names the year the figure belongs to."""
    if isinstance(period, Period):
        return period
    raw = str(period or "").strip()
    if not re.fullmatch(r"\d{4}", raw) or not 1949 <= int(raw) <= 2100:
        raise ApplicationError(f"报告期“{raw or '空'}”无效，请填写四位年份，如 2023。", field="period")
    return Period.parse(raw)


def accepted_value(fact: ExtractedFact, indicator) -> Decimal:
    """The fact's value in the indicator's unit; refused when the units do not fit or the fact is a range."""
    from .engine.mapping import convert_value, unit_compatibility

    if fact.value_high is not None:
        raise ApplicationError(f"“{fact.text}”是一个范围（{fact.value.normalize():f}—{fact.value_high.normalize():f}），"
                               f"不能直接采用，请在填报页面手工填写。", field="fact")
    if unit_compatibility(fact.unit, indicator.unit, money_like=True) == 0:
        raise ApplicationError(f"“{fact.text}”的单位“{fact.unit or '无'}”与指标“{indicator.name}”的计量单位"
                               f"“{indicator.unit}”不符，不能采用。", field="indicator")
    if indicator.pk == fact.indicator_id and fact.mapped_value is not None:
        return fact.mapped_value
    return Decimal(repr(convert_value(float(fact.value), fact.unit, indicator.unit))).quantize(Decimal("0.000001"))


def fact_accept(*, actor, fact: ExtractedFact, region, period, unit=None, indicator=None, amend_reason: str = "",
                ) -> ExtractedFact:
    """采用: write the fact's value for (indicator, region, unit, period) through the figure service.

    The year decides the path (``collection.write_mode``): a year kesu never collected is loaded as approved
    history with the document and span as its source; a year whose return is approved is a proposed correction the
    office confirms by giving ``amend_reason`` (refused with ``needs_amend`` until then); otherwise the ordinary
    checks of the return apply.
    """
    scope = _reviewable(actor, fact)
    _require_confirmed(fact)
    if not scope.manages_region(region):
        raise PermissionDenied("无权为该区域填报数据")
    indicator = indicator or fact.indicator
    if indicator is None:
        raise ApplicationError(f"“{fact.text}”尚未对应指标，请先选择指标。", field="indicator")
    if unit is not None and unit.region_id != region.pk:
        raise ApplicationError(f"{unit.name}不属于{region.name}。", field="unit")
    period = _year(period)
    value = accepted_value(fact, indicator)
    reason = f"采用历史报告“{fact.document.original_name}”中的“{fact.text}”"
    with transaction.atomic():
        result = outside_figures_accept(actor=actor, door="extraction", reason=reason, amend_reason=amend_reason,
                                        figures=[Figure(indicator=indicator, region=region, unit=unit, period=period,
                                                        value=value, source=fact.source_label)])
        if result.errors and result.errors[0].extra.get("needs_amend"):
            raise ApplicationError(amend_proposal(fact, indicator, region, unit, period, value), field="amend",
                                   extra={"needs_amend": True})
        _raise_first(result)
        _mark_accepted(actor, fact, indicator, result.stored[1], region)
    return fact


def amend_proposal(fact, indicator, region, unit, period, value) -> str:
    """What confirming the correction would change, in the office's words."""
    current = approved_value(indicator, region, unit, period)
    now = "空" if current is None else f"{current.normalize():f}"
    who = (unit or region).name
    return (f"{who}{period.label}的数据已审核锁定。采用“{fact.text}”将更正已审核的“{indicator.name}”"
            f"（现为 {now}，改为 {value.normalize():f} {indicator.unit}），更正会记入审计并重算汇总。请填写更正原因后确认。")


def approved_value(indicator, region, unit, period) -> Decimal | None:
    """The stored figure a correction would replace (None when there is none)."""
    row = IndicatorValue.objects.filter(indicator=indicator, region=region, unit=unit, period_id=period.id).first()
    return None if row is None else row.value


def _raise_first(result) -> None:
    if result.errors:
        first = result.errors[0]
        if first.extra.get("forbidden"):
            raise PermissionDenied(first.message)
        raise ApplicationError(first.message, field=first.field, extra=first.extra)


def _mark_accepted(actor, fact, indicator, row, region) -> None:
    """The fact links to the figure it became (and the figure's source names the fact's document and span)."""
    old = {"status": fact.status, "indicator": fact.indicator_id}
    fact.status, fact.indicator, fact.accepted_value = FactStatus.ACCEPTED, indicator, row
    fact.reviewed_by, fact.reviewed_at, fact.ignore_reason = actor, timezone.now(), ""
    fact.save()
    audit.record(actor=actor, action="accept", instance=fact, object_repr=f"提取数据“{fact.text}”",
                 changes={"status": [old["status"], fact.status], "indicator": [old["indicator"], indicator.pk],
                          "value": [None, str(row.value)]},
                 source=fact.source_label, region_path=region.path)


def fact_ignore(*, actor, fact: ExtractedFact, reason: str = "") -> ExtractedFact:
    _reviewable(actor, fact)
    with transaction.atomic():
        old = fact.status
        fact.status, fact.ignore_reason = FactStatus.IGNORED, reason.strip()[:300]
        fact.reviewed_by, fact.reviewed_at = actor, timezone.now()
        fact.save()
        audit.record(actor=actor, action="ignore", instance=fact, object_repr=f"提取数据“{fact.text}”",
                     changes={"status": [old, fact.status]}, reason=fact.ignore_reason, source=fact.source_label,
                     region_path=fact.document.region.path)
    return fact


@dataclass
class BulkOutcome:
    accepted: list = field(default_factory=list)
    left: list = field(default_factory=list)  # (fact, why it was left for one-by-one review)
    # Facts of an approved year, left unwritten until the office confirms them: (fact, value now, value proposed)
    amend: list = field(default_factory=list)


def headline_key(fact: ExtractedFact) -> tuple:
    """Order of preference among facts competing for one indicator: the report's headline total first.

    A component (其中…) or a figure without a total marker loses to one stated for the whole region (全县/共/合计);
    then the more confident mapping; then the larger value (a total is never smaller than its parts); then the first.
    """
    features = fact.features or {}
    return (bool(features.get("component")), not features.get("total_marker"), -round(fact.confidence, 2),
            -(fact.mapped_value if fact.mapped_value is not None else fact.value), fact.start)


def headline_reason(fact: ExtractedFact, others: list[ExtractedFact]) -> str:
    features = fact.features or {}
    if not others:
        return "本篇中该指标只有这一个数"
    if any((o.features or {}).get("component") for o in others) and not features.get("component"):
        return "全篇总数，其余是其中的分项"
    if features.get("total_marker") and not all((o.features or {}).get("total_marker") for o in others):
        return "明确说的是全区域的总数"
    if any(round(o.confidence, 2) < round(fact.confidence, 2) for o in others):
        return "与指标名称最吻合"
    return "数值最大（总数不小于分项）"


def not_bulk_reason(fact: ExtractedFact) -> str | None:
    """Why a mapped, pending fact is left for one-by-one review, or None when bulk accept may take it."""
    features = fact.features or {}
    if fact.copy_of_id:
        return "重复内容"
    if fact.place:
        return f"说的是{fact.place}"
    if fact.suspicious:
        return "可疑"
    if fact.value_high is not None:
        return "是一个范围"
    if fact.confidence < HIGH_CONFIDENCE:
        return "置信度不足"
    for key, value, why in (("kind", "target", "是目标或计划"), ("span", "cumulative", "是多年累计"),
                            ("measure", "per_capita", "是人均数"), ("measure", "growth", "是增幅"),
                            ("threshold", True, "是“突破、超过”之类的约数"), ("heading", True, "在标题中，以正文为准")):
        if features.get(key) == value:
            return why
    return None


def bulk_candidates(document: SourceDocument, min_confidence: float = HIGH_CONFIDENCE,
                    report: SourceReport | None = None) -> BulkOutcome:
    """Per indicator, the headline fact bulk accept would take (with why), and the others left for one-by-one review.

    Only pending, mapped facts of a report (or the whole document) count; copies, facts about another place, targets,
    multi-year totals, per-capita figures, growth rates, ranges, suspicious and low-confidence facts are left.
    """
    facts = document.facts.filter(status=FactStatus.PENDING, indicator__isnull=False).select_related("indicator")
    if report is not None:
        facts = facts.filter(report=report)
    facts = list(facts.order_by("start"))
    return plan_bulk(facts, min_confidence, activity_fed_refused_for(report, facts))


def activity_fed_refused_for(report: SourceReport | None, facts, fed: set[int] | None = None) -> set[int]:
    """Of the indicators of ``facts`` summed from activities, those that cannot take this report's figures: all of
    them, unless the report is confirmed as one year kesu never collected for its region (then they are history).
    ``fed``, the ids of every indicator summed from activities, saves a query when given."""
    from kesu.collection.computed import activity_fed_ids
    from kesu.collection.services import activity_fed_refused

    fed = activity_fed_ids() if fed is None else fed
    present = {f.indicator_id: f.indicator for f in facts if f.indicator_id in fed}
    if not present or report is None or not report.confirmed or report.single_year is None \
            or report.region_id is None:
        return set(present)
    return activity_fed_refused(report.region, str(report.single_year), present.values())


def plan_bulk(facts: list[ExtractedFact], min_confidence: float = HIGH_CONFIDENCE,
              activity_fed: set[int] | None = None) -> BulkOutcome:
    """``bulk_candidates`` over facts already loaded (the review page has them): pending, mapped ones count.

    An indicator summed from activities takes a figure only as history of a year before the system (the figure
    service refuses it otherwise), so its facts are left with that reason instead of failing the whole batch;
    ``activity_fed`` (``activity_fed_refused_for``) saves the queries when given.
    """
    from kesu.collection.computed import activity_fed_ids

    fed = activity_fed_ids() if activity_fed is None else activity_fed
    outcome = BulkOutcome()
    groups: dict[int, list[ExtractedFact]] = {}
    for fact in facts:
        if fact.status != FactStatus.PENDING or fact.indicator_id is None:
            continue
        why = not_bulk_reason(fact) if fact.confidence >= min_confidence or fact.copy_of_id else "置信度不足"
        why = why or ("由科普活动自动汇总，本年度不能直接采用" if fact.indicator_id in fed else None)
        if why:
            outcome.left.append((fact, why))
        else:
            groups.setdefault(fact.indicator_id, []).append(fact)
    for group in groups.values():
        group.sort(key=headline_key)
        chosen, others = group[0], group[1:]
        chosen.headline_reason = headline_reason(chosen, others)
        outcome.accepted.append(chosen)
        outcome.left.extend((o, f"同一指标批量采用取“{chosen.text}”") for o in others)
    outcome.accepted.sort(key=lambda f: f.start)
    return outcome


def facts_accept_bulk(*, actor, document: SourceDocument, region=None, period=None, unit=None,
                      min_confidence: float = HIGH_CONFIDENCE, report: SourceReport | None = None,
                      amend_reason: str = "") -> BulkOutcome:
    """Accept the headline fact of each indicator of a report (its confirmed region and year) in one pass: all of
    them or none.

    The figures go to the figure service as one batch per path (history, or the ordinary return). A fact for an
    approved year is a proposed correction: without ``amend_reason`` it is left unwritten and listed in
    ``outcome.amend`` with what it would change, so the office can confirm them all with one reason; with it the
    corrections are written in the same transaction as the rest.
    """
    _require_office(actor, document.region)
    if document.status != DocumentStatus.DONE:
        raise ApplicationError(f"“{document.original_name}”尚未提取完成。", field="document")
    if report is not None:
        if not report.confirmed:
            raise ApplicationError(f"请先确认篇{report.index}是哪个区域、哪一年的报告。", field="report")
        if report.duplicate_of_id:
            raise ApplicationError(f"篇{report.index}与篇{report.duplicate_of.index}重复，请在篇{report.duplicate_of.index}中采用。",
                                   field="report")
        if report.single_year is None:
            raise ApplicationError(f"篇{report.index}跨多年（{report.year_first}—{report.year_last}），其中的数不能按一年批量采用，"
                                   f"请逐条审核。", field="report")
        region, period = report.region, str(report.single_year)
    outcome = bulk_candidates(document, min_confidence, report=report)
    if not outcome.accepted:
        raise ApplicationError("没有可批量采用的高置信度数据（需已对应指标、不可疑、置信度不低于 "
                               f"{min_confidence:.0%}，且不是重复内容、其他地区、目标、累计、人均或增幅）。", field="document")
    if not Scope.for_user(actor).manages_region(region):
        raise PermissionDenied("无权为该区域填报数据")
    period = _year(period)
    # The path of each figure decides: an approved year is left for one-by-one confirmation of the correction.
    candidates = outcome.accepted
    paths = outside_paths([Figure(indicator=f.indicator, region=region, unit=unit, period=period, row=n)
                           for n, f in enumerate(candidates)])
    amend = [candidates[f.row] for f in paths.pop(AMEND, [])] if not amend_reason.strip() else []
    outcome.accepted = [candidates[f.row] for batch in paths.values() for f in batch]
    values = {}
    for fact in outcome.accepted + amend:
        try:
            values[fact.pk] = accepted_value(fact, fact.indicator)
        except ApplicationError as exc:
            raise ApplicationError(f"“{fact.text}”（第 {fact.start} 字起）：{exc.message}；本次批量采用未保存任何数据。",
                                   field=exc.field) from None
    outcome.amend = [(f, approved_value(f.indicator, region, unit, period), values[f.pk]) for f in amend]
    if not outcome.accepted:
        return outcome
    facts = outcome.accepted
    with transaction.atomic():
        result = outside_figures_accept(
            actor=actor, door="extraction", reason=f"批量采用历史报告“{document.original_name}”",
            amend_reason=amend_reason,
            figures=[Figure(indicator=f.indicator, region=region, unit=unit, period=period, value=values[f.pk],
                            source=f.source_label, row=n)
                     for n, f in enumerate(facts, start=1)])
        if result.errors:
            first = result.errors[0]
            fact = facts[first.row - 1]
            raise ApplicationError(f"“{fact.text}”（第 {fact.start} 字起）：{first.message}；本次批量采用未保存任何数据。",
                                   field=first.field)
        for n, fact in enumerate(facts, start=1):
            _mark_accepted(actor, fact, fact.indicator, result.stored[n], region)
    return outcome
