"""Statistical agreement on the recurrent CUBA network and on a feed-forward network, on every
backend (spike-exact or not: Nengo integrates with its own scheme and is held to these).

Ten seeds: ten networks (connectivity, Poisson draws and initial potentials from ``seed`` =
1..10), simulated side by side as ten disjoint copies in one network, so that every backend
compiles once. Per population, over the ten copies: mean rate within ``max(2 %, 3 SEM)``, mean
ISI CV within 0.05, KS statistic of the pooled ISIs below 0.1
(:data:`spikemem.verify.TOLERANCES`). These tolerances are the same for every backend: a
backend whose integration differs from the reference's only below the resolution of one time
step (Nengo's spike-time interpolation for the refractory period) must not move the statistics
of ten seeds by more than their own spread, while a 20 % change of the inhibition does.
"""

from __future__ import annotations

import dataclasses
import functools

import pytest

from spikemem import ir
from spikemem.backends.base import Capability
from spikemem.ir import RecordSpec
from spikemem.networks import cuba_network
from spikemem.verify import REFERENCE, Sample, compare_statistics

from .variants import require, require_any, run
from networks import feedforward_exp

SEEDS = tuple(range(1, 11))
N, DURATION = 4000, 1000.0


def cuba_copies(inhibition: float = 1.0) -> ir.Network:
    """Ten disjoint CUBA networks (N neurons each) in one network; populations ``exc<seed>`` and
    ``inh<seed>``. ``inhibition`` scales the inhibitory weights (the broken variant)."""
    populations, projections = [], []
    for seed in SEEDS:
        net = cuba_network(n=N, seed=seed)
        renamed = {p.name: dataclasses.replace(p, name=f"{p.name}{seed}") for p in net.populations}
        populations += renamed.values()
        for proj in net.projections:
            weight = proj.weight * (inhibition if proj.receptor == "inhibitory" else 1.0)
            projections.append(
                dataclasses.replace(
                    proj,
                    name=f"{proj.name}{seed}",
                    pre=renamed[proj.pre.name],
                    post=renamed[proj.post.name],
                    weight=weight,
                )
            )
    return ir.Network(populations=tuple(populations), projections=tuple(projections), dt=0.1, name="cuba_x10")


@functools.cache
def cuba_run(variant, inhibition: float = 1.0):
    return run(variant, cuba_copies(inhibition), duration=DURATION, record=RecordSpec(weights=False))


def cuba_samples(rec, kind: str) -> list[Sample]:
    return [Sample(rec.spikes[f"{kind}{s}"], rec.populations[f"{kind}{s}"], DURATION) for s in SEEDS]


@pytest.mark.parametrize("population", ["exc", "inh"])
def test_cuba_statistics_agree_with_the_reference(variant, population):
    require(variant, Capability.IF_CURR_EXP)
    require_any(variant, Capability.NUMERICS_EXACT, Capability.NUMERICS_STATISTICAL)
    reference, candidate = cuba_run(REFERENCE), cuba_run(variant)
    agreement = compare_statistics(
        cuba_samples(reference, population), cuba_samples(candidate, population), variant.label
    )
    assert 4.0 < agreement.rate[0] < 8.0, agreement.summary()  # CUBA fires at about 5.5 Hz
    assert agreement.passed, agreement.summary()


def test_broken_cuba_fails_the_statistics():
    """20 % weaker inhibition: the statistics must notice (shown on the reference engine)."""
    reference, broken = cuba_run(REFERENCE), cuba_run(REFERENCE, inhibition=0.8)
    agreement = compare_statistics(cuba_samples(reference, "exc"), cuba_samples(broken, "exc"))
    assert not agreement.passed


# --------------------------------------------------------------------------- feed-forward


@functools.cache
def ff_exp_run(variant, weight_scale: float = 1.0):
    net = feedforward_exp(ff_weight=0.35 * weight_scale)
    return run(variant, net, duration=DURATION, seed=1, record=RecordSpec(weights=False))


def ff_samples(rec, kind: str) -> list[Sample]:
    return [Sample(rec.spikes[f"{kind}{s}"], rec.populations[f"{kind}{s}"], DURATION) for s in SEEDS]


@pytest.mark.parametrize("population", ["hidden", "out"])
def test_feedforward_statistics_agree_with_the_reference(variant, population):
    """Poisson-driven IF_curr_exp layers (both receptors, delays of 1, 5 and 15 steps)."""
    require(variant, Capability.IF_CURR_EXP, Capability.SPIKE_SOURCE_POISSON)
    require_any(variant, Capability.NUMERICS_EXACT, Capability.NUMERICS_STATISTICAL)
    reference, candidate = ff_exp_run(REFERENCE), ff_exp_run(variant)
    agreement = compare_statistics(
        ff_samples(reference, population), ff_samples(candidate, population), variant.label
    )
    assert agreement.rate[0] > 10.0, agreement.summary()  # both layers fire
    assert agreement.passed, agreement.summary()


def test_broken_feedforward_fails_the_statistics():
    """25 % weaker hidden -> out weights: the statistics of ``out`` must notice."""
    agreement = compare_statistics(
        ff_samples(ff_exp_run(REFERENCE), "out"), ff_samples(ff_exp_run(REFERENCE, weight_scale=0.75), "out")
    )
    assert not agreement.passed, agreement.summary()
