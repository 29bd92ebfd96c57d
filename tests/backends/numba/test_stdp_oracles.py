"""STDP in the Numba engine against the closed-form weight change of one pre/post pair.

Set-up: a source ``pre`` spikes at ``t_pre``; a source ``drive`` makes the delta-synapse neuron
``post`` fire at ``t_post`` (its jump of 30 mV arrives one step later and crosses threshold in
that step). The plastic projection ``pre -> post`` has delay ``d`` and weights too small to
make ``post`` fire on their own, so ``t_post`` is known exactly.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import spikemem
from spikemem import ir

DT = 1.0
POST_CELL = ir.IF_curr_delta(cm=1.0, tau_m=10.0, v_rest=-65.0, v_reset=-65.0, v_thresh=-50.0, tau_refrac=1.0)


def _pair_network(t_pre, t_post, stdp, *, w0, d=1.0):
    pre = ir.Population(name="pre", size=1, cell=ir.SpikeSourceArray(times=np.atleast_1d(t_pre), ids=[0] * np.size(t_pre)))
    drive = ir.Population(name="drive", size=1, cell=ir.SpikeSourceArray(times=np.atleast_1d(t_post) - DT, ids=[0] * np.size(t_post)))
    post = ir.Population(name="post", size=1, cell=POST_CELL)
    return ir.Network(
        populations=(pre, drive, post),
        projections=(
            ir.Projection(name="drive_post", pre=drive, post=post, connector=ir.OneToOne(), weight=30.0, delay=DT),
            ir.Projection(name="plastic", pre=pre, post=post, connector=ir.OneToOne(), weight=w0, delay=d, plasticity=stdp),
        ),
        dt=DT,
    )


def _final_weight(net, schedule=None, duration=60.0):
    runnable = spikemem.compile(net, schedule)
    rec = runnable.run() if schedule is not None else runnable.run(duration=duration)
    last_phase = rec.phases[-1].name
    return rec, float(rec.weights[last_phase]["plastic"][0])


def _rule(convention="dendritic", zero_lag="depress", amplitude="absolute", clipping="per_event", weight=None, a_plus=1.0, a_minus=0.8):
    return ir.STDP(
        timing=ir.SpikePair(tau_plus=5.0, tau_minus=7.0, A_plus=a_plus, A_minus=a_minus),
        weight=weight or ir.Additive(w_min=0.0, w_max=4.0),
        delay_convention=convention,
        zero_lag=zero_lag,
        amplitude=amplitude,
        clipping=clipping,
    )


def _expected(lag, w0, *, zero_lag="depress", a_plus=1.0, a_minus=0.8, w_min=0.0, w_max=4.0):
    if lag > 0 or (lag == 0 and zero_lag == "potentiate"):
        w = w0 + a_plus * math.exp(-lag / 5.0)
    elif lag < 0 or zero_lag == "depress":
        w = w0 - a_minus * math.exp(lag / 7.0)
    else:
        w = w0
    return min(max(w, w_min), w_max)


@pytest.mark.parametrize("convention", ["dendritic", "axonal", "none"])
@pytest.mark.parametrize("t_pre", [10.0, 13.0, 14.0, 15.0, 16.0, 20.0])
def test_one_pair_each_convention(convention, t_pre):
    t_post, d = 15.0, 2.0
    shift = {"dendritic": d, "axonal": -d, "none": 0.0}[convention]
    lag = t_post - t_pre + shift
    net = _pair_network(t_pre, t_post, _rule(convention), w0=2.0, d=d)
    rec, w = _final_weight(net)
    assert rec.spikes["post"].steps.tolist() == [int(t_post)]
    assert w == pytest.approx(_expected(lag, 2.0), rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("zero_lag", ["depress", "potentiate", "ignore"])
@pytest.mark.parametrize("convention", ["dendritic", "axonal"])
def test_zero_lag(zero_lag, convention):
    t_post, d = 15.0, 1.0
    t_pre = t_post + d if convention == "dendritic" else t_post - d  # makes Δ = 0
    net = _pair_network(t_pre, t_post, _rule(convention, zero_lag=zero_lag), w0=2.0, d=d)
    _, w = _final_weight(net)
    expected = {"depress": 2.0 - 0.8, "potentiate": 2.0 + 1.0, "ignore": 2.0}[zero_lag]
    assert w == pytest.approx(expected, rel=1e-12)


def test_ca3_coincident_pair_is_one_shot_and_zero_lag_forgets():
    """Spec §1.4/§5.2: A± = 6 nA absolute, τ = 3 ms; Δ = 1 ms learns 6·e^(-1/3) ≈ 4.30 from 0."""
    rule = ir.STDP(timing=ir.SpikePair(tau_plus=3.0, tau_minus=3.0, A_plus=6.0, A_minus=6.0), weight=ir.Additive(w_min=0.0, w_max=6.0))
    _, learned = _final_weight(_pair_network(15.0, 15.0, rule, w0=0.0, d=1.0))
    assert learned == pytest.approx(6.0 * math.exp(-1.0 / 3.0), rel=1e-12)
    assert 4.29 < learned < 4.31
    _, forgotten = _final_weight(_pair_network(16.0, 15.0, rule, w0=6.0, d=1.0))
    assert forgotten == 0.0  # Δ = 0 depresses by the full A- = 6


def test_amplitude_scaled_by_w_max():
    rule = _rule(amplitude="w_max", a_plus=0.1, a_minus=0.1)
    _, w = _final_weight(_pair_network(13.0, 15.0, rule, w0=1.0, d=1.0))
    assert w == pytest.approx(1.0 + 0.1 * 4.0 * math.exp(-3.0 / 5.0), rel=1e-12)


def test_multiplicative_weight_dependence():
    rule = _rule(weight=ir.Multiplicative(w_min=0.5, w_max=4.0), a_plus=0.5, a_minus=0.5)
    _, up = _final_weight(_pair_network(13.0, 15.0, rule, w0=1.0, d=1.0))
    assert up == pytest.approx(1.0 + 0.5 * (4.0 - 1.0) * math.exp(-3.0 / 5.0), rel=1e-12)
    _, down = _final_weight(_pair_network(20.0, 15.0, rule, w0=3.0, d=1.0))
    assert down == pytest.approx(3.0 - 0.5 * (3.0 - 0.5) * math.exp(-4.0 / 7.0), rel=1e-12)


@pytest.mark.parametrize("clipping", ["per_event", "end_of_phase"])
def test_clipping_per_event_versus_end_of_phase(clipping):
    """Potentiation past w_max, then depression: the order of clip and sum matters."""
    rule = _rule(clipping=clipping, a_plus=3.0, a_minus=1.5)
    net = _pair_network(np.array([12.0, 20.0]), 15.0, rule, w0=3.5, d=1.0)
    _, w = _final_weight(net)
    potentiation = 3.0 * math.exp(-(15.0 + 1.0 - 12.0) / 5.0)  # pre@12 -> post@15
    depression = 1.5 * math.exp((15.0 + 1.0 - 20.0) / 7.0)  # post@15 -> pre@20
    # the pair pre@20 / post@15 is the only depression; pre@12 / post@15 the only potentiation
    if clipping == "per_event":
        expected = min(3.5 + potentiation, 4.0) - depression
    else:
        expected = min(3.5 + potentiation - depression, 4.0)
    assert w == pytest.approx(expected, rel=1e-12)
    assert (clipping == "per_event") == (w < 4.0 - 1e-9 and abs(w - (4.0 - depression)) < 1e-12)


def test_plasticity_switched_per_phase():
    rule = _rule()
    net = _pair_network(np.array([13.0, 43.0]), np.array([15.0, 45.0]), rule, w0=2.0, d=1.0)
    schedule = ir.Schedule(phases=(ir.Phase(name="frozen", duration=30.0, plastic=()), ir.Phase(name="learn", duration=30.0)))
    rec = spikemem.compile(net, schedule).run()
    assert rec.weights["frozen"]["plastic"][0] == 2.0
    pair = 1.0 * math.exp(-3.0 / 5.0)
    # the second phase also pairs post@45 with the old pre@13 (Δ = 33: potentiation)
    # and pre@43 with the old post@15 (Δ = -27: depression) — all-to-all pairing
    expected = 2.0 + pair + 1.0 * math.exp(-33.0 / 5.0) - 0.8 * math.exp(-27.0 / 7.0)
    assert rec.weights["learn"]["plastic"][0] == pytest.approx(expected, rel=1e-12)


def test_heterogeneous_delays_on_plastic_projection_are_refused():
    pre = ir.Population(name="pre", size=2, cell=ir.SpikeSourceArray())
    post = ir.Population(name="post", size=1, cell=POST_CELL)
    proj = ir.Projection(
        name="p", pre=pre, post=post,
        connector=ir.FromList(pre=[0, 1], post=[0, 0], delay=[1.0, 2.0]),
        weight=0.5, plasticity=_rule(),
    )
    net = ir.Network(populations=(pre, post), projections=(proj,), dt=DT)
    with pytest.raises(ir.UnsupportedFeature, match="heterogeneous"):
        spikemem.compile(net)
