"""Small validation helpers shared by the IR node types (numpy only)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .errors import IRValidationError

MAX_POPULATION_SIZE = 100_000_000
"""Largest population the IR accepts (10⁸ neurons); larger sizes are almost surely typos."""


def scalar_or_array(owner: str, name: str, value: Any) -> float | np.ndarray:
    """Return ``value`` as a float or a read-only 1-D float64 array; reject non-finite input."""
    if isinstance(value, bool):
        raise IRValidationError(owner, name, value, "a finite number or a 1-D array of them")
    if isinstance(value, (int, float, np.integer, np.floating)):
        number = float(value)
        if not math.isfinite(number):
            raise IRValidationError(owner, name, value, "a finite number")
        return number
    try:
        array = np.array(value, dtype=np.float64)
    except (TypeError, ValueError, OverflowError):
        raise IRValidationError(owner, name, value, "a finite number or a 1-D array of them") from None
    if array.ndim == 0:
        return scalar_or_array(owner, name, float(array))
    if array.ndim != 1 or array.size == 0:
        raise IRValidationError(owner, name, value, "a finite number or a non-empty 1-D array")
    if not np.all(np.isfinite(array)):
        raise IRValidationError(owner, name, value, "finite values only (no NaN or inf)")
    array.setflags(write=False)
    return array


def check_range(
    owner: str,
    name: str,
    value: float | np.ndarray,
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
) -> None:
    """Raise if any element of ``value`` lies outside the interval."""
    array = np.asarray(value, dtype=np.float64)
    bad = np.zeros(array.shape, dtype=bool)
    if low is not None:
        bad |= array <= low if low_open else array < low
    if high is not None:
        bad |= array >= high if high_open else array > high
    if np.any(bad):
        worst = array[bad].flat[0] if array.ndim else float(array)
        left = "(" if low_open else "["
        right = ")" if high_open else "]"
        interval = f"{left}{'-inf' if low is None else low}, {'inf' if high is None else high}{right}"
        raise IRValidationError(owner, name, float(worst), f"values in {interval}")


def check_size_matches(owner: str, name: str, value: float | np.ndarray, size: int) -> None:
    """Per-neuron arrays must have exactly ``size`` entries."""
    if isinstance(value, np.ndarray) and value.size != size:
        raise IRValidationError(
            owner, name, f"array of length {value.size}", f"a scalar or an array of length {size}"
        )


def check_name(owner: str, name: Any) -> str:
    """Names are non-empty strings of letters, digits, '_', '-' and '.'."""
    if not isinstance(name, str) or not name or len(name) > 200:
        raise IRValidationError(owner, "name", name, "a non-empty string of at most 200 characters")
    if not all(ch.isalnum() or ch in "_-." for ch in name) or name.startswith("."):
        raise IRValidationError(owner, "name", name, "letters, digits, '_', '-' and '.' only")
    return name


def check_int(owner: str, name: str, value: Any, *, low: int, high: int) -> int:
    """An integer in [low, high]."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise IRValidationError(owner, name, value, f"an integer in [{low}, {high}]")
    if not low <= int(value) <= high:
        raise IRValidationError(owner, name, value, f"an integer in [{low}, {high}]")
    return int(value)


def check_choice(owner: str, name: str, value: Any, choices: tuple[str, ...]) -> str:
    """One of a fixed set of strings."""
    if value not in choices:
        raise IRValidationError(owner, name, value, "one of " + ", ".join(repr(c) for c in choices))
    return value


def readonly_int_array(owner: str, name: str, value: Any) -> np.ndarray:
    """A read-only 1-D int64 array (integers only, no silent truncation)."""
    try:
        raw = np.asarray(value)
    except (TypeError, ValueError):
        raise IRValidationError(owner, name, value, "a 1-D array of integers") from None
    if raw.ndim != 1:
        raise IRValidationError(owner, name, value, "a 1-D array of integers")
    if raw.size and not np.issubdtype(raw.dtype, np.integer):
        if not np.issubdtype(raw.dtype, np.floating) or not np.all(np.isfinite(raw)):
            raise IRValidationError(owner, name, value, "a 1-D array of integers")
        if not np.all(raw == np.round(raw)):
            raise IRValidationError(owner, name, value, "whole numbers only")
    array = raw.astype(np.int64, copy=True)
    array.setflags(write=False)
    return array


def readonly_float_array(owner: str, name: str, value: Any) -> np.ndarray:
    """A read-only 1-D float64 array of finite values (may be empty)."""
    try:
        array = np.array(value, dtype=np.float64).reshape(-1) if np.ndim(value) <= 1 else None
    except (TypeError, ValueError, OverflowError):
        array = None
    if array is None:
        raise IRValidationError(owner, name, value, "a 1-D array of finite numbers")
    if not np.all(np.isfinite(array)):
        raise IRValidationError(owner, name, value, "finite values only (no NaN or inf)")
    array.setflags(write=False)
    return array


def strict_keywords(cls: type) -> type:
    """Make an unknown keyword argument of a dataclass raise :class:`IRValidationError`.

    Python would raise ``TypeError``; the IR promises a ``ValueError`` naming the parameter.
    """
    import dataclasses
    import functools

    original = cls.__init__
    allowed = frozenset(f.name for f in dataclasses.fields(cls) if f.init)
    owner = getattr(cls, "kind", cls.__name__)

    @functools.wraps(original)
    def __init__(self, *args: Any, **kwargs: Any) -> None:  # noqa: N807
        for key in kwargs:
            if key not in allowed:
                raise IRValidationError(
                    owner, "parameter name", key, "one of " + ", ".join(sorted(allowed))
                )
        original(self, *args, **kwargs)

    cls.__init__ = __init__  # type: ignore[method-assign]
    return cls
