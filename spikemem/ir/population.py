"""Populations of identical cells, and views (sub-ranges) of them."""

from __future__ import annotations

from typing import Any

import numpy as np

from ._checks import MAX_POPULATION_SIZE, check_int, check_name, ir_dataclass
from .cells import CELL_TYPES
from .errors import IRValidationError


@ir_dataclass
class Population:
    """A group of ``size`` neurons of one cell type.

    Parameters
    ----------
    name : str
        Unique name within the network.
    size : int
        Number of neurons, 1 to 10⁸.
    cell : IF_curr_exp, IF_curr_delta, SpikeSourceArray or SpikeSourcePoisson
        The cell type and its parameters (scalars or one value per neuron).

    ``pop[a:b]`` or ``pop[[i, j, k]]`` gives a :class:`PopulationView` usable as the pre or post
    side of a projection.
    """

    name: str
    size: int
    cell: Any

    def __post_init__(self) -> None:
        check_name("Population", self.name)
        owner = f"Population {self.name!r}"
        check_int(owner, "size", self.size, low=1, high=MAX_POPULATION_SIZE)
        object.__setattr__(self, "size", int(self.size))
        if type(self.cell).__name__ not in CELL_TYPES or not isinstance(
            self.cell, CELL_TYPES[type(self.cell).__name__]
        ):
            raise IRValidationError(owner, "cell", self.cell, "one of " + ", ".join(CELL_TYPES))
        self.cell.check_size(owner, self.size)

    def __getitem__(self, index: slice | int | Any) -> PopulationView:
        return PopulationView(population=self, indices=_index_array(self, index))

    def __len__(self) -> int:
        return self.size

    @property
    def population(self) -> Population:
        """The population itself (so views and populations share an interface)."""
        return self

    @property
    def indices(self) -> np.ndarray:
        """All neuron indices, ``0 .. size-1``."""
        return np.arange(self.size, dtype=np.int64)


def _index_array(population: Population, index: Any) -> np.ndarray:
    owner = f"Population {population.name!r}"
    if isinstance(index, slice):
        bounds = (index.start, index.stop)
        size = population.size
        if any(isinstance(b, (int, np.integer)) and not -size <= b <= size for b in bounds):
            raise IRValidationError(
                owner,
                "view index",
                index,
                f"a slice whose bounds lie in [-{size}, {size}] (no silent clipping)",
            )
        try:
            array = np.arange(population.size, dtype=np.int64)[index]
        except (TypeError, ValueError, IndexError):  # non-integer or huge bounds, step 0
            raise IRValidationError(
                owner, "view index", index, "a slice of integers with step != 0"
            ) from None
    else:
        try:
            raw = np.atleast_1d(np.asarray(index))
        except (TypeError, ValueError):  # ragged nested lists
            raise IRValidationError(owner, "view index", index, "a slice or integer indices") from None
        if raw.dtype == bool or not np.issubdtype(raw.dtype, np.integer) or raw.ndim != 1:
            raise IRValidationError(owner, "view index", index, "a slice or integer indices")
        if raw.size and (raw.min() < 0 or raw.max() >= population.size):
            raise IRValidationError(owner, "view index", index, f"indices in [0, {population.size - 1}]")
        array = raw.astype(np.int64)  # checked first: no wrap-around of large unsigned values
    if array.size == 0:
        raise IRValidationError(owner, "view index", index, "a selection of at least one neuron")
    if np.unique(array).size != array.size:
        raise IRValidationError(owner, "view index", index, "distinct indices")
    array.setflags(write=False)
    return array


@ir_dataclass
class PopulationView:
    """A selection of neurons of one population (made with ``population[...]``).

    Parameters
    ----------
    population : Population
        The parent population.
    indices : array of int
        Distinct neuron indices within the parent, in the order the view enumerates them.
    """

    population: Population
    indices: np.ndarray

    def __post_init__(self) -> None:
        if not isinstance(self.population, Population):
            raise IRValidationError("PopulationView", "population", self.population, "a Population")
        object.__setattr__(self, "indices", _index_array(self.population, self.indices))

    @property
    def name(self) -> str:
        """Name of the parent population."""
        return self.population.name

    @property
    def size(self) -> int:
        """Number of neurons in the view."""
        return int(self.indices.size)

    def __len__(self) -> int:
        return self.size

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, PopulationView)
            and other.population is self.population
            and np.array_equal(other.indices, self.indices)
        )

    def __hash__(self) -> int:
        return hash((self.population.name, self.indices.tobytes()))


PopulationLike = Population | PopulationView
