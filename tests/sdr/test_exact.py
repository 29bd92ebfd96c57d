"""Exact scaling laws (Eqs. 2–9): the spec's worked examples, properties and edge cases."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spikemem import sdr
from spikemem.ir import IRValidationError


def close(value: float, reference: float, digits: int) -> bool:
    """``value`` rounds to ``reference`` at the ``digits`` significant digits the spec prints."""
    return f"{value:.{digits - 1}e}" == f"{reference:.{digits - 1}e}"


# -- worked examples and tables of the spec ----------------------------------------------------
@pytest.mark.parametrize(
    ("n", "a", "s", "theta", "expected", "digits"),
    [
        (10_000, 300, 30, 12, 2.28e-11, 3),  # worked example
        (10_000, 300, 30, 15, 1.049e-15, 4),  # Eq. 9 example (x 1e6)
        (4000, 128, 24, 12, 1.343e-12, 4),  # Fig. 5A caption / approximations table
        (10_000, 64, 24, 12, 4.04e-21, 3),  # "never 1 - CDF" pitfall
        (2000, 40, 20, 15, 2.47e-23, 3),  # mislabelled notebook cell
        (500, 128, 24, 12, 7.37e-3, 3),  # spiking-validation configurations
        (900, 128, 24, 12, 2.50e-5, 3),
        (1500, 256, 24, 12, 1.87e-4, 3),
        (1000, 50, 20, 5, 2.24e-3, 3),
        (2000, 40, 20, 6, 1.37e-6, 3),
        (2000, 1000, 24, 12, 0.581, 3),  # a true a = n/2
        (300, 75, 24, 12, 5.19e-3, 3),  # a = n/4, the dashed Fig. 5A curve
        (19_900, 4975, 24, 12, 7.17e-3, 3),
    ],
)
def test_false_match_examples(n, a, s, theta, expected, digits):
    assert close(sdr.p_false_match(n, a, s, theta), expected, digits)


FIG4A_PREDICTED = {
    64: {300: 1.0946e-3, 500: 5.696e-6, 700: 1.413e-7},
    128: {300: 0.29208, 500: 7.3679e-3, 700: 3.2011e-4, 1900: 7.13e-9},
    256: {300: 0.999998, 500: 0.62937, 3500: 2.234e-8},
}
FIG5A = {
    64: [8.362e-10, 4.513e-13, 1.663e-16, 3.589e-21, 1.075e-24],
    128: [2.996e-6, 2.291e-9, 1.006e-12, 2.415e-17, 7.493e-21],
    256: [3.505e-3, 5.896e-6, 3.764e-9, 1.123e-13, 3.742e-17],
}
FIG4B_PREDICTED = {
    8: [2.232e-12, 1.207e-7, 7.354e-4, 8.964e-2, 0.7709],
    12: [2.163e-7, 3.144e-4, 7.170e-2, 0.6648, 0.9964],
    16: [5.901e-4, 4.347e-2, 0.5825, 0.9837],
}


def _digits(x: float) -> int:
    return len(f"{x:e}".split("e")[0].replace(".", "").rstrip("0")) or 1


@pytest.mark.parametrize("a", sorted(FIG4A_PREDICTED))
def test_fig4a_predicted(a):
    for n, expected in FIG4A_PREDICTED[a].items():
        value = sdr.p_false_match(n, a, 24, 12)
        assert abs(value / expected - 1) < 5e-4 * max(1, 10 ** (5 - _digits(expected))), (n, value)


@pytest.mark.parametrize("a", sorted(FIG5A))
def test_fig5a_values(a):
    values = sdr.p_false_match([1100, 2100, 4100, 10_100, 19_900], a, 24, 12)
    for value, expected in zip(values, FIG5A[a], strict=True):
        assert close(value, expected, 4)


@pytest.mark.parametrize("theta", sorted(FIG4B_PREDICTED))
def test_fig4b_predicted(theta):
    v = [32, 45, 64, 83, 102][: len(FIG4B_PREDICTED[theta])]
    for value, expected in zip(sdr.p_false_negative(128, 30, theta, v), FIG4B_PREDICTED[theta], strict=True):
        assert abs(value / expected - 1) < 1e-3
    assert sdr.p_false_negative(128, 30, 16, 102) > 0.99999


def test_false_negative_examples():
    assert close(sdr.p_false_negative(300, 30, 12, 60, n=10_000), 3.95e-8, 3)
    assert close(sdr.p_false_negative(128, 30, 12, 19), 2.488e-15, 4)
    assert close(sdr.p_false_negative(128, 30, 16, 19), 2.655e-8, 4)
    assert sdr.p_false_negative(128, 30, 8, 19) == 0.0  # v <= s - theta
    np.testing.assert_allclose(sdr.p_false_negative(128, 30, 12, [51, 64]), [2.80e-3, 7.17e-2], rtol=2e-3)


def test_eq9_example():
    bound = sdr.expected_false_positive_segments(10_000, 300, 30, 15, 10**6)
    assert close(bound, 1.049e-9, 4)
    exact = sdr.p_any_segment(10_000, 300, 30, 15, 10**6)
    assert exact <= bound and abs(exact / bound - 1) < 1e-8  # "very tight"


def test_approximations_table():
    args = (4000, 128, 24, 12)
    assert close(sdr.p_false_match(*args), 1.343e-12, 4)
    assert close(sdr.p_false_match_approx(*args, "binomial"), 2.18e-12, 3)
    assert close(sdr.p_false_match_approx(*args, "leading"), 3.12e-12, 3)
    assert close(sdr.p_false_match_approx(*args, "chernoff"), 1.31e-11, 3)
    for method in sdr.APPROXIMATIONS:
        log = sdr.p_false_match_approx(*args, method, log10=True)
        assert log == pytest.approx(math.log10(sdr.p_false_match_approx(*args, method)), abs=1e-12)


# -- exactness far below the float range -------------------------------------------------------
def _mp_tail(n: int, a: int, s: int, theta: int) -> float:
    mpmath = pytest.importorskip("mpmath")
    mpmath.mp.dps = 60
    total = mpmath.fsum(
        mpmath.binomial(s, b) * mpmath.binomial(n - s, a - b) for b in range(theta, min(s, a) + 1)
    )
    return float(mpmath.log10(total / mpmath.binomial(n, a)))


@pytest.mark.parametrize(
    ("n", "a", "s", "theta"),
    [
        (10_000, 64, 24, 12),
        (190_000, 950, 50, 24),
        (190_000, 950, 50, 50),
        (190_000, 5700, 20, 20),
        (2048, 40, 40, 30),
    ],
)
def test_log10_matches_high_precision(n, a, s, theta):
    log = sdr.log10_p_false_match(n, a, s, theta)
    assert log == pytest.approx(_mp_tail(n, a, s, theta), abs=1e-12)
    value = sdr.p_false_match(n, a, s, theta)
    if log > -300:
        assert value == pytest.approx(10.0**log, rel=1e-12)


def test_values_below_float_range():
    log = sdr.log10_p_false_match(190_000, 950, 50, 50)
    assert -116 < log < -115
    assert sdr.log10_p_false_match(190_000, 190, 190, 190) < -400  # far below 1e-308
    assert sdr.p_false_match(190_000, 190, 190, 190) == 0.0  # the float underflows, the log does not
    assert sdr.log10_p_any_segment(190_000, 190, 190, 190, 10**6) == pytest.approx(
        sdr.log10_p_false_match(190_000, 190, 190, 190) + 6, abs=1e-12
    )


def test_float_is_correctly_rounded_fraction():
    for args in [(500, 128, 24, 12), (10_000, 300, 30, 12), (300, 256, 24, 12), (61, 17, 13, 5)]:
        assert sdr.p_false_match(*args) == float(sdr.p_false_match_fraction(*args))
    assert sdr.p_false_negative(128, 30, 12, 64) == float(sdr.p_false_negative_fraction(128, 30, 12, 64))


def test_scipy_agrees_where_it_is_accurate():
    stats = pytest.importorskip("scipy.stats")
    for n, a, s, theta in [(500, 128, 24, 12), (10_000, 300, 30, 12), (4000, 128, 24, 12)]:
        assert sdr.p_false_match(n, a, s, theta) == pytest.approx(
            stats.hypergeom.sf(theta - 1, n, s, a), rel=1e-9
        )


# -- properties ---------------------------------------------------------------------------------
@st.composite
def fp_params(draw, max_n: int = 400):
    n = draw(st.integers(1, max_n))
    a = draw(st.integers(0, n))
    s = draw(st.integers(0, n))
    theta = draw(st.integers(0, 60))
    return n, a, s, theta


@settings(max_examples=150, deadline=None)
@given(fp_params())
def test_symmetric_in_a_and_s(params):
    n, a, s, theta = params
    assert sdr.p_false_match_fraction(n, a, s, theta) == sdr.p_false_match_fraction(n, s, a, theta)
    assert sdr.p_false_match(n, a, s, theta) == sdr.p_false_match(n, s, a, theta)


@settings(max_examples=150, deadline=None)
@given(fp_params())
def test_limits_and_monotonicity(params):
    n, a, s, theta = params
    p = sdr.p_false_match_fraction(n, a, s, theta)
    assert 0 <= p <= 1
    if theta > min(s, a):
        assert p == 0 and sdr.log10_p_false_match(n, a, s, theta) == -math.inf
    if theta <= max(0, a + s - n):  # every input overlaps at least a + s - n cells
        assert p == 1
    assert sdr.p_false_match_fraction(n, a, s, theta + 1) <= p  # non-increasing in theta
    if a < n:
        assert sdr.p_false_match_fraction(n, a + 1, s, theta) >= p  # non-decreasing in a
    # a difference of tails is the pmf
    assert p - sdr.p_false_match_fraction(n, a, s, theta + 1) == Fraction(
        sdr.overlap_set_size(n, a, s, theta) if theta <= min(a, s) else 0, math.comb(n, a)
    )


@settings(max_examples=150, deadline=None)
@given(fp_params())
def test_float_and_log_agree_with_fraction(params):
    n, a, s, theta = params
    exact = sdr.p_false_match_fraction(n, a, s, theta)
    assert sdr.p_false_match(n, a, s, theta) == float(exact)
    log = sdr.log10_p_false_match(n, a, s, theta)
    if exact == 0:
        assert log == -math.inf
    else:
        ref = math.log10(exact.numerator) - math.log10(exact.denominator)
        assert log == pytest.approx(ref, abs=1e-12)


@st.composite
def fn_params(draw):
    a = draw(st.integers(1, 200))
    s = draw(st.integers(0, a))
    v = draw(st.integers(0, a))
    theta = draw(st.integers(0, s + 3))
    return a, s, theta, v


@settings(max_examples=150, deadline=None)
@given(fn_params())
def test_false_negative_properties(params):
    a, s, theta, v = params
    p = sdr.p_false_negative_fraction(a, s, theta, v)
    assert 0 <= p <= 1
    if v <= s - theta:
        assert p == 0  # guaranteed tolerance
    if theta > s:
        assert p == 1  # the segment can never match
    if theta == 0:
        assert p == 0
    # miss <=> more than s - theta synapses removed: complement is a hypergeometric CDF
    kept = sum(
        math.comb(s, b) * math.comb(a - s, v - b)
        for b in range(0, min(s, v, s - theta) + 1)
        if v - b <= a - s
    )
    assert p == 1 - Fraction(kept, math.comb(a, v)) or (theta > s and p == 1)
    assert sdr.p_false_negative(a, s, theta, v) == float(p)
    assert sdr.noise_tolerance(s, theta) == max(s - theta, 0)


@settings(max_examples=100, deadline=None)
@given(fp_params(max_n=120), st.integers(0, 6))
def test_any_segment_exact_for_small_m(params, m):
    n, a, s, theta = params
    p = sdr.p_false_match_fraction(n, a, s, theta)
    exact = 1 - (1 - p) ** m
    assert sdr.p_any_segment(n, a, s, theta, m) == pytest.approx(float(exact), rel=1e-12, abs=1e-300)
    assert sdr.p_any_segment(n, a, s, theta, m) <= sdr.expected_false_positive_segments(n, a, s, theta, m) * (
        1 + 1e-12
    )


def test_any_segment_limits():
    assert sdr.p_any_segment(500, 128, 24, 12, 0) == 0.0
    assert sdr.p_any_segment(500, 128, 24, 12, 1) == pytest.approx(
        sdr.p_false_match(500, 128, 24, 12), rel=1e-14
    )
    assert sdr.p_any_segment(300, 256, 24, 12, 10**9) == 1.0
    assert sdr.p_any_segment(300, 300, 24, 12, 5) == 1.0  # P_FP = 1
    assert sdr.log10_expected_false_positive_segments(10_000, 300, 30, 15, 10**6, 100) == pytest.approx(
        math.log10(1.049e-15 * 1e8), abs=2e-4
    )


@settings(max_examples=100, deadline=None)
@given(fp_params(max_n=300))
def test_chernoff_bounds_binomial(params):
    n, a, s, theta = params
    if theta > s or s == 0:
        return
    binomial = sdr.p_false_match_approx(n, a, s, theta, "binomial")
    chernoff = sdr.p_false_match_approx(n, a, s, theta, "chernoff")
    assert chernoff >= binomial * (1 - 1e-9)


# -- vectorisation and validation ---------------------------------------------------------------
def test_broadcasting_shapes_and_scalars():
    grid = sdr.p_false_match(np.array([500, 1000, 2000])[:, None], [64, 128], 24, 12)
    assert grid.shape == (3, 2) and grid.dtype == np.float64
    assert grid[1, 1] == sdr.p_false_match(1000, 128, 24, 12)
    assert isinstance(sdr.p_false_match(500, 128, 24, 12), float)
    assert isinstance(sdr.p_false_match(np.int64(500), np.int32(128), 24.0, 12), float)
    assert sdr.p_false_match([], 128, 24, 12).shape == (0,)
    assert sdr.noise_tolerance([30, 30], [12, 40]).tolist() == [18, 0]


@pytest.mark.parametrize(
    ("args", "parameter"),
    [
        ((100, 101, 10, 5), "a"),
        ((100, 10, 101, 5), "s"),
        ((0, 0, 0, 0), "n"),
        ((100, -1, 10, 5), "a"),
        ((100, 10, 10, -1), "theta"),
        ((100, 10.5, 10, 5), "a"),
        ((100, True, 10, 5), "a"),
        ((100, "10", 10, 5), "a"),
        ((100, float("nan"), 10, 5), "a"),
        ((100, [[1, 2], [3]], 10, 5), "a"),
        (([100, 200], [1, 2, 3], 10, 5), "shapes"),
    ],
)
def test_invalid_input(args, parameter):
    with pytest.raises(IRValidationError) as info:
        sdr.p_false_match(*args)
    assert info.value.parameter == parameter


def test_invalid_noise_and_methods():
    with pytest.raises(IRValidationError, match="s="):
        sdr.p_false_negative(10, 11, 5, 3)
    with pytest.raises(IRValidationError, match="v="):
        sdr.p_false_negative(10, 5, 3, 11)
    with pytest.raises(IRValidationError, match="n - a"):
        sdr.p_false_negative(128, 30, 12, 64, n=150)
    with pytest.raises(IRValidationError, match="method"):
        sdr.p_false_match_approx(100, 10, 10, 5, "poisson")
    with pytest.raises(IRValidationError, match="failure_prob"):
        sdr.p_false_match_failures(100, 10, 10, 5, 1.0)


def test_failures_reduce_to_eq4():
    assert sdr.p_false_match_failures(4000, 128, 24, 12, 0.0) == pytest.approx(
        sdr.p_false_match(4000, 128, 24, 12), rel=1e-12
    )
    assert sdr.p_false_match_failures(4000, 128, 24, 12, 0.3) < sdr.p_false_match(4000, 128, 24, 12)
