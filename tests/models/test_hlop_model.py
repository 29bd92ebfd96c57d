"""HLOP model: parameters, the spiking forward pass, credit assignment, the task schedule, metrics."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from spikemem import ir
from spikemem.datasets import Dataset
from spikemem.models import hlop
from spikemem.models.hlop.lateral import HebbianSubspace


def toy_tasks(n_tasks=2, n=16, samples=128, seed=0):
    rng = np.random.default_rng(seed)
    centres = rng.normal(0, 1.5, (3, n))
    y = rng.integers(0, 3, samples)
    x = (centres[y] + rng.normal(0, 0.5, (samples, n))).astype(np.float32)
    data = Dataset("toy", x[:96], y[:96], x[96:], y[96:])
    return hlop.permuted_tasks(data, n_tasks, seed=seed)


def small_params(**changes):
    base = dict(
        sizes=(16, 20, 12, 3),
        timesteps=8,
        batch_size=16,
        epochs=2,
        lr=0.1,
        lateral_sizes=((4, 4, 3), (2, 2, 2)),
        hebbian_lr=(0.01, 0.01, 0.01),
        seed=0,
    )
    base.update(changes)
    return hlop.Params(**base)


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        ({"sizes": (10, 3)}, "sizes"),
        ({"neuron": "izhikevich"}, "neuron"),
        ({"credit": "bp"}, "credit"),
        ({"timesteps": 0}, "timesteps"),
        ({"lr": -1.0}, "lr"),
        ({"hebbian_lr": (0.1,)}, "hebbian_lr"),
        ({"lateral_sizes": ((1, 2),)}, "lateral_sizes"),
        ({"hebbian_momentum": 1.0}, "hebbian_momentum"),
        ({"batch_size": True}, "batch_size"),
    ],
)
def test_invalid_parameters_raise_naming_the_field(changes, match):
    with pytest.raises(ir.IRValidationError, match=match):
        small_params(**changes)


def test_lateral_neurons_must_stay_below_the_input_dimension():
    """Spec §4.2: 10 digit tasks with 20 + 9·6 = 74 lateral neurons on 64 inputs collapse."""
    rows = hlop.lateral_schedule((20, 40, 40), (6, 12, 12), 10)
    with pytest.raises(
        ir.IRValidationError, match="74 lateral neurons on weight matrix 1.*below its input dimension 64"
    ):
        hlop.Params(sizes=(64, 128, 128, 10), lateral_sizes=rows)
    hlop.Params(sizes=(64, 128, 128, 10), lateral_sizes=rows, method="vanilla")  # no lateral neurons: fine
    hlop.Params(sizes=(64, 128, 128, 10), lateral_sizes=hlop.lateral_schedule((16, 32, 32), (4, 8, 8), 10))


def test_paper_schedule_and_defaults():
    p = hlop.Params()
    assert p.sizes == (784, 800, 800, 10) and p.n_tasks == 10 and p.timesteps == 20
    assert p.lateral_sizes[0] == (80, 200, 100) and [r[0] for r in p.lateral_sizes[1:]] == [
        70,
        70,
        50,
        50,
        50,
        30,
        30,
        30,
        10,
    ]
    assert np.sum(p.lateral_sizes, axis=0).tolist() == [470, 590, 490]
    assert p.beta == pytest.approx(np.exp(-0.05)) and p.gain == pytest.approx(1 - np.exp(-0.05))
    w = p.readout_weights()
    assert w.sum() == pytest.approx(1.0) and w[-1] > w[0] and w[-1] / w[-2] == pytest.approx(np.exp(0.05))
    assert (
        hlop.variant(p, "hlop-spiking").lateral == "spiking"
        and hlop.variant(p, "vanilla").method == "vanilla"
    )
    with pytest.raises(ir.IRValidationError):
        hlop.variant(p, "ewc")


@pytest.mark.parametrize("neuron", hlop.NEURONS)
def test_forward_pass_shapes_and_rate_map(neuron):
    """Rates lie in [0, amplitude] and follow the DSR map r ≈ clip(ρ/τ, 0, V_th/Δt)."""
    p = small_params(
        neuron=neuron, timesteps=400, sizes=(16, 300, 3), lateral_sizes=((2, 2),), hebbian_lr=(0.01, 0.01)
    )
    model = hlop.SpikingMLP(p, np.random.default_rng(0))
    x = np.random.default_rng(1).normal(0, 3, (8, 16))
    fwd = model.forward(x, keep_spikes=True)
    assert fwd.logits.shape == (8, 3) and fwd.spikes[0].shape == (400, 8, 300)
    assert set(np.unique(fwd.spikes[0])) <= {0.0, 1.0}
    rate, rho = fwd.inputs[1], fwd.drive[0]
    top = model.amplitude(0)
    assert rate.min() >= 0 and rate.max() <= top + 1e-9
    predicted = np.clip(rho * model.slope(), 0, top)
    if neuron == "if":  # the mean rate of an IF neuron is the clipped input to within 1/T (+ α offset)
        assert np.abs(rate - predicted).max() < 0.02 * top
    else:  # weighted rate, leak: only close in the mean
        assert np.abs(rate - predicted).mean() < 0.1 * top


def test_gradients_point_downhill_for_both_credit_rules():
    for credit in hlop.CREDITS:
        p = small_params(credit=credit, method="vanilla", epochs=30, lateral_sizes=((1, 1, 1),))
        tasks = toy_tasks(1)
        result = hlop.continual_learning(p, tasks)
        assert result.losses[0] < 0.6, credit
        assert result.accuracy[0, 0] > 80.0, credit
        if credit == "fa":
            assert len(result.model.feedback) == 3


def test_task_events_grow_train_evaluate_consolidate():
    p = small_params()
    kinds = [(e.kind, e.task) for e in hlop.task_events(p)]
    assert kinds == [
        ("grow", 0),
        ("train", 0),
        ("train", 0),
        ("evaluate", 0),
        ("consolidate", 0),
        ("grow", 1),
        ("train", 1),
        ("train", 1),
        ("evaluate", 1),
        ("consolidate", 1),
    ]
    assert hlop.task_events(p)[0].sizes == (4, 4, 3)
    assert "grow" not in {e.kind for e in hlop.task_events(dataclasses.replace(p, method="vanilla"))}


def test_metrics_on_a_known_matrix():
    r = np.array([[90.0, np.nan, np.nan], [80.0, 95.0, np.nan], [70.0, 85.0, 99.0]])
    assert hlop.final_accuracy(r) == pytest.approx((70 + 85 + 99) / 3)
    assert hlop.backward_transfer(r) == pytest.approx(((70 - 90) + (85 - 95)) / 2)
    assert hlop.backward_transfer(r[:1, :1]) == 0.0


def test_hlop_run_projects_and_freezes_and_lateral_neurons_never_affect_inference():
    tasks = toy_tasks(2)
    events = []
    result = hlop.continual_learning(small_params(), tasks, on_event=events.append)
    assert tuple(events) == hlop.task_events(small_params())
    assert [s.n_old for s in result.subspaces] == [6, 6, 5] and all(
        s.new.shape[0] == 0 for s in result.subspaces
    )
    assert np.isnan(result.accuracy[0, 1]) and np.isnan(result.accuracy).sum() == 1
    x, _ = next(tasks[0].test_batches())
    before = result.model.predict(x)
    for sub in result.subspaces:  # scrambling the lateral neurons changes nothing at inference
        sub.old[:] = np.random.default_rng(0).normal(size=sub.old.shape)
    np.testing.assert_array_equal(result.model.predict(x), before)
    text = result.summary("hlop")
    assert "ACC" in text and "BWT" in text


def test_projected_updates_leave_old_inputs_alone():
    """With H_old spanning the old inputs, the projected update ΔW ∝ δ (x − H_oldᵀ H_old x)ᵀ
    does not change W's response to inputs inside span(H_old)."""
    rng = np.random.default_rng(2)
    basis = HebbianSubspace(16, lr=0.0)
    basis.old = np.linalg.qr(rng.normal(size=(16, 4)))[0].T  # orthonormal rows
    old_x = rng.normal(size=(10, 4)) @ basis.old
    new_x = rng.normal(size=(32, 16))
    delta = rng.normal(size=(32, 3))
    grad = delta.T @ basis.residual_old(new_x)
    assert np.abs(old_x @ grad.T).max() < 1e-10


def test_wrong_task_input_size_is_refused():
    with pytest.raises(ir.IRValidationError, match="features"):
        hlop.continual_learning(
            small_params(sizes=(20, 8, 3), lateral_sizes=((2, 2), (1, 1)), hebbian_lr=(0.01, 0.01)),
            toy_tasks(2),
        )
    with pytest.raises(ir.IRValidationError, match="at least 2 tasks"):
        hlop.continual_learning(small_params(), toy_tasks(1))
