"""CA3 network construction: sizes, parameters, variants and the 1-ms time step."""

from __future__ import annotations

import math

import pytest

from spikemem import ir
from spikemem.models import ca3


@pytest.mark.parametrize(
    ("n", "m", "synapses", "plastic"), [(5, 10, 295, 100), (16, 6, 896, 192), (1, 1, 16, 2)]
)
def test_sizes_follow_the_spec(n, m, synapses, plastic):
    params = ca3.Params(n=n, m=m)
    net = ca3.build(params)
    assert [p.name for p in net.populations] == ["IN", *ca3.POPULATIONS, "OUT"]
    assert len(net.projections) == 18
    internal = sum(net.population(name).size for name in ca3.POPULATIONS)
    assert internal == params.n_neurons == 3 * n + 4 * m + 1
    assert sum(ir.resolve(p).pre.size for p in net.projections) == params.n_synapses == synapses
    assert sum(ir.resolve(p).pre.size for p in net.projections if p.plastic) == plastic
    assert [p.name for p in net.projections if p.plastic] == list(ca3.plastic_projection_names())


def test_network_is_clocked_at_1ms_with_spinnaker_numerics():
    net = ca3.build()
    assert net.dt == 1.0 and net.numerics == "spinnaker"


def test_original_stdp_is_the_papers():
    rule = ca3.Params().stdp()
    assert (rule.timing.tau_plus, rule.timing.tau_minus, rule.timing.A_plus, rule.timing.A_minus) == (
        3,
        3,
        6,
        6,
    )
    assert (rule.weight.w_min, rule.weight.w_max) == (0, 6)
    assert (rule.delay_convention, rule.zero_lag, rule.amplitude, rule.clipping) == (
        "dendritic",
        "depress",
        "absolute",
        "per_event",
    )
    assert ca3.Params().plastic_reads is True


def test_improved_variant_defaults_and_overrides():
    params = ca3.Params(variant="improved")
    assert params.tau_plus == params.tau_minus == ca3.IMPROVED_TAU_MS
    # one pair at a lag of 1 ms moves the weight by exactly w_max
    assert params.a_plus * math.exp(-1.0 / params.tau_plus) == pytest.approx(params.w_max)
    assert params.plastic_reads is False
    assert ca3.Params(variant="improved", plastic_reads=True, tau_plus=0.5).tau_plus == 0.5
    assert ca3.build(params).name == "ca3_n5_m10_improved"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("n", 0),
        ("m", -1),
        ("n", 2.0),
        ("m", True),
        ("variant", "better"),
        ("tau_plus", 0.0),
        ("a_minus", float("nan")),
        ("plastic_reads", "no"),
    ],
)
def test_bad_parameters_are_refused(field, value):
    with pytest.raises(ir.IRValidationError, match=field):
        ca3.Params(**{field: value})


@pytest.mark.parametrize("dt", [0.5, 0.1, 2.0, "1"])
def test_other_time_steps_are_refused_with_the_reason(dt):
    with pytest.raises(ir.IRValidationError, match="1-ms clocked design"):
        ca3.build(dt=dt)
    assert ca3.check_dt(1.0) == 1.0 and ca3.check_dt(1) == 1.0


def test_build_refuses_foreign_params():
    with pytest.raises(ir.IRValidationError, match="params"):
        ca3.build({"n": 5})
