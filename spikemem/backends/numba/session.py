"""A simulation that continues: the Numba engine's state kept between calls.

:meth:`NumbaRunnable.run <spikemem.backends.numba.NumbaRunnable.run>` always starts from the
initial state. A :class:`NumbaSession` instead holds the state of one simulation — membrane
potentials, synaptic currents, refractory counters, the ring buffer of spikes in flight, the
(plastic) weights, the STDP traces and the dendritic counters — and advances it by whole steps,
call after call (:meth:`NumbaSession.advance`). Between calls the caller may change neuron
parameters (:meth:`NumbaSession.set_cells`), weights (:meth:`NumbaSession.set_weights`) and
membrane potentials (:meth:`NumbaSession.set_v`); the source spikes of each call are given by
the caller, so sources may change too. ``advance(a)`` then ``advance(b)`` gives the spikes and
samples of one run of ``a + b`` steps, bit for bit (the kernels see the same steps in the same
order).

This is what :attr:`~spikemem.backends.base.Capability.CONTINUE` means; the PyNN front end
(:mod:`spikemem.pynn`) uses it for several ``run()`` calls.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

import numpy as np

from ...ir.cells import is_source
from ...ir.errors import IRValidationError
from ...ir.network import Network
from ...lowering.neurons import neuron_table
from . import parallel
from .runner import (
    _dendrite_arrays,
    _neuron_tuple,
    _plastic_index,
    _state_arrays,
    _stdp_state,
    _step_loop,
)

__all__ = ["Advance", "NumbaSession"]

_CHUNK = 20_000
"""Steps per kernel call (Python runs only between chunks)."""


@dataclass(frozen=True)
class Advance:
    """What one :meth:`NumbaSession.advance` produced.

    Attributes
    ----------
    spike_steps, spike_ids : ndarray of int64
        Every spike of the interval (all neurons, sources included): its step and global id,
        in the engine's order (by step, then as emitted).
    sample_steps : ndarray of int64
        Steps whose end-of-step state was sampled (``(step - offset) % every == 0``).
    v, isyn_exc, isyn_inh : ndarray of float64, shape (samples, recorded neurons)
        End-of-step membrane potential (mV) and synaptic currents (nA).
    """

    spike_steps: np.ndarray
    spike_ids: np.ndarray
    sample_steps: np.ndarray
    v: np.ndarray
    isyn_exc: np.ndarray
    isyn_inh: np.ndarray


class NumbaSession:
    """One continuing simulation of a compiled network (see the module docstring).

    Parameters
    ----------
    runnable : NumbaRunnable
        The compiled network (``exact`` or ``spinnaker`` numerics).
    """

    def __init__(self, runnable: Any) -> None:
        self.runnable = runnable
        layout = copy.copy(runnable.layout)  # own neuron table: set_cells never touches the runnable's
        self.layout = layout
        self.step = 0
        """Steps simulated so far."""
        syn = layout.synapses
        self.weight = syn.weight.copy()
        self.ring = np.zeros((syn.max_delay + 1, 2 * layout.n_dynamic))
        self.state = _state_arrays(layout)
        self.traces, self.hist = _stdp_state(layout)
        self.enabled = np.ones(len(layout.plastic.names), dtype=np.int64)
        self.dendrites = _dendrite_arrays(layout.dendrites)
        self._loop, self.threads = _step_loop(layout, runnable.threads, self.ring.shape[1])

    # -- changes between calls ---------------------------------------------------------------
    def set_cells(self, network: Network) -> None:
        """Take new neuron parameters from ``network`` (same populations, same sizes, in the
        compiled order); the state (V, currents, refractory counters) is kept.

        Raises
        ------
        IRValidationError
            If the dynamic populations differ from the compiled ones in name or size.
        """
        dynamic = [p for p in network.populations if not is_source(p.cell)]
        compiled = [p for p in self.runnable.network.populations if not is_source(p.cell)]
        if [(p.name, p.size) for p in dynamic] != [(p.name, p.size) for p in compiled]:
            raise IRValidationError(
                "NumbaSession",
                "network",
                network.name,
                "the compiled populations with the same names and sizes",
            )
        self.layout.neurons = neuron_table(dynamic, self.layout.dt, self.layout.numerics)
        self._loop, self.threads = _step_loop(self.layout, self.runnable.threads, self.ring.shape[1])

    def weights(self, projection: str) -> np.ndarray:
        """Current weights of ``projection`` (nA; mV onto delta cells), in resolve order."""
        return self.weight[self._slots(projection)].copy()

    def set_weights(self, projection: str, values: np.ndarray) -> None:
        """Replace the weights of ``projection`` (one value per synapse, resolve order).

        Raises
        ------
        IRValidationError
            If ``values`` has the wrong length.
        """
        slots = self._slots(projection)
        values = np.asarray(values, dtype=np.float64)
        if values.shape != slots.shape:
            raise IRValidationError(
                f"Projection {projection!r}",
                "weights",
                f"{values.size} values",
                f"{slots.size} (one per synapse)",
            )
        self.weight[slots] = values

    def set_v(self, population: str, values: np.ndarray) -> None:
        """Set the membrane potential (mV) of every neuron of a dynamic ``population`` now."""
        offset, size = self.layout.offsets[population], self.layout.sizes[population]
        self.state[0][offset : offset + size] = np.broadcast_to(np.asarray(values, dtype=np.float64), (size,))

    def _slots(self, projection: str) -> np.ndarray:
        slots = self.layout.synapses.projection_slots
        if projection not in slots:
            raise IRValidationError("NumbaSession", "projection", projection, ", ".join(slots))
        return slots[projection]

    # -- advancing -----------------------------------------------------------------------------
    def advance(
        self,
        n_steps: int,
        sources: tuple[np.ndarray, np.ndarray],
        record_ids: np.ndarray,
        every: int = 1,
        offset: int = 0,
    ) -> Advance:
        """Simulate ``n_steps`` more steps.

        Parameters
        ----------
        n_steps : int
            Steps to simulate (>= 0).
        sources : (ptr, ids)
            Source spikes as a CSR by absolute step: the spikes of step ``t`` are
            ``ids[ptr[t]:ptr[t + 1]]`` (global ids); ``ptr`` must cover ``step + n_steps``.
        record_ids : ndarray of int64
            Global ids of the dynamic neurons to sample.
        every, offset : int
            Sample the end-of-step state of the steps ``t`` with ``(t - offset) % every == 0``
            (``every >= 1``, ``0 <= offset < every``).

        Raises
        ------
        IRValidationError
            For a negative ``n_steps``, a source table too short or a bad ``every``/``offset``.
        """
        owner = "NumbaSession.advance"
        if isinstance(n_steps, bool) or not isinstance(n_steps, (int, np.integer)) or n_steps < 0:
            raise IRValidationError(owner, "n_steps", n_steps, "an integer >= 0")
        if isinstance(every, bool) or not isinstance(every, (int, np.integer)) or every < 1:
            raise IRValidationError(owner, "every", every, "an integer >= 1 (steps)")
        if isinstance(offset, bool) or not isinstance(offset, (int, np.integer)) or not 0 <= offset < every:
            raise IRValidationError(owner, "offset", offset, f"an integer in [0, {every - 1}]")
        begin, end = self.step, self.step + int(n_steps)
        ptr = sources[0]
        if ptr.size < end + 1:
            raise IRValidationError(
                owner, "sources", f"a table of {ptr.size - 1} steps", f"at least {end} steps"
            )
        record_ids = np.ascontiguousarray(record_ids, dtype=np.int64)
        first = begin + (offset - begin) % every
        sample_steps = np.arange(first, end, every, dtype=np.int64)
        # the kernel samples steps t % k == 0: with k = 1, the wanted rows are picked per chunk,
        # and chunks are short enough that a chunk's samples stay small (<= 2**22 values)
        kernel_every = 1 if (every > 1 or offset) and record_ids.size else every
        chunk = _CHUNK if kernel_every == every else max(1, min(_CHUNK, 2**22 // max(record_ids.size, 1)))
        samples: list[list[np.ndarray]] = [[], [], []]
        spikes: tuple[list[np.ndarray], list[np.ndarray]] = ([], [])
        with parallel.numba_threads(self.threads):
            t = begin
            while t < end:
                stop = min(end, t + chunk)
                steps, ids, rows = self._run(t, stop, sources, record_ids, kernel_every)
                spikes[0].append(steps)
                spikes[1].append(ids)
                kept = np.arange(t + (-t) % kernel_every, stop, kernel_every, dtype=np.int64)
                keep = (kept - offset) % every == 0
                for k in range(3):
                    samples[k].append(rows[k][keep])
                t = stop
        self.step = end
        width = record_ids.size
        values = [np.concatenate(s) if s else np.zeros((0, width)) for s in samples]
        return Advance(
            spike_steps=np.concatenate(spikes[0]) if spikes[0] else np.zeros(0, np.int64),
            spike_ids=np.concatenate(spikes[1]) if spikes[1] else np.zeros(0, np.int64),
            sample_steps=sample_steps,
            v=values[0],
            isyn_exc=values[1],
            isyn_inh=values[2],
        )

    def _run(
        self, begin: int, end: int, sources: tuple[np.ndarray, np.ndarray], record_ids: np.ndarray, every: int
    ) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
        """Steps ``begin..end-1`` in kernel calls: the spikes (steps, global ids) and the
        sampled rows (v, isyn_exc, isyn_inh) of the steps ``t % every == 0``."""
        n_rows = len(range(begin + (-begin) % every, end, every))
        width = record_ids.size
        flat = [np.zeros(n_rows * width) for _ in range(3)]
        base, stride = np.arange(width, dtype=np.int64), np.full(width, width, dtype=np.int64)
        record = tuple((record_ids, base, stride, buffer) for buffer in flat)
        capacity = max(4 * self.layout.n_total, 1 << 12)
        spk_step, spk_id = np.zeros(capacity, np.int64), np.zeros(capacity, np.int32)
        keep = np.ones(self.layout.n_total, dtype=np.uint8)  # every neuron's spikes
        n_spikes = n_samples = 0
        syn, plastic = self.layout.synapses, self.layout.plastic
        plastic_idx = _plastic_index(plastic)
        neurons = _neuron_tuple(self.layout)
        segmentation = (self.layout.neurons.segments, self.layout.neurons.seg_params)
        t = begin
        while t < end:
            reached, n_spikes, n_samples = self._loop(
                t,
                end,
                self.layout.dt,
                neurons,
                segmentation,
                self.state,
                (syn.row_ptr, syn.target, syn.delay, self.weight),
                self.ring,
                (sources[0], sources[1], 0),  # pointers by absolute step
                (spk_step, spk_id, keep),
                n_spikes,
                (
                    self.hist[0],
                    self.hist[1],
                    plastic.fparams,
                    plastic.iparams,
                    self.enabled,
                    plastic_idx,
                    self.traces,
                    np.zeros(0),  # no deferred (board) read-back copy in a session
                ),
                (every, *record, n_samples),
                self.dendrites,
            )
            if reached < end:  # spike buffer nearly full: grow it and continue
                spk_step, spk_id = _grown(spk_step), _grown(spk_id)
            t = reached
        buffers = [buffer.reshape(n_rows, width) for buffer in flat]
        return spk_step[:n_spikes].copy(), spk_id[:n_spikes].astype(np.int64), buffers


def _grown(array: np.ndarray) -> np.ndarray:
    bigger = np.zeros(array.size * 2, dtype=array.dtype)
    bigger[: array.size] = array
    return bigger
