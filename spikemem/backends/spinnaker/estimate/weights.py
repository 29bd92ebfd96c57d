"""How weights survive sPyNNaker's 16-bit weights: the ring-buffer shift of every (population,
receptor), the weight step, weights that round to zero, and STDP steps below one weight step."""

from __future__ import annotations

import math

import numpy as np

from ....ir import Multiplicative
from ....ir.network import Network
from .report import ProjectionQuantisation
from .rules import RunningStats, poisson_upper_bound, ring_buffer_shift
from .synapses import ProjectionSynapses


def quantise_weights(
    network: Network, projs: list[ProjectionSynapses], dt: float, sps: float, sigma: float, warns: list
) -> list[ProjectionQuantisation]:
    """How every projection's weights come out on the board.

    Parameters
    ----------
    network : Network
        The network (population sizes).
    projs : list of ProjectionSynapses
        Its resolved projections.
    dt : float
        Time step (ms).
    sps : float
        sPyNNaker's planning rate (spikes/s per neuron).
    sigma : float
        ``ring_buffer_sigma`` (standard deviations of the Poisson bound).
    warns : list of str
        Receives weights rounding to zero and STDP steps below one weight step.
    """
    steps_per_s = 1000.0 / dt
    spikes_per_tick = max(1.0, sps / steps_per_s)
    groups: dict[tuple[str, str], list[ProjectionSynapses]] = {}
    for p in projs:
        groups.setdefault((p.post, p.receptor), []).append(p)
    shifts = {}
    for key, members in groups.items():
        totals, delays, rates = RunningStats(), RunningStats(), RunningStats()
        total_weight = biggest = 0.0
        for p in members:
            w = np.abs(p.weight)
            if not w.size:
                continue
            n_conns = (
                1
                if p.native == "OneToOne"
                else (
                    network.population(p.pre).size
                    if p.native == "AllToAll"
                    else int(np.bincount(p.post_ids).max())
                )
            )
            w_max = float(w.max())
            if p.plastic is not None:
                w_max = max(w_max, p.plastic.weight.w_max)
            totals.add_items(float(w.mean()), float(w.var()), n_conns)
            delays.add_items(0.0, float(np.var(p.steps * dt)), n_conns)
            rates.add_items(sps, 0.0, n_conns)
            biggest = max(biggest, w_max)
            total_weight += spikes_per_tick * w_max * n_conns
        if delays.variance == 0.0:
            max_w = max(total_weight, biggest)
        else:
            bound = poisson_upper_bound(
                totals.mean, math.sqrt(totals.variance), rates.mean, totals.n, sigma, steps_per_s
            )
            max_w = max(min(bound, total_weight), biggest)
        shifts[key] = ring_buffer_shift(max_w)
    result = []
    for p in projs:
        shift = shifts[(p.post, p.receptor)]
        scale = 2.0 ** (15 - shift)
        w = np.abs(p.weight)
        q = np.rint(w * scale) / scale
        nonzero = w > 0
        to_zero = nonzero & (q == 0)
        kept = nonzero & ~to_zero
        rel = float(np.max(np.abs(q[kept] - w[kept]) / w[kept])) if np.any(kept) else 0.0
        stdp = None
        if p.plastic is not None:
            a_plus, a_minus = p.plastic.scaled_amplitudes
            if isinstance(p.plastic.weight, Multiplicative):
                a_plus, a_minus = a_plus * p.plastic.weight.w_max, a_minus * p.plastic.weight.w_max
            stdp = {
                "A_plus": a_plus,
                "A_minus": a_minus,
                "A_plus_steps": a_plus * scale,
                "A_minus_steps": a_minus * scale,
            }
            for label, value in (("A_plus", a_plus), ("A_minus", a_minus)):
                if 0 < value * scale < 1:
                    warns.append(
                        f"projection {p.name!r}: STDP {label} = {value:.3g} nA is below one weight step "
                        f"({1 / scale:.3g} nA); single-pair updates are lost on the board"
                    )
        if int(to_zero.sum()):
            warns.append(
                f"projection {p.name!r}: {int(to_zero.sum())} of {int(nonzero.sum())} non-zero weights "
                f"round to zero (weight step {1 / scale:.3g} nA on {p.post}/{p.receptor})"
            )
        result.append(
            ProjectionQuantisation(
                projection=p.name,
                post=p.post,
                receptor=p.receptor,
                shift=shift,
                resolution=1.0 / scale,
                max_weight=65535.0 / scale,
                n_synapses=int(w.size),
                n_zero=int((~nonzero).sum()),
                n_round_to_zero=int(to_zero.sum()),
                max_relative_error=rel,
                max_abs_error=float(np.max(np.abs(q - w))) if w.size else 0.0,
                stdp_steps=stdp,
            )
        )
    return result
