"""The Numba building blocks: popcount, the xoshiro256** generator, bounded integers, Floyd subsets."""

from __future__ import annotations

import itertools
from collections import Counter

import numpy as np
import pytest
from numba import njit

from spikemem.sdr import _kernels
from spikemem.sdr.montecarlo import rng_state

MASK = (1 << 64) - 1


@njit
def _popcounts(values):
    out = np.empty(values.size, dtype=np.int64)
    for i in range(values.size):
        out[i] = _kernels.popcount64(values[i])
    return out


@njit
def _draws(state, count):
    out = np.empty(count, dtype=np.uint64)
    for i in range(count):
        out[i] = _kernels.next_u64(state)
    return out


@njit
def _bounded(state, n, count):
    out = np.empty(count, dtype=np.int64)
    for i in range(count):
        out[i] = _kernels.bounded(state, n)
    return out


def test_popcount():
    rng = np.random.default_rng(0)
    values = np.concatenate(
        [
            rng.integers(0, 2**63, 1000, dtype=np.uint64) * np.uint64(2) + np.uint64(1),
            np.array([0, 1, 2**63, 2**64 - 1], dtype=np.uint64),
        ]
    )
    expected = [bin(int(v)).count("1") for v in values]
    assert _popcounts(values).tolist() == expected


def _xoshiro_reference(state: list[int], count: int) -> list[int]:
    s = list(state)
    rotl = lambda x, k: ((x << k) | (x >> (64 - k))) & MASK  # noqa: E731
    out = []
    for _ in range(count):
        out.append(rotl((s[1] * 5) & MASK, 7) * 9 & MASK)
        t = (s[1] << 17) & MASK
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 45)
    return out


def test_xoshiro_matches_reference_and_is_seeded():
    state = rng_state(12345)
    expected = _xoshiro_reference([int(x) for x in state], 50)
    assert [int(x) for x in _draws(state.copy(), 50)] == expected
    assert np.array_equal(rng_state(7), rng_state(7))
    assert not np.array_equal(rng_state(7), rng_state(8))
    assert not np.array_equal(rng_state((7, 0)), rng_state((7, 1)))


@pytest.mark.parametrize("n", [1, 2, 7, 1000, 2**32 - 1])
def test_bounded_range_and_uniformity(n):
    values = _bounded(rng_state(3), n, 70_000)
    assert values.min() >= 0 and values.max() < n
    if n == 7:
        counts = np.bincount(values, minlength=7)
        chi2 = float(((counts - 10_000) ** 2 / 10_000).sum())
        assert chi2 < 30  # 6 degrees of freedom; p < 1e-4 beyond
    if n == 2**32 - 1:
        assert values.max() > 2**31  # the whole range is reached


def test_floyd_subsets_are_uniform():
    n, k, draws = 6, 3, 40_000
    state = rng_state(11)
    bits = np.zeros(1, dtype=np.uint64)
    out = np.zeros(k, dtype=np.int64)
    counts: Counter = Counter()
    for _ in range(draws):
        bits[0] = 0
        _kernels.floyd_subset(state, n, k, bits, out)
        chosen = tuple(sorted(out.tolist()))
        assert len(set(chosen)) == k and int(bits[0]) == sum(1 << c for c in chosen)
        counts[chosen] += 1
    subsets = list(itertools.combinations(range(n), k))
    assert set(counts) == set(subsets)
    expected = draws / len(subsets)
    chi2 = sum((counts[c] - expected) ** 2 / expected for c in subsets)
    assert chi2 < 55  # 19 degrees of freedom; p < 1e-5 beyond


def test_bitsliced_counter_is_exact():
    """Every threshold of one run equals the tail of the overlap histogram of the same pairs."""
    thresholds = np.arange(0, 26, dtype=np.int64)
    hits = _kernels.bitsliced_tail_counts(200, 25, 40, thresholds, 300, 130, 50, rng_state(5))
    assert hits[0] == 300 * 130
    assert np.all(np.diff(hits) <= 0) and hits[-1] >= 0
