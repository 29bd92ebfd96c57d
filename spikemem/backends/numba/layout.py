"""Flatten an IR network into the struct-of-arrays layout the Numba kernels run on (numpy only).

Global neuron index: dynamic (non-source) populations first, in network order, then spike
sources. Synapses live in one CSR table ordered by presynaptic neuron; plastic synapses are
additionally indexed per plastic projection, by pre and by post neuron.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

import numpy as np

from ...ir import IF_curr_delta, IF_curr_exp, SpikeSourceArray, SpikeSourcePoisson
from ...ir.cells import DiscreteLIF, is_source, per_neuron, refractory_steps
from ...ir.connectivity import Synapses, delay_steps, projection_seed, resolve
from ...ir.dendrites import DendriticNeuron
from ...ir.errors import IRValidationError, UnsupportedFeature
from ...ir.network import Network
from ...ir.schedule import Schedule
from .dendrites import DendriteTable, build_dendrite_table, dendritic_populations

BACKEND = "numba"
SUPPORTED_CELLS = (IF_curr_exp, IF_curr_delta, SpikeSourceArray, SpikeSourcePoisson, DiscreteLIF, DendriticNeuron)


@dataclass
class NeuronTable:
    """Per-neuron constants of the linear step ``V' = V·P22 + c0 + P21e·Ie - P21i·Ii + jump·(inE - inI)``.

    After a spike ``V ← v_reset``, except in segments flagged *subtractive* (``DiscreteLIF``),
    where ``V ← V − v_reset`` (there ``v_reset`` holds the reset step ``V_th``).
    """

    P22: np.ndarray
    c0: np.ndarray
    P21e: np.ndarray
    P21i: np.ndarray
    P11e: np.ndarray
    P11i: np.ndarray
    scale_e: np.ndarray
    scale_i: np.ndarray
    jump: np.ndarray
    v_thresh: np.ndarray
    v_reset: np.ndarray
    nref: np.ndarray
    v_init: np.ndarray
    segments: np.ndarray | None = None  # (n_seg, 4): first, stop, uniform flag, subtractive-reset flag
    seg_params: np.ndarray | None = None  # (n_seg, 10): the constants of a uniform segment


LINEAR_CONSTANTS = ("P22", "c0", "P21e", "P21i", "P11e", "P11i", "scale_e", "scale_i", "jump", "v_thresh")


def segment_table(table: NeuronTable, sizes: list[int], subtractive: list[bool] | None = None) -> None:
    """One segment per population: mark those whose constants are all equal as uniform (fast
    path), and those with a subtractive reset (``subtractive[k]``, default none)."""
    rows, params, start = [], [], 0
    subtractive = [False] * len(sizes) if subtractive is None else subtractive
    for size, sub in zip(sizes, subtractive, strict=True):
        stop = start + size
        columns = [getattr(table, name)[start:stop] for name in LINEAR_CONSTANTS]
        uniform = all(np.all(c == c[0]) for c in columns)
        rows.append((start, stop, int(uniform), int(sub)))
        params.append([c[0] for c in columns])
        start = stop
    table.segments = np.array(rows, dtype=np.int64).reshape(-1, 4)
    table.seg_params = np.array(params, dtype=np.float64).reshape(-1, len(LINEAR_CONSTANTS))


@dataclass
class SynapseTable:
    """All synapses in CSR form by presynaptic global index."""

    row_ptr: np.ndarray
    target: np.ndarray  # receptor * n_dynamic + post global index
    delay: np.ndarray  # steps
    weight: np.ndarray  # nA (mV for delta cells); mutated by plasticity
    max_delay: int
    projection_slots: dict[str, np.ndarray] = field(default_factory=dict)  # CSR positions, resolve order
    projection_pre_post: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)


@dataclass
class PlasticTable:
    """STDP parameters per plastic projection and its synapses indexed by pre and by post."""

    names: list[str]
    fparams: np.ndarray  # (P, 6): tau_plus, tau_minus, A_plus, A_minus, w_min, w_max
    iparams: np.ndarray  # (P, 6): multiplicative, clip_per_event, a_pre, a_post, incl_pot, incl_dep
    pre_ptr: np.ndarray  # (P, N+1)
    pre_syn: np.ndarray
    pre_other: np.ndarray
    post_ptr: np.ndarray  # (P, N+1)
    post_syn: np.ndarray
    post_other: np.ndarray
    history: int  # number of past steps of spikes kept


@dataclass
class Layout:
    """Everything the kernels need, plus the index maps to build a Recording."""

    dt: float
    numerics: str
    n_dynamic: int
    n_total: int
    offsets: dict[str, int]
    sizes: dict[str, int]
    neurons: NeuronTable
    synapses: SynapseTable
    plastic: PlasticTable
    state_variables: dict[str, tuple[str, ...]]
    dendrites: DendriteTable


def lif_propagators(
    tau_m: np.ndarray, cm: np.ndarray, tau_syn: np.ndarray, dt: float, numerics: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(P22, P20, P21, P11)`` for one step of length ``dt`` (ms).

    ``exact``: exact solution of the linear ODEs, with ``P21`` written through
    ``expm1(x)/x`` so it stays finite and continuous at ``tau_syn = tau_m``.
    ``spinnaker``: the current is held over the step, so ``P21 = P20``.
    """
    P22 = np.exp(-dt / tau_m)
    P20 = -(tau_m / cm) * np.expm1(-dt / tau_m)
    P11 = np.exp(-dt / tau_syn)
    if numerics == "spinnaker":
        return P22, P20, P20.copy(), P11
    x = dt * (1.0 / tau_m - 1.0 / tau_syn)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(x == 0.0, 1.0, np.expm1(x) / np.where(x == 0.0, 1.0, x))
    P21 = (dt / cm) * P22 * ratio
    return P22, P20, P21, P11


def _neuron_table(network: Network, dynamic: list, dt: float, numerics: str) -> NeuronTable:
    columns: dict[str, list[np.ndarray]] = {
        k: [] for k in NeuronTable.__dataclass_fields__ if k not in ("segments", "seg_params")
    }
    for pop in dynamic:
        cell, n = pop.cell, pop.size
        if isinstance(cell, DiscreteLIF):
            for name, column in _discrete_lif_columns(cell, n, dt).items():
                columns[name].append(column)
            continue
        p = {name: per_neuron(getattr(cell, name), n) for name in cell.parameter_names()}
        P22, P20, _, _ = lif_propagators(p["tau_m"], p["cm"], p["tau_m"], dt, numerics)
        if isinstance(cell, IF_curr_exp):
            _, _, P21e, P11e = lif_propagators(p["tau_m"], p["cm"], p["tau_syn_E"], dt, numerics)
            _, _, P21i, P11i = lif_propagators(p["tau_m"], p["cm"], p["tau_syn_I"], dt, numerics)
            if numerics == "spinnaker":
                scale_e = (p["tau_syn_E"] / dt) * -np.expm1(-dt / p["tau_syn_E"])
                scale_i = (p["tau_syn_I"] / dt) * -np.expm1(-dt / p["tau_syn_I"])
            else:
                scale_e = scale_i = np.ones(n)
            jump = np.zeros(n)
        else:  # IF_curr_delta: input jumps V directly (mV)
            P21e = P21i = P11e = P11i = scale_e = scale_i = np.zeros(n)
            jump = np.ones(n)
        columns["P22"].append(P22)
        columns["c0"].append(p["v_rest"] * (1.0 - P22) + P20 * p["i_offset"])
        columns["P21e"].append(P21e)
        columns["P21i"].append(P21i)
        columns["P11e"].append(P11e)
        columns["P11i"].append(P11i)
        columns["scale_e"].append(scale_e)
        columns["scale_i"].append(scale_i)
        columns["jump"].append(jump)
        columns["v_thresh"].append(p["v_thresh"])
        columns["v_reset"].append(p["v_reset"])
        columns["nref"].append(refractory_steps(p["tau_refrac"], dt, numerics))
        v_init = p["v_rest"] if cell.v_init is None else per_neuron(cell.v_init, n)
        columns["v_init"].append(v_init)
    merged = {
        k: (np.concatenate(v) if v else np.zeros(0, dtype=np.int64 if k == "nref" else np.float64))
        for k, v in columns.items()
    }
    merged["nref"] = merged["nref"].astype(np.int32)
    table = NeuronTable(**{k: np.ascontiguousarray(v) for k, v in merged.items()})
    segment_table(table, [p.size for p in dynamic], [isinstance(p.cell, DiscreteLIF) for p in dynamic])
    return table


def _discrete_lif_columns(cell: DiscreteLIF, n: int, dt: float) -> dict[str, np.ndarray]:
    """``DiscreteLIF`` on the linear step: ``V' = β·V + (1 − β)·(i_offset + inE − inI)``
    (``β = exp(-dt/tau_m)``; ``β = 1`` and gain 1 without leak), threshold ``alpha·v_thresh``,
    subtractive reset by ``v_thresh``, no refractory period and no synaptic currents."""
    zeros = np.zeros(n)
    if cell.tau_m is None:
        beta, gain = np.ones(n), np.ones(n)
    else:
        tau_m = per_neuron(cell.tau_m, n)
        beta, gain = np.exp(-dt / tau_m), -np.expm1(-dt / tau_m)
    v_thresh = per_neuron(cell.v_thresh, n)
    return {
        "P22": beta,
        "c0": gain * per_neuron(cell.i_offset, n),
        "P21e": zeros, "P21i": zeros, "P11e": zeros, "P11i": zeros, "scale_e": zeros, "scale_i": zeros,
        "jump": gain,
        "v_thresh": per_neuron(cell.alpha, n) * v_thresh,
        "v_reset": v_thresh,
        "nref": np.zeros(n, dtype=np.int64),
        "v_init": zeros if cell.v_init is None else per_neuron(cell.v_init, n),
    }


def _synapse_table(network: Network, offsets: dict[str, int], n_dynamic: int, n_total: int, dt: float, seed: int):
    pre_all, tgt_all, dly_all, w_all, owner_all = [], [], [], [], []
    resolved = {}
    worst = (0.0, "", 0.0)  # largest rounding error (ms), projection, delay
    for index, proj in enumerate(network.projections):
        syn = resolve(proj, seed)
        resolved[proj.name] = syn
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            steps = delay_steps(syn.delay, dt, owner=f"Projection {proj.name!r}") if syn.size else np.zeros(0, np.int64)
        if syn.size:
            error = np.abs(steps * dt - syn.delay)
            k = int(np.argmax(error))
            if error[k] > worst[0]:
                worst = (float(error[k]), proj.name, float(syn.delay[k]))
        if isinstance(proj.post.population.cell, DendriticNeuron):
            syn = Synapses(pre=syn.pre[:0], post=syn.post[:0], weight=syn.weight[:0], delay=syn.delay[:0])
            steps = steps[:0]  # synapses onto segments live in the dendrite table
        receptor = 0 if proj.receptor == "excitatory" else 1
        pre_all.append(syn.pre + offsets[proj.pre.name])
        tgt_all.append(receptor * n_dynamic + syn.post + offsets[proj.post.name])
        dly_all.append(steps)
        w_all.append(syn.weight)
        owner_all.append(np.full(syn.size, index, dtype=np.int64))
    if worst[0] > 1e-9 * max(1.0, worst[2]):
        warnings.warn(
            f"delays that are not multiples of dt = {dt} ms were rounded to the nearest step (halves up); "
            f"largest rounding error {worst[0]:.6g} ms (projection {worst[1]!r}, delay {worst[2]:.6g} ms)",
            RuntimeWarning,
            stacklevel=4,
        )
    cat = lambda parts, dtype: np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype)  # noqa: E731
    pre, target, delay = cat(pre_all, np.int64), cat(tgt_all, np.int64), cat(dly_all, np.int64)
    weight, owner = cat(w_all, np.float64), cat(owner_all, np.int64)
    order = np.lexsort((target, pre))  # by pre, then target (stable): the parallel send needs it
    row_ptr = np.zeros(n_total + 1, dtype=np.int64)
    np.cumsum(np.bincount(pre, minlength=n_total), out=row_ptr[1:])
    position = np.empty(order.size, dtype=np.int64)
    position[order] = np.arange(order.size)
    table = SynapseTable(
        row_ptr=row_ptr,
        target=np.ascontiguousarray(target[order].astype(np.int32)),
        delay=np.ascontiguousarray(delay[order].astype(np.int32)),
        weight=np.ascontiguousarray(weight[order]),
        max_delay=int(delay.max()) if delay.size else 1,
    )
    for index, proj in enumerate(network.projections):
        slots = position[owner == index]
        table.projection_slots[proj.name] = slots
        syn = resolved[proj.name]
        table.projection_pre_post[proj.name] = (syn.pre, syn.post)
    return table


def _plastic_table(network: Network, offsets: dict[str, int], n_total: int, synapses: SynapseTable) -> PlasticTable:
    plastic = [p for p in network.projections if p.plastic]
    P = len(plastic)
    fparams = np.zeros((max(P, 1), 6))
    iparams = np.zeros((max(P, 1), 6), dtype=np.int64)
    pre_ptr = np.zeros((max(P, 1), n_total + 1), dtype=np.int64)
    post_ptr = np.zeros((max(P, 1), n_total + 1), dtype=np.int64)
    pre_syn, pre_other, post_syn, post_other = [], [], [], []
    history = 1
    base_pre = base_post = 0
    for k, proj in enumerate(plastic):
        rule = proj.plasticity
        slots = synapses.projection_slots[proj.name]
        delays = synapses.delay[slots]
        if delays.size and delays.min() != delays.max():
            raise UnsupportedFeature(
                f"per-synapse (heterogeneous) delays on plastic projection {proj.name!r}", BACKEND
            )
        d = int(delays[0]) if delays.size else 1
        a_pre, a_post = {"dendritic": (0, d), "axonal": (d, 0), "none": (0, 0)}[rule.delay_convention]
        history = max(history, a_pre + 1, a_post + 1)
        a_plus, a_minus = rule.scaled_amplitudes
        fparams[k] = (rule.timing.tau_plus, rule.timing.tau_minus, a_plus, a_minus, rule.weight.w_min, rule.weight.w_max)
        iparams[k] = (
            int(type(rule.weight).__name__ == "Multiplicative"),
            int(rule.clipping == "per_event"),
            a_pre,
            a_post,
            int(rule.zero_lag == "potentiate"),
            int(rule.zero_lag == "depress"),
        )
        pre_local, post_local = synapses.projection_pre_post[proj.name]
        pre_g = pre_local + offsets[proj.pre.name]
        post_g = post_local + offsets[proj.post.name]
        by_pre = np.argsort(pre_g, kind="stable")
        by_post = np.argsort(post_g, kind="stable")
        pre_ptr[k, 1:] = base_pre + np.cumsum(np.bincount(pre_g, minlength=n_total))
        pre_ptr[k, 0] = base_pre
        post_ptr[k, 1:] = base_post + np.cumsum(np.bincount(post_g, minlength=n_total))
        post_ptr[k, 0] = base_post
        pre_syn.append(slots[by_pre])
        pre_other.append(post_g[by_pre])
        post_syn.append(slots[by_post])
        post_other.append(pre_g[by_post])
        base_pre += slots.size
        base_post += slots.size
    cat = lambda parts: np.concatenate(parts).astype(np.int64) if parts else np.zeros(0, np.int64)  # noqa: E731
    return PlasticTable(
        names=[p.name for p in plastic],
        fparams=fparams,
        iparams=iparams,
        pre_ptr=pre_ptr,
        pre_syn=cat(pre_syn),
        pre_other=cat(pre_other),
        post_ptr=post_ptr,
        post_syn=cat(post_syn),
        post_other=cat(post_other),
        history=history,
    )


def build_layout(network: Network, dt: float, numerics: str, seed: int) -> Layout:
    """Flatten ``network`` for the kernels at time step ``dt`` (ms)."""
    for pop in network.populations:
        if not isinstance(pop.cell, SUPPORTED_CELLS):
            raise UnsupportedFeature(f"cell type {type(pop.cell).__name__}", BACKEND)
    dendritic = dendritic_populations(network)
    dynamic = [p for p in network.populations if not is_source(p.cell) and p not in dendritic]
    sources = [p for p in network.populations if is_source(p.cell)]
    offsets, position = {}, 0
    for pop in dynamic + dendritic + sources:  # global ids: LIF cells, dendritic somata, sources
        offsets[pop.name] = position
        position += pop.size
    n_dynamic = sum(p.size for p in dynamic)
    n_total = position
    synapses = _synapse_table(network, offsets, n_dynamic, n_total, dt, seed)
    return Layout(
        dt=dt,
        numerics=numerics,
        n_dynamic=n_dynamic,
        n_total=n_total,
        offsets=offsets,
        sizes={p.name: p.size for p in network.populations},
        neurons=_neuron_table(network, dynamic, dt, numerics),
        synapses=synapses,
        plastic=_plastic_table(network, offsets, n_total, synapses),
        state_variables={p.name: p.cell.state_variables for p in network.populations},
        dendrites=build_dendrite_table(network, offsets, n_total, dt, seed),
    )


def source_spikes(
    network: Network, schedule: Schedule, layout: Layout, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """All source spikes of the run as a CSR by step: ``(ptr[n_steps + 1], global ids)``.

    Times are rounded to the nearest step (halves up). A neuron spikes at most once per step:
    duplicates are merged with one warning. Spikes at or after the end of the run are dropped.
    """
    dt = layout.dt
    starts = phase_steps(schedule, dt)
    n_steps = int(starts[-1])
    steps_parts, ids_parts = [], []

    def add(steps: np.ndarray, gids: np.ndarray) -> None:
        keep = (steps >= 0) & (steps < n_steps)
        steps_parts.append(steps[keep])
        ids_parts.append(gids[keep])

    for pop in network.populations:
        offset = layout.offsets[pop.name]
        if isinstance(pop.cell, SpikeSourceArray):
            add(_to_steps(pop.cell.times, dt), pop.cell.ids + offset)
        elif isinstance(pop.cell, SpikeSourcePoisson):
            steps, ids = _poisson(pop, dt, n_steps, seed)
            add(steps, ids + offset)
    for phase, start in zip(schedule.phases, starts[:-1]):
        for stimulus in phase.stimuli:
            add(_to_steps(stimulus.times, dt) + start, stimulus.ids + layout.offsets[stimulus.population])
    steps = np.concatenate(steps_parts) if steps_parts else np.zeros(0, np.int64)
    gids = np.concatenate(ids_parts) if ids_parts else np.zeros(0, np.int64)
    if steps.size:
        keys = steps * layout.n_total + gids
        unique = np.unique(keys)
        if unique.size != keys.size:
            warnings.warn(
                f"{keys.size - unique.size} source spikes fell into a step in which the same neuron "
                f"already spikes (dt = {dt} ms) and were merged",
                RuntimeWarning,
                stacklevel=3,
            )
        steps, gids = unique // layout.n_total, unique % layout.n_total
    ptr = np.zeros(n_steps + 1, dtype=np.int64)
    np.cumsum(np.bincount(steps, minlength=n_steps), out=ptr[1:])
    return ptr, gids.astype(np.int64)


def _to_steps(times_ms: np.ndarray, dt: float) -> np.ndarray:
    return np.floor(np.asarray(times_ms, dtype=np.float64) / dt + 0.5 + 1e-9).astype(np.int64)


def _poisson(pop, dt: float, n_steps: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    cell = pop.cell
    sequence = (
        np.random.SeedSequence(cell.seed) if cell.seed is not None else projection_seed(seed, "poisson:" + pop.name)
    )
    rng = np.random.Generator(np.random.PCG64(sequence))
    first = int(_to_steps(np.array([cell.start]), dt)[0])
    last = min(n_steps, int(_to_steps(np.array([cell.start + cell.duration]), dt)[0]))
    probability = -np.expm1(-per_neuron(cell.rate, pop.size) * dt * 1e-3)
    steps_parts, ids_parts = [], []
    chunk = max(1, 2**22 // pop.size)
    for begin in range(first, max(first, last), chunk):
        end = min(last, begin + chunk)
        hits = rng.random((end - begin, pop.size)) < probability
        rows, cols = np.nonzero(hits)
        steps_parts.append(rows + begin)
        ids_parts.append(cols)
    if not steps_parts:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate(steps_parts).astype(np.int64), np.concatenate(ids_parts).astype(np.int64)


def phase_steps(schedule: Schedule, dt: float) -> np.ndarray:
    """Start step of every phase, plus the total number of steps at the end."""
    lengths = [int(math.floor(p.duration / dt + 0.5 + 1e-9)) for p in schedule.phases]
    for phase, length in zip(schedule.phases, lengths):
        if length < 1:
            raise IRValidationError(f"Phase {phase.name!r}", "duration", phase.duration, f">= dt = {dt} ms")
    return np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
