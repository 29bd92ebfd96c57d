"""Clopper–Pearson intervals (SciPy's ``binomtest(...).proportion_ci(method="exact")``)."""

from __future__ import annotations

import math

import pytest

from spikemem import sdr
from spikemem.ir import IRValidationError

# The intervals the hand-written version (a continued-fraction incomplete beta and SciPy's
# betaincinv, replaced by binomtest) gave before the swap: (hits, trials) -> 95 %, 99.9 %.
# binomtest finds the limits by root-finding on the binomial CDF with an absolute tolerance, so
# limits near 1e-8 move by up to 2.8e-5 relative (5 hits in 10^8 trials at 99.9 %; 5e-8 at
# 95 %), far below what a confidence limit needs; the rest agree to 1e-9.
BEFORE_SWAP = {
    (0, 10): ((0.0, 0.3084971078187607), (0.0, 0.5323757760886894)),
    (1, 10): ((0.0025285785444617865, 0.4450161170281954), (5.001125356379196e-05, 0.6531303330947354)),
    (5, 10**8): (
        (1.623486409409609e-08, 1.1668331693505008e-07),
        (6.324910509817906e-09, 1.7410636241587743e-07),
    ),
    (500, 10**6): (
        (0.00045713814855847455, 0.0005457967656540888),
        (0.0004296956475838683, 0.0005779199276919609),
    ),
    (10, 10): ((0.6915028921812392, 1.0), (0.4676242239113107, 1.0)),
    (999, 1000): ((0.9944410757201734, 0.9999746825125088), (0.9900461856590492, 0.9999994998750834)),
    (37, 1234): ((0.02119736257683741, 0.04109347038120641), (0.016465698891982513, 0.04942461089793303)),
}


@pytest.mark.parametrize(("hits", "trials"), list(BEFORE_SWAP))
def test_same_intervals_as_before_the_swap(hits, trials):
    rel = 1e-4 if trials >= 10**8 else 1e-9
    for confidence, expected in zip((0.95, 0.999), BEFORE_SWAP[(hits, trials)], strict=True):
        low, high = sdr.clopper_pearson(hits, trials, confidence)
        assert low == pytest.approx(expected[0], rel=rel, abs=1e-300)
        assert high == pytest.approx(expected[1], rel=rel)


def test_closed_forms_and_rules():
    low, high = sdr.clopper_pearson(0, 10**8)
    assert low == 0.0 and high == pytest.approx(-math.expm1(math.log(0.025) / 1e8), rel=1e-9)
    assert 3e-8 < high < 4e-8  # about 3.7/N at 95% two-sided
    assert sdr.clopper_pearson(7, 7)[1] == 1.0
    assert sdr.trials_for_relative_error(1e-6, 0.1) == pytest.approx(1e8, rel=1e-5)


@pytest.mark.parametrize(
    ("hits", "trials", "confidence"), [(-1, 10, 0.95), (11, 10, 0.95), (1, 0, 0.95), (1, 10, 1.0)]
)
def test_invalid(hits, trials, confidence):
    with pytest.raises(IRValidationError):
        sdr.clopper_pearson(hits, trials, confidence)
