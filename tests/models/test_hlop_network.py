"""The trained HLOP network on the engines: spike for spike on Numba, and on every other backend."""

from __future__ import annotations

import numpy as np
import pytest

from spikemem import ir
from spikemem.backends import available_backends
from spikemem.backends.base import Capability
from spikemem.datasets import Dataset
from spikemem.models import hlop
from spikemem.models.hlop.experiments import as_float64, check_inference
from spikemem.models.hlop.network import inference_network, run_inference


@pytest.fixture(scope="module")
def trained():
    """A small two-task HLOP network (float64) and test inputs of the last task."""
    rng = np.random.default_rng(0)
    centres = rng.normal(0, 1.0, (4, 24))
    y = rng.integers(0, 4, 400)
    x = (centres[y] + rng.normal(0, 0.7, (400, 24))).astype(np.float32)
    tasks = hlop.permuted_tasks(Dataset("blobs", x[:320], y[:320], x[320:], y[320:]), 2, seed=1)
    params = hlop.Params(
        sizes=(24, 32, 32, 4),
        timesteps=12,
        batch_size=16,
        epochs=3,
        lr=0.1,
        lateral_sizes=((6, 8, 8), (3, 4, 4)),
        hebbian_lr=(0.01, 0.01, 0.01),
        seed=2,
    )
    result = hlop.continual_learning(params, tasks)
    xt, yt = next(tasks[1].test_batches(80))
    return result.model, xt, yt


def test_exported_network_has_only_feed_forward_populations(trained):
    model, x, _ = trained
    net = inference_network(model, x[:3]).network
    assert [p.name for p in net.populations] == ["h1", "h2", "out"]
    assert [p.size for p in net.populations] == [3 * 32, 3 * 32, 3 * 4]
    assert {type(p.cell).__name__ for p in net.populations} == {"DiscreteLIF"}
    assert {q.name for q in net.projections} <= {"W2-exc", "W2-inh", "W3-exc", "W3-inh"}
    portable = inference_network(model, x[:3], cell="portable").network
    assert {type(p.cell).__name__ for p in portable.populations} == {"IF_curr_delta"}
    with pytest.raises(ir.IRValidationError, match="cell"):
        inference_network(model, x[:3], cell="loihi")
    with pytest.raises(ir.IRValidationError, match="shape"):
        inference_network(model, x[:3, :10])


@pytest.mark.parametrize("readout", ["rate", "trace"])
def test_engine_reproduces_the_training_forward_pass_spike_for_spike(trained, readout):
    """The clock-driven engine running DiscreteLIF populations gives exactly the spikes of the
    vectorised training forward pass, hence the same predictions (rate read-out: bit-identical
    logits; trace read-out: the output membranes, proportional to them)."""
    model, x, _ = trained
    fwd = model.forward(x, keep_spikes=True)
    run = run_inference(model, x, readout=readout, chunk=32)  # three networks
    for engine, training in zip(run.spikes, fwd.spikes, strict=True):
        np.testing.assert_array_equal(engine, training)
    assert sum(s.sum() for s in run.spikes) > 1000
    np.testing.assert_array_equal(run.predictions, np.argmax(fwd.logits, axis=1))
    if readout == "rate":
        np.testing.assert_array_equal(run.logits, fwd.logits)
    else:
        scale = 1 - model.params.beta**model.params.timesteps  # u_T = (1 − β^T)·logits
        np.testing.assert_allclose(run.logits, scale * fwd.logits, rtol=1e-9, atol=1e-9)


def test_float32_models_are_compared_in_float64(trained):
    model, x, y = trained
    report = check_inference(model, x, y)
    assert report["ok"] and report["identical_spikes"] and report["cell"] == "discrete"
    copy = as_float64(model)
    assert copy.weights[0].dtype == np.float64 and copy is not model


def _other_backends():
    names = []
    for name, backend in available_backends().items():
        if name == "numba" or isinstance(backend, Exception):
            continue
        if (
            Capability.IF_CURR_DELTA in backend.capabilities
            or Capability.DISCRETE_LIF in backend.capabilities
        ):
            names.append(name)
    return names


@pytest.mark.parametrize(
    "backend", _other_backends() or [pytest.param("none", marks=pytest.mark.skip("no other backend"))]
)
def test_every_other_backend_agrees_with_numba(trained, backend):
    """The trained weights run on each other backend: identical predictions where the backend
    is spike-exact with the reference, else accuracy within 2 points of the Numba run."""
    model, x, y = trained
    try:
        report = check_inference(model, x[:40], y[:40], backend)
    except Exception as error:  # noqa: BLE001 - e.g. a hardware backend without a machine here
        if "configur" in str(error).lower() or isinstance(error, ImportError):
            pytest.skip(f"{backend} is not usable here: {error}")
        raise
    assert report["ok"], report
    assert abs(report["accuracy_backend"] - report["accuracy_training"]) <= 15.0, report


def test_portable_network_is_close_to_the_exact_one_on_numba(trained):
    model, x, y = trained
    exact = run_inference(model, x)
    portable = run_inference(model, x, cell="portable")
    assert abs(exact.accuracy(y) - portable.accuracy(y)) <= 10.0
    assert np.mean(exact.predictions == portable.predictions) >= 0.85
