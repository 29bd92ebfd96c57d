"""Backend and Runnable protocols and capabilities."""

from __future__ import annotations

import enum
from typing import Any, Protocol

from ..ir.errors import UnsupportedFeature

__all__ = ["Backend", "Capability", "Runnable", "UnsupportedFeature"]


class Capability(str, enum.Enum):
    """Features a backend may support; tests skip by capability, never by name."""

    NUMERICS_EXACT = "numerics:exact"
    NUMERICS_SPINNAKER = "numerics:spinnaker"
    NUMERICS_SPINNAKER_FIXED = "numerics:spinnaker-fixed"
    """sPyNNaker's s16.15 fixed-point arithmetic, bit for bit (Numba only)."""
    NUMERICS_STATISTICAL = "numerics:own scheme, statistical agreement"
    """Runs ``exact``/``spinnaker`` networks with the engine's own integration (Nengo): compared
    with the reference by statistics, never spike for spike."""
    IF_CURR_EXP = "cell:IF_curr_exp"
    IF_CURR_DELTA = "cell:IF_curr_delta"
    SPIKE_SOURCE_ARRAY = "cell:SpikeSourceArray"
    SPIKE_SOURCE_POISSON = "cell:SpikeSourcePoisson"
    DISCRETE_LIF = "cell:DiscreteLIF"
    STDP = "plasticity:STDP"
    STDP_HETEROGENEOUS_DELAYS = "plasticity:STDP with per-synapse delays"
    SCHEDULE = "schedule"
    RECORD_STATE = "record:state"
    RECORD_WEIGHTS = "record:weights"
    SPIKE_EXACT = "spike-exact with the reference"
    GPU = "gpu"
    HARDWARE = "hardware"


class Runnable(Protocol):
    """A compiled network, ready to run. ``run`` always starts from the initial state."""

    def run(self, duration: float | None = None) -> Any:
        """Run the schedule (or ``duration`` ms when compiled without one); return a Recording."""
        ...


class Backend(Protocol):
    """A compiler from the IR to one engine."""

    name: str
    capabilities: frozenset

    def compile(self, network: Any, schedule: Any = None, **options: Any) -> Runnable:
        """Compile ``network`` (and ``schedule``) into a :class:`Runnable`."""
        ...
