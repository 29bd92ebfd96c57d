"""Analytic oracles, on every backend: LIF exact solution, first-spike step, delay timing, and
one STDP pair per lag and convention.

Conventions (``docs/reference-engine.md``): the state sampled at step ``k`` is the state at
``(k + 1)·dt``; input delivered at step ``a`` makes the current jump at ``a·dt``; a spike is
recorded in the step during which ``V`` crossed the threshold; a spike sent at step ``s``
with a delay of ``d`` steps is delivered at step ``s + d``.
"""

from __future__ import annotations

import functools
import math

import numpy as np
import pytest

from spikemem import ir
from spikemem.backends.base import Capability
from spikemem.ir import RecordSpec
from spikemem.verify import compare_arrays, tolerance

from .variants import require, run

TAU_M, CM, V_REST, TAU_S = 20.0, 0.5, -65.0, 4.0
I_DC = 0.4  # nA: R·I = 16 mV, below the threshold 50 mV above rest
I_FIRE, V_FIRE = 0.5, -50.0  # R·I = 20 mV > 15 mV to threshold
W_PSP, T_SOURCE = 0.3, 2.0  # nA, ms
DELAY_STEPS = (1, 2, 7)
SOURCE_STEPS = (3, 30)


def oracle_network(dt: float, broken: bool = False) -> ir.Network:
    """DC neuron (trace), firing neuron (first spike), PSP neuron and one delta neuron per delay.

    ``broken`` perturbs the inputs by 1e-9 (relative), the firing current by 1 % and every
    delay by one step: each oracle check must then fail.
    """
    k = 1.0 + 1e-9 if broken else 1.0
    dc = ir.Population(
        name="dc",
        size=1,
        cell=ir.IF_curr_exp(
            cm=CM, tau_m=TAU_M, v_rest=V_REST, v_thresh=0.0, v_reset=-70.0, i_offset=I_DC * k, tau_syn_E=TAU_S
        ),
    )
    fire = ir.Population(
        name="fire",
        size=1,
        cell=ir.IF_curr_exp(
            cm=CM,
            tau_m=TAU_M,
            v_rest=V_REST,
            v_thresh=V_FIRE,
            v_reset=-70.0,
            tau_refrac=2.0,
            i_offset=I_FIRE * (1.01 if broken else 1.0),
        ),
    )
    psp = ir.Population(
        name="psp",
        size=1,
        cell=ir.IF_curr_exp(cm=CM, tau_m=TAU_M, v_rest=V_REST, v_thresh=0.0, v_reset=-70.0, tau_syn_E=TAU_S),
    )
    delays = ir.Population(
        name="delays",
        size=len(DELAY_STEPS),
        cell=ir.IF_curr_delta(cm=1.0, tau_m=10.0, v_rest=-65.0, v_reset=-65.0, v_thresh=-50.0, tau_refrac=dt),
    )
    times = [T_SOURCE] + [s * dt for s in SOURCE_STEPS]
    src = ir.Population(name="src", size=2, cell=ir.SpikeSourceArray(times=times, ids=[0, 1, 1]))
    shift = 1 if broken else 0
    projections = [
        ir.Projection(
            name="psp_in", pre=src[[0]], post=psp, connector=ir.OneToOne(), weight=W_PSP * k, delay=dt
        ),
    ] + [
        ir.Projection(
            name=f"delay{d}",
            pre=src[[1]],
            post=delays[[n]],
            connector=ir.OneToOne(),
            weight=20.0,
            delay=(d + shift) * dt,
        )
        for n, d in enumerate(DELAY_STEPS)
    ]
    return ir.Network(
        populations=(dc, fire, psp, delays, src), projections=tuple(projections), dt=dt, name="oracles"
    )


@functools.cache
def oracle_run(variant, dt: float, broken: bool = False, current: bool = False):
    record = RecordSpec(state={"dc": ("v",), "psp": ("isyn_exc",) if current else ("v",)})
    return run(variant, oracle_network(dt, broken), duration=60.0, record=record, numerics="exact")


def check_lif_trace(rec, dt: float, label: str) -> list[str]:
    """The DC and PSP traces against the exact solutions of the ODEs."""
    problems = []
    tol = tolerance("lif_trace", label)
    t = (rec.state["dc"].steps + 1) * dt
    expected = V_REST + I_DC * TAU_M / CM * (1.0 - np.exp(-t / TAU_M))
    ok, worst = compare_arrays(expected, rec.state["dc"].values["v"][:, 0], tol["rtol"], 0.0)
    if not ok:
        problems.append(f"DC trace off by {worst:.3g} mV")
    arrival = round(T_SOURCE / dt) + 1  # one-step delay
    s = np.maximum((rec.state["psp"].steps + 1 - arrival) * dt, 0.0)
    on = (rec.state["psp"].steps + 1) > arrival
    factor = TAU_M * TAU_S / (TAU_M - TAU_S)
    expected = {
        "v": V_REST + on * (W_PSP / CM) * factor * (np.exp(-s / TAU_M) - np.exp(-s / TAU_S)),
        "isyn_exc": on * W_PSP * np.exp(-s / TAU_S),
    }
    for name, got in rec.state["psp"].values.items():
        ok, worst = compare_arrays(
            expected[name], got[:, 0], tol["rtol"], 1e-15 if name == "isyn_exc" else 0.0
        )
        if not ok:
            problems.append(f"PSP {name} off by {worst:.3g}")
    return problems


def check_first_spike(rec, dt: float) -> list[str]:
    t_cross = -TAU_M * math.log(1.0 - (V_FIRE - V_REST) / (I_FIRE * TAU_M / CM))
    expected = math.ceil(t_cross / dt) - 1
    got = int(rec.spikes["fire"].steps[0]) if len(rec.spikes["fire"]) else None
    return [] if got == expected else [f"first spike at step {got}, expected {expected}"]


def check_delays(rec) -> list[str]:
    trains = rec.spikes["delays"]
    problems = []
    for n, d in enumerate(DELAY_STEPS):
        got = trains.steps[trains.ids == n].tolist()
        want = [s + d for s in SOURCE_STEPS]
        if got != want:
            problems.append(f"delay {d} steps: spikes at {got}, expected {want}")
    return problems


DTS = [0.1, 2.0**-4]


@pytest.mark.parametrize("dt", DTS)
def test_lif_trace_is_the_exact_solution(variant, dt):
    require(variant, Capability.NUMERICS_EXACT, Capability.RECORD_STATE, Capability.SPIKE_SOURCE_ARRAY)
    assert check_lif_trace(oracle_run(variant, dt), dt, variant.label) == []


def test_synaptic_current_trace_is_the_exact_solution(variant):
    require(variant, Capability.NUMERICS_EXACT, Capability.RECORD_STATE, Capability.SPIKE_SOURCE_ARRAY)
    assert check_lif_trace(oracle_run(variant, DTS[0], current=True), DTS[0], variant.label) == []


@pytest.mark.parametrize("dt", DTS)
def test_first_spike_in_the_analytic_step(variant, dt):
    require(variant, Capability.NUMERICS_EXACT)
    assert check_first_spike(oracle_run(variant, dt), dt) == []


@pytest.mark.parametrize("dt", DTS)
def test_spike_arrives_after_its_delay(variant, dt):
    require(variant, Capability.IF_CURR_DELTA, Capability.SPIKE_SOURCE_ARRAY)
    assert check_delays(oracle_run(variant, dt)) == []


def test_broken_variants_fail_the_lif_oracles(cheap_variant):
    require(cheap_variant, Capability.NUMERICS_EXACT, Capability.RECORD_STATE, Capability.IF_CURR_DELTA)
    rec = oracle_run(cheap_variant, DTS[0], broken=True)
    assert check_lif_trace(rec, DTS[0], cheap_variant.label)
    assert check_first_spike(rec, DTS[0])
    assert check_delays(rec)


# --------------------------------------------------------------------------- one STDP pair

LAGS = (-3, -1, 0, 1, 3)  # steps, t_post + a_post - (t_pre + a_pre)
RULES = (("dendritic", "depress"), ("axonal", "potentiate"), ("none", "ignore"))
PAIR_DT, PAIR_DELAY, A_PLUS, A_MINUS, TAU_P, TAU_D, W0 = 1.0, 2, 0.4, 0.3, 5.0, 7.0, 1.0


def pair_network(a_plus: float = A_PLUS) -> tuple[ir.Network, list[tuple[str, str, int]]]:
    """Independent pre/post pairs, one per (rule, lag): the pre fires once, the post is driven
    to fire once, and the plastic synapse (delay 2 steps) sees exactly one pair."""
    n = len(RULES) * len(LAGS)
    pairs, pre_times, drive_times = [], [], []
    for convention, zero_lag in RULES:
        for lag in LAGS:
            a_pre, a_post = {"dendritic": (0, PAIR_DELAY), "axonal": (PAIR_DELAY, 0), "none": (0, 0)}[
                convention
            ]
            t_pre = 10
            t_post = t_pre + a_pre + lag - a_post  # post spike step
            pre_times.append(t_pre * PAIR_DT)
            drive_times.append((t_post - 1) * PAIR_DT)  # the drive arrives one step later
            pairs.append((convention, zero_lag, lag))
    pre = ir.Population(name="pre", size=n, cell=ir.SpikeSourceArray(times=pre_times, ids=list(range(n))))
    drive = ir.Population(
        name="drive", size=n, cell=ir.SpikeSourceArray(times=drive_times, ids=list(range(n)))
    )
    post = ir.Population(
        name="post",
        size=n,
        cell=ir.IF_curr_delta(
            cm=1.0, tau_m=10.0, v_rest=-65.0, v_reset=-65.0, v_thresh=-50.0, tau_refrac=1.0
        ),
    )
    projections = [
        ir.Projection(name="drive", pre=drive, post=post, connector=ir.OneToOne(), weight=30.0, delay=PAIR_DT)
    ]
    for r, (convention, zero_lag) in enumerate(RULES):
        rule = ir.STDP(
            timing=ir.SpikePair(tau_plus=TAU_P, tau_minus=TAU_D, A_plus=a_plus, A_minus=A_MINUS),
            weight=ir.Additive(w_min=0.0, w_max=5.0),
            delay_convention=convention,
            zero_lag=zero_lag,
        )
        view = slice(r * len(LAGS), (r + 1) * len(LAGS))
        projections.append(
            ir.Projection(
                name=f"pair_{convention}",
                pre=pre[view],
                post=post[view],
                connector=ir.OneToOne(),
                weight=W0,
                delay=PAIR_DELAY * PAIR_DT,
                plasticity=rule,
            )
        )
    net = ir.Network(
        populations=(pre, drive, post), projections=tuple(projections), dt=PAIR_DT, name="stdp_pairs"
    )
    return net, pairs


def expected_pair_weight(zero_lag: str, lag: int) -> float:
    if lag > 0 or (lag == 0 and zero_lag == "potentiate"):
        return W0 + A_PLUS * math.exp(-lag * PAIR_DT / TAU_P)
    if lag < 0 or (lag == 0 and zero_lag == "depress"):
        return W0 - A_MINUS * math.exp(lag * PAIR_DT / TAU_D)
    return W0


def check_stdp_pairs(rec, pairs, label: str) -> list[str]:
    tol = tolerance("stdp_pair", label)
    problems = []
    final = rec.weights["run"]
    for convention, zero_lag in RULES:
        got = final[f"pair_{convention}"]
        for k, lag in enumerate(LAGS):
            want = expected_pair_weight(zero_lag, lag)
            if not abs(got[k] - want) <= tol["atol"] + tol["rtol"] * abs(want):
                problems.append(f"{convention}/{zero_lag} lag {lag}: w = {got[k]!r}, expected {want!r}")
    return problems


@functools.cache
def pair_run(variant, broken: bool = False):
    net, pairs = pair_network(A_PLUS * (1 + 1e-6) if broken else A_PLUS)
    return run(variant, net, duration=40.0, record=RecordSpec()), pairs


def test_one_stdp_pair_per_lag_and_convention(variant):
    require(variant, Capability.STDP, Capability.IF_CURR_DELTA, Capability.RECORD_WEIGHTS)
    rec, pairs = pair_run(variant)
    post = rec.spikes["post"]
    assert len(post) == len(pairs) and np.array_equal(np.sort(post.ids), np.arange(len(pairs)))
    assert check_stdp_pairs(rec, pairs, variant.label) == []


def test_broken_variant_fails_the_stdp_pair_oracle(cheap_variant):
    require(cheap_variant, Capability.STDP, Capability.IF_CURR_DELTA, Capability.RECORD_WEIGHTS)
    rec, pairs = pair_run(cheap_variant, broken=True)
    assert check_stdp_pairs(rec, pairs, cheap_variant.label)
