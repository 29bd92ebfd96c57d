"""HLOP's lateral circuit: the Hebbian subspace module and its spiking lateral neurons.

For one plastic layer with presynaptic activity ``x ∈ R^n`` (Xiao et al. 2024):

- ``K`` lateral neurons ``y = H x`` (``H ∈ R^{K×n}``) with feedback ``−Hᵀ`` onto a trace
  compartment of the presynaptic neurons, so that ``x̃ = x − Hᵀ y``;
- ``H`` learns by Oja's subspace rule ``ΔH = η (y xᵀ − y yᵀ H) = η y x̃ᵀ`` (momentum 0.9,
  clamp ±10, 5 iterations per mini-batch), which drives the rows of ``H`` to an orthonormal
  basis of the top-``K`` principal subspace of ``E[x xᵀ]``;
- lateral neurons grow per task and freeze at task boundaries: the frozen ("old") block
  ``H_old`` projects the feed-forward update onto the orthogonal complement of its span,
  ``ΔW = −η δ (x − H_oldᵀ H_old x)ᵀ``, and the new rows learn the residual.

Spiking lateral neurons replace ``y`` by the signed spike count of a pair of
integrate-and-fire neurons (``L⁺`` fed ``+Hx/s``, ``L⁻`` fed ``−Hx/s`` for ``T_h`` ticks,
threshold 1, membrane starting at 0.5, subtractive reset), each spike worth ``s/T_h``:
``y_q = sign(c)·floor(|c|·T_h + 1/2)·s/T_h`` with ``c = clip(Hx/s, −1, 1)``.
:func:`lateral_circuit` builds that circuit as an IR network (``DiscreteLIF`` cells) and
:func:`simulate_lateral` runs it on a backend; the tests check that its spike counts and its
feedback trace equal :func:`quantise` before training uses the closed form.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ... import ir
from ...ir.cells import DiscreteLIF

__all__ = [
    "HebbianSubspace",
    "LateralCircuit",
    "lateral_circuit",
    "orthogonal_rows",
    "principal_angles",
    "quantise",
    "signed_projections",
    "simulate_lateral",
]

TRACE_THRESHOLD_MV = 1e4
"""``v_thresh`` of the (never spiking) trace compartments: with ``alpha = 1e3`` the threshold
is 10⁷ mV, far above any trace."""


def quantise(y: np.ndarray, scale: float, timesteps: int) -> np.ndarray:
    """Output of spiking lateral neurons: ``sign(c)·floor(|c|·T_h + 1/2)·s/T_h``, ``c = clip(y/s, −1, 1)``.

    This is exactly the signed spike count of the ``L⁺``/``L⁻`` integrate-and-fire pair of
    :func:`lateral_circuit` times the value ``s/T_h`` of one spike. It differs from the HLOP
    code's ``round`` (half to even) only when ``|c|·T_h`` is exactly half an integer.

    Parameters
    ----------
    y : ndarray
        Analog lateral activity ``H x`` (units of the presynaptic activity).
    scale : float
        ``s``, the largest representable ``|y|`` (saturation).
    timesteps : int
        ``T_h``, ticks of the lateral phase.
    """
    c = np.clip(y / scale, -1.0, 1.0)
    counts = np.floor(np.abs(c) * timesteps + 0.5)
    return np.copysign(counts, c) * (scale / timesteps)


def orthogonal_rows(k: int, n: int, rng: np.random.Generator) -> np.ndarray:
    """``k`` orthonormal rows in ``R^n`` (``k <= n``), as ``torch.nn.init.orthogonal_``."""
    a = rng.standard_normal((n, k))
    q, r = np.linalg.qr(a)
    q *= np.sign(np.diag(r))
    return np.ascontiguousarray(q.T)


def principal_angles(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Principal angles (rad, ascending) between the row spaces of ``a`` and ``b``."""
    qa, _ = np.linalg.qr(np.asarray(a, dtype=np.float64).T)
    qb, _ = np.linalg.qr(np.asarray(b, dtype=np.float64).T)
    cosines = np.linalg.svd(qa.T @ qb, compute_uv=False)
    return np.arccos(np.clip(cosines, -1.0, 1.0))


class HebbianSubspace:
    """Lateral neurons of one layer: frozen rows ``H_old`` and plastic rows ``H_new``.

    Parameters
    ----------
    n : int
        Input dimension (presynaptic neurons).
    lr : float
        Hebbian learning rate ``η_H``.
    iterations : int
        Hebbian steps per mini-batch (5 in HLOP).
    momentum : float
        Momentum ``m`` of the update, ``V ← m V + (1 − m) D`` (0.9 in HLOP; 0 disables it).
    clamp : float
        Every element of the batch update ``D`` is clipped to ``[−clamp, clamp]`` (10).
    spiking : tuple of (float, int) or None
        ``(s, T_h)`` for spiking lateral neurons (:func:`quantise`), ``None`` for analog ones.
    dtype : numpy dtype
        Floating type of ``H``.
    """

    def __init__(
        self,
        n: int,
        *,
        lr: float,
        iterations: int = 5,
        momentum: float = 0.9,
        clamp: float = 10.0,
        spiking: tuple[float, int] | None = None,
        dtype: Any = np.float64,
    ) -> None:
        self.n = int(n)
        self.lr = float(lr)
        self.iterations = int(iterations)
        self.momentum = float(momentum)
        self.clamp = float(clamp)
        self.spiking = spiking
        self.dtype = np.dtype(dtype)
        self.old = np.zeros((0, self.n), dtype=self.dtype)
        self.new = np.zeros((0, self.n), dtype=self.dtype)
        self.velocity = np.zeros((0, self.n), dtype=self.dtype)

    # -- structure ----------------------------------------------------------------------------
    @property
    def n_old(self) -> int:
        """Frozen lateral neurons (used for the projection)."""
        return int(self.old.shape[0])

    @property
    def n_total(self) -> int:
        """All lateral neurons."""
        return int(self.old.shape[0] + self.new.shape[0])

    @property
    def weights(self) -> np.ndarray:
        """``H`` with all rows, frozen first, shape ``(K, n)``."""
        return np.concatenate([self.old, self.new])

    def grow(self, k: int, rng: np.random.Generator) -> None:
        """Append ``k`` plastic rows, orthonormal among themselves, momentum 0 (a task starts).

        Raises
        ------
        IRValidationError
            When the total number of lateral neurons would reach the input dimension: then
            ``H`` cannot have orthonormal rows, ``I − HᵀH`` is no projection and training
            diverges.
        """
        if k < 0:
            raise ir.IRValidationError("HebbianSubspace.grow", "k", k, "an integer >= 0")
        if self.n_total + k >= self.n:
            raise ir.IRValidationError(
                "HebbianSubspace.grow",
                "k",
                k,
                f"at most {self.n - 1 - self.n_total} more: the total number of lateral neurons must stay "
                f"below the input dimension {self.n} ({self.n_total} exist)",
            )
        if k:
            rows = orthogonal_rows(k, self.n, rng).astype(self.dtype)
            self.new = np.concatenate([self.new, rows])
            self.velocity = np.concatenate([self.velocity, np.zeros_like(rows)])

    def consolidate(self) -> None:
        """Freeze every plastic row (a task ends): they join ``H_old``; momentum is dropped."""
        self.old = np.concatenate([self.old, self.new])
        self.new = np.zeros((0, self.n), dtype=self.dtype)
        self.velocity = np.zeros((0, self.n), dtype=self.dtype)

    # -- computation --------------------------------------------------------------------------
    def lateral(self, x: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Lateral activity ``y = rows·x`` of a batch (``(B, n)`` → ``(B, k)``), quantised when spiking."""
        y = x @ rows.T
        return y if self.spiking is None else quantise(y, *self.spiking).astype(y.dtype, copy=False)

    def residual_old(self, x: np.ndarray) -> np.ndarray:
        """``x − H_oldᵀ y_old``: the batch with the frozen subspace removed (the projected input)."""
        if self.n_old == 0:
            return x
        return x - self.lateral(x, self.old) @ self.old

    def hebbian_update(self, x: np.ndarray, residual: np.ndarray | None = None) -> None:
        """Run ``iterations`` Oja-subspace steps on the batch ``x`` (rows are samples).

        Per step: ``y = H_new x`` (quantised if spiking), ``x̃ = x − H_oldᵀ y_old − H_newᵀ y``,
        ``D = clip(yᵀ x̃ / B, ±clamp)``, ``V ← m V + (1 − m) D``, ``H_new ← H_new + η V``. The frozen
        rows contribute to the reconstruction but do not learn.

        Parameters
        ----------
        x : ndarray, shape (B, n)
            Presynaptic activity of the batch.
        residual : ndarray or None
            :meth:`residual_old` of ``x`` if already computed.
        """
        if self.new.shape[0] == 0:
            return
        base = self.residual_old(x) if residual is None else residual
        batch = x.shape[0]
        for _ in range(self.iterations):
            y = self.lateral(x, self.new)
            delta = y.T @ (base - y @ self.new)
            delta /= batch
            np.clip(delta, -self.clamp, self.clamp, out=delta)
            if self.momentum:
                self.velocity *= self.momentum
                self.velocity += (1.0 - self.momentum) * delta
                self.new += self.lr * self.velocity
            else:
                self.new += self.lr * delta


# ---------------------------------------------------------------------------------------------
# The lateral circuit as spiking neurons on a backend


@dataclass(frozen=True)
class LateralCircuit:
    """An IR network of the lateral phase for a batch of presynaptic activities.

    Attributes
    ----------
    network : spikemem.ir.Network
        Populations ``P`` (``B·n`` sources firing every tick for ``T_h`` ticks), ``Lpos`` and
        ``Lneg`` (``B·K`` integrate-and-fire ``DiscreteLIF``: threshold 1, start 0.5) and
        ``trace`` (``B·n`` non-spiking integrators starting at ``x``, the trace compartment).
    duration_ms : float
        Run length: ``T_h + 2`` steps (one step of delay into ``L``, one out of it). The lateral
        phase is steps ``1 .. T_h``: only spikes of those steps count (a saturated neuron keeps
        potential above threshold after its input stops).
    batch, n, k : int
        Sizes.
    scale : float
        ``s``.
    timesteps : int
        ``T_h``.
    """

    network: ir.Network
    duration_ms: float
    batch: int
    n: int
    k: int
    scale: float
    timesteps: int


def _block_synapses(matrix: np.ndarray, batch: int, values: np.ndarray | None = None):
    """Block-diagonal synapse lists from a (pre × post) weight matrix per sample.

    ``values`` (``(B, pre, post)``) overrides the weight per sample; returns one
    ``(pre, post, weight)`` triple per sign, zeros dropped.
    """
    n_pre, n_post = matrix.shape
    full = np.broadcast_to(matrix, (batch, n_pre, n_post)) if values is None else values
    b, i, j = np.nonzero(full)
    w = full[b, i, j]
    pre, post = b * n_pre + i, b * n_post + j
    positive = w > 0
    return (pre[positive], post[positive], w[positive]), (pre[~positive], post[~positive], -w[~positive])


def signed_projections(name: str, pre: Any, post: Any, lists: tuple, dt: float) -> list[ir.Projection]:
    """Projections ``<name>-exc`` and ``<name>-inh`` from (pre, post, ``|weight|``) synapse lists.

    Parameters
    ----------
    name : str
        Prefix of the projection names.
    pre, post : ir.Population
        Source and target populations.
    lists : tuple
        ``(excitatory, inhibitory)``, each ``(pre indices, post indices, weights)`` with
        weights ≥ 0 (nA); an empty list gives no projection.
    dt : float
        Synaptic delay (ms).
    """
    out = []
    for receptor, (i, j, w) in zip(("excitatory", "inhibitory"), lists, strict=True):
        if i.size:
            out.append(
                ir.Projection(
                    name=f"{name}-{receptor[:3]}",
                    pre=pre,
                    post=post,
                    connector=ir.FromList(pre=i, post=j, weight=w),
                    delay=dt,
                    receptor=receptor,
                )
            )
    return out


def lateral_circuit(
    h: np.ndarray, x: np.ndarray, scale: float, timesteps: int, *, dt: float = 1.0
) -> LateralCircuit:
    """The lateral phase as spiking neurons, for a batch ``x`` (``(B, n)``).

    - ``P`` fires at every tick ``0 .. T_h − 1``; the synapse ``P_i → L⁺_k`` carries the
      current ``H_ki·x_i/s`` (excitatory or inhibitory by its sign) and ``P_i → L⁻_k`` its
      negative: so ``L^±_k`` receives the constant input ``±(Hx)_k/s`` per tick.
    - ``L^±``: integrate-and-fire ``DiscreteLIF(tau_m=None, v_thresh=1, alpha=1, v_init=0.5)``;
      at most one spike per tick, so the count saturates at ``T_h`` (the clip at ``±s``).
    - every spike of ``L⁺_k`` (``L⁻_k``) sends ``∓(s/T_h)·H_ki`` to the trace compartment
      ``trace_i``, a non-spiking integrator starting at ``x_i``; at the end it holds
      ``x̃ = x − Hᵀ y_q``. The soma of ``P`` is untouched (here: sources).

    Parameters
    ----------
    h : ndarray, shape (K, n)
        Lateral weights.
    x : ndarray, shape (B, n)
        Presynaptic activities (one lateral phase each, run side by side).
    scale : float
        ``s``.
    timesteps : int
        ``T_h``.
    dt : float
        Time step (ms) of the network; one tick per step.
    """
    h = np.asarray(h, dtype=np.float64)
    x = np.atleast_2d(np.asarray(x, dtype=np.float64))
    if h.ndim != 2 or x.shape[1] != h.shape[1]:
        raise ir.IRValidationError(
            "lateral_circuit", "x", x.shape, f"shape (B, {h.shape[1]}) for H of shape {h.shape}"
        )
    if not scale > 0 or int(timesteps) < 1:
        raise ir.IRValidationError(
            "lateral_circuit", "scale/timesteps", (scale, timesteps), "s > 0, T_h >= 1"
        )
    batch, n = x.shape
    k = h.shape[0]
    timesteps = int(timesteps)
    ticks = np.arange(timesteps) * dt
    source = ir.SpikeSourceArray(
        times=np.tile(ticks, batch * n), ids=np.repeat(np.arange(batch * n), timesteps)
    )
    p = ir.Population(name="P", size=batch * n, cell=source)
    if_cell = DiscreteLIF(tau_m=None, v_thresh=1.0, alpha=1.0, v_init=0.5)
    lpos = ir.Population(name="Lpos", size=batch * k, cell=if_cell)
    lneg = ir.Population(name="Lneg", size=batch * k, cell=if_cell)
    trace = ir.Population(
        name="trace",
        size=batch * n,
        cell=DiscreteLIF(tau_m=None, v_thresh=TRACE_THRESHOLD_MV, alpha=1e3, v_init=x.reshape(-1)),
    )
    drive = (x[:, :, None] * h.T[None, :, :]) / scale  # (B, n, K): H_ki x_i / s
    feedback = h * (scale / timesteps)  # (K, n): value of one lateral spike on the trace
    pos, neg = _block_synapses(h.T, batch, drive)
    fb_pos, fb_neg = _block_synapses(feedback, batch)
    projections = (
        signed_projections("P-Lpos", p, lpos, (pos, neg), dt)
        + signed_projections("P-Lneg", p, lneg, (neg, pos), dt)
        + signed_projections("Lpos-trace", lpos, trace, (fb_neg, fb_pos), dt)  # −H·s/T_h per L⁺ spike
        + signed_projections("Lneg-trace", lneg, trace, (fb_pos, fb_neg), dt)  # +H·s/T_h per L⁻ spike
    )
    network = ir.Network(
        populations=(p, lpos, lneg, trace),
        projections=tuple(projections),
        dt=dt,
        name="hlop-lateral",
    )
    return LateralCircuit(network, (timesteps + 2) * dt, batch, n, k, float(scale), timesteps)


def simulate_lateral(
    h: np.ndarray,
    x: np.ndarray,
    scale: float,
    timesteps: int,
    *,
    backend: str = "numba",
    dt: float = 1.0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Run :func:`lateral_circuit` on ``backend``.

    Returns
    -------
    counts : ndarray of int64, shape (B, K)
        ``n⁺ − n⁻``, the signed spike counts of the lateral neurons.
    y : ndarray, shape (B, K)
        ``counts · s/T_h``.
    trace : ndarray, shape (B, n)
        The trace compartments at the end: ``x − Hᵀ y``.
    """
    from ...backends import compile as compile_network
    from ...ir.record import RecordSpec

    circuit = lateral_circuit(h, x, scale, timesteps, dt=dt)
    record = RecordSpec(spikes=("Lpos", "Lneg"), state={"trace": ("v",)}, weights=False)
    recording = compile_network(circuit.network, backend=backend, record=record, progress=False).run(
        duration=circuit.duration_ms
    )
    size = circuit.batch * circuit.k

    def count(name: str) -> np.ndarray:  # spikes of the lateral phase: steps 1 .. T_h
        trains = recording.spikes[name]
        return np.bincount(trains.ids[trains.steps <= circuit.timesteps], minlength=size)

    counts = (count("Lpos") - count("Lneg")).reshape(circuit.batch, circuit.k)
    trace = recording.state["trace"].values["v"][-1].reshape(circuit.batch, circuit.n)
    return counts.astype(np.int64), counts * (scale / timesteps), trace
