"""The ``spinnaker-fixed`` step loop: sPyNNaker's per-tick neuron update in integer arithmetic.

All state is held as the integer bits the ARM core holds (int64 containers, wrapped to int32
where C wraps): ``V`` and the synaptic inputs as s16.15 ``accum``, decays as u0.32, the ring
buffer as saturating 16-bit words. Per tick ``t`` and neuron, in the board's order
(``neuron.c`` ``neuron_transfer``, ``neuron_impl_standard.h``
``neuron_impl_do_timestep_update``):

1. **transfer** the ring-buffer words of slot ``t`` (``word << shift`` as s16.15); exponential
   synapses add ``decay_s1615(input, init)``, delta synapses add the input itself;
2. **record** ``V`` (its value at the start of the tick) and the synaptic inputs;
3. **update** (refractory counter ``<= 0``): ``I = exc − inh + I_offset`` (delta input first
   multiplied by ``1/dt``), ``alpha = I·R + V_rest``, ``V = alpha − exp_TC·(alpha − V)``, the
   products floored (GCC ``*``, sPyNNaker8 era) or rounded to nearest, ties up
   (``MULT_ROUND_NEAREST_ACCUM``, 7.x); otherwise the counter decrements;
4. **threshold** ``V >= V_thresh`` (bit compare): spike, ``V = V_reset``, counter ``= T_refract``;
5. **shape** the inputs: ``decay_s1615(I_syn, decay)`` (exponential) or 0 (delta).

Then the tick's source spikes join, and every spike adds its 16-bit weights to slot ``t + d``,
saturating at 0xFFFF (``synapses.c`` ``process_fixed_synapses``). With STDP (:mod:`.fixed_stdp`)
a neuron's spike in step 4 enters its post history, and a spike's plastic synapses are updated
(sPyNNaker's deferred update) just before their new weights are added.

Speed (no effect on the result: every neuron's update reads only its own state): the neurons
run in runs of one synapse kind (``segments``, :func:`.fixed_runner.kind_segments`), so the
per-neuron loops carry no type branch and vectorise; steps 1 and 3-5 share one pass except on
sampled ticks; a run of at least 64 neurons with equal constants reads them once; the fired
neurons are collected after the pass.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .fixed_stdp import post_spike, pre_spike, update_synapse

_I32_MIN = -(2**31)
_I32_MAX = 2**31 - 1


@njit(cache=True, inline="always")
def _w32(x):
    """Wrap to int32 (two's complement), as C's non-saturating ``accum`` arithmetic does."""
    return ((x + 2147483648) & 0xFFFFFFFF) - 2147483648


@njit(cache=True, inline="always")
def _mul_nearest(x, y):
    """accum × accum rounded to nearest, ties up (spinn_common ``__stdfix_smul_k_round_nearest``
    and libgcc's ``__mulsa3``), saturated to int32."""
    if x == _I32_MIN and y == _I32_MIN:
        return _I32_MAX
    p = x * y
    r = (p >> 15) + ((p >> 14) & 1)
    if r > _I32_MAX:
        return _I32_MAX
    if r < _I32_MIN:
        return _I32_MIN
    return r


@njit(cache=True, inline="always")
def _mul_floor(x, y):
    """accum × accum as GCC's plain ``*`` compiled for the sPyNNaker8-era cores: the 64-bit
    product shifted right by 15 (arithmetic: floor), wrapped to int32."""
    return _w32((x * y) >> 15)


@njit(cache=True, inline="always")
def _mul(x, y, nearest):
    return _mul_nearest(x, y) if nearest else _mul_floor(x, y)


@njit(cache=True, inline="always")
def _decay(x, d):
    """``decay_s1615``: (s64 x · u32 d) >> 32, arithmetic shift."""
    return _w32((x * d) >> 32)


# The per-neuron loops work on slices that start at 0, so that LLVM vectorises them.


@njit(cache=True)
def _transfer_exp(first, stop, slot, ring, shifts, ie, ii, ini_e, ini_i):
    """Step 1 for exponential synapses: ``I += decay_s1615(word << shift, init)``."""
    n_dyn = ie.size
    we, wi = ring[slot, first:stop], ring[slot, n_dyn + first : n_dyn + stop]
    se, si = shifts[first:stop], shifts[n_dyn + first : n_dyn + stop]
    e, i, ke, ki = ie[first:stop], ii[first:stop], ini_e[first:stop], ini_i[first:stop]
    for k in range(stop - first):
        e[k] = _w32(e[k] + _decay(_w32(we[k] << se[k]), ke[k]))
        i[k] = _w32(i[k] + _decay(_w32(wi[k] << si[k]), ki[k]))
        we[k] = 0
        wi[k] = 0


@njit(cache=True)
def _transfer_delta(first, stop, slot, ring, shifts, ie, ii):
    """Step 1 for delta synapses: ``I += word << shift``."""
    n_dyn = ie.size
    we, wi = ring[slot, first:stop], ring[slot, n_dyn + first : n_dyn + stop]
    se, si = shifts[first:stop], shifts[n_dyn + first : n_dyn + stop]
    e, i = ie[first:stop], ii[first:stop]
    for k in range(stop - first):
        e[k] = _w32(e[k] + _w32(we[k] << se[k]))
        i[k] = _w32(i[k] + _w32(wi[k] << si[k]))
        we[k] = 0
        wi[k] = 0


@njit(cache=True, inline="always")
def _lif_exp(k, exc, inh, v, refc, f, c, nearest):
    """Steps 3-4 of entry ``k`` with the scalar constants ``c``; returns the decayed inputs."""
    v_rest, r_mem, exp_tc, i_off, v_reset, v_thresh, t_ref, dec_e, dec_i = c
    total = _w32(_w32(exc - inh) + i_off)
    alpha = _w32(_mul(total, r_mem, nearest) + v_rest)
    active = refc[k] <= 0
    vk = _w32(alpha - _mul(exp_tc, _w32(alpha - v[k]), nearest)) if active else v[k]
    rc = refc[k] if active else refc[k] - 1
    spike = vk >= v_thresh
    v[k] = v_reset if spike else vk
    refc[k] = t_ref if spike else rc
    f[k] = spike
    return _decay(exc, dec_e), _decay(inh, dec_i)


@njit(cache=True)
def _update_exp(first, stop, consts, state, fired, nearest, transfer, slot, ring, shifts, uniform):
    """Steps 3-5 for exponential synapses: update, threshold, ``I = decay_s1615(I, decay)``;
    with ``transfer``, step 1 (:func:`_transfer_exp`) first, in the same pass. ``uniform``:
    every neuron of the run has the constants and ring-buffer shifts of the first (read once)."""
    v, ie, ii, refc = state[0][first:stop], state[1][first:stop], state[2][first:stop], state[3][first:stop]
    n_dyn = state[0].size
    we, wi = ring[slot, first:stop], ring[slot, n_dyn + first : n_dyn + stop]
    se, si = shifts[first:stop], shifts[n_dyn + first : n_dyn + stop]
    ke, ki = consts[8][first:stop], consts[10][first:stop]
    f = fired[first:stop]
    if uniform:
        c = (
            consts[0][first],
            consts[1][first],
            consts[2][first],
            consts[3][first],
            consts[4][first],
            consts[5][first],
            consts[6][first],
            consts[7][first],
            consts[9][first],
        )
        ke0, ki0, se0, si0 = consts[8][first], consts[10][first], shifts[first], shifts[n_dyn + first]
        for k in range(stop - first):
            exc, inh = ie[k], ii[k]
            if transfer:
                exc = _w32(exc + _decay(_w32(we[k] << se0), ke0))
                inh = _w32(inh + _decay(_w32(wi[k] << si0), ki0))
                we[k] = 0
                wi[k] = 0
            ie[k], ii[k] = _lif_exp(k, exc, inh, v, refc, f, c, nearest)
        return
    for k in range(stop - first):
        exc, inh = ie[k], ii[k]
        if transfer:
            exc = _w32(exc + _decay(_w32(we[k] << se[k]), ke[k]))
            inh = _w32(inh + _decay(_w32(wi[k] << si[k]), ki[k]))
            we[k] = 0
            wi[k] = 0
        j = first + k
        c = (
            consts[0][j],
            consts[1][j],
            consts[2][j],
            consts[3][j],
            consts[4][j],
            consts[5][j],
            consts[6][j],
            consts[7][j],
            consts[9][j],
        )
        ie[k], ii[k] = _lif_exp(k, exc, inh, v, refc, f, c, nearest)


@njit(cache=True)
def _update_delta(first, stop, consts, state, fired, nearest):
    """Steps 3-5 for delta synapses: the input times ``1/dt`` (plain ``*``,
    ``input_type_delta.h``), update, threshold, ``I = 0``."""
    v_rest, r_mem, exp_tc = consts[0][first:stop], consts[1][first:stop], consts[2][first:stop]
    i_off, v_reset, v_thresh = consts[3][first:stop], consts[4][first:stop], consts[5][first:stop]
    t_ref, scale = consts[6][first:stop], consts[12][first:stop]
    v, ie, ii, refc = state[0][first:stop], state[1][first:stop], state[2][first:stop], state[3][first:stop]
    f = fired[first:stop]
    for k in range(stop - first):
        total = _w32(_w32(_mul_floor(ie[k], scale[k]) - _mul_floor(ii[k], scale[k])) + i_off[k])
        alpha = _w32(_mul(total, r_mem[k], nearest) + v_rest[k])
        active = refc[k] <= 0
        vk = _w32(alpha - _mul(exp_tc[k], _w32(alpha - v[k]), nearest)) if active else v[k]
        rc = refc[k] if active else refc[k] - 1
        spike = vk >= v_thresh[k]
        v[k] = v_reset[k] if spike else vk
        refc[k] = t_ref[k] if spike else rc
        f[k] = spike
        ie[k] = 0
        ii[k] = 0


@njit(cache=True)
def _send(slot, spiked, count, synapses, ring):
    """Every spike adds its 16-bit weights to slot ``t + d``, saturating at 0xFFFF."""
    row_ptr, target, delay, wint = synapses
    n_slots = ring.shape[0]
    for k in range(count):
        s = spiked[k]
        for e in range(row_ptr[s], row_ptr[s + 1]):
            arrival = slot + delay[e]
            if arrival >= n_slots:
                arrival -= n_slots
            acc = ring[arrival, target[e]] + wint[e]
            ring[arrival, target[e]] = acc if acc < 0x10000 else 0xFFFF


@njit(cache=True)
def _learn_and_send(t, slot, spiked, count, synapses, shifts, ring, stdp, last_time, last_trace):
    """:func:`_send` with sPyNNaker's deferred STDP update of each plastic synapse first."""
    row_ptr, target, delay, wint = synapses
    syn_proj = stdp[5]
    n_slots = ring.shape[0]
    n_dyn = shifts.size // 2
    for k in range(count):
        s = spiked[k]
        pre_spike(stdp, s, t, last_time, last_trace)
        for e in range(row_ptr[s], row_ptr[s + 1]):
            p = syn_proj[e]
            col = target[e]
            if p >= 0:
                wint[e] = update_synapse(
                    stdp, p, col % n_dyn, t, delay[e], last_time[p], last_trace[p], wint[e], shifts[col], True
                )
            arrival = slot + delay[e]
            if arrival >= n_slots:
                arrival -= n_slots
            acc = ring[arrival, col] + wint[e]
            ring[arrival, col] = acc if acc < 0x10000 else 0xFFFF


@njit(cache=True)
def run_fixed_steps(
    t_begin,
    t_end,
    consts,
    state,
    synapses,
    shifts,
    ring,
    sources,
    spike_buf,
    n_spikes,
    record,
    nearest,
    stdp,
    segments,
):
    """Advance from tick ``t_begin`` to ``t_end``; return ``(t_reached, n_spikes, n_samples)``.

    ``consts`` (int64 arrays, one entry per dynamic neuron): v_rest, r_membrane, exp_tc,
    i_offset, v_reset, v_thresh, t_refract, decay_e, init_e, decay_i, init_i, delta (0/1),
    scale_factor. ``state``: v, isyn_e, isyn_i, refract_timer. ``synapses``: CSR by presynaptic
    global id (row_ptr, target column ``receptor·n_dyn + post``, delay in ticks, 16-bit weight).
    ``sources``: ``(ptr, ids, first)``, the source spikes of tick ``t`` being
    ``ids[ptr[t - first] : ptr[t - first + 1]]``.
    ``shifts[column]``: the ring-buffer left shift of the column's synapse type. ``nearest``:
    the membrane products round to nearest (``MULT_ROUND_NEAREST_ACCUM``, sPyNNaker 7.x) instead
    of flooring (GCC's plain ``accum * accum``, the sPyNNaker8 era). ``stdp``:
    :meth:`.fixed_stdp.StdpTables.kernel_tuple` (no plastic projection: zero rows); plastic
    weights in ``wint`` change in place. ``segments``: rows ``(first, stop, delta)`` covering
    the dynamic neurons in runs of one synapse kind (1: delta, 0: exponential).
    """
    ini_e, ini_i = consts[8], consts[10]
    v, ie, ii, refc = state
    row_ptr = synapses[0]
    src_ptr, src_ids, src_first = sources  # pointers of ticks src_first .. t_end only
    spk_step, spk_id = spike_buf
    rec_every, rec_ids, rec_v, rec_e, rec_i, n_samples = record
    n_dyn = v.size
    n_slots = ring.shape[0]
    n_total = row_ptr.size - 1
    capacity = spk_step.size
    n_plastic = stdp[4].shape[0]
    last_time = np.zeros(n_plastic, dtype=np.int64)
    last_trace = np.zeros(n_plastic, dtype=np.int64)
    spiked = np.empty(n_total, dtype=np.int64)
    fired = np.zeros(n_dyn, dtype=np.bool_)
    t = t_begin
    while t < t_end:
        if n_spikes + n_total > capacity:
            break
        slot = t % n_slots
        sampling = rec_ids.size > 0 and t % rec_every == 0
        # 1: transfer; 2: record (V at the start of the tick, inputs after the transfer);
        # 3-5: update, threshold, shape. Exponential runs do 1 and 3-5 in one pass unless
        # this tick is sampled.
        for g in range(segments.shape[0]):  # runs of one synapse kind: no per-neuron branch
            first, stop = segments[g, 0], segments[g, 1]
            if segments[g, 2] == 1:
                _transfer_delta(first, stop, slot, ring, shifts, ie, ii)
            elif sampling:
                _transfer_exp(first, stop, slot, ring, shifts, ie, ii, ini_e, ini_i)
        if sampling:
            for q in range(rec_ids.size):
                j = rec_ids[q]
                rec_v[n_samples, q] = v[j]
                rec_e[n_samples, q] = ie[j]
                rec_i[n_samples, q] = ii[j]
        for g in range(segments.shape[0]):
            first, stop = segments[g, 0], segments[g, 1]
            if segments[g, 2] == 1:
                _update_delta(first, stop, consts, state, fired, nearest)
            else:
                _update_exp(
                    first,
                    stop,
                    consts,
                    state,
                    fired,
                    nearest,
                    not sampling,
                    slot,
                    ring,
                    shifts,
                    segments[g, 3] == 1,
                )
        count = 0
        for j in range(n_dyn):
            if fired[j]:
                spiked[count] = j
                count += 1
        if n_plastic > 0:
            for k in range(count):
                post_spike(stdp, spiked[k], t)
        if sampling:
            n_samples += 1
        for q in range(src_ptr[t - src_first], src_ptr[t - src_first + 1]):
            spiked[count] = src_ids[q]
            count += 1
        for k in range(count):
            spk_step[n_spikes + k] = t
            spk_id[n_spikes + k] = spiked[k]
        if n_plastic > 0:
            _learn_and_send(t, slot, spiked, count, synapses, shifts, ring, stdp, last_time, last_trace)
        else:
            _send(slot, spiked, count, synapses, ring)
        n_spikes += count
        t += 1
    return t, n_spikes, n_samples
