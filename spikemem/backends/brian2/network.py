"""Build the Brian2 objects of a :class:`~.lowering.Plan` (imports brian2).

Everything is created with explicit names, an explicit clock and an empty namespace, and put in
an explicit ``brian2.Network``: no magic network, no ``defaultclock``, no frame inspection.
Stable names also make the generated code identical between compilations of networks with the
same structure, so Brian2's Cython cache serves them without recompiling.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import codegen
from .lowering import PhasePlan, Plan

STATE_NAMES = {"v": "v", "isyn_exc": "Ie", "isyn_inh": "Ii"}
"""IR state variable -> NeuronGroup variable (see :data:`.translation.STATE`)."""


@dataclass
class Objects:
    """The Brian2 objects of one compiled network."""

    network: Any
    neurons: Any = None
    sources: Any = None
    synapses: list = field(default_factory=list)
    native: list = field(default_factory=list)
    spikes_neurons: Any = None
    spikes_sources: Any = None
    state: Any = None
    state_ids: np.ndarray | None = None
    state_variables: tuple[str, ...] = ()
    snapshots: dict = field(default_factory=dict)


def record_targets(plan: Plan, record: Any) -> tuple[np.ndarray, tuple[str, ...]]:
    """NeuronGroup indices and Brian2 variables the StateMonitor must record."""
    ids, variables = [], []
    for name, wanted in record.state.items():
        if not wanted:
            continue
        offset = plan.flat.offsets[name]
        ids.append(np.arange(plan.flat.sizes[name], dtype=np.int64) + offset)
        variables += [STATE_NAMES[v] for v in wanted if STATE_NAMES[v] not in variables]
    return (np.concatenate(ids) if ids else np.zeros(0, np.int64)), tuple(variables)


def build_objects(
    plan: Plan, record: Any, phases: PhasePlan, *, spikes: tuple[np.ndarray, np.ndarray] | None = None
) -> Objects:
    """Create the Brian2 objects on the active device.

    Parameters
    ----------
    plan : Plan
        The lowered network.
    record : RecordSpec
        What to record.
    phases : PhasePlan
        The schedule as block tables (learning per projection, phase starts).
    spikes : (steps, global source ids) or None
        Source spikes to load now (standalone devices, which then also use the device's own
        ``defaultclock``: brian2cuda's synapse templates refer to it by name); ``None`` for the
        runtime device, which loads the spikes before each run.
    """
    import brian2 as b2

    dt = plan.flat.dt
    if spikes is None:  # runtime device: a clock of our own, Brian2's global defaultclock untouched
        clock = b2.Clock(dt=dt * b2.ms, name="spikemem_clock")
    else:  # a freshly reinitialised standalone device; brian2cuda's templates name its defaultclock
        clock = b2.get_device().defaultclock
        clock.dt = dt * b2.ms
    objs = Objects(network=None)
    members: list[Any] = []
    wanted = record.spikes
    populations = wanted if wanted is not None else tuple(plan.flat.sizes)
    n_dyn = plan.flat.n_dynamic
    if n_dyn:
        objs.neurons = _neurons(b2, plan, clock)
        members.append(objs.neurons)
        if any(plan.flat.offsets[p] < n_dyn for p in populations):
            objs.spikes_neurons = b2.SpikeMonitor(objs.neurons, name="spikes_neurons")
            members.append(objs.spikes_neurons)
        ids, variables = record_targets(plan, record)
        if ids.size:
            state_clock = b2.Clock(dt=record.state_every * dt * b2.ms, name="spikemem_record_clock")
            objs.state = b2.StateMonitor(
                objs.neurons, variables, record=ids, clock=state_clock, when="end", name="state"
            )
            objs.state_ids, objs.state_variables = ids, variables
            members.append(objs.state)
    if plan.n_sources:
        steps, gids = spikes if spikes is not None else (np.zeros(0, np.int64), np.full(0, n_dyn, np.int64))
        objs.sources = b2.SpikeGeneratorGroup(
            plan.n_sources, gids - n_dyn, steps * dt * b2.ms, clock=clock, sorted=True, name="sources"
        )
        members.append(objs.sources)
        if any(plan.flat.offsets[p] >= n_dyn for p in populations):
            objs.spikes_sources = b2.SpikeMonitor(objs.sources, name="spikes_sources")
            members.append(objs.spikes_sources)
    tables = _phase_tables(b2, phases, dt) if plan.plastic else {}
    block_clock = None
    if plan.plastic and phases.n_phases > 1:
        block_clock = b2.Clock(dt=phases.block * dt * b2.ms, name="spikemem_block_clock")
    for index, group in enumerate(plan.groups):
        source = objs.neurons if group.source == "neurons" else objs.sources
        synapses = _synapses(b2, group, source, objs.neurons, clock, dt, tables)
        objs.synapses.append(synapses)
        members.append(synapses)
        if group.plastic and phases.n_phases > 1:
            if np.any(group.stdp["eop"] == 1.0):
                synapses.run_regularly(
                    codegen.END_OF_PHASE_CLIP,
                    clock=block_clock,
                    when="start",
                    order=-10,
                    name=f"{group.name}_eop",
                )
            if record.weights:
                monitor = b2.StateMonitor(
                    synapses,
                    "w",
                    record=np.flatnonzero(group.projection >= 0),
                    clock=block_clock,
                    when="start",
                    order=10,
                    name=f"{group.name}_weights",
                )
                objs.snapshots[index] = monitor
                members.append(monitor)
    with _seeded(b2, plan.native_seed, runtime=spikes is None, active=bool(plan.native)):
        for native in plan.native:
            source = objs.neurons if native.source == "neurons" else objs.sources
            synapses = _native_synapses(b2, native, source, objs.neurons, clock)
            objs.native.append(synapses)
            members.append(synapses)
    objs.network = b2.Network(*members, name="spikemem_network")
    return objs


@contextlib.contextmanager
def _seeded(b2: Any, seed: int, *, runtime: bool, active: bool) -> Iterator[None]:
    """Seed Brian2's random numbers for the native connectors (when ``active``). On the runtime
    device ``brian2.seed`` also reseeds numpy's global generator, whose state is put back
    afterwards; a standalone device records the seed in its project."""
    if not active:
        yield
        return
    state = np.random.get_state() if runtime else None
    b2.seed(seed)
    try:
        yield
    finally:
        if state is not None:
            np.random.set_state(state)


def _native_synapses(b2: Any, native: Any, source: Any, target: Any, clock: Any) -> Any:
    """The Synapses of one :class:`~.lowering.NativeGroup`: Brian2 draws the synapses between
    the projection's slices of ``source`` and ``target`` (``connect`` with ``p=`` or ``sample``)."""
    synapses = b2.Synapses(
        source[native.pre[0] : native.pre[1]],
        target[native.post[0] : native.post[1]],
        model=codegen.SYNAPSE_MODEL_STATIC,
        on_pre={"tx": codegen.transmit(native.receptor, native.delay)},
        delay={"tx": 0 * b2.ms},
        clock=clock,
        namespace={},
        name=native.name,
    )
    synapses.connect(**native.connect)
    synapses.w = native.weight
    synapses.tx.order = native.order
    return synapses


def libm_exp(b2: Any) -> Any:
    """A Brian2 ``Function`` computing the C library's ``exp`` on every target (see
    :data:`.codegen.EXP`)."""
    import math

    ufunc = np.frompyfunc(math.exp, 1, 1)

    def numpy_exp(x: Any) -> Any:
        return np.asarray(ufunc(x), dtype=np.float64)

    function = b2.Function(numpy_exp, arg_units=[1], return_unit=1)
    for target in ("cpp", "cython", "cuda"):
        function.implementations.add_implementation(target, code=None, name="exp")
    function.implementations.add_implementation("numpy", code=numpy_exp)
    return function


def _phase_tables(b2: Any, phases: PhasePlan, dt: float) -> dict[str, Any]:
    block_dt = phases.block * dt * b2.ms
    return {
        codegen.EXP: libm_exp(b2),
        "learn_ta": b2.TimedArray(phases.learn, dt=block_dt, name="learn_ta"),
        "phase_start_ta": b2.TimedArray(phases.phase_start[:, 0].copy(), dt=block_dt, name="phase_start_ta"),
    }


def _neurons(b2: Any, plan: Plan, clock: Any) -> Any:
    group = b2.NeuronGroup(
        plan.flat.n_dynamic,
        plan.neuron_model(),
        threshold=codegen.THRESHOLD,
        reset=codegen.RESET,
        clock=clock,
        namespace={},
        name="neurons",
    )
    for name, values in plan.neuron_constants.items():
        setattr(group, name, values)
    group.nref = plan.nref
    group.v = plan.v_init
    group.run_regularly(plan.neuron_update(), when="groups", name="neurons_update")
    return group


def _synapses(b2: Any, group: Any, source: Any, target: Any, clock: Any, dt: float, tables: dict) -> Any:
    on_pre = {"tx": codegen.transmit(group.receptor, group.delay)}
    on_post = None
    delays = {"tx": 0 * b2.ms}
    model = codegen.SYNAPSE_MODEL_STATIC
    heterogeneous = {}
    if group.plastic:
        model = codegen.SYNAPSE_MODEL_PLASTIC
        on_pre = {"pre_reg": codegen.pre_register(), "pre_dep": codegen.pre_depress(), **on_pre}
        on_post = {"post": codegen.post_potentiate()}
        for pathway, key in (("pre_reg", "a_pre"), ("pre_dep", "a_pre"), ("post", "a_post")):
            steps = group.stdp[key]
            if steps.size and np.all(steps == steps[0]):
                delays[pathway] = int(steps[0]) * dt * b2.ms
            else:
                heterogeneous[pathway] = steps
    synapses = b2.Synapses(
        source,
        target,
        model=model,
        on_pre=on_pre,
        on_post=on_post,
        delay=delays,
        clock=clock,
        namespace=dict(tables),
        name=group.name,
    )
    synapses.connect(i=group.pre, j=group.post)
    synapses.w = group.weight
    synapses.tx.order = group.order
    if group.plastic:
        for name in ("taup", "taum", "Ap", "Am", "wmin", "wmax", "mult", "clip_on", "eop", "ip", "idp"):
            setattr(synapses, name, group.stdp[name])
        n_plastic = tables["learn_ta"].values.shape[1] - 1
        synapses.pidx = np.where(group.projection >= 0, group.projection, n_plastic)
        synapses.dtm = dt
        synapses.xl = -1
        synapses.yl = -1
        for pathway, order in codegen.PATHWAY_ORDER.items():
            getattr(synapses, pathway).order = order
        for pathway, steps in heterogeneous.items():
            getattr(synapses, pathway).delay = steps * dt * b2.ms
    return synapses
