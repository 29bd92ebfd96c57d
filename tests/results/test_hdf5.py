"""HDF5 files: SONATA-style layout, exact round trips, clear errors for wrong files."""

from __future__ import annotations

import json
import os

import h5py
import numpy as np
import pytest

from spikemem.results import PhaseInfo, Recording, RecordingFormatError, SpikeTrains
from spikemem.results import hdf5 as hdf5_module


def _assert_same(a: Recording, b: Recording) -> None:
    """Field-by-field comparison (independent of Recording.__eq__)."""
    assert a.dt == b.dt
    assert list(a.populations.items()) == list(b.populations.items())
    assert list(a.spikes) == list(b.spikes)
    for name in a.spikes:
        for field in ("steps", "ids"):
            x, y = getattr(a.spikes[name], field), getattr(b.spikes[name], field)
            assert y.dtype == np.int64 and not y.flags.writeable
            np.testing.assert_array_equal(x, y)
    assert list(a.state) == list(b.state)
    for name, trace in a.state.items():
        other = b.state[name]
        np.testing.assert_array_equal(trace.steps, other.steps)
        np.testing.assert_array_equal(trace.ids, other.ids)
        assert list(trace.values) == list(other.values)
        for var, values in trace.values.items():
            assert other.values[var].dtype == np.float64 and not other.values[var].flags.writeable
            np.testing.assert_array_equal(values, other.values[var])  # NaN positions equal too
    assert [list(p) for p in a.weights.values()] == [list(p) for p in b.weights.values()]
    assert list(a.weights) == list(b.weights)
    for phase, projections in a.weights.items():
        for projection, values in projections.items():
            np.testing.assert_array_equal(values, b.weights[phase][projection])
            assert not b.weights[phase][projection].flags.writeable
    assert a.phases == b.phases
    assert a.meta == b.meta


def test_round_trip_every_field(recording, tmp_path):
    path = tmp_path / "run.h5"
    recording.save(path)
    loaded = Recording.load(path)
    _assert_same(recording, loaded)
    assert loaded == recording
    assert loaded.spike_hash() == recording.spike_hash()
    assert "input" not in loaded.spikes and len(loaded.spikes["inh"]) == 0
    assert np.isnan(loaded.state["exc"].values["v"][4, 1])


def test_round_trip_with_compression_and_str_path(recording, tmp_path):
    path = str(tmp_path / "run.h5")
    recording.save(path, compression="gzip")
    _assert_same(recording, Recording.load(path))
    with h5py.File(path) as file:
        assert file["spikes/exc/steps"].compression == "gzip"


def test_round_trip_minimal_recording(tmp_path):
    rec = Recording(dt=1.0, populations={"only": 1}, spikes={})
    rec.save(tmp_path / "min.h5")
    loaded = Recording.load(tmp_path / "min.h5")
    _assert_same(rec, loaded)
    assert loaded.phases == () and loaded.meta == {} and dict(loaded.state) == {}


def test_sonata_layout(recording, tmp_path):
    path = tmp_path / "run.h5"
    recording.save(path)
    with h5py.File(path) as file:
        assert file.attrs["format"] == "spikemem.recording"
        assert int(file.attrs["version"]) == 2
        assert float(file.attrs["dt"]) == 0.1
        assert json.loads(file.attrs["populations"]) == {"exc": 40, "inh": 10, "input": 5}
        assert json.loads(file.attrs["meta"])["ir_hash"] == "abc123"
        exc = file["spikes/exc"]
        assert exc.attrs["sorting"] == "by_time"
        assert exc["timestamps"].dtype == np.float64 and exc["timestamps"].attrs["units"] == "ms"
        assert exc["node_ids"].dtype in (np.uint64, np.int64)
        assert exc["steps"].dtype == np.int64
        np.testing.assert_array_equal(exc["timestamps"][()], recording.spikes["exc"].times_ms)
        np.testing.assert_array_equal(exc["node_ids"][()], recording.spikes["exc"].ids)
        assert np.all(np.diff(exc["timestamps"][()]) >= 0)
        for name in ("timestamps", "node_ids", "steps"):  # silent population: empty datasets
            assert file["spikes/inh"][name].shape == (0,)
        assert "input" not in file["spikes"]
        assert file["state/exc/v"].shape == (30, 3) and file["state/exc/v"].attrs["units"] == "mV"
        assert file["state/exc/isyn_exc"].attrs["units"] == "nA"
        assert file["weights/store/exc_exc"].shape == (17,)
        assert [n.decode() for n in file["phases/names"][()]] == ["store", "recall"]
        assert file["phases/stop_step"][()].tolist() == [1000, 3000]


def test_save_replaces_existing_file_and_leaves_no_temp(recording, tmp_path):
    path = tmp_path / "run.h5"
    Recording(dt=0.1, populations={"x": 1}, spikes={}).save(path)
    recording.save(path)
    assert Recording.load(path) == recording
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.h5"]


def test_failed_save_keeps_old_file_and_removes_temp(recording, tmp_path, monkeypatch):
    path = tmp_path / "run.h5"
    old = Recording(dt=0.1, populations={"x": 1}, spikes={"x": SpikeTrains([4], [0], 0.1)})
    old.save(path)

    def broken(file, rec, compression):
        file.create_group("spikes")
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(hdf5_module, "_write", broken)
    with pytest.raises(RuntimeError, match="disk on fire"):
        recording.save(path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.h5"]
    assert Recording.load(path) == old


def test_save_into_missing_directory(recording, tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        recording.save(tmp_path / "nope" / "run.h5")


def test_save_rejects_unknown_compression(recording, tmp_path):
    with pytest.raises(ValueError, match="compression"):
        recording.save(tmp_path / "x.h5", compression="zip")


# ---------------------------------------------------------------- wrong files


def test_load_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="missing.h5"):
        Recording.load(tmp_path / "missing.h5")


def test_load_non_hdf5_file(tmp_path):
    path = tmp_path / "notes.h5"
    path.write_text("just text\n")
    with pytest.raises(RecordingFormatError, match="notes.h5") as info:
        Recording.load(path)
    assert isinstance(info.value, ValueError) and info.value.path == str(path)


def test_load_directory(tmp_path):
    with pytest.raises(RecordingFormatError, match="directory"):
        Recording.load(tmp_path)


def test_load_hdf5_of_another_format(tmp_path):
    path = tmp_path / "other.h5"
    with h5py.File(path, "w") as file:
        file.create_dataset("spikes", data=np.arange(3))
    with pytest.raises(RecordingFormatError, match=r"other\.h5.*format=None"):
        Recording.load(path)


def test_load_newer_version(recording, tmp_path):
    path = tmp_path / "future.h5"
    recording.save(path)
    with h5py.File(path, "r+") as file:
        file.attrs["version"] = 3
    with pytest.raises(RecordingFormatError, match="version=3"):
        Recording.load(path)


def test_load_inconsistent_content(recording, tmp_path):
    path = tmp_path / "bad.h5"
    recording.save(path)
    with h5py.File(path, "r+") as file:
        del file["spikes/exc/steps"]
    with pytest.raises(RecordingFormatError, match="bad.h5"):
        Recording.load(path)


def test_load_truncated_file(recording, tmp_path):
    path = tmp_path / "cut.h5"
    recording.save(path)
    size = os.path.getsize(path)
    with open(path, "r+b") as handle:
        handle.truncate(size // 2)
    with pytest.raises(RecordingFormatError, match="cut.h5"):
        Recording.load(path)


def test_phase_info_round_trip_preserves_order(tmp_path):
    phases = [PhaseInfo(f"p{i}", 10 * i, 10 * i + 10) for i in (3, 1, 2)]
    rec = Recording(dt=0.5, populations={"a": 2}, spikes={"a": SpikeTrains.empty(0.5)}, phases=phases)
    rec.save(tmp_path / "p.h5")
    assert Recording.load(tmp_path / "p.h5").phases == tuple(phases)
