"""Lower an IR network to the numbers of a Nengo model (numpy only; Nengo is imported by the engine).

The mapping (``docs/nengo.md``):

- An ``IF_curr_exp`` population becomes one ``nengo.Ensemble`` of ``nengo.LIF`` neurons in
  Nengo's normalised units: ``u = (v − v_reset)/(v_thresh − v_reset)``, so the reset is 0 and the
  threshold 1, with ``tau_rc = tau_m`` and ``min_voltage = −inf`` (inhibition may take ``v`` below
  ``v_reset``). Nengo's update ``u ← u·P22 + (1 − P22)·J`` matches the reference engine's exact
  step when the input current is

  ``J = (v_rest − v_reset + R·i_offset)/Δ  +  (P21_E·s_E·I_E − P21_I·s_I·I_I) / ((1 − P22)·Δ)``,

  with ``R = tau_m/cm`` (MΩ), ``Δ = v_thresh − v_reset`` (mV), ``P22 = e^(−dt/tau_m)`` and the
  reference engine's propagators ``P21`` and input scales ``s`` (``spikemem.lowering``):
  the first term is the ensemble's ``bias``; the second is carried by the connections (their
  ``gain`` per postsynaptic neuron, folded into the transform). Below threshold the Nengo
  membrane therefore follows the reference engine's trace, up to rounding.
- ``tau_refrac`` becomes ``tau_ref = n_ref·dt`` (the reference's refractory steps). Nengo
  interpolates the spike time inside the step and lets the refractory period end mid-step; the
  reference freezes whole steps. This, and Nengo's strict threshold ``u > 1``, is where the two
  part: agreement is statistical, not spike for spike.
- Every projection becomes one ``nengo.Connection`` per (receptor, delay) between the
  ensembles' neurons, with a ``nengo.transforms.Sparse`` transform (weights signed by
  receptor, times the gain above) and a first-order synapse with pole ``a = e^(−dt/tau_syn)``
  of the postsynaptic receptor. For a delay of one step this is ``nengo.Lowpass(tau_syn)``
  (transform divided by ``1 − a``, so that a spike makes the current jump by its weight);
  other delays use the same filter as a discrete ``nengo.LinearFilter`` with the extra delay
  in its denominator (Nengo has no per-synapse delays; separate delays need separate
  connections, as separate ``tau_syn_E`` and ``tau_syn_I`` do).
- Spike sources become ``nengo.Node`` objects that emit the reference engine's source spikes
  (the same Poisson draws, the same stimuli) as ``1/dt`` impulses.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ...ir import IF_curr_exp, SpikeSourceArray, SpikeSourcePoisson
from ...ir.errors import UnsupportedFeature
from ...ir.network import Network
from ...ir.schedule import Schedule
from ...lowering import flatten, phase_steps, source_spikes

BACKEND = "nengo"
ALTERNATIVES = ("numba", "brian2", "nest")


@dataclass
class EnsemblePlan:
    """One ``IF_curr_exp`` population as a Nengo LIF ensemble (times in ms, Nengo wants s).

    ``bias`` and ``u_init`` are per neuron, in normalised units; ``v_reset`` and ``span``
    (``Δ = v_thresh − v_reset``, mV) map ``u`` back to ``v``.
    """

    name: str
    size: int
    offset: int
    tau_m: float
    refractory_steps: int
    bias: np.ndarray
    u_init: np.ndarray
    v_reset: np.ndarray
    span: np.ndarray
    tau_syn: dict[str, float]
    gain: dict[str, np.ndarray]
    input_scale: dict[str, np.ndarray]


@dataclass
class ConnectionPlan:
    """Synapses from one population to one ensemble, for one receptor and one delay (steps).

    ``data[k]`` is the jump of the postsynaptic input ``J`` (normalised units) that a spike of
    ``pre[k]`` causes in ``post[k]``; ``current`` (nA) is the weight itself, signed.
    """

    pre: str
    post: str
    receptor: str
    delay_steps: int
    pole: float
    pre_ids: np.ndarray
    post_ids: np.ndarray
    data: np.ndarray
    current: np.ndarray


@dataclass
class SourcePlan:
    """A spike source: the ids firing at each step (``ptr`` indexes ``ids`` by step)."""

    name: str
    size: int
    ptr: np.ndarray
    ids: np.ndarray


@dataclass
class NengoPlan:
    """Everything the engine needs to build the Nengo model of one run."""

    dt: float
    n_steps: int
    phase_starts: np.ndarray
    ensembles: list[EnsemblePlan] = field(default_factory=list)
    connections: list[ConnectionPlan] = field(default_factory=list)
    sources: list[SourcePlan] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def sizes(self) -> dict[str, int]:
        """Size of every population (ensembles, then sources), by name."""
        return {e.name: e.size for e in self.ensembles} | {s.name: s.size for s in self.sources}


def check_network(network: Network) -> None:
    """Refuse what the Nengo mapping cannot express, naming the construct.

    Raises
    ------
    UnsupportedFeature
        For cell types other than ``IF_curr_exp`` and the spike sources, plastic projections
        and dendritic segments, and parameters that vary within a population where Nengo keeps
        one value per ensemble (``tau_m``, ``tau_refrac``, ``tau_syn_E``, ``tau_syn_I``).
    """
    for pop in network.populations:
        if not isinstance(pop.cell, (IF_curr_exp, SpikeSourceArray, SpikeSourcePoisson)):
            raise UnsupportedFeature(
                f"cell type {type(pop.cell).__name__} (population {pop.name!r}); the nengo backend "
                "maps IF_curr_exp, SpikeSourceArray and SpikeSourcePoisson",
                BACKEND,
                ALTERNATIVES,
            )
        if isinstance(pop.cell, IF_curr_exp):
            for name in ("tau_m", "tau_refrac", "tau_syn_E", "tau_syn_I"):
                values = np.atleast_1d(np.asarray(getattr(pop.cell, name), dtype=np.float64))
                if values.size > 1 and np.ptp(values) != 0.0:
                    raise UnsupportedFeature(
                        f"{name} varying within population {pop.name!r} (a nengo.LIF ensemble and "
                        "a connection's synapse hold one value); split the population",
                        BACKEND,
                        ALTERNATIVES,
                    )
    for proj in network.projections:
        if proj.plastic:
            raise UnsupportedFeature(
                f"STDP on projection {proj.name!r} (the nengo backend lowers static networks)",
                BACKEND,
                ("numba", "brian2", "nest", "spinnaker"),
            )
        if proj.segment is not None:
            raise UnsupportedFeature(f"dendritic segments on projection {proj.name!r}", BACKEND, ("numba",))


def lower(network: Network, schedule: Schedule, *, dt: float, numerics: str, seed: int) -> NengoPlan:
    """The Nengo plan of ``network`` run through ``schedule`` at time step ``dt`` (ms).

    The per-neuron constants, synapses, delays and source spikes are the reference engine's
    (:func:`spikemem.lowering.flatten`), so both engines start from the same numbers.
    """
    check_network(network)
    flat = flatten(network, dt, numerics, seed, backend=BACKEND)
    starts = phase_steps(schedule, dt)
    plan = NengoPlan(dt=dt, n_steps=int(starts[-1]), phase_starts=starts)
    table = flat.neurons
    by_offset = {}
    for pop in network.populations:
        if not isinstance(pop.cell, IF_curr_exp):
            continue
        first = flat.offsets[pop.name]
        rows = slice(first, first + pop.size)
        p22 = table.P22[rows]
        span = table.v_thresh[rows] - table.v_reset[rows]
        leak = 1.0 - p22
        bias = (table.c0[rows] - table.v_reset[rows] * leak) / (leak * span)
        ensemble = EnsemblePlan(
            name=pop.name,
            size=pop.size,
            offset=first,
            tau_m=_uniform(pop.cell.tau_m),
            refractory_steps=int(table.nref[first]) if pop.size else 0,
            bias=bias,
            u_init=(table.v_init[rows] - table.v_reset[rows]) / span,
            v_reset=table.v_reset[rows].copy(),
            span=span,
            tau_syn={
                "excitatory": _uniform(pop.cell.tau_syn_E),
                "inhibitory": _uniform(pop.cell.tau_syn_I),
            },
            gain={
                "excitatory": table.P21e[rows] * table.scale_e[rows] / (leak * span),
                "inhibitory": -table.P21i[rows] * table.scale_i[rows] / (leak * span),
            },
            input_scale={"excitatory": table.scale_e[rows].copy(), "inhibitory": table.scale_i[rows].copy()},
        )
        plan.ensembles.append(ensemble)
        by_offset[first] = ensemble
    _lower_synapses(plan, network, flat, by_offset)
    _lower_sources(plan, network, schedule, flat, seed)
    return plan


def _uniform(value) -> float:
    """The value of a parameter that :func:`check_network` found equal for every neuron."""
    return float(np.asarray(value, dtype=np.float64).flat[0])


def _owner(offsets: dict[str, int], sizes: dict[str, int]):
    """Functions from global ids to (population index, local id), sorted by offset."""
    names = sorted(offsets, key=offsets.get)
    firsts = np.array([offsets[n] for n in names], dtype=np.int64)

    def locate(gids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        which = np.searchsorted(firsts, gids, side="right") - 1
        return which, gids - firsts[which]

    return names, locate


def _lower_synapses(plan: NengoPlan, network: Network, flat, by_offset: dict) -> None:
    syn = flat.synapses
    counts = np.diff(syn.row_ptr)
    pre_gid = np.repeat(np.arange(counts.size, dtype=np.int64), counts)
    receptor = syn.target // max(flat.n_dynamic, 1)
    post_gid = syn.target % max(flat.n_dynamic, 1)
    names, locate = _owner(flat.offsets, flat.sizes)
    pre_pop, pre_local = locate(pre_gid)
    post_pop, post_local = locate(post_gid)
    delay = syn.delay.astype(np.int64)
    if not delay.size:
        return
    keys = np.stack([pre_pop, post_pop, receptor, delay], axis=1)
    unique, inverse = np.unique(keys, axis=0, return_inverse=True)
    inverse = inverse.reshape(-1)
    order = np.argsort(inverse, kind="stable")
    bounds = np.searchsorted(inverse[order], np.arange(unique.shape[0] + 1))
    for group, (pre_k, post_k, rec_k, d) in enumerate(unique):
        members = order[bounds[group] : bounds[group + 1]]
        ensemble = by_offset[flat.offsets[names[post_k]]]
        rec = ("excitatory", "inhibitory")[int(rec_k)]
        posts = post_local[members]
        plan.connections.append(
            ConnectionPlan(
                pre=names[pre_k],
                post=ensemble.name,
                receptor=rec,
                delay_steps=int(d),
                pole=float(np.exp(-plan.dt / ensemble.tau_syn[rec])),
                pre_ids=pre_local[members],
                post_ids=posts,
                data=syn.weight[members] * ensemble.gain[rec][posts],
                current=syn.weight[members]
                * ensemble.input_scale[rec][posts]
                * (1.0 if rec == "excitatory" else -1.0),
            )
        )


def _lower_sources(plan: NengoPlan, network: Network, schedule: Schedule, flat, seed: int) -> None:
    steps, gids = source_spikes(network, schedule, flat, seed)
    for pop in network.populations:
        if isinstance(pop.cell, IF_curr_exp):
            continue
        first = flat.offsets[pop.name]
        mine = (gids >= first) & (gids < first + pop.size)
        local_steps, ids = steps[mine], gids[mine] - first
        ptr = np.searchsorted(local_steps, np.arange(plan.n_steps + 1), side="left").astype(np.int64)
        plan.sources.append(SourcePlan(name=pop.name, size=pop.size, ptr=ptr, ids=ids.astype(np.int64)))


def synapse_filter(pole: float, delay_steps: int) -> tuple[str, tuple, float]:
    """The synapse of a connection with the given pole and delay, as ``(kind, args, scale)``.

    A spike emitted at step ``s`` changes the membrane update of Nengo's neurons at step
    ``s + delay`` (the reference engine's delivery step; measured, see
    ``tests/backends/nengo``) and then decays by ``pole`` per step; ``scale`` multiplies the
    transform so that the jump equals the connection's ``data``.

    - delay 1 step: ``("lowpass", (), 1/(1 − pole))`` — ``nengo.Lowpass(tau_syn)``, whose
      zero-order-hold form is ``(1 − a)/(z − a)``;
    - longer: ``("linear", (num, den), 1)`` — ``nengo.LinearFilter(num, den, analog=False)``
      with ``H(z) = 1/(z^(delay − 1)·(z − a))``.
    """
    if delay_steps < 1:
        raise ValueError(f"delay_steps = {delay_steps}; delays are at least one step")
    if delay_steps == 1:
        return "lowpass", (), 1.0 / (1.0 - pole)
    return "linear", ((1.0,), (1.0, -pole) + (0.0,) * (delay_steps - 1)), 1.0
