"""Reads of the assessment app; each takes the user's Scope (the facts reader is used by the services)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.http import Http404

from kesu.accounts.scope import Scope
from kesu.collection.models import Activity, IndicatorValue, Submission
from kesu.plans.models import Target

from . import rules
from .models import Assessment, Scheme, SchemeItem


def schemes_for(scope: Scope) -> QuerySet:
    """Schemes of the user's subtree, and those above it that assess the user's unit or region."""
    if scope.is_admin:
        return Scheme.objects.select_related("region")
    if scope.is_filler:  # a unit sees the schemes it is assessed under, nothing else
        return Scheme.objects.filter(assessments__unit_id=scope.unit_id).distinct().select_related("region")
    above = scope.region_q("assessments__region__")
    return Scheme.objects.filter(scope.region_q("region__") | above).distinct().select_related("region")


def scheme_for(scope: Scope, pk) -> Scheme:
    found = schemes_for(scope).filter(pk=pk).first()
    if found is None:
        raise Http404("没有该考核，或无权查看")
    return found


def assessments_for(scope: Scope, scheme: Scheme) -> QuerySet:
    """The scheme's assessments the user may see: all for its office and viewers, one's own otherwise."""
    qs = scheme.assessments.select_related("unit", "region")
    if scope.is_filler:
        return qs.filter(unit_id=scope.unit_id)
    if scope.is_admin or scheme.region.path.startswith(scope.region_path):
        return qs
    return qs.filter(scope.region_q("region__") | scope.unit_q("unit__"))


def assessment_for(scope: Scope, pk) -> Assessment:
    found = Assessment.objects.filter(pk=pk).select_related("scheme__region", "unit__region", "region").first()
    if found is None or not assessments_for(scope, found.scheme).filter(pk=pk).exists():
        raise Http404("没有该考核，或无权查看")
    return found


def may_self_assess(scope: Scope, assessment: Assessment) -> bool:
    if assessment.unit_id:
        return scope.manages_unit(assessment.unit) or (scope.is_filler and scope.unit_id == assessment.unit_id)
    return scope.manages_region(assessment.region)


def may_review(scope: Scope, assessment: Assessment) -> bool:
    return scope.manages_region(assessment.scheme.region)


def ranking(scope: Scope, scheme: Scheme) -> list[dict]:
    """Rows of the ranking page and export: place, subject, self and final totals, grade, status."""
    rows = list(assessments_for(scope, scheme))
    places = rules.rank([(a.pk, a.total) for a in rows])
    table = [{"place": places.get(a.pk), "assessment": a, "name": a.subject_name} for a in rows]
    return sorted(table, key=lambda r: (r["place"] is None, r["place"] or 0, r["name"]))


def self_check_items(scope: Scope, assessment_pk) -> dict:
    """The 自查报告's material as plain data: each item with its weight, self-score, final score and evidence."""
    assessment = assessment_for(scope, assessment_pk)
    scores = assessment.scores.select_related("item")
    return {
        "scheme": assessment.scheme.name, "year": assessment.scheme.year, "subject": assessment.subject_name,
        "status": assessment.get_status_display(), "self_total": assessment.self_total, "total": assessment.total,
        "grade": assessment.grade,
        "items": [{"number": s.item.number, "title": s.item.title, "weight": s.item.weight,
                   "rule": rules.KINDS[s.item.rule], "auto_note": s.auto_note, "self_points": s.self_points,
                   "self_note": s.self_note, "evidence": s.evidence, "final_points": s.final_points,
                   "adjust_reason": s.adjust_reason} for s in scores],
    }


def region_self_assessment(scope: Scope, *, region, year: int) -> dict | None:
    """A region's self-assessment of a year under its upper level's scheme, as ``self_check_items`` gives it (plus
    ``pk``), for the region's 自查报告; None when no scheme of that year assesses the region."""
    scope.require(scope.sees_region(region))
    found = Assessment.objects.filter(region=region, scheme__year=year).order_by("-scheme__created_at", "-pk").first()
    return None if found is None else {**self_check_items(scope, found.pk), "pk": found.pk}


def facts_for(assessment: Assessment, item: SchemeItem) -> rules.Facts:
    """What the stored data says about the assessed unit or region for one automatic item."""
    year = assessment.scheme.year
    if item.rule == rules.TARGET:
        code = item.params.get("indicator", "")
        if assessment.unit_id:
            return rules.Facts()  # targets are set for regions, not units
        target = Target.objects.filter(indicator__code=code, region=assessment.region, year=year).order_by(
            "-plan__start_year").values_list("value", flat=True).first()
        actual = IndicatorValue.objects.filter(indicator__code=code, region=assessment.region, unit=None,
                                               period_id=str(year)).values_list("value", flat=True).first()
        return rules.Facts(actual=actual, target=target)
    if item.rule == rules.ON_TIME:
        reporter = Q(unit=assessment.unit) if assessment.unit_id else Q(region=assessment.region, unit=None)
        due = on_time = 0
        for sub in Submission.objects.filter(reporter, period_id__startswith=str(year)).select_related("data_set"):
            due += 1
            deadline = sub.period_end + timedelta(days=sub.data_set.due_days)
            on_time += bool(sub.submitted_at and sub.submitted_at.date() <= deadline)
        return rules.Facts(returns_due=due, returns_on_time=on_time)
    if item.rule == rules.ACTIVITIES:
        held = Q(unit=assessment.unit) if assessment.unit_id else Q(region__path__startswith=assessment.region.path)
        return rules.Facts(activities=Activity.objects.filter(held, start_date__year=year).count())
    return rules.Facts()


EVIDENCE_LIMIT = 300  # records offered per kind in the 自评 form, the latest first


def evidence_sources(assessment: Assessment) -> dict[str, QuerySet]:
    """What the assessed unit or region already holds in kesu, by kind of evidence (unordered, unlimited).

    A unit: its own activities of the scheme's year (and their photos and attachments) and its region's documents;
    a region: the documents, old reports and activities of its subtree.
    """
    from kesu.collection.models import ActivityAttachment
    from kesu.extraction.models import SourceDocument
    from kesu.plans.models import PolicyDocument

    from .models import EvidenceKind

    year = assessment.scheme.year
    if assessment.unit_id:
        documents = PolicyDocument.objects.filter(region_id=assessment.unit.region_id)
        reports = SourceDocument.objects.none()
        activities = Activity.objects.filter(unit_id=assessment.unit_id, start_date__year=year)
    else:
        path = assessment.region.path
        documents = PolicyDocument.objects.filter(region__path__startswith=path)
        reports = SourceDocument.objects.filter(region__path__startswith=path, duplicate_of__isnull=True)
        activities = Activity.objects.filter(region__path__startswith=path, start_date__year=year)
    return {EvidenceKind.DOCUMENT: documents, EvidenceKind.REPORT: reports, EvidenceKind.ACTIVITY: activities,
            EvidenceKind.ATTACHMENT: ActivityAttachment.objects.filter(activity__in=activities)}


def evidence_choices(scope: Scope, assessment: Assessment) -> dict[str, list]:
    """The 自评 form's lists: kind → [(key, label, record)], the latest first, at most EVIDENCE_LIMIT of each."""
    from .models import EvidenceKind

    scope.require(may_self_assess(scope, assessment) or may_review(scope, assessment))
    sources = evidence_sources(assessment)
    activities = list(sources[EvidenceKind.ACTIVITY].select_related("unit").prefetch_related("attachments").order_by(
        "-start_date", "-pk")[:EVIDENCE_LIMIT])
    return {
        EvidenceKind.DOCUMENT: [(f"document:{d.pk}", f"{d}（{d.issued_on:%Y-%m-%d}）", d)
                                for d in sources[EvidenceKind.DOCUMENT].order_by("-issued_on", "-pk")[:EVIDENCE_LIMIT]],
        EvidenceKind.REPORT: [(f"report:{r.pk}", r.original_name, r) for r in sources[EvidenceKind.REPORT].only(
            "pk", "original_name").order_by("-pk")[:EVIDENCE_LIMIT]],
        EvidenceKind.ACTIVITY: [(f"activity:{a.pk}", f"{a.start_date:%m-%d} {a.title}（{a.unit.name}）", a)
                                for a in activities],
        EvidenceKind.ATTACHMENT: [(f"attachment:{f.pk}", f"{f.original_name}（{a.title}）", f)
                                  for a in activities for f in a.attachments.all()],
    }


def evidence_of(assessment: Assessment) -> dict[int, list]:
    """Item id → the records cited for it, for the 自评 form, the 审核 page and the 自查报告."""
    from .models import Evidence

    cited: dict[int, list] = {}
    for link in Evidence.objects.filter(score__assessment=assessment).select_related(
            "score", "document", "report", "activity", "attachment__activity"):
        cited.setdefault(link.score.item_id, []).append(link)
    return cited


def evidence_labels(scope: Scope, assessment_pk) -> dict[str, list[str]]:
    """Item number → the cited records as the 自查报告 names them (政策文件：…, 活动记录：…)."""
    assessment = assessment_for(scope, assessment_pk)
    numbers = dict(assessment.scheme.items.values_list("pk", "number"))
    return {numbers[item_id]: [str(link) for link in links] for item_id, links in evidence_of(assessment).items()}


def _decimal(value) -> Decimal | None:
    return None if value is None else Decimal(value)
