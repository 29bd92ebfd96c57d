"""The shared PyNN lowering (used by the ``spinnaker`` and ``nest`` backends) computes the
reference's network: checked on every backend that runs ``exact`` numerics without declaring
spike-exactness (backends that do are checked spike by spike in ``test_agreement.py``).

spike-exact on a feed-forward network whose delays every PyNN simulator can express
(neuron-to-neuron delays of at least two steps onto ``IF_curr_exp`` cells, see docs/nest.md).
The statistics on CUBA, where one-step delays shift spikes by a step, are in
``test_statistics.py`` (every backend).
"""

from __future__ import annotations

import functools

import numpy as np

from spikemem import ir
from spikemem.backends.base import Capability
from spikemem.ir import RecordSpec
from spikemem.verify import REFERENCE, compare_arrays, compare_spikes

from .variants import require, run


def _not_spike_exact(variant) -> None:
    import pytest

    if variant.supports(Capability.SPIKE_EXACT):
        pytest.skip(f"{variant.label} is checked spike by spike in test_agreement.py")


def expressible_feedforward(dt: float = 0.1) -> ir.Network:
    """Sources (array and Poisson) -> exp and delta layers; two-step neuron delays onto exp cells."""
    rng = np.random.default_rng(8)
    times = np.round(rng.uniform(0.3, 150.0, 250) / dt) * dt
    array = ir.Population(
        name="array", size=15, cell=ir.SpikeSourceArray(times=times, ids=rng.integers(0, 15, 250))
    )
    poisson = ir.Population(name="poisson", size=20, cell=ir.SpikeSourcePoisson(rate=30.0, start=0.5, seed=5))
    exc = ir.Population(
        name="exc",
        size=25,
        cell=ir.IF_curr_exp(
            cm=0.25,
            tau_m=rng.uniform(8.0, 20.0, 25),
            tau_syn_E=3.0,
            tau_syn_I=7.0,
            tau_refrac=2.0,
            v_reset=-70.0,
            v_thresh=-54.0,
            i_offset=rng.uniform(0.0, 0.25, 25),
            v_init=rng.uniform(-70.0, -56.0, 25),
        ),
    )
    out = ir.Population(
        name="out", size=10, cell=ir.IF_curr_exp(cm=0.3, tau_m=10.0, tau_syn_E=2.0, v_thresh=-58.0)
    )
    delta = ir.Population(
        name="delta", size=10, cell=ir.IF_curr_delta(tau_m=10.0, tau_refrac=1.5, v_thresh=-58.0)
    )
    projections = (
        ir.Projection(
            name="array_exc",
            pre=array,
            post=exc,
            connector=ir.FixedProbability(p=0.4, seed=1),
            weight=0.6,
            delay=dt,
        ),
        ir.Projection(
            name="poisson_exc",
            pre=poisson,
            post=exc[5:25],
            connector=ir.AllToAll(),
            weight=0.08,
            delay=0.5,
            receptor="inhibitory",
        ),
        ir.Projection(
            name="exc_out",
            pre=exc,
            post=out,
            connector=ir.FixedProbability(p=0.5, seed=2),
            weight=0.35,
            delay=2 * dt,
        ),
        ir.Projection(
            name="exc_delta",
            pre=exc,
            post=delta,
            connector=ir.FixedProbability(p=0.4, seed=3),
            weight=2.5,
            delay=dt,
        ),
        ir.Projection(
            name="out_exc",
            pre=out,
            post=exc,
            connector=ir.AllToAll(),
            weight=0.15,
            delay=0.4,
            receptor="inhibitory",
        ),
    )
    return ir.Network(
        populations=(array, poisson, exc, out, delta), projections=projections, dt=dt, name="pynn_feedforward"
    )


RECORD = RecordSpec(state={"exc": ("v", "isyn_exc", "isyn_inh"), "delta": ("v",)}, state_every=2)


@functools.cache
def feedforward_run(variant):
    return run(variant, expressible_feedforward(), duration=200.0, seed=2, record=RECORD)


def test_pynn_lowering_feedforward_spikes_equal_the_reference(variant):
    require(
        variant,
        Capability.NUMERICS_EXACT,
        Capability.SPIKE_SOURCE_POISSON,
        Capability.IF_CURR_DELTA,
        Capability.RECORD_STATE,
    )
    _not_spike_exact(variant)
    reference, candidate = feedforward_run(REFERENCE), feedforward_run(variant)
    assert min(len(reference.spikes[p]) for p in ("exc", "out", "delta")) > 20
    spikes = compare_spikes(reference, candidate)
    assert spikes.mismatches == 0, spikes.populations
    for name, trace in reference.state.items():
        for var, values in trace.values.items():
            ok, worst = compare_arrays(values, candidate.state[name].values[var], 1e-9, 1e-9)
            assert ok, f"{name}.{var} differs by {worst:.3g}"
