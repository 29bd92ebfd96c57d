"""Backend-neutral helpers (numpy only): the reference engine's flattening of an IR network.

Every backend that wants to agree with the reference engine bit for bit must start from the
same numbers: the same per-neuron step constants (propagators, refractory steps, the
``spinnaker`` input scaling), the same synapses in the same order, the same delays in steps
and the same host-drawn source spikes. They are computed once, here, by the code of the
reference engine (``spikemem.backends.numba.layout``) and exposed under public names so that
other backends do not reach into the Numba package's internals.

The functions used here are numpy-only, but ``spikemem.backends.numba.layout`` imports numba at
module level (through its dendrite tables), so importing this module needs numba installed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..ir import IF_curr_delta, IF_curr_exp, SpikeSourceArray, SpikeSourcePoisson
from ..ir.cells import DiscreteLIF, is_source
from ..ir.errors import UnsupportedFeature
from ..ir.network import Network
from ..ir.schedule import Schedule
from .numba import layout as _layout

__all__ = [
    "Flat",
    "NeuronTable",
    "SynapseTable",
    "flatten",
    "lif_propagators",
    "phase_infos",
    "phase_steps",
    "refractory_steps",
    "source_spikes",
]

NeuronTable = _layout.NeuronTable
SynapseTable = _layout.SynapseTable
lif_propagators = _layout.lif_propagators
refractory_steps = _layout.refractory_steps
phase_steps = _layout.phase_steps

SUPPORTED_CELLS = (IF_curr_exp, IF_curr_delta, DiscreteLIF, SpikeSourceArray, SpikeSourcePoisson)


@dataclass
class Flat:
    """A network flattened as the reference engine flattens it.

    Global neuron index: the dynamic (non-source) populations first, in network order, then the
    spike sources. ``neurons`` holds the per-neuron step constants of the dynamic neurons,
    ``synapses`` every synapse in CSR order by presynaptic global index (the order in which the
    reference engine sends a spike's weights), with delays in steps. ``subtractive`` is 1.0 for
    neurons whose reset subtracts ``v_reset`` (``DiscreteLIF``), 0.0 for those set to it.
    """

    dt: float
    numerics: str
    n_dynamic: int
    n_total: int
    offsets: dict[str, int]
    sizes: dict[str, int]
    neurons: NeuronTable
    synapses: SynapseTable
    subtractive: np.ndarray


def flatten(network: Network, dt: float, numerics: str, seed: int, *, backend: str) -> Flat:
    """Flatten ``network`` at time step ``dt`` (ms) with the reference engine's rules.

    Raises
    ------
    UnsupportedFeature
        For a cell type outside :data:`SUPPORTED_CELLS` (naming ``backend``).
    """
    for pop in network.populations:
        if not isinstance(pop.cell, SUPPORTED_CELLS):
            raise UnsupportedFeature(f"cell type {type(pop.cell).__name__}", backend)
    dynamic = [p for p in network.populations if not is_source(p.cell)]
    sources = [p for p in network.populations if is_source(p.cell)]
    offsets, position = {}, 0
    for pop in dynamic + sources:
        offsets[pop.name] = position
        position += pop.size
    n_dynamic = sum(p.size for p in dynamic)
    return Flat(
        dt=dt,
        numerics=numerics,
        n_dynamic=n_dynamic,
        n_total=position,
        offsets=offsets,
        sizes={p.name: p.size for p in network.populations},
        neurons=_layout._neuron_table(network, dynamic, dt, numerics),
        synapses=_layout._synapse_table(network, offsets, n_dynamic, position, dt, seed),
        subtractive=np.concatenate(
            [np.full(p.size, isinstance(p.cell, DiscreteLIF), dtype=np.float64) for p in dynamic]
        )
        if dynamic
        else np.zeros(0),
    )


def source_spikes(
    network: Network, schedule: Schedule, flat: Flat, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """All source spikes of the run as ``(steps, global ids)``, sorted by step then id.

    The same spikes as the reference engine draws (same seeds, rounding, merging of duplicates).
    """
    ptr, gids = _layout.source_spikes(network, schedule, flat, seed)
    steps = np.repeat(np.arange(ptr.size - 1, dtype=np.int64), np.diff(ptr))
    return steps, gids


def phase_infos(schedule: Schedule, starts: np.ndarray) -> list:
    """A :class:`~spikemem.results.PhaseInfo` per phase of ``schedule``, from the start steps
    (and total) that :func:`phase_steps` returns."""
    from ..results import PhaseInfo

    return [
        PhaseInfo(name=p.name, start_step=int(starts[k]), stop_step=int(starts[k + 1]))
        for k, p in enumerate(schedule.phases)
    ]

