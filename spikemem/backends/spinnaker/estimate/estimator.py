"""`estimate_spinnaker`: a network's cores, chips, SDRAM and weights on SpiNNaker, offline."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ....ir import IF_curr_delta, IF_curr_exp, SpikeSourceArray
from ....ir.cells import is_source
from ....ir.errors import IRValidationError
from ....ir.network import Network
from ..constraints import atoms_per_core, check_neurons_per_core, check_time_scale_factor
from .load import dt_advice, load_time_scale_factor, pack_cores
from .report import PopulationEstimate, SpiNNakerEstimate
from .rules import (
    CHIPS_PER_BOARD,
    DEFAULT_RING_BUFFER_SIGMA,
    DEFAULT_SPIKES_PER_SECOND,
    NEURON_BYTES,
    NEURON_CORE_BYTES,
    SDRAM_PER_CHIP,
    SOURCE_CORE_BYTES,
    SOURCE_SPIKE_BYTES,
    SYNAPSE_CORE_BYTES,
    SYSTEM_SDRAM_PER_CHIP,
)
from .synapses import ProjectionSynapses, matrix_bytes, plan_delays, projection_synapses, synapse_cores
from .weights import quantise_weights

__all__ = ["estimate_spinnaker"]


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
    neurons_per_core: int | dict | None = None,
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
    neurons_per_core : int, dict or None
        Largest slice per core (neurons), as the ``spinnaker`` backend takes it
        (:func:`~spikemem.backends.spinnaker.constraints.check_neurons_per_core`): one integer in
        [1, 256] for every population, or per population name; ``None`` takes sPyNNaker's
        defaults (256 for neurons, 256 being its maximum for LIF models; a spike source on one
        core).
    time_scale_factor : float, optional
        Slow-down of the board, in [1, 10000]; default sPyNNaker's: 1.
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
    check_time_scale_factor(time_scale_factor, owner="estimate")
    tsf = 1.0 if time_scale_factor is None else float(time_scale_factor)
    atoms = atoms_per_core(network, check_neurons_per_core(network, neurons_per_core, owner="estimate"))
    rates = _rates(network, rate_hz, spikes_per_second)
    n_steps = max(1, int(round(duration / dt)))
    split = dt < 1.0
    reasons: list[str] = []
    warns: list[str] = []
    advice: list[str] = []
    dt_advice(network, dt, tsf, reasons, advice)

    projs = projection_synapses(network, dt, seed)
    incoming: dict[str, list[ProjectionSynapses]] = {p.name: [] for p in network.populations}
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
        plan_delays(est, incoming[pop.name], dt, atoms, sizes, delay_ext, reasons)
        est.synaptic_matrix_bytes = matrix_bytes(est, incoming[pop.name], atoms, sizes, reasons)
        if split and incoming[pop.name]:
            est.synapse_cores = est.neuron_cores * synapse_cores(
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

    quant = quantise_weights(network, projs, dt, spikes_per_second, ring_buffer_sigma, warns)
    load_tsf = load_time_scale_factor(network, projs, rates, atoms, split, tsf, advice, warns)
    n_cores, n_chips = pack_cores(pops, split)
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


def _expected_source_spikes(pop: Any, duration: float) -> float:
    if isinstance(pop.cell, SpikeSourceArray):
        return float(pop.cell.times.size)
    rate = np.broadcast_to(np.asarray(pop.cell.rate, dtype=float), (pop.size,))
    return float(rate.sum() * min(duration, pop.cell.duration) / 1000.0)


def _rates(network: Network, value: Any, default: float) -> dict[str, float]:
    if value is None:
        return {p.name: default for p in network.populations}
    if isinstance(value, dict):
        return {p.name: float(value.get(p.name, default)) for p in network.populations}
    return {p.name: float(value) for p in network.populations}
