"""Reads of the extraction app; each takes the user's Scope."""

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from kesu.accounts.scope import Scope
from kesu.orgs.models import Unit
from kesu.plans.models import Indicator
from kesu.regions.models import Region

from .models import ExtractedFact, FactStatus, SourceDocument, SourceReport

FACT_FILTERS = {
    "mapped": ("已对应指标", Q(indicator__isnull=False)),
    "unmapped": ("未对应指标", Q(indicator__isnull=True)),
    "suspicious": ("可疑", Q(suspicious=True)),
    FactStatus.PENDING.value: ("待审核", Q(status=FactStatus.PENDING)),
    FactStatus.ACCEPTED.value: ("已接受", Q(status=FactStatus.ACCEPTED)),
    FactStatus.IGNORED.value: ("已忽略", Q(status=FactStatus.IGNORED)),
}


def _require_reader(scope: Scope) -> None:
    # Old reports are the offices' working material: fillers and viewers do not review them.
    scope.require(scope.can_manage)


def documents_for(scope: Scope, *, search: str = "") -> QuerySet:
    _require_reader(scope)
    qs = (SourceDocument.objects.filter(scope.region_q("region__")).select_related("region", "uploaded_by",
                                                                                    "duplicate_of")
          .annotate(fact_total=Count("facts"),
                    fact_pending=Count("facts", filter=Q(facts__status=FactStatus.PENDING)),
                    fact_accepted=Count("facts", filter=Q(facts__status=FactStatus.ACCEPTED)))
          .defer("text", "cleaned_text", "kept_ranges", "sections", "differences"))
    if search:
        qs = qs.filter(Q(original_name__icontains=search) | Q(batch__icontains=search))
    return qs


def document_get(scope: Scope, pk: int) -> SourceDocument:
    _require_reader(scope)
    document = (SourceDocument.objects.filter(scope.region_q("region__"), pk=pk)
                .select_related("region", "uploaded_by", "duplicate_of").first())
    if document is None:
        raise Http404("没有该文档，或无权查看")
    return document


def facts_of(document: SourceDocument, *, filters: list[str] | None = None) -> QuerySet:
    qs = document.facts.select_related("indicator", "accepted_value", "reviewed_by", "copy_of", "report")
    for name in filters or []:
        if name in FACT_FILTERS:
            qs = qs.filter(FACT_FILTERS[name][1])
    return qs.order_by("start")


def fact_counts(document: SourceDocument) -> dict:
    facts = document.facts.all()
    return {name: facts.filter(q).count() for name, (_, q) in FACT_FILTERS.items()} | {"all": facts.count()}


def fact_get(scope: Scope, pk: int) -> ExtractedFact:
    _require_reader(scope)
    fact = (ExtractedFact.objects.filter(scope.region_q("document__region__"), pk=pk)
            .select_related("document__region", "indicator", "accepted_value__indicator", "reviewed_by", "report__region",
                            "copy_of").first())
    if fact is None:
        raise Http404("没有该数据，或无权查看")
    return fact


def _accept_roots_q(document: SourceDocument) -> Q:
    """The document's region, and the regions its reports were confirmed as: a city office that uploaded under a
    county and confirmed a report as the city's accepts into the city."""
    confirmed = document.reports.filter(confirmed_at__isnull=False, region__isnull=False)
    paths = {document.region.path} | set(confirmed.values_list("region__path", flat=True))
    q = Q()
    for path in paths:
        q |= Q(path__startswith=path)
    return q


def regions_for_accept(scope: Scope, document: SourceDocument) -> QuerySet:
    """The regions the reviewer manages under the document's region or a confirmed report's region."""
    return Region.objects.filter(scope.region_q()).filter(_accept_roots_q(document)).order_by("depth", "path")[:500]


def region_for_accept(scope: Scope, document: SourceDocument, pk) -> Region:
    region = (Region.objects.filter(scope.region_q(), pk=pk).filter(_accept_roots_q(document)).first()
              if str(pk).isdigit() else None)
    if region is None:
        raise Http404("没有该区域，或无权填报")
    return region


def upload_regions(scope: Scope) -> QuerySet:
    return Region.objects.filter(scope.region_q()).order_by("path")[:500]


def upload_region(scope: Scope, pk) -> Region:
    region = Region.objects.filter(scope.region_q(), pk=pk).first() if str(pk).isdigit() else None
    if region is None or not scope.manages_region(region):
        raise Http404("没有该区域，或无权上传")
    return region


def units_for_accept(scope: Scope, regions) -> QuerySet:
    return Unit.objects.filter(scope.unit_q(), region__in=list(regions)).select_related("region").order_by(
        "region__path", "sort", "name")


def unit_for_accept(scope: Scope, pk) -> Unit | None:
    if not pk:
        return None
    unit = Unit.objects.filter(scope.unit_q(), pk=pk).select_related("region").first() if str(pk).isdigit() else None
    if unit is None:
        raise Http404("没有该单位，或无权填报")
    return unit


def indicators_for(document: SourceDocument) -> QuerySet:
    codes = [c for c in document.region.path.split("/") if c]
    return Indicator.objects.filter(Q(region__isnull=True) | Q(region__code__in=codes)).exclude(unit="").order_by(
        "sort", "code")


def indicator_for(document: SourceDocument, pk) -> Indicator | None:
    if not pk:
        return None
    indicator = indicators_for(document).filter(pk=pk).first() if str(pk).isdigit() else None
    if indicator is None:
        raise Http404("没有该指标")
    return indicator


def reports_of(document: SourceDocument) -> list[SourceReport]:
    return list(document.reports.select_related("region", "suggested_region", "duplicate_of", "confirmed_by")
                .annotate(fact_total=Count("facts", filter=Q(facts__copy_of__isnull=True)),
                          fact_copies=Count("facts", filter=Q(facts__copy_of__isnull=False))))


def report_get(scope: Scope, pk: int) -> SourceReport:
    _require_reader(scope)
    report = (SourceReport.objects.filter(scope.region_q("document__region__"), pk=pk)
              .select_related("document__region").first())
    if report is None:
        raise Http404("没有该篇目，或无权查看")
    return report


def report_for_bulk(document: SourceDocument, pk) -> SourceReport:
    """The report named by ``pk`` in ``document``, or its only report when none is named."""
    reports = document.reports.select_related("region", "duplicate_of")
    if str(pk or "").isdigit():
        report = reports.filter(pk=pk).first()
    else:
        found = list(reports[:2])
        report = found[0] if len(found) == 1 else None
    if report is None:
        raise Http404("没有该篇目")
    return report


def regions_for_confirm(scope: Scope, document: SourceDocument, reports: list[SourceReport]) -> list[Region]:
    """Regions an office may name as a report's region: those it manages around the document's region, and the
    regions the reports were recognised as (shown even when outside the scope, so the office sees whose they are)."""
    managed = list(Region.objects.filter(scope.region_q(), path__startswith=document.region.path)
                   .order_by("depth", "path")[:500])
    extra = [r.suggested_region for r in reports if r.suggested_region and r.suggested_region not in managed]
    return managed + list(dict.fromkeys(extra))


def region_for_confirm(scope: Scope, pk) -> Region:
    region = Region.objects.filter(scope.region_q(), pk=pk).first() if str(pk).isdigit() else None
    if region is None:
        raise Http404("没有该区域，或无权填报")
    return region


def report_reviews(reports: list[SourceReport], facts: list[ExtractedFact]) -> list[dict]:
    """Per report: its facts grouped by indicator (competing values side by side, the one bulk accept would take
    and why), the facts about other places, and the copies; built from lists already loaded (one query for the
    indicators summed from activities, and two per confirmed report of a year that may be history)."""
    from kesu.collection.computed import activity_fed_ids

    from .services import activity_fed_refused_for, plan_bulk

    fed = activity_fed_ids() if facts else set()
    by_report: dict[int | None, list[ExtractedFact]] = {}
    for fact in facts:
        by_report.setdefault(fact.report_id, []).append(fact)
    out = []
    for report in reports:
        own = by_report.get(report.pk, [])
        originals = [f for f in own if not f.copy_of_id]
        plan = plan_bulk(originals, activity_fed=activity_fed_refused_for(report, originals, fed))
        chosen = {f.pk: f for f in plan.accepted}
        why_left = {f.pk: why for f, why in plan.left}
        groups: dict[int, dict] = {}
        for fact in originals:
            if fact.indicator_id is None or fact.place:
                continue
            group = groups.setdefault(fact.indicator_id, {"indicator": fact.indicator, "facts": [], "chosen": None})
            fact.bulk_note = why_left.get(fact.pk, "")
            group["facts"].append(fact)
            if fact.pk in chosen:
                group["chosen"] = chosen[fact.pk]
        out.append({"report": report, "groups": sorted(groups.values(), key=lambda g: g["facts"][0].start),
                    "elsewhere": [f for f in originals if f.place], "copies": [f for f in own if f.copy_of_id],
                    "bulk": plan.accepted, "blocked": [f for f in originals if f.blocked and not f.place]})
    return out
