"""How populations are cut into per-core slices: the ``neurons_per_core`` rules that the
``spinnaker`` backend maps with and :func:`~.estimate.estimate_spinnaker` estimates with.

Both call :func:`check_neurons_per_core`, so an option the backend refuses is refused by the
estimate too, and both read it the same way: an integer limits every population (sPyNNaker's
``additional_parameters={"neurons_per_core": n}``), a dict limits the populations it names,
and a population without a limit gets sPyNNaker's default slice (:func:`atoms_per_core`).
"""

from __future__ import annotations

from numbers import Integral
from typing import Any

from ...ir.cells import is_source
from ...ir.errors import IRValidationError
from ...ir.network import Network

__all__ = ["MAX_NEURONS_PER_CORE", "atoms_per_core", "check_neurons_per_core"]

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
