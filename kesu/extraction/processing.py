"""Run the engine over a stored document: read → clean → split into reports → extract → map (in a child process
under CPU and memory limits, ``sandbox``), then compare with earlier documents and store.

Called by the background task only, never within a request. Everything the engine returns is stored in one
transaction, so a document is either fully extracted or marked 提取失败 with the reason, and can be retried.
"""

import logging
import re
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from kesu.accounts.scope import Scope
from kesu.core.exceptions import ApplicationError
from kesu.plans.models import Indicator
from kesu.regions.models import Level, Region

from .models import DocumentStatus, ExtractedFact, SourceDocument, SourceReport

log = logging.getLogger(__name__)
NEAR_DUPLICATE_THRESHOLD = 0.8
MAX_COMPARED = 2000  # the most recent documents in scope that a new one is compared with
MAX_PLACES = 5000  # region names given to the engine to recognise places (a province's counties and towns fit)
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


def _places(region) -> dict[str, Region]:
    """Names a report of ``region`` may speak of: the region, those above it, its neighbours and those below it."""
    codes = [c for c in region.path.split("/") if c]
    parent_path = region.path[: -len(region.code) - 1]
    rows = (Region.objects.filter(Q(code__in=codes) | Q(path__startswith=region.path, depth__lte=region.depth + 2)
                                  | (Q(path__startswith=parent_path, depth=region.depth) if parent_path else Q(pk=None)))
            .order_by("-depth")[:MAX_PLACES])
    names: dict[str, Region] = {}
    for row in rows:  # deepest first, so an ancestor's name wins over a same-named village below
        names[row.name] = row
    return names


_LEVELS = {"province": Level.PROVINCE, "city": Level.PREFECTURE, "county": Level.COUNTY, "town": Level.TOWNSHIP}


def suggested_region(detected: dict, document_region, places: dict):
    """The region a report's detected name or level points to, or None when it points nowhere known."""
    name = detected.get("name")
    if name and name in places:
        return places[name]
    level = _LEVELS.get(detected.get("level") or "")
    if level is None:
        return None
    if document_region.level == level:
        return document_region
    codes = [c for c in document_region.path.split("/") if c]
    return Region.objects.filter(code__in=codes, level=level).first()


def process(document_id: int) -> None:
    document = SourceDocument.objects.select_related("region", "uploaded_by").get(pk=document_id)
    SourceDocument.objects.filter(pk=document_id).update(status=DocumentStatus.PROCESSING, error="",
                                                         updated_at=timezone.now())
    try:
        _process(document)
    except ApplicationError as exc:  # a limit or a refusal: the page says which
        log.warning("extraction of document %s refused: %s", document_id, exc.message)
        _fail(document_id, exc.message)
    except Exception:  # the page shows a plain reason; the worker log keeps the traceback
        log.exception("extraction of document %s failed", document_id)
        _fail(document_id, "读取或提取时出错，请检查文件是否完整、能否正常打开。")


def _fail(document_id: int, message: str) -> None:
    SourceDocument.objects.filter(pk=document_id).update(status=DocumentStatus.FAILED, error=message,
                                                         updated_at=timezone.now())


def _process(document: SourceDocument) -> None:
    from .sandbox import run_engine

    catalogue = catalogue_for(document.region)
    places = _places(document.region)
    answer = run_engine({"path": document.file.path, "kind": document.kind, "places": list(places),
                         "catalogue": [{k: v for k, v in c.items() if k != "pk"} for c in catalogue]})
    document.text, document.cleaned_text = answer["text"], answer["cleaned_text"]
    document.kept_ranges = answer["kept_ranges"]
    document.parts = [{"start": r["start"], "end": r["end"], "title": r["title"]} for r in answer["reports"]]
    document.sections = answer["sections"]
    document.duplicate_of, document.duplicate_score, document.differences = _near_duplicate(document)
    by_code = {c["code"]: c["pk"] for c in catalogue}
    with transaction.atomic():
        document.facts.all().delete()
        document.reports.all().delete()
        reports = _store_reports(document, answer["reports"], places)
        _store_facts(document, answer["facts"], reports, by_code)
        document.status, document.error = DocumentStatus.DONE, ""
        document.save()


def _store_reports(document, found: list[dict], places: dict) -> list[SourceReport]:
    reports = []
    for k, r in enumerate(found, start=1):
        years = r["period"].get("years") or [None, None]
        reports.append(SourceReport.objects.create(
            document=document, index=k, start=r["start"], end=r["end"], title=r["title"][:200],
            detected={"region": r["region"], "period": r["period"]},
            suggested_region=suggested_region(r["region"], document.region, places),
            year_first=years[0], year_last=years[1],
            duplicate_of=reports[r["duplicate_of"]] if r["duplicate_of"] is not None else None,
            duplicate_score=r["duplicate_score"]))
    return reports


def _store_facts(document, found: list[dict], reports: list[SourceReport], by_code: dict) -> None:
    rows, kept = [], []  # kept[i] = the row built for found[i], or None when its value is unusable
    for mapped in found:
        f = mapped["fact"]
        value = _decimal(f["value"])
        if value is None:
            kept.append(None)
            continue
        place = mapped.get("place") or {}
        row = ExtractedFact(
            document=document, report=reports[mapped.get("report") or 0] if reports else None,
            start=f["start"], end=f["end"], text=f["text"][:200], value=value,
            value_high=_decimal(f["value_high"]), unit=(f["unit"] or "")[:20], approx=bool(f["approx"]),
            subject=(f["subject"] or "")[:200], suspicious=bool(f["suspicious"]),
            section=(mapped["section"] or "")[:300], indicator_id=by_code.get(mapped["code"]),
            confidence=mapped["confidence"] or 0, mapped_value=_decimal(mapped["value"]) if mapped["code"] else None,
            place=(place.get("name") or "")[:60], features=mapped.get("features") or {})
        rows.append(row)
        kept.append(row)
    ExtractedFact.objects.bulk_create(rows, batch_size=500)
    copies = []
    for mapped, row in zip(found, kept, strict=True):
        original = kept[mapped["copy_of"]] if mapped.get("copy_of") is not None else None
        if row is not None and original is not None:
            row.copy_of = original
            copies.append(row)
    ExtractedFact.objects.bulk_update(copies, ["copy_of"], batch_size=500)
