"""Union of M patterns on one segment (Eqs. 10–15) and the exact distribution of |X|."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spikemem import sdr
from spikemem.ir import IRValidationError


@pytest.mark.parametrize(
    ("n", "a", "exact", "mean_field"),
    [
        (10_000, 200, 1.286e-4, 1.271e-4),
        (20_000, 200, 3.258e-8, 3.322e-8),
        (20_000, 100, 1.698e-12, 1.735e-12),
    ],
)
def test_spec_union_table(n, a, exact, mean_field):
    assert sdr.p_union_false_match_exact(n, a, 25, 15, 10) == pytest.approx(exact, rel=5e-4)
    assert sdr.p_union_false_match(n, a, 25, 15, 10) == pytest.approx(mean_field, rel=5e-4)
    assert sdr.log10_p_union_false_match_exact(n, a, 25, 15, 10) == pytest.approx(math.log10(exact), abs=3e-4)
    assert sdr.log10_p_union_false_match(n, a, 25, 15, 10) == pytest.approx(math.log10(mean_field), abs=3e-4)


def test_union_worked_example():
    size = sdr.expected_union_size(20_000, 25, 10)
    assert f"{size:.1f}" == "248.6" and size < 250
    assert sdr.union_p_zero(20_000, 25, 10) == pytest.approx(0.98757, abs=1e-5)  # "98.75% of bits zero"
    assert f"{sdr.p_union_false_match(20_000, 100, 25, 15, 10):.2e}" == "1.73e-12"  # "< 1e-11"


def test_fig7a_values():
    np.testing.assert_allclose(
        sdr.expected_union_size(1000, [20, 25, 30], 19), [318.8, 381.9, 439.4], atol=0.05
    )
    np.testing.assert_allclose(sdr.expected_union_size(1000, 30, [4, 16]), [114.7, 385.7], atol=0.05)


def test_mean_field_uses_rounded_size():
    size = sdr.expected_union_size(10_000, 25, 10)
    k = sdr.union.round_half_up(size)
    assert sdr.p_union_false_match(10_000, 200, 25, 15, 10) == sdr.p_false_match(10_000, 200, k, 15)
    assert sdr.union.round_half_up(2.5) == 3 and sdr.union.round_half_up(3.5) == 4


def test_exact_match_bloom_estimate():
    p0 = sdr.union_p_zero(1000, 20, 5)
    assert sdr.p_union_exact_match(1000, 20, 5, 20) == pytest.approx((1 - p0) ** 20, rel=1e-12)
    assert sdr.p_union_exact_match(1000, 1000, 1, 5) == 1.0


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 40), st.data())
def test_distribution_matches_exact_rational_dp(n, data):
    s = data.draw(st.integers(0, n))
    m = data.draw(st.integers(0, 5))
    exact = sdr.union_size_distribution_fraction(n, s, m)
    assert sum(exact) == 1
    floats = sdr.union_size_distribution(n, s, m)
    assert floats.size == len(exact)
    for p, q in zip(exact, floats, strict=True):
        assert q == pytest.approx(float(p), rel=1e-11, abs=0 if p else 1e-300)
    # the mean is Eq. 13 exactly: each cell is missed by a pattern with probability 1 - s/n
    mean = sum(k * p for k, p in enumerate(exact))
    assert mean == n * (1 - (1 - Fraction(s, n)) ** m)
    assert sdr.expected_union_size(n, s, m) == pytest.approx(float(mean), rel=1e-12, abs=1e-12)


def test_distribution_logs_far_below_float_range():
    logs = sdr.union_size_distribution(20_000, 25, 10, log10=True)
    assert logs.size == 251
    assert logs[25] < -700  # ten identical patterns: C(n, s)^-9, finite in log space
    disjoint = Fraction(
        math.prod(math.comb(20_000 - 25 * i, 25) for i in range(10)), math.comb(20_000, 25) ** 10
    )
    assert logs[250] == pytest.approx(math.log10(disjoint), abs=1e-12)
    identical = -9 * math.log10(math.comb(20_000, 25))
    assert logs[25] == pytest.approx(identical, abs=1e-9)
    assert np.isfinite(logs[25:]).all() and np.isneginf(logs[:25]).all()
    probs = sdr.union_size_distribution(20_000, 25, 10)
    assert probs.sum() == pytest.approx(1.0, rel=1e-12)
    assert np.dot(np.arange(probs.size), probs) == pytest.approx(
        sdr.expected_union_size(20_000, 25, 10), rel=1e-12
    )


def test_exact_mixture_against_direct_sum():
    n, a, s, theta, m = 60, 12, 6, 4, 3
    dist = sdr.union_size_distribution_fraction(n, s, m)
    direct = sum(p * sdr.p_false_match_fraction(n, a, k, theta) for k, p in enumerate(dist))
    assert sdr.p_union_false_match_exact(n, a, s, theta, m) == pytest.approx(float(direct), rel=1e-11)


def test_union_grid_and_validation():
    grid = sdr.p_union_false_match([1000, 10_000], 200, 25, 15, np.arange(1, 4)[:, None])
    assert grid.shape == (3, 2)
    assert np.all(np.diff(grid, axis=0) > 0)  # more patterns, more false matches
    with pytest.raises(IRValidationError):
        sdr.p_union_false_match(100, 101, 5, 3, 2)
    with pytest.raises(IRValidationError):
        sdr.union_size_distribution(10, 11, 2)
    with pytest.raises(IRValidationError):
        sdr.expected_union_size(10, 5, -1)
