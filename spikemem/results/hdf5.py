"""Save and load recordings as SONATA-style HDF5 files.

Layout (version 2)::

    /                       attrs: format="spikemem.recording", version=2, dt (ms),
                                   meta (JSON), populations (JSON name -> size),
                                   checksum ("sha256:<hex>", see below)
    /spikes/<pop>/          attrs: sorting="by_time"
        timestamps          float64 (ms), attr units="ms"
        node_ids            uint64, neuron index within the population
        steps               int64, time-step index
    /state/<pop>/steps      int64 (n_samples,)
    /state/<pop>/ids        int64 (n_ids,)
    /state/<pop>/<var>      float64 (n_samples, n_ids), attr units ("mV", "nA")
    /weights/<phase>/<proj> float64 (n_synapses,)
    /phases/names           strings; /phases/start_step, /phases/stop_step int64

``checksum`` is the SHA-256 of the root attributes and of every dataset (its path, dtype, shape
and bytes; :func:`content_checksum`), checked on load: a file whose bits changed is refused with
a :class:`RecordingFormatError`, never read as different data. Load also checks that ids and
steps are integers, ids lie within their population and steps within the run, and that shapes
agree. Files of version 1 (before checksums) still load, with a :class:`UnverifiedRecordingWarning`.

A population whose spikes were recorded but which did not fire has empty datasets; a population
whose spikes were not recorded has no group. Files are written to a temporary file in the target
directory, flushed, fsynced and renamed over the target (``os.replace``), so the target path holds
either the previous complete file or the new complete file, never a partial one.
"""

from __future__ import annotations

import hashlib
import json
import os
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import h5py
import numpy as np

from ..ir.serialize import atomic_path
from .traces import STATE_UNITS, PhaseInfo, SpikeTrains, StateTrace

__all__ = [
    "FORMAT",
    "VERSION",
    "RecordingFormatError",
    "UnverifiedRecordingWarning",
    "content_checksum",
    "load",
    "save",
]

T = TypeVar("T")

FORMAT = "spikemem.recording"
VERSION = 2
"""Version 2 adds the root attribute ``checksum``; version 1 files load unverified."""
_ROOT_ATTRS = ("format", "version", "dt", "meta", "populations")


class RecordingFormatError(ValueError):
    """A file is not a spikemem recording, or is damaged or of an unknown version."""

    def __init__(self, path: Any, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: not a readable spikemem recording: {reason}")


class UnverifiedRecordingWarning(UserWarning):
    """A recording was written before checksums (version 1): its content cannot be verified."""


# --------------------------------------------------------------------------- checksum


def _canonical_dataset(data: np.ndarray) -> tuple[str, memoryview]:
    """``(dtype, buffer)`` of a dataset as hashed: strings as a JSON list, numbers as their
    little-endian bytes (a view, not a copy, for the usual little-endian arrays)."""
    if data.dtype.kind in "OSU":
        names = [n.decode() if isinstance(n, bytes) else str(n) for n in data.reshape(-1)]
        return "str", memoryview(json.dumps(names).encode())
    little = data.dtype.newbyteorder("<")
    array = np.ascontiguousarray(data, dtype=little)
    return little.str, memoryview(array.reshape(-1).view(np.uint8))


def content_checksum(attrs: dict[str, Any], datasets: dict[str, np.ndarray]) -> str:
    """``"sha256:<hex>"`` of the root attributes (``format``, ``version``, ``dt``, ``meta``,
    ``populations``) and of every dataset, in sorted path order, by path, dtype, shape and bytes."""
    digest = hashlib.sha256()
    for key in _ROOT_ATTRS:
        value = attrs.get(key)
        if isinstance(value, bytes):
            value = value.decode()
        if isinstance(value, (np.floating, float)):
            text = float(value).hex()
        elif isinstance(value, (np.integer, int)):
            text = str(int(value))
        else:
            text = str(value)
        digest.update(f"{key}={text}\0".encode())
    for path in sorted(datasets):
        data = datasets[path]
        kind, payload = _canonical_dataset(data)
        digest.update(f"{path}|{kind}|{tuple(data.shape)}|{payload.nbytes}\0".encode())
        digest.update(payload)
    return "sha256:" + digest.hexdigest()


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

    The data go to a hidden temporary file next to the target (``.<name>.<pid>.<random>.tmp``,
    :func:`~spikemem.ir.serialize.atomic_path`), which is flushed and fsynced, then renamed over
    the target; the directory is fsynced afterwards.
    If the process dies before the rename, the target is untouched (a temporary file may be left
    behind; it is never read as the result).
    """
    if compression not in (None, "gzip", "lzf"):
        raise ValueError(f"compression={compression!r}; allowed: None, 'gzip', 'lzf'")
    target = Path(path)
    directory = target.parent if str(target.parent) else Path(".")
    if not directory.is_dir():
        raise FileNotFoundError(f"{target}: directory {directory} does not exist")
    with atomic_path(target) as temp:
        with h5py.File(temp, "w", track_order=True) as file:
            _write(file, recording, compression)
            file.flush()
    _fsync_directory(directory)


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


class _Writer:
    """Creates datasets and remembers what it wrote, for the checksum."""

    def __init__(self, compression: str | None) -> None:
        self.compression = compression
        self.written: dict[str, np.ndarray] = {}

    def __call__(self, group: h5py.Group, name: str, data: np.ndarray) -> h5py.Dataset:
        if self.compression and data.size:
            dataset = group.create_dataset(name, data=data, compression=self.compression, chunks=True)
        else:
            dataset = group.create_dataset(name, data=data)
        self.written[dataset.name] = np.asarray(data)
        return dataset


def _write(file: h5py.File, rec: Any, compression: str | None) -> None:
    attrs = {
        "format": FORMAT,
        "version": VERSION,
        "dt": rec.dt,
        "meta": json.dumps(rec.meta),
        "populations": json.dumps(dict(rec.populations)),
    }
    for key, value in attrs.items():
        file.attrs[key] = value
    dataset = _Writer(compression)

    spikes = file.create_group("spikes", track_order=True)
    for name, trains in rec.spikes.items():
        group = spikes.create_group(name)
        group.attrs["sorting"] = "by_time"
        dataset(group, "timestamps", trains.times_ms).attrs["units"] = "ms"
        dataset(group, "node_ids", trains.ids.astype(np.uint64))
        dataset(group, "steps", trains.steps)

    state = file.create_group("state", track_order=True)
    for name, trace in rec.state.items():
        group = state.create_group(name, track_order=True)
        dataset(group, "steps", trace.steps)
        dataset(group, "ids", trace.ids)
        for variable, values in trace.values.items():
            written = dataset(group, variable, values)
            if variable in STATE_UNITS:
                written.attrs["units"] = STATE_UNITS[variable]

    weights = file.create_group("weights", track_order=True)
    for phase, projections in rec.weights.items():
        group = weights.create_group(phase, track_order=True)
        for projection, values in projections.items():
            dataset(group, projection, values)

    phases = file.create_group("phases")
    names = phases.create_dataset("names", data=[p.name for p in rec.phases], dtype=h5py.string_dtype())
    dataset.written[names.name] = np.array([p.name for p in rec.phases], dtype=object)
    dataset(phases, "start_step", np.array([p.start_step for p in rec.phases], dtype=np.int64))
    dataset(phases, "stop_step", np.array([p.stop_step for p in rec.phases], dtype=np.int64))
    file.attrs["checksum"] = content_checksum(attrs, dataset.written)


# --------------------------------------------------------------------------- load


def load(path: str | os.PathLike, build: Callable[..., T]) -> T:
    """Read a recording written by :func:`save`: ``build(dt=…, populations=…, spikes=…,
    state=…, weights=…, phases=…, meta=…)`` (``Recording.load`` passes the class).

    Raises
    ------
    FileNotFoundError
        ``path`` does not exist.
    RecordingFormatError
        ``path`` is not an HDF5 file, not a spikemem recording, of a newer version, damaged
        (its checksum does not match), or inconsistent (ids or steps out of range, shapes).

    Warns
    -----
    UnverifiedRecordingWarning
        For a version 1 file, which has no checksum.
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
            version = _check_header(source, file)
            attrs = {key: file.attrs.get(key) for key in (*_ROOT_ATTRS, "checksum")}
            datasets = _datasets(file)
            _check_checksum(source, version, attrs, datasets)
            return build(**_read(attrs, datasets))
        except RecordingFormatError:
            raise
        except MemoryError:
            raise
        except Exception as exc:  # noqa: BLE001 - h5py and numpy raise many types on damaged files
            raise RecordingFormatError(
                source, f"damaged or inconsistent content ({type(exc).__name__}: {exc})"
            ) from None


def _check_header(source: Path, file: h5py.File) -> int:
    fmt = file.attrs.get("format")
    if isinstance(fmt, bytes):
        fmt = fmt.decode()
    if fmt != FORMAT:
        raise RecordingFormatError(source, f"root attribute format={fmt!r}, expected {FORMAT!r}")
    version = file.attrs.get("version")
    if isinstance(version, np.integer):
        version = int(version)
    if isinstance(version, bool) or not isinstance(version, int) or not 1 <= version <= VERSION:
        raise RecordingFormatError(source, f"version={version!r}; this spikemem reads version 1 to {VERSION}")
    return version


def _datasets(file: h5py.File) -> dict[str, np.ndarray]:
    """Every dataset of ``file``, path -> array (read once, for the checksum and the content)."""
    found: dict[str, np.ndarray] = {}

    def walk(group: h5py.Group) -> None:  # group.items() keeps the written (track_order) order
        for item in group.values():
            if isinstance(item, h5py.Dataset):
                found[item.name] = np.asarray(item[()])
            elif isinstance(item, h5py.Group):
                walk(item)

    walk(file)
    return found


def _check_checksum(
    source: Path, version: int, attrs: dict[str, Any], datasets: dict[str, np.ndarray]
) -> None:
    stored = attrs.get("checksum")
    if isinstance(stored, bytes):
        stored = stored.decode()
    if stored is None and version == 1:
        warnings.warn(
            f"{source}: written before recordings carried checksums (format version 1); "
            "its content is read unverified",
            UnverifiedRecordingWarning,
            stacklevel=4,
        )
        return
    if not isinstance(stored, str):
        raise RecordingFormatError(source, f"the checksum attribute is missing or not text ({stored!r})")
    if content_checksum(attrs, datasets) != stored:
        raise RecordingFormatError(source, "the checksum does not match: the file was changed or damaged")


def _integers(path: str, data: np.ndarray, ndim: int = 1) -> np.ndarray:
    """``data`` as read-only int64, refusing anything but integers (no float truncation)."""
    if (
        data.ndim != ndim
        or (data.size and data.dtype.kind not in "iu")
        or (data.size == 0 and data.dtype.kind not in "iuf")
    ):
        raise ValueError(f"{path}: {data.dtype} array of shape {data.shape}; expected {ndim}-D integers")
    if data.dtype.kind == "u" and data.size and data.max() > np.iinfo(np.int64).max:
        raise ValueError(f"{path}: value {data.max()} out of range")
    return _frozen(data, np.int64)


def _floats(path: str, data: np.ndarray, ndim: int) -> np.ndarray:
    if data.ndim != ndim or data.dtype.kind not in "fiu":
        raise ValueError(f"{path}: {data.dtype} array of shape {data.shape}; expected {ndim}-D numbers")
    return _frozen(data, np.float64)


def _frozen(array: np.ndarray, dtype: Any) -> np.ndarray:
    result = np.asarray(array, dtype=dtype)
    if result.flags.writeable and result.base is None:
        result.setflags(write=False)  # freshly read: freezing it avoids a copy in the constructor
    return result


def _run_steps(phases: list[PhaseInfo], meta: dict, dt: float) -> int | None:
    """Length of the run in steps (the last phase's stop, else ``meta['duration_ms'] / dt``)."""
    if phases:
        return max(p.stop_step for p in phases)
    duration = meta.get("duration_ms")
    if isinstance(duration, (int, float)) and not isinstance(duration, bool) and np.isfinite(duration):
        return int(np.ceil(duration / dt - 1e-9))
    return None


def _check_steps(path: str, steps: np.ndarray, n_steps: int | None) -> None:
    if steps.size and n_steps is not None and int(steps.max()) > n_steps:
        raise ValueError(f"{path}: step {int(steps.max())} lies after the end of the run ({n_steps} steps)")


def _groups(datasets: dict[str, np.ndarray], top: str) -> dict[str, dict[str, np.ndarray]]:
    """``/top/<group>/<name>`` datasets as group -> name -> array (in file order)."""
    grouped: dict[str, dict[str, np.ndarray]] = {}
    for path, data in datasets.items():
        parts = path.split("/")
        if parts[1] != top:
            continue
        if len(parts) != 4:
            raise ValueError(f"{path}: unexpected dataset in /{top}")
        grouped.setdefault(parts[2], {})[parts[3]] = data
    return grouped


def _read(attrs: dict[str, Any], datasets: dict[str, np.ndarray]) -> dict[str, Any]:
    dt = float(attrs["dt"])
    populations = json.loads(attrs["populations"])
    meta = json.loads(attrs["meta"])
    if not isinstance(populations, dict) or not isinstance(meta, dict):
        raise ValueError("the populations and meta attributes must be JSON objects")

    names = datasets["/phases/names"]
    starts = _integers("/phases/start_step", datasets["/phases/start_step"])
    stops = _integers("/phases/stop_step", datasets["/phases/stop_step"])
    labels = [n.decode() if isinstance(n, bytes) else str(n) for n in names.reshape(-1)]
    phases = [PhaseInfo(n, int(a), int(b)) for n, a, b in zip(labels, starts, stops, strict=True)]
    n_steps = _run_steps(phases, meta, dt)

    spikes = {}
    for name, group in _groups(datasets, "spikes").items():
        where = f"/spikes/{name}"
        steps = _integers(f"{where}/steps", group["steps"])
        ids = _integers(f"{where}/node_ids", group["node_ids"])
        times = _floats(f"{where}/timestamps", group["timestamps"], 1)
        if not steps.shape == ids.shape == times.shape:
            raise ValueError(f"{where}: steps, node_ids and timestamps differ in length")
        _check_steps(f"{where}/steps", steps, n_steps)
        spikes[name] = SpikeTrains(steps, ids, dt)
        if not np.array_equal(spikes[name].times_ms, times):
            raise ValueError(f"{where}/timestamps: not steps * dt")

    state = {}
    for name, group in _groups(datasets, "state").items():
        where = f"/state/{name}"
        steps = _integers(f"{where}/steps", group["steps"])
        ids = _integers(f"{where}/ids", group["ids"])
        _check_steps(f"{where}/steps", steps, n_steps)
        values = {
            key: _floats(f"{where}/{key}", data, 2)
            for key, data in group.items()
            if key not in ("steps", "ids")
        }
        state[name] = StateTrace(steps, ids, values, dt)

    weights = {
        phase: {proj: _floats(f"/weights/{phase}/{proj}", data, 1) for proj, data in group.items()}
        for phase, group in _groups(datasets, "weights").items()
    }

    return {
        "dt": dt,
        "populations": populations,
        "spikes": spikes,
        "state": state,
        "weights": weights,
        "phases": phases,
        "meta": meta,
    }
