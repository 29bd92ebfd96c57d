"""NIR export of populations: one function per cell type, registered in :data:`export_cell`.

Each function writes the nodes of one population into the :class:`~.export._Exporter` and
labels them with their fidelity: a spike source becomes an ``Input``, an ``IF_curr_exp`` a
``CubaLIF`` (or a ``LIF`` fed by two ``LI`` synapse nodes), an ``IF_curr_delta`` a ``LIF``;
``DiscreteLIF`` and ``DendriticNeuron`` populations are left out of the graph. Time constants
are divided by the exporter's time unit (ms or s).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ...ir.cells import (
    DiscreteLIF,
    IF_curr_delta,
    IF_curr_exp,
    SpikeSourceArray,
    SpikeSourcePoisson,
    per_neuron,
    refractory_steps,
)
from ...ir.dendrites import DendriticNeuron
from ...ir.population import Population
from ...lowering.registry import Registry
from .common import APPROXIMATE, BACKEND, FAITHFUL, META, UNSUPPORTED, FidelityEntry, _label

Exporter = Any
"""The exporter of :mod:`.export` (not imported here: that module imports this one)."""

__all__ = ["NOT_IN_GRAPH", "export_cell", "meta_value", "unsupported_reason"]

export_cell = Registry(BACKEND, "cell type")
"""``export_cell(cell, exporter, population, index, source, receptors)`` writes the population's
nodes; ``source`` describes the population in the report, ``receptors`` are the receptor types
its incoming projections use."""

NOT_IN_GRAPH = (DiscreteLIF, DendriticNeuron)
"""Cell types whose populations (and their projections) are left out of the graph."""

UNSUPPORTED_REASONS = {
    DiscreteLIF: "the DiscreteLIF cell (per-step update, subtractive reset) has no NIR equivalent",
    DendriticNeuron: (
        "dendritic segments have no NIR equivalent (spikemem.lowering.lower_dendrites rewrites them as "
        "IF_curr_delta point neurons, which export approximately)"
    ),
    SpikeSourcePoisson: "a Poisson source is a random process, not a NIR node",
}
"""Why NIR cannot express a cell type (the types missing here export faithfully or approximately)."""


def unsupported_reason(cell: Any) -> str:
    """Why NIR cannot express ``cell``, or ``""`` when it can."""
    return UNSUPPORTED_REASONS.get(type(cell), "")


def meta_value(value: Any) -> Any:
    """A value HDF5 can store (1-D arrays, numbers, strings), for node metadata."""
    if isinstance(value, np.ndarray):
        return float(value) if value.ndim == 0 else np.array(value)
    if isinstance(value, (np.floating, np.integer)):
        return value.item()
    return value


@export_cell.register(DiscreteLIF)
@export_cell.register(DendriticNeuron)
def _left_out(
    cell: Any, ex: Exporter, pop: Population, index: int, source: str, receptors: set[str]
) -> None:
    """No node: the report says why the population is not in the graph."""
    ex.left_out(source, unsupported_reason(cell))


def _neuron_meta(
    ex: Exporter, pop: Population, index: int, fidelity: str, reasons: list[str], conversion: str
) -> dict:
    """The metadata of a LIF population's node: PyNN parameters, conversion, reset, refractoriness."""
    cell = pop.cell
    meta = ex.base_meta("population", pop.name, index, fidelity, reasons)
    meta.update(
        kind=cell.kind,
        pynn=_pynn_meta(cell),
        conversion=conversion,
        reset="to v_reset",
        refractory=f"tau_refrac = {meta_value(cell.tau_refrac)} ms, not in the NIR node",
    )
    return meta


@export_cell.register(SpikeSourceArray)
def _spike_array(
    cell: SpikeSourceArray, ex: Exporter, pop: Population, index: int, source: str, receptors: set[str]
) -> None:
    """An ``Input`` node; the spike times go into its metadata."""
    note = (
        f"{cell.times.size} spike times are data, not part of a NIR graph: kept in metadata "
        "(spike_times_ms, spike_ids); other tools must feed them to this Input"
    )
    meta = ex.base_meta("population", pop.name, index, FAITHFUL, [])
    meta.update(
        kind=cell.kind,
        spike_times_ms=np.array(cell.times),
        spike_ids=np.array(cell.ids),
        input_data=note,
    )
    key = pop.name
    ex.nodes[key] = ex.nir.Input(input_type={"input": np.array([pop.size])}, metadata={META: meta})
    ex.spikes_from[pop.name] = key
    ex.entries.append(FidelityEntry(key, "Input", source, FAITHFUL, (), (note,), external_data=True))


@export_cell.register(SpikeSourcePoisson)
def _poisson(
    cell: SpikeSourcePoisson, ex: Exporter, pop: Population, index: int, source: str, receptors: set[str]
) -> None:
    """An ``Input`` node labelled unsupported (the consumer must supply the spikes)."""
    reason = unsupported_reason(cell)
    note = "exported as an Input node: a NIR consumer must supply the spikes (rate etc. in metadata)"
    meta = ex.base_meta("population", pop.name, index, UNSUPPORTED, [reason])
    meta.update(kind=cell.kind, rate_hz=meta_value(cell.rate), start_ms=cell.start, duration_ms=cell.duration)
    if cell.seed is not None:
        meta["seed"] = cell.seed
    key = pop.name
    ex.nodes[key] = ex.nir.Input(input_type={"input": np.array([pop.size])}, metadata={META: meta})
    ex.spikes_from[pop.name] = key
    ex.entries.append(
        FidelityEntry(key, "Input", source, UNSUPPORTED, (reason,), (note,), external_data=True)
    )


def _neuron_reasons(ex: Exporter, cell: Any, delta: bool) -> list[str]:
    """Why a LIF population is not exported faithfully (refractoriness, delta input, numerics)."""
    reasons = []
    refrac = np.asarray(cell.tau_refrac, dtype=np.float64)
    if np.any(refrac > 0):
        worst = float(refrac.max())
        steps = int(refractory_steps(worst, ex.dt, ex.numerics))
        lost = "; input arriving then is discarded" if delta else ""
        reasons.append(
            f"refractory period tau_refrac = {worst:g} ms (V held at v_reset for {steps} steps{lost}) "
            "has no NIR equivalent: left out of the graph, kept in metadata"
        )
    if delta:
        reasons.append(
            "spikemem (like NEST's iaf_psc_delta) adds a delta input at the end of its arrival step, "
            "undecayed; NIR's LIF lets it decay over that step: v differs by w*(1 - exp(-dt/tau_m)) mV "
            "per input until the next spike"
        )
    elif ex.numerics == "spinnaker":
        reasons.append(
            "numerics 'spinnaker' is a discrete-time scheme (input scaled by "
            "(tau_syn/dt)(1 - exp(-dt/tau_syn)), "
            "current held over the step); NIR states the continuous ODE"
        )
    return reasons


def _pynn_meta(cell: Any) -> dict:
    """The PyNN parameters of ``cell`` (and ``v_init``), for the node's metadata."""
    out = {name: meta_value(getattr(cell, name)) for name in cell.parameter_names()}
    if cell.v_init is not None:
        out["v_init"] = meta_value(cell.v_init)
    return out


@export_cell.register(IF_curr_exp)
def _if_curr_exp(
    cell: IF_curr_exp, ex: Exporter, pop: Population, index: int, source: str, receptors: set[str]
) -> None:
    """A ``CubaLIF`` node, or a ``LIF`` fed by two ``LI`` synapse nodes when both receptors are
    used with different ``tau_syn``."""
    n, u = pop.size, ex.unit
    tau_m, cm = per_neuron(cell.tau_m, n), per_neuron(cell.cm, n)
    tau_e, tau_i = per_neuron(cell.tau_syn_E, n), per_neuron(cell.tau_syn_I, n)
    r = tau_m / cm
    v_leak = per_neuron(cell.v_rest, n) + r * per_neuron(cell.i_offset, n)
    v_thresh, v_reset = per_neuron(cell.v_thresh, n), per_neuron(cell.v_reset, n)
    reasons = _neuron_reasons(ex, cell, delta=False)
    fidelity = _label(reasons)
    notes = [
        "r = tau_m/cm (MOhm); v_leak = v_rest + r*i_offset (mV): the same membrane equation",
        "spikemem fires at V >= v_thresh, NIR at v > v_threshold: they differ only when V lands "
        "exactly on it",
    ]
    meta = _neuron_meta(
        ex,
        pop,
        index,
        fidelity,
        reasons,
        conversion="tau_mem = tau_m; r = tau_m/cm; v_leak = v_rest + r*i_offset; v_threshold = v_thresh; "
        "v_reset = v_reset; w_in = tau_syn",
    )
    meta["threshold"] = "spikemem: V >= v_thresh; NIR: v > v_threshold"
    key = pop.name
    split = receptors == {"excitatory", "inhibitory"} and bool(np.any(tau_e != tau_i))
    if split:
        meta["synapses"] = "split: LI nodes for the excitatory and inhibitory currents feed this LIF"
        ex.nodes[key] = ex.nir.LIF(
            tau=tau_m / u,
            r=r,
            v_leak=v_leak,
            v_threshold=v_thresh,
            v_reset=v_reset,
            metadata={META: meta},
        )
        ex.input_to[pop.name] = {}
        ex.entries.append(
            FidelityEntry(
                key,
                "LIF",
                source,
                fidelity,
                tuple(reasons),
                tuple(
                    notes
                    + ["tau_syn_E != tau_syn_I with both receptors used: split into two LI synapse nodes"]
                ),
            )
        )
        for receptor, tau, suffix in (("excitatory", tau_e, "exc"), ("inhibitory", tau_i, "inh")):
            li_key = ex.key(f"{pop.name}__syn_{suffix}")
            li_reasons = reasons[-1:] if ex.numerics == "spinnaker" else []
            li_meta = ex.base_meta("synapse", pop.name, index, _label(li_reasons), li_reasons)
            li_meta.update(receptor=receptor, conversion=f"tau = r = tau_syn_{suffix[0].upper()}, v_leak = 0")
            ex.nodes[li_key] = ex.nir.LI(tau=tau / u, r=tau / u, v_leak=np.zeros(n), metadata={META: li_meta})
            ex.edges.append((li_key, key))
            ex.input_to[pop.name][receptor] = li_key
            ex.entries.append(
                FidelityEntry(
                    li_key,
                    "LI",
                    f"{receptor} synaptic current of {source}",
                    _label(li_reasons),
                    tuple(li_reasons),
                    (
                        f"tau = r = tau_syn_{suffix[0].upper()}: a spike of weight w (nA) makes the "
                        "current jump by w",
                    ),
                )
            )
    else:
        used = "tau_syn_I" if receptors == {"inhibitory"} else "tau_syn_E"
        tau_syn = tau_i if used == "tau_syn_I" else tau_e
        meta["tau_syn_used"] = used
        if np.any(tau_e != tau_i):
            other = "tau_syn_E" if used == "tau_syn_I" else "tau_syn_I"
            notes.append(
                f"CubaLIF has one tau_syn: {used} ({other} receives no input here; kept in metadata)"
            )
        notes.append(f"w_in = tau_syn: a spike of weight w (nA) makes I jump by w; tau_syn = {used}")
        ex.nodes[key] = ex.nir.CubaLIF(
            tau_syn=tau_syn / u,
            tau_mem=tau_m / u,
            r=r,
            v_leak=v_leak,
            v_threshold=v_thresh,
            v_reset=v_reset,
            w_in=tau_syn / u,
            metadata={META: meta},
        )
        ex.input_to[pop.name] = {"excitatory": key, "inhibitory": key}
        ex.entries.append(FidelityEntry(key, "CubaLIF", source, fidelity, tuple(reasons), tuple(notes)))
    ex.spikes_from[pop.name] = key
    ex.add_output(pop.name, n)


@export_cell.register(IF_curr_delta)
def _if_curr_delta(
    cell: IF_curr_delta, ex: Exporter, pop: Population, index: int, source: str, receptors: set[str]
) -> None:
    """A ``LIF`` node with ``r = tau_m`` (approximate: delta input is added at the step's end)."""
    n, u = pop.size, ex.unit
    tau_m, cm = per_neuron(cell.tau_m, n), per_neuron(cell.cm, n)
    v_leak = per_neuron(cell.v_rest, n) + (tau_m / cm) * per_neuron(cell.i_offset, n)
    reasons = _neuron_reasons(ex, cell, delta=True)
    meta = _neuron_meta(
        ex,
        pop,
        index,
        APPROXIMATE,
        reasons,
        conversion="tau = tau_m; r = tau_m (so a spike of weight w makes v jump by w mV); "
        "v_leak = v_rest + (tau_m/cm)*i_offset",
    )
    key = pop.name
    ex.nodes[key] = ex.nir.LIF(
        tau=tau_m / u,
        r=tau_m / u,
        v_leak=v_leak,
        v_threshold=per_neuron(cell.v_thresh, n),
        v_reset=per_neuron(cell.v_reset, n),
        metadata={META: meta},
    )
    ex.input_to[pop.name] = {"excitatory": key, "inhibitory": key}
    ex.spikes_from[pop.name] = key
    notes = ("r = tau_m: a spike of weight w (mV) makes v jump by w; v_leak = v_rest + (tau_m/cm)*i_offset",)
    ex.entries.append(FidelityEntry(key, "LIF", source, APPROXIMATE, tuple(reasons), notes))
    ex.add_output(pop.name, n)
