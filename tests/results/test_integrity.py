"""Recordings are checksummed and validated on load: a changed or inconsistent file is a
:class:`RecordingFormatError`, never different data (issue 15)."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import h5py
import numpy as np
import pytest

from spikemem.results import PhaseInfo, Recording, RecordingFormatError, SpikeTrains
from spikemem.results.hdf5 import UnverifiedRecordingWarning, content_checksum


def _rechecksum(path: Path) -> None:
    """Recompute the checksum of ``path`` after an edit, so that only the validation is tested."""
    with h5py.File(path, "r+") as file:
        datasets: dict[str, np.ndarray] = {}

        def visit(name: str, item: object) -> None:
            if isinstance(item, h5py.Dataset):
                datasets["/" + name] = np.asarray(item[()])

        file.visititems(visit)
        attrs = {key: file.attrs.get(key) for key in ("format", "version", "dt", "meta", "populations")}
        file.attrs["checksum"] = content_checksum(attrs, datasets)


def _small(tmp_path: Path) -> Path:
    rec = Recording(
        dt=0.5,
        populations={"a": 4},
        spikes={"a": SpikeTrains(np.array([1, 2, 3]), np.array([0, 3, 1]), 0.5)},
        phases=[PhaseInfo("run", 0, 10)],
    )
    path = tmp_path / "small.h5"
    rec.save(path)
    return path


def test_file_carries_a_checksum(recording, tmp_path):
    path = tmp_path / "r.h5"
    recording.save(path)
    with h5py.File(path, "r") as file:
        assert str(file.attrs["checksum"]).startswith("sha256:")
    assert Recording.load(path) == recording


def test_every_single_bit_flip_in_spike_steps_is_caught(tmp_path):
    path = _small(tmp_path)
    with h5py.File(path, "r") as file:
        offset = file["spikes/a/steps"].id.get_offset()
        nbytes = file["spikes/a/steps"].id.get_storage_size()
    original = path.read_bytes()
    assert original[offset : offset + 8] == np.int64(1).tobytes()
    caught = 0
    for position in range(offset, offset + nbytes):
        for bit in range(8):
            damaged = bytearray(original)
            damaged[position] ^= 1 << bit
            path.write_bytes(bytes(damaged))
            with pytest.raises(RecordingFormatError, match="checksum"):
                Recording.load(path)
            caught += 1
    assert caught == nbytes * 8 == 3 * 64


@pytest.mark.parametrize(
    "edit",
    [
        lambda f: f["spikes/a/steps"].__setitem__(0, 2),
        lambda f: f.attrs.__setitem__("dt", 0.25),
        lambda f: f.attrs.__setitem__("meta", json.dumps({"seed": 5})),
        lambda f: f["phases/stop_step"].__setitem__(0, 11),
    ],
    ids=["spike step", "dt", "meta", "phase stop"],
)
def test_an_edited_file_is_refused(tmp_path, edit):
    path = _small(tmp_path)
    with h5py.File(path, "r+") as file:
        edit(file)
    with pytest.raises(RecordingFormatError, match="checksum does not match"):
        Recording.load(path)


def _replace(file: h5py.File, name: str, data: np.ndarray) -> None:
    del file[name]
    file.create_dataset(name, data=data)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda f: _replace(f, "spikes/a/node_ids", np.array([0.0, 3.7, 1.0])), "node_ids"),
        (lambda f: _replace(f, "spikes/a/node_ids", np.array([0, 4, 1], dtype=np.uint64)), "ids"),
        (lambda f: _replace(f, "spikes/a/steps", np.array([1, 2, 10**9])), "after the end of the run"),
        (lambda f: _replace(f, "spikes/a/steps", np.array([1, 2])), "differ in length"),
        (lambda f: _replace(f, "spikes/a/timestamps", np.array([0.5, 1.0, 9.0])), "timestamps"),
        (lambda f: _replace(f, "phases/start_step", np.array([0.5])), "start_step"),
        (lambda f: f.attrs.__setitem__("meta", "[1, 2]"), "JSON objects"),
    ],
    ids=["float ids", "id out of range", "step after run", "lengths", "timestamps", "float phase", "meta"],
)
def test_inconsistent_content_is_refused_even_with_a_valid_checksum(tmp_path, edit, message):
    path = _small(tmp_path)
    with h5py.File(path, "r+") as file:
        edit(file)
    _rechecksum(path)
    with pytest.raises(RecordingFormatError, match=message):
        Recording.load(path)


def test_version_1_file_without_checksum_loads_with_a_warning(tmp_path):
    path = _small(tmp_path)
    expected = Recording.load(path)
    with h5py.File(path, "r+") as file:
        del file.attrs["checksum"]
        file.attrs["version"] = 1
    with pytest.warns(UnverifiedRecordingWarning, match="version 1"):
        assert Recording.load(path) == expected


def test_version_2_file_without_checksum_is_refused(tmp_path):
    path = _small(tmp_path)
    with h5py.File(path, "r+") as file:
        del file.attrs["checksum"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(RecordingFormatError, match="checksum attribute is missing"):
            Recording.load(path)
