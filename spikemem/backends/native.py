"""Which projections an engine generates itself under ``connectivity="native"``, checked.

With the default ``connectivity="resolved"`` every backend receives the host's synapses
(:func:`spikemem.ir.connectivity.resolve`), identical everywhere. With ``"native"`` a backend
that declares ``Capability.NATIVE_CONNECTIVITY`` lets its engine draw the *random* connectors
(:data:`RANDOM_CONNECTORS`) with the engine's own random numbers, seeded from the compile seed;
the deterministic ones (``OneToOne``, ``AllToAll``, ``FromList``) stay as they are. Agreement
with the reference is then statistical.

A natively generated projection has no host synapse order, so what the IR ties to that order
is refused with :class:`~spikemem.ir.UnsupportedFeature`: per-synapse weight, delay or segment
arrays, plasticity (weights are reported in resolve order), dendritic targets.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from ..ir.connectors import FixedNumberPost, FixedNumberPre, FixedProbability, FixedTotalNumber
from ..ir.dendrites import DendriticNeuron
from ..ir.errors import UnsupportedFeature
from ..ir.network import Network
from ..ir.population import Population, PopulationView
from ..ir.projection import Projection

__all__ = ["RANDOM_CONNECTORS", "native_projections", "native_seed", "without"]

RANDOM_CONNECTORS = (FixedProbability, FixedNumberPre, FixedNumberPost, FixedTotalNumber)
"""Connector types an engine may generate itself."""


def native_projections(
    network: Network,
    connectivity: str,
    *,
    backend: str,
    connectors: tuple[str, ...],
    self_connections_between_populations: bool = True,
) -> tuple[Projection, ...]:
    """The projections of ``network`` that the engine must generate itself.

    Parameters
    ----------
    network : Network
        The network.
    connectivity : {"resolved", "native"}
        The compile option; ``"resolved"`` returns no projection.
    backend : str
        Who generates (named in the errors).
    connectors : tuple of str
        Kinds of the random connectors the engine generates (e.g. ``("FixedProbability",)``).
    self_connections_between_populations : bool
        Whether the engine can drop the pairs ``i == j`` of positions in two *different*
        selections, as the IR's ``allow_self_connections=False`` asks (NEST and sPyNNaker only
        drop a neuron's synapse onto itself, so they need the same neurons on both sides).

    Returns
    -------
    tuple of Projection
        Every projection with a random connector, in network order.

    Raises
    ------
    UnsupportedFeature
        For a random connector the engine cannot generate, or a projection whose IR values
        depend on the host's synapse order.
    """
    if connectivity != "native":
        return ()
    chosen = []
    for proj in network.projections:
        connector = proj.connector
        if not isinstance(connector, RANDOM_CONNECTORS):
            continue
        what = f"connectivity='native' on projection {proj.name!r}"
        if connector.kind not in connectors:
            raise UnsupportedFeature(
                f"{what}: connector {connector.kind} (the engine generates {', '.join(connectors)}; "
                "compile with connectivity='resolved' to use the host's synapses)",
                backend,
                ("numba",),
            )
        for name in ("weight", "delay"):
            if isinstance(getattr(proj, name), np.ndarray):
                raise UnsupportedFeature(
                    f"{what}: a per-synapse {name} array (it lists values in the host's synapse order, "
                    "which a natively generated projection does not have; give one value)",
                    backend,
                    ("numba",),
                )
        if proj.plasticity is not None:
            raise UnsupportedFeature(
                f"{what}: STDP (plastic weights are reported in the host's synapse order)",
                backend,
                ("numba",),
            )
        if isinstance(proj.post.population.cell, DendriticNeuron):
            raise UnsupportedFeature(f"{what}: synapses onto dendritic segments", backend, ("numba",))
        if (
            not self_connections_between_populations
            and not connector.allow_self_connections
            and not _same_neurons(proj.pre, proj.post)
        ):
            raise UnsupportedFeature(
                f"{what}: allow_self_connections=False between two different populations or views "
                f"({backend} only drops a neuron's synapse onto itself)",
                backend,
                ("brian2",),
            )
        chosen.append(proj)
    return tuple(chosen)


def _same_neurons(pre: Population | PopulationView, post: Population | PopulationView) -> bool:
    """Whether both sides select the same neurons in the same order (position = neuron)."""
    return pre.population is post.population and np.array_equal(indices(pre), indices(post))


def indices(side: Population | PopulationView) -> np.ndarray:
    """Indices within the parent population of the neurons a projection side selects."""
    return side.indices if isinstance(side, PopulationView) else np.arange(side.size)


def without(network: Network, projections: tuple[Projection, ...]) -> Network:
    """``network`` without ``projections`` (the rest is flattened as usual)."""
    if not projections:
        return network
    names = {p.name for p in projections}
    kept = tuple(p for p in network.projections if p.name not in names)
    return dataclasses.replace(network, projections=kept)


def native_seed(seed: int, what: str = "") -> int:
    """A seed in ``[1, 2**31 - 1)`` for an engine's random numbers, derived from the compile
    ``seed`` (and ``what``, e.g. a population name) so that equal seeds give equal networks."""
    words = [int(seed) & 0xFFFFFFFF, int(seed) >> 32] + list(what.encode())
    state = np.random.SeedSequence(words).generate_state(1, dtype=np.uint32)[0]
    return int(state) % (2**31 - 2) + 1
