"""The network: populations, projections, the time step and the numerics."""

from __future__ import annotations

from typing import Any

import numpy as np

from ._checks import (
    as_tuple,
    check_choice,
    check_members,
    check_name,
    check_range,
    finite_float,
    ir_dataclass,
)
from .connectors import FromList
from .errors import IRValidationError
from .population import Population
from .projection import Projection
from .serialize import (
    content_hash,
    damaged_file_error,
    load_network_data,
    network_fields_from_dict,
    network_to_dict,
    save_network,
)

NUMERICS = ("exact", "spinnaker", "spinnaker-fixed")
"""Numerical schemes (``exact`` and ``spinnaker``: every engine must implement them exactly).

``exact``: exact integration of the linear ODEs over each step (NEST ``iaf_psc_exp``, Brian2
``method='exact'``); a spike of weight ``w`` makes the synaptic current jump by ``w``.

``spinnaker``: sPyNNaker's per-step scheme: arriving weight scaled by
``(tau_syn/dt)(1 - e^(-dt/tau_syn))``, exponential-Euler membrane update with the current held
over the step, refractory counter ``ceil(tau_refrac/dt)`` steps.

``spinnaker-fixed``: the same scheme in sPyNNaker's s16.15 fixed-point arithmetic, bit for bit
as the board computes it (only the Numba backend; see ``docs/reference-engine.md``).
"""

MIN_DT, MAX_DT = 1e-4, 10.0


def check_dt(owner: str, dt: Any) -> float:
    """A time step in [1e-4, 10] ms."""
    number = finite_float(owner, "dt", dt, f"a number of ms in [{MIN_DT}, {MAX_DT}]")
    check_range(owner, "dt", number, low=MIN_DT, high=MAX_DT)
    return number


@ir_dataclass
class Network:
    """A complete, backend-free network description.

    Parameters
    ----------
    populations : tuple of Population
        All populations (names distinct).
    projections : tuple of Projection
        All projections (names distinct); their pre and post must be populations of this network.
    dt : float
        Time step (ms) the network is designed for; a compile call may override it.
    numerics : {"exact", "spinnaker"}
        Numerical scheme (see :data:`NUMERICS`); a compile call may override it.
    name : str
        Name of the network.

    Equality of two networks is equality of :meth:`content_hash`.
    """

    populations: tuple = ()
    projections: tuple = ()
    dt: float = 0.1
    numerics: str = "exact"
    name: str = "network"

    def __post_init__(self) -> None:
        check_name("Network", self.name)
        owner = f"Network {self.name!r}"
        object.__setattr__(self, "dt", check_dt(owner, self.dt))
        check_choice(owner, "numerics", self.numerics, NUMERICS)
        pops = as_tuple(owner, "populations", self.populations, "a tuple of Population objects")
        projs = as_tuple(owner, "projections", self.projections, "a tuple of Projection objects")
        if not pops:
            raise IRValidationError(owner, "populations", pops, "at least one Population")
        check_members(owner, "population", pops, Population)
        check_members(owner, "projection", projs, Projection)
        for proj in projs:
            for side in ("pre", "post"):
                target = getattr(proj, side).population
                if not any(target is p for p in pops):
                    raise IRValidationError(
                        f"Projection {proj.name!r}",
                        side,
                        target.name,
                        "a population that is part of this network",
                    )
        object.__setattr__(self, "populations", pops)
        object.__setattr__(self, "projections", projs)
        check_delays(self, self.dt)

    # -- lookup -------------------------------------------------------------------------
    def population(self, name: str) -> Population:
        """The population called ``name``."""
        for pop in self.populations:
            if pop.name == name:
                return pop
        raise IRValidationError(
            f"Network {self.name!r}", "population", name, ", ".join(p.name for p in self.populations)
        )

    def projection(self, name: str) -> Projection:
        """The projection called ``name``."""
        for proj in self.projections:
            if proj.name == name:
                return proj
        raise IRValidationError(
            f"Network {self.name!r}", "projection", name, ", ".join(p.name for p in self.projections)
        )

    @property
    def n_neurons(self) -> int:
        """Total number of neurons, sources included."""
        return sum(p.size for p in self.populations)

    # -- serialisation (implemented in serialize.py) ---------------------------------------
    def to_dict(self) -> dict:
        """Plain-data form (numpy arrays kept as arrays); inverse of :meth:`from_dict`."""
        return network_to_dict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Network:
        """Rebuild a network from :meth:`to_dict` output, validating everything again."""
        return cls(**network_fields_from_dict(data))

    def content_hash(self) -> str:
        """SHA-256 of the canonical content: equal for equal networks, stable across processes."""
        return content_hash(self.to_dict())

    def save(self, path: Any) -> None:
        """Write the network to ``path`` (``.json`` + sibling ``.npz`` for arrays), atomically."""
        save_network(self, path)

    @classmethod
    def load(cls, path: Any) -> Network:
        """Read a network written by :meth:`save`, checking its stored content hash (files
        without one, e.g. written by hand, are read unchecked).

        Raises
        ------
        FileNotFoundError
            ``path`` does not exist.
        IRValidationError
            For a damaged or changed file (naming it and what went wrong) or an invalid network.
        """
        data = load_network_data(path)
        stored = data.pop("content_hash", None) if isinstance(data, dict) else None
        try:
            network = cls.from_dict(data)
        except IRValidationError as error:  # name the file too
            raise IRValidationError(
                f"network file {path}: {error.owner}", error.parameter, error.value, error.allowed
            ) from None
        except (TypeError, ValueError, KeyError, OverflowError, RecursionError, IndexError) as error:
            raise damaged_file_error("network file", path, error) from None
        if stored is not None and stored != network.content_hash():
            raise IRValidationError(
                f"network file {path}",
                "content_hash",
                stored,
                "the hash of the content read (the file was edited or damaged; to keep an intended "
                "edit, delete the content_hash entry)",
            )
        return network

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Network) and other.content_hash() == self.content_hash()

    def __hash__(self) -> int:
        return hash(self.content_hash())


def all_delays_ms(projection: Projection) -> np.ndarray:
    """Every delay value (ms) a projection can produce, before rounding."""
    values = [np.atleast_1d(np.asarray(projection.delay, dtype=np.float64))]
    if isinstance(projection.connector, FromList) and projection.connector.delay is not None:
        values = [projection.connector.delay]
    return np.concatenate(values)


def check_delays(network: Network, dt: float) -> None:
    """Every delay must be at least one step after rounding to the grid.

    Raises
    ------
    IRValidationError
        If a delay is shorter than ``dt`` by more than rounding tolerance.
    """
    for proj in network.projections:
        delays = all_delays_ms(proj)
        if delays.size and delays.min() < dt * (1 - 1e-9):
            raise IRValidationError(
                f"Projection {proj.name!r}", "delay", float(delays.min()), f"delays >= dt = {dt} ms"
            )
