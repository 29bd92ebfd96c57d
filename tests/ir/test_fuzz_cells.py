"""Fuzzing of the cell constructors: every input builds a valid cell or raises
IRValidationError naming the parameter; nothing else (no TypeError, OverflowError, NaN)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spikemem import ir

from .strategies import (
    assert_finite_fields,
    expect_outcome,
    float_arrays,
    int_arrays,
    junk,
    numbers,
    numeric_param_invalid,
    outside,
    same_values,
    scalar_junk,
    split_params,
)

pytestmark = pytest.mark.timeout(120)
FUZZ = settings(max_examples=200, deadline=None)

LIF_RANGES = {
    "cm": (1e-6, 1e6),
    "tau_m": (1e-6, 1e6),
    "tau_syn_E": (1e-6, 1e6),
    "tau_syn_I": (1e-6, 1e6),
    "tau_refrac": (0.0, 1e6),
    "v_rest": (-1e4, 1e4),
    "v_reset": (-1e4, 1e4),
    "v_thresh": (-1e4, 1e4),
    "i_offset": (-1e6, 1e6),
    "v_init": (-1e4, 1e4),
}
LIF_CLASSES = [ir.IF_curr_exp, ir.IF_curr_delta]


def _field_names(cls: type) -> list[str]:
    return [f.name for f in dataclasses.fields(cls)]


def _default(cls: type, name: str):
    return next(f.default for f in dataclasses.fields(cls) if f.name == name)


@st.composite
def lif_cases(draw, cls):
    n = draw(st.integers(1, 5))
    present, bad = draw(split_params(_field_names(cls)))
    kwargs = {}
    for name in present:
        low, high = LIF_RANGES[name]
        if name in bad:
            kwargs[name] = draw(numeric_param_invalid(low, high, n).filter(lambda v: v is not None))
        else:
            valid = st.one_of(numbers(low, high), float_arrays(low, high, n))
            kwargs[name] = draw(st.one_of(valid, st.none()) if name == "v_init" else valid)
    return kwargs, bad


def _lif_blamed(cls, kwargs, bad):
    blamed = set(bad)
    if not bad & {"v_reset", "v_thresh"}:
        v_reset = np.asarray(kwargs.get("v_reset", _default(cls, "v_reset")), dtype=np.float64)
        v_thresh = np.asarray(kwargs.get("v_thresh", _default(cls, "v_thresh")), dtype=np.float64)
        if np.any(v_reset >= v_thresh):
            blamed.add("v_reset")
    return blamed


@pytest.mark.parametrize("cls", LIF_CLASSES, ids=lambda c: c.kind)
@FUZZ
@given(data=st.data())
def test_lif_cells_build_valid_or_name_the_bad_parameter(cls, data):
    kwargs, bad = data.draw(lif_cases(cls))
    cell = expect_outcome(lambda: cls(**kwargs), _lif_blamed(cls, kwargs, bad))
    if cell is None:
        return
    names = _field_names(cls)
    assert_finite_fields(cell, names)
    for name in names:
        value = getattr(cell, name)
        if name in kwargs and kwargs[name] is not None:
            assert same_values(value, kwargs[name]), name
        elif name not in kwargs:
            assert value == _default(cls, name)
        if value is not None:
            low, high = LIF_RANGES[name]
            assert np.all((np.asarray(value) >= low) & (np.asarray(value) <= high)), name
    assert np.all(np.asarray(cell.v_reset) < np.asarray(cell.v_thresh))


@st.composite
def spike_source_array_cases(draw):
    n = draw(st.integers(0, 6))
    bad = set(draw(st.lists(st.sampled_from(["times", "ids"]), unique=True, max_size=2)))
    mismatch = draw(st.booleans()) and not bad
    if "times" in bad:
        options = [junk()]
        if n:
            options.append(
                outside(0.0, 1e9).map(lambda v: np.full(n, v))  # negative or beyond 1e9 ms
            )
        times = draw(st.one_of(*options))
    else:
        times = draw(float_arrays(0.0, 1e9, n))
    if "ids" in bad:
        options = [junk()]
        if n:
            options += [
                st.integers(-(2**63), -1).map(lambda i: [i] * n),  # negative
                st.floats(0.1, 0.9).map(lambda f: [f] * n),  # not whole numbers
                st.just(np.full(n, 2**64 - 1, dtype=np.uint64)),  # would wrap to -1 in int64
                st.just([1e30] * n),  # beyond int64
            ]
        ids = draw(st.one_of(*options))
    else:
        ids = draw(int_arrays(0, 1000, n + 1 if mismatch else n))
    if mismatch:
        bad.add("ids")
    return {"times": times, "ids": ids}, bad


@FUZZ
@given(case=spike_source_array_cases())
def test_spike_source_array_builds_valid_or_names_the_bad_parameter(case):
    kwargs, bad = case
    cell = expect_outcome(lambda: ir.SpikeSourceArray(**kwargs), bad)
    if cell is None:
        return
    assert cell.times.dtype == np.float64 and cell.ids.dtype == np.int64
    assert cell.times.shape == cell.ids.shape
    assert np.all(np.isfinite(cell.times)) and np.all(cell.times >= 0) and np.all(cell.times <= 1e9)
    assert np.all(cell.ids >= 0)
    np.testing.assert_array_equal(cell.times, np.asarray(kwargs["times"], dtype=np.float64))
    np.testing.assert_array_equal(cell.ids, np.asarray(kwargs["ids"]).astype(np.int64))


@FUZZ
@given(
    spike_times=st.one_of(
        st.lists(st.lists(st.floats(0, 1e9), max_size=4), max_size=4),
        st.lists(st.one_of(st.lists(st.floats(0, 1e9), max_size=3), junk()), min_size=1, max_size=3),
        junk(),
    )
)
def test_spike_source_array_from_lists(spike_times):
    def valid_time(t):
        if isinstance(t, (bool, np.bool_)) or not isinstance(t, (int, float, np.integer, np.floating)):
            return False
        try:
            return 0 <= float(t) <= 1e9  # NaN fails the comparison
        except OverflowError:
            return False

    def valid_entry(entry):  # one neuron's times: a number, a list or a 1-D float array
        if isinstance(entry, np.ndarray):
            return entry.dtype.kind == "f" and entry.ndim <= 1 and all(valid_time(float(t)) for t in entry)
        return valid_time(entry) or (isinstance(entry, list) and all(valid_time(t) for t in entry))

    try:
        entries = list(spike_times)
    except TypeError:
        entries = None
    good = entries is not None and all(valid_entry(e) for e in entries)
    blamed = () if good else ("spike_times", "times")
    cell = expect_outcome(lambda: ir.SpikeSourceArray.from_lists(spike_times), blamed)
    if cell is not None:
        assert cell.times.size == sum(np.size(e) for e in entries)
        for neuron, entry in enumerate(entries):
            np.testing.assert_array_equal(cell.times[cell.ids == neuron], np.reshape(entry, -1))


SEEDS = st.one_of(
    st.none(),
    st.integers(0, 2**63 - 1),
    st.integers(0, 2**63 - 1).map(np.int64),
    st.integers(0, 2**63 - 1).map(np.uint64),
)
BAD_SEEDS = st.one_of(
    st.integers(max_value=-1),
    st.integers(min_value=2**63),
    st.floats(allow_nan=True),
    st.booleans(),
    st.text(max_size=3),
    st.sampled_from([np.float64(1.0), np.bool_(True), [1], np.array([1]), np.uint64(2**64 - 1)]),
)


@st.composite
def poisson_cases(draw):
    n = draw(st.integers(1, 5))
    present, bad = draw(split_params(["rate", "start", "duration", "seed"]))
    kwargs = {}
    for name in present:
        if name == "rate":
            kwargs[name] = draw(
                numeric_param_invalid(0.0, 1e6, n)
                if name in bad
                else st.one_of(numbers(0.0, 1e6), float_arrays(0.0, 1e6, n))
            )
        elif name == "seed":
            kwargs[name] = draw(BAD_SEEDS if name in bad else SEEDS)
        else:
            invalid = st.one_of(scalar_junk(), outside(0.0, 1e9))
            kwargs[name] = draw(invalid if name in bad else numbers(0.0, 1e9))
    return kwargs, bad


@FUZZ
@given(case=poisson_cases())
def test_spike_source_poisson_builds_valid_or_names_the_bad_parameter(case):
    kwargs, bad = case
    cell = expect_outcome(lambda: ir.SpikeSourcePoisson(**kwargs), bad)
    if cell is None:
        return
    assert_finite_fields(cell, ["rate", "start", "duration"])
    assert np.all(np.asarray(cell.rate) >= 0) and np.all(np.asarray(cell.rate) <= 1e6)
    assert 0 <= cell.start <= 1e9 and 0 <= cell.duration <= 1e9
    assert cell.seed is None or (type(cell.seed) is int and 0 <= cell.seed < 2**63)
    for name, value in kwargs.items():
        if name == "seed":
            assert cell.seed == (None if value is None else int(value))
        else:
            assert same_values(getattr(cell, name), value)


CELL_CLASSES = [ir.IF_curr_exp, ir.IF_curr_delta, ir.SpikeSourceArray, ir.SpikeSourcePoisson]


@pytest.mark.parametrize("cls", CELL_CLASSES, ids=lambda c: c.kind)
@settings(max_examples=50, deadline=None)
@given(key=st.text(min_size=1, max_size=12))
def test_unknown_parameter_names_are_rejected(cls, key):
    allowed = {f.name for f in dataclasses.fields(cls)}
    if key in allowed:
        return
    with pytest.raises(ir.IRValidationError) as info:
        cls(**{key: 1.0})
    assert info.value.parameter == "parameter name"
    assert info.value.value == key
    for name in allowed:
        assert name in info.value.allowed
