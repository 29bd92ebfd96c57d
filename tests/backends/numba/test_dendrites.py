"""Native dendritic segments: an overlap oracle, native == lowered, validation."""

from __future__ import annotations

import numpy as np
import pytest

import spikemem
from spikemem import ir
from spikemem.lowering import lower_dendrites


def _random_network(seed: int, *, dt: float = 1.0, jitter: int = 0, soma_threshold: int = 1) -> ir.Network:
    rng = np.random.default_rng(seed)
    n_in, volleys, spacing = 80, 12, 16
    times = np.concatenate([np.full(30, q * spacing) + rng.integers(0, jitter + 1, 30) for q in range(volleys)]) * dt
    ids = np.concatenate([rng.choice(n_in, 30, replace=False) for _ in range(volleys)])
    src = ir.Population(name="in", size=n_in, cell=ir.SpikeSourceArray(times=times, ids=ids))
    cell = ir.DendriticNeuron(n_segments=4, theta=5, window=3 * dt, soma_threshold=soma_threshold)
    dend = ir.Population(name="d", size=6, cell=cell)
    n_syn = 400
    proj = ir.Projection(
        name="p", pre=src, post=dend,
        connector=ir.FromList(pre=rng.integers(0, n_in, n_syn), post=rng.integers(0, 6, n_syn)),
        weight=1.0, delay=2 * dt, segment=rng.integers(0, 4, n_syn),
    )
    relay = ir.Population(name="relay", size=6, cell=ir.IF_curr_delta(v_thresh=-60.0, v_rest=-65.0, v_reset=-65.0))
    onward = ir.Projection(name="onward", pre=dend, post=relay, connector=ir.OneToOne(), weight=10.0, delay=dt)
    return ir.Network(populations=(src, dend, relay), projections=(proj, onward), dt=dt)


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("jitter,soma_threshold,dt", [(0, 1, 1.0), (2, 1, 1.0), (1, 2, 0.5)])
def test_native_and_lowered_give_the_same_spikes(seed, jitter, soma_threshold, dt):
    net = _random_network(seed, dt=dt, jitter=jitter, soma_threshold=soma_threshold)
    native = spikemem.compile(net, seed=seed).run(duration=250 * dt)
    lowered = spikemem.compile(lower_dendrites(net, seed=seed), seed=seed).run(duration=250 * dt)
    assert len(native.spikes["d"]) > 5, "the test network must make dendritic spikes"
    for name in ("d", "relay"):
        np.testing.assert_array_equal(native.spikes[name].steps, lowered.spikes[name].steps)
        np.testing.assert_array_equal(native.spikes[name].ids, lowered.spikes[name].ids)


def test_segment_spikes_exactly_when_the_overlap_reaches_theta():
    """One synchronous volley: neuron j spikes iff some segment k has |A ∩ D_jk| >= theta."""
    rng = np.random.default_rng(7)
    n, a, s, theta, neurons, segments = 60, 20, 10, 4, 40, 3
    D = [[rng.choice(n, s, replace=False) for _ in range(segments)] for _ in range(neurons)]
    A = rng.choice(n, a, replace=False)
    overlap = np.array([[np.intersect1d(A, D[j][k]).size for k in range(segments)] for j in range(neurons)])
    expected = np.flatnonzero((overlap >= theta).any(axis=1))
    assert 0 < expected.size < neurons
    src = ir.Population(name="A", size=n, cell=ir.SpikeSourceArray(times=np.full(a, 5.0), ids=A))
    dend = ir.Population(name="R", size=neurons, cell=ir.DendriticNeuron(n_segments=segments, theta=theta, window=2.0))
    pre = np.concatenate([D[j][k] for j in range(neurons) for k in range(segments)])
    post = np.repeat(np.arange(neurons), segments * s)
    seg = np.tile(np.repeat(np.arange(segments), s), neurons)
    proj = ir.Projection(name="syn", pre=src, post=dend, connector=ir.FromList(pre=pre, post=post), weight=1.0, delay=1.0, segment=seg)
    rec = spikemem.compile(ir.Network(populations=(src, dend), projections=(proj,), dt=1.0)).run(duration=20.0)
    np.testing.assert_array_equal(rec.spikes["R"].ids, expected)
    assert np.all(rec.spikes["R"].steps == 5 + 1 + 1)  # arrival step + one step segment -> soma


def test_soma_threshold_counts_segments():
    src = ir.Population(name="A", size=4, cell=ir.SpikeSourceArray(times=[1.0, 1.0, 1.0, 1.0], ids=[0, 1, 2, 3]))
    dend = ir.Population(name="R", size=2, cell=ir.DendriticNeuron(n_segments=2, theta=2, window=2.0, soma_threshold=2))
    # neuron 0: both segments get 2 events; neuron 1: only segment 0 does
    proj = ir.Projection(
        name="syn", pre=src, post=dend, connector=ir.FromList(pre=[0, 1, 2, 3, 0, 1, 2], post=[0, 0, 0, 0, 1, 1, 1]),
        weight=1.0, delay=1.0, segment=[0, 0, 1, 1, 0, 0, 1],
    )
    rec = spikemem.compile(ir.Network(populations=(src, dend), projections=(proj,), dt=1.0)).run(duration=10.0)
    assert rec.spikes["R"].ids.tolist() == [0]


@pytest.mark.parametrize(
    "kwargs,parameter",
    [
        ({"segment": None}, "segment"),
        ({"segment": 3}, "segment"),
        ({"weight": 0.5}, "weight"),
        ({"receptor": "inhibitory"}, "receptor"),
    ],
)
def test_projection_onto_segments_is_validated(kwargs, parameter):
    src = ir.Population(name="A", size=2, cell=ir.SpikeSourceArray())
    dend = ir.Population(name="R", size=2, cell=ir.DendriticNeuron(n_segments=2, theta=1, window=1.0))
    args = {"name": "p", "pre": src, "post": dend, "connector": ir.OneToOne(), "weight": 1.0, "segment": 0} | kwargs
    with pytest.raises(ir.IRValidationError) as info:
        ir.Projection(**args)
    assert info.value.parameter == parameter


def test_segment_on_a_point_neuron_is_refused():
    src = ir.Population(name="A", size=2, cell=ir.SpikeSourceArray())
    post = ir.Population(name="B", size=2, cell=ir.IF_curr_exp())
    with pytest.raises(ir.IRValidationError, match="segment"):
        ir.Projection(name="p", pre=src, post=post, connector=ir.OneToOne(), weight=1.0, segment=0)


@pytest.mark.parametrize(
    "kwargs,parameter",
    [({"theta": 0}, "theta"), ({"window": -1.0}, "window"), ({"n_segments": 2, "soma_threshold": 3}, "soma_threshold"), ({"n_segments": 0}, "n_segments")],
)
def test_dendritic_cell_is_validated(kwargs, parameter):
    with pytest.raises(ir.IRValidationError) as info:
        ir.DendriticNeuron(**kwargs)
    assert info.value.parameter == parameter


def test_dendritic_network_round_trips_through_dict():
    net = _random_network(1)
    assert ir.Network.from_dict(net.to_dict()).content_hash() == net.content_hash()
