"""sPyNNaker's fixed-point STDP (spike-pair timing; additive or multiplicative weights).

The ``spinnaker-fixed`` numerics run plastic synapses the way sPyNNaker 7.x does on the ARM
cores; this module holds the host side (look-up tables, parameter encoding: numpy) and the
per-spike kernels (Numba) that :mod:`.fixed_kernels` calls. Rules, each from sPyNNaker's
published sources (read, not copied; ``docs/reference-engine.md`` cites them one by one):

- **Look-up tables** (host, ``spynnaker/pyNN/models/neuron/plasticity/stdp/common.py``
  ``get_exp_lut_array``): ``floor(e^(−k·dt/τ)·2^11)`` for ``k = 0 … size − 1``, ``size`` the
  smallest even number ``>= ln(2^11)·τ/dt``; ticks past the table give 0
  (``plasticity/stdp/maths.h`` ``maths_lut_exponential_decay``).
- **Traces** are int16 in s4.11 (``stdp_typedefs.h``, ``STDP_FIXED_POINT = 11``):
  ``trace ← (trace·lut[Δt]) >> 11 + 2^11`` at each spike, the product a 16×16 signed multiply
  (``maths.h`` ``maths_fixed_mul16``, ``STDP_FIXED_MUL_16X16``); pre traces per presynaptic
  neuron (``timing_pair_impl.h`` ``timing_add_pre_spike``), post traces in each postsynaptic
  neuron's history of its last 15 spikes (``timing_add_post_spike``,
  ``post_events.h`` ``post_events_add``).
- **Deferred update** (``synapse_dynamics_stdp_mad_impl.c`` ``plasticity_update_synapse``): a
  synapse changes only when its presynaptic spike at tick ``t`` is processed (last one at
  ``t_l``; dendritic delay ``d``): every post spike ``q`` with ``t_l − d < q <= t − d``
  (``post_events_get_window_delayed``) potentiates by ``(r·lut₊[q + d − t_l]) >> 11``, ``r`` the
  pre trace of ``t_l`` (``timing_apply_post_spike``, only when ``q + d − t_l > 0``); then, if a
  post spike ever happened, the latest one ``q*`` (``q* <= t − d``) depresses by
  ``(o·lut₋[t − q* − d]) >> 11``, ``o`` its trace (``timing_apply_pre_spike``).
- **Weights** are s16.15 during the update: ``w = w16 << shift`` (the ring-buffer shift of the
  synapse type; ``weight_additive_one_term_impl.h`` / ``weight_multiplicative_impl.h``
  ``weight_get_initial``), written back as ``w >> shift`` (16 bits, ``weight_get_final``).
  Additive: ``w ± A·(Δ << 4)`` then clipped to ``[w_min, w_max]``; multiplicative:
  ``w + ((w_max − w)·A₊)·(Δ << 4)``, ``w − ((w − w_min)·A₋)·(Δ << 4)``, unclipped
  (``mul_accum_fixed`` in ``stdp_typedefs.h``); every ``accum`` product is GCC's plain
  ``*`` (64-bit product >> 15, floor), ``A±``, ``w_min``, ``w_max`` as s16.15.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numba import njit

from ...ir import Multiplicative
from ...ir.errors import UnsupportedFeature
from ...ir.network import Network
from . import fixed_point as fp

STDP_ONE = 1 << 11
"""1.0 in the s4.11 format of STDP traces and decays (``STDP_FIXED_POINT_ONE``)."""
MAX_POST_EVENTS = 16
"""Entries of a neuron's post-spike history (sPyNNaker's ``MAX_POST_SYNAPTIC_EVENTS``): entry 0
is a placeholder at time 0, so 15 spikes fit; with the history full, the oldest spike is
dropped (``post_events.h`` ``post_events_add``)."""
_M32 = 0xFFFFFFFF
NUMERICS = "spinnaker-fixed"


def exp_lut(dt: float, tau: float) -> np.ndarray:
    """The board's decay table ``floor(e^(−k·dt/τ)·2^11)`` (int64; see the module docstring).

    Parameters
    ----------
    dt : float
        Time step (ms).
    tau : float
        Time constant (ms).
    """
    step = dt / float(tau)
    half, rest = divmod(math.log(STDP_ONE) / step, 2)
    size = (int(half) + (rest > 0)) * 2
    return np.floor(np.exp(np.arange(size) * -step) * STDP_ONE).astype(np.int64)


def check_stdp(network: Network) -> None:
    """Raise :class:`UnsupportedFeature` for plastic projections whose conventions sPyNNaker's
    rule does not have (it is dendritic, depresses at zero lag and clips per event)."""
    for proj in network.projections:
        if not proj.plastic:
            continue
        rule = proj.plasticity
        wanted = {"delay_convention": "dendritic", "zero_lag": "depress", "clipping": "per_event"}
        for name, value in wanted.items():
            if getattr(rule, name) != value:
                raise UnsupportedFeature(
                    f"STDP {name}={getattr(rule, name)!r} (projection {proj.name!r}) with numerics "
                    f"{NUMERICS!r}: sPyNNaker's rule has {name}={value!r}",
                    "numba",
                )


@dataclass(frozen=True)
class StdpTables:
    """The board's STDP constants of every plastic projection (row ``p``) and its state.

    ``lut_plus``/``lut_minus`` (padded, lengths in ``n_plus``/``n_minus``); ``params[p]``:
    A₊, A₋, w_min, w_max as s16.15 bits and 1 for multiplicative; ``syn_proj[e]``: the plastic
    projection of synapse ``e`` or −1; ``learn_on[p, t]``: 1 where a schedule phase lets
    projection ``p`` learn at tick ``t`` (set by the runner). State: ``pre_time``/``pre_trace``
    per (p, neuron), ``post_time``/``post_trace`` (p, post, :data:`MAX_POST_EVENTS`) with
    ``post_last`` the index of the newest entry (entry 0 starts as the empty sentinel ``(0, 0)``).
    """

    names: tuple[str, ...]
    lut_plus: np.ndarray
    n_plus: np.ndarray
    lut_minus: np.ndarray
    n_minus: np.ndarray
    params: np.ndarray
    syn_proj: np.ndarray
    learn_on: np.ndarray
    pre_time: np.ndarray
    pre_trace: np.ndarray
    post_time: np.ndarray
    post_trace: np.ndarray
    post_last: np.ndarray

    def kernel_tuple(self) -> tuple:
        """The arrays in the order the kernels take them."""
        return (
            self.lut_plus,
            self.n_plus,
            self.lut_minus,
            self.n_minus,
            self.params,
            self.syn_proj,
            self.learn_on,
            self.pre_time,
            self.pre_trace,
            self.post_time,
            self.post_trace,
            self.post_last,
        )


def stdp_tables(network: Network, flat, dt: float, n_steps: int) -> StdpTables:
    """Host-side encoding of every plastic projection (order of ``network.projections``) for a
    run of ``n_steps`` ticks (learning on everywhere until the runner says otherwise)."""
    plastic = [p for p in network.projections if p.plastic]
    n_p, n_syn = len(plastic), flat.synapses.weight.size
    luts_plus = [exp_lut(dt, p.plasticity.timing.tau_plus) for p in plastic]
    luts_minus = [exp_lut(dt, p.plasticity.timing.tau_minus) for p in plastic]
    width = max([1] + [lut.size for lut in luts_plus + luts_minus])
    lut_plus = np.zeros((n_p, width), np.int64)
    lut_minus = np.zeros((n_p, width), np.int64)
    params = np.zeros((n_p, 5), np.int64)
    syn_proj = np.full(n_syn, -1, np.int64)
    for k, proj in enumerate(plastic):
        lut_plus[k, : luts_plus[k].size] = luts_plus[k]
        lut_minus[k, : luts_minus[k].size] = luts_minus[k]
        rule = proj.plasticity
        a_plus, a_minus = rule.scaled_amplitudes
        multiplicative = isinstance(rule.weight, Multiplicative)
        params[k] = (
            fp.s1615(a_plus),
            fp.s1615(a_minus),
            fp.s1615(rule.weight.w_min),
            fp.s1615(rule.weight.w_max),
            int(multiplicative),
        )
        syn_proj[flat.synapses.projection_slots[proj.name]] = k
    n_total, n_dyn = flat.n_total, flat.n_dynamic
    return StdpTables(
        names=tuple(p.name for p in plastic),
        lut_plus=lut_plus,
        n_plus=np.array([lut.size for lut in luts_plus], np.int64),
        lut_minus=lut_minus,
        n_minus=np.array([lut.size for lut in luts_minus], np.int64),
        params=params,
        syn_proj=syn_proj,
        learn_on=np.ones((n_p, max(n_steps, 1)), np.int8),
        pre_time=np.zeros((n_p, n_total), np.int64),
        pre_trace=np.zeros((n_p, n_total), np.int64),
        post_time=np.zeros((n_p, n_dyn, MAX_POST_EVENTS), np.int64),
        post_trace=np.zeros((n_p, n_dyn, MAX_POST_EVENTS), np.int64),
        post_last=np.zeros((n_p, n_dyn), np.int64),
    )


# -- kernels ------------------------------------------------------------------------------------


@njit(cache=True, inline="always")
def _w32(x):
    return ((x + 2147483648) & 0xFFFFFFFF) - 2147483648


@njit(cache=True, inline="always")
def _s16(x):
    """The low 16 bits as a signed int16 (C's conversion to ``int16_t``)."""
    return ((x + 32768) & 0xFFFF) - 32768


@njit(cache=True, inline="always")
def _mul16(a, b):
    """``STDP_FIXED_MUL_16X16``: signed 16×16 product of the low halves (``__smulbb``), >> 11."""
    return (_s16(a) * _s16(b)) >> 11


@njit(cache=True, inline="always")
def _lut(table, size, p, ticks):
    """``maths_lut_exponential_decay``: the entry for a uint32 tick difference, 0 past the end."""
    k = ticks & 0xFFFFFFFF
    return table[p, k] if k < size[p] else 0


@njit(cache=True, inline="always")
def _mul_k(a, b):
    """accum × accum with GCC's plain ``*``: the 64-bit product >> 15 (floor), wrapped."""
    return _w32((a * b) >> 15)


@njit(cache=True, inline="always")
def _mul_fixed(a, stdp_fixed):
    """``mul_accum_fixed``: an accum times an s4.11 value (shifted left by 4 into s16.15)."""
    return _mul_k(a, _w32(stdp_fixed << 4))


@njit(cache=True, inline="always")
def _potentiate(w, decayed, par):
    a_plus, w_max = par[0], par[3]
    if par[4] == 1:
        return _w32(w + _mul_fixed(_mul_k(_w32(w_max - w), a_plus), decayed))
    w = _w32(w + _mul_fixed(a_plus, decayed))
    return w if w < w_max else w_max


@njit(cache=True, inline="always")
def _depress(w, decayed, par):
    a_minus, w_min = par[1], par[2]
    if par[4] == 1:
        return _w32(w - _mul_fixed(_mul_k(_w32(w - w_min), a_minus), decayed))
    w = _w32(w - _mul_fixed(a_minus, decayed))
    return w if w > w_min else w_min


@njit(cache=True)
def post_spike(stdp, j, t):
    """Neuron ``j`` fired at tick ``t``: a new entry in its post history for every plastic
    projection (``synapse_dynamics_process_post_synaptic_event``, ``post_events_add``)."""
    _lp, _np, lut_minus, n_minus, _par, _sp, _en, _pt, _ptr, post_time, post_trace, post_last = stdp
    for p in range(post_last.shape[0]):
        c = post_last[p, j]
        decayed = _s16(_mul16(post_trace[p, j, c], _lut(lut_minus, n_minus, p, t - post_time[p, j, c])))
        trace = _s16(decayed + 2048)
        if c < post_time.shape[2] - 1:
            c += 1
            post_last[p, j] = c
        else:  # full: shuffle down, dropping the oldest event (entry 0, time 0, stays)
            for k in range(2, post_time.shape[2]):
                post_time[p, j, k - 1] = post_time[p, j, k]
                post_trace[p, j, k - 1] = post_trace[p, j, k]
        post_time[p, j, c] = t
        post_trace[p, j, c] = trace


@njit(cache=True)
def pre_spike(stdp, i, t, last_time, last_trace):
    """Neuron ``i`` fired at tick ``t``: keep its previous pre time/trace per projection in
    ``last_time``/``last_trace`` and advance its pre trace (``timing_add_pre_spike``)."""
    lut_plus, n_plus, _lm, _nm, _par, _sp, _en, pre_time, pre_trace, _pt, _ptr, _pl = stdp
    for p in range(pre_time.shape[0]):
        last_time[p] = pre_time[p, i]
        last_trace[p] = pre_trace[p, i]
        decayed = _mul16(last_trace[p], _lut(lut_plus, n_plus, p, t - last_time[p]))
        pre_trace[p, i] = _s16(decayed + 2048)
        pre_time[p, i] = t


@njit(cache=True)
def update_synapse(stdp, p, j, t, d, last_t, last_tr, w16, shift, depress):
    """The 16-bit weight of a synapse of projection ``p`` onto ``j`` (dendritic delay ``d``
    ticks) after the deferred update for a pre spike at ``t`` (previous one at ``last_t`` with
    trace ``last_tr``). ``depress=False`` applies only the post events (the flush of
    :func:`flushed_weights`). Each event changes the weight only where ``learn_on`` allows it
    (its arrival tick: ``q + d`` for a post spike, ``t`` for the pre spike), as in the float
    engine; the window is consumed either way."""
    (
        lut_plus,
        n_plus,
        lut_minus,
        n_minus,
        params,
        _sp,
        learn_on,
        _pt,
        _ptr,
        post_time,
        post_trace,
        post_last,
    ) = stdp
    par = params[p]
    w = _w32(w16 << shift)
    begin = last_t - d if last_t >= d else 0
    end = t - d if t >= d else 0
    c = post_last[p, j]
    # post_events_get_window_delayed: walk back from the newest entry
    ev = c + 1
    end_ev = c + 1
    while True:
        if ev <= c and post_time[p, j, ev] > end:
            end_ev = ev
        first = ev
        ev -= 1
        if not (post_time[p, j, ev] > begin and ev != 0):
            break
    prev_time = post_time[p, j, ev]
    prev_trace = post_trace[p, j, ev]
    valid = ev != 0
    for q in range(first, end_ev):
        arrival = post_time[p, j, q] + d
        since = (arrival - last_t) & 0xFFFFFFFF
        if since > 0 and learn_on[p, arrival] == 1:
            w = _potentiate(w, _mul16(last_tr, _lut(lut_plus, n_plus, p, since)), par)
        prev_time = post_time[p, j, q]
        prev_trace = post_trace[p, j, q]
        valid = True
    if depress and valid and learn_on[p, t] == 1:
        since = (t - (prev_time + d)) & 0xFFFFFFFF
        w = _depress(w, _mul16(prev_trace, _lut(lut_minus, n_minus, p, since)), par)
    return (w >> shift) & 0xFFFF


@njit(cache=True)
def flushed_weights(stdp, row_ptr, target, delay, wint, shifts, t_last, out):
    """``out[e]``: the weight of every plastic synapse with the post spikes that arrived by tick
    ``t_last`` applied (potentiation only; what the next pre spike would start from)."""
    _lp, _np, _lm, _nm, _par, syn_proj, _en, pre_time, pre_trace, _pt, _ptr, _pl = stdp
    n_dyn = shifts.size // 2
    for i in range(row_ptr.size - 1):
        for e in range(row_ptr[i], row_ptr[i + 1]):
            p = syn_proj[e]
            if p < 0:
                continue
            col = target[e]
            out[e] = update_synapse(
                stdp,
                p,
                col % n_dyn,
                t_last,
                delay[e],
                pre_time[p, i],
                pre_trace[p, i],
                wint[e],
                shifts[col],
                False,
            )
