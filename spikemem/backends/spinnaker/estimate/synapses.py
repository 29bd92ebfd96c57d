"""The synapses the backend builds, per projection, and what they cost on the board: delay slots
and delay extensions, synaptic-matrix SDRAM, synapse cores (``dt < 1 ms``)."""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

from ....ir.connectivity import delay_steps, resolve
from ....ir.network import Network
from ...pynn.lowering import lower_connector
from .report import PopulationEstimate
from .rules import (
    CORES_PER_CHIP,
    DELAY_EXTENSION_SLOTS,
    MAX_RING_BUFFER_BITS,
    MAX_ROW_WORDS,
    STATIC_SYNAPSES_PER_S,
    STDP_SYNAPSES_PER_S,
    n_bits,
)


@dataclass
class ProjectionSynapses:
    """The synapses of one projection as the backend builds them.

    Attributes
    ----------
    name, pre, post, receptor : str
        The projection, its pre- and postsynaptic populations and its receptor.
    pre_ids, post_ids : ndarray of int
        Pre- and postsynaptic neuron of every synapse.
    weight : ndarray of float
        Weights (nA; mV onto ``IF_curr_delta``).
    steps : ndarray of int
        Delays in time steps.
    plastic : STDP or None
        The plasticity rule.
    native : {"OneToOne", "AllToAll", "FromList"}
        The PyNN connector the backend uses (``lower_connector``).
    """

    name: str
    pre: str
    post: str
    receptor: str
    pre_ids: np.ndarray
    post_ids: np.ndarray
    weight: np.ndarray
    steps: np.ndarray
    plastic: Any
    native: str


def projection_synapses(network: Network, dt: float, seed: int) -> list[ProjectionSynapses]:
    """Resolve every projection of ``network`` with the backend's seeded connector resolution,
    delay rounding to steps of ``dt`` ms and PyNN connector choice (:mod:`...pynn.lowering`)."""
    result = []
    for proj in network.projections:
        syn = resolve(proj, seed)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            steps = delay_steps(syn.delay, dt, owner=proj.name) if syn.size else np.zeros(0, np.int64)
        kind = lower_connector(proj.connector, proj, syn, syn.weight, steps * dt).kind
        result.append(
            ProjectionSynapses(
                proj.name,
                proj.pre.population.name,
                proj.post.population.name,
                proj.receptor,
                syn.pre,
                syn.post,
                syn.weight,
                steps,
                proj.plasticity,
                kind,
            )
        )
    return result


def _max_per_group(keys: np.ndarray) -> int:
    """How often the most frequent key occurs (0 for none)."""
    if keys.size == 0:
        return 0
    return int(np.unique(keys, return_counts=True)[1].max())


def row_synapses(p: ProjectionSynapses, core_atoms: int, mask: np.ndarray) -> int:
    """Most synapses from one presynaptic neuron onto one postsynaptic core (cores in ``mask``)."""
    if not np.any(mask):
        return 0
    if p.native == "OneToOne":
        return 1
    if p.native == "AllToAll":
        return core_atoms
    pre, core = p.pre_ids[mask], p.post_ids[mask] // core_atoms
    return _max_per_group(pre * (int(core.max()) + 1) + core)


def row_words(n: int, plastic: bool) -> int:
    """32-bit words of a synaptic row of ``n`` synapses: one each if static, STDP rows more."""
    if n == 0:
        return 0
    if not plastic:
        return n
    return (n + 1) // 2 + math.ceil((8 + 2 * n) / 4)


def align16(address: int) -> int:
    """``address`` (bytes) rounded up to a multiple of 16."""
    return (address + 15) // 16 * 16


def plan_delays(
    est: PopulationEstimate,
    incoming: list[ProjectionSynapses],
    dt: float,
    atoms: dict,
    sizes: dict,
    delay_ext: dict,
    reasons: list,
) -> None:
    """Set ``est``'s delay slots and longest delay; record which presynaptic populations need a
    delay extension (cores, in ``delay_ext``) and, in ``reasons``, delays beyond its reach.

    ``dt`` is in ms; ``atoms`` and ``sizes`` give neurons per core and neurons per population.
    """
    slots = 2 ** (MAX_RING_BUFFER_BITS - n_bits(est.neurons_per_core) - n_bits(2))
    longest = max((int(p.steps.max()) for p in incoming if p.steps.size), default=0)
    est.max_delay_steps = longest
    est.delay_slots = min(2 ** n_bits(longest), slots) if longest else slots
    supported = est.delay_slots
    for p in incoming:
        if not p.steps.size or int(p.steps.max()) <= supported:
            continue
        if int(p.steps.max()) > supported * (1 + DELAY_EXTENSION_SLOTS):
            reasons.append(
                f"projection {p.name!r}: delay {int(p.steps.max()) * dt:g} ms exceeds the "
                f"{supported * (1 + DELAY_EXTENSION_SLOTS) * dt:g} ms a delay extension supports"
            )
        delay_ext[p.pre] = max(delay_ext.get(p.pre, 0), math.ceil(sizes[p.pre] / atoms[p.pre]))


def matrix_bytes(
    est: PopulationEstimate, incoming: list[ProjectionSynapses], atoms: dict, sizes: dict, reasons: list
) -> int:
    """SDRAM (bytes) of the synaptic matrices of one core of ``est``'s population; rows longer
    than sPyNNaker allows are added to ``reasons``."""
    address = 8
    supported = est.delay_slots
    for p in incoming:
        plastic = p.plastic is not None
        undelayed = p.steps <= supported
        n_und = row_synapses(p, est.neurons_per_core, undelayed)
        n_del = row_synapses(p, est.neurons_per_core, ~undelayed)
        pre_atoms = atoms[p.pre]
        pre_cores = math.ceil(sizes[p.pre] / pre_atoms)
        stages = max(0, math.ceil(int(p.steps.max()) / supported) - 1) if p.steps.size else 0
        for n, repeat in ((n_und, 1), (n_del, stages)):
            words = row_words(n, plastic)
            if words > MAX_ROW_WORDS:
                reasons.append(
                    f"projection {p.name!r}: {n} synapses from one neuron onto one core need "
                    f"{words} words per row, sPyNNaker allows {MAX_ROW_WORDS}; lower neurons_per_core "
                    f"of {p.post!r}"
                )
            if words:
                for _ in range(pre_cores):
                    address = align16(address) + pre_atoms * (words + 3) * 4 * repeat
    return address


def synapse_cores(
    name: str,
    incoming: list[ProjectionSynapses],
    atoms: int,
    sizes: dict,
    sps: float,
    tsf: float,
    warns: list,
) -> int:
    """Synapse cores per neuron slice of population ``name`` at ``dt < 1 ms``.

    ``atoms`` is the slice (neurons), ``sps`` the planning rate (spikes/s), ``tsf`` the time
    scale factor; more than fit next to the neuron core are capped with a warning in ``warns``.
    """
    per_pre: dict[str, int] = {}
    for p in incoming:
        n = row_synapses(p, atoms, np.ones(p.pre_ids.size, dtype=bool))
        per_pre[p.pre] = per_pre.get(p.pre, 0) + math.ceil(n * sps * sizes[p.pre])
    plastic = any(p.plastic is not None for p in incoming)
    capacity = (STDP_SYNAPSES_PER_S if plastic else STATIC_SYNAPSES_PER_S) * tsf
    cores = math.ceil(sum(per_pre.values()) / capacity)
    max_cores = CORES_PER_CHIP - 3
    if cores > max_cores:
        warns.append(
            f"population {name!r} would need {cores} synapse cores per slice, at most {max_cores} fit "
            "next to its neuron core; raise the time scale factor"
        )
        cores = max_cores
    return max(cores, 1)
