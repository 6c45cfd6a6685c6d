"""Reads of the surveys app; each takes the user's Scope."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Q, QuerySet
from django.http import Http404

from kesu.accounts.scope import Scope
from kesu.regions.models import Region

from .core.instrument import instrument_from_dict
from .core.pipeline import GROUP_LABELS, LITERATE
from .core.reading import FIELDS, guess_mapping, read_table
from .core.synthetic import EDUCATION
from .models import LOCAL_SURVEY_SOURCE, PUBLISHED_SOURCE, PublishedFigure, Questionnaire, SurveyRound

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
    """The region-year's literacy ratio for a report: the figure, its ± and the sentence to quote.

    ``kind`` says where it came from: ``survey`` (an accepted local round: n and the interval are known) or
    ``published`` (a result published from above and recorded by an office: publisher, date and link, no interval).
    A local round wins over a published figure of the same year.
    """
    from .models import RoundStatus
    from .report import headline_sentence, published_sentence

    scope.require(scope.sees_region(region))
    survey = SurveyRound.objects.filter(region=region, year=year, status=RoundStatus.ACCEPTED).order_by(
        "-accepted_at").first()
    head = survey.estimates.filter(group="", outcome=LITERATE).first() if survey else None
    if head is not None:
        return {**_plain_estimate(head), "sentence": headline_sentence(region.name, _plain_estimate(head)),
                "survey": survey.title, "kind": "survey", "source": LOCAL_SURVEY_SOURCE}
    published = PublishedFigure.objects.filter(area=region, year=year, indicator__code="LIT_RATIO").order_by(
        "-published_on", "-pk").first()
    if published is None:
        return None
    share = float(published.value) / 100
    return {"outcome": LITERATE, "level": "", "share": share, "lower": None, "upper": None, "margin": None,
            "n": None, "effective_n": None, "deff": None, "suppressed": False, "survey": "",
            "kind": "published", "source": published.source_text, "publisher": published.publisher,
            "published_on": published.published_on, "link": published.link,
            "sentence": published_sentence(region.name, published.publisher, published.published_on, share)}


# -- published figures and the literacy trend ------------------------------------------------------------------


def published_figures_for(scope: Scope) -> QuerySet:
    """Figures recorded by the user's office, the offices above it and those below it."""
    _require_reader(scope)
    qs = PublishedFigure.objects.select_related("area", "office", "indicator")
    return qs.filter(scope.region_or_ancestor_q("office__"))


def area_choices(scope: Scope) -> list[Region]:
    """The regions an office may record published figures about: those above it, itself and its children."""
    if not scope.can_manage or scope.is_admin:
        return []
    own = Region.objects.filter(path=scope.region_path).first()
    above = list(Region.objects.filter(path__in=own.ancestor_paths).order_by("depth")) if own else []
    return [*above, *Region.objects.filter(Q(path=scope.region_path) | Q(parent__path=scope.region_path)).order_by(
        "depth", "code")]


def area_choice(scope: Scope, pk) -> Region | None:
    """'' is 全国; otherwise one of ``area_choices``."""
    if str(pk).strip() in ("", "national"):
        return None
    found = next((r for r in area_choices(scope) if str(r.pk) == str(pk)), None)
    if found is None:
        raise Http404("没有该区域，或无权录入")
    return found


def source_kind(source: str) -> str:
    """How a stored value of the ratio came in, in the words the chart's legend uses."""
    if source.startswith(LOCAL_SURVEY_SOURCE):
        return "本地抽样调查"
    if source.startswith(PUBLISHED_SOURCE):
        return "上级发布"
    return "填报"


def literacy_series(scope: Scope, region: Region) -> dict:
    """The ratio's trend for the dashboard: the region's own values (each with its source), its plan's targets,
    and the published national and provincial series, as plain data (years → points)."""
    from django.db.models import Exists, OuterRef

    from kesu.collection.models import LOCKED_STATUSES, IndicatorValue, Submission
    from kesu.plans.models import Target

    scope.require(scope.sees_region(region))
    # like every dashboard figure: approved ones only (a figure still under review is not the region's result yet)
    approved = Submission.objects.filter(region=region, unit=None, period_id=OuterRef("period_id"),
                                         status__in=LOCKED_STATUSES)
    own = [{"year": int(v.period_id), "value": v.value, "source": v.source or "填报", "kind": source_kind(v.source)}
           for v in IndicatorValue.objects.filter(Exists(approved), indicator__code="LIT_RATIO", region=region,
                                                  unit=None, value__isnull=False).only("period_id", "value", "source")
           if v.period_id.isdigit()]
    targets = {}
    for year, value in Target.objects.filter(indicator__code="LIT_RATIO", region=region).order_by(
            "plan__start_year").values_list("year", "value"):
        targets[year] = value  # a later plan's target for the same year replaces an earlier one's
    province = (region.ancestor_paths or [None])[0]  # by path: no query for the province itself
    wanted = Q(area__isnull=True) | (Q(area__path=province) if province else Q(pk__in=[]))
    published = {}
    for f in (PublishedFigure.objects.filter(wanted, indicator__code="LIT_RATIO")
              .filter(Q(office__path__in=[*region.ancestor_paths, region.path])
                      | Q(office__path__startswith=region.path))
              .select_related("area").order_by("published_on", "pk")):
        published[(f.area_name, f.year)] = f  # the latest release of a year wins
    series = defaultdict(list)
    for (name, _), f in sorted(published.items(), key=lambda kv: kv[0][1]):
        series[name].append({"year": f.year, "value": f.value, "source": f.source_text})
    return {"region": region.name, "own": sorted(own, key=lambda p: p["year"]), "targets": targets,
            "published": dict(series)}
