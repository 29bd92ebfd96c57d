"""Export to and import from NIR, the Neuromorphic Intermediate Representation (``nir`` 1.0.8).

NIR describes a network as a graph of continuous-time primitives; spikemem's IR describes PyNN
cells and projections. This package translates the subset both can express and labels every
node with its fidelity: ``"faithful"`` (same equations), ``"approximate"`` (with the reason) or
``"unsupported"``. The mapping, the unit conversions and the conventions are in ``docs/nir.md``;
in short:

- ``IF_curr_exp`` → ``CubaLIF`` with ``tau_mem = tau_m``, ``r = tau_m/cm`` (MΩ),
  ``v_leak = v_rest + r·i_offset``, ``w_in = tau_syn``; when a population receives both
  receptor types and ``tau_syn_E != tau_syn_I``, the cell is split into two ``LI`` nodes (the
  synaptic currents, ``tau = r = tau_syn_E`` or ``tau_syn_I``) feeding one ``LIF`` node.
- ``IF_curr_delta`` → ``LIF`` with ``r = tau_m`` (a spike of weight ``w`` makes ``v`` jump by
  ``w`` mV); approximate, because the engine adds a delta input at the end of its step.
- Projections → one ``Linear`` (dense ``n_post × n_pre`` weights, inhibitory ones negative)
  followed by one ``Delay`` node per distinct delay value; several edges into a node add up.
- ``SpikeSourceArray`` → ``Input`` (its spike times are data, kept in the node's metadata).
- Unsupported: plasticity, ``SpikeSourcePoisson``, ``DiscreteLIF``, ``DendriticNeuron``.

Time constants and delays are written in milliseconds (NIR's documented unit) unless
``time_unit="s"``; voltages in mV, resistances in MΩ, weights in nA (mV for delta cells). A
spike is a Dirac delta of unit area, so through weight ``w`` it makes ``I`` of a ``CubaLIF``
jump by ``w_in·w/tau_syn``. The ``nir`` package is imported only when a function here runs.

This package is the public entry point; the work is done in its modules: ``common`` (fidelity
report, constants, helpers), ``export`` (:func:`to_nir`), ``importer`` with ``import_nodes`` and
``import_cells`` (:func:`from_nir`) and ``files`` (the ``.nir`` file functions).
"""

from __future__ import annotations

# The public API (``__all__``) and, under their old names, the module's constants ("X as X"):
# read them here, but patch one in the module that uses it (MAX_DENSE_ENTRIES: export).
from .common import (
    APPROXIMATE,
    FAITHFUL,
    TIME_UNITS,
    UNSUPPORTED,
    FidelityEntry,
    FidelityReport,
)
from .common import BACKEND as BACKEND
from .common import FIDELITY_ORDER as FIDELITY_ORDER
from .common import FORMAT as FORMAT
from .common import FORMAT_VERSION as FORMAT_VERSION
from .common import IMPORT_BACKEND as IMPORT_BACKEND
from .common import META as META
from .export import MAX_DENSE_ENTRIES as MAX_DENSE_ENTRIES
from .export import SPIKE_CONVENTION as SPIKE_CONVENTION
from .export import to_nir
from .files import read_nir, read_nir_graph, write_nir
from .importer import DEFAULT_DT as DEFAULT_DT
from .importer import from_nir, from_nir_with_report

__all__ = [
    "APPROXIMATE",
    "FAITHFUL",
    "TIME_UNITS",
    "UNSUPPORTED",
    "FidelityEntry",
    "FidelityReport",
    "from_nir",
    "from_nir_with_report",
    "read_nir",
    "read_nir_graph",
    "to_nir",
    "write_nir",
]
