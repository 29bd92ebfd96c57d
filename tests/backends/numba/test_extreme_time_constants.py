"""Time constants far below the time step: finite propagators, finite state, no silent NaN
(issue 15: ``tau_m`` below about dt/709 used to overflow ``expm1`` and give a NaN ``v``)."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import spikemem
from spikemem import ir
from spikemem.backends.base import NumericalError, check_finite_recording
from spikemem.lowering import lif_propagators
from spikemem.results import Recording, SpikeTrains, StateTrace


def _p21_reference(tau_m: float, cm: float, tau_syn: float, dt: float) -> float:
    """∫₀^dt (1/cm)·exp(-(dt-s)/tau_m)·exp(-s/tau_syn) ds, written out in log space."""
    a = 1.0 / tau_m - 1.0 / tau_syn
    return math.exp(-dt / tau_syn) * -math.expm1(-dt * a) / a / cm


@pytest.mark.parametrize("tau_m", [1e-6, 1e-5, 0.1 / 800, 0.1 / 700, 0.01, 10.0])
def test_p21_finite_and_correct_for_tiny_tau_m(tau_m):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        P22, P20, P21, P11 = lif_propagators(
            np.array([tau_m]), np.array([0.5]), np.array([5.0]), 0.1, "exact"
        )
    assert np.all(np.isfinite([P22, P20, P21, P11]))
    assert P21[0] == pytest.approx(_p21_reference(tau_m, 0.5, 5.0, 0.1), rel=1e-9)


@pytest.mark.parametrize("tau_m", [1e-6, 0.1 / 800])
def test_tiny_tau_m_runs_with_finite_state(tau_m):
    pop = ir.Population(name="p", size=2, cell=ir.IF_curr_exp(tau_m=tau_m, i_offset=np.array([0.0, 1e5])))
    src = ir.Population(name="s", size=1, cell=ir.SpikeSourceArray(times=[1.0, 2.0], ids=[0, 0]))
    proj = ir.Projection(name="x", pre=src, post=pop, connector=ir.AllToAll(), weight=5.0, delay=1.0)
    net = ir.Network(populations=(pop, src), projections=(proj,), dt=0.1)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        rec = spikemem.compile(net, record=ir.RecordSpec(state={"p": ("v", "isyn_exc")})).run(5.0)
    v = rec.state["p"].values["v"]
    assert np.all(np.isfinite(v))
    # tau_m << dt: V sits at its steady state v_rest + (tau_m/cm)·i_offset every step
    # (cm = 1 nF, v_rest = -65 mV, both below the -50 mV threshold: no spikes)
    assert v[-1, 0] == pytest.approx(-65.0, abs=1e-3)
    assert v[-1, 1] == pytest.approx(-65.0 + tau_m * 1e5, abs=1e-3)
    assert rec.spike_count("p") == 0


def test_nan_in_recorded_state_is_an_error_not_a_result():
    values = np.zeros((3, 1))
    values[1, 0] = np.nan
    rec = Recording(
        dt=0.1,
        populations={"p": 1},
        spikes={"p": SpikeTrains.empty(0.1)},
        state={"p": StateTrace(np.array([0, 1, 2]), np.array([0]), {"v": values}, 0.1)},
    )
    with pytest.raises(NumericalError, match=r"v of population 'p' is NaN or infinite from step 1"):
        check_finite_recording(rec, "numba")


def test_inf_weight_is_an_error():
    rec = Recording(
        dt=0.1,
        populations={"p": 1},
        spikes={},
        weights={"end": {"x": np.array([1.0, np.inf])}},
    )
    with pytest.raises(NumericalError, match="weights of projection 'x'"):
        check_finite_recording(rec, "numba")


def test_spinnaker_fixed_names_parameters_that_do_not_fit_the_board():
    pop = ir.Population(name="p", size=1, cell=ir.IF_curr_exp(tau_m=1e6, cm=1e-6))
    net = ir.Network(populations=(pop,), projections=(), dt=0.1, numerics="spinnaker-fixed")
    with pytest.raises(
        ir.IRValidationError, match=r"Population 'p'.*fit sPyNNaker's fixed point at dt=0.1 ms"
    ):
        spikemem.compile(net).run(1.0)


def test_a_refractory_period_longer_than_the_counter_is_refused():
    pop = ir.Population(name="p", size=1, cell=ir.IF_curr_exp(tau_refrac=3e5))
    net = ir.Network(populations=(pop,), projections=(), dt=1e-4)
    with pytest.raises(
        ir.IRValidationError, match=r"tau_refrac=300000.0; allowed: at most 214748 ms at dt=0.0001"
    ):
        spikemem.compile(net)


def test_a_delay_longer_than_the_int32_table_is_refused():
    src = ir.Population(name="s", size=1, cell=ir.SpikeSourceArray(times=[0.0], ids=[0]))
    pop = ir.Population(name="p", size=1, cell=ir.IF_curr_exp())
    proj = ir.Projection(name="x", pre=src, post=pop, connector=ir.AllToAll(), weight=1.0, delay=3e5)
    net = ir.Network(populations=(pop, src), projections=(proj,), dt=1e-4)
    with pytest.raises(
        ir.IRValidationError, match=r"Projection 'x'.*delay=300000.0; allowed: at most 214748 ms"
    ):
        spikemem.compile(net)
