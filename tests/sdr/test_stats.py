"""Clopper–Pearson intervals, with and without SciPy."""

from __future__ import annotations

import math

import pytest

from spikemem import sdr
from spikemem.ir import IRValidationError
from spikemem.sdr import stats


@pytest.mark.parametrize(
    ("hits", "trials"), [(0, 10), (1, 10), (5, 10**8), (500, 10**6), (10, 10), (999, 1000)]
)
def test_matches_scipy_beta(hits, trials):
    beta = pytest.importorskip("scipy.stats").beta
    low, high = sdr.clopper_pearson(hits, trials, 0.95)
    ref_low = 0.0 if hits == 0 else beta.ppf(0.025, hits, trials - hits + 1)
    ref_high = 1.0 if hits == trials else beta.ppf(0.975, hits + 1, trials - hits)
    assert low == pytest.approx(ref_low, rel=1e-9, abs=1e-300)
    assert high == pytest.approx(ref_high, rel=1e-9)


@pytest.mark.parametrize(
    ("a", "b", "y"), [(5, 10**8 - 4, 0.025), (6, 10**8 - 5, 0.975), (3.0, 7.0, 0.4), (50, 60, 0.9)]
)
def test_pure_python_fallback(a, b, y):
    special = pytest.importorskip("scipy.special")
    assert stats._betaincinv(a, b, y) == pytest.approx(float(special.betaincinv(a, b, y)), rel=1e-6)
    x = float(special.betaincinv(a, b, y))
    assert stats.betainc(a, b, x) == pytest.approx(y, rel=1e-6)


def test_closed_forms_and_rules():
    low, high = sdr.clopper_pearson(0, 10**8)
    assert low == 0.0 and high == pytest.approx(-math.expm1(math.log(0.025) / 1e8), rel=1e-12)
    assert 3e-8 < high < 4e-8  # about 3.7/N at 95% two-sided
    assert sdr.clopper_pearson(7, 7)[1] == 1.0
    assert sdr.trials_for_relative_error(1e-6, 0.1) == pytest.approx(1e8, rel=1e-5)


@pytest.mark.parametrize(
    ("hits", "trials", "confidence"), [(-1, 10, 0.95), (11, 10, 0.95), (1, 0, 0.95), (1, 10, 1.0)]
)
def test_invalid(hits, trials, confidence):
    with pytest.raises(IRValidationError):
        sdr.clopper_pearson(hits, trials, confidence)
