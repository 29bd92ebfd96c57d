"""Trace-based STDP of the Numba engine against explicit pair enumeration on random spike trains."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import spikemem
from spikemem import ir
from spikemem.plasticity import pair_stdp_weight

DT, DELAY = 0.5, 2.0
COMBOS = list(
    itertools.product(
        ["dendritic", "axonal", "none"],
        ["depress", "potentiate", "ignore"],
        ["Additive", "Multiplicative"],
        ["per_event", "end_of_phase"],
    )
)


def _network(rule: ir.STDP) -> ir.Network:
    pre = ir.Population(name="pre", size=12, cell=ir.SpikeSourcePoisson(rate=40.0, seed=11))
    drive = ir.Population(name="drive", size=6, cell=ir.SpikeSourcePoisson(rate=40.0, seed=12))
    post = ir.Population(
        name="post", size=6,
        cell=ir.IF_curr_delta(cm=1.0, tau_m=10.0, v_rest=-65.0, v_reset=-65.0, v_thresh=-50.0, tau_refrac=1.0),
    )
    w0 = np.linspace(0.2, 1.8, 72)
    return ir.Network(
        populations=(pre, drive, post),
        projections=(
            ir.Projection(name="drive_post", pre=drive, post=post, connector=ir.OneToOne(), weight=20.0, delay=DT),
            ir.Projection(name="plastic", pre=pre, post=post, connector=ir.AllToAll(), weight=w0, delay=DELAY, plasticity=rule),
        ),
        dt=DT,
    )


@pytest.mark.parametrize("convention,zero_lag,dependence,clipping", COMBOS)
def test_engine_weights_equal_pair_enumeration(convention, zero_lag, dependence, clipping):
    bounds = {"Additive": ir.Additive, "Multiplicative": ir.Multiplicative}[dependence](w_min=0.1, w_max=2.0)
    rule = ir.STDP(
        timing=ir.SpikePair(tau_plus=8.0, tau_minus=12.0, A_plus=0.15, A_minus=0.18),
        weight=bounds, delay_convention=convention, zero_lag=zero_lag, clipping=clipping,
    )
    net = _network(rule)
    n_steps = 1200
    rec = spikemem.compile(net, seed=5).run(duration=n_steps * DT)
    synapses = ir.resolve(net.projection("plastic"))
    got = rec.weights["run"]["plastic"]
    pre_trains, post_trains = rec.spikes["pre"], rec.spikes["post"]
    assert len(pre_trains) > 200 and len(post_trains) > 50
    hits_zero_lag = 0
    for k in range(synapses.size):
        pre_steps = pre_trains.steps[pre_trains.ids == synapses.pre[k]]
        post_steps = post_trains.steps[post_trains.ids == synapses.post[k]]
        expected = pair_stdp_weight(
            rule, synapses.weight[k], pre_steps, post_steps,
            delay_steps=round(DELAY / DT), dt=DT, n_steps=n_steps,
        )
        assert got[k] == pytest.approx(expected, rel=1e-12, abs=1e-12), f"synapse {k}"
        shift = {"dendritic": 4, "axonal": -4, "none": 0}[convention]
        hits_zero_lag += np.intersect1d(post_steps + shift, pre_steps).size
    assert hits_zero_lag > 0, "the spike trains must exercise the Δ = 0 case"
    assert np.any(got != synapses.weight)


def test_broken_reference_is_detected():
    """The comparison is sensitive: the reference with the opposite Δ = 0 rule disagrees."""
    rule = ir.STDP(timing=ir.SpikePair(tau_plus=8.0, tau_minus=12.0, A_plus=0.15, A_minus=0.18),
                   weight=ir.Additive(w_min=0.1, w_max=2.0), zero_lag="depress")
    wrong = ir.STDP(timing=rule.timing, weight=rule.weight, zero_lag="ignore")
    net = _network(rule)
    rec = spikemem.compile(net, seed=5).run(duration=600.0)
    synapses = ir.resolve(net.projection("plastic"))
    mismatches = 0
    for k in range(synapses.size):
        pre_steps = rec.spikes["pre"].steps[rec.spikes["pre"].ids == synapses.pre[k]]
        post_steps = rec.spikes["post"].steps[rec.spikes["post"].ids == synapses.post[k]]
        expected = pair_stdp_weight(wrong, synapses.weight[k], pre_steps, post_steps, delay_steps=4, dt=DT, n_steps=1200)
        mismatches += abs(rec.weights["run"]["plastic"][k] - expected) > 1e-9
    assert mismatches > 0
