"""Fuzzing of the connectors (OneToOne, AllToAll, FixedProbability, FromList) and of the
plasticity rules (SpikePair, Additive, Multiplicative, STDP)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spikemem import ir

from .strategies import (
    expect_outcome,
    float_arrays,
    int_arrays,
    junk,
    numbers,
    outside,
    scalar_junk,
    split_params,
)

pytestmark = pytest.mark.timeout(120)
FUZZ = settings(max_examples=200, deadline=None)

BOOLS = st.one_of(st.booleans(), st.sampled_from([np.bool_(True), np.bool_(False)]))
NOT_BOOLS = st.one_of(
    st.sampled_from([0, 1, 1.0, "True", "false", None, [True], np.array([True]), np.int64(1)]),
    junk().filter(lambda v: not isinstance(v, (bool, np.bool_))),
)
SEEDS = st.one_of(st.none(), st.integers(0, 2**63 - 1), st.integers(0, 2**63 - 1).map(np.int64))
BAD_SEEDS = st.one_of(
    st.integers(max_value=-1),
    st.integers(min_value=2**63),
    st.floats(),
    st.booleans(),
    st.text(max_size=3),
    st.sampled_from([np.float64(1.0), [1], np.array([1])]),
)


@settings(max_examples=50, deadline=None)
@given(args=st.lists(st.one_of(st.integers(), st.none(), st.text(max_size=2)), min_size=1, max_size=2))
def test_connectors_take_keywords_only(args):
    for cls in (ir.OneToOne, ir.AllToAll, ir.FixedProbability, ir.FromList):
        with pytest.raises(ir.IRValidationError) as info:
            cls(*args)
        assert info.value.parameter == "positional arguments"


@FUZZ
@given(value=st.booleans().flatmap(lambda ok: BOOLS if ok else NOT_BOOLS))
def test_all_to_all_flag_must_be_a_bool(value):
    ok = isinstance(value, (bool, np.bool_))
    blamed = () if ok else ["allow_self_connections"]
    connector = expect_outcome(lambda: ir.AllToAll(allow_self_connections=value), blamed)
    if connector is not None:
        assert connector.allow_self_connections == bool(value)


@st.composite
def fixed_probability_cases(draw):
    present, bad = draw(split_params(["p", "allow_self_connections", "seed"]))
    valid = {"p": numbers(0.0, 1.0), "allow_self_connections": BOOLS, "seed": SEEDS}
    invalid = {
        "p": st.one_of(scalar_junk(), outside(0.0, 1.0), st.just(np.array(0.5))),
        "allow_self_connections": NOT_BOOLS,
        "seed": BAD_SEEDS,
    }
    return {name: draw(invalid[name] if name in bad else valid[name]) for name in present}, bad


@FUZZ
@given(case=fixed_probability_cases())
def test_fixed_probability_builds_valid_or_names_the_bad_parameter(case):
    kwargs, bad = case
    connector = expect_outcome(lambda: ir.FixedProbability(**kwargs), bad)
    if connector is None:
        return
    assert type(connector.p) is float and 0.0 <= connector.p <= 1.0
    assert connector.p == float(kwargs.get("p", 0.1))
    assert connector.seed is None or 0 <= int(connector.seed) < 2**63


BAD_INDEX_ARRAYS = st.one_of(
    junk(),
    st.just([-1]),
    st.just(np.array([0.5])),
    st.just(np.array([2**64 - 1], dtype=np.uint64)),
    st.just([1e19]),
    st.just(np.array([True])),
    st.just(7),  # a scalar is not an array of indices
)


@st.composite
def from_list_cases(draw):
    n = draw(st.integers(0, 6))
    present, bad = draw(split_params(["pre", "post", "weight", "delay"]))
    kwargs, blamed = {}, set(bad)
    for name in present:
        if name in ("pre", "post"):
            kwargs[name] = draw(BAD_INDEX_ARRAYS if name in bad else int_arrays(0, 50, n))
        elif name in bad:
            wrong_length = float_arrays(0.0, 1.0, n + 1)
            kwargs[name] = draw(st.one_of(junk().filter(lambda v: v is not None), wrong_length))
        else:
            kwargs[name] = draw(st.one_of(st.none(), float_arrays(-1.0, 10.0, n)))
    if bad & {"pre", "post"}:
        blamed |= {"pre", "post"}  # a bad index array may also have the wrong length
        return kwargs, blamed
    sizes = {name: np.size(kwargs.get(name, [])) for name in ("pre", "post")}
    if sizes["pre"] != sizes["post"]:
        blamed.add("post")
    for name in ("weight", "delay"):  # per-synapse arrays must match the number of pairs
        if name in kwargs and name not in bad and kwargs[name] is not None and sizes["pre"] != n:
            blamed.add(name)
    return kwargs, blamed


@FUZZ
@given(case=from_list_cases())
def test_from_list_builds_valid_or_names_the_bad_parameter(case):
    kwargs, blamed = case
    connector = expect_outcome(lambda: ir.FromList(**kwargs), blamed)
    if connector is None:
        return
    assert connector.pre.dtype == np.int64 and connector.post.dtype == np.int64
    assert connector.pre.shape == connector.post.shape
    assert np.all(connector.pre >= 0) and np.all(connector.post >= 0)
    for name in ("weight", "delay"):
        value = getattr(connector, name)
        if value is not None:
            assert value.dtype == np.float64 and value.shape == connector.pre.shape
            assert np.all(np.isfinite(value)) and not value.flags.writeable


ROWS = st.integers(0, 5).flatmap(
    lambda n: st.integers(2, 4).flatmap(
        lambda k: st.lists(st.tuples(*[st.integers(0, 9)] * k), min_size=n, max_size=n)
    )
)
BAD_PAIRS = st.one_of(
    st.sampled_from(
        [
            [[1, 2, 3, 4, 5]],
            [[1]],
            [1, 2],
            [],
            "ab",
            [[0, -1]],
            [[0.5, 1]],
            [[0, 1], [2]],
            None,
            np.array([[1 + 1j, 2]]),
            np.zeros((2, 2, 2)),
            [["0", "1"]],
            [[0, 1, np.nan]],
            [[True, False]],
        ]
    ),
    junk().filter(lambda v: _ragged(v) or np.ndim(v) != 2),  # 2-D junk arrays are valid rows
)


def _ragged(value):
    try:
        np.asarray(value)
    except ValueError:
        return True
    return False


@FUZZ
@given(pairs=st.one_of(ROWS, ROWS.map(np.array), BAD_PAIRS))
def test_from_list_from_pairs(pairs):
    is_rows = (
        isinstance(pairs, np.ndarray)
        and pairs.dtype.kind in "iu"
        or (isinstance(pairs, list) and bool(pairs) and all(isinstance(r, tuple) for r in pairs))
    )
    rows = np.asarray(pairs) if is_rows else None
    good = rows is not None and rows.ndim == 2 and rows.shape[1] in (2, 3, 4)
    blamed = () if good else ["pairs", "pre", "post", "weight", "delay"]
    connector = expect_outcome(lambda: ir.FromList.from_pairs(pairs), blamed)
    if connector is not None:
        np.testing.assert_array_equal(connector.pre, rows[:, 0])
        np.testing.assert_array_equal(connector.post, rows[:, 1])
        assert (connector.weight is not None) == (rows.shape[1] >= 3)
        assert (connector.delay is not None) == (rows.shape[1] == 4)


# -- plasticity ------------------------------------------------------------------------------
def scalar_param(low, high, *, low_open=False):
    valid = numbers(low, high) if not low_open else numbers(low, high).filter(lambda v: v > low)
    return valid, st.one_of(scalar_junk(), outside(low, high, low_open=low_open))


SPIKE_PAIR = {
    "tau_plus": scalar_param(0.0, 1e9, low_open=True),
    "tau_minus": scalar_param(0.0, 1e9, low_open=True),
    "A_plus": scalar_param(0.0, 1e9),
    "A_minus": scalar_param(0.0, 1e9),
}


@FUZZ
@given(data=st.data())
def test_spike_pair_builds_valid_or_names_the_bad_parameter(data):
    present, bad = data.draw(split_params(list(SPIKE_PAIR)))
    kwargs = {n: data.draw(SPIKE_PAIR[n][1] if n in bad else SPIKE_PAIR[n][0]) for n in present}
    rule = expect_outcome(lambda: ir.SpikePair(**kwargs), bad)
    if rule is None:
        return
    for name in SPIKE_PAIR:
        value = getattr(rule, name)
        assert type(value) is float and np.isfinite(value) and 0 <= value <= 1e9
        if name in kwargs:
            assert value == float(kwargs[name])
    assert rule.tau_plus > 0 and rule.tau_minus > 0


@pytest.mark.parametrize("cls", [ir.Additive, ir.Multiplicative], ids=lambda c: c.kind)
@FUZZ
@given(data=st.data())
def test_weight_dependence_builds_valid_or_names_the_bad_parameter(cls, data):
    valid, invalid = scalar_param(0.0, 1e9)
    present, bad = data.draw(split_params(["w_min", "w_max"]))
    kwargs = {n: data.draw(invalid if n in bad else valid) for n in present}
    blamed = set(bad)
    if not bad and float(kwargs.get("w_max", 1.0)) <= float(kwargs.get("w_min", 0.0)):
        blamed.add("w_max")
    rule = expect_outcome(lambda: cls(**kwargs), blamed)
    if rule is not None:
        assert type(rule.w_min) is float and type(rule.w_max) is float
        assert 0.0 <= rule.w_min < rule.w_max <= 1e9


CONVENTIONS = {
    "delay_convention": ("dendritic", "axonal", "none"),
    "zero_lag": ("depress", "potentiate", "ignore"),
    "amplitude": ("absolute", "w_max"),
    "clipping": ("per_event", "end_of_phase"),
}
NOT_CHOICES = st.one_of(
    st.text(max_size=12).filter(lambda s: s not in sum(CONVENTIONS.values(), ())),
    st.sampled_from(
        [
            None,
            1,
            True,
            ["dendritic"],
            ("dendritic",),
            np.array(["dendritic", "axonal"]),
            np.array("dendritic"),
            b"dendritic",
            "Dendritic",
            " dendritic",
        ]
    ),
)
STDP_PARTS = {
    "timing": (
        st.one_of(st.none(), st.builds(ir.SpikePair, tau_plus=st.floats(1, 50))),
        st.sampled_from([ir.Additive(), ir.SpikePair, "SpikePair", {"tau_plus": 1.0}, 1.0]),
    ),
    "weight": (
        st.sampled_from([None, ir.Additive(), ir.Multiplicative(w_min=0.5, w_max=2.0)]),
        st.sampled_from([ir.SpikePair(), ir.Additive, "Additive", {"w_max": 1.0}, 0.5]),
    ),
}


@FUZZ
@given(data=st.data())
def test_stdp_builds_valid_or_names_the_bad_parameter(data):
    names = list(CONVENTIONS) + list(STDP_PARTS)
    present, bad = data.draw(split_params(names))
    kwargs = {}
    for name in present:
        if name in CONVENTIONS:
            kwargs[name] = data.draw(NOT_CHOICES if name in bad else st.sampled_from(CONVENTIONS[name]))
        else:
            kwargs[name] = data.draw(STDP_PARTS[name][1] if name in bad else STDP_PARTS[name][0])
    rule = expect_outcome(lambda: ir.STDP(**kwargs), bad)
    if rule is None:
        return
    assert isinstance(rule.timing, ir.SpikePair)
    assert isinstance(rule.weight, (ir.Additive, ir.Multiplicative))
    for name, choices in CONVENTIONS.items():
        assert getattr(rule, name) in choices
    a_plus, a_minus = rule.scaled_amplitudes
    assert np.isfinite(a_plus) and np.isfinite(a_minus)
