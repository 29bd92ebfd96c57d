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
saturating at 0xFFFF (``synapses.c`` ``process_fixed_synapses``).
"""

from __future__ import annotations

import numpy as np
from numba import njit

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
    of flooring (GCC's plain ``accum * accum``, the sPyNNaker8 era).
    """
    v_rest, r_mem, exp_tc, i_off, v_reset, v_thresh, t_ref, dec_e, ini_e, dec_i, ini_i, is_delta, scale = (
        consts
    )
    v, ie, ii, refc = state
    row_ptr, target, delay, wint = synapses
    src_ptr, src_ids, src_first = sources  # pointers of ticks src_first .. t_end only
    spk_step, spk_id = spike_buf
    rec_every, rec_ids, rec_v, rec_e, rec_i, n_samples = record
    n_dyn = v.size
    n_slots = ring.shape[0]
    n_total = row_ptr.size - 1
    capacity = spk_step.size
    spiked = np.empty(n_total, dtype=np.int64)
    sample_now = np.zeros(n_dyn, dtype=np.int64)  # column in the record buffers, or -1
    sample_now[:] = -1
    for q in range(rec_ids.size):
        sample_now[rec_ids[q]] = q
    t = t_begin
    while t < t_end:
        if n_spikes + n_total > capacity:
            break
        slot = t % n_slots
        sampling = rec_ids.size > 0 and t % rec_every == 0
        count = 0
        for j in range(n_dyn):
            # 1: transfer this tick's ring-buffer words
            we = ring[slot, j]
            wi = ring[slot, n_dyn + j]
            ring[slot, j] = 0
            ring[slot, n_dyn + j] = 0
            if we > 0:
                inp = _w32(we << shifts[j])
                ie[j] = _w32(ie[j] + inp) if is_delta[j] else _w32(ie[j] + _decay(inp, ini_e[j]))
            if wi > 0:
                inp = _w32(wi << shifts[n_dyn + j])
                ii[j] = _w32(ii[j] + inp) if is_delta[j] else _w32(ii[j] + _decay(inp, ini_i[j]))
            # 2: record (V at the start of the tick, inputs after the transfer)
            if sampling and sample_now[j] >= 0:
                q = sample_now[j]
                rec_v[n_samples, q] = v[j]
                rec_e[n_samples, q] = ie[j]
                rec_i[n_samples, q] = ii[j]
            # 3: update
            if refc[j] <= 0:
                exc = ie[j]
                inh = ii[j]
                if is_delta[j]:
                    exc = _mul_floor(exc, scale[j])  # plain ``*`` in input_type_delta.h
                    inh = _mul_floor(inh, scale[j])
                total = _w32(_w32(exc - inh) + i_off[j])
                alpha = _w32(_mul(total, r_mem[j], nearest) + v_rest[j])
                v[j] = _w32(alpha - _mul(exp_tc[j], _w32(alpha - v[j]), nearest))
            else:
                refc[j] -= 1
            # 4: threshold
            if v[j] >= v_thresh[j]:
                v[j] = v_reset[j]
                refc[j] = t_ref[j]
                spiked[count] = j
                count += 1
            # 5: shape
            if is_delta[j]:
                ie[j] = 0
                ii[j] = 0
            else:
                ie[j] = _decay(ie[j], dec_e[j])
                ii[j] = _decay(ii[j], dec_i[j])
        if sampling:
            n_samples += 1
        for q in range(src_ptr[t - src_first], src_ptr[t - src_first + 1]):
            spiked[count] = src_ids[q]
            count += 1
        for k in range(count):
            s = spiked[k]
            spk_step[n_spikes + k] = t
            spk_id[n_spikes + k] = s
            for e in range(row_ptr[s], row_ptr[s + 1]):
                arrival = (slot + delay[e]) % n_slots
                acc = ring[arrival, target[e]] + wint[e]
                ring[arrival, target[e]] = acc if acc < 0x10000 else 0xFFFF
        n_spikes += count
        t += 1
    return t, n_spikes, n_samples
