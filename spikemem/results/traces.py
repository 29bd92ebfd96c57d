"""The parts of a :class:`~spikemem.results.Recording`: spike trains, sampled state traces and
phase boundaries (read-only arrays, validated on construction).

Every array is stored read-only. Times are kept as integer time-step indices (``steps``); the
step length ``dt`` (ms) turns them into times. Neuron indices (``ids``) count from 0 within their
population.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..ir._checks import check_name
from ..ir.errors import IRValidationError

__all__ = ["STATE_UNITS", "PhaseInfo", "SpikeTrains", "StateTrace"]

STATE_UNITS = {"v": "mV", "isyn_exc": "nA", "isyn_inh": "nA"}
"""Units of the state variables the cells define (other names are stored without a unit)."""

_RESERVED_STATE_NAMES = ("steps", "ids")


# --------------------------------------------------------------------------- helpers


def _check_dt(owner: str, dt: Any) -> float:
    if isinstance(dt, bool) or not isinstance(dt, (int, float, np.integer, np.floating)):
        raise IRValidationError(owner, "dt", dt, "a finite number > 0 (ms)")
    value = float(dt)
    if not math.isfinite(value) or value <= 0:
        raise IRValidationError(owner, "dt", dt, "a finite number > 0 (ms)")
    return value


def _frozen_int(owner: str, name: str, value: Any, ndim: int = 1) -> np.ndarray:
    """A read-only int64 array; floats must be whole numbers; negative values are rejected.

    An input that already is a read-only int64 array is kept as is; anything else is copied, so
    the caller's array is never frozen or aliased.
    """
    try:
        raw = np.asarray(value)
    except (TypeError, ValueError):
        raise IRValidationError(owner, name, value, f"a {ndim}-D array of integers") from None
    if raw.ndim != ndim:
        raise IRValidationError(owner, name, f"array of shape {raw.shape}", f"a {ndim}-D array of integers")
    if raw.size and not np.issubdtype(raw.dtype, np.integer):
        if not np.issubdtype(raw.dtype, np.floating) or not np.all(np.isfinite(raw)):
            raise IRValidationError(owner, name, f"array of dtype {raw.dtype}", "integers")
        if not np.all(raw == np.round(raw)):
            raise IRValidationError(owner, name, "non-integral values", "whole numbers only")
    if raw.dtype != np.int64 or raw.flags.writeable:
        raw = np.array(raw, dtype=np.int64)
    if raw.size and raw.min() < 0:
        raise IRValidationError(owner, name, int(raw.min()), "values >= 0")
    raw.setflags(write=False)
    return raw


def _frozen_float(owner: str, name: str, value: Any, ndim: int) -> np.ndarray:
    """A read-only float64 array of ``ndim`` dimensions (NaN allowed; copied unless already frozen)."""
    try:
        raw = np.asarray(value)
        if raw.dtype != np.float64 or raw.flags.writeable:
            raw = np.array(raw, dtype=np.float64)
    except (TypeError, ValueError, OverflowError):
        raise IRValidationError(owner, name, value, f"a {ndim}-D array of numbers") from None
    if raw.ndim != ndim:
        raise IRValidationError(owner, name, f"array of shape {raw.shape}", f"a {ndim}-D array of numbers")
    raw.setflags(write=False)
    return raw


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _canonical_meta(meta: Any) -> str:
    if meta is None:
        return "{}"
    if not isinstance(meta, Mapping):
        raise IRValidationError("Recording", "meta", meta, "a dict of JSON-serialisable values")
    try:
        return json.dumps(dict(meta), default=_json_default)
    except (TypeError, ValueError) as exc:
        raise IRValidationError("Recording", "meta", meta, f"JSON-serialisable values ({exc})") from None


def _arrays_equal(a: np.ndarray, b: np.ndarray) -> bool:
    if a.shape != b.shape or a.dtype != b.dtype:
        return False
    if a.dtype.kind == "f":
        return bool(np.array_equal(a, b, equal_nan=True))
    return bool(np.array_equal(a, b))


def _same_samples(a: SpikeTrains | StateTrace, b: SpikeTrains | StateTrace) -> bool:
    """Whether two traces have the same ``dt`` and the same ``steps`` and ``ids`` arrays."""
    return a.dt == b.dt and _arrays_equal(a.steps, b.steps) and _arrays_equal(a.ids, b.ids)


# --------------------------------------------------------------------------- records


@dataclass(frozen=True, eq=False)
class SpikeTrains:
    """The spikes of one population, as parallel arrays.

    Parameters
    ----------
    steps : array of int
        Time-step index of each spike (spike time = ``steps * dt`` ms).
    ids : array of int
        Neuron index within the population of each spike.
    dt : float
        Step length (ms), > 0.

    The spikes are kept sorted by step, then by id (they are sorted on construction if they are
    not already), so equal spike sets always give equal arrays.
    """

    steps: np.ndarray
    ids: np.ndarray
    dt: float

    def __post_init__(self) -> None:
        owner = "SpikeTrains"
        steps = _frozen_int(owner, "steps", self.steps)
        ids = _frozen_int(owner, "ids", self.ids)
        if steps.size != ids.size:
            raise IRValidationError(owner, "ids", f"{ids.size} ids", f"{steps.size} (one per spike step)")
        if not _is_sorted(steps, ids):
            order = np.lexsort((ids, steps))
            steps, ids = steps[order], ids[order]
            steps.setflags(write=False)
            ids.setflags(write=False)
        object.__setattr__(self, "steps", steps)
        object.__setattr__(self, "ids", ids)
        object.__setattr__(self, "dt", _check_dt(owner, self.dt))

    @classmethod
    def empty(cls, dt: float) -> SpikeTrains:
        """No spikes, with step length ``dt`` (ms)."""
        return cls(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), dt)

    @property
    def times_ms(self) -> np.ndarray:
        """Spike times (ms), ``steps * dt`` as float64."""
        return self.steps.astype(np.float64) * self.dt

    def __len__(self) -> int:
        return int(self.steps.size)

    def between(self, start_step: int, stop_step: int) -> SpikeTrains:
        """The spikes with ``start_step <= step < stop_step`` (steps stay absolute)."""
        lo, hi = np.searchsorted(self.steps, [start_step, stop_step], side="left")
        return SpikeTrains(self.steps[lo:hi], self.ids[lo:hi], self.dt)

    def counts(self, size: int) -> np.ndarray:
        """Number of spikes of each neuron ``0 .. size-1`` (int64 array of length ``size``)."""
        return np.bincount(self.ids, minlength=size).astype(np.int64)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SpikeTrains):
            return NotImplemented
        return _same_samples(self, other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"SpikeTrains({len(self)} spikes, dt={self.dt} ms)"


def _is_sorted(steps: np.ndarray, ids: np.ndarray) -> bool:
    if steps.size < 2:
        return True
    dstep = np.diff(steps)
    if np.any(dstep < 0):
        return False
    same = dstep == 0
    return not np.any(np.diff(ids)[same] < 0)


@dataclass(frozen=True, eq=False)
class StateTrace:
    """Sampled state variables of some neurons of one population.

    Parameters
    ----------
    steps : array of int, shape (n_samples,)
        Time-step index of each sample (sample time = ``steps * dt`` ms), strictly increasing.
    ids : array of int, shape (n_ids,)
        Neuron indices within the population, one per column.
    values : dict of str to array, each of shape (n_samples, n_ids)
        Variable name to samples: ``v`` (mV), ``isyn_exc`` and ``isyn_inh`` (nA).
    dt : float
        Step length (ms), > 0.
    """

    steps: np.ndarray
    ids: np.ndarray
    values: dict
    dt: float

    def __post_init__(self) -> None:
        owner = "StateTrace"
        steps = _frozen_int(owner, "steps", self.steps)
        ids = _frozen_int(owner, "ids", self.ids)
        if steps.size > 1 and np.any(np.diff(steps) <= 0):
            raise IRValidationError(owner, "steps", "unordered steps", "strictly increasing step indices")
        if not isinstance(self.values, Mapping):
            raise IRValidationError(owner, "values", self.values, "a dict variable name -> 2-D array")
        values: dict[str, np.ndarray] = {}
        for name, array in self.values.items():
            check_name(owner, name)
            if name in _RESERVED_STATE_NAMES:
                raise IRValidationError(owner, "values", name, "variable names other than 'steps' and 'ids'")
            frozen = _frozen_float(owner, f"values[{name!r}]", array, ndim=2)
            if frozen.shape != (steps.size, ids.size):
                raise IRValidationError(
                    owner,
                    f"values[{name!r}]",
                    f"array of shape {frozen.shape}",
                    f"shape (n_samples, n_ids) = {(steps.size, ids.size)}",
                )
            values[name] = frozen
        object.__setattr__(self, "steps", steps)
        object.__setattr__(self, "ids", ids)
        object.__setattr__(self, "values", values)
        object.__setattr__(self, "dt", _check_dt(owner, self.dt))

    @property
    def times_ms(self) -> np.ndarray:
        """Sample times (ms): a sample taken at step ``k`` is the state at the end of that step,
        i.e. at ``(k + 1)·dt`` (the time a Brian2 StateMonitor would report for it)."""
        return (self.steps.astype(np.float64) + 1.0) * self.dt

    @property
    def variables(self) -> tuple[str, ...]:
        """Names of the recorded variables."""
        return tuple(self.values)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, StateTrace):
            return NotImplemented
        return (
            _same_samples(self, other)
            and self.values.keys() == other.values.keys()
            and all(_arrays_equal(v, other.values[k]) for k, v in self.values.items())
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return (
            f"StateTrace({', '.join(self.values) or 'no variables'}; {self.steps.size} samples "
            f"x {self.ids.size} neurons, dt={self.dt} ms)"
        )


@dataclass(frozen=True)
class PhaseInfo:
    """Where one phase of the schedule lies in the run.

    Parameters
    ----------
    name : str
        Phase name.
    start_step, stop_step : int
        The phase covers steps ``start_step <= step < stop_step``.
    """

    name: str
    start_step: int
    stop_step: int

    def __post_init__(self) -> None:
        check_name("PhaseInfo", self.name)
        for field_name in ("start_step", "stop_step"):
            value = getattr(self, field_name)
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
                raise IRValidationError(f"PhaseInfo {self.name!r}", field_name, value, "an integer >= 0")
            object.__setattr__(self, field_name, int(value))
        if self.stop_step < self.start_step:
            raise IRValidationError(
                f"PhaseInfo {self.name!r}",
                "stop_step",
                self.stop_step,
                f"an integer >= start_step={self.start_step}",
            )

    @property
    def n_steps(self) -> int:
        """Length of the phase in steps."""
        return self.stop_step - self.start_step


# --------------------------------------------------------------------------- recording
