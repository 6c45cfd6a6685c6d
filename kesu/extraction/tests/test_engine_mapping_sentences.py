"""Mapping on sentences written for this test (``data/mapping_sentences.json``): report sentences of the kinds that
mislead a mapper (counting words, a sub-region's figure, targets, multi-year totals, per-capita amounts, broader
totals, prize winners, growth rates), each figure hand-mapped to the built-in catalogue's indicator or to none.

They are scored as the development corpus is (``kesu.bench.mapping``): what bulk accept would take must be right
nearly always, a wrong mapping is rare, and the figures that are an indicator's are still found."""

import json
from pathlib import Path

import pytest

from kesu.bench.mapping import builtin_catalogue, bulk_choice
from kesu.extraction.engine.facts import extract
from kesu.extraction.engine.job import link_facts
from kesu.extraction.engine.mapping import map_facts
from kesu.extraction.engine.reports import read_reports

ITEMS = json.loads((Path(__file__).parent / "data" / "mapping_sentences.json").read_text(encoding="utf-8"))["items"]


@pytest.fixture(scope="module")
def outcomes():
    """(kind, figure, wanted code, mapped code, taken by bulk accept) for every labelled figure."""
    catalogue = builtin_catalogue()
    out = []
    for item in ITEMS:
        text = item["text"]
        mapped = map_facts(extract(text), catalogue, text)
        link_facts(text, read_reports(text), mapped)
        bulk = bulk_choice(mapped)
        by_text = {m["fact"]["text"]: k for k, m in enumerate(mapped)}
        for figure, want in item["figures"].items():
            assert figure in by_text, f"the extractor does not read {figure} in {text}"
            k = by_text[figure]
            out.append((item["kind"], figure, want, mapped[k]["code"], k in bulk))
    return out


def test_the_set_is_large_and_varied():
    assert len(ITEMS) >= 60
    assert sum(v is None for item in ITEMS for v in item["figures"].values()) >= 30
    assert len({item["kind"] for item in ITEMS}) >= 10


def test_bulk_accept_takes_right_figures(outcomes):
    taken = [(want == got) for _, _, want, got, bulk in outcomes if bulk]
    assert len(taken) >= 25
    assert sum(taken) / len(taken) >= 0.9, [o for o in outcomes if o[4] and o[2] != o[3]]


def test_mapped_figures_are_mostly_right_and_most_are_mapped(outcomes):
    predicted = [o for o in outcomes if o[3]]
    right = [o for o in predicted if o[2] == o[3]]
    labelled = [o for o in outcomes if o[2]]
    assert len(right) / len(predicted) >= 0.9, [o for o in predicted if o[2] != o[3]]
    assert len(right) / len(labelled) >= 0.8, [o for o in labelled if o[2] != o[3]]


@pytest.mark.parametrize("kind", ["target", "cumulative", "growth", "honour", "sub-region", "other region"])
def test_figures_of_another_kind_are_never_bulk_accepted(outcomes, kind):
    assert not [o for o in outcomes if o[0] == kind and o[4] and o[2] != o[3]]
