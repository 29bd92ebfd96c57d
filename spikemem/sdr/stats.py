"""Binomial confidence intervals for Monte Carlo rates (Clopper–Pearson, exact), from SciPy's
:func:`scipy.stats.binomtest`."""

from __future__ import annotations

from spikemem.ir import IRValidationError

from ._grid import as_int


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
    from scipy.stats import binomtest  # imported here: scipy.stats takes ~0.3 s to import

    interval = binomtest(hits, trials).proportion_ci(confidence_level=confidence, method="exact")
    return float(interval.low), float(interval.high)


def trials_for_relative_error(p: float, relative_error: float = 0.1) -> float:
    """Bernoulli trials needed for a relative standard error ``r``: ``(1 - p)/(p r^2)``."""
    if not 0.0 < p <= 1.0:
        raise IRValidationError("trials_for_relative_error", "p", p, "a probability in (0, 1]")
    if not relative_error > 0.0:
        raise IRValidationError("trials_for_relative_error", "relative_error", relative_error, "> 0")
    return (1.0 - p) / (p * relative_error**2)


__all__ = ["clopper_pearson", "trials_for_relative_error"]
