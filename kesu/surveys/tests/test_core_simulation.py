"""Proof that weighting and intervals tell the truth: a synthetic population with a known ratio, sampled with a
known bias, raked back to its margins."""

import numpy as np
import polars as pl
import pytest

from kesu.surveys.core.estimates import estimate
from kesu.surveys.core.weighting import rake

# Population: sex × urban cells, independent margins, and a literacy rate per cell.
SEX = {"男": 0.51, "女": 0.49}
URBAN = {"城镇": 0.64, "农村": 0.36}
RATE = {("男", "城镇"): 0.22, ("女", "城镇"): 0.17, ("男", "农村"): 0.09, ("女", "农村"): 0.05}
TRUTH = sum(SEX[s] * URBAN[u] * RATE[s, u] for s in SEX for u in URBAN)
POPULATION = 1_000_000
MARGINS = {"sex": {k: v * POPULATION for k, v in SEX.items()}, "urban": {k: v * POPULATION for k, v in URBAN.items()}}
# The sample over-reaches towns (3×) and women (2×): an online panel's usual tilt, and both raise the raw ratio.
SELECTION = {("男", "城镇"): 3.0, ("女", "城镇"): 6.0, ("男", "农村"): 1.0, ("女", "农村"): 2.0}


def draw(rng, n):
    cells = list(RATE)
    weight = np.array([SEX[s] * URBAN[u] * SELECTION[s, u] for s, u in cells])
    picked = rng.choice(len(cells), size=n, p=weight / weight.sum())
    sex = np.array([cells[i][0] for i in picked])
    urban = np.array([cells[i][1] for i in picked])
    literate = rng.random(n) < np.array([RATE[cells[i]] for i in picked])
    return pl.DataFrame({"sex": sex, "urban": urban}), literate


def weighted_estimate(frame, literate):
    weights = rake(frame, MARGINS, trim_ratio=None)
    return weights, estimate(frame, weights, {"literate": literate}, min_n=1, min_effective_n=1)[0]


def test_weighting_removes_a_known_selection_bias():
    frame, literate = draw(np.random.default_rng(2026), 20_000)
    _, result = weighted_estimate(frame, literate)
    raw = literate.mean()
    assert abs(raw - TRUTH) > 0.02  # the bias is real: the raw share is far off
    assert result.share == pytest.approx(TRUTH, abs=0.006)
    assert result.lower < TRUTH < result.upper


def test_95_percent_intervals_cover_the_truth_about_95_percent_of_the_time():
    rng = np.random.default_rng(17)
    replications, covered = 200, 0
    for _ in range(replications):
        frame, literate = draw(rng, 800)
        _, result = weighted_estimate(frame, literate)
        covered += result.lower <= TRUTH <= result.upper
    # 200 draws of a 95 % event: the count lies in 181–197 with probability > 99 %.
    assert 181 <= covered <= 197, covered


def test_interval_matches_an_independent_taylor_linearisation():
    """The library's variance against the textbook formula for a weighted mean (with-replacement, one stratum)."""
    frame, literate = draw(np.random.default_rng(8), 3_000)
    weights, result = weighted_estimate(frame, literate)
    y = literate.astype(float)
    mean = np.average(y, weights=weights)
    n = len(y)
    scores = weights * (y - mean) / weights.sum()
    se = np.sqrt(n / (n - 1) * (scores**2).sum())
    kish = weights.sum() ** 2 / (weights**2).sum()
    assert result.share == pytest.approx(mean, rel=1e-9)
    assert result.se == pytest.approx(se, rel=1e-6)
    assert result.effective_n == pytest.approx(kish, rel=1e-9)
    # design effect: the variance against that of a simple random sample of the same size
    assert result.deff == pytest.approx(se**2 / (mean * (1 - mean) / n), rel=0.01)


def test_design_weights_and_clusters_are_honoured():
    """A stratified cluster sample: towns drawn at 4× the rate of villages, respondents alike within a village."""
    from kesu.surveys.core.instrument import builtin_instruments
    from kesu.surveys.core.pipeline import RoundData, analyse

    rng = np.random.default_rng(4)
    instrument = builtin_instruments()["literacy-2024"]
    clusters, per_cluster = 60, 25
    stratum = np.repeat(np.where(np.arange(clusters) < 40, "城镇", "农村"), per_cluster)
    psu = np.repeat(np.arange(clusters).astype(str), per_cluster)
    # each village has its own level; towns are more literate
    level = np.repeat(rng.normal(0, 1.0, clusters), per_cluster) + np.where(stratum == "城镇", 0.8, -0.8)
    n = clusters * per_cluster
    answers = {}
    for item in instrument.items:
        right = rng.random(n) < 1 / (1 + np.exp(-(level + 0.6)))
        answers[item.key] = np.where(right, item.answer, "Z" if item.attention else "E")
    for item in instrument.attention_items:
        answers[item.key] = np.full(n, item.answer)
    weight = np.where(stratum == "城镇", 1.0, 4.0)  # a village respondent stands for four times as many people
    base = RoundData(answers=answers)
    designed = RoundData(answers=answers, design={"weight": weight, "stratum": stratum, "psu": psu})
    plain = analyse(instrument, base, groups=()).headline()
    weighted = analyse(instrument, designed, groups=()).headline()
    literate = analyse(instrument, base, groups=()).scores.literate
    town, village = literate[stratum == "城镇"].mean(), literate[stratum == "农村"].mean()
    truth = (town * 40 * 1 + village * 20 * 4) / (40 + 20 * 4)  # population shares implied by the weights
    assert weighted.share == pytest.approx(truth, rel=1e-9)
    assert plain.share > weighted.share  # ignoring the design overstates the ratio
    assert weighted.deff > 2  # clustering costs precision, and the interval says so
