"""The reference engine's synapse table: every synapse in CSR order by presynaptic neuron, then by
target within a row (numpy only).

Targets are ``receptor · n_dynamic + post global id`` (receptor 0 excitatory, 1 inhibitory),
delays whole steps, weights nA (mV onto delta cells). The table keeps, per projection, where
its synapses went (in the order :func:`~spikemem.ir.resolve` returns them), so that plastic
weights can be read back per projection, and the resolved (pre, post) pairs of the plastic
projections (for the STDP tables). Memory: 24 bytes per synapse (int32 target and delay,
float64 weight, int64 position), built with the lists of each kind freed as soon as they are
joined.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np

from ..ir.connectivity import Synapses, delay_steps, resolve
from ..ir.dendrites import DendriticNeuron
from ..ir.errors import IRValidationError
from ..ir.network import Network
from .csr import concat, csr_by_pre

MAX_DELAY_STEPS = 2**31 - 1
"""Longest delay in steps: the synapse table stores delays as int32."""

__all__ = ["SynapseTable", "synapse_table"]


@dataclass
class SynapseTable:
    """All synapses in CSR form by presynaptic global index."""

    row_ptr: np.ndarray
    target: np.ndarray  # receptor * n_dynamic + post global index
    delay: np.ndarray  # steps
    weight: np.ndarray  # nA (mV for delta cells); mutated by plasticity
    max_delay: int
    projection_slots: dict[str, np.ndarray] = field(default_factory=dict)  # CSR positions, resolve order
    # resolved (pre, post) of the plastic projections only
    projection_pre_post: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)


def synapse_table(
    network: Network,
    offsets: dict[str, int],
    n_dynamic: int,
    n_total: int,
    dt: float,
    seed: int,
    *,
    stacklevel: int = 4,
) -> SynapseTable:
    """Every synapse of ``network`` in CSR order by presynaptic global id, delays in steps of
    ``dt`` (ms), rounded to the nearest step (halves up, one warning at ``stacklevel`` for the
    largest rounding error). Synapses onto dendritic populations are left out (they live in the
    :class:`~spikemem.lowering.dendrite_table.DendriteTable`)."""
    pre_all, tgt_all, dly_all, w_all, bounds = [], [], [], [], [0]
    pre_post = {}
    worst = (0.0, "", 0.0)  # largest rounding error (ms), projection, delay
    for proj in network.projections:
        syn = resolve(proj, seed)
        if proj.plastic:  # the STDP tables need the pairs; other projections drop them now
            pre_post[proj.name] = (syn.pre, syn.post)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            steps = (
                delay_steps(syn.delay, dt, owner=f"Projection {proj.name!r}")
                if syn.size
                else np.zeros(0, np.int64)
            )
        if syn.size and steps.max() > MAX_DELAY_STEPS:  # the table stores delays as int32
            raise IRValidationError(
                f"Projection {proj.name!r}",
                "delay",
                float(syn.delay.max()),
                f"at most {MAX_DELAY_STEPS * dt:g} ms at dt={dt} ms (2**31 - 1 steps)",
            )
        if syn.size:
            error = np.abs(steps * dt - syn.delay)
            k = int(np.argmax(error))
            if error[k] > worst[0]:
                worst = (float(error[k]), proj.name, float(syn.delay[k]))
            del error
        if isinstance(proj.post.population.cell, DendriticNeuron):
            syn = Synapses(pre=syn.pre[:0], post=syn.post[:0], weight=syn.weight[:0], delay=syn.delay[:0])
            steps = steps[:0]  # synapses onto segments live in the dendrite table
        receptor = 0 if proj.receptor == "excitatory" else 1
        pre_all.append(syn.pre + offsets[proj.pre.name])
        tgt_all.append(receptor * n_dynamic + syn.post + offsets[proj.post.name])
        dly_all.append(steps.astype(np.int32))
        w_all.append(syn.weight)
        bounds.append(bounds[-1] + syn.size)
        del syn, steps
    if worst[0] > 1e-9 * max(1.0, worst[2]):
        warnings.warn(
            f"delays that are not multiples of dt = {dt} ms were rounded to the nearest step (halves up); "
            f"largest rounding error {worst[0]:.6g} ms (projection {worst[1]!r}, delay {worst[2]:.6g} ms)",
            RuntimeWarning,
            stacklevel=stacklevel,
        )
    # one list at a time, each freed once concatenated: the peak stays a few arrays of the total
    pre = _concat_and_clear(pre_all, np.int64)
    target = _concat_and_clear(tgt_all, np.int64)
    order, row_ptr = csr_by_pre(pre, n_total, within=target)
    del pre
    target = np.ascontiguousarray(target[order].astype(np.int32))
    delay = _concat_and_clear(dly_all, np.int32)
    max_delay = int(delay.max()) if delay.size else 1
    delay = np.ascontiguousarray(delay[order])
    weight = np.ascontiguousarray(_concat_and_clear(w_all, np.float64)[order])
    position = np.empty(order.size, dtype=np.int64)
    position[order] = np.arange(order.size)
    del order
    table = SynapseTable(row_ptr=row_ptr, target=target, delay=delay, weight=weight, max_delay=max_delay)
    for index, proj in enumerate(network.projections):
        table.projection_slots[proj.name] = position[bounds[index] : bounds[index + 1]]
    table.projection_pre_post.update(pre_post)
    return table


def _concat_and_clear(parts: list[np.ndarray], dtype: type) -> np.ndarray:
    """``parts`` concatenated as ``dtype``; the list is emptied so its arrays can be freed."""
    joined = concat(parts, dtype)
    parts.clear()
    return joined
