"""Reads of the surveys app; each takes the user's Scope."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import QuerySet
from django.http import Http404

from kesu.accounts.scope import Scope
from kesu.regions.models import Region

from .core.instrument import instrument_from_dict
from .core.pipeline import GROUP_LABELS, LITERATE
from .core.reading import FIELDS, guess_mapping, read_table
from .core.synthetic import EDUCATION
from .models import Questionnaire, SurveyRound

# Categories in their natural order (lowest education first, towns before villages); others follow by name.
LEVEL_ORDER = {level: k for k, level in enumerate(("城镇", "农村", "男", "女", *EDUCATION, "初中及以下", "大专及以上"))}


def _require_reader(scope: Scope) -> None:
    # Survey rounds are the office's work; a unit's 填报员 has no part in them.
    scope.require(not scope.is_filler)


def rounds_for(scope: Scope) -> QuerySet:
    _require_reader(scope)
    return SurveyRound.objects.filter(scope.region_q("region__")).select_related("region", "questionnaire")


def round_for(scope: Scope, pk) -> SurveyRound:
    _require_reader(scope)
    survey = rounds_for(scope).filter(pk=pk).first()
    if survey is None:
        raise Http404("没有该调查，或无权查看")
    return survey


def managed_regions(scope: Scope) -> QuerySet:
    return Region.objects.filter(scope.region_q()).order_by("path")[:500] if scope.can_manage else Region.objects.none()


def managed_region(scope: Scope, pk) -> Region:
    region = Region.objects.filter(scope.region_q(), pk=pk).first() if str(pk).isdigit() else None
    if region is None or not scope.manages_region(region):
        raise Http404("没有该区域，或无权操作")
    return region


def questionnaires_for(scope: Scope) -> QuerySet:
    """An office's own questionnaires and those of the regions above it (a province's item bank serves its cities)."""
    _require_reader(scope)
    if scope.is_admin:
        return Questionnaire.objects.select_related("region")
    return Questionnaire.objects.filter(scope.region_or_ancestor_q("region__")).select_related("region")


def questionnaire_for(scope: Scope, pk) -> Questionnaire:
    found = questionnaires_for(scope).filter(pk=pk).first() if str(pk).isdigit() else None
    if found is None:
        raise Http404("没有该问卷，或无权使用")
    return found


def file_columns(survey: SurveyRound) -> dict:
    """The file's columns with the mapping proposed for each, and the categories present for the margins form."""
    if not survey.file:
        return {"columns": [], "levels": {}}
    instrument = instrument_from_dict(survey.questionnaire.definition)
    with survey.file.open("rb") as handle:
        table = read_table(survey.original_name, handle.read())
    mapping = guess_mapping(table.headers, instrument, survey.questionnaire.mapping)
    columns = [{"header": h, "target": mapping.get(h, ""), "sample": table.columns[j][:3].tolist()}
               for j, h in enumerate(table.headers)]
    targets = [("", "（不使用）")] + [(k, v) for k, v in FIELDS.items()] + [
        (i.key, f"{i.key} {i.text[:24]}") for i in instrument.items]
    return {"columns": columns, "targets": targets}


def estimate_table(survey: SurveyRound) -> dict:
    """Estimates arranged for the page: the headline, tier shares, and one block per group."""
    rows = list(survey.estimates.all())
    headline = next((e for e in rows if not e.group and e.outcome == LITERATE), None)
    tiers = [e for e in rows if not e.group and e.outcome != LITERATE]
    groups = defaultdict(list)
    for e in rows:
        if e.group and e.outcome == LITERATE:
            groups[e.group].append(e)
    for items in groups.values():
        items.sort(key=lambda e: (LEVEL_ORDER.get(e.level, len(LEVEL_ORDER)), e.level))
    return {"headline": headline, "tiers": tiers,
            "groups": [(GROUP_LABELS.get(g, g), items) for g, items in groups.items()]}


def _plain_estimate(e) -> dict:
    return {"outcome": e.outcome, "level": e.level, "share": e.share, "lower": e.lower, "upper": e.upper,
            "margin": e.margin, "n": e.n, "effective_n": e.effective_n, "deff": e.deff, "suppressed": e.suppressed}


def report_data(survey: SurveyRound) -> dict:
    """Everything the 调查分析报告 says, as plain data (the builder never queries)."""
    from .core.screening import RULE_LABELS

    table = estimate_table(survey)
    return {
        "title": f"{survey.region.name}{survey.year}年公民科学素质抽样调查分析报告",
        "region": survey.region.name, "questionnaire": survey.questionnaire.name,
        "rows": survey.rows, "kept": survey.kept, "weighted": bool(survey.margins),
        "exclusions": [(RULE_LABELS[k], v) for k, v in survey.exclusion_counts.items()],
        "headline": _plain_estimate(table["headline"]),
        "tiers": [_plain_estimate(t) for t in table["tiers"]],
        "groups": [(label, [_plain_estimate(e) for e in items]) for label, items in table["groups"]],
    }


def headline_citation(scope: Scope, region: Region, year: int) -> dict | None:
    """The accepted survey result of a region-year for a report: the figure, its ± and the sentence to quote."""
    from .models import RoundStatus
    from .report import headline_sentence

    scope.require(scope.sees_region(region))
    survey = SurveyRound.objects.filter(region=region, year=year, status=RoundStatus.ACCEPTED).order_by(
        "-accepted_at").first()
    if survey is None:
        return None
    head = survey.estimates.filter(group="", outcome=LITERATE).first()
    if head is None:
        return None
    return {**_plain_estimate(head), "sentence": headline_sentence(region.name, _plain_estimate(head)),
            "survey": survey.title}
