"""Every write of the assessment app: keyword-only, one transaction, an audit event.

Flow: scheme_create → scheme_open (one assessment per unit or lower region, automatic items scored from the data)
→ assessment_self_score / assessment_submit by the subject → assessment_review by the scheme's office (an adjusted
score needs a reason) → total, grade and ranking.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml
from django.db import transaction
from django.utils import timezone

from kesu.accounts.scope import Scope
from kesu.core import audit
from kesu.core.exceptions import ApplicationError
from kesu.orgs.models import Unit
from kesu.regions.models import Region

from . import rules, selectors
from .models import Assessment, AssessmentStatus, Evidence, ItemScore, Scheme, SchemeItem, SubjectKind

SCHEME_DIR = Path(__file__).resolve().parent / "schemes"


def builtin_schemes() -> dict[str, dict]:
    return {p.stem: yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted(SCHEME_DIR.glob("*.yaml"))}


def _points(raw, *, label: str, weight: Decimal) -> Decimal:
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        raise ApplicationError(f"“{label}”的得分“{raw}”不是数字。", field="points") from None
    if not 0 <= value <= weight:
        raise ApplicationError(f"“{label}”的得分应在 0 到 {weight:f} 之间（填写了 {value:f}）。", field="points")
    return value.quantize(Decimal("0.1"))


def scheme_create(*, actor, region, year: int, definition: dict) -> Scheme:
    """A 考核细则 from data (a built-in YAML or an office's own); every item is checked before anything is saved."""
    Scope.for_user(actor).require(Scope.for_user(actor).manages_region(region))
    subject = definition.get("subject")
    if subject not in SubjectKind.values:
        raise ApplicationError(f"考核对象“{subject}”应为 unit（成员单位）或 region（下级区域）。", field="subject")
    items = definition.get("items") or []
    if not items:
        raise ApplicationError("考核细则没有考核项目。", field="items")
    checked = []
    for n, item in enumerate(items, start=1):
        where = f"第{n}项（{item.get('title') or '无名称'}）"
        if item.get("rule") not in rules.KINDS:
            raise ApplicationError(f"{where}：评分方式“{item.get('rule')}”无法识别。", field="items", row=n)
        try:
            weight = Decimal(str(item.get("weight")))
        except (InvalidOperation, ValueError):
            raise ApplicationError(f"{where}：分值“{item.get('weight')}”不是数字。", field="items", row=n) from None
        if weight <= 0:
            raise ApplicationError(f"{where}：分值应大于 0。", field="items", row=n)
        if item["rule"] == rules.TARGET and not item.get("indicator"):
            raise ApplicationError(f"{where}：按目标完成率计分须指明指标编码。", field="items", row=n)
        params = {k: item[k] for k in ("indicator", "cap", "per_activity") if k in item}
        checked.append(SchemeItem(number=str(item.get("number") or n), title=str(item.get("title", ""))[:200],
                                  weight=weight, rule=item["rule"], params=params,
                                  evidence=str(item.get("evidence") or "")[:200]))
    grades = {str(k): float(v) for k, v in (definition.get("grades") or rules.DEFAULT_GRADES).items()}
    with transaction.atomic():
        scheme = Scheme.objects.create(region=region, year=int(year), name=str(definition.get("name", "考核细则"))[:200],
                                       subject=subject, grades=grades)
        for item in checked:
            item.scheme = scheme
        SchemeItem.objects.bulk_create(checked)
        audit.record(actor=actor, action="create", instance=scheme, object_repr=str(scheme),
                     changes={"items": [None, len(checked)]}, region_path=region.path)
    return scheme


def scheme_open(*, actor, scheme: Scheme) -> int:
    """One assessment per active member unit (or per lower region), with the automatic items scored now."""
    Scope.for_user(actor).require(Scope.for_user(actor).manages_region(scheme.region))
    if scheme.subject == SubjectKind.UNIT:
        subjects = [{"unit": u} for u in Unit.objects.filter(region=scheme.region, valid_to__isnull=True)]
    else:
        subjects = [{"region": r} for r in Region.objects.filter(parent=scheme.region)]
    items = list(scheme.items.all())
    created = 0
    with transaction.atomic():
        for subject in subjects:
            assessment, made = Assessment.objects.get_or_create(scheme=scheme, **subject)
            if not made:
                continue
            created += 1
            scores = []
            for item in items:
                score = ItemScore(assessment=assessment, item=item)
                if item.rule != rules.MANUAL:
                    result = rules.automatic_points(item.rule, item.weight, item.params,
                                                    selectors.facts_for(assessment, item))
                    score.auto_points, score.auto_note = result.points, result.explanation
                    score.self_points = result.points
                scores.append(score)
            ItemScore.objects.bulk_create(scores)
        audit.record(actor=actor, action="open", instance=scheme, object_repr=str(scheme),
                     changes={"assessments": [None, created]}, region_path=scheme.region.path)
    return created


def _subject_path(assessment: Assessment) -> str:
    return assessment.unit.region.path if assessment.unit_id else assessment.region.path


def _chosen_links(assessment: Assessment, label: str, keys) -> list[Evidence]:
    """The records picked from the 自评 form's lists; a key not among the subject's own records is refused."""
    sources = selectors.evidence_sources(assessment)
    wanted: dict[str, list[int]] = {}
    keys = list(dict.fromkeys(k.strip() for k in keys if k.strip()))
    for key in keys:
        kind, _, pk = key.partition(":")
        wanted.setdefault(kind, []).append(int(pk) if pk.isdigit() and kind in sources else 0)
    found = {f"{kind}:{r.pk}": (kind, r) for kind, pks in wanted.items() if kind in sources
             for r in sources[kind].filter(pk__in=pks)}
    links = []
    for key in keys:
        if key not in found:
            raise ApplicationError(f"“{label}”所选佐证材料（{key}）不存在，或不属于{assessment.subject_name}。",
                                   field="evidence")
        kind, record = found[key]
        links.append(Evidence(kind=str(kind), **{str(kind): record}))
    return links


def assessment_self_score(*, actor, assessment: Assessment, item: SchemeItem, points, note: str = "",
                          evidence: str = "", links: list[str] | None = None) -> ItemScore:
    """One item's self-score. ``links`` (keys such as ``activity:12``) replace the records cited for the item;
    None keeps them. A manual item scored above zero needs evidence: a cited record or a written description."""
    scope = Scope.for_user(actor)
    scope.require(selectors.may_self_assess(scope, assessment))
    if assessment.status != AssessmentStatus.SELF:
        raise ApplicationError("自评已提交，不能修改；如需修改请联系审核单位。", field="status")
    label = f"{item.number}. {item.title}"
    with transaction.atomic():
        score = ItemScore.objects.select_for_update().get(assessment=assessment, item=item)
        value = _points(points, label=label, weight=item.weight)
        chosen = None if links is None else _chosen_links(assessment, label, links)
        has_links = bool(chosen) if chosen is not None else score.links.exists()
        if item.rule == rules.MANUAL and value > 0 and not evidence.strip() and not has_links:
            raise ApplicationError(f"“{label}”须提供佐证材料（{item.evidence or '文件、活动记录或照片'}）：从已有的文件、"
                                   f"活动记录或照片中选择，或写明材料名称。", field="evidence")
        old = {"self_points": score.self_points, "evidence": score.evidence}
        old_links = sorted(link.key for link in score.links.all())
        score.self_points, score.self_note, score.evidence = value, note.strip(), evidence.strip()
        score.save()
        changes = audit.model_changes(score, old, ["self_points", "evidence"])
        if chosen is not None:
            score.links.all().delete()
            for link in chosen:
                link.score = score
            Evidence.objects.bulk_create(chosen)
            new_links = sorted(link.key for link in chosen)
            if new_links != old_links:
                changes["links"] = [old_links, new_links]
        audit.record(actor=actor, action="self_score", instance=assessment, object_repr=f"{assessment} · {label}",
                     changes=changes, region_path=_subject_path(assessment))
    return score


def assessment_self_assess(*, actor, assessment: Assessment, entries: dict[int, dict], submit: bool = False
                           ) -> Assessment:
    """The 自评 form as one action: every item's entry (points, note, evidence, links) and, if asked, the submission.
    One refused item refuses the whole form; nothing of it is saved."""
    with transaction.atomic():
        for score in assessment.scores.select_related("item"):
            if score.item_id in entries:
                assessment_self_score(actor=actor, assessment=assessment, item=score.item, **entries[score.item_id])
        if submit:
            assessment_submit(actor=actor, assessment=assessment)
    return assessment


def assessment_submit(*, actor, assessment: Assessment) -> Assessment:
    scope = Scope.for_user(actor)
    scope.require(selectors.may_self_assess(scope, assessment))
    if assessment.status != AssessmentStatus.SELF:
        raise ApplicationError("自评已提交。", field="status")
    scores = list(assessment.scores.select_related("item"))
    missing = [f"{s.item.number}. {s.item.title}" for s in scores if s.item.rule == rules.MANUAL and s.self_points is None]
    if missing:
        raise ApplicationError(f"以下项目尚未自评：{'；'.join(missing)}。", field="self_points")
    with transaction.atomic():
        assessment.self_total = sum((s.self_points or Decimal(0) for s in scores), Decimal(0))
        assessment.status, assessment.submitted_at = AssessmentStatus.SUBMITTED, timezone.now()
        assessment.save()
        audit.record(actor=actor, action="submit", instance=assessment, object_repr=str(assessment),
                     changes={"self_total": [None, str(assessment.self_total)]}, region_path=_subject_path(assessment))
    return assessment


def assessment_review(*, actor, assessment: Assessment, adjustments: dict[int, tuple[str, str]]) -> Assessment:
    """The office's 审核: each item keeps its self-score unless adjusted, and an adjustment needs a reason."""
    scope = Scope.for_user(actor)
    scope.require(selectors.may_review(scope, assessment))
    if assessment.status != AssessmentStatus.SUBMITTED:
        raise ApplicationError("该考核尚未提交自评，或已审核。", field="status")
    with transaction.atomic():
        scores = list(assessment.scores.select_related("item").select_for_update(of=("self",)))
        changes = {}
        for score in scores:
            label = f"{score.item.number}. {score.item.title}"
            raw, reason = adjustments.get(score.item_id, ("", ""))
            final = score.self_points if str(raw).strip() == "" else _points(raw, label=label, weight=score.item.weight)
            if final != score.self_points and not reason.strip():
                raise ApplicationError(f"“{label}”的审核分与自评分不同，请填写调整理由。", field="adjust_reason")
            score.final_points, score.adjust_reason = final, reason.strip() if final != score.self_points else ""
            if final != score.self_points:
                changes[label] = [str(score.self_points), str(final)]
        ItemScore.objects.bulk_update(scores, ["final_points", "adjust_reason"])
        assessment.total = sum((s.final_points or Decimal(0) for s in scores), Decimal(0))
        assessment.grade = rules.grade(assessment.total, assessment.scheme.grades)
        assessment.status, assessment.reviewed_by, assessment.reviewed_at = (AssessmentStatus.REVIEWED, actor,
                                                                             timezone.now())
        assessment.save()
        audit.record(actor=actor, action="review", instance=assessment, object_repr=str(assessment),
                     changes={**changes, "total": [None, str(assessment.total)], "grade": [None, assessment.grade]},
                     region_path=assessment.scheme.region.path)
    return assessment
