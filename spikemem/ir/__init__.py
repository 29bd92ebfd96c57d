"""The network description (IR): pure data, numpy only.

Build a :class:`Network` from :class:`Population` and :class:`Projection` objects, optionally a
:class:`Schedule` of phases, then hand both to a backend (``spikemem.compile``). Units are
PyNN's: ms, mV, nA, nF, µS, Hz.
"""

from .cells import DiscreteLIF, IF_curr_delta, IF_curr_exp, SpikeSourceArray, SpikeSourcePoisson
from .connectivity import Synapses, delay_steps, resolve
from .connectors import (
    AllToAll,
    FixedNumberPost,
    FixedNumberPre,
    FixedProbability,
    FixedTotalNumber,
    FromList,
    OneToOne,
)
from .dendrites import DendriticNeuron
from .errors import IRValidationError, MemoryBudgetError, UnsupportedFeature
from .network import NUMERICS, Network
from .plasticity import STDP, Additive, Multiplicative, SpikePair
from .population import Population, PopulationView
from .projection import Projection
from .record import RecordSpec
from .schedule import Phase, Schedule, Stimulus
from .serialize import schedule_from_dict, schedule_to_dict

__all__ = [
    "NUMERICS",
    "STDP",
    "Additive",
    "AllToAll",
    "DendriticNeuron",
    "DiscreteLIF",
    "FixedNumberPost",
    "FixedNumberPre",
    "FixedProbability",
    "FixedTotalNumber",
    "FromList",
    "IF_curr_delta",
    "IF_curr_exp",
    "IRValidationError",
    "MemoryBudgetError",
    "Multiplicative",
    "Network",
    "OneToOne",
    "Phase",
    "Population",
    "PopulationView",
    "Projection",
    "RecordSpec",
    "Schedule",
    "SpikePair",
    "SpikeSourceArray",
    "SpikeSourcePoisson",
    "Stimulus",
    "Synapses",
    "UnsupportedFeature",
    "delay_steps",
    "resolve",
    "schedule_from_dict",
    "schedule_to_dict",
]
