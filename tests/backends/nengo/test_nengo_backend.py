"""The ``nengo`` backend (Nengo 4 reference simulator): the mapping to normalised LIF units is
checked against the analytic membrane solution and against the reference engine below threshold,
the synaptic currents and delays against the reference step for step, and everything the
mapping cannot express must be refused by name. Statistical agreement on CUBA and on a
feed-forward network is in ``tests/equivalence/test_statistics.py``."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("nengo", reason="the nengo backend needs Nengo: pip install 'spikemem[nengo]'")

import spikemem  # noqa: E402
from spikemem import ir  # noqa: E402
from spikemem.backends import get_backend  # noqa: E402
from spikemem.backends.base import Capability
from spikemem.backends.nengo.lowering import synapse_filter  # noqa: E402
from spikemem.ir import RecordSpec  # noqa: E402
from spikemem.ir.cells import DiscreteLIF  # noqa: E402

STATE = ("v", "isyn_exc", "isyn_inh")


def run(network, backend, duration, record=None, **options):
    runnable = spikemem.compile(
        network, backend=backend, record=record or RecordSpec(), progress=False, **options
    )
    return runnable.run(duration)


def layered(numerics: str = "exact") -> ir.Network:
    """Array source -> ``exc`` (both receptors, delays of 1, 2 and 10 steps, i_offset, v_init)
    -> ``out`` (delay 1 step). Weak enough that ``exc`` fires only late."""
    src = ir.Population(
        name="src", size=3, cell=ir.SpikeSourceArray(times=[5.0, 20.0, 7.3, 30.0, 31.0], ids=[0, 0, 1, 2, 2])
    )
    exc = ir.Population(
        name="exc",
        size=4,
        cell=ir.IF_curr_exp(
            cm=0.5,
            tau_m=12.0,
            v_rest=-65.0,
            v_reset=-70.0,
            v_thresh=-55.0,
            tau_refrac=2.0,
            tau_syn_E=5.0,
            tau_syn_I=10.0,
            i_offset=[0.0, 0.05, 0.1, 0.02],
            v_init=[-65.0, -60.0, -68.0, -66.0],
        ),
    )
    out = ir.Population(
        name="out", size=2, cell=ir.IF_curr_exp(v_rest=-65.0, v_reset=-70.0, v_thresh=-55.0, tau_refrac=2.0)
    )
    return ir.Network(
        populations=(src, exc, out),
        projections=(
            ir.Projection(name="in", pre=src, post=exc, connector=ir.AllToAll(), weight=0.6, delay=1.0),
            ir.Projection(name="in2", pre=src[0:1], post=exc, connector=ir.AllToAll(), weight=0.3, delay=0.2),
            ir.Projection(
                name="inh",
                pre=src,
                post=exc,
                connector=ir.FixedProbability(p=0.5, seed=3),
                weight=0.3,
                delay=0.1,
                receptor="inhibitory",
            ),
            ir.Projection(name="ff", pre=exc, post=out, connector=ir.AllToAll(), weight=8.0, delay=0.1),
        ),
        dt=0.1,
        numerics=numerics,
    )


def test_capabilities_say_what_the_backend_can_do():
    caps = get_backend("nengo").capabilities
    assert {Capability.IF_CURR_EXP, Capability.SPIKE_SOURCE_POISSON, Capability.RECORD_STATE} <= caps
    assert Capability.NUMERICS_STATISTICAL in caps
    for missing in (
        Capability.STDP,
        Capability.IF_CURR_DELTA,
        Capability.DISCRETE_LIF,
        Capability.SPIKE_EXACT,
        Capability.NUMERICS_EXACT,
        Capability.RECORD_WEIGHTS,
    ):
        assert missing not in caps


def test_constant_current_follows_the_analytic_membrane_solution():
    """i_offset only: v(t) = v_rest + R·I·(1 − e^(−t/τ_m)), sampled at the end of each step."""
    cell = ir.IF_curr_exp(cm=0.25, tau_m=10.0, v_rest=-65.0, v_reset=-70.0, v_thresh=-40.0, i_offset=0.5)
    net = ir.Network(populations=(ir.Population(name="n", size=1, cell=cell),), projections=(), dt=0.1)
    rec = run(net, "nengo", 30.0, RecordSpec(state={"n": ("v",)}))
    t = (np.arange(300) + 1) * 0.1
    expected = -65.0 + 0.5 * 10.0 / 0.25 * (1.0 - np.exp(-t / 10.0))
    np.testing.assert_allclose(rec.state["n"].values["v"][:, 0], expected, rtol=1e-12, atol=1e-9)
    assert len(rec.spikes["n"]) == 0  # asymptote −45 mV stays below threshold


@pytest.mark.parametrize("numerics", ["exact", "spinnaker"])
def test_currents_and_subthreshold_membrane_equal_the_reference(numerics):
    """Synaptic currents equal the reference at every step (delays of 1, 2 and 10 steps, both
    receptors); the membrane equals it until the first refractory period ends; the first
    spike of every neuron falls in the same step."""
    net = layered(numerics)
    record = RecordSpec(state={"exc": STATE, "out": ("v",)})
    ref, got = run(net, "numba", 60.0, record), run(net, "nengo", 60.0, record)
    for var in ("isyn_exc", "isyn_inh"):
        values = ref.state["exc"].values[var]
        assert np.abs(values).max() > 0.1
        np.testing.assert_allclose(got.state["exc"].values[var], values, rtol=1e-12, atol=1e-12)
    first = ref.spikes["exc"].steps.min()
    np.testing.assert_allclose(
        got.state["exc"].values["v"][: first + 1], ref.state["exc"].values["v"][: first + 1], atol=1e-9
    )
    for name in ("exc", "out"):
        assert len(ref.spikes[name]) > 0
        for neuron in np.unique(ref.spikes[name].ids):
            mine = ref.spikes[name].steps[ref.spikes[name].ids == neuron]
            theirs = got.spikes[name].steps[got.spikes[name].ids == neuron]
            assert theirs.size and theirs[0] == mine[0], (name, neuron)


def test_source_spike_reaches_the_current_after_its_delay():
    """One spike at 5 ms onto three targets with delays of 1, 2 and 10 steps: the current
    jumps by the weight exactly at step 50 + d (where the reference delivers it)."""
    src = ir.Population(name="src", size=1, cell=ir.SpikeSourceArray(times=[5.0], ids=[0]))
    post = ir.Population(name="post", size=3, cell=ir.IF_curr_exp(tau_syn_E=4.0))
    projections = tuple(
        ir.Projection(
            name=f"d{d}", pre=src, post=post[k : k + 1], connector=ir.AllToAll(), weight=0.8, delay=0.1 * d
        )
        for k, d in enumerate((1, 2, 10))
    )
    net = ir.Network(populations=(src, post), projections=projections, dt=0.1)
    current = (
        run(net, "nengo", 10.0, RecordSpec(state={"post": ("isyn_exc",)})).state["post"].values["isyn_exc"]
    )
    for k, d in enumerate((1, 2, 10)):
        arrival = 50 + d
        assert np.all(current[:arrival, k] == 0.0)
        # at the end of the arrival step the jump has decayed over one step
        assert current[arrival, k] == pytest.approx(0.8 * np.exp(-0.1 / 4.0), rel=1e-12)


def test_schedule_stimuli_and_phases():
    src = ir.Population(name="src", size=2, cell=ir.SpikeSourceArray())
    post = ir.Population(name="post", size=2, cell=ir.IF_curr_exp(tau_refrac=1.0))
    net = ir.Network(
        populations=(src, post),
        projections=(ir.Projection(name="p", pre=src, post=post, connector=ir.OneToOne(), weight=5.0),),
        dt=0.1,
    )
    schedule = ir.Schedule(
        phases=(
            ir.Phase(name="quiet", duration=10.0),
            ir.Phase(
                name="kick", duration=10.0, stimuli=(ir.Stimulus(population="src", times=[1.0], ids=[1]),)
            ),
        )
    )
    ref = spikemem.compile(net, schedule, backend="numba", progress=False).run()
    got = spikemem.compile(net, schedule, backend="nengo").run()
    assert [(p.name, p.start_step, p.stop_step) for p in got.phases] == [
        ("quiet", 0, 100),
        ("kick", 100, 200),
    ]
    assert got.spikes["src"].steps.tolist() == [110]
    assert got.spikes["post"].ids.tolist() == [1]
    assert got.spikes["post"].steps.tolist() == ref.spikes["post"].steps.tolist()


def test_same_seed_gives_identical_spikes():
    net = ir.Network(
        populations=(
            pois := ir.Population(name="pois", size=30, cell=ir.SpikeSourcePoisson(rate=40.0)),
            post := ir.Population(name="post", size=10, cell=ir.IF_curr_exp(v_thresh=-60.0)),
        ),
        projections=(
            ir.Projection(name="p", pre=pois, post=post, connector=ir.FixedProbability(p=0.5), weight=0.4),
        ),
        dt=0.1,
    )
    a, b = run(net, "nengo", 200.0, seed=4), run(net, "nengo", 200.0, seed=4)
    c = run(net, "nengo", 200.0, seed=5)
    assert len(a.spikes["post"]) > 10
    assert a.spikes["post"].steps.tolist() == b.spikes["post"].steps.tolist()
    assert a.spikes["post"].ids.tolist() == b.spikes["post"].ids.tolist()
    assert a.spikes["pois"].steps.tolist() != c.spikes["pois"].steps.tolist()
    # the Poisson sources are the reference engine's draws
    ref = run(net, "numba", 200.0, seed=4)
    assert ref.spikes["pois"].steps.tolist() == a.spikes["pois"].steps.tolist()


def test_synapse_filters():
    kind, args, scale = synapse_filter(0.9, 1)
    assert (kind, scale) == ("lowpass", pytest.approx(10.0))
    assert synapse_filter(0.9, 3)[:2] == ("linear", ((1.0,), (1.0, -0.9, 0.0, 0.0)))
    with pytest.raises(ValueError, match="delay_steps"):
        synapse_filter(0.9, 0)


def _one(cell, name="a"):
    return ir.Population(name=name, size=3, cell=cell)


@pytest.mark.parametrize(
    "network, match",
    [
        (
            lambda: ir.Network(populations=(_one(ir.IF_curr_delta()),), projections=()),
            "IF_curr_delta",
        ),
        (lambda: ir.Network(populations=(_one(DiscreteLIF()),), projections=()), "DiscreteLIF"),
        (
            lambda: ir.Network(populations=(_one(ir.IF_curr_exp(tau_m=[10.0, 12.0, 10.0])),), projections=()),
            "tau_m varying within population 'a'",
        ),
        (
            lambda: ir.Network(
                populations=(_one(ir.IF_curr_exp(tau_syn_I=[5.0, 5.0, 6.0])),), projections=()
            ),
            "tau_syn_I varying",
        ),
    ],
)
def test_unsupported_constructs_are_refused_by_name(network, match):
    with pytest.raises(ir.UnsupportedFeature, match=match):
        spikemem.compile(network(), backend="nengo")


def test_stdp_is_refused():
    a, b = _one(ir.SpikeSourcePoisson(rate=5.0)), _one(ir.IF_curr_exp(), "b")
    stdp = ir.STDP(timing=ir.SpikePair(), weight=ir.Additive(w_min=0.0, w_max=1.0))
    net = ir.Network(
        populations=(a, b),
        projections=(
            ir.Projection(name="p", pre=a, post=b, connector=ir.AllToAll(), weight=0.1, plasticity=stdp),
        ),
    )
    with pytest.raises(ir.UnsupportedFeature, match="STDP on projection 'p'"):
        spikemem.compile(net, backend="nengo")


def test_bad_options_name_the_parameter():
    net = layered()
    with pytest.raises(ir.IRValidationError, match="progress"):
        spikemem.compile(net, backend="nengo", progress="yes")
    with pytest.raises(ir.IRValidationError, match="numerics"):
        spikemem.compile(net, backend="nengo", numerics="euler")
    with pytest.raises(ir.IRValidationError, match="duration"):
        spikemem.compile(net, backend="nengo").run()


def test_recording_metadata():
    rec = run(layered(), "nengo", 20.0)
    assert rec.meta["backend"] == "nengo"
    assert rec.meta["versions"]["nengo"].startswith("4.")
    assert rec.meta["duration_ms"] == pytest.approx(20.0)
    assert set(rec.populations) == {"src", "exc", "out"}
    assert rec.weights == {}
