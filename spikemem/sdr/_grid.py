"""Integer parameter checks and broadcasting over parameter grids (numpy only).

Every public function of :mod:`spikemem.sdr` takes integers or array-likes of integers,
broadcasts them with numpy's rules and evaluates an exact scalar kernel once per distinct
combination. Results are ``float`` for scalar input and float64 arrays otherwise.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from spikemem.ir import IRValidationError

MAX_INT = 2**53
"""Largest accepted magnitude of an integer parameter (floats are exact below it)."""


def as_int(owner: str, name: str, value: Any, *, low: int | None = 0) -> int:
    """``value`` as a Python int; integral floats are accepted, bools and fractions refused."""
    allowed = "an integer" + ("" if low is None else f" >= {low}")
    if isinstance(value, (bool, np.bool_)):
        raise IRValidationError(owner, name, value, allowed)
    if isinstance(value, (int, np.integer)):
        number = int(value)
    elif isinstance(value, (float, np.floating)):
        if not math.isfinite(value) or not float(value).is_integer():
            raise IRValidationError(owner, name, value, allowed)
        number = int(value)
    else:
        raise IRValidationError(owner, name, value, allowed)
    if abs(number) > MAX_INT or (low is not None and number < low):
        raise IRValidationError(owner, name, value, allowed + f" and <= {MAX_INT}")
    return number


def as_int_array(owner: str, name: str, value: Any, *, low: int | None = 0) -> np.ndarray:
    """``value`` (a scalar or an array-like) as a numpy object array of Python ints."""
    if isinstance(value, (str, bytes)):
        raise IRValidationError(owner, name, value, "an integer or an array of integers")
    try:
        array = np.asarray(value, dtype=object) if not isinstance(value, np.ndarray) else value
    except (TypeError, ValueError):
        raise IRValidationError(owner, name, value, "an integer or an array of integers") from None
    if array.dtype.kind not in "iufO":
        raise IRValidationError(owner, name, value, "an integer or an array of integers")
    out = np.empty(array.shape, dtype=object)
    for index in np.ndindex(array.shape):
        item = array[index]
        if isinstance(item, (list, tuple, np.ndarray)):
            raise IRValidationError(owner, name, value, "a rectangular array of integers")
        out[index] = as_int(owner, name, item, low=low)
    return out


def evaluate(
    owner: str,
    kernel: Callable[..., float],
    names: Sequence[str],
    values: Sequence[Any],
    lows: Sequence[int | None],
) -> float | np.ndarray:
    """Validate, broadcast and evaluate ``kernel(*ints)`` over a parameter grid.

    ``kernel`` is called once per distinct combination; it may raise
    :class:`~spikemem.ir.IRValidationError` for combinations outside its domain.
    """
    arrays = [as_int_array(owner, n, v, low=lo) for n, v, lo in zip(names, values, lows, strict=True)]
    try:
        broadcast = np.broadcast_arrays(*arrays)
    except ValueError:
        shapes = ", ".join(f"{n}{a.shape}" for n, a in zip(names, arrays, strict=True))
        raise IRValidationError(owner, "shapes", shapes, "shapes that broadcast together") from None
    shape = broadcast[0].shape
    out = np.empty(shape, dtype=np.float64)
    seen: dict[tuple[int, ...], float] = {}
    for index in np.ndindex(shape):
        key = tuple(int(b[index]) for b in broadcast)
        if key not in seen:
            seen[key] = kernel(*key)
        out[index] = seen[key]
    if not shape:
        return float(out[()])
    return out
