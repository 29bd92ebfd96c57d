"""The neutral lowering layer between the IR and the backends (numpy only).

It turns a :class:`~spikemem.ir.Network` into what every backend compiles from: per-neuron
step constants (:mod:`.neurons`), CSR synapse tables (:mod:`.synapses`), host-drawn source
spikes (:mod:`.sources`) and phase steps (:mod:`.phases`), gathered by :func:`flatten`
(:mod:`.flat`); the dendrite lowering (:func:`lower_dendrites`, an IR-to-IR rewrite) and the
flat tables of native segments (:mod:`.dendrite_table`); and the type-dispatch
:class:`Registry` that backends and the NIR export fill. Nothing here imports a simulator
(nor numba), and :mod:`spikemem.ir` never imports this package.
"""

from .dendrite_table import DendriteTable, build_dendrite_table, dendritic_populations
from .dendrites import COUNTER_TAU_M, counter_cell, lower_dendrites
from .flat import POINT_CELLS, Flat, flatten
from .neurons import (
    LINEAR_CONSTANTS,
    NeuronTable,
    lif_propagators,
    neuron_table,
    refractory_steps,
    segment_table,
)
from .phases import phase_infos, phase_steps
from .registry import Registry
from .sources import source_spike_table, source_spikes, step_pointers
from .synapses import SynapseTable, synapse_table

__all__ = [
    "COUNTER_TAU_M",
    "LINEAR_CONSTANTS",
    "POINT_CELLS",
    "DendriteTable",
    "Flat",
    "NeuronTable",
    "Registry",
    "SynapseTable",
    "build_dendrite_table",
    "counter_cell",
    "dendritic_populations",
    "flatten",
    "lif_propagators",
    "lower_dendrites",
    "neuron_table",
    "phase_infos",
    "phase_steps",
    "refractory_steps",
    "segment_table",
    "source_spike_table",
    "source_spikes",
    "step_pointers",
    "synapse_table",
]
