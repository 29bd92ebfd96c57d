"""The reference flattening of a network: global neuron ids, step constants and synapse tables.

Every backend that wants to agree with the reference engine bit for bit starts from the same
numbers: the same per-neuron step constants, the same synapses in the same order, the same
delays in steps (and, through :mod:`.sources`, the same host-drawn source spikes).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..ir.cells import (
    DiscreteLIF,
    IF_curr_delta,
    IF_curr_exp,
    SpikeSourceArray,
    SpikeSourcePoisson,
    is_source,
)
from ..ir.errors import UnsupportedFeature
from ..ir.network import Network
from .csr import concat
from .dendrite_table import dendritic_populations
from .neurons import NeuronTable, neuron_table
from .synapses import SynapseTable, synapse_table

__all__ = ["POINT_CELLS", "Flat", "flatten"]

POINT_CELLS = (IF_curr_exp, IF_curr_delta, DiscreteLIF, SpikeSourceArray, SpikeSourcePoisson)
"""Cell types :func:`flatten` accepts by default: point neurons and spike sources."""


@dataclass
class Flat:
    """A network flattened as the reference engine flattens it.

    Global neuron index: the dynamic (non-source, non-dendritic) populations first, in network
    order, then dendritic somata, then the spike sources. ``neurons`` holds the per-neuron step
    constants of the dynamic neurons, ``synapses`` every synapse in CSR order by presynaptic
    global index (the order in which the reference engine sends a spike's weights), with delays
    in steps. ``subtractive`` is 1.0 for neurons whose reset subtracts ``v_reset``
    (``DiscreteLIF``), 0.0 for those set to it. ``dt`` is in ms.
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


def flatten(
    network: Network,
    dt: float,
    numerics: str,
    seed: int,
    *,
    backend: str,
    cells: tuple[type, ...] = POINT_CELLS,
    stacklevel: int = 4,
) -> Flat:
    """Flatten ``network`` at time step ``dt`` (ms) with the reference engine's rules.

    Parameters
    ----------
    network : Network
        The network.
    dt : float
        Time step (ms).
    numerics : str
        ``"exact"`` or ``"spinnaker"``.
    seed : int
        Compile seed (random connectors are resolved with it).
    backend : str
        Who flattens (named in :class:`UnsupportedFeature`).
    cells : tuple of type
        The cell types the backend accepts (default :data:`POINT_CELLS`).
    stacklevel : int
        Stack level of the delay-rounding warning, counted from :func:`~.synapses.synapse_table`
        (4: the caller of the function that calls :func:`flatten`).

    Raises
    ------
    UnsupportedFeature
        For a cell type outside ``cells`` (naming ``backend``).
    """
    for pop in network.populations:
        if not isinstance(pop.cell, cells):
            raise UnsupportedFeature(f"cell type {type(pop.cell).__name__}", backend)
    dendritic = dendritic_populations(network)
    dynamic = [p for p in network.populations if not is_source(p.cell) and p not in dendritic]
    sources = [p for p in network.populations if is_source(p.cell)]
    offsets, position = {}, 0
    for pop in dynamic + dendritic + sources:
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
        neurons=neuron_table(dynamic, dt, numerics),
        synapses=synapse_table(network, offsets, n_dynamic, position, dt, seed, stacklevel=stacklevel),
        subtractive=concat(
            [np.full(p.size, isinstance(p.cell, DiscreteLIF), dtype=np.float64) for p in dynamic], np.float64
        ),
    )
