"""Host-drawn source spikes of a run, on the step grid (numpy only).

Spike-source arrays, seeded Poisson sources and the stimuli of each phase become spikes at
whole steps, drawn on the host once so that every backend injects the same spikes.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING

import numpy as np

from ..ir.cells import SpikeSourceArray, SpikeSourcePoisson, per_neuron
from ..ir.connectivity import projection_seed
from ..ir.network import Network
from ..ir.schedule import Schedule
from .phases import phase_steps

if TYPE_CHECKING:
    from .flat import Flat

__all__ = ["source_spike_table", "source_spikes", "step_pointers"]


def source_spike_table(
    network: Network, schedule: Schedule, flat: Flat, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """All source spikes of the run as a CSR by step: ``(ptr[n_steps + 1], global ids)``.

    The pointer array has one entry per step of the run; a long run should rather keep the
    spikes of :func:`source_spikes` and build the pointers chunk by chunk with
    :func:`step_pointers` (memory O(spikes)).
    """
    steps, gids = source_spikes(network, schedule, flat, seed)
    n_steps = int(phase_steps(schedule, flat.dt)[-1])
    return step_pointers(steps, 0, n_steps), gids


def step_pointers(steps: np.ndarray, t_begin: int, t_end: int) -> np.ndarray:
    """Where each step of ``t_begin .. t_end - 1`` starts in ``steps`` (sorted ascending).

    Returns
    -------
    numpy.ndarray
        ``(t_end - t_begin + 1,)`` int64: the spikes of step ``t`` are positions
        ``ptr[t - t_begin] .. ptr[t - t_begin + 1]`` of ``steps``.
    """
    return np.searchsorted(steps, np.arange(t_begin, t_end + 1, dtype=np.int64), side="left").astype(np.int64)


def _to_steps(times_ms: np.ndarray, dt: float) -> np.ndarray:
    return np.floor(np.asarray(times_ms, dtype=np.float64) / dt + 0.5 + 1e-9).astype(np.int64)


def _poisson(pop, dt: float, n_steps: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    cell = pop.cell
    if cell.seed is not None:
        sequence = np.random.SeedSequence(cell.seed)
    else:
        sequence = projection_seed(seed, "poisson:" + pop.name)
    rng = np.random.Generator(np.random.PCG64(sequence))
    first = int(_to_steps(np.array([cell.start]), dt)[0])
    last = min(n_steps, int(_to_steps(np.array([cell.start + cell.duration]), dt)[0]))
    probability = -np.expm1(-per_neuron(cell.rate, pop.size) * dt * 1e-3)
    steps_parts, ids_parts = [], []
    chunk = max(1, 2**22 // pop.size)
    for begin in range(first, max(first, last), chunk):
        end = min(last, begin + chunk)
        hits = rng.random((end - begin, pop.size)) < probability
        rows, cols = np.nonzero(hits)
        steps_parts.append(rows + begin)
        ids_parts.append(cols)
    if not steps_parts:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate(steps_parts).astype(np.int64), np.concatenate(ids_parts).astype(np.int64)


def source_spikes(
    network: Network, schedule: Schedule, flat: Flat, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """All source spikes of the run as ``(steps, global ids)`` (int64), sorted by step then id;
    memory O(spikes), whatever the length of the run.

    Times are rounded to the nearest step (halves up). A neuron spikes at most once per step:
    duplicates are merged with one warning. Spikes at or after the end of the run are dropped.
    """
    dt = flat.dt
    starts = phase_steps(schedule, dt)
    n_steps = int(starts[-1])
    steps_parts, ids_parts = [], []

    def add(steps: np.ndarray, gids: np.ndarray) -> None:
        keep = (steps >= 0) & (steps < n_steps)
        steps_parts.append(steps[keep])
        ids_parts.append(gids[keep])

    for pop in network.populations:
        offset = flat.offsets[pop.name]
        if isinstance(pop.cell, SpikeSourceArray):
            add(_to_steps(pop.cell.times, dt), pop.cell.ids + offset)
        elif isinstance(pop.cell, SpikeSourcePoisson):
            steps, ids = _poisson(pop, dt, n_steps, seed)
            add(steps, ids + offset)
    for phase, start in zip(schedule.phases, starts[:-1], strict=True):
        for stimulus in phase.stimuli:
            add(_to_steps(stimulus.times, dt) + start, stimulus.ids + flat.offsets[stimulus.population])
    steps = np.concatenate(steps_parts).astype(np.int64) if steps_parts else np.zeros(0, np.int64)
    gids = np.concatenate(ids_parts).astype(np.int64) if ids_parts else np.zeros(0, np.int64)
    if steps.size:
        keys = steps * flat.n_total + gids
        unique = np.unique(keys)
        if unique.size != keys.size:
            warnings.warn(
                f"{keys.size - unique.size} source spikes fell into a step in which the same neuron "
                f"already spikes (dt = {dt} ms) and were merged",
                RuntimeWarning,
                stacklevel=3,
            )
        steps, gids = unique // flat.n_total, unique % flat.n_total
    return steps, gids
