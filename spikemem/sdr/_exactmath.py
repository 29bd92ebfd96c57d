"""Exact big-integer helpers: hypergeometric tails, ratios of huge integers as floats or logs.

Everything is computed with Python integers; a ratio ``num/den`` is converted to a float
(correctly rounded by CPython's integer true division, 0.0 below the float range) or to its
base-10 / natural logarithm (accurate to about 1e-16 absolute, at any magnitude) only at the
end. No ``1 - CDF`` of rounded numbers is ever formed.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from fractions import Fraction

LOG10_2 = math.log10(2.0)
LN_2 = math.log(2.0)
_MANTISSA_BITS = 64


def log2_ratio(num: int, den: int) -> float:
    """``log2(num/den)`` for positive integers of any size (``-inf`` when ``num == 0``)."""
    if num == 0:
        return -math.inf
    shift = den.bit_length() - num.bit_length() + _MANTISSA_BITS
    if shift >= 0:
        quotient = (num << shift) // den
    else:
        quotient = num // (den << -shift)
    return math.log2(quotient) - shift


def log10_ratio(num: int, den: int) -> float:
    """``log10(num/den)`` for non-negative ``num`` and positive ``den`` of any size."""
    return log2_ratio(num, den) * LOG10_2


def ln_ratio(num: int, den: int) -> float:
    """``ln(num/den)`` for non-negative ``num`` and positive ``den`` of any size."""
    return log2_ratio(num, den) * LN_2


def float_ratio(num: int, den: int) -> float:
    """``num/den`` correctly rounded to a float (0.0 or a subnormal below the float range)."""
    return num / den


class TailTable:
    """Upper tails of one hypergeometric distribution, exact and then rounded.

    ``X`` is the number of marked items among ``draws`` items drawn without replacement from
    ``population`` items of which ``marked`` are marked: ``P(X = b) = C(marked, b)
    C(population - marked, draws - b) / C(population, draws)``. The table holds
    ``P(X >= t)`` as a float and as a log10 for every ``t`` from ``t_from`` up.
    """

    __slots__ = ("hi", "lo", "t_from", "floats", "log10s", "lns", "numerators", "denominator")

    def __init__(self, population: int, marked: int, draws: int, t_from: int, keep_exact: bool) -> None:
        self.lo = max(0, draws - (population - marked))
        self.hi = min(marked, draws)
        self.t_from = max(t_from, self.lo)
        den = math.comb(population, draws)
        tails: list[int] = []
        if self.t_from <= self.hi:
            b = self.hi
            c_marked = math.comb(marked, b)
            c_rest = math.comb(population - marked, draws - b)
            total = 0
            while True:
                total += c_marked * c_rest
                tails.append(total)
                if b == self.t_from:
                    break
                # C(K, b-1) = C(K, b) b / (K-b+1);  C(R, d-b+1) = C(R, d-b) (R-d+b) / (d-b+1)
                c_marked = c_marked * b // (marked - b + 1)
                c_rest = c_rest * (population - marked - draws + b) // (draws - b + 1)
                b -= 1
            tails.reverse()  # tails[i] = numerator of P(X >= t_from + i)
        self.floats = tuple(float_ratio(t, den) for t in tails)
        self.log10s = tuple(log10_ratio(t, den) for t in tails)
        self.lns = tuple(ln_ratio(t, den) for t in tails)
        self.numerators = tuple(tails) if keep_exact else None
        self.denominator = den if keep_exact else None

    def _index(self, t: int) -> int | None:
        """Position of ``P(X >= t)`` in the table, or ``None`` when it is exactly 0 or 1."""
        if t > self.hi:
            return None
        return t - self.t_from

    def value(self, t: int) -> float:
        """``P(X >= t)`` as a float."""
        if t <= self.lo:
            return 1.0
        index = self._index(t)
        return 0.0 if index is None else self.floats[index]

    def log10(self, t: int) -> float:
        """``log10 P(X >= t)`` (``-inf`` when the probability is exactly 0)."""
        if t <= self.lo:
            return 0.0
        index = self._index(t)
        return -math.inf if index is None else self.log10s[index]

    def ln(self, t: int) -> float:
        """``ln P(X >= t)`` (``-inf`` when the probability is exactly 0)."""
        if t <= self.lo:
            return 0.0
        index = self._index(t)
        return -math.inf if index is None else self.lns[index]


_CACHE: OrderedDict[tuple[int, int, int], TailTable] = OrderedDict()
_CACHE_SIZE = 2048


def tail_table(population: int, marked: int, draws: int, t: int) -> TailTable:
    """A (cached) :class:`TailTable` that covers threshold ``t``.

    The table for ``(population, marked, draws)`` is rebuilt from a lower start when a smaller
    ``t`` is requested, so a grid over thresholds costs one pass of big-integer arithmetic.
    """
    if marked > draws:  # the tail is symmetric in (marked, draws): iterate over the smaller
        marked, draws = draws, marked
    key = (population, marked, draws)
    table = _CACHE.get(key)
    if table is None or (t < table.t_from and t > table.lo):
        start = t if table is None else min(t, table.t_from)
        table = TailTable(population, marked, draws, start, keep_exact=False)
        _CACHE[key] = table
        if len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    else:
        _CACHE.move_to_end(key)
    return table


def tail_fraction(population: int, marked: int, draws: int, t: int) -> Fraction:
    """``P(X >= t)`` of the hypergeometric distribution as an exact :class:`Fraction`."""
    lo, hi = max(0, draws - (population - marked)), min(marked, draws)
    if t <= lo:
        return Fraction(1)
    if t > hi:
        return Fraction(0)
    num = sum(math.comb(marked, b) * math.comb(population - marked, draws - b) for b in range(t, hi + 1))
    return Fraction(num, math.comb(population, draws))


def log1mexp(x: float) -> float:
    """``ln(1 - e^x)`` for ``x <= 0``, accurate over the whole range (Mächler 2012)."""
    if x >= 0.0:
        return -math.inf
    if x > -LN_2:
        return math.log(-math.expm1(x))
    return math.log1p(-math.exp(x))


def logsumexp(values: list[float]) -> float:
    """``ln(sum(exp(v)))`` of a list of natural logs, without overflow or underflow."""
    finite = [v for v in values if v != -math.inf]
    if not finite:
        return -math.inf
    top = max(finite)
    return top + math.log(math.fsum(math.exp(v - top) for v in finite))
