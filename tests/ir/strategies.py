"""Hypothesis strategies and checks shared by the IR tests.

Every parameter of a constructor gets two strategies: ``valid`` values (of many accepted types:
Python and numpy scalars, lists, tuples, contiguous, strided and read-only arrays) and
``invalid`` values that no constructor may accept for it (NaN, inf, out-of-range numbers, wrong
types, strings, bools, nested or ragged lists, empty or 2-D arrays...). A fuzz test draws some
parameters from each and checks the outcome against the set of parameters that must be blamed.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import pytest
from hypothesis import event
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from spikemem.ir import IRValidationError

NAN, INF = float("nan"), float("inf")


# -- numbers --------------------------------------------------------------------------------
def _float32_bounds(low: float, high: float) -> tuple[float, float]:
    """The tightest float32-representable interval inside [low, high]."""
    lo32, hi32 = np.float32(low), np.float32(high)
    if float(lo32) < low:
        lo32 = np.nextafter(lo32, np.float32(np.inf))
    if float(hi32) > high:
        hi32 = np.nextafter(hi32, np.float32(-np.inf))
    return float(lo32), float(hi32)


def numbers(low: float, high: float) -> st.SearchStrategy:
    """Valid scalars in [low, high]: float, int, np.float64, np.int64, np.float32, np.int32."""
    options = [
        st.floats(low, high),
        st.floats(low, high).map(np.float64),
        st.sampled_from([low, high]),  # the bounds themselves are allowed
    ]
    lo32, hi32 = _float32_bounds(low, high)
    if lo32 <= hi32:
        options.append(st.floats(lo32, hi32, width=32).map(np.float32))
    ilo, ihi = math.ceil(low), math.floor(high)
    if ilo <= ihi:
        options.append(st.integers(ilo, ihi))
        options.append(st.integers(ilo, ihi).map(np.int64))
        if -(2**31) <= ilo and ihi < 2**31:
            options.append(st.integers(ilo, ihi).map(np.int32))
    return st.one_of(*options)


def _variants(array: np.ndarray) -> st.SearchStrategy:
    """The same values as a list, a tuple, an array, a strided view or a read-only array."""
    strided = np.repeat(array, 2)[::2]
    frozen = array.copy()
    frozen.setflags(write=False)
    return st.sampled_from([array.tolist(), tuple(array.tolist()), array, strided, frozen])


def float_arrays(low: float, high: float, size: int) -> st.SearchStrategy:
    """Valid 1-D arrays of ``size`` values in [low, high], in several container types."""
    options = [hnp.arrays(np.float64, size, elements=st.floats(low, high))]
    lo32, hi32 = _float32_bounds(low, high)
    if lo32 <= hi32:
        options.append(hnp.arrays(np.float32, size, elements=st.floats(lo32, hi32, width=32)))
    ilo, ihi = math.ceil(low), math.floor(high)
    if ilo <= ihi:
        options.append(hnp.arrays(np.int64, size, elements=st.integers(ilo, ihi)))
    return st.one_of(*options).flatmap(_variants)


def int_arrays(low: int, high: int, size: int, *, unique: bool = False) -> st.SearchStrategy:
    """Valid 1-D integer arrays (int64, int32, uint16 or whole-number floats) in [low, high]."""
    base = hnp.arrays(np.int64, size, elements=st.integers(low, high), unique=unique)
    options = [base, base.map(lambda a: a.astype(np.float64))]
    if high < 2**15:
        options.append(base.map(lambda a: a.astype(np.int32)))
        if low >= 0:
            options.append(base.map(lambda a: a.astype(np.uint16)))
    return st.one_of(*options).flatmap(_variants)


RAGGED = st.sampled_from([[[1.0], [1.0, 2.0]], [1.0, [2.0]], [[1, 2], [3]]])
NON_FINITE = st.sampled_from(
    [NAN, INF, -INF, np.float64(NAN), np.float32(INF), np.float16(-INF), np.longdouble("inf")]
)
OTHER_JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.sampled_from([np.bool_(True), np.bool_(False)]),
    st.text(max_size=4),
    st.sampled_from(["1.5", "0", "nan", "1e3", " 2 "]),  # numeric-looking strings are not numbers
    st.binary(max_size=3),
    st.complex_numbers(max_magnitude=10, allow_nan=False, allow_infinity=False),
    st.dictionaries(st.text(max_size=2), st.integers(), max_size=2),
    st.sampled_from([object(), {1.0}, frozenset(), Ellipsis, slice(1, 2)]),
    RAGGED,
)
HUGE_INTS = st.sampled_from([10**400, -(10**400)])
BAD_ARRAYS = st.one_of(
    hnp.arrays(np.float64, st.tuples(st.integers(1, 3), st.integers(1, 3))),  # 2-D
    st.lists(st.floats(-1, 1), max_size=3).map(lambda xs: [*xs, NAN]),
    st.lists(st.floats(-1, 1), max_size=3).map(lambda xs: np.array([INF, *xs])),
    st.sampled_from(
        [
            np.array(["a", "b"]),
            np.array([True, False]),
            np.array([1 + 1j, 2.0]),
            ["1.0", 2.0],
            [None, 1.0],
            [10**400],
            [[[1.0]]],
        ]
    ),
)
EMPTY = st.sampled_from([[], (), np.zeros(0), np.zeros((0, 3))])


def junk() -> st.SearchStrategy:
    """Values that are never a valid number or numeric array (empty containers excluded)."""
    return st.one_of(NON_FINITE, OTHER_JUNK, HUGE_INTS, BAD_ARRAYS)


def scalar_junk() -> st.SearchStrategy:
    """Values that are never a valid *single* number: junk, empties and 1-element arrays."""
    return st.one_of(junk(), EMPTY, st.floats(0, 1).map(lambda x: [x]), st.just(np.array([0.5])))


def outside(low: float, high: float, *, low_open: bool = False) -> st.SearchStrategy:
    """Finite numbers outside [low, high] (or (low, high] with ``low_open``)."""
    below = st.floats(max_value=low, exclude_max=not low_open, allow_nan=False, allow_infinity=False)
    above = st.floats(min_value=high, exclude_min=True, allow_nan=False, allow_infinity=False)
    candidates = (0.0, -0.0, 5e-324, -1.0, 1e308, -1e308, high * 2 + 1)
    special = [v for v in candidates if _is_outside(v, low, high, low_open)]
    return st.one_of(below, above, st.sampled_from(special))


def _is_outside(value: float, low: float, high: float, low_open: bool) -> bool:
    return value > high or value < low or (low_open and value == low)


def numeric_param_invalid(low: float, high: float, size: int, *, low_open: bool = False):
    """Invalid values for a 'scalar or per-neuron array' parameter with range [low, high].

    Arrays have ``size`` entries, so that only the values (not the lengths) are wrong.
    """
    bad = outside(low, high, low_open=low_open)
    return st.one_of(
        junk(),
        EMPTY,
        bad,
        st.tuples(bad, st.integers(0, size - 1)).map(
            lambda pair: np.where(np.arange(size) == pair[1], pair[0], high)  # one bad element
        ),
    )


# -- names ----------------------------------------------------------------------------------
def is_valid_name(value: Any) -> bool:
    """The IR's rule for names (oracle)."""
    return (
        isinstance(value, str)
        and 0 < len(value) <= 200
        and not value.startswith(".")
        and all(ch.isalnum() or ch in "_-." for ch in value)
    )


VALID_NAMES = st.from_regex(r"\A[A-Za-z0-9_-][A-Za-z0-9_.-]{0,20}\Z")
INVALID_NAMES = st.one_of(
    st.sampled_from(["", ".hidden", "a b", "a/b", "x\n", "x" * 201, "é ", "name!"]),
    st.text(max_size=8).filter(lambda s: not is_valid_name(s)),
    st.none(),
    st.integers(),
    st.booleans(),
    st.binary(max_size=3),
    st.just(["a"]),
)


# -- checking an outcome ---------------------------------------------------------------------
def expect_outcome(build: Callable[[], Any], blamed: Iterable[str]) -> Any:
    """Build, and check the outcome against the parameters that must be blamed.

    With an empty ``blamed`` the object must build and is returned. Otherwise the constructor
    must raise an :class:`IRValidationError` (a ``ValueError``) whose ``parameter`` is one of
    ``blamed`` and is named in the message. Any other exception propagates and fails the test.
    """
    blamed = set(blamed)
    if not blamed:
        built = build()
        event("built")  # shown by pytest --hypothesis-show-statistics
        return built
    with pytest.raises(IRValidationError) as info:
        build()
    error = info.value
    event(f"rejected {error.parameter}")
    assert isinstance(error, ValueError)
    assert error.parameter in blamed, f"blamed {error.parameter!r}, expected one of {sorted(blamed)}: {error}"
    message = str(error)
    assert f"invalid {error.parameter}=" in message
    assert error.owner and message.startswith(error.owner)
    assert error.allowed and message.endswith(error.allowed)
    return None


def assert_finite_fields(obj: Any, names: Iterable[str]) -> None:
    """Every named numeric field is a finite float or a read-only finite float64 array."""
    for name in names:
        value = getattr(obj, name)
        if value is None:
            continue
        if isinstance(value, np.ndarray):
            assert value.dtype == np.float64, name
            assert value.ndim == 1, name
            assert not value.flags.writeable, name
            assert np.all(np.isfinite(value)), name
        else:
            assert type(value) is float, f"{name} is {type(value).__name__}"
            assert math.isfinite(value), name


def same_values(stored: Any, given: Any) -> bool:
    """A stored field holds the given value (scalars become floats, arrays float64 copies)."""
    if isinstance(stored, np.ndarray):
        return np.array_equal(stored, np.asarray(given, dtype=np.float64))
    return stored == float(given)


@st.composite
def split_params(draw: Any, names: list[str], *, max_bad: int = 2) -> tuple[list[str], set[str]]:
    """A subset of parameter names to pass, and which of those get an invalid value.

    Half of the cases have no invalid value at all, so that valid objects are well covered.
    """
    present = draw(st.lists(st.sampled_from(names), unique=True, max_size=len(names)))
    return present, draw(pick_bad(present, max_bad=max_bad))


@st.composite
def pick_bad(draw: Any, names: list[str], *, max_bad: int = 2) -> set[str]:
    """None of ``names`` (half of the time) or up to ``max_bad`` of them."""
    if not names or draw(st.booleans()):
        return set()
    return set(draw(st.lists(st.sampled_from(names), min_size=1, unique=True, max_size=max_bad)))
