"""Pair-based STDP by explicit enumeration of spike pairs — the executable definition.

Engines use traces; this module sums over pairs directly, so it checks them independently.

Definition (for one synapse with delay ``d`` steps): every spike becomes an *event* at its
arrival step — a post spike at ``t_post + a_post``, a pre spike at ``t_pre + a_pre``, with
``(a_pre, a_post) = (0, d)`` for the dendritic convention, ``(d, 0)`` for the axonal one and
``(0, 0)`` for ``"none"``. Events are processed in step order, potentiation before depression
within a step. A post event at ``Q`` potentiates by the sum over earlier pre events ``P < Q``
(``P <= Q`` when ``zero_lag == "potentiate"``) of ``e^(-(Q-P)·dt/tau_plus)``; a pre event at
``P`` depresses by the sum over post events ``Q < P`` (``Q <= P`` when
``zero_lag == "depress"``) of ``e^(-(P-Q)·dt/tau_minus)``. Each event is one update, clipped to
``[w_min, w_max]`` when ``clipping == "per_event"``.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from ..ir.plasticity import STDP, Multiplicative


def pair_stdp_weight(
    rule: STDP,
    w0: float,
    pre_steps: np.ndarray,
    post_steps: np.ndarray,
    *,
    delay_steps: int,
    dt: float,
    n_steps: int,
    learning: Callable[[int], bool] | None = None,
) -> float:
    """Final weight (nA) of one synapse under ``rule`` for the given spike steps.

    Parameters
    ----------
    rule : STDP
        The rule and its conventions.
    w0 : float
        Initial weight (nA).
    pre_steps, post_steps : array of int
        Steps at which the pre and the post neuron spiked.
    delay_steps : int
        Synaptic delay in steps.
    dt : float
        Time step (ms).
    n_steps : int
        Length of the run (steps); events at or after it are not processed.
    learning : callable or None
        ``learning(step)`` says whether weight updates are on at that step (default: always).
    """
    a_pre, a_post = {"dendritic": (0, delay_steps), "axonal": (delay_steps, 0), "none": (0, 0)}[rule.delay_convention]
    pre_events = np.sort(np.asarray(pre_steps, dtype=np.int64)) + a_pre
    post_events = np.sort(np.asarray(post_steps, dtype=np.int64)) + a_post
    events = [(int(q), 0) for q in post_events] + [(int(p), 1) for p in pre_events]
    events.sort()
    a_plus, a_minus = rule.scaled_amplitudes
    low, high = rule.weight.w_min, rule.weight.w_max
    multiplicative = isinstance(rule.weight, Multiplicative)
    w = float(w0)
    for step, kind in events:
        if step >= n_steps or (learning is not None and not learning(step)):
            continue
        if kind == 0:
            include = rule.zero_lag == "potentiate"
            earlier = pre_events[(pre_events < step) | (include & (pre_events == step))]
            x = sum(math.exp(-(step - p) * dt / rule.timing.tau_plus) for p in earlier)
            if x > 0:
                w += a_plus * x * ((high - w) if multiplicative else 1.0)
        else:
            include = rule.zero_lag == "depress"
            earlier = post_events[(post_events < step) | (include & (post_events == step))]
            y = sum(math.exp(-(step - q) * dt / rule.timing.tau_minus) for q in earlier)
            if y > 0:
                w -= a_minus * y * ((w - low) if multiplicative else 1.0)
        if rule.clipping == "per_event":
            w = min(max(w, low), high)
    if rule.clipping == "end_of_phase":
        w = min(max(w, low), high)
    return w
