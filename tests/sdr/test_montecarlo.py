"""Monte Carlo of random SDR matches against the exact laws, determinism and validation."""

from __future__ import annotations

import math

import numpy as np
import pytest

from spikemem import sdr
from spikemem.ir import IRValidationError

LEVEL = 0.999  # fixed seeds make these deterministic; the wide level keeps them robust to edits


def inside(estimate: sdr.MCEstimate, p: float) -> bool:
    low, high = estimate.interval(LEVEL)
    return low <= p <= high


@pytest.mark.parametrize(
    ("n", "a", "s", "theta"),
    [
        (300, 64, 24, 12),
        (500, 128, 24, 12),
        (900, 128, 24, 12),
        (1500, 256, 24, 12),
        (1000, 50, 20, 5),
        (300, 256, 24, 12),
        (200, 10, 40, 3),
    ],
)
def test_false_match_within_interval(n, a, s, theta):
    estimate = sdr.mc_false_match(n, a, s, theta, comparisons=2 * 10**6, seed=(1, n, a))
    assert estimate.trials == 2 * 10**6
    assert inside(estimate, sdr.p_false_match(n, a, s, theta)), (
        estimate.rate,
        sdr.p_false_match(n, a, s, theta),
    )


def test_several_thresholds_in_one_run():
    thetas = [0, 8, 10, 12, 25]
    many = sdr.mc_false_match(500, 128, 24, thetas, comparisons=10**6, per_trial=70, refresh=37, seed=4)
    assert [e.hits for e in many] == [
        sdr.mc_false_match(500, 128, 24, t, comparisons=10**6, per_trial=70, refresh=37, seed=4).hits
        for t in thetas
    ]
    assert many[0].hits == many[0].trials  # theta = 0 always matches
    assert many[-1].hits == 0  # theta > s never does
    assert all(inside(e, sdr.p_false_match(500, 128, 24, t)) for e, t in zip(many, thetas, strict=True))


def test_determinism_and_seeds():
    first = sdr.mc_false_match(500, 128, 24, 12, comparisons=10**6, seed=42)
    again = sdr.mc_false_match(500, 128, 24, 12, comparisons=10**6, seed=42)
    other = sdr.mc_false_match(500, 128, 24, 12, comparisons=10**6, seed=43)
    assert first.hits == again.hits and first.hits != other.hits
    noise = [sdr.mc_false_negative(128, 30, 12, 64, trials=10**5, seed=s).hits for s in (1, 1, 2)]
    assert noise[0] == noise[1] != noise[2]
    assert (
        sdr.mc_overlap_histogram(100, 10, 20, 1000, seed=3).tolist()
        == sdr.mc_overlap_histogram(100, 10, 20, 1000, seed=3).tolist()
    )


def test_binomial_dispersion_of_pooled_comparisons():
    """Pooled comparisons are pairwise independent: the counts have the binomial variance."""
    n, a, s, theta, trials = 300, 64, 24, 10, 50_000
    p = sdr.p_false_match(n, a, s, theta)
    hits = np.array(
        [
            sdr.mc_false_match(
                n, a, s, theta, comparisons=trials, per_trial=500, refresh=10**6, seed=(9, i)
            ).hits
            for i in range(40)
        ]
    )
    dispersion = float(((hits - trials * p) ** 2).sum() / (trials * p * (1 - p)))
    assert 15 < dispersion < 75  # chi-square with 40 degrees of freedom: 99.9% range about [17, 73]


def test_overlap_histogram_matches_pmf():
    n, k1, k2, pairs = 120, 20, 30, 200_000
    hist = sdr.mc_overlap_histogram(n, k1, k2, pairs, seed=2)
    assert hist.sum() == pairs and hist.size == 21
    pmf = sdr.overlap_pmf(n, k2, k1, np.arange(hist.size))
    assert pmf.sum() == pytest.approx(1.0, rel=1e-12)
    expected = pairs * pmf
    keep = expected > 5
    chi2 = float(((hist[keep] - expected[keep]) ** 2 / expected[keep]).sum())
    assert chi2 < 45  # about 12 degrees of freedom


@pytest.mark.parametrize(("theta", "v"), [(8, 64), (12, 51), (12, 64), (16, 45), (16, 102), (12, 10)])
def test_false_negative_within_interval(theta, v):
    estimate = sdr.mc_false_negative(128, 30, theta, v, trials=10**6, seed=(2, theta, v))
    assert inside(estimate, sdr.p_false_negative(128, 30, theta, v))
    if v <= 30 - theta:
        assert estimate.hits == 0


def test_literal_false_negative_procedure():
    thetas = [8, 12, 16]
    estimates = sdr.mc_false_negative(128, 30, thetas, 64, trials=30_000, n=6000, literal=True, seed=8)
    for estimate, theta in zip(estimates, thetas, strict=True):
        assert estimate.trials == 30_000
        assert inside(estimate, sdr.p_false_negative(128, 30, theta, 64))
    assert sdr.mc_false_negative(128, 30, 12, 18, trials=2000, n=6000, literal=True, seed=1).hits == 0


def test_rare_events_reach_far_below_direct_counts():
    n, a, s, theta, fail = 10_000, 64, 24, 12, 0.25
    exact = sdr.p_false_match_failures(n, a, s, theta, fail, log10=True)
    assert exact < -20
    strat = sdr.mc_false_match_stratified(n, a, s, theta, failure_prob=fail, trials_per_overlap=4000, seed=1)
    assert strat.log10_low <= exact <= strat.log10_high
    assert strat.samples == 4000 * 13 and strat.method == "stratified"
    imp = sdr.mc_false_match_importance(n, a, s, theta, failure_prob=fail, samples=40_000, seed=1)
    assert imp.log10_low <= exact <= imp.log10_high
    uniform = sdr.mc_false_match_importance(
        n, a, s, theta, failure_prob=fail, samples=40_000, seed=1, proposal="uniform"
    )
    assert uniform.log10_low <= exact <= uniform.log10_high
    # an ideal segment: the constructed inputs reproduce Eq. 4 (the spike test itself is exercised)
    ideal = sdr.mc_false_match_stratified(n, a, s, theta, trials_per_overlap=200, seed=1)
    assert ideal.log10_value == pytest.approx(float(sdr.log10_p_false_match(n, a, s, theta)), abs=1e-12)
    below = sdr.mc_false_match_stratified(n, a, s, theta, overlaps=[10, 11], trials_per_overlap=200, seed=1)
    assert below.log10_value == -math.inf  # an ideal segment never spikes below theta


def test_rare_false_negatives():
    from spikemem.sdr.montecarlo import mc_false_negative_stratified

    for theta in (12, 16):
        est = mc_false_negative_stratified(128, 30, theta, 19, trials_per_overlap=500, seed=3)
        assert est.log10_value == pytest.approx(
            float(sdr.log10_p_false_negative(128, 30, theta, 19)), abs=1e-12
        )
    assert mc_false_negative_stratified(128, 30, 8, 19).log10_value == -math.inf  # v <= s - theta


@pytest.mark.parametrize(
    ("call", "parameter"),
    [
        (lambda: sdr.mc_false_match(100, 101, 10, 5), "a"),
        (lambda: sdr.mc_false_match(100, 10, 10, 5, comparisons=0), "comparisons"),
        (lambda: sdr.mc_false_match(100, 10, 10, [], comparisons=10), "theta"),
        (lambda: sdr.mc_false_match(100, 10, 10, 5, per_trial=1.5), "per_trial"),
        (lambda: sdr.mc_false_negative(128, 130, 12, 5), "s"),
        (lambda: sdr.mc_false_negative(128, 30, 12, 5, literal=True), "n"),
        (lambda: sdr.mc_false_negative(128, 30, 12, 64, n=150), "v"),
        (lambda: sdr.mc_false_match_stratified(100, 10, 10, 5, failure_prob=1.0), "failure_prob"),
        (lambda: sdr.mc_false_match_stratified(100, 10, 10, 5, overlaps=[11]), "overlaps"),
        (lambda: sdr.mc_false_match_importance(100, 10, 10, 5, proposal=[1.0]), "proposal"),
        (lambda: sdr.mc_false_match_importance(100, 10, 10, 5, proposal="flat"), "proposal"),
    ],
)
def test_invalid_arguments(call, parameter):
    with pytest.raises(IRValidationError) as info:
        call()
    assert info.value.parameter == parameter
