"""Fuzzing of Population and of views made with ``population[...]``."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spikemem import ir

from .strategies import (
    INVALID_NAMES,
    VALID_NAMES,
    expect_outcome,
    float_arrays,
    int_arrays,
    is_valid_name,
)

pytestmark = pytest.mark.timeout(120)
FUZZ = settings(max_examples=200, deadline=None)

VALID_SIZES = st.one_of(st.integers(1, 8), st.integers(1, 8).map(np.int64), st.integers(1, 8).map(np.uint8))
INVALID_SIZES = st.one_of(
    st.sampled_from([0, -1, 100_000_001, 2**31, 2**63, 2**64, 10**400]),
    st.integers(max_value=0),
    st.sampled_from([1.0, 5.0, np.float64(3.0), np.nan, "5", None, True, np.bool_(True), [3], np.array(3)]),
)


@st.composite
def cells_of_length(draw, length):
    """A cell whose per-neuron array (if any) has ``length`` entries, and that array's name."""
    kind = draw(st.sampled_from(["exp", "delta", "array", "poisson", "scalar"]))
    if kind == "scalar":
        return ir.IF_curr_exp(), None
    if kind == "exp":
        return ir.IF_curr_exp(tau_m=draw(float_arrays(1.0, 50.0, length))), "tau_m"
    if kind == "delta":
        return ir.IF_curr_delta(v_init=draw(float_arrays(-70.0, -60.0, length))), "v_init"
    if kind == "poisson":
        return ir.SpikeSourcePoisson(rate=draw(float_arrays(0.0, 100.0, length))), "rate"
    ids = draw(st.lists(st.integers(0, length - 1), min_size=1, max_size=4))
    return ir.SpikeSourceArray(times=[1.0] * len(ids), ids=ids), "ids"


NOT_CELLS = st.sampled_from(
    [None, "IF_curr_exp", ir.IF_curr_exp, ir.AllToAll(), ir.SpikePair(), 1.0, {"kind": "IF_curr_exp"}]
)


@st.composite
def population_cases(draw):
    """Keyword arguments for Population, and the parameters an error may blame."""
    blamed = set()
    name = draw(INVALID_NAMES if draw(st.integers(0, 3)) == 0 else VALID_NAMES)
    if not is_valid_name(name):
        blamed.add("name")
    size_ok = draw(st.integers(0, 3)) > 0
    size = draw(VALID_SIZES if size_ok else INVALID_SIZES)
    if not size_ok:
        blamed.add("size")
    if draw(st.integers(0, 5)) == 0:
        cell = draw(NOT_CELLS)
        blamed.add("cell")
    else:
        n = int(size) if size_ok else 3
        cell, array_name = draw(cells_of_length(draw(st.one_of(st.just(n), st.integers(1, 9)))))
        if isinstance(cell, ir.SpikeSourceArray):
            mismatch = int(cell.ids.max()) >= n  # spikes of neurons the population lacks
        else:
            mismatch = array_name is not None and getattr(cell, array_name).size != n
        if mismatch and not blamed:
            blamed.add(array_name)
    return {"name": name, "size": size, "cell": cell}, blamed


@FUZZ
@given(case=population_cases())
def test_population_builds_valid_or_names_the_bad_parameter(case):
    kwargs, blamed = case
    pop = expect_outcome(lambda: ir.Population(**kwargs), blamed)
    if pop is None:
        return
    assert type(pop.size) is int and 1 <= pop.size <= 100_000_000
    assert pop.size == int(kwargs["size"]) and len(pop) == pop.size
    assert pop.name == kwargs["name"] and pop.cell is kwargs["cell"]
    np.testing.assert_array_equal(pop.indices, np.arange(pop.size))


# -- views -----------------------------------------------------------------------------------
POP = ir.Population(name="pop", size=7, cell=ir.IF_curr_exp())
SLICE_BOUNDS = st.one_of(st.none(), st.integers(-10, 10), st.sampled_from([2**70, -(2**70), np.int64(2)]))
BAD_SLICE_BOUNDS = st.sampled_from([1.5, "a", np.float64(1.0), [1]])
INDEX_ITEMS = st.one_of(st.integers(-3, 9), st.sampled_from([np.int64(1), np.uint64(2**64 - 1), np.int8(3)]))
JUNK_INDICES = st.sampled_from(
    [
        None,
        True,
        np.bool_(False),
        1.0,
        "1",
        [1.0, 2.0],
        [True, False],
        [[1, 2]],
        [[1], [1, 2]],
        np.array([[0, 1]]),
        {1, 2},
        {"a": 1},
        Ellipsis,
        [1, "a"],
        [],
        np.zeros(0, dtype=np.int64),
        [2**70],
        object(),
    ]
)


def expected_view(size, index):
    """The parent positions a view must hold, or None if the index is invalid (oracle)."""
    positions = list(range(size))
    if isinstance(index, slice):
        for bound in (index.start, index.stop, index.step):
            if bound is not None and (isinstance(bound, bool) or not isinstance(bound, (int, np.integer))):
                return None
        if index.step == 0:
            return None
        if any(b is not None and not -size <= b <= size for b in (index.start, index.stop)):
            return None  # Python would clip; the IR refuses, like the TOML path
        chosen = positions[index]
    else:
        if isinstance(index, np.ndarray):
            if index.ndim != 1 or index.dtype.kind not in "iu":
                return None
            items = index.tolist()
        else:
            items = list(index) if isinstance(index, (list, tuple)) else [index]
        for item in items:
            if isinstance(item, (bool, np.bool_)) or not isinstance(item, (int, np.integer)):
                return None
            if not 0 <= int(item) < size:
                return None
        chosen = [int(i) for i in items]
    if not chosen or len(set(chosen)) != len(chosen):
        return None
    return chosen


@FUZZ
@given(
    index=st.one_of(
        st.builds(slice, SLICE_BOUNDS, SLICE_BOUNDS, SLICE_BOUNDS),
        st.builds(slice, BAD_SLICE_BOUNDS, SLICE_BOUNDS),
        INDEX_ITEMS,
        st.lists(INDEX_ITEMS, max_size=6),
        st.lists(INDEX_ITEMS, max_size=6).map(tuple),
        int_arrays(0, 6, 3, unique=True),
        int_arrays(-2, 9, 4),
        JUNK_INDICES,
    )
)
def test_views_select_the_right_parent_neurons_or_name_the_index(index):
    expected = expected_view(POP.size, index)
    view = expect_outcome(lambda: POP[index], () if expected is not None else ("view index",))
    if view is None:
        return
    assert isinstance(view, ir.PopulationView)
    assert view.population is POP and view.name == "pop"
    assert view.indices.dtype == np.int64 and not view.indices.flags.writeable
    assert view.indices.tolist() == expected
    assert view.size == len(view) == len(expected)
    # A view built directly from the same indices is equal to it.
    assert ir.PopulationView(population=POP, indices=view.indices) == view


@settings(max_examples=50, deadline=None)
@given(population=st.sampled_from([None, "pop", ir.IF_curr_exp(), POP[1:3], 3]))
def test_view_of_something_that_is_not_a_population_is_rejected(population):
    with pytest.raises(ir.IRValidationError) as info:
        ir.PopulationView(population=population, indices=[0])
    assert info.value.parameter == "population"
