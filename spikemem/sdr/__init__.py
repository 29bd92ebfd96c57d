"""Sparse distributed representations on active dendrites (Ahmad & Hawkins 2016, arXiv:1601.00720).

The non-spiking part of the paper, needing no simulator:

- :mod:`spikemem.sdr.exact`: the scaling laws in exact big-integer arithmetic — false matches
  with subsampling (Eq. 4), false negatives under noise (Eq. 6), any of ``M`` segments
  (Eqs. 7–9) and approximations (binomial, leading term, Chernoff).
- :mod:`spikemem.sdr.union`: segments storing the union of ``M`` patterns (Eqs. 10–15), with the
  exact distribution of the union size.
- :mod:`spikemem.sdr.montecarlo`: seeded Numba Monte Carlo of random SDR matches (bit-packed,
  popcount), with stratified and importance-sampling estimators for rare events.
- :mod:`spikemem.sdr.figures`: the data and plots of Figs. 4A–7B.

Notation: ``n`` cells, ``a`` active cells, ``s`` synapses on a segment, threshold ``theta``,
``v`` noise bits, ``M`` segments or patterns. See ``docs/sdr.md``.
"""

from . import exact
from .exact import (  # noqa: F401  (re-exported: __all__ += exact.__all__)
    APPROXIMATIONS,
    expected_false_positive_segments,
    log10_expected_false_positive_segments,
    log10_p_any_segment,
    log10_p_false_match,
    log10_p_false_negative,
    noise_tolerance,
    overlap_pmf,
    overlap_set_size,
    p_any_segment,
    p_false_match,
    p_false_match_approx,
    p_false_match_failures,
    p_false_match_fraction,
    p_false_negative,
    p_false_negative_fraction,
)
from .montecarlo import (
    MCEstimate,
    RareEstimate,
    mc_false_match,
    mc_false_match_importance,
    mc_false_match_stratified,
    mc_false_negative,
    mc_overlap_histogram,
    measure_throughput,
)
from .stats import clopper_pearson, trials_for_relative_error
from .union import (
    expected_union_size,
    log10_p_union_false_match,
    log10_p_union_false_match_exact,
    p_union_exact_match,
    p_union_false_match,
    p_union_false_match_exact,
    union_p_zero,
    union_size_distribution,
    union_size_distribution_fraction,
)

# The package re-exports all of :mod:`.exact` and a selection of the other modules.
__all__ = [
    "MCEstimate",
    "RareEstimate",
    "clopper_pearson",
    "expected_union_size",
    "log10_p_union_false_match",
    "log10_p_union_false_match_exact",
    "mc_false_match",
    "mc_false_match_importance",
    "mc_false_match_stratified",
    "mc_false_negative",
    "mc_overlap_histogram",
    "measure_throughput",
    "p_union_exact_match",
    "p_union_false_match",
    "p_union_false_match_exact",
    "trials_for_relative_error",
    "union_p_zero",
    "union_size_distribution",
    "union_size_distribution_fraction",
]
__all__ += exact.__all__
__all__.sort()
