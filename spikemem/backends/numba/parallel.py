"""The multi-threaded step loop of the reference engine, bit-identical for any thread count.

It runs the same five stages as :func:`spikemem.backends.numba.kernels.run_steps`; two of them
in parallel, partitioned so that no sum ever changes its order:

- **integrate and threshold** in parallel over *blocks* of neurons (a neuron's update reads
  only its own state and its own ring-buffer entries). Each block writes its spikes into its
  own range of a scratch array; the blocks are then concatenated in neuron order, so the spike
  list is the serial one.
- **send** in parallel over *target partitions*: thread ``p`` walks every spike of the step in
  order and adds only the synapses whose target lies in its partition. Synapses are sorted by
  target within each presynaptic row (stably), so each partition of a row is one contiguous
  range (:func:`partition_pointers`). Every ring-buffer entry thus receives its weights in
  spike order, then synapse order — the serial order, whatever the number of threads.

Plasticity, dendritic counters, source spikes and state sampling stay serial.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

import numpy as np
from numba import njit, prange

from ...ir.errors import IRValidationError
from .kernels import (
    _integrate_general,
    _integrate_uniform,
    _threshold,
    collect_spikes,
    dendrites_step,
    learn,
    sample_state,
    send_to_segments,
)

BLOCK = 2048
"""Neurons per parallel work item of the integration stage."""

MIN_NEURONS_PER_THREAD = 65536
"""A run uses at most one thread per this many neurons: below it, starting and joining the
threads twice a step costs more than the work they share (measured: CUBA with 65 536 neurons
on 2 threads of a 2-core machine took 2.2× the one-thread time; ``benchmarks/results``)."""


def max_threads() -> int:
    """The most threads Numba may use in this process (``NUMBA_NUM_THREADS``, by default the
    number of cores; fixed when numba is first imported)."""
    import numba

    return int(numba.config.NUMBA_NUM_THREADS)


def check_threads(threads: object) -> int:
    """``threads`` as an integer in ``[1, max_threads()]`` (``None``: :func:`max_threads`).

    Raises
    ------
    IRValidationError
        Naming the value and the allowed range (and how to raise the limit).
    """
    limit = max_threads()
    if threads is None:
        return limit
    if isinstance(threads, bool) or not isinstance(threads, (int, np.integer)) or not 1 <= int(threads) <= limit:
        raise IRValidationError(
            "compile", "threads", threads,
            f"None or an integer in [1, {limit}] (NUMBA_NUM_THREADS={limit}; set that environment "
            "variable before starting Python to allow more)",
        )
    return int(threads)


def _prefer_workqueue() -> None:
    """Choose Numba's own ``workqueue`` threading layer, unless the user chose one
    (``NUMBA_THREADING_LAYER``) or the layer already started.

    Numba's default prefers OpenMP (the system's ``libgomp``), while NEST's wheel bundles its own
    ``libgomp``: two OpenMP runtimes in one process crash NEST (``ResetKernel`` segfaults). The
    step loop needs nothing but a parallel ``for``, which ``workqueue`` provides without OpenMP.
    """
    import numba
    from numba.np.ufunc import parallel as numba_parallel

    if (
        not os.environ.get("NUMBA_THREADING_LAYER")
        and numba.config.THREADING_LAYER == "default"
        and not getattr(numba_parallel, "_is_initialized", False)
    ):
        numba.config.THREADING_LAYER = "workqueue"


@contextlib.contextmanager
def numba_threads(threads: int) -> Iterator[None]:
    """Let Numba's parallel loops use ``threads`` threads inside the block (restored after);
    one thread touches nothing (the threading layer is only started for a parallel run)."""
    if threads <= 1:
        yield
        return
    import numba

    _prefer_workqueue()
    previous = numba.get_num_threads()
    numba.set_num_threads(threads)
    try:
        yield
    finally:
        numba.set_num_threads(previous)


def effective_threads(threads: int, n_neurons: int, n_blocks: int) -> int:
    """Threads a run uses: at most ``threads``, one per :data:`MIN_NEURONS_PER_THREAD`
    neurons and one per block, and at least one (a small network runs on one thread)."""
    return max(1, min(threads, n_neurons // MIN_NEURONS_PER_THREAD, n_blocks))


def neuron_blocks(segments: np.ndarray, block: int | None = None) -> np.ndarray:
    """Split every segment ``(first, stop, uniform, subtractive)`` into blocks of at most
    ``block`` (default :data:`BLOCK`) neurons: rows ``(first, stop, segment index)``, in neuron
    order."""
    block = BLOCK if block is None else block
    rows = []
    for g, (first, stop) in enumerate(segments[:, :2]):
        for a in range(int(first), int(stop), block):
            rows.append((a, min(int(stop), a + block), g))
    return np.array(rows, dtype=np.int64).reshape(-1, 3)


def partition_pointers(row_ptr: np.ndarray, target: np.ndarray, n_targets: int, parts: int) -> np.ndarray:
    """Per presynaptic row, where each of ``parts`` target partitions starts and ends.

    Parameters
    ----------
    row_ptr : ndarray of int64, shape (n_rows + 1,)
        CSR row pointers; within a row, ``target`` must be sorted ascending.
    target : ndarray of int
        Target index of every synapse, in ``[0, n_targets)``.
    n_targets : int
        Number of targets (ring-buffer columns).
    parts : int
        Number of partitions (>= 1), balanced by synapse count.

    Returns
    -------
    ndarray of int64, shape (n_rows, parts + 1)
        ``[r, p] .. [r, p + 1]`` is the range of row ``r``'s synapses with targets in partition
        ``p``.
    """
    n_rows = row_ptr.size - 1
    bounds = np.zeros(parts + 1, dtype=np.int64)
    bounds[-1] = n_targets
    if target.size and parts > 1:
        cumulative = np.cumsum(np.bincount(target, minlength=n_targets))
        wanted = cumulative[-1] * np.arange(1, parts) / parts
        bounds[1:-1] = np.searchsorted(cumulative, wanted, side="left") + 1
        bounds = np.maximum.accumulate(np.minimum(bounds, n_targets))
    rows = np.repeat(np.arange(n_rows, dtype=np.int64), np.diff(row_ptr))
    key = rows * (n_targets + 1) + target
    queries = np.arange(n_rows, dtype=np.int64)[:, None] * (n_targets + 1) + bounds[None, :]
    return np.searchsorted(key, queries.ravel(), side="left").reshape(n_rows, parts + 1).astype(np.int64)


@njit(cache=True, parallel=True)
def run_steps_parallel(
    t_begin, t_end, dt, neurons, segmentation, blocks, state, synapses, part_ptr, ring, sources,
    spike_buf, n_spikes, plastic, record, dendrites,
):
    """:func:`~spikemem.backends.numba.kernels.run_steps` on several threads (same arguments,
    plus ``blocks`` from :func:`neuron_blocks` and ``part_ptr`` from
    :func:`partition_pointers`); returns ``(t_reached, n_spikes, n_samples)``."""
    v_thresh, v_reset, nref = neurons[9], neurons[10], neurons[11]
    segments, seg_params = segmentation
    v, i_e, i_i, refc = state
    row_ptr, target, delay, weight = synapses
    n_samples = record[4]
    dend_table, dend_state, dend_synapses = dendrites
    has_dendrites = dend_state[1].size > 0
    n_dyn = v.size
    n_slots = ring.shape[0]
    capacity = spike_buf[0].size
    n_total = plastic[0].shape[1]
    n_blocks = blocks.shape[0]
    n_parts = part_ptr.shape[1] - 1
    spiked = np.empty(n_total, dtype=np.int32)
    scratch = np.empty(max(n_dyn, 1), dtype=np.int32)
    block_count = np.zeros(n_blocks, dtype=np.int64)
    t = t_begin
    while t < t_end:
        if n_spikes + n_total > capacity:
            break
        slot = t % n_slots
        ring_slot = ring[slot]
        # 1-3 in parallel over blocks: deliver, integrate, threshold and reset
        for q in prange(n_blocks):
            a, b, g = blocks[q, 0], blocks[q, 1], blocks[q, 2]
            uniform = segments[g, 2] == 1
            if uniform:
                _integrate_uniform(a, b, seg_params[g], v, i_e, i_i, refc, ring_slot, n_dyn)
            else:
                _integrate_general(a, b, neurons, v, i_e, i_i, refc, ring_slot, n_dyn)
            stop = _threshold(a, b, uniform, seg_params[g], v_thresh, v, scratch, a)
            subtractive = segments[g, 3] == 1
            for k in range(a, stop):
                j = scratch[k]
                v[j] = v[j] - v_reset[j] if subtractive else v_reset[j]
                refc[j] = nref[j]
            block_count[q] = stop - a
        count = 0
        for q in range(n_blocks):
            a = blocks[q, 0]
            for k in range(block_count[q]):
                spiked[count] = scratch[a + k]
                count += 1
        if has_dendrites:
            count = dendrites_step(t, dend_table, dend_state, spiked, count)
        count, n_spikes = collect_spikes(t, spiked, count, sources, spike_buf, n_spikes)
        learn(t, dt, spiked, count, plastic, weight)  # 4: plasticity (serial)
        # 5: send, in parallel over target partitions
        for p in prange(n_parts):
            for k in range(count):
                s = spiked[k]
                for e in range(part_ptr[s, p], part_ptr[s, p + 1]):
                    arrival = slot + delay[e]
                    if arrival >= n_slots:
                        arrival -= n_slots
                    ring[arrival, target[e]] += weight[e]
        if has_dendrites:
            for k in range(count):
                send_to_segments(t, spiked[k], dend_synapses, dend_table[1], dend_state[0])
        n_samples = sample_state(t, record, v, i_e, i_i, n_samples)
        t += 1
    return t, n_spikes, n_samples
