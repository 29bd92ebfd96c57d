"""Flatten an IR network into the struct-of-arrays layout the Numba kernels run on (numpy only).

The neutral flat tables (:class:`~spikemem.lowering.Flat`: global neuron ids, step constants,
CSR synapses) plus what only the Numba kernels use: STDP synapses indexed per plastic
projection by pre and by post neuron, and the tables of native dendritic segments.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from ...ir.dendrites import DendriticNeuron
from ...ir.errors import UnsupportedFeature
from ...ir.network import Network
from ...lowering import POINT_CELLS, DendriteTable, Flat, SynapseTable, build_dendrite_table, flatten
from ...lowering.csr import concat

BACKEND = "numba"
SUPPORTED_CELLS = (*POINT_CELLS, DendriticNeuron)


@dataclass
class PlasticTable:
    """STDP parameters per plastic projection and its synapses indexed by pre and by post."""

    names: list[str]
    fparams: np.ndarray  # (P, 6): tau_plus, tau_minus, A_plus, A_minus, w_min, w_max
    iparams: np.ndarray  # (P, 6): multiplicative, clip_per_event, a_pre, a_post, incl_pot, incl_dep
    pre_ptr: np.ndarray  # (P, N+1)
    pre_syn: np.ndarray
    pre_other: np.ndarray
    post_ptr: np.ndarray  # (P, N+1)
    post_syn: np.ndarray
    post_other: np.ndarray
    history: int  # number of past steps of spikes kept


@dataclass
class Layout(Flat):
    """Everything the kernels need: the neutral flat tables, STDP indices, state-variable
    names per population and the native dendrite tables."""

    plastic: PlasticTable
    state_variables: dict[str, tuple[str, ...]]
    dendrites: DendriteTable


def _plastic_table(network: Network, offsets: dict[str, int], n_total: int, synapses: SynapseTable) -> PlasticTable:
    plastic = [p for p in network.projections if p.plastic]
    P = len(plastic)
    fparams = np.zeros((max(P, 1), 6))
    iparams = np.zeros((max(P, 1), 6), dtype=np.int64)
    pre_ptr = np.zeros((max(P, 1), n_total + 1), dtype=np.int64)
    post_ptr = np.zeros((max(P, 1), n_total + 1), dtype=np.int64)
    pre_syn, pre_other, post_syn, post_other = [], [], [], []
    history = 1
    base_pre = base_post = 0
    for k, proj in enumerate(plastic):
        rule = proj.plasticity
        slots = synapses.projection_slots[proj.name]
        delays = synapses.delay[slots]
        if delays.size and delays.min() != delays.max():
            raise UnsupportedFeature(
                f"per-synapse (heterogeneous) delays on plastic projection {proj.name!r}", BACKEND
            )
        d = int(delays[0]) if delays.size else 1
        a_pre, a_post = {"dendritic": (0, d), "axonal": (d, 0), "none": (0, 0)}[rule.delay_convention]
        history = max(history, a_pre + 1, a_post + 1)
        a_plus, a_minus = rule.scaled_amplitudes
        fparams[k] = (rule.timing.tau_plus, rule.timing.tau_minus, a_plus, a_minus, rule.weight.w_min, rule.weight.w_max)
        iparams[k] = (
            int(type(rule.weight).__name__ == "Multiplicative"),
            int(rule.clipping == "per_event"),
            a_pre,
            a_post,
            int(rule.zero_lag == "potentiate"),
            int(rule.zero_lag == "depress"),
        )
        pre_local, post_local = synapses.projection_pre_post[proj.name]
        pre_g = pre_local + offsets[proj.pre.name]
        post_g = post_local + offsets[proj.post.name]
        by_pre = np.argsort(pre_g, kind="stable")
        by_post = np.argsort(post_g, kind="stable")
        pre_ptr[k, 1:] = base_pre + np.cumsum(np.bincount(pre_g, minlength=n_total))
        pre_ptr[k, 0] = base_pre
        post_ptr[k, 1:] = base_post + np.cumsum(np.bincount(post_g, minlength=n_total))
        post_ptr[k, 0] = base_post
        pre_syn.append(slots[by_pre])
        pre_other.append(post_g[by_pre])
        post_syn.append(slots[by_post])
        post_other.append(pre_g[by_post])
        base_pre += slots.size
        base_post += slots.size
    return PlasticTable(
        names=[p.name for p in plastic],
        fparams=fparams,
        iparams=iparams,
        pre_ptr=pre_ptr,
        pre_syn=concat(pre_syn, np.int64),
        pre_other=concat(pre_other, np.int64),
        post_ptr=post_ptr,
        post_syn=concat(post_syn, np.int64),
        post_other=concat(post_other, np.int64),
        history=history,
    )


def build_layout(network: Network, dt: float, numerics: str, seed: int, *, stacklevel: int = 5) -> Layout:
    """Flatten ``network`` for the kernels at time step ``dt`` (ms).

    ``stacklevel`` places the delay-rounding warning (counted from the synapse table; the
    default 5 is the caller of the function that calls :func:`build_layout`).
    """
    flat = flatten(network, dt, numerics, seed, backend=BACKEND, cells=SUPPORTED_CELLS, stacklevel=stacklevel)
    return Layout(
        **{f.name: getattr(flat, f.name) for f in fields(Flat)},
        plastic=_plastic_table(network, flat.offsets, flat.n_total, flat.synapses),
        state_variables={p.name: p.cell.state_variables for p in network.populations},
        dendrites=build_dendrite_table(network, flat.offsets, flat.n_total, dt, seed),
    )
