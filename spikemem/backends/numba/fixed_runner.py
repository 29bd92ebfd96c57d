"""Run a network with the ``spinnaker-fixed`` numerics: flatten, convert to the board's integers,
run :func:`.fixed_kernels.run_fixed_steps`, assemble the Recording.

Plastic projections run sPyNNaker's deferred STDP update (:mod:`.fixed_stdp`).

Recording convention (the board's, which differs from the float engine's end-of-step samples):
the sample of tick ``t`` holds ``V`` at the *start* of tick ``t`` and ``isyn_exc``/``isyn_inh``
after tick ``t``'s arrivals were added and before they decay — what sPyNNaker's
``neuron_impl_do_timestep_update`` records. Values are exact multiples of 2^-15.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from ...ir import IF_curr_delta, IF_curr_exp, SpikeSourcePoisson
from ...ir.cells import is_source, per_neuron
from ...ir.connectivity import resolve
from ...ir.errors import IRValidationError, UnsupportedFeature
from ...ir.network import Network
from ...ir.record import RecordSpec
from ...ir.schedule import Schedule
from ...lowering import flatten, phase_infos, phase_steps, source_spikes, step_pointers
from ...results import Recording, SpikeTrains, StateTrace
from ..base import Compilation, Runnable
from ..options import CompileOptions, run_meta
from . import fixed_point as fp
from .fixed_kernels import run_fixed_steps
from .fixed_stdp import check_stdp, flushed_weights, stdp_tables
from .versions import versions

NUMERICS = "spinnaker-fixed"
CHUNK_TICKS = 20_000
"""Ticks per kernel call (the source-spike pointers are built for one call at a time)."""
_CONST_FIELDS = (
    "v_rest",
    "r_membrane",
    "exp_tc",
    "i_offset",
    "v_reset",
    "v_thresh",
    "t_refract",
    "decay_e",
    "init_e",
    "decay_i",
    "init_i",
    "delta",
    "scale_factor",
)


def check_fixed(network: Network) -> None:
    for pop in network.populations:
        if not (is_source(pop.cell) or isinstance(pop.cell, (IF_curr_exp, IF_curr_delta))):
            raise UnsupportedFeature(
                f"cell type {type(pop.cell).__name__} with numerics {NUMERICS!r}", "numba"
            )
    check_stdp(network)


def neuron_constants(network: Network, dt: float, scheme: str) -> dict[str, np.ndarray]:
    """The board constants of every dynamic neuron (network order), as int64 columns."""
    make = fp.lif_constants_host if scheme == "host" else fp.lif_constants
    rows = []
    v_init = []
    for pop in network.populations:
        if is_source(pop.cell):
            continue
        cell, n = pop.cell, pop.size
        delta = isinstance(cell, IF_curr_delta)
        p = {name: per_neuron(getattr(cell, name), n) for name in cell.parameter_names()}
        v0 = p["v_rest"] if cell.v_init is None else per_neuron(cell.v_init, n)
        names = sorted(p)
        cache: dict[tuple, tuple] = {}  # neurons with equal parameters share the conversion
        initial: dict[float, int] = {}  # and so do equal initial potentials
        for k in range(n):
            key = tuple(float(p[name][k]) for name in names)
            if key not in cache:
                try:
                    c = make({**dict(zip(names, key, strict=True)), "v_init": 0.0}, dt, delta=delta)
                except ValueError as error:  # a constant outside the board's fixed-point range
                    raise IRValidationError(
                        f"Population {pop.name!r}",
                        "cell parameters",
                        dict(zip(names, key, strict=True)),
                        f"values whose board constants fit sPyNNaker's fixed point at dt={dt} ms ({error})",
                    ) from None
                cache[key] = tuple(int(getattr(c, f)) for f in _CONST_FIELDS)
            rows.append(cache[key])
            value = float(v0[k])
            if value not in initial:
                initial[value] = fp.accum_bits(value, scheme)
            v_init.append(initial[value])
    table = np.array(rows, dtype=np.int64).reshape(len(rows), len(_CONST_FIELDS))
    out = {f: np.ascontiguousarray(table[:, k]) for k, f in enumerate(_CONST_FIELDS)}
    out["v_init"] = np.array(v_init, dtype=np.int64)
    return out


def kind_segments(consts: dict[str, np.ndarray], column_shift: np.ndarray) -> np.ndarray:
    """Rows ``(first, stop, delta, uniform)`` (int64): the runs of neurons with one synapse kind
    and, within them, the runs whose constants and ring-buffer shifts (``column_shift``, both
    receptors) are all equal (``uniform`` 1; the kernels then read them once)."""
    n_dyn = column_shift.size // 2
    columns = [consts[f] for f in _CONST_FIELDS] + [column_shift[:n_dyn], column_shift[n_dyn:]]
    table = np.stack(columns, axis=1)
    n = table.shape[0]
    if n == 0:
        return np.zeros((0, 4), np.int64)
    change = np.flatnonzero(np.any(table[1:] != table[:-1], axis=1)) + 1
    bounds = zip(np.concatenate([[0], change]), np.concatenate([change, [n]]), strict=True)
    rows = [(int(first), int(stop), int(consts["delta"][first]), 1) for first, stop in bounds]
    merged: list[list[int]] = []  # short runs of one kind join into one per-neuron run
    for first, stop, delta, _ in rows:
        short = stop - first < 64
        if short and merged and merged[-1][2] == delta and merged[-1][3] == 0:
            merged[-1][1] = stop
        else:
            merged.append([first, stop, delta, 0 if short else 1])
    return np.array(merged, dtype=np.int64).reshape(-1, 4)


def ring_buffer_shifts(network: Network, dt: float, seed: int) -> dict[tuple[str, str], int]:
    """sPyNNaker's left shift per (post population, receptor), from the synapses that arrive
    there (:class:`.fixed_point.IncomingStats`)."""
    stats: dict[tuple[str, str], fp.IncomingStats] = {}
    for pop in network.populations:
        if not is_source(pop.cell):
            for receptor in ("excitatory", "inhibitory"):
                stats[(pop.name, receptor)] = fp.IncomingStats()
    for proj in network.projections:
        syn = resolve(proj, seed)
        if not syn.size:
            continue
        pre_cell = proj.pre.population.cell if hasattr(proj.pre, "population") else proj.pre.cell
        if isinstance(pre_cell, SpikeSourcePoisson):
            rate = float(np.max(np.atleast_1d(pre_cell.rate)))
            per_tick = fp.poisson_spikes_per_tick(rate, dt)
            per_second = rate if rate > 0 else fp.DEFAULT_SPIKES_PER_SECOND
        else:
            per_tick = max(1.0, fp.DEFAULT_SPIKES_PER_SECOND / (1000.0 / dt))
            per_second = fp.DEFAULT_SPIKES_PER_SECOND
        weights = np.abs(syn.weight)
        w_mean, w_var, w_max = float(weights.mean()), float(weights.var()), float(weights.max())
        if proj.plastic:  # SynapseDynamicsSTDP: any weight may grow to the rule's w_max
            w_max = max(w_max, proj.plasticity.weight.w_max)
            w_mean, w_var = w_max, 0.0
        stats[(proj.post.name, proj.receptor)].add(
            n_conns=int(np.bincount(syn.post).max()),
            w_mean=w_mean,
            w_var=w_var,
            w_max=w_max,
            d_var=float(np.var(syn.delay)),
            spikes_per_tick=per_tick,
            spikes_per_second=per_second,
        )
    return {key: fp.ring_buffer_shift(s.max_weight(dt)) for key, s in stats.items()}


def run_fixed(
    network: Network,
    schedule: Schedule,
    dt: float,
    seed: int,
    record: RecordSpec,
    *,
    scheme: str = "host",
    shifts: dict[tuple[str, str], int] | None = None,
) -> Recording:
    """Run ``schedule`` with sPyNNaker's fixed-point arithmetic (see the module docstring).

    ``scheme`` picks how the host/core derive the constants (:data:`.fixed_point.SCHEMES`);
    ``shifts`` overrides the ring-buffer left shift of some (population, receptor) pairs.
    """
    if scheme not in fp.SCHEMES:
        raise ValueError(f"scheme {scheme!r}: one of {', '.join(fp.SCHEMES)}")
    started = time.perf_counter()
    check_fixed(network)
    flat = flatten(network, dt, "spinnaker", seed, backend="numba")
    n_dyn, n_total = flat.n_dynamic, flat.n_total
    consts = neuron_constants(network, dt, scheme)
    rb_shifts = ring_buffer_shifts(network, dt, seed)
    rb_shifts.update(shifts or {})
    column_shift = np.zeros(2 * n_dyn, dtype=np.int64)
    for (name, receptor), shift in rb_shifts.items():
        first = flat.offsets[name] + (0 if receptor == "excitatory" else n_dyn)
        column_shift[first : first + flat.sizes[name]] = shift
    syn = flat.synapses
    wint = np.zeros(syn.weight.size, dtype=np.int64)
    for column_value in np.unique(column_shift):
        mask = column_shift[syn.target] == column_value
        wint[mask] = fp.encode_weights(syn.weight[mask], int(column_value))
    starts = phase_steps(schedule, dt)
    n_steps = int(starts[-1])
    src_steps, src_gids = source_spikes(network, schedule, flat, seed)  # O(spikes)
    ring = np.zeros((syn.max_delay + 1, 2 * n_dyn), dtype=np.int64)
    state = (
        consts["v_init"].copy(),
        np.zeros(n_dyn, np.int64),
        np.zeros(n_dyn, np.int64),
        np.zeros(n_dyn, np.int64),
    )
    rec_ids, spans, column = [], [], 0
    for name, variables in record.state.items():
        if variables:
            size = flat.sizes[name]
            rec_ids.append(np.arange(size, dtype=np.int64) + flat.offsets[name])
            spans.append((name, column, size, tuple(variables)))
            column += size
    rec_ids_arr = np.concatenate(rec_ids) if rec_ids else np.zeros(0, np.int64)
    every = record.state_every
    n_samples_total = (n_steps + every - 1) // every if rec_ids_arr.size else 0
    buffers = [np.zeros((n_samples_total, rec_ids_arr.size), np.int64) for _ in range(3)]
    spk_step = np.zeros(max(4 * n_total, 1 << 16), np.int64)
    spk_id = np.zeros_like(spk_step)
    consts_tuple = tuple(np.ascontiguousarray(consts[f]) for f in _CONST_FIELDS)
    segments = kind_segments(consts, column_shift)
    synapses = (syn.row_ptr, syn.target.astype(np.int64), syn.delay.astype(np.int64), wint)
    tables = stdp_tables(network, flat, dt, n_steps)
    for index, phase in enumerate(schedule.phases):
        for k, name in enumerate(tables.names):
            if phase.plastic is not None and name not in phase.plastic:
                tables.learn_on[k, int(starts[index]) : int(starts[index + 1])] = 0
    stdp = tables.kernel_tuple()
    weight_scale = np.array([fp.weight_scale(int(k)) for k in column_shift], dtype=np.float64)
    setup_s = time.perf_counter() - started
    loop_started = time.perf_counter()
    t, n_spikes, n_samples = 0, 0, 0
    weights: dict[str, dict[str, np.ndarray]] = {}
    for index, phase in enumerate(schedule.phases):
        end = int(starts[index + 1])
        while t < end:
            stop = min(end, t + CHUNK_TICKS)
            src_ptr = step_pointers(src_steps, t, stop)  # this chunk's pointers only
            t, n_spikes, n_samples = run_fixed_steps(
                t,
                stop,
                consts_tuple,
                state,
                synapses,
                column_shift,
                ring,
                (src_ptr, src_gids, t),
                (spk_step, spk_id),
                n_spikes,
                (every, rec_ids_arr, buffers[0], buffers[1], buffers[2], n_samples),
                scheme != "host",
                stdp,
                segments,
            )
            if t < stop:  # spike buffer nearly full
                spk_step = np.concatenate([spk_step, np.zeros_like(spk_step)])
                spk_id = np.concatenate([spk_id, np.zeros_like(spk_id)])
        if record.weights and tables.names:
            shown = wint
            if record.weight_readout == "exact":  # apply the post spikes the next pre spike would
                shown = wint.copy()
                flushed_weights(stdp, *synapses, column_shift, end - 1, shown)
            weights[phase.name] = {
                name: shown[slots] / weight_scale[syn.target[slots]]
                for name, slots in ((n, syn.projection_slots[n]) for n in tables.names)
            }
    loop_s = time.perf_counter() - loop_started
    steps, gids = spk_step[:n_spikes], spk_id[:n_spikes]
    spikes = {}
    for name, size in flat.sizes.items():
        if record.spikes is not None and name not in record.spikes:
            continue
        offset = flat.offsets[name]
        mask = (gids >= offset) & (gids < offset + size)
        local_steps, local_ids = steps[mask], gids[mask] - offset
        order = np.lexsort((local_ids, local_steps))
        spikes[name] = SpikeTrains(steps=local_steps[order], ids=local_ids[order], dt=dt)
    names = ("v", "isyn_exc", "isyn_inh")
    sample_steps = np.arange(n_samples, dtype=np.int64) * every
    state_out = {}
    for name, first, count, variables in spans:
        values = {
            var: fp.to_float(buffers[names.index(var)][:n_samples, first : first + count])
            for var in variables
        }
        state_out[name] = StateTrace(
            steps=sample_steps, ids=np.arange(count, dtype=np.int64), values=values, dt=dt
        )
    options = CompileOptions(dt=dt, numerics=NUMERICS, seed=seed, record=record)  # checked by compile
    meta = run_meta(
        "numba",
        network,
        options,
        versions=versions(),
        n_steps=n_steps,
        timings={"setup_s": setup_s, "loop_s": loop_s},
        fixed_point_scheme=scheme,
        weight_readout=record.weight_readout,
        ring_buffer_shifts={f"{k[0]}:{k[1]}": int(v) for k, v in sorted(rb_shifts.items())},
    )
    return Recording(
        dt=dt,
        populations=dict(flat.sizes),
        spikes=spikes,
        state=state_out,
        weights=weights,
        phases=phase_infos(schedule, starts),
        meta=meta,
    )


class FixedRunnable(Runnable):
    """A network compiled for the ``spinnaker-fixed`` numerics of the Numba backend (one thread).

    ``scheme`` (the compile option ``fixed_point_scheme``, default ``"host"``) selects the
    generation of sPyNNaker's arithmetic (:data:`.fixed_point.SCHEMES`); ``shifts`` (attribute)
    overrides ring-buffer shifts (see :func:`run_fixed`).
    """

    backend = "numba"

    def __init__(
        self, compiled: Compilation, *, progress: bool | None, build_s: float, scheme: str = "host"
    ) -> None:
        super().__init__(compiled, progress=progress, build_s=build_s)
        check_fixed(self.network)
        self.scheme = scheme
        self.shifts: dict[tuple[str, str], int] | None = None

    def versions(self) -> dict[str, str]:
        """Versions of the software that produced a result."""
        return versions()

    def _execute(self, schedule: Schedule) -> Any:
        o = self.options
        return run_fixed(
            self.network, schedule, o.dt, o.seed, o.record, scheme=self.scheme, shifts=self.shifts
        )
