"""One rounding rule for delays: nearest step, halves up, at least one step; one warning naming
the largest rounding error."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spikemem import ir

DTS = [0.1, 0.1 + 1e-12, 2**-4, 1e-4, 0.25, 1.0]


def _steps(delays, dt):
    """delay_steps, returning the steps and every warning raised."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        steps = ir.delay_steps(np.asarray(delays, dtype=np.float64), dt, owner="Projection 'p'")
    return steps, caught


@pytest.mark.parametrize("dt", DTS)
def test_delays_on_the_grid_are_exact_and_silent(dt):
    n = np.arange(1, 2000)
    steps, caught = _steps(n * dt, dt)
    np.testing.assert_array_equal(steps, n)
    assert steps.dtype == np.int64
    assert caught == []


@pytest.mark.parametrize("dt", DTS)
def test_one_ulp_off_the_grid_is_still_on_the_grid(dt):
    n = np.arange(1, 500)
    for direction in (np.inf, -np.inf):
        steps, caught = _steps(np.nextafter(n * dt, direction), dt)
        np.testing.assert_array_equal(steps, n)
        assert caught == []


@pytest.mark.parametrize("dt", [0.1, 2**-4, 0.25])
def test_halves_round_up(dt):
    n = np.arange(1, 100)
    steps, caught = _steps((n + 0.5) * dt, dt)
    np.testing.assert_array_equal(steps, n + 1)
    assert len(caught) == 1


def test_classic_decimal_ties_round_up_despite_binary_representation():
    # 0.15 / 0.1 is 1.4999999999999998 in binary floating point; the rule still says 2 steps.
    steps, _ = _steps([0.15, 0.25, 0.35, 0.45, 1.05], 0.1)
    np.testing.assert_array_equal(steps, [2, 3, 4, 5, 11])


def test_nearest_step_below_and_above_half():
    steps, _ = _steps([0.14, 0.16, 0.26, 0.34, 0.0999], 0.1)
    np.testing.assert_array_equal(steps, [1, 2, 3, 3, 1])


def test_half_a_step_is_one_step_but_less_is_an_error():
    steps, _ = _steps([0.05], 0.1)
    assert steps.tolist() == [1]
    with pytest.raises(ir.IRValidationError) as info:
        _steps([0.2, 0.04], 0.1)
    assert info.value.parameter == "delay" and info.value.value == pytest.approx(0.04)
    assert "0.05" in info.value.allowed  # at least half a step


def test_one_warning_with_the_largest_rounding_error():
    delays = [1.0, 1.02, 1.04, 2.0, 3.049]  # errors 0, 0.02, 0.04, 0, 0.049 ms
    steps, caught = _steps(delays, 0.1)
    np.testing.assert_array_equal(steps, [10, 10, 10, 20, 30])
    assert len(caught) == 1
    warning = caught[0]
    assert issubclass(warning.category, RuntimeWarning)
    text = str(warning.message)
    assert "Projection 'p'" in text and "dt = 0.1" in text
    assert "0.049 ms" in text and "3.049 ms" in text  # the largest error and its delay


@pytest.mark.parametrize(
    "dt, delays, parameter",
    [
        (0.0, [1.0], "dt"),
        (-0.1, [1.0], "dt"),
        (float("nan"), [1.0], "dt"),
        (True, [1.0], "dt"),
        (0.1, [float("nan")], "delay"),
        (0.1, [float("inf")], "delay"),
        (0.1, [-1.0], "delay"),
        (0.1, [1e300], "delay"),  # would overflow int64 steps
        (1e-4, [1e17], "delay"),
    ],
)
def test_bad_dt_or_delays_raise_a_named_error(dt, delays, parameter):
    with pytest.raises(ir.IRValidationError) as info:
        _steps(delays, dt)
    assert info.value.parameter == parameter


def _dts():
    return st.one_of(st.sampled_from(DTS), st.floats(1e-4, 10.0))


@settings(max_examples=200, deadline=None)
@given(
    dt=_dts(),
    k=st.integers(-5, 10**7),
    kind=st.sampled_from(["grid", "half", "ulp", "any"]),
    frac=st.floats(0, 1),
)
def test_rounding_rule_fuzz(dt, k, kind, frac):
    """Every delay either rounds by the one rule (within one ulp of it) or raises for delay < dt/2."""
    delay = {
        "grid": k * dt,
        "half": (k + 0.5) * dt,
        "ulp": float(np.nextafter(k * dt, np.inf)),
        "any": (k + frac) * dt,
    }[kind]
    if delay / dt < 0.5 - 1e-9:
        with pytest.raises(ir.IRValidationError):
            _steps([delay], dt)
        return
    steps, caught = _steps([delay], dt)
    exact = delay / dt
    assert steps[0] >= 1
    tolerance = 1e-9 + 4 * np.spacing(exact)  # ties are decided up to float rounding of delay/dt
    assert abs(steps[0] - exact) <= 0.5 + tolerance  # nearest step
    if exact - np.floor(exact) >= 0.5 + 1e-9:
        assert steps[0] == np.floor(exact) + 1
    assert len(caught) <= 1
    if kind in ("grid", "ulp"):
        assert steps[0] == k and caught == []
