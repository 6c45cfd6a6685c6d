"""Map extracted facts to indicator codes from a plain-data catalogue.

A catalogue entry is a dict::

    {"code": "TRN_FARMER_P", "name": "农村实用技术培训人次", "unit": "人次",
     "aliases": ["农民培训", "实用技术培训"], "population": ["农民", "农村"],
     "section_keywords": ["农民科学素质"]}

For each fact we score every indicator on three kinds of evidence and keep the best:

* unit compatibility (a hard gate): 人次 fits an 人次 indicator, 人/名 fits it less well,
  money in 元 fits 元/万元/亿元 indicators (the value is converted), 期 fits 期, …;
* the indicator's name and aliases found in the fact's subject, in the clause before the
  number, or in the heading of the section the fact sits under (in decreasing weight);
  partial matches count by the share of the alias's character bigrams present;
* population and section keywords (农民, 青少年 …) in the same places: an indicator that
  names a population is penalised when none of its keywords is near the fact.

Confidence is in 0..1; below ``min_confidence`` the fact is kept with code None.
"""

from __future__ import annotations

import copy
import math
import re
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from itertools import chain
from typing import Any

from .features import (
    UP_TO_SENTENCE_END,
    folded_features,
    indicator_accepts,
    modifier_conflict,
    terms_of,
    thing_conflict,
)
from .normalize import fold
from .split import section_at, section_finder, split_sections

MONEY_UNITS = {"元": 1.0, "千元": 1e3, "万元": 1e4, "亿元": 1e8}
# (fact unit, indicator unit) → compatibility when not identical.
_FAMILY = {
    "people": {"人", "名", "位"},
    "visits": {"人次"},
    "sessions": {"期", "班", "期次", "班次"},
    "events": {"次", "场", "场次"},
    "materials": {"份", "册", "本", "张", "套", "件"},
    "places": {"个", "所", "家", "座", "处"},
}
_CROSS = {
    ("people", "visits"): 0.6, ("visits", "people"): 0.5,
    ("sessions", "events"): 0.6, ("events", "sessions"): 0.5,
}
_SAME_FAMILY = 0.85
_WEIGHTS = {"subject": 1.0, "context": 0.8, "section": 0.6}


@lru_cache(maxsize=1024)
def _family(unit: str) -> str | None:
    for name, members in _FAMILY.items():
        if unit in members:
            return name
    return None


@lru_cache(maxsize=4096)
def unit_compatibility(fact_unit: str, indicator_unit: str, money_like: bool = False) -> float:
    """How well a fact's unit fits an indicator's unit (0 = incompatible)."""
    fu, iu = (fact_unit or "").strip(), (indicator_unit or "").strip()
    if "/" in iu:  # a per-unit indicator (元/人, 人/万人): the fact's unit must be its numerator
        return 1.0 if fu and fu == iu.split("/")[0] else 0.0
    if iu in MONEY_UNITS:
        if fu in MONEY_UNITS:  # any money scale converts (元 → 万元, 万元 → 万元, 亿元 → 万元)
            return 1.0
        return 0.5 if fu == "" and money_like else 0.0
    if fu == iu:
        return 1.0
    ff, fi = _family(fu), _family(iu)
    if ff and ff == fi:
        return _SAME_FAMILY
    if ff and fi:
        return _CROSS.get((ff, fi), 0.0)
    return 0.0


def convert_value(value: float, fact_unit: str, indicator_unit: str) -> float:
    """Express a fact's value in the indicator's unit (money: 元 → 万元 …)."""
    if indicator_unit in MONEY_UNITS and (fact_unit in MONEY_UNITS or fact_unit == ""):
        return value * MONEY_UNITS.get(fact_unit, 1.0) / MONEY_UNITS[indicator_unit]
    return value


@lru_cache(maxsize=8192)
def _bigrams(s: str) -> frozenset[str]:
    return frozenset({s[i:i + 2] for i in range(len(s) - 1)} or ({s} if s else set()))


def phrase_match(phrase: str, text: str) -> float:
    """1.0 if ``phrase`` occurs in ``text``, else the share of its bigrams found there."""
    if not phrase or not text:
        return 0.0
    if phrase in text:
        return 1.0
    grams = _bigrams(phrase)
    # The text's bigram set is cached: one fact's fields are matched against every candidate indicator's phrases.
    share = len(grams & _bigrams(text)) / len(grams)
    return share if share >= 0.5 else 0.0


@lru_cache(maxsize=8192)
def _folded(phrase: str) -> str:
    return fold(phrase)


def _fact_get(fact: Any, key: str, default=None):
    return fact.get(key, default) if isinstance(fact, dict) else getattr(fact, key, default)


_PERSON = re.compile(r"(?:人员|者|工|学生|师|民|员|众|户)$")
_GLOSS = re.compile(r"[（(][^）)]*[）)]")
_MONEY_WORDS = re.compile(r"经费|资金|投入|投资|拨款|筹集|预算|支出|捐赠|金额")


# How reports name a population besides the catalogue's word: 农村实用技术培训 is about farmers without saying 农民, and
# 学生, 校园, 儿童 are what reports say of 青少年.
POPULATION_FORMS = {"农民": ("农民", "农村", "农户", "村民", "果农", "菜农", "茶农", "种植户", "养殖户"),
                    "青少年": ("青少年", "学生", "中小学", "校园", "少年", "儿童")}


@lru_cache(maxsize=4096)
def _phrases(name: str, aliases: tuple, population: tuple, section_keywords: tuple) -> tuple:
    """An indicator's phrases, folded, computed once: names and aliases (and the name without its bracketed gloss:
    "科普（技）讲座参加人次" is written "科普讲座…参加人员" in reports), population, section keywords."""
    names = [name, *aliases]
    names += [_GLOSS.sub("", n) for n in names if n and _GLOSS.search(n)]
    population = [form for p in population for form in POPULATION_FORMS.get(p, (p,))]
    return (tuple(_folded(n) for n in names if n), tuple(_folded(p) for p in population),
            tuple(_folded(k) for k in section_keywords))


class _Indicator:
    """What scoring reads of one catalogue entry, worked out once per catalogue."""

    __slots__ = ("name", "names", "population", "sect_kw", "terms", "stems")

    def __init__(self, indicator: dict):
        self.name = indicator.get("name", "")
        aliases = tuple(indicator.get("aliases") or ())
        self.names, self.population, self.sect_kw = _phrases(
            self.name, aliases, tuple(indicator.get("population") or ()),
            tuple(indicator.get("section_keywords") or ()))
        self.terms, self.stems = terms_of(self.name, aliases)


class _FactEvidence:
    """One fact's fields, each with its bigrams, read once for every candidate indicator."""

    __slots__ = ("fields", "subject", "context", "all", "sect", "person", "things")

    def __init__(self, fields: dict[str, str], unit: str):
        self.fields = fields
        self.subject, self.context = fields.get("subject", ""), fields.get("context", "")
        self.all = [(_WEIGHTS[name], text, _bigrams(text)) for name, text in fields.items() if text]
        section_context = {"section": fields.get("section", ""), "context": self.context}
        self.sect = [(_WEIGHTS[name], text, _bigrams(text)) for name, text in section_context.items() if text]
        self.person = bool(_PERSON.search(self.subject))
        # For people the subject names who they are (听众, 学员), not a thing to compare with the indicator's.
        self.things = _family(unit) not in ("people", "visits")


def _best(phrases: Iterable[str], prepared: list) -> float:
    """The best weighted ``phrase_match`` of any phrase (already folded) in any prepared field, inlined: this runs
    for every candidate indicator of every fact."""
    best = 0.0
    for p in phrases:
        if not p:
            continue
        grams = _bigrams(p)
        for weight, text, text_grams in prepared:
            if weight <= best:
                continue
            if p in text:
                best = weight
                continue
            share = len(grams & text_grams) / len(grams)
            if share >= 0.5 and weight * share > best:
                best = weight * share
    return best


def _score(ind: _Indicator, gate: float, ev: _FactEvidence) -> float:
    alias = _best(ind.names, ev.all)
    parts = [(0.65, alias)]
    pop = _best(ind.population, ev.all) if ind.population else None
    if pop is not None:
        parts.append((0.2, pop))
    sect = _best(ind.sect_kw, ev.sect) if ind.sect_kw else None
    if sect is not None:
        parts.append((0.15, sect))
    total_w = sum(w for w, _ in parts)
    score = sum(w * v for w, v in parts) / total_w
    if ind.population and not pop:
        if ev.person:
            return 0.0  # the figure names who was counted (再就业人员), and they are not the indicator's population
        score *= 0.4  # the indicator is about a population nobody mentioned
    if score == 0.0:
        return 0.0  # nothing names it: the conflicts below need not be read
    if ev.things and thing_conflict(ev.subject, ind.terms, ind.stems):
        return 0.0
    if modifier_conflict(ev.subject, ev.context, {"name": ind.name}):
        return 0.0
    return gate * score


_UP_TO_CLAUSE_BREAK = re.compile(r"(?s).*[。;；\n]")


def fact_fields(fact: Any, folded: str | None, sections: list | None) -> dict[str, str]:
    """The places we look for evidence: subject, clause before the number, section path. ``folded`` is the text
    already folded (folding is 1:1, so the fact's offsets hold in it)."""
    subject = fold(_fact_get(fact, "subject", "") or "")
    context = ""
    section = ""
    start = _fact_get(fact, "start", None)
    if folded is not None and start is not None:
        lo = max(0, start - 40)
        window = folded[lo:start]
        context = window[m.end():] if (m := _UP_TO_CLAUSE_BREAK.match(window)) else window
        if sections:
            sec = sections(start) if callable(sections) else section_at(sections, start)
            if sec is not None:
                section = fold(sec.path)
    return {"subject": subject, "context": context, "section": section}


class _PhraseIndex:
    """Which indicators a fact's words can name at all: an indicator scores above zero only if one of its phrases
    occurs in a field or shares half its bigrams with that field. A phrase of n bigrams that shares half of them
    shares at least one of any n - ceil(n/2) + 1 of them, so each phrase is filed under that many of its rarest
    bigrams, and only the phrases a field's bigrams find there are checked. Only the indicators named so are scored
    (a necessary condition: the scores themselves are unchanged)."""

    def __init__(self, indicators: list[_Indicator]):
        phrases = sorted({(phrase, k) for k, ind in enumerate(indicators)
                          for phrase in (*ind.names, *ind.population, *ind.sect_kw)})
        self.always = frozenset(k for phrase, k in phrases if len(phrase) == 1)  # no bigram to file it under
        phrases = [(phrase, k) for phrase, k in phrases if len(phrase) >= 2]
        frequency = Counter(g for phrase, _ in phrases for g in _bigrams(phrase))
        self.postings: dict[str, list[int]] = {}
        self.grams: list[frozenset[str]] = []
        self.need: list[float] = []
        self.owner: list[int] = []
        for pid, (phrase, k) in enumerate(phrases):
            grams = _bigrams(phrase)
            self.grams.append(grams)
            self.need.append(len(grams) * 0.5)
            self.owner.append(k)
            for g in sorted(grams, key=lambda g: (frequency[g], g))[:len(grams) - math.ceil(len(grams) / 2) + 1]:
                self.postings.setdefault(g, []).append(pid)

    def found_by(self, text: str) -> tuple[frozenset[str], set[int]]:
        """A field's bigrams and the phrases filed under one of them (to be checked with ``named``)."""
        text_grams = _bigrams(text)
        postings = self.postings
        return text_grams, set(chain.from_iterable(map(postings.__getitem__, postings.keys() & text_grams)))

    def named(self, found: tuple[frozenset[str], set[int]], gates: list[float], named: set[int]) -> None:
        """Add to ``named`` the indicators, not gated out, that a field's phrases found name (half their bigrams)."""
        text_grams, pids = found
        grams, need, owner = self.grams, self.need, self.owner
        for pid in pids:
            k = owner[pid]
            if k not in named and gates[k] > 0 and len(grams[pid] & text_grams) >= need[pid]:
                named.add(k)


class _Catalogue:
    """A catalogue made ready for scoring: its indicators, its phrase index, and its unit gates per fact unit."""

    def __init__(self, catalogue: list[dict]):
        self.units = [ind.get("unit", "") for ind in catalogue]
        self.indicators = [_Indicator(ind) for ind in catalogue]
        self.index = _PhraseIndex(self.indicators)
        self._gates: dict[tuple[str, bool], list[float]] = {}

    def gates(self, unit: str, money_like: bool) -> list[float]:
        key = (unit, money_like)
        if key not in self._gates:
            self._gates[key] = [unit_compatibility(unit, iu, money_like) for iu in self.units]
        return self._gates[key]


_READY: list[tuple[list[dict], _Catalogue]] = []


def _ready(catalogue: list[dict]) -> _Catalogue:
    """The prepared catalogue, kept for the few catalogues in use: preparing it costs more than mapping a report's
    facts. A catalogue is recognised by equal content (compared in C), so a changed catalogue is prepared anew."""
    for snapshot, ready in _READY:
        if snapshot == catalogue:
            return ready
    ready = _Catalogue(catalogue)
    _READY.insert(0, (copy.deepcopy(catalogue), ready))
    del _READY[4:]
    return ready


def _sentence(folded: str | None, start: int | None) -> str:
    """The sentence up to the number (folded): where the activity a figure counts is named (举办讲座…，参加人员…)."""
    if folded is None or start is None:
        return ""
    window = folded[max(0, start - 120):start]
    m = UP_TO_SENTENCE_END.match(window)
    return window[m.end():] if m else window


def map_facts(
    facts: Iterable[Any],
    catalogue: list[dict],
    text: str | None = None,
    min_confidence: float = 0.3,
    sections: list | None = None,
) -> list[dict]:
    """Best indicator for each fact.

    ``text`` is the original text the facts came from; when given, the clause before
    each number and the heading of its section are used as evidence.  Returns one dict
    per fact: ``{"fact", "code", "confidence", "value", "unit", "section"}`` where
    ``value`` is expressed in the indicator's unit (None when unmapped). ``sections`` are the text's
    ``split_sections``, when the caller has them already.
    """
    if text is not None:
        sections = section_finder(split_sections(text) if sections is None else sections)
    folded = fold(text) if text is not None else None
    ready = _ready(catalogue)
    index = ready.index
    found_memo: dict[str, tuple] = {}  # the section path repeats for every fact under it
    out = []
    for fact in facts:
        fields = fact_fields(fact, folded, sections)
        fact_dict = fact if isinstance(fact, dict) else fact.to_dict()
        features = (folded_features(folded, fact_dict["start"], fact_dict["end"], fact_dict.get("unit") or "")
                    if text is not None and fact_dict.get("start") is not None else {})
        if fact_dict.get("suspicious"):
            features = {**features, "corrupt": True}
        # The unit gate first (one list per unit and catalogue): most of the catalogue is out before any phrase is
        # matched.
        fu = fact_dict.get("unit") or ""
        money_like = bool(_MONEY_WORDS.search(fields["subject"] + fields["context"]))
        gates = ready.gates(fu, money_like)
        named = {k for k in index.always if gates[k] > 0}
        for field_text in fields.values():
            if field_text:
                if field_text not in found_memo:
                    found_memo[field_text] = index.found_by(field_text)
                index.named(found_memo[field_text], gates, named)
        scored = []
        if named:  # most figures name no indicator at all
            evidence = _FactEvidence(fields, fu)
            scored = sorted(((_score(ready.indicators[k], gates[k], evidence), k) for k in named), reverse=True)
        ranked = [(sc, catalogue[k]) for sc, k in scored if sc >= min_confidence]
        # Without the text there is no sentence to read: only the figure's own features decide.
        around = {**fields, "sentence": _sentence(folded, fact_dict.get("start"))} \
            if text is not None and ranked else None
        # An unmapped fact still shows how close the nearest indicator came.
        best, best_score, blocked = None, (scored[0][0] if scored else 0.0), None
        for sc, ind in ranked:
            reason = indicator_accepts(features, ind, around)
            if reason is None:
                best, best_score = ind, sc
                break
            # The name fits but the figure is of another kind: shown with the reason, never mapped to it; a
            # compatible indicator further down (人均科普专项经费 under 科普专项经费) may still take it.
            blocked = blocked or {"code": ind["code"], "name": ind.get("name", ""), "reason": reason}
        if blocked and best is None:
            features = {**features, "blocked": blocked}
        if best is None:
            out.append({
                "fact": fact_dict, "code": None, "confidence": round(best_score, 3),
                "value": None, "unit": None, "section": fields["section"], "features": features,
            })
            continue
        value = convert_value(_fact_get(fact, "value"), _fact_get(fact, "unit", ""), best.get("unit", ""))
        out.append({"fact": fact_dict, "code": best["code"], "confidence": round(min(1.0, best_score), 3),
                    "value": value, "unit": best.get("unit"), "section": fields["section"], "features": features})
    return out
