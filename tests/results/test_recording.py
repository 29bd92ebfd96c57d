"""Recording, SpikeTrains, StateTrace and PhaseInfo: validation, statistics, hashing."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from spikemem.ir.errors import IRValidationError
from spikemem.results import PhaseInfo, Recording, SpikeTrains, StateTrace

DT = 0.1


def _rec(spikes: dict, populations: dict | None = None, **kwargs) -> Recording:
    populations = populations or {name: 10 for name in spikes}
    trains = {
        name: SpikeTrains(np.array(s, dtype=np.int64), np.array(i, dtype=np.int64), DT)
        for name, (s, i) in spikes.items()
    }
    return Recording(dt=DT, populations=populations, spikes=trains, **kwargs)


# ---------------------------------------------------------------- SpikeTrains


def test_spike_trains_sorted_by_step_then_id_and_times_in_ms():
    trains = SpikeTrains([5, 2, 2, 0], [1, 3, 0, 4], 0.25)
    assert trains.steps.tolist() == [0, 2, 2, 5]
    assert trains.ids.tolist() == [4, 0, 3, 1]
    assert trains.times_ms.dtype == np.float64
    np.testing.assert_array_equal(trains.times_ms, [0.0, 0.5, 0.5, 1.25])
    assert len(trains) == 4
    assert trains.steps.dtype == np.int64 and trains.ids.dtype == np.int64


def test_spike_trains_arrays_are_read_only_and_callers_array_untouched():
    steps = np.array([1, 2, 3])
    trains = SpikeTrains(steps, np.array([0, 0, 0]), DT)
    with pytest.raises(ValueError):
        trains.steps[0] = 9
    with pytest.raises(ValueError):
        trains.ids[0] = 9
    steps[0] = 0  # the caller's array stays writable and is not shared
    assert steps.flags.writeable and trains.steps[0] == 1


@pytest.mark.parametrize(
    ("steps", "ids", "dt", "parameter"),
    [
        ([1, 2], [0], DT, "ids"),
        ([-1], [0], DT, "steps"),
        ([1], [-2], DT, "ids"),
        ([1.5], [0], DT, "steps"),
        ([[1]], [[0]], DT, "steps"),
        ([1], [0], 0.0, "dt"),
        ([1], [0], float("nan"), "dt"),
    ],
)
def test_spike_trains_rejects_bad_input(steps, ids, dt, parameter):
    with pytest.raises(IRValidationError) as info:
        SpikeTrains(steps, ids, dt)
    assert info.value.parameter == parameter


def test_spike_trains_between_and_counts():
    trains = SpikeTrains([0, 3, 3, 9, 10], [1, 0, 2, 1, 1], DT)
    window = trains.between(3, 10)
    assert window.steps.tolist() == [3, 3, 9] and window.ids.tolist() == [0, 2, 1]
    assert trains.counts(4).tolist() == [1, 3, 1, 0]


# ---------------------------------------------------------------- StateTrace / PhaseInfo


def test_state_trace_checks_shapes_and_names():
    with pytest.raises(IRValidationError, match="n_samples, n_ids"):
        StateTrace([0, 1], [0, 1, 2], {"v": np.zeros((2, 2))}, DT)
    with pytest.raises(IRValidationError, match="steps"):
        StateTrace([0, 1], [0], {"steps": np.zeros((2, 1))}, DT)
    with pytest.raises(IRValidationError, match="increasing"):
        StateTrace([3, 1], [0], {"v": np.zeros((2, 1))}, DT)
    trace = StateTrace([0, 10], [4], {"v": [[-65.0], [-64.0]]}, DT)
    assert trace.values["v"].dtype == np.float64 and not trace.values["v"].flags.writeable
    np.testing.assert_allclose(trace.times_ms, [0.1, 1.1])  # a sample is the state at the end of its step


def test_phase_info_validates():
    assert PhaseInfo("a", 10, 30).n_steps == 20
    with pytest.raises(IRValidationError, match="stop_step"):
        PhaseInfo("a", 10, 5)
    with pytest.raises(IRValidationError, match="name"):
        PhaseInfo("a/b", 0, 1)


# ---------------------------------------------------------------- Recording validation


def test_recording_rejects_inconsistent_parts():
    good = SpikeTrains([1], [3], DT)
    with pytest.raises(IRValidationError, match="population names"):
        Recording(dt=DT, populations={"a": 5}, spikes={"b": good})
    with pytest.raises(IRValidationError, match="neuron indices < 2"):
        Recording(dt=DT, populations={"a": 2}, spikes={"a": good})
    with pytest.raises(IRValidationError, match="dt"):
        Recording(dt=0.2, populations={"a": 5}, spikes={"a": good})
    with pytest.raises(IRValidationError, match="meta"):
        Recording(dt=DT, populations={"a": 5}, spikes={}, meta={"x": object()})
    with pytest.raises(IRValidationError, match="unique"):
        Recording(dt=DT, populations={"a": 5}, spikes={}, phases=[PhaseInfo("p", 0, 1), PhaseInfo("p", 1, 2)])
    with pytest.raises(IRValidationError, match="neurons"):
        Recording(dt=DT, populations={"a": 0}, spikes={})


def test_recording_mappings_and_arrays_are_read_only(recording):
    with pytest.raises(TypeError):
        recording.spikes["exc"] = SpikeTrains.empty(DT)
    with pytest.raises(TypeError):
        recording.weights["store"]["exc_exc"] = np.zeros(17)
    with pytest.raises(ValueError):
        recording.weights["store"]["exc_exc"][0] = 1.0
    meta = recording.meta
    meta["backend"] = "changed"
    assert recording.meta["backend"] == "numba"


def test_meta_numpy_values_become_plain_json(recording):
    assert recording.meta["timings"] == {"run_s": 0.25}
    assert type(recording.meta["timings"]["run_s"]) is float


# ---------------------------------------------------------------- statistics


def test_spike_count_per_population_and_total():
    rec = _rec({"a": ([1, 2, 3], [0, 1, 2]), "b": ([], [])}, populations={"a": 4, "b": 2, "c": 3})
    assert rec.spike_count("a") == 3
    assert rec.spike_count("b") == 0
    assert rec.spike_count() == 3
    with pytest.raises(KeyError, match="not recorded"):
        rec.spike_count("c")
    with pytest.raises(KeyError, match="unknown population"):
        rec.spike_count("zzz")


def test_mean_rate_hand_computed():
    # 10 spikes of a 4-neuron population over 2000 steps of 0.1 ms = 200 ms:
    # 10 / 4 / 0.2 s = 12.5 Hz. Phase "b" (steps 500..2000, 150 ms) holds 6 of them: 6 / 4 / 0.15 = 10 Hz;
    # phase "a" (steps 0..500, 50 ms) the other 4: 4 / 4 / 0.05 = 20 Hz.
    steps = [0, 100, 200, 300, 500, 500, 800, 1200, 1999, 1999]
    ids = [0, 1, 2, 3, 0, 1, 2, 3, 0, 1]
    rec = _rec(
        {"a": (steps, ids)}, populations={"a": 4}, phases=[PhaseInfo("a", 0, 500), PhaseInfo("b", 500, 2000)]
    )
    assert rec.duration_ms == pytest.approx(200.0)
    assert rec.mean_rate("a") == pytest.approx(12.5)
    assert rec.mean_rate("a", phase="b") == pytest.approx(10.0)
    assert rec.mean_rate("a", phase="a") == pytest.approx(20.0)


def test_mean_rate_uses_meta_duration_without_phases():
    rec = _rec({"a": ([1, 2, 3], [0, 0, 0])}, populations={"a": 2}, meta={"duration_ms": 500.0})
    assert rec.mean_rate("a") == pytest.approx(3 / 2 / 0.5)
    no_duration = _rec({"a": ([1], [0])})
    with pytest.raises(ValueError, match="duration"):
        no_duration.mean_rate("a")


# ---------------------------------------------------------------- spike_hash


def test_spike_hash_equal_for_equal_spikes_regardless_of_input_order():
    a = _rec({"x": ([1, 1, 5], [2, 0, 1]), "y": ([3], [4])})
    b = _rec({"y": ([3], [4]), "x": ([5, 1, 1], [1, 0, 2])}, meta={"backend": "other"})
    assert a.spike_hash() == b.spike_hash()
    assert len(a.spike_hash()) == 64


@pytest.mark.parametrize(
    "other",
    [
        {"x": ([1, 1, 6], [0, 2, 1]), "y": ([3], [4])},  # one spike one step later
        {"x": ([1, 1, 5], [0, 3, 1]), "y": ([3], [4])},  # one id changed
        {"x": ([1, 1, 5], [0, 2, 1]), "y": ([3, 3], [4, 5])},  # one extra spike
        {"x": ([1, 1, 5], [0, 2, 1])},  # population y not recorded
        {"z": ([1, 1, 5], [0, 2, 1]), "y": ([3], [4])},  # same spikes, other population name
    ],
)
def test_spike_hash_differs_for_different_spikes(other):
    base = _rec({"x": ([1, 1, 5], [0, 2, 1]), "y": ([3], [4])})
    assert _rec(other).spike_hash() != base.spike_hash()


def test_spike_hash_is_sha256_over_sorted_populations():
    rec = _rec({"b": ([2], [1]), "a": ([0, 4], [3, 3])})
    digest = hashlib.sha256()
    for name, steps, ids in (("a", [0, 4], [3, 3]), ("b", [2], [1])):
        digest.update(name.encode() + b"\0")
        digest.update(np.array([len(steps)], dtype="<i8").tobytes())
        digest.update(np.array(steps, dtype="<i8").tobytes() + np.array(ids, dtype="<i8").tobytes())
    assert rec.spike_hash() == digest.hexdigest()


# ---------------------------------------------------------------- equality and repr


def test_equality_compares_content(recording):
    from .conftest import build_recording

    assert recording == build_recording()
    changed = Recording(
        dt=recording.dt,
        populations=dict(recording.populations),
        spikes=dict(recording.spikes),
        state=dict(recording.state),
        weights={},
        phases=list(recording.phases),
        meta=recording.meta,
    )
    assert recording != changed


def test_repr_summarises(recording):
    text = repr(recording)
    assert text.startswith("Recording(")
    assert "'numba'" in text and "500 spikes in 2 recorded" in text and "3 populations" in text
    assert "2 phases" in text and "duration=300 ms" in text
