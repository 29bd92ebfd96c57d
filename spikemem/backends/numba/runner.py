"""Run a compiled network phase by phase, chunk by chunk, and assemble the Recording."""

from __future__ import annotations

import time
from typing import Any

import numpy as np
from tqdm.auto import tqdm

from ...ir.schedule import Schedule
from ...lowering import phase_steps, source_spikes, step_pointers
from ...results import PhaseInfo, Recording, SpikeTrains, StateTrace
from . import kernels, parallel
from .memory import check_run_memory, synapse_bytes

CHUNK_STEPS = 20_000
"""Steps per kernel call; Python (progress bar, buffer growth) runs only between chunks."""


def _state_arrays(layout: Any) -> tuple:
    neurons = layout.neurons
    n_dyn = layout.n_dynamic
    return (neurons.v_init.copy(), np.zeros(n_dyn), np.zeros(n_dyn), np.zeros(n_dyn, dtype=np.int32))


def _neuron_tuple(layout: Any) -> tuple:
    n = layout.neurons
    return (n.P22, n.c0, n.P21e, n.P21i, n.P11e, n.P11i, n.scale_e, n.scale_i, n.jump, n.v_thresh, n.v_reset, n.nref)


def _stdp_state(layout: Any) -> tuple[tuple, tuple]:
    """Fresh STDP state: the traces ``(x_excl, x_last, y_excl, y_last)``, one row per plastic
    projection (at least one), and the arrival history ``(ids per step, count per step)``."""
    plastic, n_total = layout.plastic, layout.n_total
    rows = max(len(plastic.names), 1)
    traces = tuple(
        arr for _ in range(2) for arr in (np.zeros((rows, n_total)), np.full((rows, n_total), -1, np.int64))
    )
    hist = (np.zeros((plastic.history, n_total), dtype=np.int64), np.zeros(plastic.history, dtype=np.int64))
    return traces, hist


def _plastic_index(plastic: Any) -> tuple:
    """The kernel's plastic-synapse index: by pre (ptr, synapse, post) then by post."""
    by_pre = (plastic.pre_ptr, plastic.pre_syn, plastic.pre_other)
    return (*by_pre, plastic.post_ptr, plastic.post_syn, plastic.post_other)


STATE_VARIABLES = ("v", "isyn_exc", "isyn_inh")
"""The sampled variables, in the order of the kernel's ``record`` tuple."""


def _state_record(runnable: Any, n_steps: int) -> tuple[tuple, list[tuple[str, str, int, int]]]:
    """The kernel's ``record`` argument for a run of ``n_steps`` steps, and where each
    requested (population, variable) lies in its variable's buffer.

    Only the requested variables get storage: per variable, one flat buffer holding, one after
    the other, a ``(n_samples, size)`` C-ordered block per population that asked for it.

    Returns
    -------
    record : tuple
        ``(every, v, isyn_exc, isyn_inh, 0)``, each variable an ``(ids, base, stride, buffer)``
        tuple for :func:`.kernels.sample_state`.
    spans : list of (population, variable, start, size)
        The block of each requested (population, variable): ``buffer[start : start +
        n_samples * size]``.
    """
    layout = runnable.layout
    every = runnable.record.state_every
    n_samples = (n_steps + every - 1) // every
    spans: list[tuple[str, str, int, int]] = []
    per_variable = []
    for variable in STATE_VARIABLES:
        ids, base, stride, start = [], [], [], 0
        for name, variables in runnable.record.state.items():
            if variable not in variables:
                continue
            size = layout.sizes[name]
            ids.append(np.arange(size, dtype=np.int64) + layout.offsets[name])
            base.append(start + np.arange(size, dtype=np.int64))
            stride.append(np.full(size, size, dtype=np.int64))
            spans.append((name, variable, start, size))
            start += n_samples * size
        arrays = tuple(np.concatenate(p) if p else np.zeros(0, np.int64) for p in (ids, base, stride))
        per_variable.append((*arrays, np.zeros(start if arrays[0].size else 0)))
    return (every, *per_variable, 0), spans


def _spike_buffers(layout: Any, wanted: tuple[str, ...] | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Empty spike buffers ``(steps, ids, keep)``; ``keep`` marks the neurons of the recorded
    populations (``wanted``; ``None``: all), whose spikes alone are stored."""
    keep = np.zeros(layout.n_total, dtype=np.uint8)
    for name, size in layout.sizes.items():
        if wanted is None or name in wanted:
            keep[layout.offsets[name] : layout.offsets[name] + size] = 1
    capacity = max(4 * int(keep.sum()), layout.n_total, 1 << 16)  # the kernel needs room for one step
    return np.zeros(capacity, dtype=np.int64), np.zeros(capacity, dtype=np.int32), keep


def execute(runnable: Any, schedule: Schedule) -> Recording:
    """Run ``schedule`` on a :class:`NumbaRunnable` from its initial state."""
    layout = runnable.layout
    started = time.perf_counter()
    starts = phase_steps(schedule, layout.dt)
    n_steps = int(starts[-1])
    check_run_memory(runnable, schedule)
    src_steps, src_ids = source_spikes(runnable.network, schedule, layout, runnable.seed)
    syn = layout.synapses
    plastic = layout.plastic
    n_plastic = len(plastic.names)
    weight = syn.weight.copy() if n_plastic else syn.weight  # only plasticity changes weights
    ring = np.zeros((syn.max_delay + 1, 2 * layout.n_dynamic))
    state = _state_arrays(layout)
    traces, hist = _stdp_state(layout)
    enabled = np.zeros(n_plastic, dtype=np.int64)
    plastic_idx = _plastic_index(plastic)
    board_readout = runnable.record.weight_readout == "board"
    board = weight.copy() if board_readout and n_plastic else np.zeros(0)  # deferred read-back
    record, spans = _state_record(runnable, n_steps)
    spk_step, spk_id, keep = _spike_buffers(layout, runnable.record.spikes)
    n_spikes = n_samples = 0
    dendrites = _dendrite_arrays(layout.dendrites)
    setup_s = time.perf_counter() - started

    step_loop, threads = _step_loop(layout, runnable.threads, ring.shape[1])

    def call(t0: int, t1: int) -> tuple[int, int, int]:
        sources = (step_pointers(src_steps, t0, t1), src_ids, t0)  # this chunk's pointers only
        return step_loop(
            t0, t1, layout.dt, _neuron_tuple(layout), (layout.neurons.segments, layout.neurons.seg_params), state,
            (syn.row_ptr, syn.target, syn.delay, weight), ring, sources, (spk_step, spk_id, keep), n_spikes,
            (hist[0], hist[1], plastic.fparams, plastic.iparams, enabled, plastic_idx, traces, board),
            (*record[:4], n_samples),
            dendrites,
        )

    with parallel.numba_threads(threads):
        jit_started = time.perf_counter()
        call(0, 0)  # compiles (or loads from the cache) without advancing
        jit_s = time.perf_counter() - jit_started
        weights: dict[str, dict[str, np.ndarray]] = {}
        phases: list[PhaseInfo] = []
        loop_started = time.perf_counter()
        bar = tqdm(
            total=n_steps, unit="step", delay=0.0 if runnable.progress else 2.0, disable=runnable.progress is False,
            desc=f"numba {runnable.network.name}", leave=False,
        )
        try:
            for index, phase in enumerate(schedule.phases):
                begin, end = int(starts[index]), int(starts[index + 1])
                _set_enabled(enabled, plastic.names, phase.plastic)
                t = begin
                while t < end:
                    stop = min(end, t + CHUNK_STEPS)
                    reached, n_spikes, n_samples = call(t, stop)
                    if reached < stop:  # spike buffer nearly full: grow and continue
                        spk_step, spk_id = _grow(spk_step), _grow(spk_id)
                    bar.update(reached - t)
                    t = reached
                _end_of_phase(runnable.network, layout, weight)
                phases.append(PhaseInfo(name=phase.name, start_step=begin, stop_step=end))
                if runnable.record.weights and n_plastic:
                    shown = board if board_readout else weight
                    weights[phase.name] = {
                        name: shown[syn.projection_slots[name]].copy() for name in plastic.names
                    }
        finally:
            bar.close()
        loop_s = time.perf_counter() - loop_started
    return _assemble(
        runnable, schedule, spk_step[:n_spikes], spk_id[:n_spikes], spans, record, n_samples,
        weights, phases, {"build_s": runnable.build_s, "setup_s": setup_s, "jit_s": jit_s, "loop_s": loop_s},
        threads=threads,
    )


def _step_loop(layout: Any, threads: int, n_targets: int) -> tuple[Any, int]:
    """The kernel of a run and the threads it uses: the serial loop on one thread, else the
    parallel one with its neuron blocks and target partitions bound (same results either way)."""
    blocks = parallel.neuron_blocks(layout.neurons.segments)
    threads = parallel.effective_threads(threads, layout.n_dynamic, blocks.shape[0])
    if threads == 1:
        return kernels.run_steps, 1
    syn = layout.synapses
    parts = parallel.partition_pointers(syn.row_ptr, syn.target, n_targets, threads)

    def threaded(t0, t1, dt, neurons, segmentation, state, synapses, *rest):  # noqa: ANN001, ANN202
        return parallel.run_steps_parallel(t0, t1, dt, neurons, segmentation, blocks, state, synapses, parts, *rest)

    return threaded, threads


def _dendrite_arrays(table: Any) -> tuple:
    """Kernel arguments for the dendritic counters: (constants, fresh state, synapses)."""
    n_seg, n_soma = table.n_segments, table.soma_k.size
    constants = (table.seg_theta, table.seg_window, table.seg_soma, table.soma_k, table.soma_window, table.soma_first)
    state = (
        np.zeros((table.seg_slots, n_seg)), np.zeros(n_seg), np.zeros(n_seg, dtype=np.int64),
        np.zeros((table.soma_slots, n_soma)), np.zeros(n_soma), np.zeros(n_soma, dtype=np.int64),
        np.zeros(max(n_seg, n_soma, 1), dtype=np.int64),
    )
    return constants, state, (table.row_ptr, table.target, table.delay)


def _frozen(array: np.ndarray) -> np.ndarray:
    """``array`` made read-only, so that the Recording keeps it instead of copying it."""
    array.setflags(write=False)
    return array


def _grow(array: np.ndarray) -> np.ndarray:
    bigger = np.zeros(array.size * 2, dtype=array.dtype)
    bigger[: array.size] = array
    return bigger


def _set_enabled(enabled: np.ndarray, names: list[str], plastic: tuple | None) -> None:
    for k, name in enumerate(names):
        enabled[k] = 1 if plastic is None or name in plastic else 0


def _end_of_phase(network: Any, layout: Any, weight: np.ndarray) -> None:
    """Projections with ``clipping="end_of_phase"`` are clipped to their bounds now."""
    for proj in network.projections:
        if proj.plastic and proj.plasticity.clipping == "end_of_phase":
            slots = layout.synapses.projection_slots[proj.name]
            bounds = proj.plasticity.weight
            weight[slots] = np.clip(weight[slots], bounds.w_min, bounds.w_max)


def _assemble(
    runnable: Any, schedule: Schedule, steps: np.ndarray, gids: np.ndarray, spans: list, record: tuple,
    n_samples: int, weights: dict, phases: list, timings: dict, threads: int,
) -> Recording:
    layout = runnable.layout
    wanted = runnable.record.spikes
    spikes = {}
    for name, size in layout.sizes.items():
        if wanted is not None and name not in wanted:
            continue
        offset = layout.offsets[name]
        mask = (gids >= offset) & (gids < offset + size)
        local_steps, local_ids = steps[mask], gids[mask].astype(np.int64) - offset
        order = np.lexsort((local_ids, local_steps))
        local_steps, local_ids = _frozen(local_steps[order]), _frozen(local_ids[order])
        spikes[name] = SpikeTrains(steps=local_steps, ids=local_ids, dt=layout.dt)
    every = runnable.record.state_every
    sample_steps = np.arange(n_samples, dtype=np.int64) * every
    values: dict[str, dict[str, np.ndarray]] = {}
    for name, variable, start, size in spans:  # read-only views of the buffers: never copied
        buffer = _frozen(record[1 + STATE_VARIABLES.index(variable)][3])
        block = buffer[start : start + n_samples * size].reshape(n_samples, size)
        values.setdefault(name, {})[variable] = block
    state = {
        name: StateTrace(steps=sample_steps, ids=np.arange(layout.sizes[name]), values=per_var, dt=layout.dt)
        for name, per_var in values.items()
    }
    meta = runnable.meta(
        n_steps=phases[-1].stop_step if phases else 0, timings=timings, threads=threads,
        bytes_per_synapse=synapse_bytes(layout.synapses),
    )
    return runnable.recording(
        populations=dict(layout.sizes), spikes=spikes, state=state, weights=weights, phases=phases, meta=meta
    )
