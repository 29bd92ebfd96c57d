"""``NumbaSession``: a simulation continued call after call equals one run, bit for bit, and
changes between calls take effect from the next step."""

from __future__ import annotations

import numpy as np
import pytest

import spikemem
from spikemem import ir
from spikemem.backends.base import Capability
from spikemem.lowering import source_spike_table

from networks import feedforward


def _plastic_network() -> ir.Network:
    stim = ir.Population(name="stim", size=20, cell=ir.SpikeSourcePoisson(rate=50.0, seed=1))
    exc = ir.Population(name="exc", size=30, cell=ir.IF_curr_exp(tau_m=20.0, v_thresh=-50.0))
    rule = ir.STDP(timing=ir.SpikePair(A_plus=0.05, A_minus=0.05), weight=ir.Additive(w_min=0.0, w_max=3.0))
    proj = ir.Projection(
        name="p",
        pre=stim,
        post=exc,
        connector=ir.FixedProbability(p=0.5),
        weight=1.5,
        delay=1.0,
        plasticity=rule,
    )
    return ir.Network(populations=(exc, stim), projections=(proj,), dt=0.1)


@pytest.mark.parametrize("cut", [1, 399, 400, 401])
def test_two_advances_equal_one_run_spikes_state_and_plastic_weights(cut):
    net = _plastic_network()
    record = ir.RecordSpec(state={"exc": ("v", "isyn_exc")}, state_every=3)
    runnable = spikemem.compile(net, backend="numba", seed=3, record=record)
    full = runnable.run(duration=100.0)
    session = runnable.session()
    sources = source_spike_table(net, ir.Schedule.single(100.0), session.layout, 3)
    ids = np.arange(30)
    first = session.advance(cut, sources, ids, every=3)
    second = session.advance(1000 - cut, sources, ids, every=3)
    steps = np.concatenate([first.spike_steps, second.spike_steps])
    gids = np.concatenate([first.spike_ids, second.spike_ids])
    mine = gids < 30
    got = sorted(zip(steps[mine].tolist(), gids[mine].tolist(), strict=True))
    want = sorted(zip(full.spikes["exc"].steps.tolist(), full.spikes["exc"].ids.tolist(), strict=True))
    assert len(want) > 100
    assert got == want
    assert np.array_equal(np.concatenate([first.sample_steps, second.sample_steps]), np.arange(0, 1000, 3))
    assert np.array_equal(np.concatenate([first.v, second.v]), full.state["exc"].values["v"])
    assert np.array_equal(
        np.concatenate([first.isyn_exc, second.isyn_exc]), full.state["exc"].values["isyn_exc"]
    )
    assert np.array_equal(session.weights("p"), full.weights["run"]["p"])
    assert not np.array_equal(session.weights("p"), np.full(session.weights("p").size, 1.5))  # it learned


def test_offset_samples_the_steps_before_each_interval_boundary():
    net = feedforward()
    runnable = spikemem.compile(net, backend="numba", seed=3, record=ir.RecordSpec(state={"exc": ("v",)}))
    full = runnable.run(duration=20.0)
    session = runnable.session()
    sources = source_spike_table(net, ir.Schedule.single(20.0), session.layout, 3)
    offset = runnable.layout.offsets["exc"]
    size = runnable.layout.sizes["exc"]
    result = session.advance(200, sources, np.arange(size) + offset, every=5, offset=4)
    assert result.sample_steps.tolist() == list(range(4, 200, 5))
    assert np.array_equal(result.v, full.state["exc"].values["v"][4::5])


def test_weight_and_parameter_changes_apply_from_the_next_step():
    cell = ir.IF_curr_exp(i_offset=0.0)
    pop = ir.Population(name="n", size=2, cell=cell)
    net = ir.Network(populations=(pop,), dt=0.1)
    runnable = spikemem.compile(net, backend="numba", record=ir.RecordSpec(state={"n": ("v",)}))
    session = runnable.session()
    sources = (np.zeros(2001, np.int64), np.zeros(0, np.int64))
    quiet = session.advance(1000, sources, np.arange(2))
    assert quiet.spike_steps.size == 0 and np.all(quiet.v == -65.0)
    driven = ir.Population(name="n", size=2, cell=ir.IF_curr_exp(i_offset=np.array([0.0, 1.0])))
    session.set_cells(ir.Network(populations=(driven,), dt=0.1))
    after = session.advance(1000, sources, np.arange(2))
    # from rest, 1 nA into 1 nF with tau_m 20 ms crosses -50 mV after 20·ln 4 = 27.73 ms: step 1277
    assert after.spike_ids.tolist()[:1] == [1] and after.spike_steps.tolist()[:1] == [1277]
    assert np.all(after.v[:, 0] == -65.0)
    assert runnable.run(duration=1.0).state["n"].values["v"][0, 1] == -65.0  # the runnable is untouched


def test_capability_and_refusals():
    from spikemem.backends import get_backend

    assert Capability.CONTINUE in get_backend("numba").capabilities
    net = feedforward()
    session = spikemem.compile(net, backend="numba").session()
    sources = (np.zeros(11, np.int64), np.zeros(0, np.int64))
    with pytest.raises(ir.IRValidationError, match="n_steps"):
        session.advance(-1, sources, np.zeros(0, np.int64))
    with pytest.raises(ir.IRValidationError, match="sources"):
        session.advance(20, sources, np.zeros(0, np.int64))
    with pytest.raises(ir.IRValidationError, match="offset"):
        session.advance(5, sources, np.zeros(0, np.int64), every=2, offset=2)
    with pytest.raises(ir.IRValidationError, match="weights"):
        session.set_weights(net.projections[0].name, np.zeros(1))
    single = ir.Network(populations=(ir.Population(name="n", size=1, cell=ir.IF_curr_exp()),), dt=1.0)
    fixed = spikemem.compile(single, backend="numba", numerics="spinnaker-fixed")
    with pytest.raises(ir.UnsupportedFeature, match="CONTINUE"):
        fixed.session()
