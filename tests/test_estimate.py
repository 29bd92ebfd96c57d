"""The offline SpiNNaker estimate (no sPyNNaker needed); its agreement with an actual virtual-board
mapping is tested in ``tests/backends/spinnaker/test_virtual_board.py``."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from click.testing import CliRunner

from spikemem import ir
from spikemem.backends.spinnaker.estimate import estimate_spinnaker, n_bits, ring_buffer_shift
from spikemem.backends.spinnaker.estimate.rules import poisson_upper_bound
from spikemem.models.ca3.experiments import functional_memory
from spikemem.networks.cuba import cuba_network


def two_layer(n_pre=300, n_post=600, weight=0.5, delay=1.0, p=None, rule=None, dt=1.0, receptor="excitatory"):
    pre = ir.Population(name="pre", size=n_pre, cell=ir.SpikeSourcePoisson(rate=10.0, seed=1))
    post = ir.Population(name="post", size=n_post, cell=ir.IF_curr_exp())
    connector = ir.AllToAll() if p is None else ir.FixedProbability(p=p, seed=2)
    projection = ir.Projection(
        name="pre_post",
        pre=pre,
        post=post,
        connector=connector,
        weight=weight,
        delay=delay,
        receptor=receptor,
        plasticity=rule,
    )
    return ir.Network(
        populations=(pre, post), projections=(projection,), dt=dt, numerics="spinnaker", name="two"
    )


def test_cores_chips_and_boards_of_cuba():
    est = estimate_spinnaker(cuba_network(4000, dt=1.0, numerics="spinnaker"), duration=100.0)
    assert (est.n_cores, est.n_chips, est.n_boards_needed, est.fits) == (17, 2, 1, True)
    assert [p.cores for p in est.populations] == [13, 4]
    small = estimate_spinnaker(cuba_network(4000, dt=1.0, numerics="spinnaker"), neurons_per_core=64)
    assert small.n_cores == 50 + 13


def test_split_synapse_cores_below_one_millisecond():
    est = estimate_spinnaker(cuba_network(4000, dt=0.1, numerics="spinnaker"), duration=100.0)
    assert est.split_cores and (est.n_cores, est.n_chips) == (34, 3)
    assert [p.synapse_cores for p in est.populations] == [13, 4]


def test_a_network_too_big_for_a_spinn3_does_not_fit_and_says_why():
    pops = tuple(ir.Population(name=f"p{k}", size=1024, cell=ir.IF_curr_exp()) for k in range(20))
    net = ir.Network(populations=pops, dt=1.0, numerics="spinnaker")
    est = estimate_spinnaker(net, version=3)
    assert not est.fits and (est.n_cores, est.n_chips) == (80, 6)
    assert any("chips" in reason and "SpiNN-5" in reason for reason in est.reasons)
    assert estimate_spinnaker(net, version=5).fits


def test_the_ca3_memory_takes_one_core_per_population():
    memory = functional_memory()
    est = estimate_spinnaker(memory.network(), duration=memory.duration_ms)
    assert est.fits and est.n_cores == 10 and est.n_chips == 1
    p10 = next(q for q in est.projections if q.projection == "p10_CueCue_ContCue")
    assert p10.stdp_steps["A_plus_steps"] > 1000  # 6 nA steps are far above the weight resolution


def test_delay_extensions_and_delays_beyond_them():
    # 256 neurons per core: 2^(14 - 8 - 1) = 32 delay slots
    est = estimate_spinnaker(two_layer(delay=40.0))
    post, pre = est.populations[1], est.populations[0]
    assert post.delay_slots == 32 and post.max_delay_steps == 40
    assert pre.delay_extension_cores == 1 and est.fits
    assert estimate_spinnaker(two_layer(delay=20.0)).populations[0].delay_extension_cores == 0
    too_long = estimate_spinnaker(two_layer(delay=300.0))
    assert not too_long.fits and any("delay extension supports" in r for r in too_long.reasons)


def test_rows_longer_than_the_population_table_allows():
    rule = ir.STDP(weight=ir.Additive(w_max=1.0))
    est = estimate_spinnaker(two_layer(weight=0.5, rule=rule))
    assert not est.fits and any("words per row" in r for r in est.reasons)
    assert estimate_spinnaker(two_layer(weight=0.5, rule=rule), neurons_per_core=128).fits


def test_weight_quantisation_rounds_small_weights_to_zero():
    pre = ir.Population(name="pre", size=100, cell=ir.SpikeSourceArray())
    post = ir.Population(name="post", size=10, cell=ir.IF_curr_exp())
    weights = np.concatenate([np.full(990, 1e-6), np.full(10, 3.0)])
    net = ir.Network(
        populations=(pre, post),
        projections=(
            ir.Projection(name="p", pre=pre, post=post, connector=ir.AllToAll(), weight=weights, delay=1.0),
        ),
        dt=1.0,
    )
    est = estimate_spinnaker(net)
    q = est.projections[0]
    # largest input: 100 synapses x 3 nA = 300 -> shift 9, step 2^-6 nA
    assert q.shift == 9 and q.resolution == 2.0**-6
    assert q.n_round_to_zero == 990 and q.max_relative_error == 0.0
    assert any("round to zero" in w for w in est.warnings)


def test_weight_error_is_below_half_a_step():
    est = estimate_spinnaker(two_layer(weight=0.123456))
    q = est.projections[0]
    assert q.n_round_to_zero == 0 and q.max_abs_error <= q.resolution / 2
    assert q.max_relative_error == pytest.approx(q.max_abs_error / 0.123456)


def test_stdp_steps_below_the_weight_resolution_warn():
    rule = ir.STDP(timing=ir.SpikePair(A_plus=1e-5, A_minus=1e-5), weight=ir.Additive(w_max=20.0))
    est = estimate_spinnaker(two_layer(n_post=100, rule=rule, weight=0.1), neurons_per_core=100)
    assert any("below one weight step" in w for w in est.warnings)


def test_time_step_advice():
    assert any("native step" in a for a in estimate_spinnaker(two_layer(dt=1.0)).advice)
    bad = estimate_spinnaker(two_layer(dt=0.5, delay=0.5))
    assert not bad.fits and any("not a SpiNNaker time step" in r for r in bad.reasons)
    busy = estimate_spinnaker(two_layer(n_pre=2000, n_post=256, p=0.9), rate_hz=100.0, neurons_per_core=256)
    assert busy.recommended_time_scale_factor >= 2
    assert any("time_scale_factor" in w for w in busy.warnings)


def test_sPyNNaker_helpers():  # noqa: N802
    assert [n_bits(n) for n in (0, 1, 2, 3, 4, 256, 257)] == [0, 1, 1, 2, 2, 8, 9]
    assert [ring_buffer_shift(w) for w in (0.0, 0.5, 1.0, 1.5, 2.0, 7.9)] == [0, 0, 1, 1, 2, 3]
    # scipy.special.gammaincc replaced a hand-written incomplete gamma; what that one gave:
    assert poisson_upper_bound(0.5, 0.1, 30.0, 100, 5.0, 10000.0) == pytest.approx(
        1.545431752726183, rel=1e-12
    )
    assert poisson_upper_bound(2.0, 0.0, 50.0, 3200, 5.0, 1000.0) == pytest.approx(
        446.4911064067352, rel=1e-12
    )


def test_bad_arguments_are_refused():
    net = two_layer()
    with pytest.raises(ir.IRValidationError, match="version"):
        estimate_spinnaker(net, version=4)
    with pytest.raises(ir.IRValidationError, match="neurons_per_core"):
        estimate_spinnaker(net, neurons_per_core=300)
    with pytest.raises(ir.IRValidationError, match="time_scale_factor"):
        estimate_spinnaker(net, time_scale_factor=0.5)


def test_json_form_and_summary():
    est = estimate_spinnaker(cuba_network(1000, dt=1.0, numerics="spinnaker"))
    data = json.loads(est.to_json())
    assert data["n_cores"] == est.n_cores and data["populations"][0]["cores"] == 4
    text = est.summary()
    assert "FITS" in text and "exc_exc" in text and math.isfinite(data["projections"][0]["resolution"])


def test_estimate_command(tmp_path):
    from spikemem.cli import main

    config = tmp_path / "net.toml"
    config.write_text(
        '[network]\nname = "ff"\ndt = 1.0\nnumerics = "spinnaker"\n'
        '[[population]]\nname = "src"\nsize = 50\ncell = "SpikeSourcePoisson"\nrate = 10.0\n'
        '[[population]]\nname = "exc"\nsize = 1000\ncell = "IF_curr_exp"\n'
        '[[projection]]\nname = "src_exc"\npre = "src"\npost = "exc"\n'
        'connector = "FixedProbability"\np = 0.1\n'
        "weight = 0.2\ndelay = 1.0\n[run]\nduration = 100.0\n"
    )
    out = tmp_path / "estimate.json"
    result = CliRunner().invoke(main, ["estimate", str(config), "--target", "spinnaker", "--json", str(out)])
    assert result.exit_code == 0, result.output
    assert "FITS" in result.output and json.loads(out.read_text())["n_cores"] == 5
    result = CliRunner().invoke(main, ["estimate", str(config), "--version", "3", "--neurons-per-core", "1"])
    assert result.exit_code == 1 and "DOES NOT FIT" in result.output


def test_neurons_per_core_is_read_as_the_spinnaker_backend_reads_it():
    from spikemem.backends.spinnaker.constraints import check_neurons_per_core, check_time_scale_factor

    net = two_layer(n_pre=1000, n_post=600)
    default = {p.name: p for p in estimate_spinnaker(net).populations}
    assert (default["pre"].neuron_cores, default["post"].neuron_cores) == (1, 3)  # a source on one core
    sliced = {p.name: p for p in estimate_spinnaker(net, neurons_per_core=100).populations}
    assert (sliced["pre"].neuron_cores, sliced["post"].neuron_cores) == (10, 6)  # every population
    only_post = {p.name: p for p in estimate_spinnaker(net, neurons_per_core={"post": 100}).populations}
    assert (only_post["pre"].neuron_cores, only_post["post"].neuron_cores) == (1, 6)
    for bad in (0, 257, True, 1.5, "64", {"nope": 8}, {"pre": 1000}):
        with pytest.raises(ir.IRValidationError, match="neurons_per_core") as by_estimate:
            estimate_spinnaker(net, neurons_per_core=bad)
        with pytest.raises(ir.IRValidationError) as by_backend:
            check_neurons_per_core(net, bad)
        same_rule = str(by_backend.value).removeprefix("spinnaker")
        assert str(by_estimate.value).removeprefix("estimate") == same_rule
    for bad in (0.5, 20_000.0, True, "2"):
        with pytest.raises(ir.IRValidationError, match="time_scale_factor") as by_estimate:
            estimate_spinnaker(net, time_scale_factor=bad)
        with pytest.raises(ir.IRValidationError) as by_backend:
            check_time_scale_factor(bad)
        same_rule = str(by_backend.value).removeprefix("spinnaker")
        assert str(by_estimate.value).removeprefix("estimate") == same_rule
