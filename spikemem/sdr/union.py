"""Segments that store the union of M patterns (Ahmad & Hawkins 2016, Eqs. 10–15).

A segment that learns ``M`` patterns by subsampling ``s`` cells of each holds the union
``X = x_1 ∨ … ∨ x_M`` of ``M`` random ``s``-subsets of the ``n`` cells (Eq. 10). The paper
replaces ``|X|`` by its expectation (a mean-field estimate, Eqs. 11–15); :func:`union_size_distribution`
gives the exact distribution of ``|X|`` (a dynamic program) and :func:`p_union_false_match_exact`
averages Eq. 4 over it (not in the paper).
"""

from __future__ import annotations

import math
from fractions import Fraction
from functools import lru_cache

import numpy as np

from spikemem.ir import IRValidationError

from ._exactmath import ln_ratio, logsumexp, tail_table
from ._grid import as_int, evaluate
from .exact import ArrayLike

LN10 = math.log(10.0)


def _check_union(owner: str, n: int, s: int) -> None:
    if n < 1:
        raise IRValidationError(owner, "n", n, "n >= 1")
    if s > n:
        raise IRValidationError(owner, "s", s, f"0 <= s <= n (n={n})")


# -- Eqs. 11-13: mean field ----------------------------------------------------------------------
def _ln_p_zero(n: int, s: int, m: int) -> float:
    _check_union("union_p_zero", n, s)
    if s == n:
        return 0.0 if m == 0 else -math.inf
    return m * math.log1p(-s / n)


def union_p_zero(n: ArrayLike, s: ArrayLike, M: ArrayLike) -> float | np.ndarray:
    r"""Probability that a cell is still 0 after the union of ``M`` patterns (Eq. 11).

    .. math:: p_0 = (1 - s/n)^M

    Parameters
    ----------
    n : int or array-like
        Number of cells.
    s : int or array-like
        Cells per stored pattern (synapses sampled from each pattern; the 2015 paper's ``w``).
    M : int or array-like
        Number of patterns in the union.
    """
    return evaluate(
        "union_p_zero", lambda *k: math.exp(_ln_p_zero(*k)), ("n", "s", "M"), (n, s, M), (1, 0, 0)
    )


def expected_union_size(n: ArrayLike, s: ArrayLike, M: ArrayLike) -> float | np.ndarray:
    r"""Expected number of ON bits in the union, i.e. of synapses on the segment (Eq. 13).

    .. math:: E|X| = n\,(1 - p_0) = n\,[1 - (1 - s/n)^M]

    computed as ``-n expm1(M log1p(-s/n))`` (no rounding; Fig. 7A).
    """

    def kernel(n: int, s: int, m: int) -> float:
        ln_p0 = _ln_p_zero(n, s, m)
        return float(n) if ln_p0 == -math.inf else -n * math.expm1(ln_p0)

    return evaluate("expected_union_size", kernel, ("n", "s", "M"), (n, s, M), (1, 0, 0))


def p_union_exact_match(n: ArrayLike, s: ArrayLike, M: ArrayLike, y: ArrayLike) -> float | np.ndarray:
    r"""Bloom-filter estimate of a false match when ``theta = |y|`` (Eq. 12).

    .. math:: P \approx (1 - p_0)^{|y|}

    It treats the bits of the union as independent (an approximation).
    """

    def kernel(n: int, s: int, m: int, y: int) -> float:
        ln_p0 = _ln_p_zero(n, s, m)
        return math.exp(y * math.log(-math.expm1(ln_p0))) if ln_p0 < 0.0 else float(y == 0)

    return evaluate("p_union_exact_match", kernel, ("n", "s", "M", "y"), (n, s, M, y), (1, 0, 0, 0))


def round_half_up(x: float) -> int:
    """``floor(x + 1/2)``: the rounding of the paper's Python 2 code (ties away from zero)."""
    return int(math.floor(x + 0.5))


def _mean_field_size(n: int, s: int, m: int) -> int:
    return min(n, round_half_up(float(expected_union_size(n, s, m))))


def _union_fp(n: int, a: int, s: int, theta: int, m: int, log10: bool) -> float:
    owner = "p_union_false_match"
    _check_union(owner, n, s)
    if a > n:
        raise IRValidationError(owner, "a", a, f"0 <= a <= n (n={n})")
    k = _mean_field_size(n, s, m)
    table = tail_table(n, k, a, theta)
    return table.log10(theta) if log10 else table.value(theta)


_UNION_NAMES = ("n", "a", "s", "theta", "M")
_UNION_LOWS = (1, 0, 0, 0, 0)


def p_union_false_match(
    n: ArrayLike, a: ArrayLike, s: ArrayLike, theta: ArrayLike, M: ArrayLike
) -> float | np.ndarray:
    r"""False match of a segment holding the union of ``M`` patterns, mean field (Eqs. 14–15).

    .. math:: P^{\cup}_{FP} \approx P_{FP}\bigl(n, a, \mathrm{round}(E|X|), \theta\bigr)

    with ``E|X|`` from Eq. 13 rounded half up (as the paper's code; the paper's grids have no
    ties). Within about 2% of :func:`p_union_false_match_exact` in the paper's regimes.

    Parameters
    ----------
    n, a, theta : int or array-like
        Cells, active cells in a test input, segment threshold.
    s : int or array-like
        Synapses sampled from each stored pattern.
    M : int or array-like
        Patterns stored on the segment.
    """
    return evaluate(
        "p_union_false_match", lambda *k: _union_fp(*k, False), _UNION_NAMES, (n, a, s, theta, M), _UNION_LOWS
    )


def log10_p_union_false_match(
    n: ArrayLike, a: ArrayLike, s: ArrayLike, theta: ArrayLike, M: ArrayLike
) -> float | np.ndarray:
    """``log10`` of :func:`p_union_false_match` (Eqs. 14–15) at any magnitude."""
    return evaluate(
        "log10_p_union_false_match",
        lambda *k: _union_fp(*k, True),
        _UNION_NAMES,
        (n, a, s, theta, M),
        _UNION_LOWS,
    )


# -- exact distribution of |X| (not in the paper) ------------------------------------------------
@lru_cache(maxsize=65536)
def _ln_transition_row(n: int, s: int, k: int) -> np.ndarray:
    """``T[j] = ln P(|X| grows from k to k + j)`` = ln[C(n-k, j) C(k, s-j) / C(n, s)], exact."""
    den = math.comb(n, s)
    row = np.full(s + 1, -np.inf)
    for j in range(max(0, s - k), min(s, n - k) + 1):
        row[j] = ln_ratio(math.comb(n - k, j) * math.comb(k, s - j), den)
    row.setflags(write=False)
    return row


_DISTRIBUTIONS: dict[tuple[int, int], list[np.ndarray]] = {}
_MAX_CACHED_PAIRS = 64


def _ln_union_distribution(n: int, s: int, m: int) -> np.ndarray:
    """``ln P(|X| = k)`` for ``k = 0..min(n, m s)``; the recursion is kept and extended."""
    key = (n, s)
    steps = _DISTRIBUTIONS.get(key)
    if steps is None:
        if len(_DISTRIBUTIONS) >= _MAX_CACHED_PAIRS:
            _DISTRIBUTIONS.pop(next(iter(_DISTRIBUTIONS)))
        start = np.zeros(1)
        start.setflags(write=False)
        steps = _DISTRIBUTIONS[key] = [start]
    while len(steps) <= m:
        current = steps[-1]
        k_max = min(n, (len(steps)) * s)
        new = np.full(k_max + 1, -np.inf)
        for k in range(current.size):
            if current[k] == -np.inf:
                continue
            row = _ln_transition_row(n, s, k)
            width = min(s + 1, k_max + 1 - k)
            np.logaddexp(new[k : k + width], current[k] + row[:width], out=new[k : k + width])
        new.setflags(write=False)
        steps.append(new)
    return steps[m]


def union_size_distribution(n: int, s: int, M: int, *, log10: bool = False) -> np.ndarray:
    r"""Exact distribution of the union size ``|X|`` of ``M`` random ``s``-subsets of ``n`` cells.

    A dynamic program over the patterns: adding an ``s``-subset to a union of size ``k`` gives
    size ``k + j`` with probability :math:`\binom{n-k}{j}\binom{k}{s-j}/\binom{n}{s}`. The
    transition probabilities are exact ratios of integers, and the recursion runs in log space
    (sums of positive terms only), so every entry keeps its relative accuracy however small.

    Parameters
    ----------
    n, s, M : int
        Cells, cells per pattern, patterns.
    log10 : bool
        Return ``log10 P(|X| = k)`` instead of the probabilities.

    Returns
    -------
    numpy.ndarray
        Entry ``k`` is ``P(|X| = k)`` for ``k = 0 .. min(n, M s)``.
    """
    owner = "union_size_distribution"
    n, s, m = as_int(owner, "n", n, low=1), as_int(owner, "s", s), as_int(owner, "M", M)
    _check_union(owner, n, s)
    ln = _ln_union_distribution(n, s, m)
    return ln / LN10 if log10 else np.exp(ln)


def union_size_distribution_fraction(n: int, s: int, M: int) -> list[Fraction]:
    """:func:`union_size_distribution` in exact rational arithmetic (small cases; for tests)."""
    owner = "union_size_distribution_fraction"
    n, s, m = as_int(owner, "n", n, low=1), as_int(owner, "s", s), as_int(owner, "M", M)
    _check_union(owner, n, s)
    k_max = min(n, m * s)
    den = math.comb(n, s)
    current = [Fraction(0)] * (k_max + 1)
    current[0] = Fraction(1)
    for _ in range(m):
        new = [Fraction(0)] * (k_max + 1)
        for k, p in enumerate(current):
            if p:
                for j in range(max(0, s - k), min(s, n - k) + 1):
                    new[k + j] += p * Fraction(math.comb(n - k, j) * math.comb(k, s - j), den)
        current = new
    return current


def _union_exact_ln(n: int, a: int, s: int, theta: int, m: int) -> float:
    owner = "p_union_false_match_exact"
    _check_union(owner, n, s)
    if a > n:
        raise IRValidationError(owner, "a", a, f"0 <= a <= n (n={n})")
    ln_dist = _ln_union_distribution(n, s, m)
    terms = [
        float(ln_dist[k]) + tail_table(n, k, a, theta).ln(theta)
        for k in range(ln_dist.size)
        if ln_dist[k] != -np.inf
    ]
    return logsumexp(terms)


def p_union_false_match_exact(
    n: ArrayLike, a: ArrayLike, s: ArrayLike, theta: ArrayLike, M: ArrayLike
) -> float | np.ndarray:
    r"""False match of a union segment averaged over the exact distribution of ``|X|``.

    .. math:: P = \sum_k P(|X| = k)\, P_{FP}(n, a, k, \theta)

    Not in the paper: the exact alternative to the mean-field :func:`p_union_false_match`.
    """
    return evaluate(
        "p_union_false_match_exact",
        lambda *k: math.exp(_union_exact_ln(*k)),
        _UNION_NAMES,
        (n, a, s, theta, M),
        _UNION_LOWS,
    )


def log10_p_union_false_match_exact(
    n: ArrayLike, a: ArrayLike, s: ArrayLike, theta: ArrayLike, M: ArrayLike
) -> float | np.ndarray:
    """``log10`` of :func:`p_union_false_match_exact` at any magnitude."""
    return evaluate(
        "log10_p_union_false_match_exact",
        lambda *k: _union_exact_ln(*k) / LN10,
        _UNION_NAMES,
        (n, a, s, theta, M),
        _UNION_LOWS,
    )


__all__ = [
    "expected_union_size",
    "log10_p_union_false_match",
    "log10_p_union_false_match_exact",
    "p_union_exact_match",
    "p_union_false_match",
    "p_union_false_match_exact",
    "round_half_up",
    "union_p_zero",
    "union_size_distribution",
    "union_size_distribution_fraction",
]
