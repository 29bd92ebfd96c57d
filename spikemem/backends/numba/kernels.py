"""The compiled inner loop of the reference engine.

One call advances the network by whole steps; Python only runs between chunks. Per step ``t``:

1. **deliver**: the ring-buffer slot of step ``t`` is added to the synaptic currents (scaled by
   ``scale_e``/``scale_i``) or, for delta cells, to ``V``; the slot is cleared;
2. **integrate** every non-refractory neuron over the step with its linear propagators
   (refractory ones count down and keep ``V``); then the currents decay;
3. **threshold**: ``V >= v_thresh`` spikes at step ``t``; dendritic segment and soma counters
   take their events and fire (:mod:`spikemem.lowering.dendrites`), ``V <- v_reset`` (``V <- V - v_reset``
   in segments with a subtractive reset, i.e. ``DiscreteLIF``), counter ``<- nref``;
   source spikes of step ``t`` are appended;
4. **plasticity**: arrivals of step ``t`` enter the STDP traces; potentiation for post arrivals,
   then depression for pre arrivals (clipped per event when asked);
5. **send**: each spike adds its synapses' current weights to slot ``t + delay``.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit


@njit(cache=True, inline="always")
def _trace_at(excl, last, p, n, t, dt, tau, include_now):
    """Value at step ``t`` of an all-to-all trace (sum of e^(-age/tau) over its events)."""
    s = last[p, n]
    if s < 0:
        return 0.0
    if s == t:
        return excl[p, n] + (1.0 if include_now else 0.0)
    return (excl[p, n] + 1.0) * math.exp(-(t - s) * dt / tau)


@njit(cache=True)
def _register(excl, last, p, ids, count, t, dt, tau):
    for k in range(count):
        n = ids[k]
        excl[p, n] = _trace_at(excl, last, p, n, t, dt, tau, False)
        last[p, n] = t


@njit(cache=True)
def _plasticity_step(
    t, dt, hist_ids, hist_n, history, fparams, iparams, enabled, plastic_idx, traces, weight, board
):
    """STDP of step ``t`` for every plastic projection; with a non-empty ``board``, each pre
    arrival also copies its synapses' weights there (sPyNNaker's deferred read-back: the weight
    after the synapse's last presynaptic spike)."""
    pre_ptr, pre_syn = plastic_idx[0], plastic_idx[1]
    x_excl, x_last, y_excl, y_last = traces
    for p in range(enabled.size):
        tau_plus, tau_minus = fparams[p, 0], fparams[p, 1]
        a_pre, a_post = iparams[p, 2], iparams[p, 3]
        t_pre, t_post = t - a_pre, t - a_post
        n_pre = hist_n[t_pre % history] if t_pre >= 0 else 0
        n_post = hist_n[t_post % history] if t_post >= 0 else 0
        pre_ids = hist_ids[t_pre % history]
        post_ids = hist_ids[t_post % history]
        _register(x_excl, x_last, p, pre_ids, n_pre, t, dt, tau_plus)
        _register(y_excl, y_last, p, post_ids, n_post, t, dt, tau_minus)
        if enabled[p] == 1:
            _update_weights(
                p, t, dt, n_pre, pre_ids, n_post, post_ids, fparams, iparams, plastic_idx, traces, weight
            )
        if board.size > 0:
            for k in range(n_pre):
                i = pre_ids[k]
                for e in range(pre_ptr[p, i], pre_ptr[p, i + 1]):
                    board[pre_syn[e]] = weight[pre_syn[e]]


@njit(cache=True, inline="always")
def _update_weights(
    p, t, dt, n_pre, pre_ids, n_post, post_ids, fparams, iparams, plastic_idx, traces, weight
):
    """Potentiation for step ``t``'s post arrivals, then depression for its pre arrivals."""
    pre_ptr, pre_syn, pre_other, post_ptr, post_syn, post_other = plastic_idx
    x_excl, x_last, y_excl, y_last = traces
    tau_plus, tau_minus, a_plus, a_minus, w_min, w_max = (
        fparams[p, 0], fparams[p, 1], fparams[p, 2], fparams[p, 3], fparams[p, 4], fparams[p, 5],
    )
    multiplicative = iparams[p, 0] == 1
    clip = iparams[p, 1] == 1
    incl_pot, incl_dep = iparams[p, 4] == 1, iparams[p, 5] == 1
    for k in range(n_post):  # potentiation: post arrivals pair with earlier pre arrivals
        j = post_ids[k]
        for e in range(post_ptr[p, j], post_ptr[p, j + 1]):
            x = _trace_at(x_excl, x_last, p, post_other[e], t, dt, tau_plus, incl_pot)
            if x > 0.0:
                s = post_syn[e]
                w = weight[s]
                w += a_plus * x * ((w_max - w) if multiplicative else 1.0)
                if clip:
                    w = min(max(w, w_min), w_max)
                weight[s] = w
    for k in range(n_pre):  # depression: pre arrivals pair with earlier post arrivals
        i = pre_ids[k]
        for e in range(pre_ptr[p, i], pre_ptr[p, i + 1]):
            y = _trace_at(y_excl, y_last, p, pre_other[e], t, dt, tau_minus, incl_dep)
            if y > 0.0:
                s = pre_syn[e]
                w = weight[s]
                w -= a_minus * y * ((w - w_min) if multiplicative else 1.0)
                if clip:
                    w = min(max(w, w_min), w_max)
                weight[s] = w


@njit(cache=True)
def _integrate_general(a, b, neurons, v, i_e, i_i, refc, ring_slot, n_dyn):
    """Deliver and integrate neurons ``a..b-1`` with per-neuron constants.

    Works on slices starting at 0 so that LLVM can vectorise the loop.
    """
    P22, c0, P21e, P21i = neurons[0][a:b], neurons[1][a:b], neurons[2][a:b], neurons[3][a:b]
    P11e, P11i, scale_e, scale_i, jump = (
        neurons[4][a:b], neurons[5][a:b], neurons[6][a:b], neurons[7][a:b], neurons[8][a:b],
    )
    vv, ie_a, ii_a, rc = v[a:b], i_e[a:b], i_i[a:b], refc[a:b]
    re, ri = ring_slot[a:b], ring_slot[n_dyn + a : n_dyn + b]
    for j in range(b - a):
        in_e = re[j]
        in_i = ri[j]
        re[j] = 0.0
        ri[j] = 0.0
        ie = ie_a[j] + scale_e[j] * in_e
        ii = ii_a[j] + scale_i[j] * in_i
        vn = vv[j] * P22[j] + c0[j] + P21e[j] * ie - P21i[j] * ii + jump[j] * (in_e - in_i)
        r = rc[j]
        vv[j] = vn if r == 0 else vv[j]
        rc[j] = r - 1 if r > 0 else 0
        ie_a[j] = ie * P11e[j]
        ii_a[j] = ii * P11i[j]


@njit(cache=True)
def _integrate_uniform(a, b, k, v, i_e, i_i, refc, ring_slot, n_dyn):
    """As :func:`_integrate_general` for neurons sharing one set of constants ``k``."""
    P22, c0, P21e, P21i, P11e, P11i = k[0], k[1], k[2], k[3], k[4], k[5]
    scale_e, scale_i, jump = k[6], k[7], k[8]
    vv, ie_a, ii_a, rc = v[a:b], i_e[a:b], i_i[a:b], refc[a:b]
    re, ri = ring_slot[a:b], ring_slot[n_dyn + a : n_dyn + b]
    for j in range(b - a):
        in_e = re[j]
        in_i = ri[j]
        re[j] = 0.0
        ri[j] = 0.0
        ie = ie_a[j] + scale_e * in_e
        ii = ii_a[j] + scale_i * in_i
        vn = vv[j] * P22 + c0 + P21e * ie - P21i * ii + jump * (in_e - in_i)
        r = rc[j]
        vv[j] = vn if r == 0 else vv[j]
        rc[j] = r - 1 if r > 0 else 0
        ie_a[j] = ie * P11e
        ii_a[j] = ii * P11i


@njit(cache=True)
def _threshold(a, b, uniform, k, v_thresh, v, spiked, count):
    """Append to ``spiked`` the neurons ``a..b-1`` with ``V >= v_thresh``; return the new count."""
    vv = v[a:b]
    if uniform:
        theta = k[9]
        for j in range(b - a):
            if vv[j] >= theta:
                spiked[count] = a + j
                count += 1
    else:
        th = v_thresh[a:b]
        for j in range(b - a):
            if vv[j] >= th[j]:
                spiked[count] = a + j
                count += 1
    return count


# -- dendritic segments (see spikemem.ir.dendrites for the semantics) ------------------------


@njit(cache=True)
def count_and_fire(t, ring, count, refc, threshold, window, fired):
    """One step of a bank of counters; returns how many fired (their indices in ``fired``)."""
    slot = t % ring.shape[0]
    n_fired = 0
    for g in range(count.size):
        event = ring[slot, g]
        ring[slot, g] = 0.0
        if refc[g] == 0:
            count[g] += event
        else:
            refc[g] -= 1
        if count[g] >= threshold[g]:
            count[g] = 0.0
            refc[g] = 2 * window[g]
            fired[n_fired] = g
            n_fired += 1
    return n_fired


@njit(cache=True)
def dendrites_step(t, table, state, spiked, n_spiked):
    """Segments, then somata, at step ``t``; soma spikes are appended to ``spiked``."""
    seg_theta, seg_window, seg_soma, soma_k, soma_window, soma_first = table
    seg_ring, seg_count, seg_refc, soma_ring, soma_count, soma_refc, fired = state
    n_fired = count_and_fire(t, seg_ring, seg_count, seg_refc, seg_theta, seg_window, fired)
    slots = soma_ring.shape[0]
    for q in range(n_fired):
        g = fired[q]
        j = seg_soma[g]
        soma_ring[(t + 1) % slots, j] += 1.0
        soma_ring[(t + 1 + soma_window[j]) % slots, j] -= 1.0
    n_fired = count_and_fire(t, soma_ring, soma_count, soma_refc, soma_k, soma_window, fired)
    for q in range(n_fired):
        spiked[n_spiked] = soma_first + fired[q]
        n_spiked += 1
    return n_spiked


@njit(cache=True)
def send_to_segments(t, s, synapses, seg_window, seg_ring):
    """Schedule the +1/−1 events of presynaptic neuron ``s``'s synapses onto segments."""
    row_ptr, target, delay = synapses
    slots = seg_ring.shape[0]
    for e in range(row_ptr[s], row_ptr[s + 1]):
        g = target[e]
        seg_ring[(t + delay[e]) % slots, g] += 1.0
        seg_ring[(t + delay[e] + seg_window[g]) % slots, g] -= 1.0


@njit(cache=True, inline="always")
def collect_spikes(t, spiked, count, sources, spike_buf, n_spikes):
    """Append step ``t``'s source spikes to ``spiked`` and store those of recorded neurons in
    ``spike_buf``; return ``(count, n_spikes)``.

    ``sources`` is ``(ptr, ids, t_first)``: the source spikes of step ``t`` are
    ``ids[ptr[t - t_first] : ptr[t - t_first + 1]]`` (pointers for the current chunk only).
    ``spike_buf`` is ``(steps, ids, keep)``; ``keep[j]`` is 1 for a neuron whose spikes are
    recorded.
    """
    src_ptr, src_ids, t_first = sources
    spk_step, spk_id, keep = spike_buf
    for q in range(src_ptr[t - t_first], src_ptr[t - t_first + 1]):
        spiked[count] = src_ids[q]
        count += 1
    for k in range(count):
        j = spiked[k]
        if keep[j]:
            spk_step[n_spikes] = t
            spk_id[n_spikes] = j
            n_spikes += 1
    return count, n_spikes


@njit(cache=True, inline="always")
def learn(t, dt, spiked, count, plastic, weight):
    """Stage 4: step ``t``'s arrivals enter the spike history, then the STDP update runs."""
    hist_ids, hist_n, fparams, iparams, enabled, plastic_idx, traces, board = plastic
    if enabled.size == 0:
        return
    history = hist_n.size
    h = t % history
    for k in range(count):
        hist_ids[h, k] = spiked[k]
    hist_n[h] = count
    _plasticity_step(
        t, dt, hist_ids, hist_n, history, fparams, iparams, enabled, plastic_idx, traces, weight, board
    )


@njit(cache=True, inline="always")
def _sample_variable(values, sampled, n_samples):
    """Store ``values`` of the neurons of ``sampled = (ids, base, stride, buffer)`` as sample
    ``n_samples``: neuron ``ids[q]`` goes to ``buffer[base[q] + n_samples * stride[q]]``."""
    ids, base, stride, buffer = sampled
    for q in range(ids.size):
        buffer[base[q] + n_samples * stride[q]] = values[ids[q]]


@njit(cache=True, inline="always")
def sample_state(t, record, v, i_e, i_i, n_samples):
    """Store the end-of-step state of the recorded neurons every ``rec_every`` steps; return
    the new sample count.

    ``record`` is ``(rec_every, v, isyn_exc, isyn_inh, n_samples)`` with one
    ``(ids, base, stride, buffer)`` per variable (empty ``ids`` for a variable nobody asked
    for): only the requested variables are stored.
    """
    rec_every, rec_v, rec_ie, rec_ii, _ = record
    if rec_v[0].size + rec_ie[0].size + rec_ii[0].size == 0 or t % rec_every != 0:
        return n_samples
    _sample_variable(v, rec_v, n_samples)
    _sample_variable(i_e, rec_ie, n_samples)
    _sample_variable(i_i, rec_ii, n_samples)
    return n_samples + 1


@njit(cache=True)
def run_steps(
    t_begin, t_end, dt, neurons, segmentation, state, synapses, ring, sources, spike_buf, n_spikes,
    plastic, record, dendrites,
):
    """Advance from step ``t_begin`` to at most ``t_end``; return ``(t_reached, n_spikes, n_samples)``.

    Stops early (at a step boundary) when the spike buffer might overflow, so the caller can
    grow it and call again.
    """
    v_thresh, v_reset, nref = neurons[9], neurons[10], neurons[11]
    segments, seg_params = segmentation
    v, i_e, i_i, refc = state
    row_ptr, target, delay, weight = synapses
    n_samples = record[4]
    dend_table, dend_state, dend_synapses = dendrites
    has_dendrites = dend_state[1].size > 0
    n_dyn = v.size
    n_slots = ring.shape[0]
    capacity = spike_buf[0].size
    n_total = plastic[0].shape[1]
    spiked = np.empty(n_total, dtype=np.int32)
    t = t_begin
    while t < t_end:
        if n_spikes + n_total > capacity:
            break
        slot = t % n_slots
        ring_slot = ring[slot]
        # 1-2: deliver and integrate, segment by segment (uniform populations use scalars)
        for g in range(segments.shape[0]):
            a, b = segments[g, 0], segments[g, 1]
            if segments[g, 2] == 1:
                _integrate_uniform(a, b, seg_params[g], v, i_e, i_i, refc, ring_slot, n_dyn)
            else:
                _integrate_general(a, b, neurons, v, i_e, i_i, refc, ring_slot, n_dyn)
        # 3: threshold and reset, then source spikes
        count = 0
        for g in range(segments.shape[0]):
            first = count
            count = _threshold(segments[g, 0], segments[g, 1], segments[g, 2] == 1, seg_params[g], v_thresh, v, spiked, count)
            subtractive = segments[g, 3] == 1  # DiscreteLIF: V <- V - v_reset (the step V_th)
            for k in range(first, count):
                j = spiked[k]
                v[j] = v[j] - v_reset[j] if subtractive else v_reset[j]
                refc[j] = nref[j]
        if has_dendrites:
            count = dendrites_step(t, dend_table, dend_state, spiked, count)
        count, n_spikes = collect_spikes(t, spiked, count, sources, spike_buf, n_spikes)
        learn(t, dt, spiked, count, plastic, weight)  # 4: plasticity, before the spikes are sent
        # 5: send
        for k in range(count):
            s = spiked[k]
            for e in range(row_ptr[s], row_ptr[s + 1]):
                arrival = slot + delay[e]  # delay < n_slots: wrap by one compare, not a division
                if arrival >= n_slots:
                    arrival -= n_slots
                ring[arrival, target[e]] += weight[e]
            if has_dendrites:
                send_to_segments(t, s, dend_synapses, dend_table[1], dend_state[0])
        n_samples = sample_state(t, record, v, i_e, i_i, n_samples)  # end-of-step values
        t += 1
    return t, n_spikes, n_samples
