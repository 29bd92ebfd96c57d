"""Conversion to neo.Block (optional dependency)."""

from __future__ import annotations

import json
import sys

import numpy as np
import pytest

from spikemem.results import Recording, SpikeTrains, StateTrace


def test_missing_neo_raises_import_error_with_install_hint(recording, monkeypatch):
    monkeypatch.setitem(sys.modules, "neo", None)  # makes `import neo` fail
    with pytest.raises(ImportError, match=r"pip install spikemem\[neo\]"):
        recording.to_neo()


def test_block_layout(recording):
    neo = pytest.importorskip("neo", reason="neo is optional: pip install spikemem[neo]")
    pq = pytest.importorskip("quantities")
    block = recording.to_neo()
    assert isinstance(block, neo.Block)
    assert json.loads(block.annotations["meta"]) == recording.meta
    assert block.annotations["populations"] == {"exc": 40, "inh": 10, "input": 5}
    np.testing.assert_array_equal(
        block.annotations["weights"]["recall"]["exc_exc"], recording.weights["recall"]["exc_exc"]
    )
    (segment,) = block.segments

    trains = segment.spiketrains
    assert len(trains) == 40 + 10  # one per neuron of every recorded population
    by_key = {(t.annotations["source_population"], t.annotations["source_index"]): t for t in trains}
    exc = recording.spikes["exc"]
    for index in (0, 13, 39):
        train = by_key[("exc", index)]
        np.testing.assert_allclose(train.rescale("ms").magnitude, exc.times_ms[exc.ids == index])
        assert float(train.t_stop.rescale("ms")) == pytest.approx(300.0)
    assert sum(len(t) for t in trains) == recording.spike_count()
    assert all(len(by_key[("inh", i)]) == 0 for i in range(10))

    signals = {s.name: s for s in segment.analogsignals}
    assert set(signals) == {"v", "isyn_exc", "isyn_inh"}
    v = signals["v"]
    assert v.shape == (30, 3)
    assert v.units == pq.mV and signals["isyn_exc"].units == pq.nA
    assert float(v.sampling_period.rescale("ms")) == pytest.approx(10.0)
    assert float(v.t_start.rescale("ms")) == pytest.approx(0.1)  # first sample: end of step 0
    np.testing.assert_array_equal(v.magnitude, recording.state["exc"].values["v"])
    assert v.array_annotations["channel_index"].tolist() == [0, 7, 39]
    assert v.annotations["source_population"] == "exc"

    (epoch,) = segment.epochs
    assert list(epoch.labels) == ["store", "recall"]
    np.testing.assert_allclose(epoch.times.rescale("ms").magnitude, [0.0, 100.0])
    np.testing.assert_allclose(epoch.durations.rescale("ms").magnitude, [100.0, 200.0])


def test_irregular_samples_and_unknown_duration():
    neo = pytest.importorskip("neo", reason="neo is optional: pip install spikemem[neo]")
    rec = Recording(
        dt=0.5,
        populations={"a": 2},
        spikes={"a": SpikeTrains([3, 8], [1, 0], 0.5)},
        state={"a": StateTrace([0, 1, 5], [1], {"v": [[-65.0], [-64.0], [-60.0]]}, 0.5)},
    )
    block = rec.to_neo()
    segment = block.segments[0]
    (signal,) = segment.irregularlysampledsignals
    assert isinstance(signal, neo.IrregularlySampledSignal)
    np.testing.assert_allclose(signal.times.rescale("ms").magnitude, [0.5, 1.0, 3.0])  # end of each sampled step
    # without phases or meta['duration_ms'], t_stop is one step after the last event
    assert float(segment.spiketrains[0].t_stop.rescale("ms")) == pytest.approx(4.5)
