"""Time step and time scale factor advice, the synaptic load of the cores, and packing the cores
onto chips."""

from __future__ import annotations

import math

import numpy as np

from ....ir.cells import is_source
from ....ir.network import Network
from ..constraints import legal_dt
from .report import PopulationEstimate
from .rules import APP_CORES_PER_CHIP, MIN_TICK_MS, STATIC_SYNAPSES_PER_S, STDP_SYNAPSES_PER_S
from .synapses import ProjectionSynapses


def dt_advice(network: Network, dt: float, tsf: float, reasons: list, advice: list) -> None:
    """Add to ``advice`` (and to ``reasons`` when the board cannot run it) what the time step
    ``dt`` (ms) at time scale factor ``tsf`` and the network's numerics mean on SpiNNaker."""
    step = legal_dt(dt)
    if step == 1.0:
        advice.append("dt = 1.0 ms: sPyNNaker's native step; runs in real time at time scale factor 1")
    elif step == 0.1:
        advice.append(
            "dt = 0.1 ms: sPyNNaker 7.4 splits neuron and synapse cores; the hardware tick is "
            f"dt x time scale factor = {dt * tsf:g} ms (>= {MIN_TICK_MS} ms needed)"
        )
    else:
        reasons.append(
            f"dt = {dt:g} ms is not a SpiNNaker time step: use 1.0 ms, or 0.1 ms with a time scale factor"
        )
    if dt * tsf < MIN_TICK_MS - 1e-12:
        reasons.append(
            f"dt x time scale factor = {dt * tsf:g} ms < {MIN_TICK_MS} ms: the board cannot tick that fast"
        )
    if network.numerics != "spinnaker":
        advice.append(
            "the network uses 'exact' numerics; the board computes 'spinnaker' numerics "
            "(run numba with numerics='spinnaker' to preview them)"
        )


def load_time_scale_factor(
    network: Network,
    projs: list[ProjectionSynapses],
    rates: dict,
    atoms_per_core: dict,
    split: bool,
    tsf: float,
    advice: list,
    warns: list,
) -> float:
    """Time scale factor at which every core keeps up with its expected synaptic events."""
    worst, worst_name = 0.0, ""
    for pop in network.populations:
        if is_source(pop.cell):
            continue
        atoms = atoms_per_core[pop.name]
        load = 0.0
        plastic = False
        for p in projs:
            if p.post != pop.name or not p.pre_ids.size:
                continue
            plastic = plastic or p.plastic is not None
            per_core = np.bincount(p.post_ids // atoms).max()
            load += rates[p.pre] * float(per_core)
        capacity = STDP_SYNAPSES_PER_S if plastic else STATIC_SYNAPSES_PER_S
        need = load / capacity
        if need > worst:
            worst, worst_name = need, pop.name
    recommended = max(1.0, float(math.ceil(worst))) if not split else 1.0
    if worst > 0:
        advice.append(
            f"expected synaptic events: up to {worst * 100:.1f} % of one core's throughput at time scale "
            f"factor 1 (population {worst_name!r}; rates from rate_hz, default 30 Hz)"
        )
    if not split and worst > tsf:
        warns.append(
            f"population {worst_name!r}: synaptic load {worst:.2f} x a core's throughput; use "
            f"time_scale_factor >= {recommended:g} or fewer neurons per core"
        )
    return recommended


def pack_cores(pops: list[PopulationEstimate], split: bool) -> tuple[int, int]:
    """Cores and chips, packing cores chip by chip (a slice and its synapse cores together)."""
    groups: list[int] = []
    for est in pops:
        per_slice = 1 + (est.synapse_cores // est.neuron_cores if split and est.synapse_cores else 0)
        groups += [per_slice] * est.neuron_cores
        groups += [1] * est.delay_extension_cores
    chips, free = 1, APP_CORES_PER_CHIP - 1
    for size in groups:
        if size > free:
            chips += 1
            free = APP_CORES_PER_CHIP - (1 if (chips - 1) % 48 == 0 else 0)
        free -= size
    total = sum(groups)
    return total, (chips if total else 0)
