"""Binomial confidence intervals for Monte Carlo rates (Clopper–Pearson, exact).

Uses :func:`scipy.special.betaincinv` when SciPy is installed and otherwise a bisection on the
regularised incomplete beta function (a continued fraction, Numerical Recipes §6.4), which
agrees with SciPy to better than 1e-6 relative for up to 10⁹ trials (the ``lgamma`` differences
lose digits for huge counts) — ample for a confidence limit.
"""

from __future__ import annotations

import math

from spikemem.ir import IRValidationError

from ._grid import as_int


def _betacf(a: float, b: float, x: float) -> float:
    """Continued fraction of the incomplete beta function (modified Lentz)."""
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 1_000_000):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < 1e-15:
            break
    return h


def betainc(a: float, b: float, x: float) -> float:
    """Regularised incomplete beta function ``I_x(a, b)`` for ``a, b > 0`` (pure Python)."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    ln_front = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    if x < (a + 1.0) / (a + b + 2.0):
        return math.exp(ln_front) * _betacf(a, b, x) / a
    return 1.0 - math.exp(ln_front) * _betacf(b, a, 1.0 - x) / b


def _betaincinv(a: float, b: float, y: float) -> float:
    """Solve ``I_x(a, b) = y`` for ``x`` by bisection in log space (pure Python fallback)."""
    lo, hi = 0.0, 1.0
    for _ in range(200):
        mid = math.sqrt(lo * hi) if lo > 0.0 and hi / lo > 4.0 else 0.5 * (lo + hi)
        if mid <= lo or mid >= hi:
            mid = 0.5 * (lo + hi)
        if betainc(a, b, mid) < y:
            lo = mid
        else:
            hi = mid
        if hi - lo <= 1e-15 * hi:
            break
    return 0.5 * (lo + hi)


def _inverse(a: float, b: float, y: float) -> float:
    try:
        from scipy.special import betaincinv
    except ImportError:  # pragma: no cover - exercised when SciPy is absent
        return _betaincinv(a, b, y)
    return float(betaincinv(a, b, y))


def clopper_pearson(hits: int, trials: int, confidence: float = 0.95) -> tuple[float, float]:
    """Exact (Clopper–Pearson) two-sided interval for a binomial proportion.

    Parameters
    ----------
    hits, trials : int
        Successes and Bernoulli trials, ``0 <= hits <= trials``, ``trials >= 1``.
    confidence : float
        Coverage, in (0, 1).

    Returns
    -------
    (float, float)
        The lower and upper limits. With no hits the upper limit is ``1 - (α/2)^(1/N)``,
        about ``3.7/N`` at 95% (the "3/N" rule is the one-sided version).
    """
    owner = "clopper_pearson"
    trials = as_int(owner, "trials", trials, low=1)
    hits = as_int(owner, "hits", hits)
    if hits > trials:
        raise IRValidationError(owner, "hits", hits, f"0 <= hits <= trials ({trials})")
    if not 0.0 < confidence < 1.0:
        raise IRValidationError(owner, "confidence", confidence, "a number in (0, 1)")
    alpha = 1.0 - confidence
    if hits == 0:
        lower = 0.0
    else:
        lower = _inverse(hits, trials - hits + 1, alpha / 2)
    if hits == trials:
        upper = 1.0
    elif hits == 0:
        upper = -math.expm1(math.log(alpha / 2) / trials)
    else:
        upper = _inverse(hits + 1, trials - hits, 1 - alpha / 2)
    return lower, upper


def trials_for_relative_error(p: float, relative_error: float = 0.1) -> float:
    """Bernoulli trials needed for a relative standard error ``r``: ``(1 - p)/(p r^2)``."""
    if not 0.0 < p <= 1.0:
        raise IRValidationError("trials_for_relative_error", "p", p, "a probability in (0, 1]")
    if not relative_error > 0.0:
        raise IRValidationError("trials_for_relative_error", "relative_error", relative_error, "> 0")
    return (1.0 - p) / (p * relative_error**2)


__all__ = ["betainc", "clopper_pearson", "trials_for_relative_error"]
