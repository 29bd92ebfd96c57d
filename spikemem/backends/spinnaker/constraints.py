"""The mapping constraints that the ``spinnaker`` backend enforces and
:func:`~.estimate.estimate_spinnaker` estimates with, checked by one set of functions.

- ``neurons_per_core`` (:func:`check_neurons_per_core`, :func:`atoms_per_core`): how
  populations are cut into per-core slices. An integer limits every population (sPyNNaker's
  ``additional_parameters={"neurons_per_core": n}``), a dict the populations it names; a
  population without a limit gets sPyNNaker's default slice.
- the time step (:func:`legal_dt`): 1.0 ms in real time or 0.1 ms with a time scale factor.
- the time scale factor (:func:`check_time_scale_factor`): from 1 to 10 000.

An option the backend refuses is therefore refused by the estimate too, with the same message.
"""

from __future__ import annotations

import math
from numbers import Integral, Real
from typing import Any

from ...ir.cells import is_source
from ...ir.errors import IRValidationError
from ...ir.network import Network

__all__ = [
    "LEGAL_DT_MS",
    "MAX_NEURONS_PER_CORE",
    "MAX_TIME_SCALE_FACTOR",
    "atoms_per_core",
    "check_neurons_per_core",
    "check_time_scale_factor",
    "legal_dt",
]

LEGAL_DT_MS = (1.0, 0.1)
"""Time steps sPyNNaker runs (ms): 1.0 in real time, 0.1 with a time scale factor."""

MAX_TIME_SCALE_FACTOR = 10_000
"""Largest slow-down of the board accepted."""

MAX_NEURONS_PER_CORE = 256
"""Largest neuron slice per core sPyNNaker 1!7.4.1 maps for its LIF models
(``POP_TABLE_MAX_ROW_LENGTH``); also the default slice of a neuron population."""


def check_neurons_per_core(network: Network, value: Any, owner: str = "spinnaker") -> dict[str, int]:
    """Validate a ``neurons_per_core`` option and spell it out per population.

    Parameters
    ----------
    network : Network
        The network the option applies to.
    value : int, dict or None
        ``None`` (sPyNNaker's defaults), one integer for every population, or a dict from
        population name to integer; every integer in ``[1, MAX_NEURONS_PER_CORE]`` neurons.
    owner : str
        Who checks (``"spinnaker"``, ``"estimate"``), named in the error.

    Returns
    -------
    dict of str to int
        The explicit limit of every population that has one (neurons per core).

    Raises
    ------
    IRValidationError
        For another type, an unknown population name or a count out of range.
    """
    if value is None:
        return {}
    if _is_count(value):
        value = {p.name: value for p in network.populations}
    if not isinstance(value, dict):
        raise IRValidationError(
            owner, "neurons_per_core", value, "an integer or a dict population -> integer"
        )
    names = {p.name for p in network.populations}
    for name, count in value.items():
        if name not in names:
            raise IRValidationError(
                owner, "neurons_per_core", name, "population names: " + ", ".join(sorted(names))
            )
        if not _is_count(count) or not 1 <= count <= MAX_NEURONS_PER_CORE:
            raise IRValidationError(
                owner, f"neurons_per_core[{name!r}]", count, f"an integer in [1, {MAX_NEURONS_PER_CORE}]"
            )
    return {name: int(count) for name, count in value.items()}


def atoms_per_core(network: Network, limits: dict[str, int]) -> dict[str, int]:
    """Neurons on one core (the largest slice) of every population.

    Parameters
    ----------
    network : Network
        The network.
    limits : dict of str to int
        What :func:`check_neurons_per_core` returned.

    Returns
    -------
    dict of str to int
        Per population: its limit, else :data:`MAX_NEURONS_PER_CORE` for neurons and the whole
        population for a spike source (sPyNNaker puts a source on one core), never more than
        the population's size.
    """
    result = {}
    for pop in network.populations:
        default = pop.size if is_source(pop.cell) else MAX_NEURONS_PER_CORE
        result[pop.name] = max(1, min(limits.get(pop.name, default), pop.size))
    return result


def _is_count(value: Any) -> bool:
    return isinstance(value, Integral) and not isinstance(value, bool)


def legal_dt(dt: float) -> float | None:
    """The legal time step of :data:`LEGAL_DT_MS` that ``dt`` (ms) is, within 1e-9 ms, or ``None``."""
    return next((legal for legal in LEGAL_DT_MS if math.isclose(dt, legal, rel_tol=0, abs_tol=1e-9)), None)


def check_time_scale_factor(value: Any, owner: str = "spinnaker") -> None:
    """Refuse a time scale factor outside ``[1, MAX_TIME_SCALE_FACTOR]``; ``None`` (sPyNNaker's
    default, 1) passes.

    Raises
    ------
    IRValidationError
        For a bool, a non-number or a number out of range, naming ``owner``.
    """
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, Real) or not 1 <= value <= MAX_TIME_SCALE_FACTOR:
        raise IRValidationError(
            owner, "time_scale_factor", value, f"a number in [1, {MAX_TIME_SCALE_FACTOR}]"
        )
