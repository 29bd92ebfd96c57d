"""Spike-exact agreement with the reference engine on deterministic networks: a feed-forward
network (both numerics), the CA3 memory's functional experiment (both numerics), and STDP with
every combination of conventions (also against explicit pair enumeration)."""

from __future__ import annotations

import dataclasses
import functools
import itertools

import numpy as np
import pytest

from spikemem import ir
from spikemem.backends.base import Capability
from spikemem.ir import RecordSpec
from spikemem.plasticity import pair_stdp_weight
from spikemem.verify import REFERENCE, compare_arrays, compare_spikes, tolerance

from .variants import require, run
from networks import discrete, feedforward

NUMERICS = {"exact": Capability.NUMERICS_EXACT, "spinnaker": Capability.NUMERICS_SPINNAKER}


def check_exact(reference, candidate, label: str) -> list[str]:
    """Spikes, sampled state and weights of ``candidate`` against the reference."""
    problems = []
    spikes = compare_spikes(reference, candidate)
    if spikes.mismatches > tolerance("spikes", label)["mismatches"]:
        problems.append(f"{spikes.mismatches} spike mismatches, first at step {spikes.first_difference_step}")
    tol = tolerance("state", label)
    for name, trace in reference.state.items():
        for var, values in trace.values.items():
            ok, worst = compare_arrays(values, candidate.state[name].values[var], tol["rtol"], tol["atol"])
            if not ok:
                problems.append(f"state {name}.{var} differs by {worst:.3g}")
    tol = tolerance("weights", label)
    for phase, projections in reference.weights.items():
        for proj, values in projections.items():
            ok, worst = compare_arrays(values, candidate.weights[phase][proj], tol["rtol"], tol["atol"])
            if not ok:
                problems.append(f"weights {phase}/{proj} differ by {worst:.3g}")
    return problems


# --------------------------------------------------------------------------- feed-forward

FF_RECORD = RecordSpec(state={"exc": ("v", "isyn_exc", "isyn_inh"), "delta": ("v",)}, state_every=3)


@functools.cache
def ff_run(variant, numerics: str, broken: bool = False):
    net = feedforward(numerics)
    if broken:  # one projection's weight 1 % too large
        net = _replace_projection(net, "array_exc", weight=0.37 * 1.01)
    return run(variant, net, duration=200.0, seed=1, record=FF_RECORD)


def _replace_projection(net: ir.Network, name: str, **changes) -> ir.Network:
    projections = tuple(dataclasses.replace(p, **changes) if p.name == name else p for p in net.projections)
    return ir.Network(
        populations=net.populations, projections=projections, dt=net.dt, numerics=net.numerics, name=net.name
    )


@pytest.mark.parametrize("numerics", list(NUMERICS))
def test_feedforward_network_equals_the_reference(variant, numerics):
    require(
        variant,
        Capability.SPIKE_EXACT,
        NUMERICS[numerics],
        Capability.IF_CURR_DELTA,
        Capability.SPIKE_SOURCE_POISSON,
        Capability.RECORD_STATE,
    )
    reference, candidate = ff_run(REFERENCE, numerics), ff_run(variant, numerics)
    assert min(len(reference.spikes[p]) for p in ("exc", "delta", "inh")) > 20
    assert check_exact(reference, candidate, variant.label) == []


def test_broken_feedforward_network_fails(cheap_variant):
    require(cheap_variant, Capability.SPIKE_EXACT, Capability.IF_CURR_DELTA, Capability.RECORD_STATE)
    assert check_exact(
        ff_run(REFERENCE, "exact"), ff_run(cheap_variant, "exact", broken=True), cheap_variant.label
    )


@functools.cache
def discrete_run(variant):
    return run(
        variant,
        discrete(),
        duration=100.0,
        seed=2,
        record=RecordSpec(state={"leaky": ("v",), "ifire": ("v",)}),
    )


def test_discrete_lif_network_equals_the_reference(variant):
    require(
        variant,
        Capability.SPIKE_EXACT,
        Capability.DISCRETE_LIF,
        Capability.SPIKE_SOURCE_POISSON,
        Capability.RECORD_STATE,
    )
    reference, candidate = discrete_run(REFERENCE), discrete_run(variant)
    assert len(reference.spikes["leaky"]) > 50 and len(reference.spikes["ifire"]) > 20
    assert check_exact(reference, candidate, variant.label) == []


# --------------------------------------------------------------------------- CA3 memory


@functools.cache
def ca3_run(variant, numerics: str, broken: bool = False):
    from spikemem.models.ca3.experiments import functional_memory

    memory = functional_memory()
    net, schedule = memory.network(), memory.schedule()
    if broken:  # Δ = 0 ignored instead of depressing (the sPyNNaker convention the model needs)
        for proj in [p for p in net.projections if p.plastic]:
            rule = dataclasses.replace(proj.plasticity, zero_lag="ignore")
            net = _replace_projection(net, proj.name, plasticity=rule)
    return run(variant, net, schedule, numerics=numerics), memory


@pytest.mark.parametrize("numerics", list(NUMERICS))
def test_ca3_functional_experiment_equals_the_reference(variant, numerics):
    require(
        variant,
        Capability.SPIKE_EXACT,
        NUMERICS[numerics],
        Capability.STDP,
        Capability.SCHEDULE,
        Capability.RECORD_WEIGHTS,
    )
    (reference, memory), (candidate, _) = ca3_run(REFERENCE, numerics), ca3_run(variant, numerics)
    assert check_exact(reference, candidate, variant.label) == []
    if numerics == "spinnaker":  # the authors' SpiNNaker recording, spike for spike
        from spikemem.models.ca3.experiments import compare_with_hardware

        assert sum(m.mismatches for m in compare_with_hardware(candidate)) == 0
        assert all(r.correct for r in memory.decode(candidate))


def test_broken_ca3_fails(cheap_variant):
    require(
        cheap_variant,
        Capability.SPIKE_EXACT,
        Capability.NUMERICS_SPINNAKER,
        Capability.STDP,
        Capability.SCHEDULE,
    )
    reference, _ = ca3_run(REFERENCE, "spinnaker")
    broken, _ = ca3_run(cheap_variant, "spinnaker", broken=True)
    assert check_exact(reference, broken, cheap_variant.label)


# --------------------------------------------------------------------------- STDP conventions

STDP_DT, STDP_DELAY = 0.5, 2.0
COMBOS = list(
    itertools.product(
        ("dendritic", "axonal", "none"),
        ("depress", "potentiate", "ignore"),
        ("Additive", "Multiplicative"),
        ("per_event", "end_of_phase"),
    )
)


def stdp_rule(convention, zero_lag, dependence, clipping) -> ir.STDP:
    bounds = {"Additive": ir.Additive, "Multiplicative": ir.Multiplicative}[dependence](
        w_min=0.005, w_max=0.1
    )
    return ir.STDP(
        timing=ir.SpikePair(
            tau_plus=8.0,
            tau_minus=12.0,
            A_plus=0.3 if dependence == "Multiplicative" else 0.02,
            A_minus=0.35 if dependence == "Multiplicative" else 0.025,
        ),
        weight=bounds,
        delay_convention=convention,
        zero_lag=zero_lag,
        clipping=clipping,
        amplitude="absolute" if dependence == "Additive" else "w_max",
    )


def stdp_network(delays: str = "uniform") -> ir.Network:
    """Poisson pre neurons -> driven delta neurons through 36 plastic projections, one per
    combination of conventions (``delays="per_synapse"``: one projection with mixed delays)."""
    pre = ir.Population(name="pre", size=12, cell=ir.SpikeSourcePoisson(rate=40.0, seed=11))
    drive = ir.Population(name="drive", size=6, cell=ir.SpikeSourcePoisson(rate=40.0, seed=12))
    post = ir.Population(
        name="post",
        size=6,
        cell=ir.IF_curr_delta(
            cm=1.0, tau_m=10.0, v_rest=-65.0, v_reset=-65.0, v_thresh=-50.0, tau_refrac=1.0
        ),
    )
    w0 = np.linspace(0.01, 0.09, 72)
    projections = [
        ir.Projection(
            name="drive_post", pre=drive, post=post, connector=ir.OneToOne(), weight=20.0, delay=STDP_DT
        )
    ]
    combos = COMBOS if delays == "uniform" else [COMBOS[0], COMBOS[18]]  # dendritic; axonal, multiplicative
    for k, combo in enumerate(combos):
        delay = STDP_DELAY if delays == "uniform" else np.resize([0.5, 1.0, 2.0], 72)
        projections.append(
            ir.Projection(
                name=f"p{k:02d}",
                pre=pre,
                post=post,
                connector=ir.AllToAll(),
                weight=w0,
                delay=delay,
                plasticity=stdp_rule(*combo),
            )
        )
    return ir.Network(
        populations=(pre, drive, post), projections=tuple(projections), dt=STDP_DT, name=f"stdp_{delays}"
    )


STDP_SCHEDULE = ir.Schedule(
    phases=(
        ir.Phase(name="learn", duration=200.0),
        ir.Phase(name="frozen", duration=100.0, plastic=()),
        ir.Phase(name="half", duration=150.0, plastic=tuple(f"p{k:02d}" for k in range(0, 36, 2))),
    )
)


@functools.cache
def stdp_run(variant, scheduled: bool, delays: str = "uniform"):
    net = stdp_network(delays)
    if scheduled:
        return run(variant, net, STDP_SCHEDULE, seed=5)
    return run(variant, net, duration=450.0, seed=5)


def pair_reference_problems(rec, net: ir.Network, label: str, broken: bool = False) -> list[str]:
    """Every plastic synapse's final weight against explicit pair enumeration."""
    tol = tolerance("stdp_pair", label)
    pre, post = rec.spikes["pre"], rec.spikes["post"]
    n_steps = rec.phases[-1].stop_step
    problems = []
    for proj in (p for p in net.projections if p.plastic):
        rule = proj.plasticity
        if broken:
            rule = dataclasses.replace(
                rule,
                zero_lag={"depress": "potentiate", "potentiate": "ignore", "ignore": "depress"}[
                    rule.zero_lag
                ],
            )
        syn = ir.resolve(proj, 5)
        got = rec.weights["run"][proj.name]
        for k in range(syn.size):
            want = pair_stdp_weight(
                rule,
                syn.weight[k],
                pre.steps[pre.ids == syn.pre[k]],
                post.steps[post.ids == syn.post[k]],
                delay_steps=int(round(syn.delay[k] / STDP_DT)),
                dt=STDP_DT,
                n_steps=n_steps,
            )
            if not abs(got[k] - want) <= tol["atol"] + tol["rtol"] * abs(want):
                problems.append(f"{proj.name} synapse {k}: {got[k]!r} vs {want!r}")
    return problems


def test_stdp_conventions_with_phases_equal_the_reference(variant):
    require(
        variant,
        Capability.SPIKE_EXACT,
        Capability.STDP,
        Capability.SCHEDULE,
        Capability.RECORD_WEIGHTS,
        Capability.SPIKE_SOURCE_POISSON,
        Capability.IF_CURR_DELTA,
    )
    reference, candidate = stdp_run(REFERENCE, True), stdp_run(variant, True)
    assert len(candidate.weights) == 3 and len(candidate.weights["learn"]) == 36
    assert any(
        not np.array_equal(candidate.weights["learn"][p], candidate.weights["half"][p])
        for p in candidate.weights["learn"]
    )
    assert check_exact(reference, candidate, variant.label) == []


def test_stdp_conventions_equal_pair_enumeration(variant):
    require(
        variant,
        Capability.STDP,
        Capability.RECORD_WEIGHTS,
        Capability.SPIKE_SOURCE_POISSON,
        Capability.IF_CURR_DELTA,
    )
    assert pair_reference_problems(stdp_run(variant, False), stdp_network(), variant.label) == []


def test_stdp_with_per_synapse_delays_equals_pair_enumeration(variant):
    require(
        variant,
        Capability.STDP_HETEROGENEOUS_DELAYS,
        Capability.RECORD_WEIGHTS,
        Capability.SPIKE_SOURCE_POISSON,
    )
    rec = stdp_run(variant, False, "per_synapse")
    assert pair_reference_problems(rec, stdp_network("per_synapse"), variant.label) == []


def test_broken_pair_reference_fails(cheap_variant):
    require(cheap_variant, Capability.STDP, Capability.RECORD_WEIGHTS, Capability.SPIKE_SOURCE_POISSON)
    assert pair_reference_problems(
        stdp_run(cheap_variant, False), stdp_network(), cheap_variant.label, broken=True
    )
