"""Exact scaling laws of dendritic pattern matching (Ahmad & Hawkins 2016, Eqs. 1–9).

Notation (the paper's): ``n`` presynaptic cells, ``a`` active cells in the input ``A``, a
dendritic segment ``D`` with ``s`` synapses, NMDA threshold ``theta``, ``v`` noise bits and ``M``
segments. The segment spikes when the overlap ``A·D >= theta`` (Eq. 1).

Every function accepts integers or array-likes of integers, broadcasts them, and returns a
``float`` (scalar input) or a float64 array. Values are computed with exact big-integer
arithmetic and rounded once at the end; the ``log10_*`` variants return base-10 logarithms that
stay accurate far below the float range (``-inf`` for an exact zero). ``*_fraction`` variants
return the exact :class:`fractions.Fraction` for one parameter set.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import numpy as np

from spikemem.ir import IRValidationError

from ._exactmath import ln_ratio, log1mexp, log10_ratio, logsumexp, tail_fraction, tail_table
from ._grid import as_int, evaluate

LN10 = math.log(10.0)
ArrayLike = Any
"""An integer or an array-like of integers."""


# -- domain checks -------------------------------------------------------------------------------
def _check_fp(owner: str, n: int, a: int, s: int) -> None:
    if n < 1:
        raise IRValidationError(owner, "n", n, "n >= 1")
    if a > n:
        raise IRValidationError(owner, "a", a, f"0 <= a <= n (n={n})")
    if s > n:
        raise IRValidationError(owner, "s", s, f"0 <= s <= n (n={n})")


def _check_fn(owner: str, a: int, s: int, v: int) -> None:
    if s > a:
        raise IRValidationError(owner, "s", s, f"0 <= s <= a (a={a}): D is a subset of A")
    if v > a:
        raise IRValidationError(owner, "v", v, f"0 <= v <= a (a={a})")


# -- Eqs. 2-4: overlap sets and false matches ----------------------------------------------------
def overlap_set_size(n: int, a: int, s: int, b: int) -> int:
    """Number of inputs with ``a`` active cells that overlap a segment of ``s`` synapses in
    exactly ``b`` cells (Eqs. 2–3): ``|Ω_D(n, a, b)| = C(s, b) C(n - s, a - b)``.

    Parameters
    ----------
    n, a, s, b : int
        Cells, active cells, synapses and overlap.

    Returns
    -------
    int
        The exact count (0 outside the support).
    """
    owner = "overlap_set_size"
    n, a, s, b = (as_int(owner, k, x) for k, x in zip("nasb", (n, a, s, b), strict=True))
    _check_fp(owner, n, a, s)
    if b > min(a, s) or a - b > n - s:
        return 0
    return math.comb(s, b) * math.comb(n - s, a - b)


def _fp_value(n: int, a: int, s: int, theta: int) -> float:
    _check_fp("p_false_match", n, a, s)
    return tail_table(n, s, a, theta).value(theta)


def _fp_log10(n: int, a: int, s: int, theta: int) -> float:
    _check_fp("log10_p_false_match", n, a, s)
    return tail_table(n, s, a, theta).log10(theta)


_FP_NAMES = ("n", "a", "s", "theta")
_FP_LOWS = (1, 0, 0, 0)


def p_false_match(n: ArrayLike, a: ArrayLike, s: ArrayLike, theta: ArrayLike) -> float | np.ndarray:
    r"""Probability that a random input matches a segment by chance (Eq. 4).

    .. math:: P_{FP}(n,a,s,\theta)=\sum_{b=\theta}^{\min(s,a)}\binom{s}{b}\binom{n-s}{a-b}
              \Big/\binom{n}{a}

    The upper tail of a hypergeometric distribution, symmetric in ``a`` and ``s``, exactly 0
    when ``theta > min(s, a)`` and exactly 1 when ``theta`` is at or below the smallest possible
    overlap.

    Parameters
    ----------
    n : int or array-like
        Number of presynaptic cells (>= 1).
    a : int or array-like
        Active cells in the input, ``0 <= a <= n``.
    s : int or array-like
        Synapses on the segment, ``0 <= s <= n``.
    theta : int or array-like
        Segment (NMDA) threshold, ``>= 0``.

    Returns
    -------
    float or numpy.ndarray
        The probability, correctly rounded from the exact rational value (it underflows to 0.0
        below about 5e-324; use :func:`log10_p_false_match` there).
    """
    return evaluate("p_false_match", _fp_value, _FP_NAMES, (n, a, s, theta), _FP_LOWS)


def log10_p_false_match(n: ArrayLike, a: ArrayLike, s: ArrayLike, theta: ArrayLike) -> float | np.ndarray:
    """``log10`` of :func:`p_false_match` (Eq. 4), accurate at any magnitude; ``-inf`` for 0."""
    return evaluate("log10_p_false_match", _fp_log10, _FP_NAMES, (n, a, s, theta), _FP_LOWS)


def p_false_match_fraction(n: int, a: int, s: int, theta: int) -> Fraction:
    """Eq. 4 as an exact :class:`~fractions.Fraction` (one parameter set)."""
    owner = "p_false_match_fraction"
    n, a, s, theta = (
        as_int(owner, k, x, low=lo) for k, x, lo in zip(_FP_NAMES, (n, a, s, theta), _FP_LOWS, strict=True)
    )
    _check_fp(owner, n, a, s)
    return tail_fraction(n, s, a, theta)


def overlap_pmf(n: ArrayLike, a: ArrayLike, s: ArrayLike, b: ArrayLike) -> float | np.ndarray:
    """Probability that a random input overlaps a segment in exactly ``b`` cells.

    ``|Ω_D(n, a, b)| / C(n, a)`` (the hypergeometric pmf ``h(b)``), exact and then rounded.
    """

    def exact(n: int, a: int, s: int, b: int) -> float:
        count = overlap_set_size(n, a, s, b)
        return count / math.comb(n, a)

    return evaluate("overlap_pmf", exact, ("n", "a", "s", "b"), (n, a, s, b), (1, 0, 0, 0))


# -- Eqs. 5-6: false negatives under noise -------------------------------------------------------
def _fn_args(owner: str, a: int, s: int, theta: int, v: int) -> tuple[int, int, int, int]:
    """Eq. 6 as a hypergeometric tail: population a, s marked, v draws, tail from s - theta + 1."""
    _check_fn(owner, a, s, v)
    return a, s, v, max(0, s - theta + 1)


def _fn_value(a: int, s: int, theta: int, v: int) -> float:
    pop, marked, draws, t = _fn_args("p_false_negative", a, s, theta, v)
    return tail_table(pop, marked, draws, t).value(t)


def _fn_log10(a: int, s: int, theta: int, v: int) -> float:
    pop, marked, draws, t = _fn_args("log10_p_false_negative", a, s, theta, v)
    return tail_table(pop, marked, draws, t).log10(t)


_FN_NAMES = ("a", "s", "theta", "v")
_FN_LOWS = (0, 0, 0, 0)


def _check_n_for_noise(owner: str, n: ArrayLike | None, a: ArrayLike, v: ArrayLike) -> None:
    if n is None:
        return

    def kernel(n: int, a: int, v: int) -> float:
        if v > n - a:
            raise IRValidationError(owner, "v", v, f"v <= n - a = {n - a} (noise bits come from outside A)")
        return 0.0

    evaluate(owner, kernel, ("n", "a", "v"), (n, a, v), (1, 0, 0))


def p_false_negative(
    a: ArrayLike, s: ArrayLike, theta: ArrayLike, v: ArrayLike, *, n: ArrayLike | None = None
) -> float | np.ndarray:
    r"""Probability that a noisy copy of a stored input no longer matches its segment (Eq. 6).

    ``D`` is a random ``s``-subset of ``A``; ``A*`` swaps ``v`` of ``A``'s active cells for
    ``v`` inactive ones (which can never land on ``D``). The segment misses ``A*`` when more
    than ``s - theta`` of its synapses were among the removed cells:

    .. math:: P_{FN}(a,s,\theta,v)=\sum_{b=s-\theta+1}^{\min(s,v)}\binom{s}{b}\binom{a-s}{v-b}
              \Big/\binom{a}{v}

    Exactly 0 when ``v <= s - theta`` (the guaranteed noise tolerance) and independent of ``n``.
    The paper's text cites this as Eq. 6; the Fig. 4B caption calls it Eq. 5.

    Parameters
    ----------
    a : int or array-like
        Active cells in the stored input.
    s : int or array-like
        Synapses on the segment, ``0 <= s <= a``.
    theta : int or array-like
        Segment threshold, ``>= 0`` (``theta > s``: the segment never matches, so 1).
    v : int or array-like
        Noise bits, ``0 <= v <= a``.
    n : int or array-like, optional
        Number of cells; only checked (``v <= n - a``), since the result does not depend on it.

    Returns
    -------
    float or numpy.ndarray
    """
    _check_n_for_noise("p_false_negative", n, a, v)
    return evaluate("p_false_negative", _fn_value, _FN_NAMES, (a, s, theta, v), _FN_LOWS)


def log10_p_false_negative(
    a: ArrayLike, s: ArrayLike, theta: ArrayLike, v: ArrayLike, *, n: ArrayLike | None = None
) -> float | np.ndarray:
    """``log10`` of :func:`p_false_negative` (Eq. 6); ``-inf`` where it is exactly 0."""
    _check_n_for_noise("log10_p_false_negative", n, a, v)
    return evaluate("log10_p_false_negative", _fn_log10, _FN_NAMES, (a, s, theta, v), _FN_LOWS)


def p_false_negative_fraction(a: int, s: int, theta: int, v: int) -> Fraction:
    """Eq. 6 as an exact :class:`~fractions.Fraction` (one parameter set)."""
    owner = "p_false_negative_fraction"
    a, s, theta, v = (as_int(owner, k, x) for k, x in zip(_FN_NAMES, (a, s, theta, v), strict=True))
    pop, marked, draws, t = _fn_args(owner, a, s, theta, v)
    return tail_fraction(pop, marked, draws, t)


def noise_tolerance(s: ArrayLike, theta: ArrayLike) -> int | np.ndarray:
    """Largest number of noise bits that can never cause a miss: ``max(s - theta, 0)``.

    For ``v <= s - theta``, :func:`p_false_negative` is exactly 0 (the paper's guaranteed
    tolerance of ``(s - theta)/s`` of the synapses).
    """
    values = evaluate(
        "noise_tolerance", lambda s, t: float(max(s - t, 0)), ("s", "theta"), (s, theta), (0, 0)
    )
    return int(values) if isinstance(values, float) else values.astype(np.int64)


# -- Eqs. 7-9: a neuron (or population) of M segments --------------------------------------------
def _ln_not_fp(n: int, a: int, s: int, theta: int) -> float:
    """``ln(1 - P_FP)`` accurate for P_FP near 0 and near 1."""
    table = tail_table(n, s, a, theta)
    p = table.value(theta)
    if p < 0.5:
        return math.log1p(-p)
    return log1mexp(table.ln(theta))


def _any_ln(n: int, a: int, s: int, theta: int, m: int) -> float:
    """``ln(1 - (1 - P_FP)^M)`` (Eq. 8) in log space."""
    _check_fp("p_any_segment", n, a, s)
    table = tail_table(n, s, a, theta)
    ln_p = table.ln(theta)
    if m == 0 or ln_p == -math.inf:
        return -math.inf
    ln_q = _ln_not_fp(n, a, s, theta)  # ln(1 - P) <= 0
    x = m * ln_q  # ln((1-P)^M)
    if x == -math.inf:
        return 0.0
    if -x < 1e-250:
        # M P is at the edge of (or below) the float range, where the relative correction
        # (M - 1) P / 2 is negligible: ln(1 - (1-P)^M) = ln M + ln P
        return math.log(m) + ln_p
    return log1mexp(x)


def p_any_segment(
    n: ArrayLike, a: ArrayLike, s: ArrayLike, theta: ArrayLike, M: ArrayLike
) -> float | np.ndarray:
    r"""Probability that a random input matches at least one of ``M`` random segments (Eq. 8).

    .. math:: P(A\in S)=1-(1-P_{FP})^M

    Exact when the segments are independent random ``s``-subsets (given ``A`` the ``M`` events
    are i.i.d.); only approximate for fixed, overlapping segments. Computed in log space as
    ``-expm1(M log1p(-P_FP))``, never as ``1 - CDF``.

    Parameters
    ----------
    n, a, s, theta : int or array-like
        As in :func:`p_false_match`.
    M : int or array-like
        Number of segments (>= 0).

    Returns
    -------
    float or numpy.ndarray
    """
    return evaluate(
        "p_any_segment",
        lambda *k: math.exp(_any_ln(*k)),
        (*_FP_NAMES, "M"),
        (n, a, s, theta, M),
        (*_FP_LOWS, 0),
    )


def log10_p_any_segment(
    n: ArrayLike, a: ArrayLike, s: ArrayLike, theta: ArrayLike, M: ArrayLike
) -> float | np.ndarray:
    """``log10`` of :func:`p_any_segment` (Eq. 8), accurate at any magnitude."""
    return evaluate(
        "log10_p_any_segment",
        lambda *k: _any_ln(*k) / LN10,
        (*_FP_NAMES, "M"),
        (n, a, s, theta, M),
        (*_FP_LOWS, 0),
    )


def expected_false_positive_segments(
    n: ArrayLike, a: ArrayLike, s: ArrayLike, theta: ArrayLike, M: ArrayLike, presentations: ArrayLike = 1
) -> float | np.ndarray:
    r"""Union bound of Eq. 9, ``M P_FP`` — also the expected number of false-positive segments.

    .. math:: P(A\in S)\le M\,P_{FP}, \qquad E[\#FP] = N\,M\,P_{FP}

    over ``N = presentations`` inputs. It can exceed 1 (it is an expectation).
    """

    def kernel(n: int, a: int, s: int, theta: int, m: int, reps: int) -> float:
        _check_fp("expected_false_positive_segments", n, a, s)
        return m * reps * tail_table(n, s, a, theta).value(theta)

    return evaluate(
        "expected_false_positive_segments",
        kernel,
        (*_FP_NAMES, "M", "presentations"),
        (n, a, s, theta, M, presentations),
        (*_FP_LOWS, 0, 0),
    )


def log10_expected_false_positive_segments(
    n: ArrayLike, a: ArrayLike, s: ArrayLike, theta: ArrayLike, M: ArrayLike, presentations: ArrayLike = 1
) -> float | np.ndarray:
    """``log10`` of :func:`expected_false_positive_segments` (Eq. 9) at any magnitude."""

    def kernel(n: int, a: int, s: int, theta: int, m: int, reps: int) -> float:
        _check_fp("log10_expected_false_positive_segments", n, a, s)
        if m == 0 or reps == 0:
            return -math.inf
        return math.log10(m) + math.log10(reps) + tail_table(n, s, a, theta).log10(theta)

    return evaluate(
        "log10_expected_false_positive_segments",
        kernel,
        (*_FP_NAMES, "M", "presentations"),
        (n, a, s, theta, M, presentations),
        (*_FP_LOWS, 0, 0),
    )


# -- a non-ideal segment: synaptic transmission failures (not in the paper) ---------------------
def _failures_ln(n: int, a: int, s: int, theta: int, failure_prob: float) -> float:
    _check_fp("p_false_match_failures", n, a, s)
    lo, hi = max(0, a - (n - s)), min(a, s)
    if theta <= 0:
        return 0.0
    ln_den = ln_ratio(math.comb(n, a), 1)
    ln_keep = math.log1p(-failure_prob)
    ln_fail = math.log(failure_prob) if failure_prob > 0.0 else -math.inf
    terms = []
    for b in range(max(lo, theta), hi + 1):
        ln_h = ln_ratio(math.comb(s, b) * math.comb(n - s, a - b), 1) - ln_den
        for k in range(theta, b + 1):
            ln_fails = (b - k) * ln_fail if b > k else 0.0
            terms.append(ln_h + math.log(math.comb(b, k)) + k * ln_keep + ln_fails)
    return logsumexp(terms)


def _check_failure_prob(owner: str, failure_prob: Any) -> float:
    if isinstance(failure_prob, (bool, np.bool_)) or not isinstance(failure_prob, (int, float, np.number)):
        raise IRValidationError(owner, "failure_prob", failure_prob, "a probability in [0, 1)")
    value = float(failure_prob)
    if not 0.0 <= value < 1.0:
        raise IRValidationError(owner, "failure_prob", failure_prob, "a probability in [0, 1)")
    return value


def p_false_match_failures(
    n: ArrayLike, a: ArrayLike, s: ArrayLike, theta: ArrayLike, failure_prob: float, *, log10: bool = False
) -> float | np.ndarray:
    r"""Eq. 4 for a segment whose synapses fail to transmit (not in the paper).

    Each of the ``b`` synapses that see an active cell transmits independently with probability
    ``1 - failure_prob``:

    .. math:: P = \sum_b h(b)\,P\bigl(\mathrm{Bin}(b, 1-p_f) \ge \theta\bigr)

    with ``h`` the exact overlap pmf (Eq. 3 over ``C(n, a)``); computed in log space. It is the
    reference for the rare-event Monte Carlo of :mod:`spikemem.sdr.montecarlo`.

    Parameters
    ----------
    n, a, s, theta : int or array-like
        As in :func:`p_false_match`.
    failure_prob : float
        Failure probability per synapse and presentation, in [0, 1).
    log10 : bool
        Return the base-10 logarithm.
    """
    owner = "p_false_match_failures"
    fail = _check_failure_prob(owner, failure_prob)

    def kernel(*k: int) -> float:
        ln = _failures_ln(*k, fail)
        return ln / LN10 if log10 else math.exp(ln)

    return evaluate(owner, kernel, _FP_NAMES, (n, a, s, theta), _FP_LOWS)


# -- approximations (not in the paper) -----------------------------------------------------------
def _binomial_num_den(n: int, a: int, s: int, theta: int) -> tuple[int, int]:
    num = sum(math.comb(s, b) * a**b * (n - a) ** (s - b) for b in range(max(theta, 0), s + 1))
    return num, n**s


def _leading_num_den(n: int, a: int, s: int, theta: int) -> tuple[int, int]:
    if theta > s:
        return 0, 1
    return math.comb(s, theta) * a**theta, n**theta


def _chernoff_ln(n: int, a: int, s: int, theta: int) -> float:
    """``-s KL(theta/s || a/n)`` when ``theta/s > a/n``, else 0 (the bound is then trivial)."""
    if theta > s:
        return -math.inf
    if s == 0 or theta * n <= a * s:
        return 0.0
    x, p = theta / s, a / n
    if p == 0.0:
        return -math.inf
    kl = x * math.log(x / p)
    if x < 1.0:  # p < 1 here, since theta/s > a/n
        kl += (1.0 - x) * (math.log1p(-x) - math.log1p(-p))
    return -s * kl


def _approx(method: str, n: int, a: int, s: int, theta: int, log10: bool) -> float:
    _check_fp(f"p_false_match_{method}", n, a, s)
    if method == "chernoff":
        ln = _chernoff_ln(n, a, s, theta)
        return ln / LN10 if log10 else math.exp(ln)
    num, den = (_binomial_num_den if method == "binomial" else _leading_num_den)(n, a, s, theta)
    return log10_ratio(num, den) if log10 else num / den


APPROXIMATIONS = ("binomial", "leading", "chernoff")
"""Names of the approximations of Eq. 4 offered by :func:`p_false_match_approx`."""


def p_false_match_approx(
    n: ArrayLike, a: ArrayLike, s: ArrayLike, theta: ArrayLike, method: str, *, log10: bool = False
) -> float | np.ndarray:
    r"""An approximation of Eq. 4, for checking scaling (not in the paper).

    - ``"binomial"``: the tail of ``Bin(s, a/n)``, :math:`\sum_{b\ge\theta}\binom{s}{b}
      (a/n)^b(1-a/n)^{s-b}` (sampling with replacement; it overestimates Eq. 4), exact rational.
    - ``"leading"``: the leading term :math:`\binom{s}{\theta}(a/n)^\theta`, exact rational.
    - ``"chernoff"``: :math:`e^{-s\,KL(\theta/s\,\|\,a/n)}` for :math:`\theta/s > a/n`
      (1 otherwise), an upper bound on the binomial tail, in floating point.

    Parameters
    ----------
    n, a, s, theta : int or array-like
        As in :func:`p_false_match`.
    method : {"binomial", "leading", "chernoff"}
    log10 : bool
        Return ``log10`` of the value (accurate below the float range).
    """
    if method not in APPROXIMATIONS:
        raise IRValidationError("p_false_match_approx", "method", method, " | ".join(APPROXIMATIONS))
    return evaluate(
        f"p_false_match_{method}",
        lambda *k: _approx(method, *k, log10),
        _FP_NAMES,
        (n, a, s, theta),
        _FP_LOWS,
    )


__all__ = [
    "APPROXIMATIONS",
    "expected_false_positive_segments",
    "log10_expected_false_positive_segments",
    "log10_p_any_segment",
    "log10_p_false_match",
    "log10_p_false_negative",
    "noise_tolerance",
    "overlap_pmf",
    "overlap_set_size",
    "p_any_segment",
    "p_false_match",
    "p_false_match_approx",
    "p_false_match_failures",
    "p_false_match_fraction",
    "p_false_negative",
    "p_false_negative_fraction",
]
