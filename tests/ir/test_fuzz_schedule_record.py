"""Fuzzing of Stimulus, Phase, Schedule and RecordSpec."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spikemem import ir
from spikemem.ir import RecordSpec

from .strategies import (
    INVALID_NAMES,
    VALID_NAMES,
    expect_outcome,
    float_arrays,
    int_arrays,
    is_valid_name,
    junk,
    numbers,
    outside,
    pick_bad,
    scalar_junk,
)

pytestmark = pytest.mark.timeout(120)
FUZZ = settings(max_examples=200, deadline=None)


@st.composite
def stimulus_cases(draw):
    n = draw(st.integers(0, 5))
    bad = draw(pick_bad(["population", "times", "ids"]))
    kwargs = {"population": draw(INVALID_NAMES if "population" in bad else VALID_NAMES)}
    blamed = set(bad)
    if "times" in bad:
        options = [junk()] + ([outside(0.0, 1e9).map(lambda v: [v] * n)] if n else [])
        kwargs["times"] = draw(st.one_of(*options))
    else:
        kwargs["times"] = draw(float_arrays(0.0, 1e9, n))
    if "ids" in bad:
        options = [junk()] + ([st.just([-1] * n), st.just([0.5] * n)] if n else [])
        kwargs["ids"] = draw(st.one_of(*options))
    elif draw(st.integers(0, 4)) == 0:
        kwargs["ids"] = draw(int_arrays(0, 9, n + 1))  # one id too many
        blamed.add("ids")
    else:
        kwargs["ids"] = draw(int_arrays(0, 9, n))
    return kwargs, blamed


@FUZZ
@given(case=stimulus_cases())
def test_stimulus_builds_valid_or_names_the_bad_parameter(case):
    kwargs, blamed = case
    stimulus = expect_outcome(lambda: ir.Stimulus(**kwargs), blamed)
    if stimulus is None:
        return
    assert stimulus.population == kwargs["population"]
    assert stimulus.times.dtype == np.float64 and stimulus.ids.dtype == np.int64
    assert stimulus.times.shape == stimulus.ids.shape
    assert np.all(np.isfinite(stimulus.times)) and np.all(stimulus.times >= 0)
    assert np.all(stimulus.ids >= 0)


STIMULI = [
    ir.Stimulus(population="src", times=[0.0, 4.5], ids=[0, 1]),
    ir.Stimulus(population="src", times=[99.0], ids=[2]),
    ir.Stimulus(population="src"),
]
NOT_STIMULI = st.sampled_from(
    [5, None, STIMULI[0], "src", [STIMULI[0], "x"], [{"population": "src"}], {1: 2}]
)
PLASTIC_OK = st.one_of(
    st.none(),
    st.lists(VALID_NAMES, max_size=3),
    st.lists(VALID_NAMES, max_size=3).map(tuple),
)
NOT_PLASTIC = st.one_of(
    st.sampled_from(["stdp", 5, True, [1], ["a b"], [None], STIMULI[0]]),
    st.lists(INVALID_NAMES, min_size=1, max_size=2),
)


@st.composite
def phase_cases(draw):
    bad = draw(pick_bad(["name", "duration", "stimuli", "plastic"]))
    kwargs = {
        "name": draw(INVALID_NAMES if "name" in bad else VALID_NAMES),
        "duration": draw(
            st.one_of(scalar_junk(), outside(0.0, 1e9, low_open=True))
            if "duration" in bad
            else numbers(0.0, 1e9).filter(lambda d: d > 0)
        ),
    }
    blamed = set(bad)
    if "stimuli" in bad:
        kwargs["stimuli"] = draw(NOT_STIMULI)
    elif draw(st.booleans()):
        kwargs["stimuli"] = draw(st.lists(st.sampled_from(STIMULI), max_size=2))
        if "duration" not in bad and any(
            s.times.size and s.times.max() >= float(kwargs["duration"]) for s in kwargs["stimuli"]
        ):
            blamed.add("stimuli")  # a spike at or after the end of the phase
    if "plastic" in bad or draw(st.booleans()):
        kwargs["plastic"] = draw(NOT_PLASTIC if "plastic" in bad else PLASTIC_OK)
    return kwargs, blamed


@FUZZ
@given(case=phase_cases())
def test_phase_builds_valid_or_names_the_bad_parameter(case):
    kwargs, blamed = case
    phase = expect_outcome(lambda: ir.Phase(**kwargs), blamed)
    if phase is None:
        return
    assert type(phase.duration) is float and 0 < phase.duration <= 1e9
    assert isinstance(phase.stimuli, tuple)
    assert all(s.times.size == 0 or s.times.max() < phase.duration for s in phase.stimuli)
    if phase.plastic is not None:
        assert isinstance(phase.plastic, tuple) and all(map(is_valid_name, phase.plastic))


PHASES = [
    ir.Phase(name="store", duration=100.0, stimuli=(STIMULI[0],)),
    ir.Phase(name="recall", duration=50.0, plastic=()),
    ir.Phase(name="store", duration=10.0),  # same name as the first
]


@FUZZ
@given(
    phases=st.one_of(
        st.lists(st.sampled_from(PHASES), max_size=3),
        st.lists(st.sampled_from(PHASES), max_size=3).map(tuple),
        st.sampled_from([5, None, PHASES[0], "store", [PHASES[0], "recall"], [STIMULI[0]]]),
    )
)
def test_schedule_builds_valid_or_names_the_bad_parameter(phases):
    blamed = set()
    if not isinstance(phases, (list, tuple)) or not all(isinstance(p, ir.Phase) for p in phases):
        blamed.add("phases")
    elif not phases:
        blamed.add("phases")
    elif len({p.name for p in phases}) != len(phases):
        blamed.add("phase name")
    schedule = expect_outcome(lambda: ir.Schedule(phases=phases), blamed)
    if schedule is not None:
        assert schedule.phases == tuple(phases)
        assert schedule.duration == sum(p.duration for p in phases)


# -- RecordSpec (spikemem/ir/record.py) ----------------------------------------------------------
@st.composite
def record_spec_cases(draw):
    bad = draw(pick_bad(["spikes", "state", "state_every"], max_bad=1))
    kwargs = {}
    if "spikes" in bad:
        kwargs["spikes"] = draw(st.one_of(VALID_NAMES, st.just("")))  # a bare string, not a tuple
    elif draw(st.booleans()):
        kwargs["spikes"] = draw(st.one_of(st.none(), st.lists(VALID_NAMES, max_size=3).map(tuple)))
    if "state" in bad:
        kwargs["state"] = draw(st.sampled_from([None, "exc", ["exc"], ("v",), 5]))
    elif draw(st.booleans()):
        variables = st.one_of(
            st.sampled_from(["v", "isyn_exc"]), st.lists(st.sampled_from(["v", "isyn_inh"]))
        )
        kwargs["state"] = draw(st.dictionaries(VALID_NAMES, variables, max_size=3))
    if "state_every" in bad:
        kwargs["state_every"] = draw(
            st.one_of(st.integers(max_value=0), st.sampled_from([1.0, True, None, "2", np.int64(2), 2.5]))
        )
    elif draw(st.booleans()):
        kwargs["state_every"] = draw(st.integers(1, 10**6))
    if draw(st.booleans()):
        kwargs["weights"] = draw(st.booleans())
    return kwargs, bad


@FUZZ
@given(case=record_spec_cases())
def test_record_spec_builds_valid_or_names_the_bad_parameter(case):
    kwargs, blamed = case
    spec = expect_outcome(lambda: RecordSpec(**kwargs), blamed)
    if spec is None:
        return
    assert type(spec.state_every) is int and spec.state_every >= 1
    assert spec.spikes is None or isinstance(spec.spikes, tuple)
    assert all(isinstance(v, tuple) for v in spec.state.values())


@pytest.mark.parametrize(
    "kwargs, parameter",
    [({"spikes": 5}, "spikes"), ({"state": {"exc": 5}}, "state"), ({"weights": "no"}, "weights")],
)
def test_record_spec_rejects_non_collections_with_a_named_error(kwargs, parameter):
    with pytest.raises(ir.IRValidationError) as info:
        RecordSpec(**kwargs)
    assert parameter in info.value.parameter
