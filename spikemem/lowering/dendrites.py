"""Dendrite lowering: rewrite IR constructs into simpler IR for backends that lack them.

:func:`lower_dendrites` turns every :class:`~spikemem.ir.DendriticNeuron` population into
point neurons that any backend with ``IF_curr_delta`` can run, with the same spikes as the
native segments (see :mod:`spikemem.ir.dendrites` for the semantics both follow).
"""

from __future__ import annotations

import numpy as np

from ..ir.cells import IF_curr_delta
from ..ir.connectivity import resolve
from ..ir.connectors import FromList
from ..ir.dendrites import DendriticNeuron
from ..ir.network import Network
from ..ir.population import Population
from ..ir.projection import Projection

__all__ = ["COUNTER_TAU_M", "counter_cell", "lower_dendrites"]

COUNTER_TAU_M = 1e6
"""Membrane time constant (ms) of the counter neurons: the largest the IR accepts, so the leak
changes a count of ``c`` by ``c·(1 − e^(−T/1e6))`` over ``T`` ms — below the 0.5 mV margin to
threshold as long as ``c·T < 5·10⁵`` ms."""


def counter_cell(threshold: int, window_steps: int, dt: float) -> IF_curr_delta:
    """An ``IF_curr_delta`` neuron that counts +1/−1 mV events and fires at ``threshold``.

    Rest and reset 0 mV, threshold ``threshold − 0.5`` mV, refractory for ``2·window_steps``
    steps (events arriving then are discarded), leak negligible (:data:`COUNTER_TAU_M`).
    """
    return IF_curr_delta(
        cm=1.0, tau_m=COUNTER_TAU_M, v_rest=0.0, v_reset=0.0, v_thresh=threshold - 0.5,
        tau_refrac=2 * window_steps * dt, i_offset=0.0,
    )


def lower_dendrites(network: Network, *, seed: int = 0) -> Network:
    """Rewrite dendritic populations as point neurons (segment counters → soma counter).

    For a population ``P`` of ``N`` dendritic neurons with ``K`` segments, the result has

    - ``P`` itself: ``N`` soma counters (threshold ``soma_threshold``), so recordings of ``P``
      are soma spikes in both forms;
    - ``P.segments``: ``N·K`` segment counters (threshold ``theta``), segment ``k`` of neuron
      ``j`` at index ``j·K + k``;
    - for each projection onto ``P``: the synapses onto ``P.segments`` (+1, delay ``d``) and
      ``<name>.expire`` (−1, inhibitory, delay ``d + window``);
    - ``P.to_soma`` (+1, one step) and ``P.to_soma.expire`` (−1, one step plus the window).

    Parameters
    ----------
    network : Network
        Network that may contain ``DendriticNeuron`` populations.
    seed : int
        Compile seed (random connectors onto dendritic populations are resolved with it, so
        use the seed you compile with).

    Returns
    -------
    Network
        The same network when it has no dendritic population.
    """
    dendritic = {p.name: p for p in network.populations if isinstance(p.cell, DendriticNeuron)}
    if not dendritic:
        return network
    dt = network.dt
    populations, extra = [], []
    segments_of: dict[str, Population] = {}
    for pop in network.populations:
        if pop.name not in dendritic:
            populations.append(pop)
            continue
        cell = pop.cell
        w = cell.window_steps(dt)
        soma = Population(name=pop.name, size=pop.size, cell=counter_cell(cell.soma_threshold, w, dt))
        segments = Population(name=f"{pop.name}.segments", size=pop.size * cell.n_segments, cell=counter_cell(cell.theta, w, dt))
        populations.append(soma)
        extra.append(segments)
        segments_of[pop.name] = segments
        seg_ids = np.arange(segments.size, dtype=np.int64)
        to_soma = FromList(pre=seg_ids, post=seg_ids // cell.n_segments)
        extra_projections = _pair(f"{pop.name}.to_soma", segments, soma, to_soma, dt, w * dt)
        extra.extend(extra_projections)
    by_name = {p.name: p for p in populations + [e for e in extra if isinstance(e, Population)]}
    projections = []
    for proj in network.projections:
        pre = _rebind(proj.pre, by_name)
        if proj.post.population.name not in dendritic:
            projections.append(_copy(proj, pre=pre, post=_rebind(proj.post, by_name)))
            continue
        cell = dendritic[proj.post.population.name].cell
        syn = resolve(proj, seed)
        target = syn.post * cell.n_segments + syn.segment
        connector = FromList(pre=_positions(proj.pre, syn.pre), post=target, delay=syn.delay)
        projections.extend(_pair(proj.name, pre, segments_of[proj.post.population.name], connector, None, cell.window_steps(dt) * dt))
    return Network(
        populations=tuple(populations) + tuple(e for e in extra if isinstance(e, Population)),
        projections=tuple(projections) + tuple(e for e in extra if isinstance(e, Projection)),
        dt=network.dt, numerics=network.numerics, name=network.name,
    )


def _pair(name: str, pre, post, connector: FromList, delay: float | None, window_ms: float) -> list[Projection]:
    """The +1 projection and its −1 'expire' twin one window later."""
    delays = connector.delay if connector.delay is not None else np.full(connector.pre.size, delay)
    plus = FromList(pre=connector.pre, post=connector.post, delay=delays)
    minus = FromList(pre=connector.pre, post=connector.post, delay=delays + window_ms)
    return [
        Projection(name=name, pre=pre, post=post, connector=plus, weight=1.0),
        Projection(name=f"{name}.expire", pre=pre, post=post, connector=minus, weight=1.0, receptor="inhibitory"),
    ]


def _positions(side, parent_indices: np.ndarray) -> np.ndarray:
    """Positions within ``side`` (a population or view) of parent-population indices."""
    if isinstance(side, Population):
        return parent_indices
    lookup = np.full(side.population.size, -1, dtype=np.int64)
    lookup[side.indices] = np.arange(side.size)
    return lookup[parent_indices]


def _rebind(side, by_name: dict[str, Population]):
    """The same population or view, on the rewritten network's population object."""
    pop = by_name[side.population.name]
    return pop if isinstance(side, Population) else pop[side.indices]


def _copy(proj: Projection, *, pre, post) -> Projection:
    return Projection(
        name=proj.name, pre=pre, post=post, connector=proj.connector, weight=proj.weight,
        delay=proj.delay, receptor=proj.receptor, plasticity=proj.plasticity, segment=proj.segment,
    )
