"""Run the engine over a stored document: read → clean → split → compare with earlier documents → extract → map.

Called inline for small files and by the background task for large ones. Everything the engine returns is stored
in one transaction, so a document is either fully extracted or marked 提取失败 with the reason.
"""

import logging
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.db import transaction
from django.db.models import Q

from kesu.accounts.scope import Scope
from kesu.plans.models import Indicator

from . import intake
from .models import DocumentStatus, ExtractedFact, SourceDocument

log = logging.getLogger(__name__)
NEAR_DUPLICATE_THRESHOLD = 0.8
MAX_COMPARED = 2000  # the most recent documents in scope that a new one is compared with
_SIX = Decimal("0.000001")
_LIMIT = Decimal(10) ** 17


def catalogue_for(region) -> list[dict]:
    """The indicators a region may report (built-in ones and those of the region and its ancestors), as plain data."""
    codes = [c for c in region.path.split("/") if c]
    rows = Indicator.objects.filter(Q(region__isnull=True) | Q(region__code__in=codes)).exclude(unit="")
    out = []
    for ind in rows:
        population = [p for p in re.split(r"[,，、;；\s]+", ind.population or "") if p]
        out.append({"code": ind.code, "name": ind.name, "unit": ind.unit, "aliases": list(ind.aliases or []),
                    "population": population, "pk": ind.pk})
    return out


def _decimal(value) -> Decimal | None:
    if value is None:
        return None
    try:
        number = Decimal(repr(value)).quantize(_SIX)
    except (InvalidOperation, ValueError):
        return None
    return number if abs(number) < _LIMIT else None


def kept_ranges(tm) -> list[list[int]]:
    """Ranges of the original text that the cleaned text keeps (one per TextMap segment)."""
    out = []
    bounds = list(tm.seg_norm[1:]) + [len(tm.text)]
    for norm_start, orig_start, norm_end in zip(tm.seg_norm, tm.seg_orig, bounds):
        if norm_end > norm_start:
            out.append([orig_start, orig_start + norm_end - norm_start])
    return out


def _near_duplicate(document: SourceDocument) -> tuple[SourceDocument | None, float | None, list]:
    from .engine import find_near_duplicates

    scope = Scope.for_user(document.uploaded_by) if document.uploaded_by else None
    earlier = SourceDocument.objects.filter(status=DocumentStatus.DONE).exclude(pk=document.pk)
    if scope is not None:
        earlier = earlier.filter(scope.region_q("region__"))
    texts = dict(earlier.order_by("-created_at").values_list("pk", "cleaned_text")[:MAX_COMPARED])
    if not texts:
        return None, None, []
    docs = {"new": document.cleaned_text, **{str(pk): text for pk, text in texts.items()}}
    best = None
    for pair in find_near_duplicates(docs, threshold=NEAR_DUPLICATE_THRESHOLD, with_differences=False):
        if "new" in (pair.a, pair.b) and (best is None or pair.score > best.score):
            best = pair
    if best is None:
        return None, None, []
    other = SourceDocument.objects.get(pk=int(best.b if best.a == "new" else best.a))
    from .engine.dedup import differing_passages

    # "this" is always the new document, "earlier" the stored one, whatever order the engine listed them in.
    diffs = [{"kind": d["kind"], "this": d["a_text"], "earlier": d["b_text"]}
             for d in differing_passages(document.cleaned_text, other.cleaned_text)]
    return other, round(best.score, 3), diffs


def process(document_id: int) -> None:
    document = SourceDocument.objects.select_related("region", "uploaded_by").get(pk=document_id)
    SourceDocument.objects.filter(pk=document_id).update(status=DocumentStatus.PROCESSING)
    try:
        _process(document)
    except Exception as exc:  # the page shows why; the worker log keeps the traceback
        log.exception("extraction of document %s failed", document_id)
        message = getattr(exc, "message", None) or "读取或提取时出错，请检查文件是否完整、能否正常打开。"
        SourceDocument.objects.filter(pk=document_id).update(status=DocumentStatus.FAILED, error=message)


def _process(document: SourceDocument) -> None:
    from kesu.core.exceptions import ApplicationError

    from .engine import clean_text, extract, map_facts, split_documents, split_sections

    text = intake.read_text(document.kind, Path(document.file.path))
    if not text.strip():
        raise ApplicationError(f"未能从“{document.original_name}”读出文字（可能是扫描件，没有文字层）。")
    tm = clean_text(text)
    document.text, document.cleaned_text, document.kept_ranges = text, tm.text, kept_ranges(tm)
    document.parts = [{"start": d.start, "end": d.end, "title": d.title} for d in split_documents(text)]
    document.sections = [{"start": s.start, "end": s.end, "level": s.level, "heading": s.heading, "path": s.path}
                         for s in split_sections(text)]
    document.duplicate_of, document.duplicate_score, document.differences = _near_duplicate(document)
    catalogue = catalogue_for(document.region)
    by_code = {c["code"]: c["pk"] for c in catalogue}
    facts = []
    for mapped in map_facts(extract(text), catalogue, text):
        f = mapped["fact"]
        value = _decimal(f["value"])
        if value is None:
            continue
        facts.append(ExtractedFact(
            document=document, start=f["start"], end=f["end"], text=f["text"][:200], value=value,
            value_high=_decimal(f["value_high"]), unit=(f["unit"] or "")[:20], approx=bool(f["approx"]),
            subject=(f["subject"] or "")[:200], suspicious=bool(f["suspicious"]), section=(mapped["section"] or "")[:300],
            indicator_id=by_code.get(mapped["code"]), confidence=mapped["confidence"] or 0,
            mapped_value=_decimal(mapped["value"]) if mapped["code"] else None))
    with transaction.atomic():
        document.facts.all().delete()
        ExtractedFact.objects.bulk_create(facts, batch_size=500)
        document.status, document.error = DocumentStatus.DONE, ""
        document.save()
