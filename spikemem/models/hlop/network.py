"""A trained HLOP network as an IR network, run for inference on any backend.

Only the feed-forward populations are exported: lateral neurons never take part in inference.
``B`` test samples run side by side as ``B`` copies of the network (block-diagonal synapses),
so one compile and one run of ``L + T`` steps classify a whole chunk:

- hidden layer ``l`` is a population ``h{l}`` of ``B·h_l`` neurons; layer 1 receives the image
  as the constant input ``i_offset = W_1 x`` (direct coding);
- the signed weights ``W_l`` become an excitatory and an inhibitory projection (``FromList``,
  delay one step): so layer ``l`` runs one step after layer ``l − 1``, and its ``T``-step window
  starts at step ``l − 1``;
- ``out`` (``B·n_out`` neurons that never spike) integrates the last layer's spikes: its
  membrane at the last step is proportional to the logits (trace read-out). The rate read-out
  instead applies ``W_out`` on the host to the last layer's weighted spike rate, exactly as the
  training code does.

Two cell choices:

- ``cell="discrete"``: :class:`~spikemem.ir.cells.DiscreteLIF`, the training neuron itself; on
  the Numba engine the spikes equal those of the training forward pass (a test checks it);
  backends need :attr:`~spikemem.backends.base.Capability.DISCRETE_LIF`.
- ``cell="portable"``: PyNN's ``IF_curr_delta`` with the same leak, gain and threshold but a
  reset to ``v_reset = (alpha − 1)·V_th`` instead of the subtractive reset (PyNN has none):
  an approximation every PyNN-style backend runs; its accuracy is reported next to the exact
  one.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from ... import ir
from ...ir.cells import DiscreteLIF
from .lateral import signed_projections
from .training import EXPORT_DT_MS, SpikingMLP

__all__ = ["CELLS", "READOUTS", "InferenceNetwork", "InferenceRun", "inference_network", "run_inference"]

CELLS = ("discrete", "portable")
READOUTS = ("rate", "trace")
MAX_SYNAPSES_PER_RUN = 4_000_000
"""Samples per network are chosen so that one run has at most this many synapses."""
SILENT_THRESHOLD_MV = 1e4
"""Threshold scale of the non-spiking output integrators."""
IF_TAU_M_MS = 1e6
"""``tau_m`` (ms) standing in for "no leak" in the portable export of IF neurons."""


@dataclass(frozen=True)
class InferenceNetwork:
    """A chunk of ``batch`` samples as one IR network.

    Attributes
    ----------
    network : spikemem.ir.Network
    batch : int
    windows : tuple of int
        First step of each hidden layer's ``T``-step window.
    n_steps : int
        Steps to run (``L + T``).
    cell : str
    """

    network: ir.Network
    batch: int
    windows: tuple
    n_steps: int
    cell: str

    @property
    def duration_ms(self) -> float:
        """Run length (ms)."""
        return self.n_steps * self.network.dt


def _block_lists(matrix: np.ndarray, batch: int) -> tuple[tuple, tuple]:
    """``B`` copies of a (pre × post) weight matrix as block-diagonal (pre, post, |w|) lists,
    split by sign (excitatory, inhibitory); zero weights are dropped."""
    n_pre, n_post = matrix.shape
    i, j = np.nonzero(matrix)
    w = matrix[i, j].astype(np.float64)
    lists = []
    for keep in (w > 0, w < 0):
        pre = (np.arange(batch)[:, None] * n_pre + i[keep]).ravel()
        post = (np.arange(batch)[:, None] * n_post + j[keep]).ravel()
        lists.append((pre, post, np.tile(np.abs(w[keep]), batch)))
    return lists[0], lists[1]


def _cells(model: SpikingMLP, cell: str, layer: int | None, i_offset: Any) -> Any:
    """The cell of hidden layer ``layer`` (``None``: the output integrator)."""
    p = model.params
    tau_m = None if p.neuron == "if" else p.tau_m_steps
    if cell == "discrete":
        if layer is None:
            return DiscreteLIF(tau_m=tau_m, v_thresh=SILENT_THRESHOLD_MV, alpha=1e3)
        return DiscreteLIF(tau_m=tau_m, v_thresh=float(model.vth[layer]), alpha=p.alpha, i_offset=i_offset)
    tau = IF_TAU_M_MS if tau_m is None else tau_m
    cm = tau if tau_m is not None else 1.0
    if layer is None:
        return ir.IF_curr_delta(
            tau_m=tau, cm=cm, v_rest=0.0, v_reset=0.0, v_thresh=SILENT_THRESHOLD_MV, tau_refrac=0.0
        )
    vth = float(model.vth[layer])
    p20 = -(tau / cm) * np.expm1(-EXPORT_DT_MS / tau)
    return ir.IF_curr_delta(
        tau_m=tau,
        cm=cm,
        v_rest=0.0,
        v_reset=(p.alpha - 1.0) * vth,
        v_thresh=p.alpha * vth,
        tau_refrac=0.0,
        i_offset=np.asarray(i_offset) * (model.params.gain / p20) if np.ndim(i_offset) else 0.0,
    )


def inference_network(
    model: SpikingMLP, x: np.ndarray, *, cell: str = "discrete", name: str = "hlop-inference"
) -> InferenceNetwork:
    """The trained ``model`` as an IR network classifying the samples ``x`` (``(B, n_in)``).

    Raises
    ------
    IRValidationError
        For an unknown ``cell`` or inputs of the wrong width.
    """
    if cell not in CELLS:
        raise ir.IRValidationError("inference_network", "cell", cell, "one of " + ", ".join(CELLS))
    p = model.params
    x = np.atleast_2d(np.asarray(x, dtype=np.float64))
    if x.shape[1] != p.sizes[0]:
        raise ir.IRValidationError("inference_network", "x", x.shape, f"shape (B, {p.sizes[0]})")
    batch = x.shape[0]
    weights = [w.astype(np.float64) for w in model.weights]
    current = x @ weights[0].T  # the training's layer-1 input, bit for bit (float64 models)
    pops: list[ir.Population] = []
    for layer, size in enumerate(p.sizes[1:-1]):
        i_offset = current.reshape(-1) if layer == 0 else 0.0
        pops.append(
            ir.Population(name=f"h{layer + 1}", size=batch * size, cell=_cells(model, cell, layer, i_offset))
        )
    pops.append(ir.Population(name="out", size=batch * p.sizes[-1], cell=_cells(model, cell, None, 0.0)))
    projections = []
    gain = 1.0 if cell == "discrete" else p.gain  # DiscreteLIF applies (1 − β) itself
    for layer in range(1, len(weights)):
        amplitude = model.amplitude(layer - 1)
        pre, post = pops[layer - 1], pops[layer]
        exc, inh = _block_lists(weights[layer].T * (amplitude * gain), batch)
        projections += signed_projections(f"W{layer + 1}", pre, post, (exc, inh), EXPORT_DT_MS)
    network = ir.Network(populations=tuple(pops), projections=tuple(projections), dt=EXPORT_DT_MS, name=name)
    n_hidden = len(p.sizes) - 2
    return InferenceNetwork(network, batch, tuple(range(n_hidden)), n_hidden + p.timesteps, cell)


@dataclass
class InferenceRun:
    """Result of :func:`run_inference`.

    Attributes
    ----------
    predictions : ndarray of int64, shape (N,)
    logits : ndarray, shape (N, n_out)
        Rate read-out (host ``W_out``) or the output membranes (trace read-out).
    spikes : list of ndarray
        Per hidden layer, the spikes in its window, shape ``(T, N, h_l)`` (0/1).
    wall_s : float
        Compile + run time (s).
    backend, cell, readout : str
    """

    predictions: np.ndarray
    logits: np.ndarray
    spikes: list
    wall_s: float
    backend: str
    cell: str
    readout: str

    def accuracy(self, labels: np.ndarray) -> float:
        """Accuracy (%) against ``labels``."""
        return 100.0 * float(np.mean(self.predictions == np.asarray(labels)))


def _chunk_size(model: SpikingMLP) -> int:
    sizes = model.params.sizes
    per_sample = sum(a * b for a, b in zip(sizes[1:-1], sizes[2:], strict=True))
    return max(1, MAX_SYNAPSES_PER_RUN // max(per_sample, 1))


def run_inference(
    model: SpikingMLP,
    x: np.ndarray,
    *,
    backend: str = "numba",
    cell: str = "discrete",
    readout: str = "rate",
    chunk: int | None = None,
    **options: Any,
) -> InferenceRun:
    """Classify ``x`` with the trained ``model`` on ``backend`` (chunks of samples side by side).

    Parameters
    ----------
    model : SpikingMLP
    x : ndarray, shape (N, n_in)
    backend : str
        Any registered backend; it must support the cells of ``cell`` (and state recording for
        the trace read-out).
    cell : {"discrete", "portable"}
        See the module docstring.
    readout : {"rate", "trace"}
        Host read-out of the last layer's weighted rate, or the output integrators' membranes.
    chunk : int or None
        Samples per network (default: at most :data:`MAX_SYNAPSES_PER_RUN` synapses per run).
    **options
        Passed to the backend's ``compile`` (``dt`` and ``record`` are set here).
    """
    from ...backends import compile as compile_network
    from ...ir.record import RecordSpec

    if readout not in READOUTS:
        raise ir.IRValidationError("run_inference", "readout", readout, "one of " + ", ".join(READOUTS))
    p = model.params
    x = np.atleast_2d(np.asarray(x, dtype=np.float64))
    chunk = _chunk_size(model) if chunk is None else int(chunk)
    hidden = p.sizes[1:-1]
    readout_w = p.readout_weights()
    started = time.perf_counter()
    all_spikes: list[list[np.ndarray]] = [[] for _ in hidden]
    logits = []
    for begin in range(0, x.shape[0], chunk):
        part = x[begin : begin + chunk]
        net = inference_network(model, part, cell=cell)
        state = {"out": ("v",)} if readout == "trace" else {}
        record = RecordSpec(state=state, weights=False)
        recording = compile_network(
            net.network, backend=backend, record=record, progress=False, **options
        ).run(duration=net.duration_ms)
        batch = part.shape[0]
        for layer, size in enumerate(hidden):
            trains = recording.spikes[f"h{layer + 1}"]
            spikes = np.zeros((p.timesteps, batch * size))
            steps = trains.steps - net.windows[layer]
            keep = (steps >= 0) & (steps < p.timesteps)
            spikes[steps[keep], trains.ids[keep]] = 1.0
            all_spikes[layer].append(spikes.reshape(p.timesteps, batch, size))
        if readout == "trace":
            logits.append(recording.state["out"].values["v"][-1].reshape(batch, p.sizes[-1]))
        else:
            last = all_spikes[-1][-1]
            rate = np.tensordot(readout_w, last, axes=(0, 0)) * model.amplitude(len(hidden) - 1)
            logits.append(rate @ model.weights[-1].astype(np.float64).T)
    spikes = [np.concatenate(parts, axis=1) for parts in all_spikes]
    out = np.concatenate(logits)
    return InferenceRun(
        predictions=np.argmax(out, axis=1),
        logits=out,
        spikes=spikes,
        wall_s=time.perf_counter() - started,
        backend=backend,
        cell=cell,
        readout=readout,
    )
