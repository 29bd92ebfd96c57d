"""PyNN's ``Assembly``: a group of populations and views."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..ir.errors import IRValidationError
from .ids import ID
from .recording import write_block

__all__ = ["Assembly"]


class Assembly:
    """A group of populations and views (PyNN's ``Assembly``).

    Parameters
    ----------
    *populations : Population or PopulationView
        The members.
    label : str or None
        Name.
    """

    def __init__(self, *populations: Any, label: str | None = None) -> None:
        members: list[Any] = []
        for pop in populations:
            if isinstance(pop, Assembly):
                members.extend(pop.populations)
            elif hasattr(pop, "root") and hasattr(pop, "indices"):  # a Population or PopulationView
                members.append(pop)
            else:
                raise IRValidationError(
                    "Assembly", "populations", pop, "Population, PopulationView or Assembly objects"
                )
        self.populations = members
        self.label = label if label is not None else "assembly of " + ", ".join(p.label for p in members)

    @property
    def size(self) -> int:
        """Total number of neurons."""
        return sum(p.size for p in self.populations)

    def __len__(self) -> int:
        return self.size

    def __iter__(self) -> Any:
        for pop in self.populations:
            yield from pop

    def all(self) -> list[ID]:
        """Every neuron's ID."""
        return list(self)

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, (int, np.integer)):
            for pop in self.populations:
                if index < pop.size:
                    return pop[int(index)]
                index -= pop.size
            raise IndexError("Assembly index out of range")
        raise NotImplementedError(
            "slicing an Assembly is not supported by spikemem.pynn; slice its populations"
        )

    def __add__(self, other: Any) -> Assembly:
        return Assembly(self, other)

    def __iadd__(self, other: Any) -> Assembly:
        return Assembly(self, other)

    def set(self, **parameters: Any) -> None:
        """Set parameters on every member."""
        for pop in self.populations:
            pop.set(**parameters)

    def initialize(self, **initial_values: Any) -> None:
        """Set initial values on every member."""
        for pop in self.populations:
            pop.initialize(**initial_values)

    def record(self, variables: Any, to_file: Any = None, sampling_interval: float | None = None) -> None:
        """Record on every member (``to_file`` writes the merged data at ``end()``)."""
        for pop in self.populations:
            pop.record(variables, sampling_interval=sampling_interval)
        if to_file is not None:
            self.populations[0].root._sim.files.append((self, to_file))

    def get_data(self, variables: Any = "all", gather: bool = True, clear: bool = False) -> Any:
        """The members' data merged: one Block, each Segment holding every member's data."""
        blocks = [pop.get_data(variables, gather, clear) for pop in self.populations]
        merged = blocks[0]
        merged.name = self.label
        for block in blocks[1:]:
            for mine, theirs in zip(merged.segments, block.segments, strict=True):
                for train in theirs.spiketrains:
                    train.segment = mine
                    mine.spiketrains.append(train)
                for signal in theirs.analogsignals:
                    signal.segment = mine
                    mine.analogsignals.append(signal)
        return merged

    def write_data(
        self,
        io: Any,
        variables: Any = "all",
        gather: bool = True,
        clear: bool = False,
        annotations: Any = None,
    ) -> None:
        """Write the merged data, atomically."""
        block = self.get_data(variables, gather, clear)
        if annotations:
            block.annotate(**annotations)
        write_block(block, io)

    def get_spike_counts(self, gather: bool = True) -> dict[ID, int]:
        """Spikes per neuron, by ID."""
        counts: dict[ID, int] = {}
        for pop in self.populations:
            counts.update(pop.get_spike_counts())
        return counts

    def describe(self, template: Any = None, engine: Any = None) -> str:
        """A one-line description."""
        return f"Assembly {self.label!r}: {self.size} neurons in {len(self.populations)} populations"
