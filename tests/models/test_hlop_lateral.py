"""HLOP's lateral circuit: the Hebbian (Oja subspace) module and the spiking lateral neurons."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from spikemem import ir
from spikemem.models.hlop.lateral import (
    HebbianSubspace,
    lateral_circuit,
    orthogonal_rows,
    principal_angles,
    quantise,
    simulate_lateral,
)


def gaussian_data(rng, top, n=32, samples=4096):
    """Zero-mean Gaussian samples: eigenvalues ``top`` then a tail <= 0.3; returns the data and
    the eigenvectors of its (sample) second-moment matrix, by decreasing eigenvalue."""
    spectrum = np.concatenate([top, np.geomspace(0.3, 0.01, n - len(top))])
    q, _ = np.linalg.qr(rng.standard_normal((n, n)))
    x = (rng.standard_normal((samples, n)) * np.sqrt(spectrum)) @ q.T
    _, vectors = np.linalg.eigh(x.T @ x / samples)
    return x, vectors[:, ::-1]


def train(sub: HebbianSubspace, x: np.ndarray, rng, batch: int = 64) -> None:
    """4 epochs at the module's rate, then 4 at a tenth of it (to get below the batch noise)."""
    lr = sub.lr
    for sub.lr in (lr,) * 4 + (lr / 10,) * 4:
        for idx in np.array_split(rng.permutation(x.shape[0]), x.shape[0] // batch):
            sub.hebbian_update(x[idx])
    sub.lr = lr


@pytest.mark.parametrize("spiking", [None, (20.0, 40)])
def test_hebbian_module_recovers_the_principal_subspace(spiking):
    """Oja's subspace rule (momentum, clamp, 5 iterations per batch): span(H) → the top-K
    eigenvectors of E[x xᵀ] (principal angles → 0) and H Hᵀ → I, also with spiking lateral
    neurons (s = 20, T_h = 40)."""
    rng = np.random.default_rng(0)
    x, v = gaussian_data(rng, top=(4.0, 3.5, 3.0, 2.5, 2.0))
    k = 5
    sub = HebbianSubspace(32, lr=0.01, spiking=spiking)
    sub.grow(k, rng)
    before = principal_angles(sub.new, v[:, :k].T).max()
    train(sub, x, rng)
    h = sub.new
    assert before > 0.8
    assert principal_angles(h, v[:, :k].T).max() < 0.01  # rad
    np.testing.assert_allclose(h @ h.T, np.eye(k), atol=1e-3 if spiking is None else 0.02)


def test_frozen_rows_stay_and_new_rows_learn_the_residual_subspace():
    rng = np.random.default_rng(1)
    x, v = gaussian_data(rng, top=(5.0, 4.5, 4.0, 3.5, 2.5, 2.0, 1.5))
    sub = HebbianSubspace(32, lr=0.01)
    sub.grow(4, rng)
    train(sub, x, rng)
    sub.consolidate()
    old = sub.old.copy()
    assert sub.n_old == 4 and sub.new.shape == (0, 32) and sub.velocity.shape == (0, 32)
    assert principal_angles(old, v[:, :4].T).max() < 0.02
    sub.grow(3, rng)
    train(sub, x, rng)
    np.testing.assert_array_equal(sub.old, old)  # frozen
    assert principal_angles(sub.weights, v[:, :7].T).max() < 0.02  # the new rows took eigenvectors 5-7
    np.testing.assert_allclose(sub.weights @ sub.weights.T, np.eye(7), atol=2e-3)
    # the projection removes the old subspace: residuals are (nearly) orthogonal to span(H_old)
    residual = sub.residual_old(x[:100])
    assert np.abs(residual @ old.T).max() < 0.01 * np.abs(x[:100] @ old.T).max()


def test_the_number_of_lateral_neurons_must_stay_below_the_input_dimension():
    rng = np.random.default_rng(2)
    sub = HebbianSubspace(10, lr=0.01)
    sub.grow(6, rng)
    sub.consolidate()
    sub.grow(3, rng)
    with pytest.raises(ir.IRValidationError, match="below the input dimension 10"):
        sub.grow(1, rng)


def test_orthogonal_initialisation_and_angles():
    rng = np.random.default_rng(3)
    rows = orthogonal_rows(5, 12, rng)
    np.testing.assert_allclose(rows @ rows.T, np.eye(5), atol=1e-12)
    assert principal_angles(rows, rows[::-1] * 3.0).max() < 1e-6
    assert abs(principal_angles(np.eye(3)[:1], np.eye(3)[1:2])[0] - np.pi / 2) < 1e-12


def test_quantise_is_the_signed_rounded_spike_count():
    y = np.array([-50.0, -20.0, -0.3, 0.0, 0.24, 0.26, 5.0, 19.9, 25.0])
    q = quantise(y, 20.0, 40)
    step = 0.5  # s / T_h
    np.testing.assert_array_equal(q / step, [-40, -40, -1, 0, 0, 1, 10, 40, 40])
    assert (
        np.abs(quantise(np.linspace(-20, 20, 1001), 20.0, 40) - np.linspace(-20, 20, 1001)).max()
        <= step / 2 + 1e-12
    )


def test_spiking_lateral_circuit_on_the_engine_equals_the_closed_form():
    """Integrate-and-fire L⁺/L⁻ on the Numba engine: identical signed spike counts, and the
    trace compartment after the −Hᵀ feedback equals x − Hᵀ y_q."""
    rng = np.random.default_rng(4)
    n, k, batch, scale, ticks = 24, 6, 8, 2.0, 40
    h = orthogonal_rows(k, n, rng)
    x = rng.normal(0.0, 1.5, (batch, n))
    x[0] *= 10.0  # saturates some lateral neurons (clip at ±s)
    counts, y, trace = simulate_lateral(h, x, scale, ticks)
    expected = quantise(x @ h.T, scale, ticks)
    np.testing.assert_array_equal(y, expected)
    np.testing.assert_array_equal(np.abs(counts[0]).max(), ticks)
    assert np.count_nonzero(counts) > batch * k // 2
    np.testing.assert_allclose(trace, x - expected @ h, rtol=0, atol=1e-12)
    circuit = lateral_circuit(h, x, scale, ticks)
    assert {p.name for p in circuit.network.populations} == {"P", "Lpos", "Lneg", "trace"}


def test_training_with_engine_lateral_neurons_equals_the_closed_form():
    """A few HLOP batches with the spiking lateral neurons simulated on the engine at every
    Hebbian step give bit-identical weights to the closed form used for speed."""
    from spikemem.datasets import Dataset
    from spikemem.models import hlop

    rng = np.random.default_rng(5)
    x = rng.normal(size=(96, 12)).astype(np.float32)
    y = rng.integers(0, 3, 96)
    data = Dataset("toy", x, y, x[:20], y[:20])
    tasks = hlop.permuted_tasks(data, 2, seed=1)
    base = hlop.Params(
        sizes=(12, 10, 3),
        timesteps=6,
        batch_size=32,
        epochs=1,
        lr=0.1,
        lateral="spiking",
        spiking_scale=4.0,
        lateral_sizes=((3, 2), (2, 2)),
        hebbian_lr=(0.01, 0.01),
        hebbian_iterations=2,
        seed=3,
    )
    fast = hlop.continual_learning(base, tasks)
    slow = hlop.continual_learning(dataclasses.replace(base, lateral_engine="engine"), tasks)
    for a, b in zip(
        fast.model.weights + [s.old for s in fast.subspaces],
        slow.model.weights + [s.old for s in slow.subspaces],
        strict=True,
    ):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(fast.accuracy, slow.accuracy)
