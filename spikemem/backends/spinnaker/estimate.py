"""Offline SpiNNaker resource estimate: cores, chips, boards, SDRAM, delay extensions, weight
quantisation and time-step advice — without sPyNNaker.

:func:`estimate_spinnaker` applies the rules of sPyNNaker 1!7.4.1 (the version the
``spinnaker`` backend pins) to the synapses the backend would build (the same shared, seeded
connector resolution and delay rounding), so that a user learns that a network does not fit,
or that weights round to zero, before a long mapping on a board. The rules, and where they come
from in sPyNNaker:

- **Cores.** A neuron population is split into slices of at most ``neurons_per_core`` neurons
  (default 256, ``POP_TABLE_MAX_ROW_LENGTH``); a ``SpikeSourceArray`` (Poisson sources are
  replayed as arrays) takes one core. At ``dt < 1 ms`` sPyNNaker puts the synapses of every
  neuron slice that receives input on separate *synapse cores*: ``ceil(S / (R·f))`` per
  slice, where ``S = Σ ceil(n_max · 30 Hz · N_pre)`` over incoming projections (``n_max``: the
  most synapses one presynaptic neuron makes onto one core), ``R`` = 13·10⁶ static or 1.4·10⁶
  STDP synaptic events per second per core and ``f`` the time scale factor
  (``PopulationVertex.__update_n_synapse_cores``).
- **Delays.** A core's ring buffer holds ``2^(14 - bits(atoms per core) - 1)`` delay slots
  (``MAX_RING_BUFFER_BITS``); a projection with longer delays needs a *delay extension* (one
  core per presynaptic slice) supporting up to 8 times more, beyond which mapping fails.
- **Chips.** 18 cores per chip, of which one runs SC&MP and one the extra monitor; the
  Ethernet chip of each board also runs the packet gatherer: 16 application cores per chip
  (15 on chip (0,0)); 123 469 792 bytes of SDRAM per chip. SpiNN-3 boards have 4 chips,
  SpiNN-5 boards 48. Cores are packed chip by chip in population order (a neuron slice and its
  synapse cores share a chip), as sPyNNaker's application placer does.
- **SDRAM for synaptic matrices** per core: for every incoming projection and presynaptic
  core, a block of ``atoms × (3 + words per row) × 4`` bytes aligned to 16 bytes, rows as long
  as the longest (``synapse_io.get_max_row_info``); static rows hold one word per synapse,
  STDP rows ``ceil(n/2) + ceil((8 + 2n)/4)`` words. Rows longer than 256 words do not fit.
- **Weights** are 16-bit integers with one power-of-two scale per (population, receptor):
  ``w_q = rint(|w|·2^(15-s))/2^(15-s)``, where the shift ``s`` makes room for the largest
  expected input in one step (``PopulationVertex.get_ring_buffer_shifts``: the sum over incoming
  projections of ``w_max × max fan-in`` when all delays of a projection are equal, otherwise
  a Poisson bound with ``ring_buffer_sigma`` = 5 standard deviations at 30 Hz). Weights below
  half a step round to zero; STDP steps smaller than one weight step are lost.
"""

from __future__ import annotations

import json
import math
import warnings
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from ...ir import IF_curr_delta, IF_curr_exp, Multiplicative
from ...ir.cells import is_source
from ...ir.connectivity import delay_steps, resolve
from ...ir.errors import IRValidationError
from ...ir.network import Network

__all__ = [
    "CHIPS_PER_BOARD",
    "PopulationEstimate",
    "ProjectionQuantisation",
    "SpiNNakerEstimate",
    "estimate_spinnaker",
    "ring_buffer_shift",
]

CHIPS_PER_BOARD = {3: 4, 5: 48}
"""Chips per board, by board version."""
CORES_PER_CHIP = 18
APP_CORES_PER_CHIP = 16
"""18 cores minus SC&MP's monitor and the extra monitor."""
SDRAM_PER_CHIP = 123_469_792
"""Bytes of SDRAM per chip (spinn_machine ``VersionSpin1``)."""
SYSTEM_SDRAM_PER_CHIP = 488_476
"""Bytes the extra monitor of every chip plans (sPyNNaker's SDRAM report)."""
DEFAULT_NEURONS_PER_CORE = 256
MAX_ROW_WORDS = 256
MAX_RING_BUFFER_BITS = 14
DELAY_EXTENSION_SLOTS = 8
STATIC_SYNAPSES_PER_S = 13_000_000
STDP_SYNAPSES_PER_S = 1_400_000
DEFAULT_SPIKES_PER_SECOND = 30.0
DEFAULT_RING_BUFFER_SIGMA = 5.0
POISSON_SIGMA_SUMMATION_LIMIT = 3.0
MIN_TICK_MS = 0.1
NEURON_CORE_BYTES = 1300
NEURON_BYTES = 531
SYNAPSE_CORE_BYTES = 1400
SOURCE_CORE_BYTES = 4000
SOURCE_SPIKE_BYTES = 8
"""SDRAM besides synaptic matrices and recordings (bytes per core, per neuron, per source
spike): fitted to sPyNNaker 7.4.1's planned SDRAM for IF_curr_exp and SpikeSourceArray cores
(the CA3 and CUBA mappings, within 15 %)."""


# --------------------------------------------------------------------------- results


@dataclass
class PopulationEstimate:
    """Resources of one population.

    Attributes
    ----------
    name : str
        Population name.
    size : int
        Neurons.
    kind : {"neuron", "source"}
        Neuron population or spike source.
    neurons_per_core : int
        Largest slice.
    neuron_cores : int
        Slices (cores running neurons or sources).
    synapse_cores : int
        Separate synapse cores (``dt < 1 ms`` only), all slices together.
    delay_extension_cores : int
        Cores of the delay extension fed by this population (0 if none).
    synaptic_matrix_bytes : int
        SDRAM for the synaptic matrices of one core (the largest slice).
    recording_bytes : int
        SDRAM for the recordings of one core over the run.
    sdram_bytes : int
        Estimated SDRAM of one core (matrices + recordings + neuron state).
    max_delay_steps : int
        Longest incoming delay (steps).
    delay_slots : int
        Delay slots of a core's ring buffer.
    """

    name: str
    size: int
    kind: str
    neurons_per_core: int
    neuron_cores: int
    synapse_cores: int = 0
    delay_extension_cores: int = 0
    synaptic_matrix_bytes: int = 0
    recording_bytes: int = 0
    sdram_bytes: int = 0
    max_delay_steps: int = 0
    delay_slots: int = 0

    @property
    def cores(self) -> int:
        """Neuron (or source) cores plus synapse cores."""
        return self.neuron_cores + self.synapse_cores


@dataclass
class ProjectionQuantisation:
    """How a projection's weights survive sPyNNaker's 16-bit weights.

    Attributes
    ----------
    projection, post, receptor : str
        The projection, its postsynaptic population and receptor.
    shift : int
        Ring-buffer left shift ``s`` of (post, receptor); the weight step is ``2^(s-15)`` nA.
    resolution : float
        Weight step (nA; mV onto ``IF_curr_delta``).
    max_weight : float
        Largest representable weight (nA): ``(2^16 - 1)·resolution``.
    n_synapses : int
        Synapses.
    n_zero : int
        Weights that are 0 in the network.
    n_round_to_zero : int
        Non-zero weights that become 0 on the board.
    max_relative_error : float
        Largest ``|w_q - w|/|w|`` over the non-zero weights that stay non-zero.
    max_abs_error : float
        Largest ``|w_q - w|`` (nA).
    stdp_steps : dict or None
        For STDP: ``A_plus`` and ``A_minus`` in nA and in weight steps (a change below one step
        is lost; the board accumulates in 16-bit weights).
    """

    projection: str
    post: str
    receptor: str
    shift: int
    resolution: float
    max_weight: float
    n_synapses: int
    n_zero: int
    n_round_to_zero: int
    max_relative_error: float
    max_abs_error: float
    stdp_steps: dict | None = None


@dataclass
class SpiNNakerEstimate:
    """The result of :func:`estimate_spinnaker`.

    Attributes
    ----------
    network : str
        Network name.
    dt : float
        Time step (ms).
    version : int
        Board version (3 or 5).
    boards : int
        Boards available (SpiNN-3: 1).
    time_scale_factor : float
        Time scale factor assumed.
    recommended_time_scale_factor : float
        Smallest time scale factor at which the synaptic load fits the cores' throughput.
    split_cores : bool
        Whether sPyNNaker uses separate synapse cores (``dt < 1 ms``).
    populations : list of PopulationEstimate
        Per population.
    projections : list of ProjectionQuantisation
        Per projection.
    n_cores, n_chips, n_boards_needed : int
        Application cores, chips and boards needed.
    chips_available : int
        Chips of the boards available.
    fits : bool
        Whether the network fits (no reason in ``reasons``).
    reasons : list of str
        Why it does not fit.
    warnings : list of str
        Problems that do not stop mapping (weights rounding to zero, overload risk...).
    advice : list of str
        Time step and time scale factor advice.
    """

    network: str
    dt: float
    version: int
    boards: int
    time_scale_factor: float
    recommended_time_scale_factor: float
    split_cores: bool
    populations: list
    projections: list
    n_cores: int
    n_chips: int
    n_boards_needed: int
    chips_available: int
    fits: bool
    reasons: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    advice: list = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Plain, JSON-serialisable form (population cores included)."""
        data = asdict(self)
        for pop, entry in zip(self.populations, data["populations"], strict=True):
            entry["cores"] = pop.cores
        return data

    def to_json(self) -> str:
        """Indented JSON."""
        return json.dumps(self.to_dict(), indent=2, default=float) + "\n"

    def summary(self) -> str:
        """A human-readable report."""
        board = {3: "SpiNN-3", 5: "SpiNN-5"}[self.version]
        verdict = "FITS" if self.fits else "DOES NOT FIT"
        lines = [
            f"{self.network} on {self.boards} x {board} (dt {self.dt:g} ms, time scale factor "
            f"{self.time_scale_factor:g}): {verdict}",
            f"  {self.n_cores} cores on {self.n_chips} chip(s) of {self.chips_available}; "
            f"{self.n_boards_needed} board(s) needed"
            + ("; separate synapse cores (dt < 1 ms)" if self.split_cores else ""),
            "",
            f"  {'population':<18}{'size':>8}{'n/core':>8}{'cores':>7}{'syn':>5}{'delay':>6}"
            f"{'matrix KiB':>12}{'SDRAM KiB':>11}",
        ]
        for p in self.populations:
            lines.append(
                f"  {p.name:<18}{p.size:>8}{p.neurons_per_core:>8}{p.cores:>7}{p.synapse_cores:>5}"
                f"{p.delay_extension_cores:>6}{p.synaptic_matrix_bytes / 1024:>12.1f}"
                f"{p.sdram_bytes / 1024:>11.1f}"
            )
        lines += [
            "",
            f"  {'projection':<26}{'post/receptor':<22}{'step nA':>10}{'->0':>6}{'max rel err':>13}",
        ]
        for q in self.projections:
            lines.append(
                f"  {q.projection:<26}{q.post + '/' + q.receptor[:3]:<22}{q.resolution:>10.3g}"
                f"{q.n_round_to_zero:>6}{q.max_relative_error:>13.2e}"
            )
            if q.stdp_steps:
                s = q.stdp_steps
                lines.append(
                    f"  {'':<26}STDP A+ {s['A_plus']:.3g} nA = {s['A_plus_steps']:.1f} steps, "
                    f"A- {s['A_minus']:.3g} nA = {s['A_minus_steps']:.1f} steps"
                )
        for title, items in (
            ("Does not fit", self.reasons),
            ("Warnings", self.warnings),
            ("Advice", self.advice),
        ):
            if items:
                lines += ["", f"  {title}:"] + [f"  - {item}" for item in items]
        return "\n".join(lines)


# --------------------------------------------------------------------------- sPyNNaker rules


def n_bits(n_values: int) -> int:
    """Bits to express ``n_values`` values (pacman ``get_n_bits``)."""
    if n_values <= 0:
        return 0
    if n_values == 1:
        return 1
    return int(math.ceil(math.log2(n_values)))


class _RunningStats:
    """sPyNNaker's ``RunningStats`` (pooled mean and variance)."""

    def __init__(self) -> None:
        self.mean = 0.0
        self.mean_2 = 0.0
        self.n = 0

    def add_items(self, mean: float, variance: float, n: int) -> None:
        if n <= 0:
            return
        total = self.n + n
        delta = mean - self.mean
        self.mean_2 = self.mean_2 + variance * (n - 1.0) + delta * delta * self.n * n / total
        self.mean = (self.n * self.mean + n * mean) / total
        self.n = total

    @property
    def variance(self) -> float:
        return 0.0 if self.n <= 1 else self.mean_2 / (self.n - 1.0)


def _gammaincc(a: float, x: float) -> float:
    """Regularised upper incomplete gamma Q(a, x) (series / continued fraction)."""
    if x <= 0:
        return 1.0
    log_prefix = -x + a * math.log(x) - math.lgamma(a)
    if x < a + 1.0:
        term = total = 1.0 / a
        ap = a
        for _ in range(10_000):
            ap += 1.0
            term *= x / ap
            total += term
            if abs(term) < abs(total) * 1e-15:
                break
        return max(0.0, 1.0 - total * math.exp(log_prefix))
    b, c, d = x + 1.0 - a, 1e300, 1.0 / (x + 1.0 - a)
    h = d
    for i in range(1, 10_000):
        an = -i * (i - a)
        b += 2.0
        d = an * d + b
        d = 1e-300 if abs(d) < 1e-300 else d
        c = b + an / c
        c = 1e-300 if abs(c) < 1e-300 else c
        d = 1.0 / d
        step = d * c
        h *= step
        if abs(step - 1.0) < 1e-15:
            break
    return math.exp(log_prefix) * h


def _poisson_upper_bound(
    mean: float, std: float, rate_hz: float, n_synapses: int, sigma: float, steps_per_s: float
) -> float:
    """sPyNNaker's ``_ring_buffer_expected_upper_bound``."""
    lam = n_synapses * rate_hz / steps_per_s
    poisson_variance = lam * mean**2
    upper = int(round(lam + POISSON_SIGMA_SUMMATION_LIMIT * math.sqrt(lam)))
    weight_variance = 0.0
    if std > 0 and lam > 0:
        big_ratio = math.log(lam) * upper - math.lgamma(1 + upper)
        if -701.0 < big_ratio < 701.0 and big_ratio != 0.0:
            inner = math.exp(lam) * _gammaincc(1 + upper, lam) - math.exp(big_ratio)
            if inner > 0:
                weight_variance = math.exp(-lam + math.log(lam) + 2.0 * math.log(std) + math.log(inner))
    return lam * mean + sigma * math.sqrt(poisson_variance + weight_variance)


def ring_buffer_shift(max_weight: float) -> int:
    """Left shift for the largest expected input ``max_weight`` (``get_ring_buffer_shifts``)."""
    if max_weight <= 0:
        return 0
    shift = int(math.ceil(max(0.0, math.log2(max_weight))))
    return shift + 1 if 2**shift <= max_weight else shift


# --------------------------------------------------------------------------- per projection


@dataclass
class _Proj:
    name: str
    pre: str
    post: str
    receptor: str
    pre_ids: np.ndarray
    post_ids: np.ndarray
    weight: np.ndarray
    steps: np.ndarray
    plastic: Any
    native: str  # "OneToOne", "AllToAll" or "FromList"


def _projections(network: Network, dt: float, seed: int) -> list[_Proj]:
    from ..pynn.lowering import lower_connector

    result = []
    for proj in network.projections:
        syn = resolve(proj, seed)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            steps = delay_steps(syn.delay, dt, owner=proj.name) if syn.size else np.zeros(0, np.int64)
        kind = lower_connector(proj.connector, proj, syn, syn.weight, steps * dt).kind
        result.append(
            _Proj(
                proj.name,
                proj.pre.population.name,
                proj.post.population.name,
                proj.receptor,
                syn.pre,
                syn.post,
                syn.weight,
                steps,
                proj.plasticity,
                kind,
            )
        )
    return result


def _max_per_group(keys: np.ndarray) -> int:
    if keys.size == 0:
        return 0
    return int(np.unique(keys, return_counts=True)[1].max())


def _row_synapses(p: _Proj, core_atoms: int, mask: np.ndarray) -> int:
    """Most synapses from one presynaptic neuron onto one postsynaptic core (``mask``ed)."""
    if not np.any(mask):
        return 0
    if p.native == "OneToOne":
        return 1
    if p.native == "AllToAll":
        return core_atoms
    pre, core = p.pre_ids[mask], p.post_ids[mask] // core_atoms
    return _max_per_group(pre * (int(core.max()) + 1) + core)


def _row_words(n: int, plastic: bool) -> int:
    if n == 0:
        return 0
    if not plastic:
        return n
    return (n + 1) // 2 + math.ceil((8 + 2 * n) / 4)


def _align16(address: int) -> int:
    return (address + 15) // 16 * 16


# --------------------------------------------------------------------------- main


def _check_positive_int(name: str, value: Any, low: int = 1, high: int = 10**6) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not low <= int(value) <= high:
        raise IRValidationError("estimate", name, value, f"an integer in [{low}, {high}]")
    return int(value)


def estimate_spinnaker(
    network: Network,
    *,
    duration: float = 1000.0,
    dt: float | None = None,
    version: int = 5,
    boards: int = 1,
    neurons_per_core: int | dict = DEFAULT_NEURONS_PER_CORE,
    time_scale_factor: float | None = None,
    rate_hz: float | dict | None = None,
    spikes_per_second: float = DEFAULT_SPIKES_PER_SECOND,
    ring_buffer_sigma: float = DEFAULT_RING_BUFFER_SIGMA,
    record_v: bool = False,
    seed: int = 0,
) -> SpiNNakerEstimate:
    """Estimate what ``network`` needs on SpiNNaker, offline.

    Parameters
    ----------
    network : Network
        The network.
    duration : float
        Run length (ms), for recording SDRAM.
    dt : float, optional
        Time step (ms); default the network's. sPyNNaker runs 1.0 or 0.1 ms.
    version : {3, 5}
        Board version: SpiNN-3 (4 chips) or SpiNN-5 (48 chips).
    boards : int
        Boards available (SpiNN-5; a SpiNN-3 is one board).
    neurons_per_core : int or dict
        Largest slice per core (default 256, sPyNNaker's maximum for LIF models), for all
        neuron populations or per population name.
    time_scale_factor : float, optional
        Slow-down of the board; default sPyNNaker's: 1.
    rate_hz : float or dict, optional
        Expected firing rate (Hz) of every population, or per population, for the load
        estimate behind the time-scale-factor advice; default ``spikes_per_second``.
    spikes_per_second : float
        sPyNNaker's planning rate (cfg ``[Simulation] spikes_per_second``, 30 Hz).
    ring_buffer_sigma : float
        sPyNNaker's ``ring_buffer_sigma`` (5).
    record_v : bool
        Whether membrane potentials are recorded (SDRAM).
    seed : int
        Compile seed (random connectors), as for the backend.

    Returns
    -------
    SpiNNakerEstimate

    Raises
    ------
    IRValidationError
        For a bad argument.
    """
    if not isinstance(network, Network):
        raise IRValidationError("estimate", "network", type(network).__name__, "a spikemem.ir.Network")
    dt = float(network.dt if dt is None else dt)
    if version not in CHIPS_PER_BOARD:
        raise IRValidationError("estimate", "version", version, "3 (SpiNN-3) or 5 (SpiNN-5)")
    boards = 1 if version == 3 else _check_positive_int("boards", boards, 1, 1200)
    tsf = 1.0 if time_scale_factor is None else float(time_scale_factor)
    if not tsf >= 1:
        raise IRValidationError("estimate", "time_scale_factor", time_scale_factor, "a number >= 1")
    npc = _npc(network, neurons_per_core)
    atoms = _atoms_per_core(network, npc)
    rates = _rates(network, rate_hz, spikes_per_second)
    n_steps = max(1, int(round(duration / dt)))
    split = dt < 1.0
    reasons: list[str] = []
    warns: list[str] = []
    advice: list[str] = []
    _dt_advice(network, dt, tsf, reasons, advice)

    projs = _projections(network, dt, seed)
    incoming: dict[str, list[_Proj]] = {p.name: [] for p in network.populations}
    for p in projs:
        incoming[p.post].append(p)
    sizes = {p.name: p.size for p in network.populations}

    pops: list[PopulationEstimate] = []
    delay_ext: dict[str, int] = {}
    for pop in network.populations:
        core = atoms[pop.name]
        if is_source(pop.cell):
            spikes = _expected_source_spikes(pop, duration)
            recording = 4 * (1 + math.ceil(core / 32)) * n_steps
            pops.append(
                PopulationEstimate(
                    name=pop.name,
                    size=pop.size,
                    kind="source",
                    neurons_per_core=core,
                    neuron_cores=math.ceil(pop.size / core),
                    recording_bytes=recording,
                    sdram_bytes=int(
                        SOURCE_CORE_BYTES + SOURCE_SPIKE_BYTES * spikes * core / pop.size + recording
                    ),
                )
            )
            continue
        if not isinstance(pop.cell, (IF_curr_exp, IF_curr_delta)):
            reasons.append(
                f"population {pop.name!r}: cell type {type(pop.cell).__name__} has no sPyNNaker model"
            )
            continue
        est = PopulationEstimate(
            name=pop.name,
            size=pop.size,
            kind="neuron",
            neurons_per_core=core,
            neuron_cores=math.ceil(pop.size / core),
        )
        _delays(est, incoming[pop.name], dt, atoms, sizes, delay_ext, reasons)
        est.synaptic_matrix_bytes = _matrix_bytes(est, incoming[pop.name], atoms, sizes, reasons)
        if split and incoming[pop.name]:
            est.synapse_cores = est.neuron_cores * _synapse_cores(
                pop.name, incoming[pop.name], core, sizes, spikes_per_second, tsf, warns
            )
        est.recording_bytes = (4 * (1 + math.ceil(core / 32)) + (4 * core if record_v else 0)) * n_steps
        neuron_core = NEURON_CORE_BYTES + NEURON_BYTES * core + est.recording_bytes
        if est.synapse_cores:
            est.sdram_bytes = max(est.synaptic_matrix_bytes + SYNAPSE_CORE_BYTES, neuron_core)
        else:
            est.sdram_bytes = est.synaptic_matrix_bytes + neuron_core
        pops.append(est)
    for est in pops:
        est.delay_extension_cores = delay_ext.get(est.name, 0)

    quant = _quantisation(network, projs, dt, spikes_per_second, ring_buffer_sigma, warns)
    load_tsf = _load(network, projs, rates, atoms, split, tsf, advice, warns)
    n_cores, n_chips = _pack(pops, split)
    chips_available = CHIPS_PER_BOARD[version] * boards
    n_boards = max(1, math.ceil(n_chips / CHIPS_PER_BOARD[version]))
    if n_chips > chips_available:
        reasons.append(
            f"{n_cores} cores need {n_chips} chips, {chips_available} available "
            f"({boards} x {'SpiNN-3' if version == 3 else 'SpiNN-5'}); "
            + (f"ask spalloc for {n_boards} boards" if version == 5 else "use a SpiNN-5 board")
        )
    for est in pops:
        if est.sdram_bytes > SDRAM_PER_CHIP - SYSTEM_SDRAM_PER_CHIP:
            reasons.append(
                f"population {est.name!r}: one core needs {est.sdram_bytes / 2**20:.1f} MiB of SDRAM, "
                f"a chip has {SDRAM_PER_CHIP / 2**20:.1f} MiB; lower neurons_per_core"
            )
    return SpiNNakerEstimate(
        network=network.name,
        dt=dt,
        version=version,
        boards=boards,
        time_scale_factor=tsf,
        recommended_time_scale_factor=load_tsf,
        split_cores=split,
        populations=pops,
        projections=quant,
        n_cores=n_cores,
        n_chips=n_chips,
        n_boards_needed=n_boards,
        chips_available=chips_available,
        fits=not reasons,
        reasons=reasons,
        warnings=warns,
        advice=advice,
    )


def _npc(network: Network, value: Any) -> dict[str, int]:
    names = [p.name for p in network.populations if not is_source(p.cell)]
    if isinstance(value, dict):
        for name, count in value.items():
            if name not in {p.name for p in network.populations}:
                raise IRValidationError("estimate", "neurons_per_core", name, "population names")
            _check_positive_int(
                f"neurons_per_core[{name!r}]", count, 1, DEFAULT_NEURONS_PER_CORE if name in names else 10**8
            )
        return dict(value)
    count = _check_positive_int("neurons_per_core", value, 1, DEFAULT_NEURONS_PER_CORE)
    return {name: count for name in names}


def _expected_source_spikes(pop: Any, duration: float) -> float:
    from ...ir import SpikeSourceArray

    if isinstance(pop.cell, SpikeSourceArray):
        return float(pop.cell.times.size)
    rate = np.broadcast_to(np.asarray(pop.cell.rate, dtype=float), (pop.size,))
    return float(rate.sum() * min(duration, pop.cell.duration) / 1000.0)


def _atoms_per_core(network: Network, npc: dict) -> dict[str, int]:
    """Neurons per core of every population: neuron populations at most 256 (or as asked),
    spike sources all on one core unless asked otherwise."""
    result = {}
    for pop in network.populations:
        default = pop.size if is_source(pop.cell) else DEFAULT_NEURONS_PER_CORE
        result[pop.name] = max(1, min(npc.get(pop.name, default), pop.size))
    return result


def _rates(network: Network, value: Any, default: float) -> dict[str, float]:
    if value is None:
        return {p.name: default for p in network.populations}
    if isinstance(value, dict):
        return {p.name: float(value.get(p.name, default)) for p in network.populations}
    return {p.name: float(value) for p in network.populations}


def _dt_advice(network: Network, dt: float, tsf: float, reasons: list, advice: list) -> None:
    if math.isclose(dt, 1.0):
        advice.append("dt = 1.0 ms: sPyNNaker's native step; runs in real time at time scale factor 1")
    elif math.isclose(dt, 0.1):
        advice.append(
            "dt = 0.1 ms: sPyNNaker 7.4 splits neuron and synapse cores; the hardware tick is "
            f"dt x time scale factor = {dt * tsf:g} ms (>= {MIN_TICK_MS} ms needed)"
        )
    else:
        reasons.append(
            f"dt = {dt:g} ms is not a SpiNNaker time step: use 1.0 ms, or 0.1 ms with a time scale factor"
        )
    if dt * tsf < MIN_TICK_MS - 1e-12:
        reasons.append(
            f"dt x time scale factor = {dt * tsf:g} ms < {MIN_TICK_MS} ms: the board cannot tick that fast"
        )
    if network.numerics != "spinnaker":
        advice.append(
            "the network uses 'exact' numerics; the board computes 'spinnaker' numerics "
            "(run numba with numerics='spinnaker' to preview them)"
        )


def _delays(
    est: PopulationEstimate,
    incoming: list[_Proj],
    dt: float,
    atoms: dict,
    sizes: dict,
    delay_ext: dict,
    reasons: list,
) -> None:
    slots = 2 ** (MAX_RING_BUFFER_BITS - n_bits(est.neurons_per_core) - n_bits(2))
    longest = max((int(p.steps.max()) for p in incoming if p.steps.size), default=0)
    est.max_delay_steps = longest
    est.delay_slots = min(2 ** n_bits(longest), slots) if longest else slots
    supported = est.delay_slots
    for p in incoming:
        if not p.steps.size or int(p.steps.max()) <= supported:
            continue
        if int(p.steps.max()) > supported * (1 + DELAY_EXTENSION_SLOTS):
            reasons.append(
                f"projection {p.name!r}: delay {int(p.steps.max()) * dt:g} ms exceeds the "
                f"{supported * (1 + DELAY_EXTENSION_SLOTS) * dt:g} ms a delay extension supports"
            )
        delay_ext[p.pre] = max(delay_ext.get(p.pre, 0), math.ceil(sizes[p.pre] / atoms[p.pre]))


def _matrix_bytes(
    est: PopulationEstimate, incoming: list[_Proj], atoms: dict, sizes: dict, reasons: list
) -> int:
    address = 8
    supported = est.delay_slots
    for p in incoming:
        plastic = p.plastic is not None
        undelayed = p.steps <= supported
        n_und = _row_synapses(p, est.neurons_per_core, undelayed)
        n_del = _row_synapses(p, est.neurons_per_core, ~undelayed)
        pre_atoms = atoms[p.pre]
        pre_cores = math.ceil(sizes[p.pre] / pre_atoms)
        stages = max(0, math.ceil(int(p.steps.max()) / supported) - 1) if p.steps.size else 0
        for n, repeat in ((n_und, 1), (n_del, stages)):
            words = _row_words(n, plastic)
            if words > MAX_ROW_WORDS:
                reasons.append(
                    f"projection {p.name!r}: {n} synapses from one neuron onto one core need "
                    f"{words} words per row, sPyNNaker allows {MAX_ROW_WORDS}; lower neurons_per_core "
                    f"of {p.post!r}"
                )
            if words:
                for _ in range(pre_cores):
                    address = _align16(address) + pre_atoms * (words + 3) * 4 * repeat
    return address


def _synapse_cores(
    name: str, incoming: list[_Proj], atoms: int, sizes: dict, sps: float, tsf: float, warns: list
) -> int:
    per_pre: dict[str, int] = {}
    for p in incoming:
        n = _row_synapses(p, atoms, np.ones(p.pre_ids.size, dtype=bool))
        per_pre[p.pre] = per_pre.get(p.pre, 0) + math.ceil(n * sps * sizes[p.pre])
    plastic = any(p.plastic is not None for p in incoming)
    capacity = (STDP_SYNAPSES_PER_S if plastic else STATIC_SYNAPSES_PER_S) * tsf
    cores = math.ceil(sum(per_pre.values()) / capacity)
    max_cores = CORES_PER_CHIP - 3
    if cores > max_cores:
        warns.append(
            f"population {name!r} would need {cores} synapse cores per slice, at most {max_cores} fit "
            "next to its neuron core; raise the time scale factor"
        )
        cores = max_cores
    return max(cores, 1)


def _quantisation(
    network: Network, projs: list[_Proj], dt: float, sps: float, sigma: float, warns: list
) -> list[ProjectionQuantisation]:
    steps_per_s = 1000.0 / dt
    spikes_per_tick = max(1.0, sps / steps_per_s)
    groups: dict[tuple[str, str], list[_Proj]] = {}
    for p in projs:
        groups.setdefault((p.post, p.receptor), []).append(p)
    shifts = {}
    for key, members in groups.items():
        totals, delays, rates = _RunningStats(), _RunningStats(), _RunningStats()
        total_weight = biggest = 0.0
        for p in members:
            w = np.abs(p.weight)
            if not w.size:
                continue
            n_conns = (
                1
                if p.native == "OneToOne"
                else (
                    sizes_pre(network, p.pre)
                    if p.native == "AllToAll"
                    else int(np.bincount(p.post_ids).max())
                )
            )
            w_max = float(w.max())
            if p.plastic is not None:
                w_max = max(w_max, p.plastic.weight.w_max)
            totals.add_items(float(w.mean()), float(w.var()), n_conns)
            delays.add_items(0.0, float(np.var(p.steps * dt)), n_conns)
            rates.add_items(sps, 0.0, n_conns)
            biggest = max(biggest, w_max)
            total_weight += spikes_per_tick * w_max * n_conns
        if delays.variance == 0.0:
            max_w = max(total_weight, biggest)
        else:
            bound = _poisson_upper_bound(
                totals.mean, math.sqrt(totals.variance), rates.mean, totals.n, sigma, steps_per_s
            )
            max_w = max(min(bound, total_weight), biggest)
        shifts[key] = ring_buffer_shift(max_w)
    result = []
    for p in projs:
        shift = shifts[(p.post, p.receptor)]
        scale = 2.0 ** (15 - shift)
        w = np.abs(p.weight)
        q = np.rint(w * scale) / scale
        nonzero = w > 0
        to_zero = nonzero & (q == 0)
        kept = nonzero & ~to_zero
        rel = float(np.max(np.abs(q[kept] - w[kept]) / w[kept])) if np.any(kept) else 0.0
        stdp = None
        if p.plastic is not None:
            a_plus, a_minus = p.plastic.scaled_amplitudes
            if isinstance(p.plastic.weight, Multiplicative):
                a_plus, a_minus = a_plus * p.plastic.weight.w_max, a_minus * p.plastic.weight.w_max
            stdp = {
                "A_plus": a_plus,
                "A_minus": a_minus,
                "A_plus_steps": a_plus * scale,
                "A_minus_steps": a_minus * scale,
            }
            for label, value in (("A_plus", a_plus), ("A_minus", a_minus)):
                if 0 < value * scale < 1:
                    warns.append(
                        f"projection {p.name!r}: STDP {label} = {value:.3g} nA is below one weight step "
                        f"({1 / scale:.3g} nA); single-pair updates are lost on the board"
                    )
        if int(to_zero.sum()):
            warns.append(
                f"projection {p.name!r}: {int(to_zero.sum())} of {int(nonzero.sum())} non-zero weights "
                f"round to zero (weight step {1 / scale:.3g} nA on {p.post}/{p.receptor})"
            )
        result.append(
            ProjectionQuantisation(
                projection=p.name,
                post=p.post,
                receptor=p.receptor,
                shift=shift,
                resolution=1.0 / scale,
                max_weight=65535.0 / scale,
                n_synapses=int(w.size),
                n_zero=int((~nonzero).sum()),
                n_round_to_zero=int(to_zero.sum()),
                max_relative_error=rel,
                max_abs_error=float(np.max(np.abs(q - w))) if w.size else 0.0,
                stdp_steps=stdp,
            )
        )
    return result


def sizes_pre(network: Network, name: str) -> int:
    """Size of population ``name``."""
    return network.population(name).size


def _load(
    network: Network,
    projs: list[_Proj],
    rates: dict,
    atoms_per_core: dict,
    split: bool,
    tsf: float,
    advice: list,
    warns: list,
) -> float:
    """Time scale factor at which every core keeps up with its expected synaptic events."""
    worst, worst_name = 0.0, ""
    for pop in network.populations:
        if is_source(pop.cell):
            continue
        atoms = atoms_per_core[pop.name]
        load = 0.0
        plastic = False
        for p in projs:
            if p.post != pop.name or not p.pre_ids.size:
                continue
            plastic = plastic or p.plastic is not None
            per_core = np.bincount(p.post_ids // atoms).max()
            load += rates[p.pre] * float(per_core)
        capacity = STDP_SYNAPSES_PER_S if plastic else STATIC_SYNAPSES_PER_S
        need = load / capacity
        if need > worst:
            worst, worst_name = need, pop.name
    recommended = max(1.0, float(math.ceil(worst))) if not split else 1.0
    if worst > 0:
        advice.append(
            f"expected synaptic events: up to {worst * 100:.1f} % of one core's throughput at time scale "
            f"factor 1 (population {worst_name!r}; rates from rate_hz, default 30 Hz)"
        )
    if not split and worst > tsf:
        warns.append(
            f"population {worst_name!r}: synaptic load {worst:.2f} x a core's throughput; use "
            f"time_scale_factor >= {recommended:g} or fewer neurons per core"
        )
    return recommended


def _pack(pops: list[PopulationEstimate], split: bool) -> tuple[int, int]:
    """Cores and chips, packing cores chip by chip (a slice and its synapse cores together)."""
    groups: list[int] = []
    for est in pops:
        per_slice = 1 + (est.synapse_cores // est.neuron_cores if split and est.synapse_cores else 0)
        groups += [per_slice] * est.neuron_cores
        groups += [1] * est.delay_extension_cores
    chips, free = 1, APP_CORES_PER_CHIP - 1
    for size in groups:
        if size > free:
            chips += 1
            free = APP_CORES_PER_CHIP - (1 if (chips - 1) % 48 == 0 else 0)
        free -= size
    total = sum(groups)
    return total, (chips if total else 0)
