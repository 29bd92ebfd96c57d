"""Make the PyNN calls of a :class:`~.lowering.NetworkPlan` on an injectable simulator module, run
the schedule, and read spikes, state and weights back from Neo into a
:class:`~spikemem.results.Recording`.

Nothing here imports PyNN: the simulator module (``pyNN.spiNNaker``, ``pyNN.nest``, or a
test double with the same functions) is passed in. The caller owns ``sim.setup()`` and
``sim.end()``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ...results import PhaseInfo, Recording, SpikeTrains, StateTrace
from .lowering import NetworkPlan, PopulationPlan, ProjectionPlan

__all__ = ["Built", "build", "read_recording", "run_phases"]


@dataclass
class Built:
    """The PyNN objects of one network."""

    populations: dict = field(default_factory=dict)
    projections: dict = field(default_factory=dict)


def _population(sim: Any, plan: PopulationPlan, extra: dict) -> Any:
    if plan.source:
        times = [[float(t) for t in neuron] for neuron in plan.spike_times or []]
        celltype = sim.SpikeSourceArray(spike_times=times)
        return sim.Population(plan.size, celltype, label=plan.name, **extra)
    celltype = getattr(sim, plan.model)(**plan.parameters)
    return sim.Population(plan.size, celltype, label=plan.name, initial_values=dict(plan.initial), **extra)


def _connector(sim: Any, plan: ProjectionPlan) -> Any:
    connector = plan.connector
    if connector.kind == "OneToOne":
        return sim.OneToOneConnector()
    if connector.kind == "AllToAll":
        return sim.AllToAllConnector(allow_self_connections=connector.allow_self_connections)
    if connector.kind == "FixedProbability":
        return sim.FixedProbabilityConnector(
            connector.p, allow_self_connections=connector.allow_self_connections
        )
    if connector.native:  # the simulator draws the synapses (its own random numbers, no host list)
        return getattr(sim, f"{connector.kind}Connector")(
            connector.n,
            allow_self_connections=connector.allow_self_connections,
            with_replacement=connector.with_replacement,
        )
    rows = connector.rows if connector.rows is not None else np.zeros((0, 4))
    return sim.FromListConnector(np.asarray(rows, dtype=np.float64), column_names=["weight", "delay"])


def _synapse(sim: Any, plan: ProjectionPlan, stdp_options: dict) -> Any:
    syn = plan.synapse
    values = {}
    if syn.weight is not None:
        values["weight"] = syn.weight
    if syn.delay is not None:
        values["delay"] = syn.delay
    if syn.kind == "static":
        return sim.StaticSynapse(**values)
    timing = sim.SpikePairRule(**syn.timing)
    cls = sim.AdditiveWeightDependence if syn.dependence == "additive" else sim.MultiplicativeWeightDependence
    dependence = cls(**syn.bounds)
    return sim.STDPMechanism(timing_dependence=timing, weight_dependence=dependence, **values, **stdp_options)


def build(
    sim: Any,
    plan: NetworkPlan,
    *,
    population_options: Callable[[PopulationPlan], dict] | None = None,
    stdp_options: dict | None = None,
    connector_override: Callable[[ProjectionPlan], Any] | None = None,
) -> Built:
    """Create populations and projections and set up recording, after ``sim.setup()``.

    Parameters
    ----------
    sim : module
        A PyNN simulator module.
    plan : NetworkPlan
        The lowered network.
    population_options : callable, optional
        Extra keyword arguments of ``sim.Population`` per population (e.g. sPyNNaker's
        ``neurons_per_core`` through ``additional_parameters``).
    stdp_options : dict, optional
        Extra keyword arguments of ``sim.STDPMechanism``.
    connector_override : callable, optional
        ``connector_override(projection_plan)`` returns a simulator-specific connector to use
        instead of the plan's, or ``None`` (e.g. the NEST backend's bulk list connector).

    Returns
    -------
    Built
    """
    built = Built()
    record = plan.record
    for pop_plan in plan.populations:
        extra = population_options(pop_plan) if population_options else {}
        pop = _population(sim, pop_plan, extra)
        built.populations[pop_plan.name] = pop
        if record.spikes is None or pop_plan.name in record.spikes:
            pop.record("spikes")
        variables = [plan.dialect.state_variables[v] for v in record.state.get(pop_plan.name, ())]
        if variables:
            pop.record(variables)
    for proj_plan in plan.projections:
        connector = connector_override(proj_plan) if connector_override is not None else None
        pre, post = built.populations[proj_plan.pre], built.populations[proj_plan.post]
        built.projections[proj_plan.name] = sim.Projection(
            pre if proj_plan.pre_view is None else pre[proj_plan.pre_view],
            post if proj_plan.post_view is None else post[proj_plan.post_view],
            connector if connector is not None else _connector(sim, proj_plan),
            synapse_type=_synapse(sim, proj_plan, stdp_options or {}),
            receptor_type=proj_plan.receptor,
            label=proj_plan.name,
        )
    return built


def run_phases(
    sim: Any,
    plan: NetworkPlan,
    built: Built,
    *,
    set_learning: Callable[[Any, ProjectionPlan, bool], None] | None = None,
    read_weights: bool = True,
    progress: Any = None,
) -> tuple[dict, list[PhaseInfo]]:
    """Run every phase with ``sim.run`` and snapshot plastic weights at the end of each.

    Parameters
    ----------
    set_learning : callable, optional
        ``set_learning(projection, plan, on)`` switches learning of a plastic projection; it
        is called before every phase. ``None``: the caller guarantees learning never changes.
    read_weights : bool
        Whether to read plastic weights after every phase.
    progress : callable, optional
        ``progress(n_steps)`` after every phase.

    Returns
    -------
    (dict, list of PhaseInfo)
        Weight snapshots (phase -> projection -> weights in resolve order, nA) and phases.
    """
    dt = plan.dt
    weights: dict[str, dict[str, np.ndarray]] = {}
    phases: list[PhaseInfo] = []
    plastic = [p for p in plan.projections if p.plastic]
    for phase in plan.phases:
        if set_learning is not None:
            for proj in plastic:
                set_learning(built.projections[proj.name], proj, phase.learning(proj.name))
        sim.run(round((phase.stop_step - phase.start_step) * dt, 10))
        phases.append(PhaseInfo(name=phase.name, start_step=phase.start_step, stop_step=phase.stop_step))
        if read_weights and plastic:
            weights[phase.name] = {
                proj.name: read_weights_in_order(built.projections[proj.name], proj) for proj in plastic
            }
        if progress is not None:
            progress(phase.stop_step - phase.start_step)
    return weights, phases


def read_weights_in_order(projection: Any, plan: ProjectionPlan) -> np.ndarray:
    """Weights (nA, unsigned) of a PyNN projection in the IR's synapse order."""
    raw = projection.get("weight", format="list", with_address=True)
    data = np.asarray([tuple(r) for r in raw], dtype=np.float64).reshape(-1, 3)
    if data.shape[0] != plan.size:
        raise RuntimeError(
            f"projection {plan.name!r}: the simulator holds {data.shape[0]} synapses, the plan {plan.size}"
        )
    n_post = int(max(plan.post_ids.max(initial=0), data[:, 1].max(initial=0))) + 1
    sim_keys = data[:, 0].astype(np.int64) * n_post + data[:, 1].astype(np.int64)
    ir_keys = plan.pre_ids * n_post + plan.post_ids
    sim_order = np.argsort(sim_keys, kind="stable")
    ir_order = np.argsort(ir_keys, kind="stable")
    if not np.array_equal(sim_keys[sim_order], ir_keys[ir_order]):
        raise RuntimeError(f"projection {plan.name!r}: the simulator's synapses differ from the plan's")
    result = np.empty(plan.size, dtype=np.float64)
    result[ir_order] = np.abs(data[sim_order, 2]) / plan.weight_unit
    return result


def _multiplexed(block: Any, population: Any) -> tuple[np.ndarray, np.ndarray] | None:
    """``(indices, times in ms)`` straight from a Neo ``SpikeTrainList``'s arrays, without
    building one ``SpikeTrain`` object per neuron (11 s for 40 000 neurons); ``None`` when the
    simulator's Neo objects do not offer it."""
    trains = block.segments[0].spiketrains
    if not hasattr(trains, "multiplexed") or not hasattr(population, "id_to_index"):
        return None
    try:
        channels, times = trains.multiplexed
        channels = np.asarray(channels)
        indices = np.asarray(population.id_to_index(channels), dtype=np.int64) if channels.size else channels
        scale = float(times.units.rescale("ms").magnitude) if hasattr(times, "units") else 1.0
        return indices.astype(np.int64), np.asarray(getattr(times, "magnitude", times), dtype=np.float64) * scale
    except Exception:  # noqa: BLE001 - fall back to the per-train path
        return None


def _spikes(block: Any, dt: float, offset: int, size: int, population: Any = None) -> SpikeTrains:
    fast = _multiplexed(block, population) if population is not None else None
    if fast is not None:
        indices, times = fast
        steps = np.floor(times / dt + 0.5).astype(np.int64) - offset
        keep = (steps >= 0) & (indices >= 0) & (indices < size)
        return SpikeTrains(steps[keep], indices[keep], dt)
    steps, ids = [], []
    scales: dict[str, float] = {}
    for k, train in enumerate(block.segments[0].spiketrains):
        index = int(train.annotations.get("source_index", k))
        times = np.asarray(getattr(train, "magnitude", train), dtype=np.float64)
        units = getattr(train, "units", None)
        if units is not None:
            key = units.dimensionality.string
            if key not in scales:
                scales[key] = float(units.rescale("ms").magnitude)
            times = times * scales[key]
        if times.size:
            steps.append(np.floor(times / dt + 0.5).astype(np.int64) - offset)
            ids.append(np.full(times.size, index, dtype=np.int64))
    if not steps:
        return SpikeTrains.empty(dt)
    all_steps, all_ids = np.concatenate(steps), np.concatenate(ids)
    keep = (all_steps >= 0) & (all_ids < size)
    return SpikeTrains(all_steps[keep], all_ids[keep], dt)


def _state(block: Any, plan: NetworkPlan, population: str, variables: tuple, n_steps: int) -> StateTrace:
    dialect = plan.dialect
    every = plan.record.state_every
    wanted = np.arange(0, n_steps, every, dtype=np.int64)
    values: dict[str, np.ndarray] = {}
    ids = None
    for var in variables:
        signals = block.segments[0].filter(name=dialect.state_variables[var])
        if not signals:
            raise RuntimeError(f"the simulator returned no {var!r} for population {population!r}")
        signal = signals[0]
        data = np.asarray(signal.magnitude, dtype=np.float64)
        channel = (
            signal.array_annotations.get("channel_index") if hasattr(signal, "array_annotations") else None
        )
        order = (
            np.argsort(channel)
            if channel is not None and len(channel) == data.shape[1]
            else np.arange(data.shape[1])
        )
        offset = dialect.state_sample_offset
        decay = 1.0
        if var.startswith("isyn"):
            data = np.abs(data)
            if dialect.current_after_arrivals:
                offset -= 1
                tau = np.asarray(
                    plan.population(population).parameters["tau_syn_E" if var == "isyn_exc" else "tau_syn_I"]
                )
                decay = np.exp(-plan.dt / tau)
        index = wanted + offset
        index = index[index < data.shape[0]]
        values[var] = data[index][:, order] * decay
        ids = (
            np.sort(channel)
            if channel is not None and len(channel) == data.shape[1]
            else np.arange(data.shape[1])
        )
    count = min(v.shape[0] for v in values.values())
    values = {k: v[:count] for k, v in values.items()}
    return StateTrace(steps=wanted[:count], ids=np.asarray(ids, dtype=np.int64), values=values, dt=plan.dt)


def read_recording(
    plan: NetworkPlan,
    built: Built,
    *,
    weights: dict,
    phases: list[PhaseInfo],
    meta: dict,
    spikes_available: bool = True,
) -> Recording:
    """Read spikes and state from the PyNN populations into a :class:`Recording`.

    Spike times are converted to reference steps with the dialect's offsets (neurons:
    ``spike_time_offset``; sources keep their times).

    Parameters
    ----------
    spikes_available : bool
        ``False`` (virtual board): do not ask the simulator for data; recorded populations get
        empty spike trains and no state.
    """
    dt = plan.dt
    record = plan.record
    spikes: dict[str, SpikeTrains] = {}
    state: dict[str, StateTrace] = {}
    started = time.perf_counter()
    for pop_plan in plan.populations:
        name = pop_plan.name
        wanted_spikes = record.spikes is None or name in record.spikes
        variables = tuple(record.state.get(name, ()))
        if not spikes_available:
            if wanted_spikes:
                spikes[name] = SpikeTrains.empty(dt)
            continue
        pop = built.populations[name]
        if wanted_spikes:
            block = pop.get_data("spikes")
            offset = 0 if pop_plan.source else plan.dialect.spike_time_offset
            spikes[name] = _spikes(block, dt, offset, pop_plan.size, pop)
        if variables:
            block = pop.get_data([plan.dialect.state_variables[v] for v in variables])
            state[name] = _state(block, plan, name, variables, plan.n_steps)
    meta = dict(meta)
    meta.setdefault("timings", {})["extract_s"] = time.perf_counter() - started
    return Recording(
        dt=dt,
        populations=plan.sizes,
        spikes=spikes,
        state=state,
        weights=weights,
        phases=phases,
        meta=meta,
    )
