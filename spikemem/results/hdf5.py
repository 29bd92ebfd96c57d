"""Save and load recordings as SONATA-style HDF5 files.

Layout (version 1)::

    /                       attrs: format="spikemem.recording", version=1, dt (ms),
                                   meta (JSON), populations (JSON name -> size)
    /spikes/<pop>/          attrs: sorting="by_time"
        timestamps          float64 (ms), attr units="ms"
        node_ids            uint64, neuron index within the population
        steps               int64, time-step index
    /state/<pop>/steps      int64 (n_samples,)
    /state/<pop>/ids        int64 (n_ids,)
    /state/<pop>/<var>      float64 (n_samples, n_ids), attr units ("mV", "nA")
    /weights/<phase>/<proj> float64 (n_synapses,)
    /phases/names           strings; /phases/start_step, /phases/stop_step int64

A population whose spikes were recorded but which did not fire has empty datasets; a population
whose spikes were not recorded has no group. Files are written to a temporary file in the target
directory, flushed, fsynced and renamed over the target (``os.replace``), so the target path holds
either the previous complete file or the new complete file, never a partial one.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import h5py
import numpy as np

from .traces import STATE_UNITS, PhaseInfo, SpikeTrains, StateTrace

__all__ = ["FORMAT", "VERSION", "RecordingFormatError", "load", "save"]

T = TypeVar("T")

FORMAT = "spikemem.recording"
VERSION = 1
_TEMP_SUFFIX = ".tmp"


class RecordingFormatError(ValueError):
    """A file is not a spikemem recording, or is damaged or of an unknown version."""

    def __init__(self, path: Any, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: not a readable spikemem recording: {reason}")


# --------------------------------------------------------------------------- save


def save(recording: Any, path: str | os.PathLike, *, compression: str | None = None) -> None:
    """Write ``recording`` to ``path`` (HDF5) atomically.

    Parameters
    ----------
    recording : spikemem.results.Recording
        What to write.
    path : str or path-like
        Target file; replaced if it exists. Its directory must exist.
    compression : {None, "gzip", "lzf"}
        Compression of the non-empty datasets (none by default: fastest to write).

    The data go to a hidden temporary file next to the target (``.<name>.<random>.tmp``), which
    is flushed and fsynced, then renamed over the target; the directory is fsynced afterwards.
    If the process dies before the rename, the target is untouched (a temporary file may be left
    behind; it is never read as the result).
    """
    if compression not in (None, "gzip", "lzf"):
        raise ValueError(f"compression={compression!r}; allowed: None, 'gzip', 'lzf'")
    target = Path(path)
    directory = target.parent if str(target.parent) else Path(".")
    if not directory.is_dir():
        raise FileNotFoundError(f"{target}: directory {directory} does not exist")
    temp = _create_temp(directory, target.name)
    try:
        with h5py.File(temp, "w", track_order=True) as file:
            _write(file, recording, compression)
            file.flush()
        _fsync_path(temp)
        os.replace(temp, target)
    except BaseException:
        try:
            os.unlink(temp)
        except FileNotFoundError:
            pass
        raise
    _fsync_directory(directory)


def _create_temp(directory: Path, name: str) -> Path:
    """Create an empty temporary file (permissions follow the umask, like a normal file)."""
    for _ in range(100):
        candidate = directory / f".{name}.{os.getpid()}.{secrets.token_hex(4)}{_TEMP_SUFFIX}"
        try:
            fd = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            continue
        os.close(fd)
        return candidate
    raise FileExistsError(f"could not create a temporary file in {directory}")  # pragma: no cover


def _fsync_path(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_directory(directory: Path) -> None:
    if os.name != "posix":  # pragma: no cover - directories cannot be opened on Windows
        return
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:  # pragma: no cover
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover - some filesystems refuse fsync on directories
        pass
    finally:
        os.close(fd)


def _dataset(group: h5py.Group, name: str, data: np.ndarray, compression: str | None) -> h5py.Dataset:
    if compression and data.size:
        return group.create_dataset(name, data=data, compression=compression, chunks=True)
    return group.create_dataset(name, data=data)


def _write(file: h5py.File, rec: Any, compression: str | None) -> None:
    file.attrs["format"] = FORMAT
    file.attrs["version"] = VERSION
    file.attrs["dt"] = rec.dt
    file.attrs["meta"] = json.dumps(rec.meta)
    file.attrs["populations"] = json.dumps(dict(rec.populations))

    spikes = file.create_group("spikes", track_order=True)
    for name, trains in rec.spikes.items():
        group = spikes.create_group(name)
        group.attrs["sorting"] = "by_time"
        _dataset(group, "timestamps", trains.times_ms, compression).attrs["units"] = "ms"
        _dataset(group, "node_ids", trains.ids.astype(np.uint64), compression)
        _dataset(group, "steps", trains.steps, compression)

    state = file.create_group("state", track_order=True)
    for name, trace in rec.state.items():
        group = state.create_group(name, track_order=True)
        _dataset(group, "steps", trace.steps, compression)
        _dataset(group, "ids", trace.ids, compression)
        for variable, values in trace.values.items():
            dataset = _dataset(group, variable, values, compression)
            if variable in STATE_UNITS:
                dataset.attrs["units"] = STATE_UNITS[variable]

    weights = file.create_group("weights", track_order=True)
    for phase, projections in rec.weights.items():
        group = weights.create_group(phase, track_order=True)
        for projection, values in projections.items():
            _dataset(group, projection, values, compression)

    phases = file.create_group("phases")
    phases.create_dataset("names", data=[p.name for p in rec.phases], dtype=h5py.string_dtype())
    phases.create_dataset("start_step", data=np.array([p.start_step for p in rec.phases], dtype=np.int64))
    phases.create_dataset("stop_step", data=np.array([p.stop_step for p in rec.phases], dtype=np.int64))


# --------------------------------------------------------------------------- load


def load(path: str | os.PathLike, build: Callable[..., T]) -> T:
    """Read a recording written by :func:`save`: ``build(dt=…, populations=…, spikes=…,
    state=…, weights=…, phases=…, meta=…)`` (``Recording.load`` passes the class).

    Raises
    ------
    FileNotFoundError
        ``path`` does not exist.
    RecordingFormatError
        ``path`` is not an HDF5 file, not a spikemem recording, of a newer version, or damaged.
    """
    source = Path(path)
    if not source.exists():
        raise FileNotFoundError(f"{source}: no such recording file")
    if source.is_dir():
        raise RecordingFormatError(source, "it is a directory")
    try:
        file = h5py.File(source, "r")
    except OSError as exc:
        raise RecordingFormatError(source, f"not an HDF5 file or truncated ({exc})") from None
    with file:
        try:
            _check_header(source, file)
            return build(**_read(file))
        except RecordingFormatError:
            raise
        except (KeyError, OSError, ValueError, TypeError, json.JSONDecodeError) as exc:
            raise RecordingFormatError(source, f"damaged or inconsistent content ({exc})") from None


def _check_header(source: Path, file: h5py.File) -> None:
    fmt = file.attrs.get("format")
    if isinstance(fmt, bytes):
        fmt = fmt.decode()
    if fmt != FORMAT:
        raise RecordingFormatError(source, f"root attribute format={fmt!r}, expected {FORMAT!r}")
    version = file.attrs.get("version")
    if isinstance(version, np.integer):
        version = int(version)
    if not isinstance(version, int) or not 1 <= version <= VERSION:
        raise RecordingFormatError(source, f"version={version!r}; this spikemem reads version 1 to {VERSION}")


def _frozen(array: np.ndarray, dtype: Any) -> np.ndarray:
    result = np.asarray(array, dtype=dtype)
    if result.flags.writeable and result.base is None:
        result.setflags(write=False)  # freshly read: freezing it avoids a copy in the constructor
    return result


def _read(file: h5py.File) -> dict[str, Any]:
    dt = float(file.attrs["dt"])
    populations = json.loads(file.attrs["populations"])
    meta = json.loads(file.attrs["meta"])

    spikes = {}
    for name, group in file["spikes"].items():
        steps = _frozen(group["steps"][()], np.int64)
        ids = _frozen(group["node_ids"][()], np.int64)
        spikes[name] = SpikeTrains(steps, ids, dt)

    state = {}
    for name, group in file["state"].items():
        values = {key: _frozen(group[key][()], np.float64) for key in group if key not in ("steps", "ids")}
        steps = _frozen(group["steps"][()], np.int64)
        ids = _frozen(group["ids"][()], np.int64)
        state[name] = StateTrace(steps, ids, values, dt)

    weights = {
        phase: {proj: _frozen(data[()], np.float64) for proj, data in group.items()}
        for phase, group in file["weights"].items()
    }

    group = file["phases"]
    names = [n.decode() if isinstance(n, bytes) else str(n) for n in group["names"][()]]
    starts = group["start_step"][()]
    stops = group["stop_step"][()]
    phases = [PhaseInfo(n, int(a), int(b)) for n, a, b in zip(names, starts, stops, strict=True)]

    return {
        "dt": dt, "populations": populations, "spikes": spikes, "state": state, "weights": weights,
        "phases": phases, "meta": meta,
    }
