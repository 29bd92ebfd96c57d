"""Values with units (Brian2, quantities/Neo, pint) are converted to the IR unit or refused,
never stripped silently (issue 15: ``tau_m=20*brian2.ms`` used to store 0.02)."""

from __future__ import annotations

import math

import brian2
import numpy as np
import pint
import pytest
import quantities as pq
from hypothesis import given, settings
from hypothesis import strategies as st

from spikemem import ir

UREG = pint.UnitRegistry()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (20 * brian2.ms, 20.0),
        (0.02 * brian2.second, 20.0),
        (20 * pq.ms, 20.0),
        (0.02 * pq.s, 20.0),
        (20 * UREG.ms, 20.0),
        (0.02 * UREG.s, 20.0),
    ],
    ids=["brian2 ms", "brian2 s", "quantities ms", "quantities s", "pint ms", "pint s"],
)
def test_time_constants_are_converted_to_ms(value, expected):
    assert ir.IF_curr_exp(tau_m=value).tau_m == expected


def test_every_ir_unit_from_brian2():
    cell = ir.IF_curr_exp(
        tau_m=20 * brian2.ms,
        cm=0.25 * brian2.nF,
        v_thresh=-50 * brian2.mV,
        v_reset=-0.07 * brian2.volt,
        i_offset=500 * brian2.pA,
        v_init=np.array([-65.0, -60.0]) * brian2.mV,
    )
    assert (cell.tau_m, cell.cm, cell.v_thresh, cell.v_reset, cell.i_offset) == (
        20.0,
        0.25,
        -50.0,
        -70.0,
        0.5,
    )
    np.testing.assert_array_equal(cell.v_init, [-65.0, -60.0])
    assert ir.SpikeSourcePoisson(rate=0.01 * brian2.kHz).rate == 10.0


def test_times_delays_dt_and_durations():
    src = ir.SpikeSourceArray(times=[1 * brian2.ms, 2 * brian2.ms], ids=[0, 0])
    np.testing.assert_array_equal(src.times, [1.0, 2.0])
    pop = ir.Population(name="a", size=1, cell=ir.IF_curr_exp())
    proj = ir.Projection(name="x", pre=pop, post=pop, connector=ir.AllToAll(), weight=0.5, delay=1.5 * pq.ms)
    assert proj.delay == 1.5
    assert ir.Network(populations=(pop,), projections=(proj,), dt=100 * UREG.us).dt == 0.1
    assert ir.Phase(name="p", duration=0.5 * brian2.second).duration == 500.0


@pytest.mark.parametrize(
    ("build", "expected"),
    [
        (lambda: ir.IF_curr_exp(tau_m=-50 * brian2.mV), "tau_m.*a value in ms"),
        (lambda: ir.IF_curr_exp(v_thresh=1 * pq.nA), "v_thresh.*a value in mV"),
        (lambda: ir.IF_curr_exp(cm=1 * UREG.ms), "cm.*a value in nF"),
        (lambda: ir.SpikeSourcePoisson(rate=1 * brian2.ms), "rate.*a value in Hz"),
        (lambda: ir.SpikeSourceArray(times=[1 * brian2.ms, 2.0], ids=[0, 0]), "not a mix"),
    ],
    ids=["tau_m volt", "v_thresh amp", "cm ms", "rate ms", "mixed list"],
)
def test_wrong_dimension_is_refused_naming_the_unit(build, expected):
    with pytest.raises(ir.IRValidationError, match=expected):
        build()


def test_weights_with_units_are_refused():
    pop = ir.Population(name="a", size=1, cell=ir.IF_curr_exp())
    with pytest.raises(ir.IRValidationError, match="weight.*plain number in the projection's weight unit"):
        ir.Projection(name="x", pre=pop, post=pop, connector=ir.AllToAll(), weight=0.5 * brian2.nA)


@settings(max_examples=200, deadline=None)
@given(st.floats(1e-3, 1e5))
def test_brian2_conversion_equals_brian2s_own(x):
    value = x * brian2.ms
    stored = ir.IF_curr_exp(tau_m=value).tau_m
    assert stored == float(value / brian2.ms)
    assert math.isclose(stored, x, rel_tol=4e-16)


@settings(max_examples=200, deadline=None)
@given(st.floats(-1e3, 1e3))
def test_quantities_and_pint_in_the_ir_unit_are_kept_bit_for_bit(x):
    assert ir.IF_curr_exp(v_rest=x * pq.mV, v_reset=-1e4, v_thresh=1e4).v_rest == x
    assert ir.IF_curr_exp(v_rest=x * UREG.mV, v_reset=-1e4, v_thresh=1e4).v_rest == x
