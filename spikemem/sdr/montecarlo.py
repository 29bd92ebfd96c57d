"""Monte Carlo estimates of random SDR matches, seeded and deterministic (Numba).

Direct estimates (Figs. 4A and 4B)
    :func:`mc_false_match` and :func:`mc_false_negative` count matches between random subsets
    with a bit-sliced popcount kernel (several 10⁸ overlaps per second on one core). Each probe
    subset (a segment ``D``) is compared with ``per_trial`` stored subsets held as a bit-packed,
    transposed pool that is redrawn every ``refresh`` probes. Every comparison is marginally an
    exact draw of the paper's procedure, and the comparisons are *pairwise independent*: given
    either subset, the overlap with a uniformly random other subset is hypergeometric whatever
    the first one is. So the hit count has exactly the binomial variance ``N p (1 - p)``, and
    Clopper–Pearson intervals apply.

Rare events (below about 1e-8)
    :func:`mc_false_match_stratified` splits on the exact overlap ``b`` (``P = Σ h(b) f(b)``
    with the exact hypergeometric ``h``) and :func:`mc_false_match_importance` draws ``b`` from a
    proposal and weights by ``h(b)/q(b)``. Both present *constructed* bit-packed inputs to a
    segment whose synapses may fail (``failure_prob``), a non-ideal model with the exact answer
    :func:`spikemem.sdr.exact.p_false_match_failures`.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from spikemem.ir import IRValidationError

from . import _kernels
from ._exactmath import ln_ratio, logsumexp
from ._grid import as_int
from .exact import overlap_set_size
from .stats import clopper_pearson

Seed = int | Sequence[int] | np.random.SeedSequence
"""A seed: an int, a sequence of ints (e.g. ``(base_seed, point_index)``) or a SeedSequence."""

LN10 = math.log(10.0)
MAX_POOL_WORDS = 2**25
"""Largest transposed input pool (``n * ceil(per_trial/64)`` uint64 words, 256 MiB)."""


def rng_state(seed: Seed) -> np.ndarray:
    """The 256-bit xoshiro256** state derived from ``seed`` by :class:`numpy.random.SeedSequence`."""
    sequence = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
    state = sequence.generate_state(4, dtype=np.uint64)
    if not state.any():  # pragma: no cover - probability 2**-256
        state[0] = 1
    return state


@dataclass(frozen=True)
class MCEstimate:
    """A Monte Carlo rate: ``hits`` out of ``trials`` Bernoulli trials.

    Attributes
    ----------
    hits, trials : int
        Events counted and comparisons made.
    seconds : float
        Wall-clock time of the kernel (s).
    label : str
        What was estimated (e.g. ``"false match n=500 a=128 s=24 theta=12"``).
    """

    hits: int
    trials: int
    seconds: float
    label: str = ""

    @property
    def rate(self) -> float:
        """``hits / trials``."""
        return self.hits / self.trials

    def interval(self, confidence: float = 0.95) -> tuple[float, float]:
        """Clopper–Pearson interval of the rate."""
        return clopper_pearson(self.hits, self.trials, confidence)

    @property
    def throughput(self) -> float:
        """Comparisons per second."""
        return self.trials / self.seconds if self.seconds > 0 else math.inf


def _check_positive(owner: str, name: str, value: Any, low: int = 1) -> int:
    return as_int(owner, name, value, low=low)


def _thresholds(owner: str, theta: Any) -> tuple[list[int], bool]:
    scalar = np.ndim(theta) == 0
    values = [theta] if scalar else list(np.asarray(theta, dtype=object).ravel())
    if not values:
        raise IRValidationError(owner, "theta", theta, "an integer or a non-empty sequence of integers")
    return [as_int(owner, "theta", t) for t in values], scalar


def _run_pairs(
    owner: str,
    n: int,
    k_probe: int,
    k_stored: int,
    thresholds: list[int],
    trials: int,
    per_trial: int,
    refresh: int,
    seed: Seed,
) -> tuple[np.ndarray, int, float]:
    words = n * -(-per_trial // 64)
    if words > MAX_POOL_WORDS:
        raise IRValidationError(
            owner,
            "per_trial",
            per_trial,
            f"a pool of at most {MAX_POOL_WORDS} words (n * ceil(per_trial / 64))",
        )
    rows = -(-trials // per_trial)
    if k_stored < k_probe:  # iterate over the smaller subset (the overlap is symmetric)
        k_probe, k_stored = k_stored, k_probe
    start = time.perf_counter()
    hits = _kernels.bitsliced_tail_counts(
        n,
        k_probe,
        k_stored,
        np.asarray(thresholds, dtype=np.int64),
        rows,
        per_trial,
        refresh,
        rng_state(seed),
    )
    return hits, rows * per_trial, time.perf_counter() - start


def mc_false_match(
    n: int,
    a: int,
    s: int,
    theta: int | Sequence[int],
    *,
    comparisons: int = 10**8,
    per_trial: int = 500,
    refresh: int = 2000,
    seed: Seed = 42,
) -> MCEstimate | list[MCEstimate]:
    """Monte Carlo false-match rate of a random segment and random inputs (Fig. 4A procedure).

    Each trial draws a random ``s``-subset ``D`` of the ``n`` cells and compares it with
    ``per_trial`` random ``a``-subsets; a match is ``popcount(A & D) >= theta``. The paper used
    200 000 trials × 500 = 10⁸ comparisons per point (seed 42 of its own generator).

    Parameters
    ----------
    n, a, s : int
        Cells, active cells per input, synapses per segment.
    theta : int or sequence of int
        Threshold(s); several thresholds are counted in the same run.
    comparisons : int
        Total comparisons (rounded up to a whole number of trials).
    per_trial : int
        Inputs compared with each segment.
    refresh : int
        Trials between redraws of the pool of ``per_trial`` inputs.
    seed : int, sequence of int or SeedSequence
        Seed of the run; the same seed gives the same counts.

    Returns
    -------
    MCEstimate or list of MCEstimate
        One estimate per threshold (a list when ``theta`` is a sequence).
    """
    owner = "mc_false_match"
    n = _check_positive(owner, "n", n)
    a, s = as_int(owner, "a", a), as_int(owner, "s", s)
    if a > n or s > n:
        raise IRValidationError(owner, "a" if a > n else "s", a if a > n else s, f"<= n ({n})")
    comparisons = _check_positive(owner, "comparisons", comparisons)
    per_trial = _check_positive(owner, "per_trial", per_trial)
    refresh = _check_positive(owner, "refresh", refresh)
    thetas, scalar = _thresholds(owner, theta)
    hits, trials, seconds = _run_pairs(owner, n, s, a, thetas, comparisons, per_trial, refresh, seed)
    out = [
        MCEstimate(int(h), trials, seconds, f"false match n={n} a={a} s={s} theta={t}")
        for h, t in zip(hits, thetas, strict=True)
    ]
    return out[0] if scalar else out


def mc_false_negative(
    a: int,
    s: int,
    theta: int | Sequence[int],
    v: int,
    *,
    trials: int = 10**7,
    per_trial: int = 500,
    refresh: int = 2000,
    seed: Seed = 42,
    n: int | None = None,
    literal: bool = False,
) -> MCEstimate | list[MCEstimate]:
    """Monte Carlo false-negative rate under noise (Fig. 4B procedure).

    ``D`` is a random ``s``-subset of the stored input ``A``; the noisy ``A*`` switches ``v`` of
    ``A``'s cells off and ``v`` other cells on. The swapped-in cells never land on ``D``, so the
    overlap is ``s - |D ∩ R|`` with ``R`` the ``v`` removed cells: the fast path draws ``D`` and
    ``R`` as random subsets of ``A``'s ``a`` cells (relabelled ``0..a-1``) with the bit-sliced
    kernel, and a miss is ``|D ∩ R| >= s - theta + 1``. With ``literal=True`` every trial builds
    ``A``, ``D`` and ``A*`` as dense bitsets over all ``n`` cells and tests
    ``popcount(A* & D) < theta`` (about 100× slower; ``n`` required).

    Parameters
    ----------
    a, s, v : int
        Active cells, synapses (``s <= a``) and noise bits (``v <= a``, and ``v <= n - a``).
    theta : int or sequence of int
        Threshold(s), counted in the same run.
    trials : int
        Noisy presentations (rounded up to whole ``per_trial`` blocks on the fast path).
    per_trial, refresh : int
        Pool layout of the fast path (see :func:`mc_false_match`).
    seed : int, sequence of int or SeedSequence
    n : int, optional
        Number of cells (checked; needed by the literal procedure).
    literal : bool
        Run the literal full-space procedure.

    Returns
    -------
    MCEstimate or list of MCEstimate
    """
    owner = "mc_false_negative"
    a, s, v = as_int(owner, "a", a), as_int(owner, "s", s), as_int(owner, "v", v)
    if s > a:
        raise IRValidationError(owner, "s", s, f"0 <= s <= a ({a})")
    if v > a:
        raise IRValidationError(owner, "v", v, f"0 <= v <= a ({a})")
    if n is not None:
        n = _check_positive(owner, "n", n)
        if v > n - a:
            raise IRValidationError(owner, "v", v, f"v <= n - a ({n - a})")
    trials = _check_positive(owner, "trials", trials)
    thetas, scalar = _thresholds(owner, theta)
    if a == 0:
        raise IRValidationError(owner, "a", a, "a >= 1")
    if literal:
        if n is None:
            raise IRValidationError(owner, "n", n, "the number of cells (required with literal=True)")
        start = time.perf_counter()
        histogram = _kernels.literal_false_negative_overlaps(n, a, s, v, trials, rng_state(seed))
        seconds = time.perf_counter() - start
        counts = [int(histogram[: max(0, min(t, s + 1))].sum()) for t in thetas]
        done = trials
    else:
        per_trial = _check_positive(owner, "per_trial", per_trial)
        refresh = _check_positive(owner, "refresh", refresh)
        removed = [max(0, s - t + 1) for t in thetas]  # miss <=> |D ∩ R| >= s - theta + 1
        hits, done, seconds = _run_pairs(owner, a, s, v, removed, trials, per_trial, refresh, seed)
        counts = [int(h) for h in hits]
    out = [
        MCEstimate(c, done, seconds, f"false negative a={a} s={s} theta={t} v={v}")
        for c, t in zip(counts, thetas, strict=True)
    ]
    return out[0] if scalar else out


def mc_overlap_histogram(n: int, k1: int, k2: int, pairs: int, *, seed: Seed = 0) -> np.ndarray:
    """Histogram of ``popcount(A & D)`` for independent random ``k1``- and ``k2``-subsets.

    The plain procedure (both subsets drawn afresh per pair, dense bitsets); entry ``b`` counts
    pairs with overlap ``b``. Its expectation is ``pairs`` times :func:`spikemem.sdr.overlap_pmf`.
    """
    owner = "mc_overlap_histogram"
    n = _check_positive(owner, "n", n)
    k1, k2, pairs = as_int(owner, "k1", k1), as_int(owner, "k2", k2), as_int(owner, "pairs", pairs)
    if k1 > n or k2 > n:
        raise IRValidationError(owner, "k1" if k1 > n else "k2", max(k1, k2), f"<= n ({n})")
    return _kernels.popcount_overlap_histogram(n, k1, k2, pairs, rng_state(seed))


# -- rare events --------------------------------------------------------------------------------
@dataclass(frozen=True)
class RareEstimate:
    """An estimate of a small probability, kept in log10 so it can lie below the float range.

    Attributes
    ----------
    log10_value, log10_low, log10_high : float
        The estimate and a confidence interval (``-inf`` for 0).
    samples : int
        Constructed presentations simulated.
    seconds : float
        Wall-clock time (s).
    method : str
        ``"stratified"`` or ``"importance"``.
    """

    log10_value: float
    log10_low: float
    log10_high: float
    samples: int
    seconds: float
    method: str

    @property
    def value(self) -> float:
        """The estimate as a float (0.0 below the float range)."""
        return 10.0**self.log10_value


def _ln_h(n: int, a: int, s: int, b: int) -> float:
    """``ln h(b)``: the exact overlap pmf of Eq. 3 over ``C(n, a)``, as a natural log."""
    return ln_ratio(overlap_set_size(n, a, s, b), math.comb(n, a))


def _child(seed: Seed, index: int) -> np.random.SeedSequence:
    """An independent child seed sequence (the parent is not mutated)."""
    parent = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
    return np.random.SeedSequence(parent.entropy, spawn_key=(*parent.spawn_key, index))


def _check_rare(
    owner: str, n: Any, a: Any, s: Any, theta: Any, failure_prob: Any
) -> tuple[int, int, int, int, float]:
    n = _check_positive(owner, "n", n)
    a, s, theta = as_int(owner, "a", a), as_int(owner, "s", s), as_int(owner, "theta", theta)
    if a > n or s > n:
        raise IRValidationError(owner, "a" if a > n else "s", a if a > n else s, f"<= n ({n})")
    if isinstance(failure_prob, (bool, np.bool_)) or not isinstance(failure_prob, (int, float, np.number)):
        raise IRValidationError(owner, "failure_prob", failure_prob, "a probability in [0, 1)")
    if not 0.0 <= float(failure_prob) < 1.0:
        raise IRValidationError(owner, "failure_prob", failure_prob, "a probability in [0, 1)")
    return n, a, s, theta, float(failure_prob)


def _support(n: int, a: int, s: int) -> tuple[int, int]:
    return max(0, a - (n - s)), min(a, s)


def _stratified(
    owner: str,
    n: int,
    k_in: int,
    k_seg: int,
    threshold: int,
    fail: float,
    strata: list[int],
    per: int,
    refresh: int,
    confidence: float,
    seed: Seed,
) -> RareEstimate:
    """Split on the overlap ``b`` of a ``k_in``-subset with a ``k_seg``-subset of ``n`` cells."""
    lo, hi = _support(n, k_in, k_seg)
    for b in strata:
        if not lo <= b <= hi:
            raise IRValidationError(owner, "overlaps", b, f"overlaps in [{lo}, {hi}]")
    if not strata:
        return RareEstimate(-math.inf, -math.inf, -math.inf, 0, 0.0, "stratified")
    start = time.perf_counter()
    b_values = np.repeat(np.asarray(strata, dtype=np.int64), per)
    spikes = _kernels.constructed_overlap_trials(
        n, k_in, k_seg, threshold, fail, b_values, refresh, rng_state(seed)
    )
    seconds = time.perf_counter() - start
    level = 1.0 - (1.0 - confidence) / len(strata)
    terms, lows, highs = [], [], []
    for index, b in enumerate(strata):
        hits = int(spikes[index * per : (index + 1) * per].sum())
        ln_h = _ln_h(n, k_in, k_seg, b)
        low, high = clopper_pearson(hits, per, level)
        terms.append(ln_h + (math.log(hits / per) if hits else -math.inf))
        lows.append(ln_h + (math.log(low) if low > 0 else -math.inf))
        highs.append(ln_h + math.log(high))
    return RareEstimate(
        logsumexp(terms) / LN10,
        logsumexp(lows) / LN10,
        logsumexp(highs) / LN10,
        len(b_values),
        seconds,
        "stratified",
    )


def mc_false_match_stratified(
    n: int,
    a: int,
    s: int,
    theta: int,
    *,
    trials_per_overlap: int = 10_000,
    failure_prob: float = 0.0,
    overlaps: Sequence[int] | None = None,
    refresh: int = 1000,
    confidence: float = 0.95,
    seed: Seed = 0,
) -> RareEstimate:
    r"""False-match probability by splitting on the exact overlap (rare events).

    .. math:: P = \sum_b h(b)\,\hat f(b)

    ``h`` is the exact hypergeometric pmf of the overlap and :math:`\hat f(b)` the fraction of
    ``trials_per_overlap`` constructed presentations with overlap ``b`` that make the segment
    spike. Strata outside ``overlaps`` (default ``theta .. min(s, a)``: a segment whose
    synapses can only fail cannot spike below ``theta``) count as 0. The interval combines
    per-stratum Clopper–Pearson limits at a Bonferroni-corrected level (conservative).

    Parameters
    ----------
    n, a, s, theta : int
        As in :func:`spikemem.sdr.p_false_match`.
    trials_per_overlap : int
        Presentations per stratum.
    failure_prob : float
        Probability that a synapse fails to transmit on a presentation, in [0, 1).
    overlaps : sequence of int, optional
        The strata to simulate.
    refresh : int
        Presentations between redraws of the segment.
    confidence : float
        Coverage of the interval.
    seed : int, sequence of int or SeedSequence
    """
    owner = "mc_false_match_stratified"
    n, a, s, theta, fail = _check_rare(owner, n, a, s, theta, failure_prob)
    per = _check_positive(owner, "trials_per_overlap", trials_per_overlap)
    refresh = _check_positive(owner, "refresh", refresh)
    lo, hi = _support(n, a, s)
    strata = (
        list(range(max(theta, lo), hi + 1))
        if overlaps is None
        else [as_int(owner, "overlaps", b) for b in overlaps]
    )
    return _stratified(owner, n, a, s, theta, fail, strata, per, refresh, confidence, seed)


def mc_false_negative_stratified(
    a: int,
    s: int,
    theta: int,
    v: int,
    *,
    trials_per_overlap: int = 10_000,
    refresh: int = 1000,
    confidence: float = 0.95,
    seed: Seed = 0,
) -> RareEstimate:
    r"""False-negative probability (Eq. 6) by splitting on the number of synapses hit by noise.

    ``b`` = the number of the segment's ``s`` synapses among the ``v`` cells that noise removed
    (hypergeometric over the ``a`` active cells); constructed presentations with exactly ``b``
    removed synapses estimate ``f(b) = P(miss | b)``, simulated for ``b >= s - theta + 1`` (a
    miss needs at least that many). See :func:`mc_false_match_stratified`.
    """
    owner = "mc_false_negative_stratified"
    a, s, theta, v = (
        as_int(owner, "a", a, low=1),
        as_int(owner, "s", s),
        as_int(owner, "theta", theta),
        as_int(owner, "v", v),
    )
    if s > a or v > a:
        raise IRValidationError(owner, "s" if s > a else "v", max(s, v), f"<= a ({a})")
    per = _check_positive(owner, "trials_per_overlap", trials_per_overlap)
    refresh = _check_positive(owner, "refresh", refresh)
    lo, hi = _support(a, v, s)
    need = max(0, s - theta + 1)
    strata = list(range(max(need, lo), hi + 1))
    return _stratified(owner, a, v, s, need, 0.0, strata, per, refresh, confidence, seed)


def mc_false_match_importance(
    n: int,
    a: int,
    s: int,
    theta: int,
    *,
    samples: int = 100_000,
    failure_prob: float = 0.0,
    proposal: str | Sequence[float] = "conditional",
    refresh: int = 1000,
    confidence: float = 0.95,
    seed: Seed = 0,
) -> RareEstimate:
    r"""False-match probability by importance sampling of the overlap (rare events).

    Overlaps are drawn from a proposal ``q`` over ``theta .. min(s, a)``, a constructed input
    with that overlap is presented, and each spike is weighted by ``h(b)/q(b)``:
    :math:`\hat P = \frac1N\sum_i \frac{h(b_i)}{q(b_i)}\,\mathrm{spike}_i`. The interval is the
    normal one from the sample variance of the weights. ``q`` must cover every overlap at which
    the segment can spike (for failing synapses: ``b >= theta``).

    Parameters
    ----------
    samples : int
        Presentations.
    proposal : {"conditional", "uniform"} or sequence of float
        ``"conditional"`` (default): ``q(b) ∝ h(b)``, the exact overlap law given ``b >= theta``
        (the best choice when spikes need ``b >= theta``); ``"uniform"``; or unnormalised
        weights for ``b = theta, theta + 1, …, min(s, a)``.
    Other parameters as in :func:`mc_false_match_stratified`.
    """
    owner = "mc_false_match_importance"
    n, a, s, theta, fail = _check_rare(owner, n, a, s, theta, failure_prob)
    samples = _check_positive(owner, "samples", samples, low=2)
    refresh = _check_positive(owner, "refresh", refresh)
    lo, hi = _support(n, a, s)
    support = np.arange(max(theta, lo), hi + 1)
    if support.size == 0:
        return RareEstimate(-math.inf, -math.inf, -math.inf, 0, 0.0, "importance")
    ln_h = np.array([_ln_h(n, a, s, int(b)) for b in support])
    if isinstance(proposal, str):
        if proposal not in ("conditional", "uniform"):
            raise IRValidationError(owner, "proposal", proposal, "'conditional', 'uniform' or weights")
        ln_q = ln_h if proposal == "conditional" else np.zeros(support.size)
    else:
        weights_q = np.asarray(proposal, dtype=np.float64)
        if weights_q.shape != support.shape or not np.all(np.isfinite(weights_q)) or np.any(weights_q <= 0):
            raise IRValidationError(
                owner, "proposal", proposal, f"{support.size} positive weights for b = {support[0]}..{hi}"
            )
        ln_q = np.log(weights_q)
    ln_q = ln_q - logsumexp(ln_q.tolist())  # normalised, in log space (no underflow to 0 weights)
    q = np.exp(ln_q)
    q = q / q.sum()
    rng = np.random.default_rng(_child(seed, 0))
    start = time.perf_counter()
    index = rng.choice(support.size, size=samples, p=q)
    spikes = _kernels.constructed_overlap_trials(
        n, a, s, theta, fail, support[index].astype(np.int64), refresh, rng_state(_child(seed, 1))
    )
    seconds = time.perf_counter() - start
    ln_w = ln_h - ln_q
    top = float(ln_w[np.unique(index)].max())
    weights = np.exp(ln_w[index] - top) * spikes  # scaled by e^-top to stay in float range
    mean = float(weights.mean())
    if mean == 0.0:
        return RareEstimate(-math.inf, -math.inf, -math.inf, samples, seconds, "importance")
    z = float(_normal_quantile(0.5 + confidence / 2))
    half = z * float(weights.std(ddof=1)) / math.sqrt(samples)
    to10 = lambda x: (math.log(x) + top) / LN10 if x > 0 else -math.inf  # noqa: E731
    return RareEstimate(to10(mean), to10(mean - half), to10(mean + half), samples, seconds, "importance")


def _normal_quantile(p: float) -> float:
    """Standard normal quantile by bisection on ``erfc`` (no SciPy needed)."""
    lo, hi = -40.0, 40.0
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if 0.5 * math.erfc(-mid / math.sqrt(2.0)) < p:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def measure_throughput(
    n: int = 2000, a: int = 128, s: int = 24, theta: int = 12, comparisons: int = 2 * 10**8, seed: Seed = 0
) -> float:
    """Overlaps per second of the bit-sliced kernel on one core (after compilation)."""
    mc_false_match(n, a, s, theta, comparisons=10**4, seed=seed)  # compile / load the cache
    return mc_false_match(n, a, s, theta, comparisons=comparisons, seed=seed).throughput


__all__ = [
    "MCEstimate",
    "RareEstimate",
    "mc_false_match",
    "mc_false_match_importance",
    "mc_false_match_stratified",
    "mc_false_negative",
    "mc_false_negative_stratified",
    "mc_overlap_histogram",
    "measure_throughput",
    "rng_state",
]
