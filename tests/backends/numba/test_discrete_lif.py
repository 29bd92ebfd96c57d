"""``DiscreteLIF`` (HLOP's discrete-time LIF with subtractive reset) on the Numba engine.

The engine must follow the cell's defining recurrence exactly: ``u ← β u + (1 − β) I`` (or
``u ← u + I`` without leak), spike at ``u >= alpha·v_thresh``, ``u ← u − v_thresh``. The state
sampled at step ``t`` is ``u[t]`` after the reset.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import spikemem
from spikemem import ir
from spikemem.backends import available_backends
from spikemem.backends.base import Capability
from spikemem.ir import RecordSpec
from spikemem.ir.cells import CELL_TYPES, DiscreteLIF


def closed_form(inputs: np.ndarray, *, beta: float, gain: float, theta: float, vth: float, u0: np.ndarray):
    """The recurrence, step by step: inputs ``(steps, n)`` → (spikes, u after reset)."""
    u = np.array(u0, dtype=np.float64)
    spikes, trace = np.zeros(inputs.shape, dtype=bool), np.zeros(inputs.shape)
    for t in range(inputs.shape[0]):
        u = u * beta + gain * inputs[t]
        spikes[t] = u >= theta
        u = np.where(spikes[t], u - vth, u)
        trace[t] = u
    return spikes, trace


def run(cell: DiscreteLIF, n: int, steps: int, *, dt: float = 1.0, source=None, weights=None):
    pops = [ir.Population(name="n", size=n, cell=cell)]
    projs = []
    if source is not None:
        times, ids, n_src = source
        src = ir.Population(name="src", size=n_src, cell=ir.SpikeSourceArray(times=times, ids=ids))
        pops.append(src)
        for receptor, w in (("excitatory", np.maximum(weights, 0)), ("inhibitory", np.maximum(-weights, 0))):
            i, j = np.nonzero(w)
            projs.append(
                ir.Projection(
                    name=receptor,
                    pre=src,
                    post=pops[0],
                    connector=ir.FromList(pre=i, post=j, weight=w[i, j]),
                    delay=dt,
                    receptor=receptor,
                )
            )
    net = ir.Network(populations=tuple(pops), projections=tuple(projs), dt=dt)
    rec = spikemem.compile(net, backend="numba", record=RecordSpec(state={"n": ("v",)})).run(
        duration=steps * dt
    )
    spikes = np.zeros((steps, n), dtype=bool)
    spikes[rec.spikes["n"].steps, rec.spikes["n"].ids] = True
    return spikes, rec.state["n"].values["v"]


@pytest.mark.parametrize("dt", [1.0, 0.05])
def test_leaky_constant_input_follows_the_recurrence(dt):
    i_offset = np.array([0.05, 0.5, 2.0, 7.0, -1.0])
    cell = DiscreteLIF(tau_m=1.0 if dt == 0.05 else 20.0, v_thresh=0.3, alpha=0.3, i_offset=i_offset)
    spikes, trace = run(cell, 5, 200, dt=dt)
    beta = math.exp(-0.05)
    expected, u = closed_form(
        np.tile(i_offset, (200, 1)), beta=beta, gain=1 - beta, theta=0.09, vth=0.3, u0=np.zeros(5)
    )
    np.testing.assert_array_equal(spikes, expected)
    np.testing.assert_allclose(trace, u, rtol=1e-12, atol=1e-14)
    assert spikes[:, 3].sum() > 50 and not spikes[:, 4].any()  # strong input fires often, negative never


def test_integrate_and_fire_counts_are_rounded_inputs():
    """No leak, threshold 1, start 0.5: over n steps of constant c the count is floor(n·c + 1/2),
    saturating at one spike per step (c >= 1) and silent for c <= 0. (Only at exact ties
    n·c + 1/2 ∈ Z with c not a dyadic fraction may the summed u fall a rounding error short.)"""
    rng = np.random.default_rng(3)
    c = np.concatenate([rng.uniform(-0.5, 1.5, 200), [0.0, 1.0, 0.25, 0.5]])
    cell = DiscreteLIF(tau_m=None, v_thresh=1.0, alpha=1.0, v_init=0.5, i_offset=c)
    spikes, _ = run(cell, c.size, 40)
    np.testing.assert_array_equal(spikes.sum(axis=0), np.floor(40 * np.clip(c, 0.0, 1.0) + 0.5))


def test_synaptic_input_is_scaled_by_one_minus_beta_and_signed_by_receptor():
    rng = np.random.default_rng(7)
    steps, n_src, n = 60, 6, 4
    pattern = rng.random((steps, n_src)) < 0.3
    t_idx, src_ids = np.nonzero(pattern)
    weights = rng.normal(0.0, 2.0, (n_src, n))
    cell = DiscreteLIF(tau_m=20.0, v_thresh=0.4, alpha=0.5, v_init=np.array([0.0, 0.1, -0.1, 0.2]))
    spikes, trace = run(cell, n, steps, source=(t_idx.astype(float), src_ids, n_src), weights=weights)
    arriving = np.zeros((steps, n))
    arriving[1:] = pattern[:-1].astype(float) @ weights  # one step of delay
    beta = math.exp(-1 / 20)
    expected, u = closed_form(
        arriving, beta=beta, gain=-math.expm1(-1 / 20), theta=0.2, vth=0.4, u0=[0.0, 0.1, -0.1, 0.2]
    )
    np.testing.assert_array_equal(spikes, expected)
    np.testing.assert_allclose(trace, u, rtol=1e-12, atol=1e-12)
    assert expected.any()


def test_mixed_with_standard_cells_keeps_their_reset():
    """A DiscreteLIF segment next to an IF_curr_delta one: each keeps its own reset rule."""
    delta = ir.IF_curr_delta(
        v_rest=0.0, v_reset=-5.0, v_thresh=1.0, tau_m=10.0, cm=1.0, i_offset=0.5, tau_refrac=0.0
    )
    pops = (
        ir.Population(name="d", size=1, cell=delta),
        ir.Population(name="n", size=1, cell=DiscreteLIF(tau_m=None, v_thresh=1.0, alpha=1.0, i_offset=0.25)),
    )
    net = ir.Network(populations=pops, dt=1.0)
    rec = spikemem.compile(net, backend="numba", record=RecordSpec(state={"d": ("v",), "n": ("v",)})).run(
        duration=30.0
    )
    v_n = rec.state["n"].values["v"][:, 0]
    assert v_n.min() > -1e-9 and v_n.max() < 1.0  # subtractive: never below 0 for positive input
    assert rec.state["d"].values["v"][:, 0].min() < -4.0  # reset to v_reset = -5 after its spikes
    assert rec.spikes["n"].steps.size == 7  # floor(30·0.25)


def test_cell_validation_and_round_trip(tmp_path):
    assert CELL_TYPES["DiscreteLIF"] is DiscreteLIF
    for bad in ({"v_thresh": 0.0}, {"alpha": -1.0}, {"tau_m": 0.0}, {"i_offset": float("nan")}, {"vth": 1.0}):
        with pytest.raises(ir.IRValidationError):
            DiscreteLIF(**bad)
    with pytest.raises(ir.IRValidationError, match="length"):
        DiscreteLIF(v_thresh=np.ones(3), i_offset=np.ones(4))
    with pytest.raises(ir.IRValidationError, match="length"):
        ir.Population(name="p", size=5, cell=DiscreteLIF(i_offset=np.ones(4)))
    cell = DiscreteLIF(tau_m=None, v_thresh=1.0, alpha=1.0, v_init=0.5, i_offset=np.arange(3.0))
    net = ir.Network(populations=(ir.Population(name="p", size=3, cell=cell),), dt=1.0)
    assert ir.Network.from_dict(net.to_dict()) == net
    net.save(tmp_path / "net.json")
    loaded = ir.Network.load(tmp_path / "net.json")
    assert loaded == net and loaded.populations[0].cell.tau_m is None


def test_capability_is_declared_and_other_backends_refuse_the_cell():
    plain = ir.Network(populations=(ir.Population(name="p", size=2, cell=ir.IF_curr_delta()),), dt=1.0)
    net = ir.Network(populations=(ir.Population(name="p", size=2, cell=DiscreteLIF(i_offset=1.0)),), dt=1.0)
    checked = []
    for name, backend in available_backends().items():
        if isinstance(backend, Exception):
            continue
        if Capability.DISCRETE_LIF in backend.capabilities:
            assert name == "numba" or backend.compile(net).run(duration=5.0) is not None
            continue
        try:
            backend.compile(plain)  # a backend that needs configuration here (e.g. a board) is skipped
        except Exception:  # noqa: BLE001
            continue
        with pytest.raises(ir.UnsupportedFeature, match="DiscreteLIF"):
            backend.compile(net).run(duration=5.0)
        checked.append(name)
    assert Capability.DISCRETE_LIF in available_backends()["numba"].capabilities
