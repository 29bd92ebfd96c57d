"""HLOP: continual learning of spiking networks with Hebbian lateral orthogonal projection.

Xiao et al., ICLR 2024 (arXiv 2402.11984); written from the paper and the authors' public code
(``pkuxmq/HLOP-SNN``). A fully connected spiking network (``sizes = (n_in, h_1, …, h_L,
n_out)``, bias-free, one classifier shared by all tasks) learns a sequence of tasks:

- **neurons**: ``DiscreteLIF`` — ``u ← β u + (1 − β) I``, spike when
  ``u >= α·V_th``, ``u ← u − V_th``, output ``V_th/Δt`` per spike (``neuron="lif"``, ``β =
  exp(−Δt/τ)``); or the integrate-and-fire form ``u ← u + I`` with output ``V_th``
  (``neuron="if"``). ``V_th`` is one trainable scalar per layer, trained on task 0 only. The
  image enters every step as a constant current (direct coding); the output is the
  exponentially weighted rate of the last linear layer (LIF: a leaky trace read-out) or its
  plain mean rate (IF).
- **credit assignment**: ``credit="dsr"`` — differentiation on the spike
  representation: the rate map ``r = clip(ρ/τ, 0, V_th/Δt)`` of the weighted input rate ``ρ``
  is differentiated, errors go back through ``Wᵀ``; ``credit="fa"`` — feedback alignment:
  they go back through fixed random matrices instead, so every update is local (presynaptic
  rate × postsynaptic error), as on hardware with local rules.
- **HLOP** (:mod:`spikemem.models.hlop.lateral`): each weight matrix has lateral
  neurons ``H`` on its presynaptic input, learning by Oja's subspace rule during every batch;
  ``k_t`` new lateral neurons per layer at the start of task ``t``, all frozen at its end; from
  task 1 on the presynaptic factor of every update is ``x − H_oldᵀ y_old``. Lateral neurons never
  take part in inference. ``lateral="spiking"`` quantises them as integrate-and-fire units.

Where things run: training is vectorised numpy (BLAS matrix products over a mini-batch) with a
small Numba kernel for the neurons' time loop — the same arithmetic as the reference engine.
The engine itself runs the trained network (:mod:`spikemem.models.hlop.network`) and the
spiking lateral circuit (:func:`spikemem.models.hlop.lateral.simulate_lateral`); tests check
both against the training code.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from numba import njit

from ... import ir
from ...datasets import Dataset
from .lateral import HebbianSubspace, simulate_lateral

__all__ = [
    "CREDITS",
    "METHODS",
    "NEURONS",
    "ContinualResult",
    "Forward",
    "Params",
    "SpikingMLP",
    "Task",
    "TaskEvent",
    "backward_transfer",
    "continual_learning",
    "final_accuracy",
    "lateral_schedule",
    "paper_pmnist_lateral",
    "permuted_tasks",
    "task_events",
    "variant",
]

NEURONS = ("lif", "if")
CREDITS = ("dsr", "fa")
METHODS = ("vanilla", "hlop")
LATERALS = ("analog", "spiking")
LATERAL_ENGINES = ("closed-form", "engine")
EXPORT_DT_MS = 1.0
"""Time step (ms) of the exported networks: one training step ``Δt`` per engine step, with
``tau_m = τ/Δt`` steps so that ``β = exp(−1/tau_m)`` is the training's ``exp(−Δt/τ)``."""


def lateral_schedule(
    first: Sequence[int], increments: Sequence[Sequence[int]] | Sequence[int], n_tasks: int
) -> tuple:
    """Lateral neurons added per task and layer: ``first`` on task 0, then ``increments``.

    ``increments`` is one row per later task (or a single row reused for all of them).
    Returns a tuple of ``n_tasks`` tuples.
    """
    first = tuple(int(k) for k in first)
    rows = [first]
    increments = list(increments)
    single = bool(increments) and not isinstance(increments[0], (tuple, list))
    for t in range(1, n_tasks):
        row = increments if single else increments[min(t - 1, len(increments) - 1)]
        rows.append(tuple(int(k) for k in row))
    return tuple(rows)


def paper_pmnist_lateral(n_tasks: int = 10) -> tuple:
    """The paper's PMNIST lateral sizes (784-800-800-10): 80/200/100, then 70, 70, 50, 50, 50,
    30, 30, 30, 10 for every layer (``spiking_train_pmnist.py``)."""
    per_task = [70, 70, 50, 50, 50, 30, 30, 30, 10]
    return lateral_schedule((80, 200, 100), [(k, k, k) for k in per_task], n_tasks)


def _choice(name: str, value: Any, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise ir.IRValidationError(
            "hlop.Params", name, value, "one of " + ", ".join(repr(c) for c in choices)
        )


def _number(name: str, value: Any, low: float, high: float, *, low_open: bool = True) -> float:
    ok = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)
    if (
        not ok
        or not math.isfinite(float(value))
        or not (low < value if low_open else low <= value)
        or value > high
    ):
        interval = f"{'(' if low_open else '['}{low}, {high}]"
        raise ir.IRValidationError("hlop.Params", name, value, f"a number in {interval}")
    return float(value)


def _integer(name: str, value: Any, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not low <= value <= high:
        raise ir.IRValidationError("hlop.Params", name, value, f"an integer in [{low}, {high}]")
    return int(value)


@dataclass(frozen=True, kw_only=True)
class Params:
    """Network, training and HLOP settings; defaults are the paper's PMNIST set-up.

    Parameters
    ----------
    sizes : tuple of int
        Layer sizes ``(n_in, h_1, …, h_L, n_out)``, at least one hidden layer.
    neuron : {"lif", "if"}
        Hidden neuron model (see the module docstring).
    timesteps : int
        ``T``, simulation steps per sample.
    delta_t : float
        ``Δt`` (ms), the step of the DSR neuron (0.05).
    tau : float
        ``τ`` (ms), membrane time constant of the LIF neuron (1.0).
    alpha : float
        Threshold factor: a spike when ``u >= alpha·V_th`` (0.3).
    vth : float
        Initial ``V_th`` (mV-like units of ``u``; 0.3).
    vth_bound : float
        Lower bound of ``V_th`` (5e-4).
    train_vth : bool
        Train ``V_th`` on task 0 (frozen afterwards, as in the code).
    lr : float
        SGD learning rate of the feed-forward weights (0.1, no momentum).
    batch_size : int
        Mini-batch size (64).
    epochs : int
        Epochs per task (1).
    credit : {"dsr", "fa"}
        Credit assignment: DSR rate gradient or feedback alignment.
    method : {"vanilla", "hlop"}
        ``"vanilla"``: plain sequential training (the baseline); ``"hlop"``: with lateral neurons.
    lateral : {"analog", "spiking"}
        Lateral neurons as analog units or as integrate-and-fire units (``s``, ``T_h``).
    lateral_engine : {"closed-form", "engine"}
        How spiking lateral neurons are computed in training: the exact closed form
        (:func:`~spikemem.models.hlop.lateral.quantise`), or the IF circuit simulated on the
        Numba engine at every Hebbian step (slow; for checking only).
    spiking_scale : float
        ``s``, the saturation of spiking lateral neurons (20).
    spiking_timesteps : int
        ``T_h``, ticks of the lateral phase (40).
    lateral_sizes : tuple of tuple of int
        ``k_t`` per task (rows) and plastic layer (columns: one per weight matrix). The number
        of rows is the number of tasks. For every layer the total ``Σ_t k_t`` must stay below the
        layer's input dimension (checked here, for ``method="hlop"``).
    hebbian_lr : tuple of float
        ``η_H`` per weight matrix (0.001 for the input layer, 0.01 above).
    hebbian_iterations : int
        Hebbian steps per batch (5).
    hebbian_momentum : float
        Momentum of the Hebbian update (0.9), in [0, 1).
    hebbian_clamp : float
        Clamp of the batch Hebbian update (10).
    seed : int
        Seed of the weights, lateral initialisations and batch order.
    dtype : {"float64", "float32"}
        Floating type of training (float32 is about twice as fast).

    Raises
    ------
    IRValidationError
        For any value out of range, naming it; in particular when the lateral neurons of a
        layer would not stay below its input dimension.
    """

    sizes: tuple = (784, 800, 800, 10)
    neuron: str = "lif"
    timesteps: int = 20
    delta_t: float = 0.05
    tau: float = 1.0
    alpha: float = 0.3
    vth: float = 0.3
    vth_bound: float = 5e-4
    train_vth: bool = True
    lr: float = 0.1
    batch_size: int = 64
    epochs: int = 1
    credit: str = "dsr"
    method: str = "hlop"
    lateral: str = "analog"
    lateral_engine: str = "closed-form"
    spiking_scale: float = 20.0
    spiking_timesteps: int = 40
    lateral_sizes: tuple = field(default_factory=paper_pmnist_lateral)
    hebbian_lr: tuple = (0.001, 0.01, 0.01)
    hebbian_iterations: int = 5
    hebbian_momentum: float = 0.9
    hebbian_clamp: float = 10.0
    seed: int = 2022
    dtype: str = "float64"

    def __post_init__(self) -> None:
        sizes = self.sizes
        if (
            not isinstance(sizes, (tuple, list))
            or len(sizes) < 3
            or any(isinstance(s, bool) or not isinstance(s, (int, np.integer)) or s < 1 for s in sizes)
        ):
            raise ir.IRValidationError(
                "hlop.Params", "sizes", sizes, "(n_in, hidden..., n_out): >= 3 integers >= 1"
            )
        object.__setattr__(self, "sizes", tuple(int(s) for s in sizes))
        _choice("neuron", self.neuron, NEURONS)
        _choice("credit", self.credit, CREDITS)
        _choice("method", self.method, METHODS)
        _choice("lateral", self.lateral, LATERALS)
        _choice("lateral_engine", self.lateral_engine, LATERAL_ENGINES)
        _choice("dtype", self.dtype, ("float64", "float32"))
        _integer("timesteps", self.timesteps, 1, 100_000)
        _integer("batch_size", self.batch_size, 1, 1_000_000)
        _integer("epochs", self.epochs, 1, 100_000)
        _integer("spiking_timesteps", self.spiking_timesteps, 1, 100_000)
        _integer("hebbian_iterations", self.hebbian_iterations, 0, 1000)
        _integer("seed", self.seed, 0, 2**63 - 1)
        for name in ("delta_t", "tau", "vth", "vth_bound", "lr", "spiking_scale", "hebbian_clamp"):
            object.__setattr__(self, name, _number(name, getattr(self, name), 0.0, 1e6))
        object.__setattr__(self, "alpha", _number("alpha", self.alpha, 0.0, 1e3))
        object.__setattr__(
            self,
            "hebbian_momentum",
            _number("hebbian_momentum", self.hebbian_momentum, 0.0, 0.999, low_open=False),
        )
        if not isinstance(self.train_vth, (bool, np.bool_)):
            raise ir.IRValidationError("hlop.Params", "train_vth", self.train_vth, "True or False")
        n_weights = len(self.sizes) - 1
        lrs = self.hebbian_lr
        if not isinstance(lrs, (tuple, list)) or len(lrs) != n_weights:
            raise ir.IRValidationError(
                "hlop.Params", "hebbian_lr", lrs, f"{n_weights} numbers (one per weight matrix)"
            )
        object.__setattr__(
            self, "hebbian_lr", tuple(_number("hebbian_lr", v, 0.0, 1e3, low_open=False) for v in lrs)
        )
        self._check_lateral_sizes(n_weights)

    def _check_lateral_sizes(self, n_weights: int) -> None:
        rows = self.lateral_sizes
        allowed = f"one row of {n_weights} integers >= 0 per task"
        if not isinstance(rows, (tuple, list)) or not rows:
            raise ir.IRValidationError("hlop.Params", "lateral_sizes", rows, allowed)
        clean = []
        for row in rows:
            if (
                not isinstance(row, (tuple, list))
                or len(row) != n_weights
                or any(isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 0 for k in row)
            ):
                raise ir.IRValidationError("hlop.Params", "lateral_sizes", row, allowed)
            clean.append(tuple(int(k) for k in row))
        object.__setattr__(self, "lateral_sizes", tuple(clean))
        if self.method != "hlop":
            return
        totals = np.sum(clean, axis=0)
        for layer, (total, n_in) in enumerate(zip(totals, self.sizes[:-1], strict=True)):
            if total >= n_in:
                raise ir.IRValidationError(
                    "hlop.Params",
                    "lateral_sizes",
                    f"{int(total)} lateral neurons on weight matrix {layer + 1}",
                    f"a total below its input dimension {n_in}: with as many lateral neurons as "
                    "inputs H cannot have orthonormal rows, I - HᵀH is no projection and training "
                    "collapses; use fewer or decreasing k_t",
                )

    # -- derived quantities -----------------------------------------------------------------
    @property
    def n_tasks(self) -> int:
        """Number of tasks (rows of :attr:`lateral_sizes`)."""
        return len(self.lateral_sizes)

    @property
    def tau_m_steps(self) -> float:
        """``τ/Δt``: the membrane time constant in steps (the exported cells' ``tau_m`` in ms at
        ``dt = 1 ms``)."""
        return self.tau / self.delta_t

    @property
    def beta(self) -> float:
        """Leak per step, ``exp(−Δt/τ)`` (1 for IF), computed as the engine computes it."""
        return 1.0 if self.neuron == "if" else float(np.exp(-EXPORT_DT_MS / self.tau_m_steps))

    @property
    def gain(self) -> float:
        """Input gain per step, ``1 − β`` (1 for IF), computed as the engine computes it."""
        return 1.0 if self.neuron == "if" else float(-np.expm1(-EXPORT_DT_MS / self.tau_m_steps))

    def readout_weights(self) -> np.ndarray:
        """Weights ``w_t / Σw`` of the rate read-out over ``t = 1..T``: ``exp(−(T−t)Δt/τ)``
        (LIF, weighted firing rate) or uniform (IF, mean rate)."""
        steps = np.arange(1, self.timesteps + 1)
        if self.neuron == "if":
            w = np.ones(self.timesteps)
        else:
            w = np.exp(-(self.timesteps - steps) * self.delta_t / self.tau)
        return w / w.sum()


def variant(params: Params, name: str) -> Params:
    """``params`` for one of the compared variants: ``"vanilla"``, ``"hlop"``, ``"hlop-spiking"``."""
    table = {
        "vanilla": {"method": "vanilla"},
        "hlop": {"method": "hlop", "lateral": "analog"},
        "hlop-spiking": {"method": "hlop", "lateral": "spiking"},
    }
    if name not in table:
        raise ir.IRValidationError("hlop.variant", "name", name, ", ".join(table))
    return replace(params, **table[name])


# ---------------------------------------------------------------------------------------------
# The spiking network


@njit(cache=True)
def _lif_layer(current, beta, gain, theta, vth, spikes):  # pragma: no cover - compiled
    """Neurons over ``T`` steps: ``u ← u·β + gain·I[t]``; ``u >= theta`` → spike, ``u ← u − vth``.

    ``current`` is ``(1, B, N)`` (constant input) or ``(T, B, N)``; ``spikes`` (``(T, B, N)``)
    receives 1.0 / 0.0. The arithmetic is the reference engine's for ``DiscreteLIF``.
    """
    steps, batch, n = spikes.shape
    constant = current.shape[0] == 1
    u = np.zeros((batch, n))
    for t in range(steps):
        ti = 0 if constant else t
        for b in range(batch):
            for j in range(n):
                v = u[b, j] * beta + gain * current[ti, b, j]
                if v >= theta:
                    spikes[t, b, j] = 1.0
                    v = v - vth
                else:
                    spikes[t, b, j] = 0.0
                u[b, j] = v


@njit(cache=True)
def _spike_current(spikes, weight_t, out):  # pragma: no cover - compiled
    """Event-driven ``out[t, b] = Σ_{i: spikes[t, b, i] = 1} weight_t[i]`` (the synaptic input of
    a layer from binary spikes; ``weight_t`` is ``Wᵀ``, shape ``(n_in, n_out)``)."""
    steps, batch, n_in = spikes.shape
    n_out = weight_t.shape[1]
    for t in range(steps):
        for b in range(batch):
            acc = out[t, b]
            acc[:] = 0.0
            for i in range(n_in):
                if spikes[t, b, i] != 0.0:
                    row = weight_t[i]
                    for j in range(n_out):
                        acc[j] += row[j]


EVENT_DRIVEN_DENSITY = 0.15
"""Below this fraction of (step, neuron) pairs with a spike, a layer's input is summed event by
event (:func:`_spike_current`); above it one dense matrix product is faster."""


def synaptic_current(spikes: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """``spikes @ weightᵀ`` for binary ``spikes`` (``(T, B, n_in)``) → ``(T, B, n_out)``."""
    if np.count_nonzero(spikes) <= EVENT_DRIVEN_DENSITY * spikes.size:
        out = np.empty(spikes.shape[:2] + (weight.shape[0],), dtype=weight.dtype)
        _spike_current(spikes, np.ascontiguousarray(weight.T), out)
        return out
    flat = spikes.reshape(-1, spikes.shape[-1]) @ weight.T
    return flat.reshape(spikes.shape[:2] + (weight.shape[0],))


@dataclass
class Forward:
    """One forward pass of a batch.

    Attributes
    ----------
    logits : ndarray, shape (B, n_out)
        Network output: the read-out rate of the last linear layer.
    inputs : list of ndarray
        Presynaptic activity of each weight matrix: the image, then the read-out rate
        ``r_l = Σ_t w_t·A_l·s_l[t]`` of each hidden layer (``A_l`` the spike amplitude).
    drive : list of ndarray
        Weighted input rate ``ρ_l = W_l r_{l−1}`` of each hidden layer (the DSR operating point).
    spikes : list of ndarray
        Spikes (0/1) of each hidden layer, shape ``(T, B, h_l)``.
    """

    logits: np.ndarray
    inputs: list
    drive: list
    spikes: list


class SpikingMLP:
    """The spiking network's trainable state: weights, ``V_th`` and (FA) feedback matrices.

    Parameters
    ----------
    params : Params
        Settings.
    rng : numpy Generator
        Source of the initial weights: ``U(±1/√fan_in)`` (PyTorch's ``nn.Linear``), the FA
        feedback matrices likewise (Kaiming-uniform, ``a = √5``).
    """

    def __init__(self, params: Params, rng: np.random.Generator) -> None:
        self.params = params
        dtype = np.dtype(params.dtype)
        self.weights: list[np.ndarray] = []
        self.feedback: list[np.ndarray] = []
        for n_in, n_out in zip(params.sizes[:-1], params.sizes[1:], strict=True):
            bound = 1.0 / math.sqrt(n_in)
            self.weights.append(rng.uniform(-bound, bound, (n_out, n_in)).astype(dtype))
        if params.credit == "fa":
            for n_in, n_out in zip(params.sizes[:-1], params.sizes[1:], strict=True):
                bound = 1.0 / math.sqrt(n_in)
                self.feedback.append(rng.uniform(-bound, bound, (n_out, n_in)).astype(dtype))
        self.vth = np.full(len(params.sizes) - 2, params.vth)

    @property
    def n_hidden_layers(self) -> int:
        """Number of spiking layers."""
        return len(self.weights) - 1

    def amplitude(self, layer: int) -> float:
        """Value of one spike of hidden layer ``layer``: ``V_th/Δt`` (LIF) or ``V_th`` (IF)."""
        vth = float(self.vth[layer])
        return vth if self.params.neuron == "if" else vth / self.params.delta_t

    def saturation(self, layer: int) -> float:
        """Input rate at which the layer fires every step: ``V_th·τ/Δt`` (LIF) or ``V_th`` (IF)."""
        vth = float(self.vth[layer])
        return vth if self.params.neuron == "if" else vth * self.params.tau / self.params.delta_t

    def slope(self) -> float:
        """DSR derivative of the output rate by the input rate below saturation: ``1/τ`` or 1."""
        return 1.0 if self.params.neuron == "if" else 1.0 / self.params.tau

    def forward(self, x: np.ndarray, *, keep_spikes: bool = False) -> Forward:
        """Simulate the network on the batch ``x`` (``(B, n_in)``) for ``T`` steps."""
        p = self.params
        dtype = self.weights[0].dtype
        readout = p.readout_weights().astype(dtype)
        activity = np.ascontiguousarray(x, dtype=dtype)
        inputs, drive, spikes_kept = [activity], [], []
        current = (activity @ self.weights[0].T)[None]  # constant input (direct coding)
        rate_in = current[0]
        for layer in range(self.n_hidden_layers):
            vth = float(self.vth[layer])
            spikes = np.empty((p.timesteps,) + current.shape[1:], dtype=dtype)
            _lif_layer(current, p.beta, p.gain, p.alpha * vth, vth, spikes)
            amplitude = dtype.type(self.amplitude(layer))
            rate = np.tensordot(readout, spikes, axes=(0, 0)) * amplitude
            drive.append(rate_in)
            inputs.append(rate)
            if keep_spikes:
                spikes_kept.append(spikes)
            weight = self.weights[layer + 1]
            if layer + 1 < self.n_hidden_layers:
                current = synaptic_current(spikes, weight)
                current *= amplitude
                rate_in = rate @ weight.T
        logits = inputs[-1] @ self.weights[-1].T
        return Forward(logits=logits, inputs=inputs, drive=drive, spikes=spikes_kept)

    def predict(self, x: np.ndarray, batch: int = 1000) -> np.ndarray:
        """Class predictions (argmax of the logits), in batches."""
        out = [np.argmax(self.forward(x[i : i + batch]).logits, axis=1) for i in range(0, x.shape[0], batch)]
        return np.concatenate(out) if out else np.zeros(0, np.int64)

    def gradients(
        self, fwd: Forward, labels: np.ndarray, presynaptic: list[np.ndarray]
    ) -> tuple[list[np.ndarray], np.ndarray, float]:
        """Cross-entropy gradients of the weights, with ``presynaptic[l]`` as the presynaptic
        factor of weight matrix ``l`` (HLOP passes the projected activity here).

        Returns ``(weight gradients, V_th gradients, mean loss)``. The ``V_th`` gradient follows
        the authors' code: the output error summed over saturated neurons, times ``Δt`` (LIF).
        """
        p = self.params
        batch = labels.size
        logits = fwd.logits - fwd.logits.max(axis=1, keepdims=True)
        prob = np.exp(logits)
        prob /= prob.sum(axis=1, keepdims=True)
        loss = float(-np.mean(np.log(np.maximum(prob[np.arange(batch), labels], 1e-300))))
        delta = prob
        delta[np.arange(batch), labels] -= 1.0
        delta /= batch
        back = self.feedback if p.credit == "fa" else self.weights
        grads: list[np.ndarray] = [np.empty(0)] * len(self.weights)
        vth_grad = np.zeros_like(self.vth)
        grads[-1] = delta.T @ presynaptic[-1]
        error = delta @ back[-1]
        slope = self.slope()
        for layer in range(self.n_hidden_layers - 1, -1, -1):
            rho = fwd.drive[layer]
            upper = self.saturation(layer)
            mask = (rho > 0) & (rho < upper)
            vth_grad[layer] = float(error[rho >= upper].sum()) * (1.0 if p.neuron == "if" else p.delta_t)
            delta = error * mask * error.dtype.type(slope)
            grads[layer] = delta.T @ presynaptic[layer]
            if layer:
                error = delta @ back[layer]
        return grads, vth_grad, loss


# ---------------------------------------------------------------------------------------------
# Tasks, the schedule of events, and the continual-learning loop


@dataclass(frozen=True, eq=False)
class Task:
    """One task: a data set seen through a fixed input permutation (``None``: unpermuted)."""

    name: str
    data: Dataset
    permutation: np.ndarray | None = None

    def _view(self, x: np.ndarray) -> np.ndarray:
        return x if self.permutation is None else x[:, self.permutation]

    def train_batch(self, index: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Training inputs and labels of the samples ``index``."""
        return self._view(self.data.x_train[index]), self.data.y_train[index]

    @property
    def n_train(self) -> int:
        """Number of training samples."""
        return int(self.data.x_train.shape[0])

    def test_batches(self, size: int = 1000):
        """``(x, y)`` test batches."""
        for i in range(0, self.data.x_test.shape[0], size):
            yield self._view(self.data.x_test[i : i + size]), self.data.y_test[i : i + size]


def permuted_tasks(data: Dataset, n_tasks: int, seed: int = 0, *, permute_first: bool = True) -> list[Task]:
    """Permuted-input tasks (PMNIST style) over one data set."""
    from ...datasets import permutations

    perms = permutations(data.n_features, n_tasks, seed, permute_first=permute_first)
    return [Task(name=f"{data.name}-p{t}", data=data, permutation=perms[t]) for t in range(n_tasks)]


@dataclass(frozen=True)
class TaskEvent:
    """One event of the continual-learning schedule.

    ``kind``: ``"grow"`` (``sizes`` new lateral neurons per layer), ``"train"`` (one epoch),
    ``"evaluate"`` (test on every task seen so far), ``"consolidate"`` (freeze the plastic
    lateral neurons, freeze ``V_th`` after task 0).
    """

    kind: str
    task: int
    sizes: tuple = ()


def task_events(params: Params) -> tuple[TaskEvent, ...]:
    """The schedule: per task, grow → train × epochs → evaluate → consolidate at the boundary."""
    events: list[TaskEvent] = []
    for t, sizes in enumerate(params.lateral_sizes):
        if params.method == "hlop":
            events.append(TaskEvent("grow", t, sizes))
        events.extend(TaskEvent("train", t) for _ in range(params.epochs))
        events.append(TaskEvent("evaluate", t))
        events.append(TaskEvent("consolidate", t))
    return tuple(events)


def final_accuracy(r: np.ndarray) -> float:
    """ACC: mean accuracy over all tasks after the last one, ``mean_j R[N−1, j]`` (%)."""
    return float(np.mean(r[-1]))


def backward_transfer(r: np.ndarray) -> float:
    """BWT: ``mean_{j<N−1} (R[N−1, j] − R[j, j])`` (%; negative = forgetting)."""
    n = r.shape[0]
    if n < 2:
        return 0.0
    return float(np.mean(r[-1, :-1] - np.diag(r)[:-1]))


@dataclass
class ContinualResult:
    """Outcome of :func:`continual_learning`.

    Attributes
    ----------
    params : Params
    accuracy : ndarray, shape (N, N)
        ``R[i, j]``: test accuracy (%) on task ``j`` after training task ``i`` (NaN for ``j > i``).
    acc, bwt : float
        :func:`final_accuracy` and :func:`backward_transfer` (%).
    wall_s : float
        Wall time of the whole run (s), evaluation included.
    task_wall_s : list of float
        Training time per task (s).
    model : SpikingMLP
        The trained network.
    subspaces : list of HebbianSubspace
        The lateral neurons per weight matrix (empty for vanilla).
    losses : list of float
        Mean training loss per task.
    """

    params: Params
    accuracy: np.ndarray
    acc: float
    bwt: float
    wall_s: float
    task_wall_s: list
    model: SpikingMLP
    subspaces: list
    losses: list

    def summary(self, name: str = "") -> str:
        """R as a table, then ACC and BWT."""
        n = self.accuracy.shape[0]
        lines = [
            f"{name or self.params.method}: ACC {self.acc:.2f} %, BWT {self.bwt:+.2f} % ({self.wall_s:.1f} s)"
        ]
        lines.append("R[i, j] (%), row i = after task i:")
        for i in range(n):
            lines.append(
                "  " + " ".join(f"{self.accuracy[i, j]:5.1f}" if j <= i else "    ." for j in range(n))
            )
        return "\n".join(lines)


def evaluate(model: SpikingMLP, task: Task) -> float:
    """Test accuracy (%) of ``model`` on ``task`` (no projection, no plasticity)."""
    correct = total = 0
    for x, y in task.test_batches():
        correct += int(np.sum(model.predict(x) == y))
        total += y.size
    return 100.0 * correct / max(total, 1)


def _subspaces(params: Params) -> list[HebbianSubspace]:
    if params.method != "hlop":
        return []
    spiking = (params.spiking_scale, params.spiking_timesteps) if params.lateral == "spiking" else None
    subspaces = [
        HebbianSubspace(
            n,
            lr=lr,
            iterations=params.hebbian_iterations,
            momentum=params.hebbian_momentum,
            clamp=params.hebbian_clamp,
            spiking=spiking,
            dtype=params.dtype,
        )
        for n, lr in zip(params.sizes[:-1], params.hebbian_lr, strict=True)
    ]
    if spiking is not None and params.lateral_engine == "engine":
        for sub in subspaces:
            sub.lateral = _engine_lateral(sub, spiking)  # type: ignore[method-assign]
    return subspaces


def _engine_lateral(sub: HebbianSubspace, spiking: tuple[float, int]) -> Callable:
    def lateral(x: np.ndarray, rows: np.ndarray) -> np.ndarray:
        if rows.shape[0] == 0:
            return np.zeros((x.shape[0], 0), dtype=x.dtype)
        return simulate_lateral(rows, x, *spiking)[1].astype(x.dtype)

    return lateral


def train_epoch(
    model: SpikingMLP,
    subspaces: list[HebbianSubspace],
    task: Task,
    rng: np.random.Generator,
    *,
    first_task: bool,
    progress: Any = None,
) -> float:
    """One epoch of task ``task``; returns the mean loss.

    Per batch: forward; for each weight matrix the presynaptic factor ``x − H_oldᵀ y_old``
    (HLOP, from task 1 on; the raw ``x`` otherwise); SGD step of the weights (and of ``V_th`` on
    task 0); then :meth:`~HebbianSubspace.hebbian_update` of the lateral neurons.
    """
    p = model.params
    order = rng.permutation(task.n_train)
    losses = []
    for start in range(0, order.size, p.batch_size):
        x, y = task.train_batch(order[start : start + p.batch_size])
        fwd = model.forward(x)
        if subspaces:
            residuals = [sub.residual_old(a) for sub, a in zip(subspaces, fwd.inputs, strict=True)]
            presynaptic = fwd.inputs if first_task else residuals
        else:
            residuals, presynaptic = [], fwd.inputs
        grads, vth_grad, loss = model.gradients(fwd, y, presynaptic)
        for weight, grad in zip(model.weights, grads, strict=True):
            weight -= weight.dtype.type(p.lr) * grad
        if first_task and p.train_vth:
            model.vth = np.maximum(model.vth - p.lr * vth_grad, p.vth_bound)
        for sub, a, res in zip(subspaces, fwd.inputs, residuals, strict=False):  # none for vanilla
            sub.hebbian_update(a, res)
        losses.append(loss)
        if progress is not None:
            progress.update(y.size)
    return float(np.mean(losses)) if losses else float("nan")


def continual_learning(
    params: Params,
    tasks: Sequence[Task],
    *,
    progress: bool | None = False,
    on_event: Callable[[TaskEvent], None] | None = None,
) -> ContinualResult:
    """Train ``params.n_tasks`` tasks in sequence following :func:`task_events`.

    Parameters
    ----------
    params : Params
    tasks : sequence of Task
        At least ``params.n_tasks`` tasks; the first ``n_tasks`` are used.
    progress : bool or None
        Show a progress bar (tqdm); ``None``: only on a terminal.
    on_event : callable or None
        Called with each :class:`TaskEvent` after it is carried out (e.g. to log progress).

    Raises
    ------
    IRValidationError
        When there are fewer tasks than rows of ``params.lateral_sizes``, or a task's input
        size does not match ``params.sizes[0]``.
    """
    from tqdm import tqdm  # not tqdm.auto: no widget warning in notebooks

    n = params.n_tasks
    if len(tasks) < n:
        raise ir.IRValidationError(
            "continual_learning", "tasks", len(tasks), f"at least {n} tasks (rows of lateral_sizes)"
        )
    for task in tasks[:n]:
        if task.data.n_features != params.sizes[0]:
            raise ir.IRValidationError(
                "continual_learning",
                "tasks",
                f"{task.name}: {task.data.n_features} features",
                f"{params.sizes[0]} (sizes[0])",
            )
    started = time.perf_counter()
    seeds = np.random.SeedSequence(params.seed).spawn(3)
    model = SpikingMLP(params, np.random.default_rng(seeds[0]))
    lateral_rng, order_rng = np.random.default_rng(seeds[1]), np.random.default_rng(seeds[2])
    subspaces = _subspaces(params)
    accuracy = np.full((n, n), np.nan)
    task_wall = [0.0] * n
    losses = [float("nan")] * n
    total = sum(t.n_train for t in tasks[:n]) * params.epochs
    disable = None if progress is None else not progress  # None: a bar on a terminal only
    bar = tqdm(total=total, unit="sample", disable=disable, desc=f"hlop {params.method}", leave=False)
    try:
        for event in task_events(params):
            t = event.task
            if event.kind == "grow":
                for sub, k in zip(subspaces, event.sizes, strict=True):
                    sub.grow(k, lateral_rng)
            elif event.kind == "train":
                tick = time.perf_counter()
                losses[t] = train_epoch(
                    model, subspaces, tasks[t], order_rng, first_task=t == 0, progress=bar
                )
                task_wall[t] += time.perf_counter() - tick
            elif event.kind == "evaluate":
                for j in range(t + 1):
                    accuracy[t, j] = evaluate(model, tasks[j])
            elif event.kind == "consolidate":
                for sub in subspaces:
                    sub.consolidate()
            if on_event is not None:
                on_event(event)
    finally:
        bar.close()
    return ContinualResult(
        params=params,
        accuracy=accuracy,
        acc=final_accuracy(accuracy),
        bwt=backward_transfer(accuracy),
        wall_s=time.perf_counter() - started,
        task_wall_s=task_wall,
        model=model,
        subspaces=subspaces,
        losses=losses,
    )
