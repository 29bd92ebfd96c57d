"""Numba engine against closed-form solutions of the LIF equations.

Convention under test (see ``spikemem.backends.numba.kernels``): the state sampled at step ``k``
is the state at the end of that step, i.e. at time ``(k + 1)·dt``; input delivered at step
``a`` makes the synaptic current jump at time ``a·dt``.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import spikemem
from spikemem import ir
from spikemem.ir import RecordSpec

TAU_M, CM, V_REST = 20.0, 0.5, -65.0


def _run_single(cell, *, dt, duration, inputs=(), numerics="exact", weight=1.0, delay=None, receptor="excitatory"):
    """One neuron (``cell``) fed by an optional spike source; returns the Recording."""
    pops = [ir.Population(name="n", size=1, cell=cell)]
    projs = []
    if inputs:
        src = ir.Population(name="src", size=1, cell=ir.SpikeSourceArray(times=list(inputs), ids=[0] * len(inputs)))
        pops.append(src)
        projs.append(
            ir.Projection(
                name="in", pre=src, post=pops[0], connector=ir.OneToOne(), weight=weight,
                delay=dt if delay is None else delay, receptor=receptor,
            )
        )
    net = ir.Network(populations=tuple(pops), projections=tuple(projs), dt=dt, numerics=numerics)
    record = RecordSpec(state={"n": cell.state_variables})
    return spikemem.compile(net, backend="numba", record=record).run(duration=duration)


@pytest.mark.parametrize("dt", [0.1, 2.0**-4])
def test_constant_current_trace_matches_exact_solution(dt):
    i_offset = 0.4  # nA; R·I = 16 mV, threshold out of reach
    cell = ir.IF_curr_exp(cm=CM, tau_m=TAU_M, v_rest=V_REST, v_thresh=0.0, v_reset=-70.0, i_offset=i_offset)
    rec = _run_single(cell, dt=dt, duration=50.0)
    trace = rec.state["n"]
    t = (trace.steps + 1) * dt
    expected = V_REST + i_offset * TAU_M / CM * (1.0 - np.exp(-t / TAU_M))
    np.testing.assert_allclose(trace.values["v"][:, 0], expected, rtol=1e-12, atol=0)


@pytest.mark.parametrize("dt", [0.1, 2.0**-4])
def test_first_spike_in_the_analytic_step(dt):
    i_offset, v_thresh = 0.5, -50.0  # R·I = 20 mV > 15 mV to threshold
    cell = ir.IF_curr_exp(cm=CM, tau_m=TAU_M, v_rest=V_REST, v_thresh=v_thresh, v_reset=-70.0, i_offset=i_offset, tau_refrac=2.0)
    rec = _run_single(cell, dt=dt, duration=60.0)
    t_cross = -TAU_M * math.log(1.0 - (v_thresh - V_REST) / (i_offset * TAU_M / CM))  # 27.73 ms
    # the spike is reported in the step whose update crossed the threshold: (k, k+1]·dt ∋ t_cross
    expected_step = math.ceil(t_cross / dt) - 1
    assert rec.spikes["n"].steps[0] == expected_step


@pytest.mark.parametrize("dt", [0.1, 2.0**-4])
def test_single_psp_matches_exact_solution(dt):
    tau_s, w, t_in, d = 2.0, 1.5, 1.0, 1.0
    cell = ir.IF_curr_exp(cm=CM, tau_m=TAU_M, v_rest=V_REST, v_thresh=0.0, v_reset=-70.0, tau_syn_E=tau_s)
    rec = _run_single(cell, dt=dt, duration=40.0, inputs=[t_in], weight=w, delay=d)
    trace = rec.state["n"]
    arrival = t_in + d
    t = (trace.steps + 1) * dt - arrival
    psp = w * tau_s * TAU_M / (CM * (tau_s - TAU_M)) * (np.exp(-t / tau_s) - np.exp(-t / TAU_M))
    expected = np.where(t > 0, V_REST + psp, V_REST)
    np.testing.assert_allclose(trace.values["v"][:, 0], expected, rtol=1e-12, atol=1e-12)
    assert trace.values["v"][trace.steps == round(arrival / dt) - 1, 0][0] == V_REST


def test_singular_propagator_tau_syn_equal_tau_m_is_finite_and_continuous():
    dt, w = 0.1, 2.0
    traces = {}
    for tau_s in (TAU_M * (1 - 1e-7), TAU_M, TAU_M * (1 + 1e-7)):
        cell = ir.IF_curr_exp(cm=CM, tau_m=TAU_M, v_rest=V_REST, v_thresh=0.0, v_reset=-70.0, tau_syn_E=tau_s)
        rec = _run_single(cell, dt=dt, duration=60.0, inputs=[0.0], weight=w, delay=dt)
        traces[tau_s] = rec.state["n"].values["v"][:, 0]
        assert np.all(np.isfinite(traces[tau_s]))
    singular = traces[TAU_M]
    t = (np.arange(singular.size) + 1) * dt - dt
    limit = V_REST + w / CM * t * np.exp(-t / TAU_M)  # lim tau_s -> tau_m of the PSP
    np.testing.assert_allclose(singular, limit, rtol=1e-12, atol=1e-12)
    for tau_s, trace in traces.items():
        np.testing.assert_allclose(trace, singular, rtol=0, atol=1e-5)


def test_spinnaker_numerics_hand_computed_five_steps():
    """CA3 type-A cell, one spike of 2 nA at t = 0 with delay 1 ms (spec §5.1), dt = 1 ms."""
    cell = ir.IF_curr_exp(cm=0.27, tau_m=3.0, v_rest=-60.0, v_reset=-60.0, v_thresh=-57.0, tau_refrac=1.0, tau_syn_E=0.3, tau_syn_I=0.3)
    rec = _run_single(cell, dt=1.0, duration=6.0, inputs=[0.0], weight=2.0, delay=1.0, numerics="spinnaker")
    init = 0.3 * (1 - math.exp(-1 / 0.3))  # 0.28930
    e_m, e_s = math.exp(-1 / 3.0), math.exp(-1 / 0.3)
    r = 3.0 / 0.27
    v, i_syn, expected_v, expected_i = -60.0, 0.0, [], []
    arrivals = {1: 2.0}
    for step in range(6):  # steps 0..5, by the four rules of spec §5.1
        i_syn += init * arrivals.get(step, 0.0)
        v_inf = -60.0 + i_syn * r
        v = v_inf - e_m * (v_inf - v)
        i_syn *= e_s
        expected_v.append(v)
        expected_i.append(i_syn)
    got = rec.state["n"].values
    np.testing.assert_allclose(got["v"][:, 0], expected_v, rtol=1e-13, atol=1e-12)
    np.testing.assert_allclose(got["isyn_exc"][:, 0], expected_i, rtol=1e-13, atol=1e-15)
    # the explicit numbers of the spec: a 2 nA spike raises V by 2·0.911 mV in its step
    assert got["v"][1, 0] == pytest.approx(-60.0 + 2 * 0.911, abs=2e-3)
    assert got["v"][0, 0] == -60.0
    assert len(rec.spikes["n"]) == 0


def test_spinnaker_refractory_counter_two_step_spacing():
    """Inputs at 60, 61, 62 ms (6 nA, delay 1) give spikes at 61 and 63 (spec §5.1 rule 3)."""
    cell = ir.IF_curr_exp(cm=0.27, tau_m=3.0, v_rest=-60.0, v_reset=-60.0, v_thresh=-57.0, tau_refrac=1.0, tau_syn_E=0.3, tau_syn_I=0.3)
    rec = _run_single(cell, dt=1.0, duration=70.0, inputs=[60.0, 61.0, 62.0], weight=6.0, delay=1.0, numerics="spinnaker")
    assert rec.spikes["n"].steps.tolist() == [61, 63]


def test_exact_refractory_period_freezes_round_tau_over_dt_steps():
    dt, tau_refrac = 0.1, 2.0
    cell = ir.IF_curr_exp(cm=CM, tau_m=TAU_M, v_rest=V_REST, v_thresh=-50.0, v_reset=-70.0, i_offset=0.5, tau_refrac=tau_refrac)
    rec = _run_single(cell, dt=dt, duration=80.0)
    steps = rec.spikes["n"].steps
    first = int(steps[0])
    v = rec.state["n"].values["v"][:, 0]
    frozen = round(tau_refrac / dt)
    assert np.all(v[first : first + frozen + 1] == -70.0)
    assert v[first + frozen + 1] > -70.0
    # after the reset, the next crossing is the analytic time from v_reset plus the frozen steps
    t_cross = -TAU_M * math.log((0.5 * TAU_M / CM - (-50.0 - V_REST)) / (0.5 * TAU_M / CM - (-70.0 - V_REST)))
    assert steps[1] - steps[0] == frozen + math.ceil(t_cross / dt - 1e-9)


@pytest.mark.parametrize("numerics", ["exact", "spinnaker"])
@pytest.mark.parametrize("delay_steps", [1, 3, 17])
def test_delay_is_felt_exactly_delay_steps_later(numerics, delay_steps):
    """A delta-synapse jump sent at step s with delay d changes V in step s + d, not before: by
    w mV (exact), or by w·(tau_m/cm)(1 − e^(−dt/tau_m))/dt (spinnaker: sPyNNaker's delta input is
    a current w/dt held for one step)."""
    dt, s = 0.25, 8
    cell = ir.IF_curr_delta(cm=CM, tau_m=TAU_M, v_rest=V_REST, v_thresh=0.0, v_reset=-70.0)
    rec = _run_single(cell, dt=dt, duration=12.0, inputs=[s * dt], weight=2.0, delay=delay_steps * dt, numerics=numerics)
    v = rec.state["n"].values["v"][:, 0]
    changed = np.flatnonzero(v != V_REST)
    assert changed[0] == s + delay_steps
    jump = 2.0 if numerics == "exact" else 2.0 * (TAU_M / CM) * (1 - math.exp(-dt / TAU_M)) / dt
    assert v[s + delay_steps] == pytest.approx(V_REST + jump, abs=1e-12)


def test_neuron_to_neuron_delay():
    dt = 1.0
    driver = ir.Population(name="src", size=1, cell=ir.SpikeSourceArray(times=[5.0], ids=[0]))
    relay_cell = ir.IF_curr_delta(cm=1.0, tau_m=10.0, v_rest=-65.0, v_reset=-65.0, v_thresh=-60.0)
    a = ir.Population(name="a", size=1, cell=relay_cell)
    b = ir.Population(name="b", size=1, cell=relay_cell)
    net = ir.Network(
        populations=(driver, a, b),
        projections=(
            ir.Projection(name="src_a", pre=driver, post=a, connector=ir.OneToOne(), weight=10.0, delay=2.0),
            ir.Projection(name="a_b", pre=a, post=b, connector=ir.OneToOne(), weight=10.0, delay=3.0),
        ),
        dt=dt,
    )
    rec = spikemem.compile(net).run(duration=20.0)
    assert rec.spikes["a"].steps.tolist() == [7]
    assert rec.spikes["b"].steps.tolist() == [10]


def test_inhibitory_receptor_lowers_v():
    cell = ir.IF_curr_exp(cm=CM, tau_m=TAU_M, v_rest=V_REST, v_thresh=0.0, v_reset=-70.0, tau_syn_I=3.0)
    rec = _run_single(cell, dt=0.1, duration=20.0, inputs=[1.0], weight=1.0, delay=1.0, receptor="inhibitory")
    v = rec.state["n"].values["v"][:, 0]
    assert v.min() < V_REST - 0.1
    assert np.all(v <= V_REST)


def test_off_grid_delays_round_half_up_with_one_warning():
    dt = 0.1
    src = ir.Population(name="src", size=1, cell=ir.SpikeSourceArray(times=[0.0], ids=[0]))
    cell = ir.IF_curr_delta(cm=CM, tau_m=TAU_M, v_rest=V_REST, v_thresh=0.0, v_reset=-70.0)
    posts = [ir.Population(name=f"n{k}", size=1, cell=cell) for k in range(3)]
    delays = (0.25, 0.33, 0.149)  # -> 3 steps (half up), 3 steps, 1 step
    net = ir.Network(
        populations=(src, *posts),
        projections=tuple(
            ir.Projection(name=f"p{k}", pre=src, post=post, connector=ir.OneToOne(), weight=1.0, delay=d)
            for k, (post, d) in enumerate(zip(posts, delays))
        ),
        dt=dt,
    )
    with pytest.warns(RuntimeWarning) as caught:
        runnable = spikemem.compile(net, record=RecordSpec(state={p.name: ("v",) for p in posts}))
    messages = [str(w.message) for w in caught if "rounded" in str(w.message)]
    assert len(messages) == 1
    assert "0.05 ms" in messages[0] and "p0" in messages[0]  # |0.3 - 0.25| is the largest error
    rec = runnable.run(duration=1.0)
    first_change = [int(np.flatnonzero(rec.state[p.name].values["v"][:, 0] != V_REST)[0]) for p in posts]
    assert first_change == [3, 3, 1]
