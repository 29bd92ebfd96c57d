"""The fixed-number connectors on NEST: the host's synapses are listed (``FromListConnector``),
so NEST's spikes equal the reference engine's."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("nest")
pytest.importorskip("pyNN")

import spikemem  # noqa: E402
from spikemem import ir  # noqa: E402
from spikemem.verify import compare_spikes  # noqa: E402


def _network() -> ir.Network:
    rng = np.random.default_rng(4)
    times = np.round(rng.uniform(0.0, 100.0, 400), 1)
    src = ir.Population(name="src", size=40, cell=ir.SpikeSourceArray(times=times, ids=rng.integers(0, 40, 400)))
    cell = ir.IF_curr_exp(tau_m=10.0, tau_syn_E=2.0, tau_refrac=1.0, v_thresh=-60.0)
    a = ir.Population(name="a", size=30, cell=cell)
    b = ir.Population(name="b", size=20, cell=cell)
    projections = (
        ir.Projection(name="pre", pre=src, post=a, connector=ir.FixedNumberPre(n=8, seed=1), weight=0.7, delay=0.2),
        ir.Projection(name="post", pre=a, post=b, connector=ir.FixedNumberPost(n=5, seed=2), weight=0.8, delay=0.3),
        ir.Projection(name="total", pre=src, post=b, connector=ir.FixedTotalNumber(n=120, seed=3), weight=0.5,
                      delay=0.2),
    )
    return ir.Network(populations=(src, a, b), projections=projections, dt=0.1, name="fixed_numbers")


def test_fixed_number_connectors_give_the_reference_spikes_on_nest():
    net = _network()
    reference = spikemem.compile(net, backend="numba").run(120.0)
    candidate = spikemem.compile(net, backend="nest").run(120.0)
    assert min(len(reference.spikes[p]) for p in ("a", "b")) > 10
    agreement = compare_spikes(reference, candidate)
    assert agreement.mismatches == 0, agreement.populations
