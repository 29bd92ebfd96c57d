"""``connectivity="native"``: the engines draw the random connectors themselves.

Statistical agreement with the reference (Numba, the host's synapses) on ten CUBA networks of
1000 neurons (rates, ISI CV, ISI KS within :data:`spikemem.verify.TOLERANCES`), one network per seed,
synapse counts within binomial bounds (or exact for the fixed-number connectors), determinism
for one seed, and clear refusals of what a natively drawn projection cannot carry.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import warnings

import numpy as np
import pytest

import spikemem
from spikemem import ir
from spikemem.backends import available_backends
from spikemem.backends.base import Capability
from spikemem.ir import IRValidationError, RecordSpec, UnsupportedFeature
from spikemem.networks import cuba_network
from spikemem.verify import REFERENCE, Sample, compare_statistics, verify

from .variants import require, run

SEEDS = tuple(range(1, 11))
N, P, DURATION = 1000, 0.05, 1000.0


def installed(name: str) -> bool:
    return not isinstance(available_backends().get(name, ImportError()), Exception)


@functools.cache
def cuba_runs(variant, connectivity: str) -> tuple:
    """One 1000-neuron CUBA network per seed (network and compile seed ``s``): ten compilations
    of the same structure, so that Brian2's compiled code objects are reused."""
    return tuple(
        run(
            variant,
            cuba_network(n=N, p=P, seed=s),
            duration=DURATION,
            seed=s,
            record=RecordSpec(weights=False),
            connectivity=connectivity,
        )
        for s in SEEDS
    )


@pytest.mark.parametrize("population", ["exc", "inh"])
def test_native_cuba_statistics_agree_with_the_reference(cheap_variant, population):
    variant = cheap_variant
    require(variant, Capability.NATIVE_CONNECTIVITY, Capability.IF_CURR_EXP, Capability.NUMERICS_EXACT)
    references, candidates = cuba_runs(REFERENCE, "resolved"), cuba_runs(variant, "native")
    size = references[0].populations[population]
    agreement = compare_statistics(
        [Sample(r.spikes[population], size, DURATION) for r in references],
        [Sample(c.spikes[population], size, DURATION) for c in candidates],
        variant.label,
    )
    assert agreement.rate[0] > 1.0, agreement.summary()
    assert agreement.passed, agreement.summary()
    assert all(c.meta["connectivity"] == "native" for c in candidates)
    if variant.backend != REFERENCE.backend:  # the engine drew its own synapses: counts near p·pairs
        n_exc = round(0.8 * N)
        counts = [c.meta["native_synapses"]["exc_exc"] for c in candidates]
        assert all(binomial_ok(count, n_exc * n_exc, P) for count in counts), counts
        assert len(set(counts)) > 1, counts  # each seed draws its own synapses


def test_numba_native_is_the_resolved_connectivity():
    net = cuba_network(n=500, p=0.05, seed=3)
    a = spikemem.compile(net, backend="numba", seed=2, progress=False).run(100.0)
    b = spikemem.compile(net, backend="numba", seed=2, connectivity="native", progress=False).run(100.0)
    for name in a.spikes:
        assert np.array_equal(a.spikes[name].steps, b.spikes[name].steps)
        assert np.array_equal(a.spikes[name].ids, b.spikes[name].ids)
    assert a.spike_count() > 0 and b.meta["connectivity"] == "native" and a.meta["connectivity"] == "resolved"


def test_bad_connectivity_names_the_option():
    with pytest.raises(IRValidationError, match="connectivity"):
        spikemem.compile(cuba_network(n=100), backend="numba", connectivity="device")


# --------------------------------------------------------------------------- synapse counts


def two_populations(connector, *, same: bool = False, **projection) -> ir.Network:
    cell = ir.IF_curr_exp()
    a = ir.Population(name="a", size=200, cell=cell)
    b = a if same else ir.Population(name="b", size=300, cell=cell)
    values = {"weight": 0.1, "delay": 1.0, **projection}
    proj = ir.Projection(name="ab", pre=a, post=b, connector=connector, **values)
    return ir.Network(populations=(a,) if same else (a, b), projections=(proj,), dt=0.1)


def binomial_ok(count: int, pairs: int, p: float) -> bool:
    """``count`` within five standard deviations of Binomial(pairs, p)'s mean."""
    return abs(count - pairs * p) <= 5 * math.sqrt(pairs * p * (1 - p))


def brian2_pairs(net: ir.Network, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    runnable = spikemem.compile(net, backend="brian2", seed=seed, connectivity="native", progress=False)
    synapses = runnable.objects.native[0]
    return np.asarray(synapses.i[:]), np.asarray(synapses.j[:])


@pytest.mark.skipif(not installed("brian2"), reason="brian2 not installed")
def test_brian2_draws_fixed_probability_within_binomial_bounds():
    i, j = brian2_pairs(two_populations(ir.FixedProbability(p=0.1)))
    assert binomial_ok(i.size, 200 * 300, 0.1) and i.max() < 200 and j.max() < 300
    again_i, again_j = brian2_pairs(two_populations(ir.FixedProbability(p=0.1)))
    assert np.array_equal(i, again_i) and np.array_equal(j, again_j)  # same seed, same synapses
    other_i, _ = brian2_pairs(two_populations(ir.FixedProbability(p=0.1)), seed=2)
    assert other_i.size != i.size or not np.array_equal(other_i, i)
    si, sj = brian2_pairs(
        two_populations(ir.FixedProbability(p=0.2, allow_self_connections=False), same=True)
    )
    assert binomial_ok(si.size, 200 * 199, 0.2) and not np.any(si == sj)


@pytest.mark.skipif(not installed("brian2"), reason="brian2 not installed")
@pytest.mark.parametrize("self_connections", [True, False])
def test_brian2_draws_fixed_numbers_exactly(self_connections):
    pre_i, pre_j = brian2_pairs(
        two_populations(ir.FixedNumberPre(n=7, allow_self_connections=self_connections), same=True)
    )
    assert np.array_equal(np.bincount(pre_j, minlength=200), np.full(200, 7))  # n per post neuron
    post_i, post_j = brian2_pairs(
        two_populations(ir.FixedNumberPost(n=9, allow_self_connections=self_connections), same=True)
    )
    assert np.array_equal(np.bincount(post_i, minlength=200), np.full(200, 9))  # n per pre neuron
    for i, j in ((pre_i, pre_j), (post_i, post_j)):
        assert np.unique(i * 200 + j).size == i.size  # without replacement: no pair twice
        assert self_connections or not np.any(i == j)


@pytest.mark.skipif(not installed("brian2"), reason="brian2 not installed")
@pytest.mark.parametrize(
    ("connector", "extra", "needle"),
    [
        (ir.FixedTotalNumber(n=10), {}, "FixedTotalNumber"),
        (ir.FixedNumberPre(n=3, with_replacement=True), {}, "with_replacement"),
        (ir.FixedProbability(p=0.1), {"plasticity": ir.STDP()}, "STDP"),
    ],
)
def test_brian2_refuses_what_it_cannot_draw(connector, extra, needle):
    with pytest.raises(UnsupportedFeature, match=needle):
        spikemem.compile(two_populations(connector, **extra), backend="brian2", connectivity="native")


def test_a_per_synapse_weight_array_is_refused_natively():
    net = two_populations(ir.FixedNumberPre(n=1), weight=np.full(300, 0.1))
    backend = "nest" if installed("nest") else "brian2"
    if not installed(backend):
        pytest.skip("neither nest nor brian2 installed")
    with pytest.raises(UnsupportedFeature, match="per-synapse weight"):
        spikemem.compile(net, backend=backend, connectivity="native")


@pytest.mark.skipif(not installed("nest"), reason="nest not installed")
def test_nest_draws_its_connection_rules():
    def counts(connector, same=False) -> int:
        net = two_populations(connector, same=same)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            rec = spikemem.compile(net, backend="nest", seed=4, connectivity="native").run(1.0)
        return rec.meta["native_synapses"]["ab"]

    assert binomial_ok(counts(ir.FixedProbability(p=0.1)), 200 * 300, 0.1)
    assert counts(ir.FixedNumberPre(n=7)) == 7 * 300  # fixed_indegree
    assert counts(ir.FixedNumberPost(n=9)) == 9 * 200  # fixed_outdegree
    assert counts(ir.FixedTotalNumber(n=1234, with_replacement=True)) == 1234  # fixed_total_number
    assert binomial_ok(
        counts(ir.FixedProbability(p=0.2, allow_self_connections=False), same=True), 200 * 199, 0.2
    )
    for connector, needle in (
        (ir.FixedProbability(p=0.1, allow_self_connections=False), "different populations"),
        (ir.FixedTotalNumber(n=10), "with_replacement=False"),
    ):
        with pytest.raises(UnsupportedFeature, match=needle):
            spikemem.compile(two_populations(connector), backend="nest", connectivity="native")


@pytest.mark.skipif(not installed("nengo"), reason="nengo not installed")
def test_a_backend_without_native_connectivity_refuses_it():
    with pytest.raises(UnsupportedFeature, match="connectivity='native'"):
        spikemem.compile(cuba_network(n=100), backend="nengo", connectivity="native")


# --------------------------------------------------------------------------- spikemem verify


@pytest.mark.skipif(not installed("nest"), reason="nest not installed")
def test_verify_checks_native_connectivity_statistically():
    from spikemem.verify import Variant

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        report = verify(
            cuba_network(n=1000, p=P, seed=1),
            duration=500.0,
            seeds=(1, 2, 3),
            variants=[REFERENCE, Variant("nest", "nest")],
            connectivity="native",
        )
    row = report.rows[1]
    assert row.label == "nest" and row.mode == "statistics", row
    assert any(d.startswith("stats exc") for d in row.details), row.details


@pytest.mark.skipif(not installed("brian2"), reason="brian2 not installed")
def test_brian2_cpp_standalone_draws_the_synapses_in_its_binary(tmp_path):
    """The one standalone build of this file: connect(p=…) and sample() run in the C++ project."""
    from spikemem.backends.brian2 import devices

    if not devices.cython_available():
        pytest.skip("no working C++ compiler")
    net = cuba_network(n=N, p=P, seed=1)
    projections = list(net.projections)
    projections[1] = dataclasses.replace(projections[1], connector=ir.FixedNumberPre(n=40))
    net = dataclasses.replace(net, projections=tuple(projections))
    runnable = spikemem.compile(
        net,
        backend="brian2",
        device="cpp_standalone",
        build_dir=str(tmp_path / "cpp"),
        seed=1,
        connectivity="native",
        progress=False,
    )
    rec = runnable.run(200.0)
    counts = rec.meta["native_synapses"]
    n_exc = round(0.8 * N)
    assert binomial_ok(counts["exc_exc"], n_exc * n_exc, P), counts
    assert counts["exc_inh"] == 40 * (N - n_exc), counts  # FixedNumberPre: 40 per inhibitory neuron
    assert rec.spike_count("exc") > 0 and rec.meta["device"] == "cpp_standalone"


@pytest.mark.skipif(not installed("spinnaker"), reason="sPyNNaker not installed")
def test_spinnaker_generates_the_connectors_on_the_board(tmp_path, monkeypatch):
    """On a virtual board (the mapping runs, nothing executes): sPyNNaker's own connectors,
    generated on the machine; FixedTotalNumber is refused."""
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    net = cuba_network(n=400, p=P, dt=1.0, seed=1, numerics="spinnaker")
    projections = list(net.projections)
    projections[1] = dataclasses.replace(projections[1], connector=ir.FixedNumberPre(n=10))
    projections[2] = dataclasses.replace(projections[2], connector=ir.FixedNumberPost(n=12))
    net = dataclasses.replace(net, projections=tuple(projections))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        rec = spikemem.compile(net, backend="spinnaker", virtual=True, connectivity="native").run(20.0)
    assert rec.meta["generated_on_machine"] == {
        "exc_exc": True,
        "exc_inh": True,
        "inh_exc": True,
        "inh_inh": True,
    }
    resolved = spikemem.compile(net, backend="spinnaker", virtual=True).plan(20.0)
    assert {p.connector.kind for p in resolved.projections} == {"FromList"}  # the default is unchanged
    projections[3] = dataclasses.replace(projections[3], connector=ir.FixedTotalNumber(n=100))
    with pytest.raises(UnsupportedFeature, match="FixedTotalNumber"):
        spikemem.compile(
            dataclasses.replace(net, projections=tuple(projections)),
            backend="spinnaker",
            virtual=True,
            connectivity="native",
        )


@pytest.mark.skipif(not installed("nest"), reason="nest not installed")
def test_verify_command_takes_the_connectivity():
    from pathlib import Path

    from click.testing import CliRunner

    from spikemem.cli import main

    config = Path(__file__).resolve().parents[2] / "examples" / "cuba.toml"
    runner = CliRunner()
    args = [
        "verify",
        str(config),
        "--duration",
        "200",
        "--seeds",
        "3",
        "-b",
        "nest",
        "--connectivity",
        "native",
    ]
    result = runner.invoke(main, args)
    assert "nest" in result.output and "statistics" in result.output, result.output
    assert "spike-exact" not in result.output, result.output
    bad = runner.invoke(main, ["verify", str(config), "--connectivity", "device"])
    assert bad.exit_code == 2 and "connectivity" in bad.output
