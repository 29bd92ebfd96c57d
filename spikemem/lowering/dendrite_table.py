"""Flat tables of native dendritic segments (semantics: :mod:`spikemem.ir.dendrites`; numpy only).

This module flattens the dendritic populations for an engine with native segments (the Numba
engine, whose kernels ``count_and_fire``, ``dendrites_step`` and ``send_to_segments`` live in
:mod:`spikemem.backends.numba.kernels`).

Segments and somata of ``DendriticNeuron`` populations are event counters with a sliding
window. Synapses onto segments live in their own CSR table by presynaptic neuron; an event
adds +1 to a ring-buffer slot at its arrival step and −1 one window later. Per step, every
counter takes its slot (unless refractory, when the slot is discarded and the counter counts
down), fires at its threshold, resets to 0 and becomes refractory for two windows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..ir.connectivity import delay_steps, resolve
from ..ir.dendrites import DendriticNeuron
from ..ir.network import Network
from .csr import concat, csr_by_pre

__all__ = ["DendriteTable", "build_dendrite_table", "dendritic_populations"]


@dataclass
class DendriteTable:
    """Flat arrays for every dendritic population of a network (empty when there is none)."""

    seg_theta: np.ndarray  # (n_seg,) float64 threshold
    seg_window: np.ndarray  # (n_seg,) int64 window (steps)
    seg_soma: np.ndarray  # (n_seg,) int64 soma index (0-based among dendritic somata)
    soma_k: np.ndarray  # (n_soma,) float64 soma threshold
    soma_window: np.ndarray  # (n_soma,) int64 window (steps)
    soma_first: int  # global id of the first soma
    row_ptr: np.ndarray  # (n_total + 1,) CSR by presynaptic global id
    target: np.ndarray  # segment index per synapse
    delay: np.ndarray  # steps per synapse
    seg_slots: int  # ring length for segment events
    soma_slots: int  # ring length for soma events

    @property
    def n_segments(self) -> int:
        """Total number of segments."""
        return int(self.seg_theta.size)


def dendritic_populations(network: Network) -> list:
    """The ``DendriticNeuron`` populations, in network order."""
    return [p for p in network.populations if isinstance(p.cell, DendriticNeuron)]


def build_dendrite_table(
    network: Network, offsets: dict[str, int], n_total: int, dt: float, seed: int
) -> DendriteTable:
    """Flatten the dendritic populations (whose somata start at ``offsets``) and their inputs."""
    pops = dendritic_populations(network)
    seg_start, soma_start = {}, {}
    theta, seg_window, seg_soma, soma_k, soma_window = [], [], [], [], []
    n_seg = n_soma = 0
    for pop in pops:
        cell, w = pop.cell, pop.cell.window_steps(dt)
        seg_start[pop.name], soma_start[pop.name] = n_seg, n_soma
        count = pop.size * cell.n_segments
        theta.append(np.full(count, float(cell.theta)))
        seg_window.append(np.full(count, w, dtype=np.int64))
        seg_soma.append(n_soma + np.arange(count, dtype=np.int64) // cell.n_segments)
        soma_k.append(np.full(pop.size, float(cell.soma_threshold)))
        soma_window.append(np.full(pop.size, w, dtype=np.int64))
        n_seg += count
        n_soma += pop.size
    pre_all, tgt_all, dly_all = [], [], []
    for proj in network.projections:
        post = proj.post.population
        if not isinstance(post.cell, DendriticNeuron):
            continue
        syn = resolve(proj, seed)
        pre_all.append(syn.pre + offsets[proj.pre.name])
        tgt_all.append(seg_start[post.name] + syn.post * post.cell.n_segments + syn.segment)
        owner = f"Projection {proj.name!r}"
        dly_all.append(delay_steps(syn.delay, dt, owner=owner) if syn.size else np.zeros(0, np.int64))
    pre, target, delay = concat(pre_all, np.int64), concat(tgt_all, np.int64), concat(dly_all, np.int64)
    order, row_ptr = csr_by_pre(pre, n_total)
    windows = concat(seg_window, np.int64)
    max_w = int(windows.max()) if windows.size else 1
    return DendriteTable(
        seg_theta=concat(theta, np.float64),
        seg_window=windows,
        seg_soma=concat(seg_soma, np.int64),
        soma_k=concat(soma_k, np.float64),
        soma_window=concat(soma_window, np.int64),
        soma_first=min((offsets[p.name] for p in pops), default=0),
        row_ptr=row_ptr,
        target=target[order],
        delay=delay[order],
        seg_slots=(int(delay.max()) if delay.size else 1) + max_w + 1,
        soma_slots=max_w + 2,
    )
