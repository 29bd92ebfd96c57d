"""Memory a Numba run needs, estimated before anything large is allocated (numpy only).

:func:`estimate_memory` adds up, item by item, what the engine will hold: the synapse table
(bytes per synapse from the real dtypes), the transient peak of building it, the neuron table,
the run state and ring buffer, STDP tables, the host-drawn source spikes, the recorded spikes
(at a stated firing rate, ``rate_hz``) and the sampled state (exactly). The Numba backend uses
it twice: :func:`check_compile_memory` before the synapses are drawn and
:func:`check_run_memory` before a run allocates its buffers; both raise
:class:`~spikemem.ir.MemoryBudgetError` naming the biggest consumer and what to change when
the estimate exceeds the memory available (:func:`spikemem.ir.memory.available_bytes`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ...ir import memory as ir_memory
from ...ir.cells import SpikeSourceArray, SpikeSourcePoisson, per_neuron
from ...ir.dendrites import DendriticNeuron
from ...ir.errors import IRValidationError, MemoryBudgetError
from ...ir.network import Network
from ...ir.record import RecordSpec
from ...ir.schedule import Schedule

__all__ = [
    "DEFAULT_RATE_HZ",
    "WEIGHT_DTYPES",
    "MemoryEstimate",
    "MemoryItem",
    "check_compile_memory",
    "check_run_memory",
    "check_weight_dtype",
    "estimate_memory",
    "synapse_bytes",
]

WEIGHT_DTYPES = ("float64", "float32")
"""Weight storage of the synapse table (``weight_dtype`` compile option)."""

DEFAULT_RATE_HZ = 30.0
"""Firing rate (Hz) assumed for the recorded spikes of dynamic neurons (the recorded spikes
are the only item not known in advance)."""

TABLE_BYTES_PER_SYNAPSE = 4 + 4 + 8
"""Bytes of one synapse of the run table besides its weight: int32 target, int32 delay and the
int64 position kept per projection (``SynapseTable.projection_slots``)."""

BUILD_BYTES_PER_SYNAPSE = 32
"""Transient peak of drawing and sorting the synapses, above the finished table (bytes per
synapse): 21.6 measured with ``tracemalloc`` on CUBA (fan-out 80, two projections) at 65 536
neurons, rounded up for the allocator; the int64 keys of all synapses and their sort order
dominate."""

PLASTIC_BYTES_PER_SYNAPSE = 8 * 4 + 8 * 2
"""Bytes of one plastic synapse in the STDP tables: its slot and partner by pre and by post
(int64) and its resolved (pre, post) pair (int64)."""

NEURON_TABLE_BYTES = 14 * 8
"""Bytes per dynamic neuron of the neuron table (13 float64 constants and a flag)."""

STATE_BYTES = 3 * 8 + 4 + 4
"""Bytes per dynamic neuron of the run state: V, the two currents (float64), the refractory
counter and the parallel scratch (int32)."""

SPIKE_BYTES = 2 * (8 + 4) + 8 + 8 + 8 + 4
"""Bytes per recorded spike: the buffer (int64 step, int32 id), up to twice the spikes as it
grows by doubling, and the per-population sorted copies with their sort order."""

SOURCE_SPIKE_BYTES = 48
"""Bytes per host-drawn source spike at the peak of drawing them (steps and ids, int64, and the
keys that merge duplicates); 16 of them stay for the run."""

POISSON_DRAW_BYTES = 2**22 * 9
"""The Poisson sources' chunk of uniform draws (float64) and hits (bool)."""


@dataclass(frozen=True)
class MemoryItem:
    """One consumer of memory.

    Attributes
    ----------
    name : str
        What holds the memory (``"synapse table"``, ``"sampled state"``, ...).
    nbytes : float
        Estimated bytes.
    stage : str
        ``"compile"`` (held from compilation on) or ``"run"`` (allocated by each run).
    detail : str
        How the number was reached.
    advice : str
        What to change to make it smaller.
    """

    name: str
    nbytes: float
    stage: str
    detail: str
    advice: str


@dataclass(frozen=True)
class MemoryEstimate:
    """The memory a compiled network and one run of it need, item by item (bytes).

    Attributes
    ----------
    items : tuple of MemoryItem
        The consumers.
    synapses : float
        Synapses of the run table (expected number, for random connectors).
    bytes_per_synapse : float
        Bytes of one synapse in the run table (target, delay, weight, projection position).
    available : int
        Memory available when the estimate was made (bytes).
    duration_ms : float
        Length of the run estimated (ms).
    rate_hz : float
        Firing rate assumed for recorded spikes of dynamic neurons (Hz).
    """

    items: tuple[MemoryItem, ...]
    synapses: float
    bytes_per_synapse: float
    available: int
    duration_ms: float
    rate_hz: float

    def total(self, stage: str | None = None) -> float:
        """Bytes of every item (of ``stage`` only, when given)."""
        return float(sum(item.nbytes for item in self.items if stage in (None, item.stage)))

    def biggest(self, stage: str | None = None) -> MemoryItem:
        """The item with the most bytes (of ``stage`` only, when given)."""
        return max((item for item in self.items if stage in (None, item.stage)), key=lambda item: item.nbytes)

    @property
    def fits(self) -> bool:
        """Whether the whole estimate fits in the memory available."""
        return self.total() <= self.available

    def table(self) -> str:
        """A text table of the items, the total and the memory available."""
        lines = [f"{'item':<22}{'stage':<9}{'MiB':>12}  detail"]
        for item in self.items:
            lines.append(f"{item.name:<22}{item.stage:<9}{item.nbytes / 2**20:>12.1f}  {item.detail}")
        lines.append(f"{'total':<31}{self.total() / 2**20:>12.1f}")
        lines.append(f"{'available':<31}{self.available / 2**20:>12.1f}")
        lines.append(
            f"{self.synapses:.4g} synapses at {self.bytes_per_synapse:g} bytes each; recorded spikes at "
            f"{self.rate_hz:g} Hz over {self.duration_ms:g} ms; "
            + (
                "fits"
                if self.fits
                else f"does NOT fit: biggest is {self.biggest().name} ({self.biggest().advice})"
            )
        )
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON."""
        return {
            "items": [
                {"name": i.name, "bytes": int(i.nbytes), "stage": i.stage, "detail": i.detail}
                for i in self.items
            ],
            "total_bytes": int(self.total()),
            "available_bytes": int(self.available),
            "synapses": float(self.synapses),
            "bytes_per_synapse": float(self.bytes_per_synapse),
            "duration_ms": float(self.duration_ms),
            "rate_hz": float(self.rate_hz),
            "fits": self.fits,
        }


def check_weight_dtype(weight_dtype: object) -> str:
    """``weight_dtype`` as one of :data:`WEIGHT_DTYPES`.

    Raises
    ------
    IRValidationError
        Naming the value and the allowed ones.
    """
    name = getattr(weight_dtype, "__name__", weight_dtype)
    if isinstance(weight_dtype, np.dtype):
        name = weight_dtype.name
    if name not in WEIGHT_DTYPES:
        raise IRValidationError(
            "compile", "weight_dtype", weight_dtype, " or ".join(repr(d) for d in WEIGHT_DTYPES)
        )
    return str(name)


def synapse_bytes(table: Any) -> float:
    """Bytes of one synapse of a built :class:`~spikemem.lowering.SynapseTable` (target,
    delay, weight and projection position, from their real dtypes)."""
    slot_bytes = max((slots.itemsize for slots in table.projection_slots.values()), default=8)
    return float(table.target.itemsize + table.delay.itemsize + table.weight.itemsize + slot_bytes)


def estimate_memory(
    network: Network,
    schedule: Schedule | None = None,
    *,
    duration: float | None = None,
    dt: float | None = None,
    record: RecordSpec | None = None,
    weight_dtype: str = "float64",
    rate_hz: float = DEFAULT_RATE_HZ,
) -> MemoryEstimate:
    """The memory the Numba engine needs to compile ``network`` and run ``schedule`` (or one
    phase of ``duration`` ms).

    Parameters
    ----------
    network : Network
        The network.
    schedule : Schedule, optional
        The run; ``None`` with ``duration`` for a single phase.
    duration : float, optional
        Run length (ms) without a schedule.
    dt : float, optional
        Time step (ms); default the network's.
    record : RecordSpec, optional
        What the run records (default: every population's spikes, no state).
    weight_dtype : str
        ``"float64"`` (default) or ``"float32"``.
    rate_hz : float
        Firing rate (Hz) assumed for the recorded spikes of dynamic neurons.

    Returns
    -------
    MemoryEstimate
        The items, from the connectors' expected synapse counts (nothing is drawn).
    """
    weight_dtype = check_weight_dtype(weight_dtype)
    dt = network.dt if dt is None else float(dt)
    record = RecordSpec() if record is None else record
    length = float(schedule.duration if schedule is not None else (duration or 0.0))  # ms
    n_steps = int(round(length / dt))
    sizes = {p.name: p.size for p in network.populations}
    dynamic = {
        p.name: p.size
        for p in network.populations
        if not isinstance(p.cell, (SpikeSourceArray, SpikeSourcePoisson, DendriticNeuron))
    }
    n_total, n_dyn = sum(sizes.values()), sum(dynamic.values())
    synapses = plastic_synapses = 0.0
    plastic_projections = 0
    max_delay = 1
    for proj in network.projections:
        count = ir_memory.expected_synapses(proj.connector, proj.pre.size, proj.post.size)
        synapses += count
        if proj.plastic:
            plastic_synapses += count
            plastic_projections += 1
        max_delay = max(max_delay, int(np.floor(float(np.max(proj.delay)) / dt + 0.5)))
    w_bytes = np.dtype(weight_dtype).itemsize
    per_synapse = TABLE_BYTES_PER_SYNAPSE + w_bytes
    src_spikes = _source_spike_count(network, schedule, length)
    seconds = length * 1e-3
    recorded = [name for name in sizes if record.spikes is None or name in record.spikes]
    rec_spikes = sum(dynamic[name] * rate_hz * seconds for name in recorded if name in dynamic)
    rec_spikes += src_spikes * (sum(sizes[n] for n in recorded if n not in dynamic) / max(1, n_total - n_dyn))
    n_samples = (n_steps + record.state_every - 1) // record.state_every
    sampled = sum(sizes[name] * len(variables) for name, variables in record.state.items())
    w_copy = synapses * w_bytes if plastic_projections else 0.0
    items = (
        MemoryItem(
            "synapse table",
            synapses * per_synapse + 8.0 * (n_total + 1),
            "compile",
            f"{synapses:.4g} synapses x {per_synapse} B "
            f"(int32 target and delay, {weight_dtype} weight, int64 position)",
            "use fewer neurons or a sparser connector, or weight_dtype='float32'",
        ),
        MemoryItem(
            "synapse build",
            synapses * BUILD_BYTES_PER_SYNAPSE,
            "compile",
            f"transient while drawing and sorting: {BUILD_BYTES_PER_SYNAPSE} B per synapse",
            "use fewer neurons or a sparser connector",
        ),
        MemoryItem(
            "neuron table",
            float(n_dyn * NEURON_TABLE_BYTES),
            "compile",
            f"{n_dyn} dynamic neurons x {NEURON_TABLE_BYTES} B",
            "use fewer neurons",
        ),
        MemoryItem(
            "STDP tables",
            plastic_synapses * PLASTIC_BYTES_PER_SYNAPSE + 16.0 * plastic_projections * (n_total + 1),
            "compile",
            f"{plastic_synapses:.4g} plastic synapses x {PLASTIC_BYTES_PER_SYNAPSE} B",
            "make fewer projections plastic",
        ),
        MemoryItem(
            "run state",
            float(n_dyn * STATE_BYTES + 5 * n_total + 48 * plastic_projections * n_total),
            "run",
            f"{n_dyn} neurons x {STATE_BYTES} B, spike scratch, STDP traces",
            "use fewer neurons",
        ),
        MemoryItem(
            "ring buffer",
            8.0 * (max_delay + 1) * 2 * n_dyn,
            "run",
            f"{max_delay + 1} slots x {2 * n_dyn} float64 inputs",
            "use shorter delays or a larger dt",
        ),
        MemoryItem(
            "weight copy",
            w_copy,
            "run",
            "plastic weights start each run from the compiled ones",
            "use weight_dtype='float32' or fewer plastic projections",
        ),
        MemoryItem(
            "source spikes",
            src_spikes * SOURCE_SPIKE_BYTES + (POISSON_DRAW_BYTES if src_spikes else 0),
            "run",
            f"{src_spikes:.4g} spikes x {SOURCE_SPIKE_BYTES} B while drawn",
            "run shorter or give the spike sources lower rates",
        ),
        MemoryItem(
            "recorded spikes",
            rec_spikes * SPIKE_BYTES,
            "run",
            f"{rec_spikes:.4g} spikes (dynamic neurons at {rate_hz:g} Hz) x {SPIKE_BYTES} B",
            "record the spikes of fewer populations (RecordSpec.spikes) or run shorter",
        ),
        MemoryItem(
            "sampled state",
            8.0 * n_samples * sampled + 24.0 * sampled,
            "run",
            f"{n_samples} samples x {sampled} neuron-variables x 8 B",
            "record fewer variables or populations (RecordSpec.state), sample less often "
            "(RecordSpec.state_every) or run shorter",
        ),
    )
    return MemoryEstimate(
        items=items,
        synapses=synapses,
        bytes_per_synapse=float(per_synapse),
        available=int(ir_memory.available_bytes()),
        duration_ms=length,
        rate_hz=float(rate_hz),
    )


def _source_spike_count(network: Network, schedule: Schedule | None, length: float) -> float:
    """Spikes of the spike sources and of the stimuli of ``schedule`` in a run of ``length`` ms
    (Poisson ones: their mean)."""
    total = 0.0
    for pop in network.populations:
        if isinstance(pop.cell, SpikeSourceArray):
            total += pop.cell.times.size
        elif isinstance(pop.cell, SpikeSourcePoisson):
            active = max(0.0, min(length, pop.cell.start + pop.cell.duration) - pop.cell.start)
            total += float(np.sum(per_neuron(pop.cell.rate, pop.size))) * active * 1e-3
    for phase in schedule.phases if schedule is not None else ():
        total += sum(stimulus.times.size for stimulus in phase.stimuli)
    return total


def _refuse(estimate: MemoryEstimate, stage: str, need: float) -> None:
    """Raise :class:`MemoryBudgetError` when ``need`` bytes exceed the memory available."""
    if need <= estimate.available:
        return
    big = estimate.biggest(stage)
    raise MemoryBudgetError(
        f"the numba backend needs about {need / 2**30:.3g} GiB to {stage} this network but "
        f"{estimate.available / 2**30:.3g} GiB are available; the biggest consumer is {big.name} "
        f"({big.nbytes / 2**30:.3g} GiB: {big.detail}): {big.advice}. "
        "See `spikemem estimate CONFIG --target numba` for every item."
    )


def check_compile_memory(
    network: Network, schedule: Schedule | None, *, dt: float, weight_dtype: str
) -> MemoryEstimate:
    """Refuse, before any synapse is drawn, a network whose tables cannot fit in memory.

    Raises
    ------
    MemoryBudgetError
        Naming the biggest consumer and what to change.
    """
    estimate = estimate_memory(network, schedule, dt=dt, weight_dtype=weight_dtype)
    _refuse(estimate, "compile", estimate.total("compile"))
    return estimate


def check_run_memory(runnable: Any, schedule: Schedule) -> MemoryEstimate:
    """Refuse, before its buffers are allocated, a run whose state, recordings and source spikes
    cannot fit in the memory still available (the compiled tables are already held).

    Raises
    ------
    MemoryBudgetError
        Naming the biggest consumer and what to change.
    """
    weight = runnable.layout.synapses.weight
    estimate = estimate_memory(
        runnable.network,
        schedule,
        dt=runnable.options.dt,
        record=runnable.record,
        weight_dtype=weight.dtype.name if weight.dtype.name in WEIGHT_DTYPES else "float64",
    )
    _refuse(estimate, "run", estimate.total("run"))
    return estimate
