"""Small validation helpers shared by the IR node types (numpy only)."""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np

from .errors import IRValidationError
from .units import to_ir_value

if sys.version_info >= (3, 11):
    from typing import dataclass_transform
else:  # Python 3.10: type checkers lose the dataclass fields, runtime is unchanged

    def dataclass_transform(**_: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        return lambda decorator: decorator


_T = TypeVar("_T")

MAX_POPULATION_SIZE = 100_000_000
"""Largest population the IR accepts (10⁸ neurons); larger sizes are almost surely typos."""


def _number_array(value: Any) -> np.ndarray | None:
    """``value`` as a float64 array, or ``None`` if it is not numeric.

    Strings, bytes, booleans and complex numbers are refused rather than silently converted
    (numpy would parse ``"1.5"``, map ``True`` to 1.0 and drop imaginary parts).
    """
    if isinstance(value, (str, bytes, bool, np.bool_)):
        return None
    try:
        raw = np.asarray(value)
        if raw.dtype.kind not in "iufO":
            return None
        return np.array(raw, dtype=np.float64)
    except (TypeError, ValueError, OverflowError):
        return None


def finite_float(owner: str, name: str, value: Any, allowed: str) -> float:
    """A single finite real number (``bool`` and huge integers refused) as a float; a value with
    units is converted to the parameter's IR unit or refused (:mod:`.units`)."""
    value = to_ir_value(owner, name, value)
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise IRValidationError(owner, name, value, allowed)
    try:
        number = float(value)
    except OverflowError:
        raise IRValidationError(owner, name, value, allowed) from None
    if not math.isfinite(number):
        raise IRValidationError(owner, name, value, allowed)
    return number


def as_tuple(owner: str, name: str, value: Any, allowed: str) -> tuple:
    """``tuple(value)``, with a clear error when ``value`` is not a collection.

    Strings and objects iterable only through ``__getitem__`` (such as a single Population)
    are refused.
    """
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise IRValidationError(owner, name, value, allowed)
    return tuple(value)


def scalar_or_array(owner: str, name: str, value: Any) -> float | np.ndarray:
    """Return ``value`` as a float or a read-only 1-D float64 array; reject non-finite input.

    A value with units is converted to the parameter's IR unit or refused (:mod:`.units`)."""
    value = to_ir_value(owner, name, value)
    if isinstance(value, (bool, np.bool_)):
        raise IRValidationError(owner, name, value, "a finite number or a 1-D array of them")
    if isinstance(value, (int, float, np.integer, np.floating)):
        return finite_float(owner, name, value, "a finite number")
    array = _number_array(value)
    if array is None:
        raise IRValidationError(owner, name, value, "a finite number or a 1-D array of them")
    if array.ndim == 0:
        return finite_float(owner, name, float(array), "a finite number")
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


def check_members(owner: str, kind: str, items: tuple, cls: type, distinct: str = "distinct names") -> None:
    """Raise unless every item is a ``cls`` and their names are distinct.

    Parameters
    ----------
    owner : str
        The IR node checked (for the error message).
    kind : str
        What an item is (``"population"``, ``"phase"``); the field is named ``kind + "s"``.
    items : tuple
        The items, each with a ``name``.
    cls : type
        The type every item must have.
    distinct : str
        What the error for a repeated name says is allowed.
    """
    names: set[str] = set()
    for item in items:
        if not isinstance(item, cls):
            raise IRValidationError(owner, f"{kind}s", item, f"{cls.__name__} objects")
        if item.name in names:
            raise IRValidationError(owner, f"{kind} name", item.name, distinct)
        names.add(item.name)


def check_name(owner: str, name: Any, parameter: str = "name") -> str:
    """Names are non-empty strings of letters, digits, '_', '-' and '.'."""
    if not isinstance(name, str) or not name or len(name) > 200:
        raise IRValidationError(owner, parameter, name, "a non-empty string of at most 200 characters")
    if not all(ch.isalnum() or ch in "_-." for ch in name) or name.startswith("."):
        raise IRValidationError(owner, parameter, name, "letters, digits, '_', '-' and '.' only")
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
    if not isinstance(value, str) or value not in choices:
        raise IRValidationError(owner, name, value, "one of " + ", ".join(repr(c) for c in choices))
    return value


def readonly_int_array(owner: str, name: str, value: Any) -> np.ndarray:
    """A read-only 1-D int64 array (integers only, no silent truncation or wrap-around)."""
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
    if raw.size and (np.any(raw >= 2**63) or np.any(raw < -(2**63))):
        raise IRValidationError(owner, name, value, "integers in the int64 range")
    array = raw.astype(np.int64, copy=True)
    array.setflags(write=False)
    return array


def readonly_float_array(owner: str, name: str, value: Any) -> np.ndarray:
    """A read-only 1-D float64 array of finite values (may be empty); quantities converted as in
    :func:`scalar_or_array`."""
    value = to_ir_value(owner, name, value)
    array = _number_array(value)
    if array is None or array.ndim > 1:
        raise IRValidationError(owner, name, value, "a 1-D array of finite numbers")
    array = array.reshape(-1)
    if not np.all(np.isfinite(array)):
        raise IRValidationError(owner, name, value, "finite values only (no NaN or inf)")
    array.setflags(write=False)
    return array


def strict_keywords(cls: type) -> type:
    """Make an unknown keyword, a positional argument or a missing required argument of a
    dataclass raise :class:`IRValidationError`.

    Python would raise ``TypeError``; the IR promises a ``ValueError`` naming the parameter.
    """
    import dataclasses
    import functools

    original = cls.__init__
    fields = [f for f in dataclasses.fields(cls) if f.init]
    allowed = frozenset(f.name for f in fields)
    required = tuple(
        f.name
        for f in fields
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    )
    owner = getattr(cls, "kind", cls.__name__)

    @functools.wraps(original)
    def __init__(self, *args: Any, **kwargs: Any) -> None:  # noqa: N807
        if args:
            raise IRValidationError(
                owner, "positional arguments", args, "keyword arguments only: " + ", ".join(sorted(allowed))
            )
        for key in kwargs:
            if key not in allowed:
                raise IRValidationError(owner, "parameter name", key, "one of " + ", ".join(sorted(allowed)))
        for key in required:
            if key not in kwargs:
                raise IRValidationError(owner, key, "missing", f"a value for the required parameter {key!r}")
        original(self, *args, **kwargs)

    cls.__init__ = __init__  # type: ignore[method-assign]
    return cls


@dataclass_transform(frozen_default=True, kw_only_default=True, eq_default=False)
def ir_dataclass(cls: type[_T]) -> type[_T]:
    """Make ``cls`` an IR node: a frozen, keyword-only dataclass compared by identity, whose
    constructor raises :class:`IRValidationError` on bad arguments (:func:`strict_keywords`)."""
    return strict_keywords(dataclass(frozen=True, kw_only=True, eq=False)(cls))
