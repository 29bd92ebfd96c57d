"""A PyNN front end: ``import spikemem.pynn as sim`` runs PyNN and sPyNNaker scripts on spikemem.

PyNN 0.13's user API — ``setup``, ``run``, ``reset``, ``end``, ``Population``, ``Projection``,
connectors, synapse types, ``RandomDistribution``, Neo output — building spikemem's IR
underneath. ``setup(..., backend="numba", numerics="exact", seed=0, threads=None)`` chooses
the backend and numerics. See ``docs/pynn.md``.
"""

from . import cells as _cells
from . import connectors as _connectors
from . import synapses as _synapses
from .assembly import Assembly
from .cells import UNSUPPORTED_CELL_TYPES as _UNSUPPORTED_CELL_TYPES
from .cells import (
    IF_curr_delta,
    IF_curr_exp,
    Sequence,
    SpikeSourceArray,
    SpikeSourcePoisson,
    StandardCellType,
)
from .connectors import UNSUPPORTED_CONNECTORS as _UNSUPPORTED_CONNECTORS
from .connectors import (
    AllToAllConnector,
    ArrayConnector,
    FixedNumberPostConnector,
    FixedNumberPreConnector,
    FixedProbabilityConnector,
    FixedTotalNumberConnector,
    FromFileConnector,
    FromListConnector,
    OneToOneConnector,
)
from .control import (
    connect,
    create,
    end,
    get_current_time,
    get_max_delay,
    get_min_delay,
    get_network,
    get_time_step,
    initialize,
    list_standard_models,
    num_processes,
    rank,
    record,
    reset,
    run,
    run_for,
    run_until,
    set_number_of_neurons_per_core,
    set_number_of_synapse_cores,
    setup,
)
from .ids import ID
from .populations import Population, PopulationView
from .projections import Projection
from .random import GSLRNG, NativeRNG, NumpyRNG, RandomDistribution
from .synapses import UNSUPPORTED_SYNAPSES as _UNSUPPORTED_SYNAPSES
from .synapses import (
    AdditiveWeightDependence,
    MultiplicativeWeightDependence,
    SpikePairRule,
    StaticSynapse,
    STDPMechanism,
)

# PyNN names with no spikemem counterpart: using them raises NotImplementedError naming them
for _module, _names in (
    (_cells, _UNSUPPORTED_CELL_TYPES),
    (_connectors, _UNSUPPORTED_CONNECTORS),
    (_synapses, _UNSUPPORTED_SYNAPSES),
):
    for _name in _names:
        globals()[_name] = getattr(_module, _name)

__all__ = [
    "GSLRNG",
    "ID",
    "STDPMechanism",
    "AdditiveWeightDependence",
    "AllToAllConnector",
    "ArrayConnector",
    "Assembly",
    "FixedNumberPostConnector",
    "FixedNumberPreConnector",
    "FixedProbabilityConnector",
    "FixedTotalNumberConnector",
    "FromFileConnector",
    "FromListConnector",
    "IF_curr_delta",
    "IF_curr_exp",
    "MultiplicativeWeightDependence",
    "NativeRNG",
    "NumpyRNG",
    "OneToOneConnector",
    "Population",
    "PopulationView",
    "Projection",
    "RandomDistribution",
    "Sequence",
    "SpikePairRule",
    "SpikeSourceArray",
    "SpikeSourcePoisson",
    "StandardCellType",
    "StaticSynapse",
    "connect",
    "create",
    "end",
    "get_current_time",
    "get_max_delay",
    "get_min_delay",
    "get_network",
    "get_time_step",
    "initialize",
    "list_standard_models",
    "num_processes",
    "rank",
    "record",
    "reset",
    "run",
    "run_for",
    "run_until",
    "set_number_of_neurons_per_core",
    "set_number_of_synapse_cores",
    "setup",
]


class UnsupportedNameError(NotImplementedError, AttributeError):
    """A PyNN or sPyNNaker name that spikemem.pynn does not have (``hasattr`` sees it as missing)."""


def __getattr__(name: str) -> object:
    """Any other public name (``extra_models``, ``external_devices``, ``IF_cond_exp_stoc``...)
    raises NotImplementedError naming it."""
    if name.startswith("_"):
        raise AttributeError(name)
    raise UnsupportedNameError(
        f"{name} is not supported by spikemem.pynn (supported: {', '.join(sorted(__all__))})"
    )
