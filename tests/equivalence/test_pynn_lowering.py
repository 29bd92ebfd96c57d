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

from spikemem.backends.base import Capability
from spikemem.ir import RecordSpec
from spikemem.verify import REFERENCE, compare_arrays, compare_spikes

from .variants import require, run
from networks import pynn_feedforward


def _not_spike_exact(variant) -> None:
    import pytest

    if variant.supports(Capability.SPIKE_EXACT):
        pytest.skip(f"{variant.label} is checked spike by spike in test_agreement.py")


RECORD = RecordSpec(state={"exc": ("v", "isyn_exc", "isyn_inh"), "delta": ("v",)}, state_every=2)


@functools.cache
def feedforward_run(variant):
    return run(variant, pynn_feedforward(), duration=200.0, seed=2, record=RECORD)


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
