"""Numba kernels for Monte Carlo estimates of random SDR matches.

- A counter-based-free, explicit-state PRNG (xoshiro256**, seeded from a numpy
  :class:`~numpy.random.SeedSequence`), so results do not depend on Numba's global random state.
- Unbiased bounded integers (Lemire's multiply-shift with rejection) and random ``k``-subsets by
  Floyd's algorithm (exactly uniform, ``O(k)`` work, membership tested on the bitset itself).
- Bit-packed patterns (``uint64`` words) and a hardware popcount (``llvm.ctpop``).
- A *bit-sliced* overlap kernel: 64 stored patterns are held "transposed" (bit ``j`` of word
  ``T[i, g]`` says whether pattern ``64 g + j`` contains cell ``i``), so adding the column words of
  the ``k`` cells of a probe pattern into a bit-sliced counter gives 64 overlaps at once; a
  bit-sliced comparison yields the 64 "overlap >= t" flags, which a popcount adds up.
"""

from __future__ import annotations

import numpy as np
from llvmlite import ir as llvm_ir
from numba import njit, types
from numba.extending import intrinsic

_U64 = np.uint64
_ALL_ONES = np.uint64(0xFFFFFFFFFFFFFFFF)


@intrinsic
def popcount64(typingctx, x):  # noqa: ARG001  (numba intrinsic signature)
    """Number of set bits of a ``uint64`` (``llvm.ctpop``, one instruction on x86-64/ARM)."""
    if not isinstance(x, types.Integer):
        return None
    sig = types.uint64(types.uint64)

    def codegen(context, builder, signature, args):  # noqa: ARG001
        value = args[0]
        fn = builder.module.declare_intrinsic("llvm.ctpop", [llvm_ir.IntType(64)])
        return builder.call(fn, [value])

    return sig, codegen


# -- xoshiro256** ----------------------------------------------------------------------------------
@njit(cache=True, inline="always")
def _rotl(x, k):
    return (x << _U64(k)) | (x >> _U64(64 - k))


@njit(cache=True, inline="always")
def next_u64(state):
    """Next 64-bit output of xoshiro256** (Blackman & Vigna); ``state`` is a uint64[4]."""
    s0, s1, s2, s3 = state[0], state[1], state[2], state[3]
    result = _rotl(s1 * _U64(5), 7) * _U64(9)
    t = s1 << _U64(17)
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= t
    s3 = _rotl(s3, 45)
    state[0], state[1], state[2], state[3] = s0, s1, s2, s3
    return result


@njit(cache=True, inline="always")
def bounded(state, n):
    """Uniform integer in ``[0, n)`` for ``1 <= n < 2**32`` (Lemire 2019, exact, no modulo bias)."""
    bound = _U64(n)
    product = (next_u64(state) >> _U64(32)) * bound
    low = product & _U64(0xFFFFFFFF)
    if low < bound:
        threshold = (_U64(0x100000000) - bound) % bound
        while low < threshold:
            product = (next_u64(state) >> _U64(32)) * bound
            low = product & _U64(0xFFFFFFFF)
    return np.int64(product >> _U64(32))


@njit(cache=True, inline="always")
def uniform01(state):
    """Uniform float in ``[0, 1)`` with 53 random bits."""
    return np.float64(next_u64(state) >> _U64(11)) * (1.0 / 9007199254740992.0)


@njit(cache=True)
def floyd_subset(state, n, k, bits, out):
    """Random ``k``-subset of ``range(n)`` (Floyd's algorithm), exactly uniform.

    Sets the chosen bits in the bitset ``bits`` (which must be clear on entry) and writes the
    chosen cells, in no particular order, to ``out[:k]``.
    """
    for pos in range(k):
        j = n - k + pos
        t = bounded(state, j + 1)
        word, bit = t >> 6, _U64(1) << _U64(t & 63)
        if bits[word] & bit:
            t = j
            word, bit = t >> 6, _U64(1) << _U64(t & 63)
        bits[word] |= bit
        out[pos] = t


@njit(cache=True)
def _fill_columns(state, columns, n, k, count):
    """Draw ``count`` random ``k``-subsets of ``range(n)`` into the transposed bit matrix."""
    columns[:, :] = 0
    for p in range(count):
        g = p >> 6
        bit = _U64(1) << _U64(p & 63)
        for pos in range(k):
            j = n - k + pos
            t = bounded(state, j + 1)
            if columns[t, g] & bit:
                t = j
            columns[t, g] |= bit


@njit(cache=True, inline="always")
def _ge_mask(counter, levels, t):
    """Bit-sliced ``counter >= t`` over 64 lanes (``counter[l]`` holds bit ``l`` of each lane)."""
    if t <= 0:
        return _ALL_ONES
    if t >= (1 << levels):
        return _U64(0)
    gt = _U64(0)
    eq = _ALL_ONES
    for level in range(levels - 1, -1, -1):
        c = counter[level]
        if (t >> level) & 1:
            eq &= c
        else:
            gt |= eq & c
            eq &= ~c
    return gt | eq


@njit(cache=True)
def bitsliced_tail_counts(n, k_row, k_col, thresholds, rows, per_row, refresh, state):
    """Count pairs of random subsets whose overlap reaches each threshold.

    ``rows`` probe subsets of size ``k_row`` are each compared with ``per_row`` stored subsets
    of size ``k_col`` (all uniform over ``range(n)``); the stored pool is redrawn every
    ``refresh`` probes. Returns ``hits[i]`` = number of pairs with overlap ``>= thresholds[i]``.
    """
    groups = (per_row + 63) >> 6
    tail_bits = per_row - 64 * (groups - 1)
    last_mask = _ALL_ONES if tail_bits == 64 else (_U64(1) << _U64(tail_bits)) - _U64(1)
    levels = 1
    while (1 << levels) <= k_row:
        levels += 1
    columns = np.zeros((n, groups), dtype=np.uint64)
    scratch = np.zeros((n + 63) >> 6, dtype=np.uint64)
    cells = np.zeros(max(k_row, 1), dtype=np.int64)
    counter = np.zeros(levels, dtype=np.uint64)
    hits = np.zeros(thresholds.size, dtype=np.int64)
    done = 0
    while done < rows:
        _fill_columns(state, columns, n, k_col, per_row)
        batch = min(refresh, rows - done)
        for _ in range(batch):
            floyd_subset(state, n, k_row, scratch, cells)
            for pos in range(k_row):
                scratch[cells[pos] >> 6] = 0
            for g in range(groups):
                mask = last_mask if g == groups - 1 else _ALL_ONES
                counter[:] = 0
                for pos in range(k_row):
                    carry = columns[cells[pos], g]
                    for level in range(levels):
                        c = counter[level]
                        counter[level] = c ^ carry
                        carry &= c
                for i in range(thresholds.size):
                    hits[i] += np.int64(popcount64(_ge_mask(counter, levels, thresholds[i]) & mask))
        done += batch
    return hits


@njit(cache=True)
def popcount_overlap_histogram(n, k_row, k_col, pairs, state):
    """Reference kernel: histogram of ``popcount(A & D)`` over independent dense-bitset pairs.

    Both subsets are drawn afresh for every pair (the plain, slow procedure); used to check the
    bit-sliced kernel.
    """
    words = (n + 63) >> 6
    a_bits = np.zeros(words, dtype=np.uint64)
    d_bits = np.zeros(words, dtype=np.uint64)
    a_cells = np.zeros(max(k_col, 1), dtype=np.int64)
    d_cells = np.zeros(max(k_row, 1), dtype=np.int64)
    histogram = np.zeros(min(k_row, k_col) + 1, dtype=np.int64)
    for _ in range(pairs):
        floyd_subset(state, n, k_row, d_bits, d_cells)
        floyd_subset(state, n, k_col, a_bits, a_cells)
        overlap = 0
        for w in range(words):
            overlap += popcount64(a_bits[w] & d_bits[w])
        histogram[overlap] += 1
        for pos in range(k_row):
            d_bits[d_cells[pos] >> 6] = 0
        for pos in range(k_col):
            a_bits[a_cells[pos] >> 6] = 0
    return histogram


@njit(cache=True)
def literal_false_negative_overlaps(n, a, s, v, trials, state):
    """The Fig. 4B procedure, literally, in the full ``n``-cell space with dense bitsets.

    Per trial: a random ``a``-subset ``A`` of ``n`` cells, a random ``s``-subset ``D`` of ``A``,
    ``A*`` = ``A`` with ``v`` random active cells switched off and ``v`` random inactive cells
    switched on. Returns the histogram of ``popcount(A* & D)`` (a miss is an overlap < theta).
    """
    words = (n + 63) >> 6
    a_bits = np.zeros(words, dtype=np.uint64)
    d_bits = np.zeros(words, dtype=np.uint64)
    scratch = np.zeros(max((a + 63) >> 6, (n - a + 63) >> 6, 1), dtype=np.uint64)
    a_cells = np.zeros(max(a, 1), dtype=np.int64)
    picks = np.zeros(max(a, n - a, 1), dtype=np.int64)
    outside = np.zeros(max(n - a, 1), dtype=np.int64)
    histogram = np.zeros(s + 1, dtype=np.int64)
    for _ in range(trials):
        floyd_subset(state, n, a, a_bits, a_cells)
        # D: s of A's cells
        floyd_subset(state, a, s, scratch, picks)
        for pos in range(s):
            cell = a_cells[picks[pos]]
            d_bits[cell >> 6] |= _U64(1) << _U64(cell & 63)
            scratch[picks[pos] >> 6] = 0
        # the inactive cells, in increasing order
        m = 0
        for cell in range(n):
            if not (a_bits[cell >> 6] >> _U64(cell & 63)) & _U64(1):
                outside[m] = cell
                m += 1
        # switch v active cells off and v inactive cells on
        floyd_subset(state, a, v, scratch, picks)
        for pos in range(v):
            cell = a_cells[picks[pos]]
            a_bits[cell >> 6] &= ~(_U64(1) << _U64(cell & 63))
            scratch[picks[pos] >> 6] = 0
        floyd_subset(state, n - a, v, scratch, picks)
        for pos in range(v):
            cell = outside[picks[pos]]
            a_bits[cell >> 6] |= _U64(1) << _U64(cell & 63)
            scratch[picks[pos] >> 6] = 0
        overlap = 0
        for w in range(words):
            overlap += popcount64(a_bits[w] & d_bits[w])
        histogram[overlap] += 1
        a_bits[:] = 0
        d_bits[:] = 0
    return histogram


@njit(cache=True)
def constructed_overlap_trials(n, a, s, theta, failure_prob, overlaps, refresh, state):
    """Present inputs with a prescribed overlap to a segment; return 1 where it spikes.

    For trial ``i`` an input ``A`` with exactly ``overlaps[i]`` active cells on the segment ``D``
    and ``a - overlaps[i]`` elsewhere is built as a bitset; each of the ``s`` synapses fails
    independently with probability ``failure_prob`` (a transmission failure for this
    presentation); the segment spikes when ``popcount(A & D_working) >= theta``. ``D`` is a random
    ``s``-subset, redrawn every ``refresh`` trials.
    """
    words = (n + 63) >> 6
    d_bits = np.zeros(words, dtype=np.uint64)
    live = np.zeros(words, dtype=np.uint64)
    a_bits = np.zeros(words, dtype=np.uint64)
    scratch = np.zeros(max((n + 63) >> 6, 1), dtype=np.uint64)
    d_cells = np.zeros(max(s, 1), dtype=np.int64)
    outside = np.zeros(max(n - s, 1), dtype=np.int64)
    picks = np.zeros(max(a, 1), dtype=np.int64)
    spikes = np.zeros(overlaps.size, dtype=np.uint8)
    for i in range(overlaps.size):
        if i % refresh == 0:
            d_bits[:] = 0
            floyd_subset(state, n, s, d_bits, d_cells)
            m = 0
            for cell in range(n):
                if not (d_bits[cell >> 6] >> _U64(cell & 63)) & _U64(1):
                    outside[m] = cell
                    m += 1
        b = overlaps[i]
        floyd_subset(state, s, b, scratch, picks)
        for pos in range(b):
            cell = d_cells[picks[pos]]
            a_bits[cell >> 6] |= _U64(1) << _U64(cell & 63)
            scratch[picks[pos] >> 6] = 0
        floyd_subset(state, n - s, a - b, scratch, picks)
        for pos in range(a - b):
            cell = outside[picks[pos]]
            a_bits[cell >> 6] |= _U64(1) << _U64(cell & 63)
            scratch[picks[pos] >> 6] = 0
        live[:] = d_bits
        if failure_prob > 0.0:
            for pos in range(s):
                if uniform01(state) < failure_prob:
                    cell = d_cells[pos]
                    live[cell >> 6] &= ~(_U64(1) << _U64(cell & 63))
        overlap = 0
        for w in range(words):
            overlap += popcount64(a_bits[w] & live[w])
        if overlap >= theta:
            spikes[i] = 1
        a_bits[:] = 0
    return spikes
