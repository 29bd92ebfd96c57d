"""The NEST dialect of the shared PyNN lowering, checked without NEST: delays, time offsets, signs,
STDP amplitudes and the constructs NEST refuses."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from spikemem import ir
from spikemem.backends.nest.engine import tics_per_ms
from spikemem.backends.pynn.lowering import NEST, lower_network
from spikemem.ir import RecordSpec


def lower(network, duration=20.0, record=None, stdp_exact=True):
    return lower_network(
        network,
        ir.Schedule.single(duration),
        dialect=NEST,
        dt=network.dt,
        numerics="exact",
        seed=0,
        record=record or RecordSpec(),
        stdp_exact=stdp_exact,
    )


def chain(
    delay_steps=3, dt=0.1, post_cell=None, source_delay=1, receptor="excitatory", rule=None, times=(1.0,)
):
    src = ir.Population(name="src", size=1, cell=ir.SpikeSourceArray(times=list(times), ids=[0] * len(times)))
    a = ir.Population(name="a", size=2, cell=ir.IF_curr_exp())
    b = ir.Population(name="b", size=2, cell=post_cell or ir.IF_curr_exp())
    projections = (
        ir.Projection(
            name="src_a", pre=src, post=a, connector=ir.AllToAll(), weight=2.0, delay=source_delay * dt
        ),
        ir.Projection(
            name="a_b",
            pre=a,
            post=b,
            connector=ir.OneToOne(),
            weight=0.5,
            delay=delay_steps * dt,
            receptor=receptor,
            plasticity=rule,
        ),
    )
    return ir.Network(populations=(src, a, b), projections=projections, dt=dt, name="chain")


def test_delays_shift_by_presynaptic_kind_and_target_cell():
    plan = lower(chain(delay_steps=3, source_delay=2))
    by_name = {p.name: p for p in plan.projections}
    assert by_name["src_a"].sim_delay_steps.tolist() == [2, 2]  # source -> exp: d
    assert by_name["a_b"].sim_delay_steps.tolist() == [2, 2]  # neuron -> exp: d - 1
    plan = lower(chain(delay_steps=3, post_cell=ir.IF_curr_delta(), source_delay=2))
    assert {p.name: p.sim_delay_steps.tolist()[0] for p in plan.projections} == {"src_a": 2, "a_b": 3}
    src = ir.Population(name="src", size=1, cell=ir.SpikeSourceArray(times=[1.0], ids=[0]))
    d = ir.Population(name="d", size=1, cell=ir.IF_curr_delta())
    net = ir.Network(
        populations=(src, d),
        projections=(
            ir.Projection(name="s_d", pre=src, post=d, connector=ir.OneToOne(), weight=1.0, delay=0.2),
        ),
        dt=0.1,
    )
    assert lower(net).projections[0].sim_delay_steps.tolist() == [3]  # source -> delta: d + 1


def test_one_step_neuron_delay_onto_exp_cells_is_one_step_late_with_a_warning():
    with pytest.warns(RuntimeWarning, match="one step later"):
        plan = lower(chain(delay_steps=1))
    assert plan.projections[1].sim_delay_steps.tolist() == [1, 1]
    assert any("one step later" in note for note in plan.notes)


def test_native_connectors_carry_scalar_weight_delay_and_sign():
    plan = lower(chain(delay_steps=4, receptor="inhibitory"))
    src_a, a_b = plan.projections
    assert src_a.connector.kind == "AllToAll" and src_a.synapse.weight == 2.0
    assert a_b.connector.kind == "OneToOne"
    assert a_b.synapse.weight == -0.5  # pyNN.nest wants negative current-based inhibitory weights
    assert a_b.synapse.delay == pytest.approx(0.3)
    assert a_b.pre_ids.tolist() == [0, 1] and a_b.post_ids.tolist() == [0, 1]


def test_random_connectors_and_views_become_explicit_lists():
    src = ir.Population(name="src", size=5, cell=ir.SpikeSourceArray())
    a = ir.Population(name="a", size=6, cell=ir.IF_curr_exp())
    net = ir.Network(
        populations=(src, a),
        projections=(
            ir.Projection(
                name="p",
                pre=src,
                post=a,
                connector=ir.FixedProbability(p=0.5, seed=3),
                weight=0.2,
                delay=0.5,
                receptor="inhibitory",
            ),
            ir.Projection(
                name="v", pre=src[1:3], post=a[[5, 0]], connector=ir.OneToOne(), weight=0.1, delay=0.2
            ),
            ir.Projection(
                name="x",
                pre=src,
                post=a[0:5],
                connector=ir.AllToAll(allow_self_connections=False),
                weight=0.1,
                delay=0.2,
            ),
        ),
        dt=0.1,
    )
    p, v, x = lower(net).projections
    syn = ir.resolve(net.projections[0], 0)
    assert p.connector.kind == "FromList"
    assert np.array_equal(p.connector.rows[:, 0], syn.pre) and np.array_equal(
        p.connector.rows[:, 1], syn.post
    )
    assert np.all(p.connector.rows[:, 2] == -0.2) and np.allclose(p.connector.rows[:, 3], 0.5)
    assert v.connector.rows[:, :2].tolist() == [[1, 5], [2, 0]]
    assert x.connector.kind == "FromList" and x.size == 20  # i == j dropped between two populations


def test_source_spikes_are_the_references_and_early_ones_move_to_step_two():
    times = [0.0, 0.1, 0.25, 3.0]
    with pytest.warns(RuntimeWarning, match="moved to t = 0.2 ms"):
        plan = lower(chain(times=times))
    assert plan.population("src").spike_times[0].tolist() == [0.2, 0.3, 3.0]  # 0.25 rounds half up


def test_poisson_sources_replay_the_reference_spikes():
    from spikemem.lowering import flatten, source_spikes

    src = ir.Population(name="p", size=20, cell=ir.SpikeSourcePoisson(rate=200.0, start=1.0, seed=4))
    a = ir.Population(name="a", size=1, cell=ir.IF_curr_exp())
    net = ir.Network(
        populations=(src, a),
        projections=(
            ir.Projection(name="p_a", pre=src, post=a, connector=ir.AllToAll(), weight=0.1, delay=0.1),
        ),
        dt=0.1,
    )
    plan = lower(net, duration=50.0)
    steps, gids = source_spikes(net, ir.Schedule.single(50.0), flatten(net, 0.1, "exact", 0, backend="t"), 0)
    total = sum(t.size for t in plan.population("p").spike_times)
    assert total == steps.size > 50


def test_cell_parameters_keep_pynn_names_and_units():
    cell = ir.IF_curr_exp(cm=0.3, tau_m=np.array([10.0, 12.0]), v_init=-61.0)
    a = ir.Population(name="a", size=2, cell=cell)
    plan = lower(ir.Network(populations=(a,), dt=0.1))
    pop = plan.population("a")
    assert pop.model == "IF_curr_exp" and pop.parameters["cm"] == 0.3
    assert pop.parameters["tau_m"].tolist() == [10.0, 12.0] and pop.initial == {"v": -61.0}


def _rule(zero_lag="ignore", w_min=0.0, **kw):
    return ir.STDP(
        timing=ir.SpikePair(tau_plus=10.0, tau_minus=15.0, A_plus=0.2, A_minus=0.1),
        weight=ir.Additive(w_min=w_min, w_max=2.0),
        zero_lag=zero_lag,
        **kw,
    )


def test_stdp_exact_when_nest_reproduces_the_rule():
    plan = lower(chain(delay_steps=2, post_cell=ir.IF_curr_delta(), rule=_rule()))
    syn = plan.projections[1].synapse
    assert syn.kind == "stdp" and syn.dependence == "additive"
    # PyNN/NEST amplitudes are fractions of w_max
    assert syn.timing == {
        "tau_plus": 10.0,
        "tau_minus": 15.0,
        "A_plus": pytest.approx(0.1),
        "A_minus": pytest.approx(0.05),
    }
    # pyNN.nest scales w_max by 1000 although IF_curr_delta weights are mV: passed pre-divided
    assert syn.bounds == {"w_min": 0.0, "w_max": pytest.approx(2.0e-3)}
    assert plan.projections[1].weight_unit == 1e-3 and plan.projections[0].weight_unit == 1.0


@pytest.mark.parametrize(
    "post_cell, zero_lag, match",
    [
        (ir.IF_curr_exp(), "ignore", r"Δ -1 step"),
        (ir.IF_curr_delta(), "depress", "zero_lag='depress'"),
    ],
)
def test_stdp_nest_cannot_reproduce_is_refused_unless_approximate(post_cell, zero_lag, match):
    net = chain(delay_steps=2, post_cell=post_cell, rule=_rule(zero_lag))
    with pytest.raises(ir.UnsupportedFeature, match=match):
        lower(net)
    with pytest.warns(RuntimeWarning, match=match):
        assert lower(net, stdp_exact=False).projections[1].plastic


@pytest.mark.parametrize(
    "rule, match",
    [
        (_rule(w_min=0.1), "w_min"),
        (_rule(delay_convention="axonal"), "delay_convention"),
        (_rule(clipping="end_of_phase"), "clipping"),
    ],
)
def test_stdp_constructs_nest_lacks_raise(rule, match):
    with pytest.raises(ir.UnsupportedFeature, match=match):
        lower(chain(delay_steps=2, post_cell=ir.IF_curr_delta(), rule=rule), stdp_exact=False)


def test_inhibitory_stdp_is_refused():
    with pytest.raises(ir.UnsupportedFeature, match="inhibitory"):
        lower(chain(delay_steps=2, post_cell=ir.IF_curr_delta(), rule=_rule(), receptor="inhibitory"))


def test_compile_refuses_spinnaker_numerics_and_names_alternatives():
    pytest.importorskip("nest")
    import spikemem

    with pytest.raises(ir.UnsupportedFeature, match="numerics 'spinnaker'") as info:
        spikemem.compile(chain(), backend="nest", numerics="spinnaker")
    assert "numba" in info.value.alternatives


def test_compile_refuses_two_tau_minus_onto_one_population():
    pytest.importorskip("nest")
    import spikemem

    net = chain(delay_steps=2, post_cell=ir.IF_curr_delta(), rule=_rule())
    other = ir.STDP(
        timing=ir.SpikePair(tau_plus=10.0, tau_minus=5.0), weight=ir.Additive(w_max=2.0), zero_lag="ignore"
    )
    extra = ir.Projection(
        name="a_b2",
        pre=net.population("a"),
        post=net.population("b"),
        connector=ir.AllToAll(),
        weight=0.1,
        delay=0.2,
        plasticity=other,
    )
    net = ir.Network(populations=net.populations, projections=net.projections + (extra,), dt=0.1)
    with pytest.raises(ir.UnsupportedFeature, match="tau_minus"):
        spikemem.compile(net, backend="nest")


def test_tics_per_ms_for_decimal_and_dyadic_steps():
    assert tics_per_ms(0.1) == 1000.0
    assert tics_per_ms(1.0) == 1000.0
    assert tics_per_ms(2.0**-4) == 16.0
    with warnings.catch_warnings():
        with pytest.raises(ir.UnsupportedFeature, match="tics"):
            tics_per_ms(1.0 / 3.0)
