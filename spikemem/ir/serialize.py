"""Plain-data form of networks and schedules, content hashes, and JSON + npz files."""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import io
import json
import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from .cells import cell_from_dict, cell_to_dict
from .connectors import CONNECTOR_TYPES
from .errors import IRValidationError
from .plasticity import STDP, Additive, Multiplicative, SpikePair
from .population import Population, PopulationView
from .projection import Projection
from .schedule import Phase, Schedule, Stimulus

FORMAT_VERSION = 1


def _side_to_dict(side: Any) -> dict:
    if isinstance(side, PopulationView):
        return {"population": side.name, "indices": side.indices}
    return {"population": side.name}


def _object_to_dict(obj: Any) -> dict:
    data = {"kind": getattr(obj, "kind", type(obj).__name__)}
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        data[f.name] = _object_to_dict(value) if dataclasses.is_dataclass(value) else value
    return data


def network_to_dict(network: Any) -> dict:
    """Plain-data form of a network (arrays stay numpy arrays)."""
    return {
        "format": "spikemem.network",
        "version": FORMAT_VERSION,
        "name": network.name,
        "dt": network.dt,
        "numerics": network.numerics,
        "populations": [
            {"name": p.name, "size": p.size, "cell": cell_to_dict(p.cell)} for p in network.populations
        ],
        "projections": [
            {
                "name": q.name,
                "pre": _side_to_dict(q.pre),
                "post": _side_to_dict(q.post),
                "connector": _object_to_dict(q.connector),
                "weight": q.weight,
                "delay": q.delay,
                "receptor": q.receptor,
                "plasticity": None if q.plasticity is None else _object_to_dict(q.plasticity),
                "segment": q.segment,
            }
            for q in network.projections
        ],
    }


def _expect(data: Any, key: str, owner: str) -> Any:
    if not isinstance(data, dict) or key not in data:
        raise IRValidationError(owner, key, "missing", f"a {key!r} entry")
    return data[key]


def _side_from_dict(data: dict, pops: dict[str, Population], owner: str) -> Any:
    name = _expect(data, "population", owner)
    if name not in pops:
        raise IRValidationError(owner, "population", name, "a population of the network")
    pop = pops[name]
    return pop if data.get("indices") is None else pop[np.asarray(data["indices"], dtype=np.int64)]


def _connector_from_dict(data: dict, owner: str) -> Any:
    kind = _expect(data, "kind", owner)
    if kind not in CONNECTOR_TYPES:
        raise IRValidationError(owner, "connector", kind, ", ".join(CONNECTOR_TYPES))
    return CONNECTOR_TYPES[kind](**{k: v for k, v in data.items() if k != "kind"})


def _plasticity_from_dict(data: dict | None, owner: str) -> STDP | None:
    if data is None:
        return None
    if _expect(data, "kind", owner) != "STDP":
        raise IRValidationError(owner, "plasticity", data.get("kind"), "'STDP'")
    timing = {k: v for k, v in _expect(data, "timing", owner).items() if k != "kind"}
    weight_data = _expect(data, "weight", owner)
    weight_cls = {"Additive": Additive, "Multiplicative": Multiplicative}.get(weight_data.get("kind"))
    if weight_cls is None:
        raise IRValidationError(
            owner, "weight dependence", weight_data.get("kind"), "'Additive' or 'Multiplicative'"
        )
    rest = {k: v for k, v in data.items() if k not in ("kind", "timing", "weight")}
    return STDP(
        timing=SpikePair(**timing),
        weight=weight_cls(**{k: v for k, v in weight_data.items() if k != "kind"}),
        **rest,
    )


def network_fields_from_dict(data: dict) -> dict[str, Any]:
    """The keyword arguments of :class:`~spikemem.ir.Network` (validated populations and
    projections) from :func:`network_to_dict` output; ``Network.from_dict`` builds from them.

    A missing or malformed entry raises :class:`IRValidationError` naming it.
    """
    try:
        return _network_fields(data)
    except IRValidationError:
        raise
    except (
        KeyError,
        TypeError,
        AttributeError,
        ValueError,
        OverflowError,
        RecursionError,
        IndexError,
    ) as error:
        raise IRValidationError(
            "network file", "content", repr(error), "the structure written by Network.to_dict"
        ) from None


def _network_fields(data: dict) -> dict[str, Any]:
    if not isinstance(data, dict) or data.get("format") != "spikemem.network":
        raise IRValidationError(
            "network file",
            "format",
            data.get("format") if isinstance(data, dict) else data,
            "'spikemem.network'",
        )
    if data.get("version") != FORMAT_VERSION:
        raise IRValidationError("network file", "version", data.get("version"), str(FORMAT_VERSION))
    pops = {}
    for entry in _expect(data, "populations", "network"):
        pop = Population(name=entry["name"], size=entry["size"], cell=cell_from_dict(entry["cell"]))
        pops[pop.name] = pop
    projections = []
    for entry in _expect(data, "projections", "network"):
        owner = f"Projection {entry.get('name')!r}"
        projections.append(
            Projection(
                name=entry["name"],
                pre=_side_from_dict(entry["pre"], pops, owner),
                post=_side_from_dict(entry["post"], pops, owner),
                connector=_connector_from_dict(entry["connector"], owner),
                weight=entry["weight"],
                delay=entry["delay"],
                receptor=entry["receptor"],
                plasticity=_plasticity_from_dict(entry.get("plasticity"), owner),
                segment=entry.get("segment"),
            )
        )
    return {
        "populations": tuple(pops.values()),
        "projections": tuple(projections),
        "dt": data["dt"],
        "numerics": data["numerics"],
        "name": data["name"],
    }


def schedule_to_dict(schedule: Schedule) -> dict:
    """Plain-data form of a schedule."""
    return {
        "format": "spikemem.schedule",
        "version": FORMAT_VERSION,
        "phases": [
            {
                "name": p.name,
                "duration": p.duration,
                "plastic": None if p.plastic is None else list(p.plastic),
                "stimuli": [{"population": s.population, "times": s.times, "ids": s.ids} for s in p.stimuli],
            }
            for p in schedule.phases
        ],
    }


def schedule_from_dict(data: dict) -> Schedule:
    """Rebuild a schedule from :func:`schedule_to_dict` output."""
    if not isinstance(data, dict) or data.get("format") != "spikemem.schedule":
        raise IRValidationError(
            "schedule",
            "format",
            data.get("format") if isinstance(data, dict) else data,
            "'spikemem.schedule'",
        )
    phases = []
    for entry in data["phases"]:
        phases.append(
            Phase(
                name=entry["name"],
                duration=entry["duration"],
                plastic=None if entry.get("plastic") is None else tuple(entry["plastic"]),
                stimuli=tuple(Stimulus(**s) for s in entry.get("stimuli", ())),
            )
        )
    return Schedule(phases=tuple(phases))


# -- arrays <-> JSON ------------------------------------------------------------------------
def _split_arrays(value: Any, arrays: dict[str, np.ndarray], path: str) -> Any:
    """Replace every numpy array by a reference into ``arrays`` (for JSON + npz)."""
    if isinstance(value, np.ndarray):
        arrays[path] = value
        return {"__array__": path}
    if isinstance(value, dict):
        return {k: _split_arrays(v, arrays, f"{path}/{k}") for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_split_arrays(v, arrays, f"{path}/{i}") for i, v in enumerate(value)]
    if isinstance(value, (np.floating, np.integer, np.bool_)):
        return value.item()
    return value


def _join_arrays(value: Any, arrays: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"__array__"}:
            return np.asarray(arrays[value["__array__"]])
        return {k: _join_arrays(v, arrays) for k, v in value.items()}
    if isinstance(value, list):
        return [_join_arrays(v, arrays) for v in value]
    return value


def content_hash(data: dict) -> str:
    """SHA-256 over a canonical encoding of plain data (arrays by dtype, shape and bytes)."""
    digest = hashlib.sha256()

    def feed(value: Any) -> None:
        if isinstance(value, np.ndarray):
            array = np.ascontiguousarray(value)
            digest.update(f"A{array.dtype.str}{array.shape}".encode())
            digest.update(array.tobytes())
        elif isinstance(value, dict):
            digest.update(b"{")
            for key in sorted(value):
                digest.update(json.dumps(key).encode())
                feed(value[key])
            digest.update(b"}")
        elif isinstance(value, (list, tuple)):
            digest.update(b"[")
            for item in value:
                feed(item)
            digest.update(b"]")
        elif isinstance(value, float):
            digest.update(b"f" + float(value).hex().encode())
        else:
            digest.update(json.dumps(value.item() if isinstance(value, np.generic) else value).encode())

    feed(data)
    return digest.hexdigest()


TEMP_SUFFIX = ".tmp"
"""Suffix of the hidden temporary files of atomic writes: ``.<name>.<pid>.<random>.tmp``."""


def current_umask() -> int:
    """The process's file-mode creation mask (read from ``/proc`` where possible, so that no
    other thread ever sees a changed umask)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):  # not Linux, or an old kernel
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """A temporary file beside ``path`` for a writer that needs a file name; on success it is
    fsynced and renamed over ``path`` (``os.replace``), on any error removed.

    The temporary file (``.<name>.<pid>.<random>.tmp``) is created empty, with the mode a plain
    ``open`` would give (``0o666`` less the umask; ``mkstemp`` alone gives ``0o600``). A crash
    leaves the previous target intact; the temporary file it may leave names the process that
    wrote it (``spikemem.atomicio.stale_temp_files``). Errors creating it name ``path``.
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = _create_temporary(path)
    except OSError as error:  # name the target, not the temporary file
        raise type(error)(error.errno, error.strerror, str(path)) from None
    try:
        yield tmp
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _create_temporary(path: Path) -> Path:
    """Create ``.<name>.<pid>.<8 hex digits>.tmp`` beside ``path``, empty, mode ``0o666`` less
    the umask (``os.open`` applies it, as a plain ``open`` would)."""
    while True:
        candidate = path.parent / f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}{TEMP_SUFFIX}"
        try:
            os.close(os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
        except FileExistsError:
            continue
        return candidate


def atomic_write_bytes(path: Path, payload: bytes) -> None:
    """Write ``payload`` to ``path`` atomically (:func:`atomic_path`)."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(payload)


def dumps_with_arrays(data: dict) -> tuple[bytes, bytes]:
    """JSON bytes and npz bytes for plain data holding numpy arrays."""
    arrays: dict[str, np.ndarray] = {}
    skeleton = _split_arrays(data, arrays, "")
    buffer = io.BytesIO()
    np.savez(buffer, **{k: v for k, v in arrays.items()})
    return json.dumps(skeleton, indent=1, sort_keys=True).encode(), buffer.getvalue()


def save_network(network: Any, path: Any) -> None:
    """Write ``path`` (JSON) and ``path`` with suffix ``.npz`` (arrays), each atomically.

    The JSON holds the network's :func:`content_hash` (``"content_hash"``), which
    ``Network.load`` checks: a changed or damaged file is refused instead of read as another
    network."""
    path = Path(path)
    data = network_to_dict(network)
    data["content_hash"] = content_hash(data)
    text, npz = dumps_with_arrays(data)
    atomic_write_bytes(path.with_suffix(".npz"), npz)
    atomic_write_bytes(path, text)


def load_network_data(path: Any) -> dict:
    """The plain data of a network written by :func:`save_network` (``Network.load`` builds it).

    Raises
    ------
    FileNotFoundError
        ``path`` does not exist.
    IRValidationError
        For anything else that keeps the file from being read: a directory, unreadable,
        not UTF-8, not JSON, nested too deeply, a damaged ``.npz`` or a missing array.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such network file")
    try:
        skeleton = json.loads(path.read_text(encoding="utf-8"))
        npz_path = path.with_suffix(".npz")
        if npz_path.exists():
            with np.load(npz_path, allow_pickle=False) as arrays:
                return _join_arrays(skeleton, {k: arrays[k] for k in arrays.files})
        return _join_arrays(skeleton, {})
    except MemoryError:
        raise
    except Exception as error:  # noqa: BLE001 - json, zipfile, zlib and numpy raise many types
        raise damaged_file_error("network file", path, error) from None


def damaged_file_error(kind: str, path: Any, error: BaseException) -> IRValidationError:
    """The :class:`IRValidationError` of a ``kind`` file at ``path`` that ``error`` kept from being
    read (``KeyError``, ``BadZipFile``, ``JSONDecodeError``, ``IsADirectoryError``,
    ``RecursionError``, ``OverflowError``, ...)."""
    reason = str(error) if not isinstance(error, RecursionError) else "nested too deeply"
    return IRValidationError(
        f"{kind} {path}",
        "content",
        type(error).__name__,
        f"an unchanged file written by Network.save (.json with its sibling .npz); reading failed: {reason}"[
            :300
        ],
    )
