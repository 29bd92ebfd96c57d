"""What a run gives back: spikes, sampled state and weight snapshots, with run metadata.

Every array is stored read-only. Times are kept as integer time-step indices (``steps``); the
step length ``dt`` (ms) turns them into times. Neuron indices (``ids``) count from 0 within their
population. The parts live in :mod:`spikemem.results.traces`; files, Neo and plots in
:mod:`~spikemem.results.hdf5`, :mod:`~spikemem.results.neo_bridge` and
:mod:`~spikemem.results.plotting` (none of which imports this module).
"""

from __future__ import annotations

import hashlib
import json
import types
from collections.abc import Mapping
from typing import Any, TypeVar

import numpy as np

from ..ir._checks import check_name
from ..ir.errors import IRValidationError
from . import hdf5, neo_bridge, plotting
from .traces import (
    STATE_UNITS,
    PhaseInfo,
    SpikeTrains,
    StateTrace,
    _arrays_equal,
    _canonical_meta,
    _check_dt,
    _frozen_float,
)

__all__ = ["STATE_UNITS", "PhaseInfo", "Recording", "SpikeTrains", "StateTrace"]

_Trace = TypeVar("_Trace", SpikeTrains, StateTrace)


class Recording:
    """The result of one run.

    Parameters
    ----------
    dt : float
        Step length (ms), > 0.
    populations : dict of str to int
        Every population of the network, name -> size (number of neurons).
    spikes : dict of str to SpikeTrains
        Spikes of the recorded populations; populations that were not recorded are absent
        (a recorded population without spikes has an empty :class:`SpikeTrains`).
    state : dict of str to StateTrace, optional
        Sampled state variables per population.
    weights : dict of str to dict of str to array, optional
        Weight snapshots: phase name -> projection name -> weights (float64, synapse order;
        nA for current-based synapses).
    phases : list of PhaseInfo, optional
        The phases of the schedule, in order.
    meta : dict, optional
        JSON-serialisable run metadata (backend, versions, dt, seed, numerics, ir_hash, timings,
        optionally ``duration_ms``). Numpy scalars and arrays are converted to Python values.

    All arrays are stored read-only; the properties return read-only views of the mappings.
    """

    def __init__(
        self,
        *,
        dt: float,
        populations: dict[str, int],
        spikes: dict[str, SpikeTrains],
        state: dict[str, StateTrace] | None = None,
        weights: dict[str, dict[str, np.ndarray]] | None = None,
        phases: list[PhaseInfo] | None = None,
        meta: dict | None = None,
    ) -> None:
        self._dt = _check_dt("Recording", dt)
        self._populations = _check_populations(populations)
        self._spikes = _check_traces("spikes", spikes, SpikeTrains, self._populations, self._dt)
        self._state = (
            {} if state is None else _check_traces("state", state, StateTrace, self._populations, self._dt)
        )
        self._weights = _check_weights(weights)
        self._phases = _check_phases(phases)
        self._meta_json = _canonical_meta(meta)

    # ------------------------------------------------------------------ fields

    @property
    def dt(self) -> float:
        """Step length (ms)."""
        return self._dt

    @property
    def populations(self) -> Mapping[str, int]:
        """Every population of the network, name -> size."""
        return types.MappingProxyType(self._populations)

    @property
    def spikes(self) -> Mapping[str, SpikeTrains]:
        """Spikes of each recorded population."""
        return types.MappingProxyType(self._spikes)

    @property
    def state(self) -> Mapping[str, StateTrace]:
        """Sampled state of each population with a state recording."""
        return types.MappingProxyType(self._state)

    @property
    def weights(self) -> Mapping[str, Mapping[str, np.ndarray]]:
        """Weight snapshots, phase name -> projection name -> read-only float64 array."""
        return types.MappingProxyType({k: types.MappingProxyType(v) for k, v in self._weights.items()})

    @property
    def phases(self) -> tuple[PhaseInfo, ...]:
        """The phases of the run, in order."""
        return self._phases

    @property
    def meta(self) -> dict:
        """Run metadata (a fresh copy on each access)."""
        return json.loads(self._meta_json)

    @property
    def duration_ms(self) -> float | None:
        """Simulated time (ms): the last phase's ``stop_step * dt``, else ``meta['duration_ms']``."""
        if self._phases:
            return max(p.stop_step for p in self._phases) * self._dt
        value = self.meta.get("duration_ms")
        return None if value is None else float(value)

    def phase(self, name: str) -> PhaseInfo:
        """The phase called ``name``."""
        for info in self._phases:
            if info.name == name:
                return info
        raise KeyError(f"no phase {name!r}; phases: {', '.join(p.name for p in self._phases) or 'none'}")

    # ------------------------------------------------------------------ statistics

    def _trains(self, population: str) -> SpikeTrains:
        if population not in self._populations:
            raise KeyError(f"unknown population {population!r}; populations: {', '.join(self._populations)}")
        if population not in self._spikes:
            recorded = ", ".join(self._spikes) or "none"
            raise KeyError(f"spikes of population {population!r} were not recorded; recorded: {recorded}")
        return self._spikes[population]

    def spike_count(self, population: str | None = None) -> int:
        """Number of spikes of ``population``, or of every recorded population when ``None``."""
        if population is None:
            return sum(len(t) for t in self._spikes.values())
        return len(self._trains(population))

    def mean_rate(self, population: str, phase: str | None = None) -> float:
        """Mean firing rate (Hz) of ``population``: spikes / size / duration.

        The duration is the whole run (:attr:`duration_ms`), or one phase when ``phase`` is given.
        """
        trains = self._trains(population)
        if phase is not None:
            info = self.phase(phase)
            count, duration = len(trains.between(info.start_step, info.stop_step)), info.n_steps * self._dt
        else:
            count, duration = len(trains), self.duration_ms
            if duration is None:
                raise ValueError(
                    "the run duration is unknown: the recording has no phases and no meta['duration_ms']"
                )
        if duration <= 0:
            raise ValueError(f"cannot compute a rate over a duration of {duration} ms")
        return count / self._populations[population] / (duration / 1000.0)

    def spike_hash(self) -> str:
        """SHA-256 (hex) of every recorded population's spikes; equal spikes give equal hashes.

        Populations are taken in sorted name order; each contributes its name, its spike count
        and its ``steps`` and ``ids`` as little-endian int64 bytes. ``dt`` is not included.
        """
        digest = hashlib.sha256()
        for name in sorted(self._spikes):
            trains = self._spikes[name]
            digest.update(name.encode("utf-8") + b"\0")
            digest.update(np.int64(len(trains)).astype("<i8").tobytes())
            digest.update(trains.steps.astype("<i8", copy=False).tobytes())
            digest.update(trains.ids.astype("<i8", copy=False).tobytes())
        return digest.hexdigest()

    # ------------------------------------------------------------------ I/O and views

    def save(self, path: Any, *, compression: str | None = None) -> None:
        """Write the recording to an HDF5 file, atomically (see :func:`spikemem.results.hdf5.save`)."""
        hdf5.save(self, path, compression=compression)

    @classmethod
    def load(cls, path: Any) -> Recording:
        """Read a recording written by :meth:`save`."""
        return hdf5.load(path, cls)

    def to_neo(self) -> Any:
        """The recording as a ``neo.Block`` (needs ``pip install spikemem[neo]``)."""
        return neo_bridge.to_neo(self)

    def plot_raster(
        self,
        populations: Any = None,
        ax: Any = None,
        mark_phases: bool = True,
        max_neurons: int = plotting.MAX_RASTER_NEURONS,
        rate_panel: bool | None = None,
    ) -> Any:
        """Raster plot of the recorded spikes (large ones subsampled, with a rate panel); returns
        the matplotlib Figure. See :func:`spikemem.results.plotting.plot_raster`."""
        return plotting.plot_raster(
            self,
            populations=populations,
            ax=ax,
            mark_phases=mark_phases,
            max_neurons=max_neurons,
            rate_panel=rate_panel,
        )

    def plot_state(self, population: str, variable: str, ax: Any = None) -> Any:
        """Plot one sampled state variable of ``population``; returns the matplotlib Figure."""
        return plotting.plot_state(self, population, variable, ax=ax)

    # ------------------------------------------------------------------ dunder

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Recording):
            return NotImplemented
        return (
            self._dt == other._dt
            and self._populations == other._populations
            and self._spikes == other._spikes
            and self._state == other._state
            and self._phases == other._phases
            and self.meta == other.meta
            and self._weights.keys() == other._weights.keys()
            and all(
                v.keys() == other._weights[k].keys()
                and all(_arrays_equal(w, other._weights[k][p]) for p, w in v.items())
                for k, v in self._weights.items()
            )
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        meta = self.meta
        duration = self.duration_ms
        parts = [
            f"backend={meta['backend']!r}" if "backend" in meta else None,
            f"dt={self._dt} ms",
            f"duration={duration:g} ms" if duration is not None else None,
            f"{len(self._populations)} populations",
            f"{self.spike_count()} spikes in {len(self._spikes)} recorded",
            f"state: {', '.join(self._state)}" if self._state else None,
            f"{len(self._phases)} phases" if self._phases else None,
            f"weights: {len(self._weights)} snapshots" if self._weights else None,
        ]
        return "Recording(" + ", ".join(p for p in parts if p) + ")"


# --------------------------------------------------------------------------- validation


def _check_populations(populations: Any) -> dict[str, int]:
    if not isinstance(populations, Mapping):
        raise IRValidationError("Recording", "populations", populations, "a dict name -> size")
    checked: dict[str, int] = {}
    for name, size in populations.items():
        check_name("Recording", name)
        if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < 1:
            raise IRValidationError("Recording", f"populations[{name!r}]", size, "an integer >= 1 (neurons)")
        checked[name] = int(size)
    return checked


def _check_member(kind: str, name: Any, populations: dict[str, int]) -> None:
    if name not in populations:
        raise IRValidationError(
            "Recording", kind, name, "population names: " + (", ".join(populations) or "none")
        )


def _check_ids(kind: str, name: str, ids: np.ndarray, size: int) -> None:
    if ids.size and ids.max() >= size:
        raise IRValidationError(
            "Recording", f"{kind}[{name!r}].ids", int(ids.max()), f"neuron indices < {size}"
        )


def _check_same_dt(kind: str, name: str, dt: float, expected: float) -> None:
    if dt != expected:
        raise IRValidationError("Recording", f"{kind}[{name!r}].dt", dt, f"the recording's dt={expected} ms")


def _check_traces(
    kind: str, traces: Any, trace_type: type[_Trace], populations: dict[str, int], dt: float
) -> dict[str, _Trace]:
    """Check a dict population name -> ``trace_type`` (the spikes or the state of a recording)."""
    if not isinstance(traces, Mapping):
        raise IRValidationError("Recording", kind, traces, f"a dict population name -> {trace_type.__name__}")
    for name, trace in traces.items():
        _check_member(kind, name, populations)
        if not isinstance(trace, trace_type):
            raise IRValidationError("Recording", f"{kind}[{name!r}]", trace, f"a {trace_type.__name__}")
        _check_same_dt(kind, name, trace.dt, dt)
        _check_ids(kind, name, trace.ids, populations[name])
    return dict(traces)


def _check_weights(weights: Any) -> dict[str, dict[str, np.ndarray]]:
    if weights is None:
        return {}
    if not isinstance(weights, Mapping):
        raise IRValidationError("Recording", "weights", weights, "a dict phase -> projection -> array")
    checked: dict[str, dict[str, np.ndarray]] = {}
    for phase, projections in weights.items():
        check_name("Recording weights", phase)
        if not isinstance(projections, Mapping):
            raise IRValidationError(
                "Recording", f"weights[{phase!r}]", projections, "a dict projection -> array"
            )
        checked[phase] = {}
        for projection, array in projections.items():
            check_name("Recording weights", projection)
            checked[phase][projection] = _frozen_float(
                "Recording", f"weights[{phase!r}][{projection!r}]", array, 1
            )
    return checked


def _check_phases(phases: Any) -> tuple[PhaseInfo, ...]:
    if phases is None:
        return ()
    if isinstance(phases, (str, Mapping)):
        raise IRValidationError("Recording", "phases", phases, "a list of PhaseInfo")
    checked = tuple(phases)
    seen: set[str] = set()
    for info in checked:
        if not isinstance(info, PhaseInfo):
            raise IRValidationError("Recording", "phases", info, "PhaseInfo objects")
        if info.name in seen:
            raise IRValidationError("Recording", "phases", info.name, "unique phase names")
        seen.add(info.name)
    return checked
