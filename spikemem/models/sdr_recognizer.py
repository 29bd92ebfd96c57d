"""A spiking recognizer of sparse distributed representations on dendritic segments.

Neurons store patterns on :class:`~spikemem.ir.DendriticNeuron` segments (each segment
subsamples ``s`` cells of a pattern); inputs are presented as spike volleys. The measured
false-positive and false-negative rates are compared with Ahmad & Hawkins' Eqs. 4, 6 and 8
(:mod:`spikemem.sdr.exact`) with Clopper–Pearson intervals.

Why the trials are independent: given one presented input, the segments of different neurons
are independent random subsets, so their matches are i.i.d. with exactly the probability of
the equation (the argument under Eq. 8); presentations are independent draws. ``K`` neurons
times ``P`` presentations therefore give ``K·P`` Bernoulli trials.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from .. import ir
from ..backends import compile as compile_network
from ..ir.record import RecordSpec
from ..lowering import lower_dendrites
from ..sdr.exact import p_any_segment, p_false_match, p_false_negative
from ..sdr.stats import clopper_pearson


@dataclass(frozen=True, kw_only=True)
class RecognizerParams:
    """One measurement.

    Parameters
    ----------
    kind : {"false_positive", "false_negative"}
        Present random inputs (false positives, Eqs. 4/8) or noisy copies of the stored
        pattern (false negatives, Eq. 6).
    n, a, s, theta : int
        Cells, active cells per input, synapses per segment, segment threshold.
    segments : int
        Segments per neuron ``M`` (Eq. 8 when > 1).
    neurons : int
        Recognizer neurons ``K``.
    presentations : int
        Input volleys ``P``.
    noise : int
        Active cells swapped for inactive ones in each noisy copy (``v``; false negatives).
    window : float
        Coincidence window (ms).
    jitter : int
        Largest delay (steps) added to an input spike, uniform in ``[0, jitter]``; must be
        smaller than the window.
    dt : float
        Time step (ms).
    seed : int
        Seed of every random choice.
    """

    kind: str = "false_positive"
    n: int = 500
    a: int = 128
    s: int = 24
    theta: int = 12
    segments: int = 1
    neurons: int = 200
    presentations: int = 100
    noise: int = 0
    window: float = 3.0
    jitter: int = 0
    dt: float = 1.0
    seed: int = 1

    def __post_init__(self) -> None:
        owner = "RecognizerParams"
        if self.kind not in ("false_positive", "false_negative"):
            raise ir.IRValidationError(owner, "kind", self.kind, "'false_positive' or 'false_negative'")
        for name, low in (("n", 1), ("a", 1), ("s", 1), ("theta", 1), ("segments", 1), ("neurons", 1), ("presentations", 1)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < low:
                raise ir.IRValidationError(owner, name, value, f"an integer >= {low}")
        if not self.a <= self.n or not self.s <= self.a:
            raise ir.IRValidationError(owner, "s", self.s, f"s <= a <= n (a={self.a}, n={self.n})")
        if not 0 <= self.noise <= min(self.a, self.n - self.a):
            raise ir.IRValidationError(owner, "noise", self.noise, f"0 <= v <= min(a, n - a) = {min(self.a, self.n - self.a)}")
        window_steps = max(1, int(np.floor(self.window / self.dt + 0.5 + 1e-9)))
        if not 0 <= self.jitter < window_steps:
            raise ir.IRValidationError(owner, "jitter", self.jitter, f"0 <= jitter < window = {window_steps} steps")

    @property
    def theory(self) -> float:
        """The exact probability the measurement estimates (Eq. 4, 8 or 6)."""
        if self.kind == "false_negative":
            return float(p_false_negative(self.a, self.s, self.theta, self.noise))
        if self.segments == 1:
            return float(p_false_match(self.n, self.a, self.s, self.theta))
        return float(p_any_segment(self.n, self.a, self.s, self.theta, self.segments))

    @property
    def equation(self) -> str:
        """Which equation of the paper applies."""
        if self.kind == "false_negative":
            return "Eq. 6"
        return "Eq. 4" if self.segments == 1 else "Eq. 8"


@dataclass
class Measurement:
    """Result of :func:`measure`."""

    params: RecognizerParams
    trials: int
    hits: int
    interval: tuple[float, float]
    theory: float
    wall_s: float
    soma_spikes: dict = field(default_factory=dict)

    @property
    def rate(self) -> float:
        """Measured fraction (false positives, or misses for false negatives)."""
        return self.hits / self.trials

    @property
    def agrees(self) -> bool:
        """True when the exact value lies in the confidence interval."""
        return self.interval[0] <= self.theory <= self.interval[1]

    def row(self) -> dict:
        """One table row."""
        p = self.params
        return {
            "kind": p.kind, "equation": p.equation, "n": p.n, "a": p.a, "s": p.s, "theta": p.theta,
            "M": p.segments, "v": p.noise, "trials": self.trials, "hits": self.hits,
            "measured": self.rate, "ci_low": self.interval[0], "ci_high": self.interval[1],
            "theory": self.theory, "agrees": self.agrees, "wall_s": round(self.wall_s, 3),
        }


def build(params: RecognizerParams) -> tuple[ir.Network, np.ndarray]:
    """The recognizer network and the stored pattern (false negatives) or ``None``.

    Returns
    -------
    (Network, ndarray)
        The network with an input population ``A`` (its spikes come from :func:`inputs`) and
        the dendritic population ``R``; the second item is the stored pattern used for
        false-negative runs (a sorted array of ``a`` cell indices).
    """
    p = params
    rng = np.random.default_rng([p.seed, 0])
    stored = np.sort(rng.choice(p.n, p.a, replace=False))
    pre, post, segment = [], [], []
    for j in range(p.neurons):
        for k in range(p.segments):
            if p.kind == "false_negative":
                cells = rng.choice(stored, p.s, replace=False)  # D is a random s-subset of the pattern
            else:
                pattern = rng.choice(p.n, p.a, replace=False)  # a random stored pattern...
                cells = rng.choice(pattern, p.s, replace=False)  # ...subsampled by its segment
            pre.append(cells)
            post.append(np.full(p.s, j))
            segment.append(np.full(p.s, k))
    spikes = inputs(p, stored)
    source = ir.Population(name="A", size=p.n, cell=ir.SpikeSourceArray(times=spikes[0], ids=spikes[1]))
    cell = ir.DendriticNeuron(n_segments=p.segments, theta=p.theta, window=p.window, soma_threshold=1)
    recognizer = ir.Population(name="R", size=p.neurons, cell=cell)
    projection = ir.Projection(
        name="synapses", pre=source, post=recognizer,
        connector=ir.FromList(pre=np.concatenate(pre), post=np.concatenate(post)),
        weight=1.0, delay=p.dt, segment=np.concatenate(segment),
    )
    network = ir.Network(populations=(source, recognizer), projections=(projection,), dt=p.dt, name=f"sdr_{p.kind}")
    return network, stored


def spacing_steps(params: RecognizerParams) -> int:
    """Steps between presentations: more than two windows plus the jitter, so none overlap."""
    window = max(1, int(np.floor(params.window / params.dt + 0.5 + 1e-9)))
    return 2 * window + params.jitter + 3


def inputs(params: RecognizerParams, stored: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Spike times (ms) and cell ids of all presentations (one volley each, optional jitter)."""
    p = params
    rng = np.random.default_rng([p.seed, 1])
    times, ids = [], []
    inactive = np.setdiff1d(np.arange(p.n), stored)
    for q in range(p.presentations):
        if p.kind == "false_negative":
            removed = rng.choice(stored, p.noise, replace=False)
            added = rng.choice(inactive, p.noise, replace=False)
            active = np.concatenate([np.setdiff1d(stored, removed), added])
        else:
            active = rng.choice(p.n, p.a, replace=False)
        start = q * spacing_steps(p)
        jitter = rng.integers(0, p.jitter + 1, active.size) if p.jitter else np.zeros(active.size, dtype=np.int64)
        times.append((start + jitter) * p.dt)
        ids.append(active)
    return np.concatenate(times), np.concatenate(ids).astype(np.int64)


def measure(params: RecognizerParams, *, backend: str = "numba", lowered: bool = False, confidence: float = 0.99) -> Measurement:
    """Run the recognizer and compare its rate with the exact equation.

    Parameters
    ----------
    params : RecognizerParams
        What to measure.
    backend : str
        Backend that runs the network.
    lowered : bool
        Run the point-neuron lowering (:func:`spikemem.lowering.lower_dendrites`) instead of native
        segments.
    confidence : float
        Level of the Clopper–Pearson interval.
    """
    network, _ = build(params)
    if lowered:
        network = lower_dendrites(network, seed=params.seed)
    duration = params.presentations * spacing_steps(params) * params.dt
    started = time.perf_counter()
    runnable = compile_network(network, backend=backend, seed=params.seed, record=RecordSpec(spikes=("R",), weights=False))
    recording = runnable.run(duration=duration)
    wall = time.perf_counter() - started
    train = recording.spikes["R"]
    presentation = train.steps // spacing_steps(params)
    responded = np.unique(presentation * params.neurons + train.ids).size  # (presentation, neuron) pairs
    trials = params.neurons * params.presentations
    hits = trials - responded if params.kind == "false_negative" else responded
    return Measurement(
        params=params, trials=trials, hits=hits, interval=clopper_pearson(hits, trials, confidence),
        theory=params.theory, wall_s=wall, soma_spikes={"steps": train.steps, "ids": train.ids},
    )


DEFAULT_CONFIGS: tuple[RecognizerParams, ...] = (
    RecognizerParams(kind="false_positive", n=500, a=128, s=24, theta=12, neurons=200, presentations=100),
    RecognizerParams(kind="false_positive", n=1000, a=50, s=20, theta=5, neurons=200, presentations=100),
    RecognizerParams(kind="false_positive", n=1500, a=256, s=24, theta=12, neurons=500, presentations=200),
    RecognizerParams(kind="false_positive", n=500, a=128, s=24, theta=12, segments=10, neurons=100, presentations=50, jitter=2),
    RecognizerParams(kind="false_negative", a=128, n=500, s=30, theta=12, noise=64, neurons=200, presentations=100),
    RecognizerParams(kind="false_negative", a=128, n=500, s=30, theta=12, noise=51, neurons=400, presentations=100, jitter=1),
)
"""The spiking-validation configurations at CI-friendly trial counts."""


def plot_measurements(measurements: list[Measurement]):
    """Measured rate with its interval against the exact value, one point per configuration."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(6.5, 4.2), layout="constrained")
    ax = figure.add_subplot()
    theory = np.array([m.theory for m in measurements])
    rate = np.array([max(m.rate, 1e-12) for m in measurements])
    low = np.array([max(m.interval[0], 1e-12) for m in measurements])
    high = np.array([m.interval[1] for m in measurements])
    ax.errorbar(theory, rate, yerr=[rate - low, high - rate], fmt="o", capsize=3, label="spiking recognizer (99% CI)")
    span = [min(theory.min(), low.min()) / 2, max(theory.max(), high.max()) * 2]
    ax.plot(span, span, "k--", lw=1, label="exact (Eqs. 4, 6, 8)")
    for m in measurements:
        ax.annotate(m.params.equation, (m.theory, m.rate), textcoords="offset points", xytext=(5, -10), fontsize=8)
    ax.set(xscale="log", yscale="log", xlabel="exact probability", ylabel="measured rate",
           title="Dendritic segments as coincidence detectors: simulation vs. theory")
    ax.legend(loc="upper left")
    return figure
