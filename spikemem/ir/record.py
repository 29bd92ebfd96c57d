"""What a run records: :class:`RecordSpec` (pure data, like :class:`~spikemem.ir.Schedule`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np

from .errors import IRValidationError

__all__ = ["WEIGHT_READOUTS", "RecordSpec"]

WEIGHT_READOUTS = ("exact", "board")
"""The choices of :attr:`RecordSpec.weight_readout`."""


@dataclass(frozen=True, kw_only=True)
class RecordSpec:
    """What a run records.

    Parameters
    ----------
    spikes : tuple of str or None
        Populations whose spikes are recorded; ``None`` records every population.
    state : dict of str to tuple of str
        State variables to sample per population, e.g. ``{"exc": ("v",)}``; names come from
        the cell's ``state_variables`` (``v`` in mV, ``isyn_exc``/``isyn_inh`` in nA).
    state_every : int
        Sample every this many steps (>= 1).
    weights : bool
        Record the weights of plastic projections at the end of every phase.
    weight_readout : {"exact", "board"}
        Which weight of a plastic synapse is recorded. ``"exact"``: the engine's weight, every
        STDP event up to the end of the phase applied. ``"board"``: what sPyNNaker's
        ``Projection.get('weight')`` reads back after ``run()`` on SpiNNaker, where a synapse is
        updated only when a presynaptic spike is processed, so post spikes after its last pre
        spike are missing (numerics ``spinnaker`` and ``spinnaker-fixed`` only; see
        ``docs/reference-engine.md``). The spikes are the same either way.
    """

    spikes: tuple | None = None
    state: dict = field(default_factory=dict)
    state_every: int = 1
    weights: bool = True
    weight_readout: str = "exact"

    def __post_init__(self) -> None:
        if isinstance(self.state_every, bool) or not isinstance(self.state_every, int) or self.state_every < 1:
            raise IRValidationError("RecordSpec", "state_every", self.state_every, "an integer >= 1 (steps)")
        if not isinstance(self.weights, (bool, np.bool_)):
            raise IRValidationError("RecordSpec", "weights", self.weights, "True or False")
        object.__setattr__(self, "weights", bool(self.weights))
        if self.weight_readout not in WEIGHT_READOUTS:
            allowed = " or ".join(WEIGHT_READOUTS)
            raise IRValidationError("RecordSpec", "weight_readout", self.weight_readout, allowed)
        if self.spikes is not None:
            object.__setattr__(self, "spikes", _names("spikes", self.spikes))
        if not isinstance(self.state, Mapping):
            raise IRValidationError("RecordSpec", "state", self.state, "a dict population -> variable names")
        state = {}
        for name, variables in self.state.items():
            if not isinstance(name, str):
                raise IRValidationError("RecordSpec", "state", name, "population names (str) as keys")
            state[name] = _names(f"state[{name!r}]", (variables,) if isinstance(variables, str) else variables)
        object.__setattr__(self, "state", MappingProxyType(state))

    def check_against(self, network: Any) -> None:
        """Raise if the spec names unknown populations or variables."""
        names = {p.name: p for p in network.populations}
        for name in self.spikes or ():
            if name not in names:
                raise IRValidationError("RecordSpec", "spikes", name, "population names: " + ", ".join(names))
        for name, variables in self.state.items():
            if name not in names:
                raise IRValidationError("RecordSpec", "state", name, "population names: " + ", ".join(names))
            allowed = names[name].cell.state_variables
            for var in variables:
                if var not in allowed:
                    raise IRValidationError(
                        "RecordSpec", f"state[{name!r}]", var,
                        ", ".join(allowed) if allowed else "nothing (spike sources have no state)",
                    )


def _names(parameter: str, value: Any) -> tuple[str, ...]:
    """A tuple of strings from any iterable of strings (a lone string is refused)."""
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise IRValidationError("RecordSpec", parameter, value, "a list or tuple of names")
    names = tuple(value)
    for name in names:
        if not isinstance(name, str):
            raise IRValidationError("RecordSpec", parameter, name, "names (str)")
    return names
