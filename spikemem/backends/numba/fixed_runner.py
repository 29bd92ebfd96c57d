"""Run a network with the ``spinnaker-fixed`` numerics: flatten, convert to the board's integers,
run :func:`.fixed_kernels.run_fixed_steps`, assemble the Recording.

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
from ...lowering import flatten, phase_infos, phase_steps, source_spike_table
from ...results import Recording, SpikeTrains, StateTrace
from ..base import Compilation, Runnable
from ..options import CompileOptions, run_meta
from . import fixed_point as fp
from .fixed_kernels import run_fixed_steps
from .versions import versions

NUMERICS = "spinnaker-fixed"
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
    for proj in network.projections:
        if proj.plastic:
            raise UnsupportedFeature(f"STDP (projection {proj.name!r}) with numerics {NUMERICS!r}", "numba")


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
        p["v_init"] = p["v_rest"] if cell.v_init is None else per_neuron(cell.v_init, n)
        names = sorted(p)
        cache: dict[tuple, tuple] = {}  # neurons with equal parameters share the conversion
        for k in range(n):
            key = tuple(float(p[name][k]) for name in names)
            if key not in cache:
                try:
                    c = make(dict(zip(names, key, strict=True)), dt, delta=delta)
                except ValueError as error:  # a constant outside the board's fixed-point range
                    raise IRValidationError(
                        f"Population {pop.name!r}",
                        "cell parameters",
                        dict(zip(names, key, strict=True)),
                        f"values whose board constants fit sPyNNaker's fixed point at dt={dt} ms ({error})",
                    ) from None
                cache[key] = (tuple(int(getattr(c, f)) for f in _CONST_FIELDS), c.v_init)
            row, v0 = cache[key]
            rows.append(row)
            v_init.append(v0)
    table = np.array(rows, dtype=np.int64).reshape(len(rows), len(_CONST_FIELDS))
    out = {f: np.ascontiguousarray(table[:, k]) for k, f in enumerate(_CONST_FIELDS)}
    out["v_init"] = np.array(v_init, dtype=np.int64)
    return out


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
        stats[(proj.post.name, proj.receptor)].add(
            n_conns=int(np.bincount(syn.post).max()),
            w_mean=float(weights.mean()),
            w_var=float(weights.var()),
            w_max=float(weights.max()),
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
    src_ptr, src_gids = source_spike_table(network, schedule, flat, seed)
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
    synapses = (syn.row_ptr, syn.target.astype(np.int64), syn.delay.astype(np.int64), wint)
    setup_s = time.perf_counter() - started
    loop_started = time.perf_counter()
    t, n_spikes, n_samples = 0, 0, 0
    while t < n_steps:
        t, n_spikes, n_samples = run_fixed_steps(
            t,
            n_steps,
            consts_tuple,
            state,
            synapses,
            column_shift,
            ring,
            (src_ptr, src_gids),
            (spk_step, spk_id),
            n_spikes,
            (every, rec_ids_arr, buffers[0], buffers[1], buffers[2], n_samples),
            scheme != "host",
        )
        if t < n_steps:  # spike buffer nearly full
            spk_step = np.concatenate([spk_step, np.zeros_like(spk_step)])
            spk_id = np.concatenate([spk_id, np.zeros_like(spk_id)])
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
        ring_buffer_shifts={f"{k[0]}:{k[1]}": int(v) for k, v in sorted(rb_shifts.items())},
    )
    return Recording(
        dt=dt,
        populations=dict(flat.sizes),
        spikes=spikes,
        state=state_out,
        weights={},
        phases=phase_infos(schedule, starts),
        meta=meta,
    )


class FixedRunnable(Runnable):
    """A network compiled for the ``spinnaker-fixed`` numerics of the Numba backend (one thread).

    ``scheme`` (attribute, default ``"host"``) selects the generation of sPyNNaker's arithmetic
    (:data:`.fixed_point.SCHEMES`); ``shifts`` overrides ring-buffer shifts (see :func:`run_fixed`).
    """

    backend = "numba"

    def __init__(self, compiled: Compilation, *, progress: bool | None, build_s: float) -> None:
        super().__init__(compiled, progress=progress, build_s=build_s)
        check_fixed(self.network)
        self.scheme = "host"
        self.shifts: dict[tuple[str, str], int] | None = None

    def versions(self) -> dict[str, str]:
        """Versions of the software that produced a result."""
        return versions()

    def _execute(self, schedule: Schedule) -> Any:
        o = self.options
        return run_fixed(
            self.network, schedule, o.dt, o.seed, o.record, scheme=self.scheme, shifts=self.shifts
        )
