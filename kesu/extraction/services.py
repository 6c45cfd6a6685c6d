"""Every write of the extraction app: storing uploads, and accepting or ignoring extracted facts.

Accepted facts become figures only through ``kesu.collection.services.value_upsert``, so the same scope, lock,
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
from kesu.collection.services import value_upsert
from kesu.core import audit
from kesu.core.exceptions import ApplicationError
from kesu.core.periods import Period

from . import intake
from .models import DocumentStatus, ExtractedFact, FactStatus, SourceDocument

log = logging.getLogger(__name__)
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

    result = extract_document.enqueue(document_id)
    for error in getattr(result, "errors", []):  # an immediate backend reports a crash here instead of raising it
        log.error("extraction task for document %s failed: %s", document_id, error.traceback)


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


def fact_accept(*, actor, fact: ExtractedFact, region, period, unit=None, indicator=None) -> ExtractedFact:
    """采用: write the fact's value for (indicator, region, unit, period) through the collection services."""
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
    document = fact.document
    with transaction.atomic():
        result = value_upsert(actor=actor, indicator=indicator, region=region, unit=unit, period=period, value=value,
                              reason=f"采用历史报告“{document.original_name}”中的“{fact.text}”",
                              source=fact.source_label)
        old = {"status": fact.status, "indicator": fact.indicator_id}
        fact.status, fact.indicator, fact.accepted_value = FactStatus.ACCEPTED, indicator, result.row
        fact.reviewed_by, fact.reviewed_at, fact.ignore_reason = actor, timezone.now(), ""
        fact.save()
        audit.record(actor=actor, action="accept", instance=fact, object_repr=f"提取数据“{fact.text}”",
                     changes={"status": [old["status"], fact.status], "indicator": [old["indicator"], indicator.pk],
                              "value": [None, str(result.row.value)]},
                     source=fact.source_label, region_path=region.path)
    return fact


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
    """Accept every high-confidence mapped fact of a document for one region/period: all of them or none."""
    _require_office(actor, document.region)
    if document.status != DocumentStatus.DONE:
        raise ApplicationError(f"“{document.original_name}”尚未提取完成。", field="document")
    outcome = bulk_candidates(document, min_confidence)
    if not outcome.accepted:
        raise ApplicationError("没有可批量采用的高置信度数据（需已对应指标、不可疑、置信度不低于 "
                               f"{min_confidence:.0%}）。", field="document")
    with transaction.atomic():
        for fact in outcome.accepted:
            try:
                fact_accept(actor=actor, fact=fact, region=region, period=period, unit=unit)
            except ApplicationError as exc:
                raise ApplicationError(f"“{fact.text}”（第 {fact.start} 字起）：{exc.message}；本次批量采用未保存任何数据。",
                                       field=exc.field) from None
    return outcome
