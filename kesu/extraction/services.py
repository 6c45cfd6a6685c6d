"""Every write of the extraction app: storing uploads, and accepting or ignoring extracted facts.

Accepted facts become figures only through ``kesu.collection.services.figures_write``, so the same scope, lock,
validation and audit rules apply as for a form or an Excel row; the value's source names the document and span.
"""

import hashlib
import logging
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
from kesu.collection.services import AMEND, Figure, figures_write, write_mode
from kesu.core import audit
from kesu.core.exceptions import ApplicationError
from kesu.core.periods import Period

from . import intake, processing
from .models import DocumentStatus, ExtractedFact, FactStatus, SourceDocument

log = logging.getLogger(__name__)
HIGH_CONFIDENCE = 0.7


def sync_limit_bytes() -> int:
    """Documents up to this size are extracted within the request; larger ones by the background worker."""
    return getattr(settings, "KESU_EXTRACTION_SYNC_BYTES", 512 * 1024)


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
    background = len(data) > sync_limit_bytes()
    with transaction.atomic():
        document = SourceDocument(region=region, uploaded_by=actor, original_name=name, batch=batch[:255], kind=kind,
                                  size=len(data), sha256=digest)
        document.file.save(f"{digest[:16]}.{kind}", ContentFile(data), save=False)
        document.save()
        audit.record(actor=actor, action="upload", instance=document, object_repr=f"历史报告“{name}”",
                     changes={"sha256": [None, digest], "size": [None, len(data)]}, source=batch or "上传",
                     region_path=region.path)
        if background:
            transaction.on_commit(lambda: _enqueue(document.pk))
    if not background:
        processing.process(document.pk)
        document.refresh_from_db()
    outcome.created.append(document)


def _enqueue(document_id: int) -> None:
    from .tasks import extract_document

    result = extract_document.enqueue(document_id)
    for error in getattr(result, "errors", []):  # an immediate backend reports a crash here instead of raising it
        log.error("extraction task for document %s failed: %s", document_id, error.traceback)


# -- review ----------------------------------------------------------------------------------------------------------


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
    if not scope.manages_region(region):
        raise PermissionDenied("无权为该区域填报数据")
    indicator = indicator or fact.indicator
    if indicator is None:
        raise ApplicationError(f"“{fact.text}”尚未对应指标，请先选择指标。", field="indicator")
    if unit is not None and unit.region_id != region.pk:
        raise ApplicationError(f"{unit.name}不属于{region.name}。", field="unit")
    period = _year(period)
    value = accepted_value(fact, indicator)
    mode = write_mode(region=region, unit=unit, indicator=indicator, period=period)
    reason = f"采用历史报告“{fact.document.original_name}”中的“{fact.text}”"
    if mode == AMEND:
        if not amend_reason.strip():
            raise ApplicationError(amend_proposal(fact, indicator, region, unit, period, value), field="amend",
                                   extra={"needs_amend": True})
        reason = f"{reason}；更正原因：{amend_reason.strip()}"
    with transaction.atomic():
        result = figures_write(actor=actor, door="extraction", mode=mode, reason=reason, figures=[Figure(
            indicator=indicator, region=region, unit=unit, period=period, value=value, source=fact.source_label)])
        _raise_first(result)
        _mark_accepted(actor, fact, indicator, result.stored[1], region)
    return fact


def amend_proposal(fact, indicator, region, unit, period, value) -> str:
    """What confirming the correction would change, in the office's words."""
    row = IndicatorValue.objects.filter(indicator=indicator, region=region, unit=unit, period_id=period.id).first()
    now = "空" if row is None or row.value is None else f"{row.value.normalize():f}"
    who = (unit or region).name
    return (f"{who}{period.label}的数据已审核锁定。采用“{fact.text}”将更正已审核的“{indicator.name}”"
            f"（现为 {now}，改为 {value.normalize():f} {indicator.unit}），更正会记入审计并重算汇总。请填写更正原因后确认。")


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


def bulk_candidates(document: SourceDocument, min_confidence: float = HIGH_CONFIDENCE) -> BulkOutcome:
    """High-confidence, unsuspicious, mapped, pending facts; one per indicator (the most confident), others left."""
    outcome = BulkOutcome()
    chosen = {}
    facts = (document.facts.filter(status=FactStatus.PENDING, indicator__isnull=False, suspicious=False,
                                   value_high__isnull=True, confidence__gte=min_confidence)
             .select_related("indicator").order_by("-confidence", "start"))
    for fact in facts:
        if fact.indicator_id in chosen:
            outcome.left.append((fact, f"与“{chosen[fact.indicator_id].text}”对应同一指标"))
        else:
            chosen[fact.indicator_id] = fact
            outcome.accepted.append(fact)
    return outcome


def facts_accept_bulk(*, actor, document: SourceDocument, region, period, unit=None,
                      min_confidence: float = HIGH_CONFIDENCE) -> BulkOutcome:
    """Accept every high-confidence mapped fact of a document for one region/period in one pass: all or none.

    The figures go to the figure service as one batch per path (history, or the ordinary return); facts for an
    approved year are left for one-by-one confirmation of the correction.
    """
    _require_office(actor, document.region)
    if document.status != DocumentStatus.DONE:
        raise ApplicationError(f"“{document.original_name}”尚未提取完成。", field="document")
    outcome = bulk_candidates(document, min_confidence)
    if not outcome.accepted:
        raise ApplicationError("没有可批量采用的高置信度数据（需已对应指标、不可疑、置信度不低于 "
                               f"{min_confidence:.0%}）。", field="document")
    if not Scope.for_user(actor).manages_region(region):
        raise PermissionDenied("无权为该区域填报数据")
    period = _year(period)
    by_mode: dict = {}
    for fact in outcome.accepted:
        mode = write_mode(region=region, unit=unit, indicator=fact.indicator, period=period)
        if mode == AMEND:
            outcome.left.append((fact, "该年度已审核锁定，更正须逐条确认"))
        else:
            by_mode.setdefault(mode, []).append(fact)
    outcome.accepted = [f for facts in by_mode.values() for f in facts]
    with transaction.atomic():
        for mode, facts in by_mode.items():
            values = []
            for fact in facts:
                try:
                    values.append(accepted_value(fact, fact.indicator))
                except ApplicationError as exc:
                    raise ApplicationError(f"“{fact.text}”（第 {fact.start} 字起）：{exc.message}；本次批量采用未保存任何数据。",
                                           field=exc.field) from None
            result = figures_write(
                actor=actor, door="extraction", mode=mode, reason=f"批量采用历史报告“{document.original_name}”",
                figures=[Figure(indicator=f.indicator, region=region, unit=unit, period=period, value=v,
                                source=f.source_label, row=n) for n, (f, v) in enumerate(zip(facts, values), start=1)])
            if result.errors:
                first = result.errors[0]
                fact = facts[first.row - 1]
                raise ApplicationError(f"“{fact.text}”（第 {fact.start} 字起）：{first.message}；本次批量采用未保存任何数据。",
                                       field=first.field)
            for n, fact in enumerate(facts, start=1):
                _mark_accepted(actor, fact, fact.indicator, result.stored[n], region)
    return outcome
