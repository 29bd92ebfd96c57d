"""Schedules: an experiment as a sequence of phases that every backend sees up front."""

from __future__ import annotations

from dataclasses import field
from typing import Any

import numpy as np

from ._checks import (
    as_tuple,
    check_members,
    check_name,
    check_range,
    finite_float,
    ir_dataclass,
    readonly_float_array,
    readonly_int_array,
)
from .errors import IRValidationError


@ir_dataclass
class Stimulus:
    """Extra spikes for a ``SpikeSourceArray`` population during one phase.

    Parameters
    ----------
    population : str
        Name of a ``SpikeSourceArray`` population.
    times : array of float
        Spike times (ms) **relative to the start of the phase**, in ``[0, phase duration)``.
    ids : array of int
        Neuron index within the population of each spike.
    """

    population: str
    times: np.ndarray = field(default_factory=lambda: np.zeros(0))
    ids: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    def __post_init__(self) -> None:
        check_name("Stimulus", self.population, "population")
        times = readonly_float_array("Stimulus", "times", self.times)
        ids = readonly_int_array("Stimulus", "ids", self.ids)
        if times.size != ids.size:
            raise IRValidationError("Stimulus", "ids", f"{ids.size} ids", f"{times.size} (one per time)")
        check_range("Stimulus", "times", times, low=0.0, high=1e9)
        check_range("Stimulus", "ids", ids, low=0)
        object.__setattr__(self, "times", times)
        object.__setattr__(self, "ids", ids)


@ir_dataclass
class Phase:
    """One phase of an experiment.

    Parameters
    ----------
    name : str
        Name (e.g. ``"store-0"``); unique within the schedule.
    duration : float
        Length (ms), > 0; rounded to whole steps at compile time.
    stimuli : tuple of Stimulus
        Input spikes delivered during this phase.
    plastic : tuple of str or None
        Names of the plastic projections that learn during this phase; ``None`` means all of
        them, ``()`` none. Traces keep following the spikes when learning is off; only the
        weight updates stop.
    """

    name: str
    duration: float
    stimuli: tuple = ()
    plastic: tuple | None = None

    def __post_init__(self) -> None:
        check_name("Phase", self.name)
        owner = f"Phase {self.name!r}"
        duration = finite_float(owner, "duration", self.duration, "a finite number of ms > 0")
        check_range(owner, "duration", duration, low=0.0, low_open=True, high=1e9)
        object.__setattr__(self, "duration", duration)
        stimuli = as_tuple(owner, "stimuli", self.stimuli, "a tuple of Stimulus objects")
        for stimulus in stimuli:
            if not isinstance(stimulus, Stimulus):
                raise IRValidationError(owner, "stimuli", stimulus, "Stimulus objects")
            if stimulus.times.size and stimulus.times.max() >= self.duration:
                raise IRValidationError(
                    owner, "stimuli", float(stimulus.times.max()),
                    f"times in [0, {self.duration}) ms (relative to the phase start)",
                )
        object.__setattr__(self, "stimuli", stimuli)
        if self.plastic is not None:
            if isinstance(self.plastic, str):
                raise IRValidationError(owner, "plastic", self.plastic, "None or a tuple of projection names")
            names = as_tuple(owner, "plastic", self.plastic, "None or a tuple of projection names")
            for name in names:
                check_name(owner, name, "plastic")
            object.__setattr__(self, "plastic", names)


@ir_dataclass
class Schedule:
    """A sequence of phases, run back to back from t = 0.

    Parameters
    ----------
    phases : tuple of Phase
        At least one phase; names must be distinct.
    """

    phases: tuple = ()

    def __post_init__(self) -> None:
        phases = as_tuple("Schedule", "phases", self.phases, "a tuple of Phase objects")
        if not phases:
            raise IRValidationError("Schedule", "phases", phases, "at least one Phase")
        check_members("Schedule", "phase", phases, Phase, distinct="distinct phase names")
        object.__setattr__(self, "phases", phases)

    @classmethod
    def single(cls, duration: float, name: str = "run") -> Schedule:
        """A schedule of one phase of ``duration`` ms with all plasticity on."""
        return cls(phases=(Phase(name=name, duration=duration),))

    @property
    def duration(self) -> float:
        """Total length (ms)."""
        return float(sum(p.duration for p in self.phases))

    def check_against(self, network: Any) -> None:
        """Raise if a phase names a population or projection the network lacks."""
        from .cells import SpikeSourceArray

        pops = {p.name: p for p in network.populations}
        plastic = {p.name for p in network.projections if p.plastic}
        for phase in self.phases:
            owner = f"Phase {phase.name!r}"
            for stimulus in phase.stimuli:
                pop = pops.get(stimulus.population)
                if pop is None or not isinstance(pop.cell, SpikeSourceArray):
                    raise IRValidationError(
                        owner, "stimulus population", stimulus.population,
                        "a SpikeSourceArray population of the network: "
                        + ", ".join(n for n, p in pops.items() if isinstance(p.cell, SpikeSourceArray)),
                    )
                if stimulus.ids.size and stimulus.ids.max() >= pop.size:
                    raise IRValidationError(owner, "stimulus ids", int(stimulus.ids.max()), f"indices in [0, {pop.size - 1}]")
            for name in phase.plastic or ():
                if name not in plastic:
                    raise IRValidationError(owner, "plastic", name, "names of plastic projections: " + ", ".join(sorted(plastic)))
