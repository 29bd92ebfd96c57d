"""NIR export: :func:`to_nir` translates a spikemem network into a ``nir.NIRGraph``.

``_Exporter`` walks the populations and projections of a network and writes one NIR node per
cell population (``CubaLIF``, ``LIF``, or ``LIF`` fed by two ``LI`` synapse nodes), one
``Input`` per spike source, one ``Output`` per neuron population and a ``Linear`` + ``Delay``
pair per distinct delay of each projection, labelling every node with its fidelity. The
mapping is described in :mod:`spikemem.interop.nir` and ``docs/nir.md``.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from ...ir.cells import (
    DiscreteLIF,
    IF_curr_exp,
    SpikeSourceArray,
    SpikeSourcePoisson,
    per_neuron,
    refractory_steps,
)
from ...ir.connectivity import resolve
from ...ir.dendrites import DendriticNeuron
from ...ir.errors import IRValidationError, UnsupportedFeature
from ...ir.network import Network, check_dt
from ...ir.population import Population
from ...ir.projection import Projection
from .common import (
    APPROXIMATE,
    BACKEND,
    FAITHFUL,
    FORMAT,
    FORMAT_VERSION,
    META,
    UNSUPPORTED,
    FidelityEntry,
    FidelityReport,
    _check_time_unit,
    _label,
    _nir,
)

if TYPE_CHECKING:  # pragma: no cover
    import nir

MAX_DENSE_ENTRIES = 50_000_000
"""Largest ``n_post × n_pre`` weight matrix exported (NIR's Linear is dense: 400 MB here)."""

SPIKE_CONVENTION = (
    "a spike is a Dirac delta of unit area: through weight w it makes I of a CubaLIF jump by "
    "w_in*w/tau_syn (w with w_in = tau_syn), the state of an LI by r*w/tau and v of an LIF by r*w/tau"
)


def _meta_value(value: Any) -> Any:
    """A value HDF5 can store (1-D arrays, numbers, strings), for node metadata."""
    if isinstance(value, np.ndarray):
        return float(value) if value.ndim == 0 else np.array(value)
    if isinstance(value, (np.floating, np.integer)):
        return value.item()
    return value


def to_nir(
    network: Network,
    *,
    dt: float | None = None,
    time_unit: str = "ms",
    strict: bool = True,
    seed: int = 0,
) -> tuple[nir.NIRGraph, FidelityReport]:
    """Translate ``network`` into a NIR graph, with a fidelity label for every node.

    Parameters
    ----------
    network : Network
        The network.
    dt : float or None
        Time step (ms) the network is meant to run with (refractory steps, delay grid); ``None``
        takes ``network.dt``. Stored in the graph's metadata.
    time_unit : {"ms", "s"}
        Unit of the time constants, delays and spike times written into the graph. ``"ms"`` is
        NIR's documented unit; several NIR tools use seconds.
    strict : bool
        ``True`` raises :class:`~spikemem.ir.UnsupportedFeature` at the first construct NIR
        cannot express (plasticity, Poisson sources, ``DiscreteLIF``, ``DendriticNeuron``);
        ``False`` exports what it can and labels the rest ``"unsupported"`` (Poisson sources
        become ``Input`` nodes, plastic projections static ``Linear`` nodes with their initial
        weights, the other cells and their projections are left out).
    seed : int
        Compile seed used to resolve random connectors without their own seed; export with the
        seed you compile with.

    Returns
    -------
    graph : nir.NIRGraph
        The graph; node names are population and projection names (suffixes ``__syn_exc``,
        ``__syn_inh``, ``__delay``, ``__d<k>`` and ``__output`` for the extra nodes).
    report : FidelityReport
        One entry per node (plus one per object left out).

    Raises
    ------
    UnsupportedFeature
        With ``strict=True``, for the first construct NIR cannot express.
    IRValidationError
        For a bad ``dt``, ``time_unit`` or ``seed``.
    """
    nir_module = _nir()
    return _Exporter(network, dt, time_unit, strict, seed).run(nir_module)


class _Exporter:
    def __init__(self, network: Any, dt: Any, time_unit: Any, strict: Any, seed: Any) -> None:
        if not isinstance(network, Network):
            raise IRValidationError("to_nir", "network", network, "a spikemem.ir.Network")
        self.network = network
        self.dt = check_dt("to_nir", network.dt if dt is None else dt)
        self.time_unit = time_unit
        self.unit = _check_time_unit("to_nir", time_unit)
        if not isinstance(strict, (bool, np.bool_)):
            raise IRValidationError("to_nir", "strict", strict, "True or False")
        self.strict = bool(strict)
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= int(seed) < 2**63:
            raise IRValidationError("to_nir", "seed", seed, "an integer in [0, 2**63)")
        self.seed = int(seed)
        self.numerics = network.numerics
        self.nodes: dict[str, Any] = {}
        self.edges: list[tuple[str, str]] = []
        self.entries: list[FidelityEntry] = []
        self.spikes_from: dict[str, str] = {}
        self.input_to: dict[str, dict[str, str]] = {}
        self.taken: set[str] = set()

    # names ------------------------------------------------------------------
    def key(self, wanted: str) -> str:
        name, k = wanted, 2
        while name in self.taken:
            name, k = f"{wanted}_{k}", k + 1
        self.taken.add(name)
        return name

    # the whole graph --------------------------------------------------------------
    def run(self, nir: Any) -> tuple[Any, FidelityReport]:
        self.nir = nir
        self._check_supported()
        exported = [
            p for p in self.network.populations if not isinstance(p.cell, (DiscreteLIF, DendriticNeuron))
        ]
        projections = [
            q
            for q in self.network.projections
            if any(q.pre.population is p for p in exported) and any(q.post.population is p for p in exported)
        ]
        receptors: dict[str, set[str]] = {p.name: set() for p in exported}
        for q in projections:
            receptors[q.post.name].add(q.receptor)
        for p in self.network.populations:
            self.taken.add(p.name)
        for index, pop in enumerate(self.network.populations):
            self._population(pop, index, receptors.get(pop.name, set()))
        for index, proj in enumerate(self.network.projections):
            if any(proj is q for q in projections):
                self._projection(proj, index)
            else:
                self._left_out(f"projection {proj.name!r}", "its pre or post population is not in the graph")
        graph = nir.NIRGraph(
            nodes=self.nodes, edges=self.edges, metadata=self._graph_metadata(), type_check=False
        )
        graph.check_types()
        return graph, FidelityReport("export", tuple(self.entries))

    def _graph_metadata(self) -> dict:
        return {
            META: {
                "format": FORMAT,
                "version": FORMAT_VERSION,
                "network": self.network.name,
                "dt_ms": self.dt,
                "numerics": self.numerics,
                "time_unit": self.time_unit,
                "seed": self.seed,
                "units": f"time constants and delays in {self.time_unit}, voltages in mV, r in MOhm "
                "(CubaLIF, LIF of IF_curr_exp), weights in nA (mV into IF_curr_delta)",
                "spike_convention": SPIKE_CONVENTION,
                "edges": "the signals of several edges into one node add up",
            }
        }

    def _check_supported(self) -> None:
        if not self.strict:
            return
        for pop in self.network.populations:
            reason = _unsupported_cell(pop.cell)
            if reason:
                raise UnsupportedFeature(
                    f"population {pop.name!r} ({pop.cell.kind}): {reason}; pass strict=False to export "
                    "the rest with this population labelled 'unsupported'",
                    BACKEND,
                )
        for proj in self.network.projections:
            if proj.plastic:
                raise UnsupportedFeature(
                    f"STDP plasticity on projection {proj.name!r} (NIR graphs are static); pass "
                    "strict=False to export its initial weights labelled 'unsupported'",
                    BACKEND,
                )

    def _left_out(self, source: str, reason: str) -> None:
        self.entries.append(FidelityEntry("", "-", source, UNSUPPORTED, (reason, "left out of the graph")))

    # populations --------------------------------------------------------------
    def _population(self, pop: Population, index: int, receptors: set[str]) -> None:
        cell = pop.cell
        source = f"population {pop.name!r} ({cell.kind})"
        if isinstance(cell, (DiscreteLIF, DendriticNeuron)):
            self._left_out(source, _unsupported_cell(cell))
            return
        if isinstance(cell, SpikeSourceArray):
            self._spike_array(pop, index, source)
        elif isinstance(cell, SpikeSourcePoisson):
            self._poisson(pop, index, source)
        elif isinstance(cell, IF_curr_exp):
            self._if_curr_exp(pop, index, source, receptors)
        else:
            self._if_curr_delta(pop, index, source)

    def _base_meta(self, role: str, name: str, index: int, fidelity: str, reasons: list[str]) -> dict:
        return {
            "role": role,
            "name": name,
            "index": index,
            "fidelity": fidelity,
            "reasons": "; ".join(reasons),
            "dt_ms": self.dt,
            "numerics": self.numerics,
        }

    def _spike_array(self, pop: Population, index: int, source: str) -> None:
        cell = pop.cell
        note = (
            f"{cell.times.size} spike times are data, not part of a NIR graph: kept in metadata "
            "(spike_times_ms, spike_ids); other tools must feed them to this Input"
        )
        meta = self._base_meta("population", pop.name, index, FAITHFUL, [])
        meta.update(
            kind=cell.kind,
            spike_times_ms=np.array(cell.times),
            spike_ids=np.array(cell.ids),
            input_data=note,
        )
        key = pop.name
        self.nodes[key] = self.nir.Input(input_type={"input": np.array([pop.size])}, metadata={META: meta})
        self.spikes_from[pop.name] = key
        self.entries.append(FidelityEntry(key, "Input", source, FAITHFUL, (), (note,), external_data=True))

    def _poisson(self, pop: Population, index: int, source: str) -> None:
        cell = pop.cell
        reason = _unsupported_cell(cell)
        note = "exported as an Input node: a NIR consumer must supply the spikes (rate etc. in metadata)"
        meta = self._base_meta("population", pop.name, index, UNSUPPORTED, [reason])
        meta.update(
            kind=cell.kind, rate_hz=_meta_value(cell.rate), start_ms=cell.start, duration_ms=cell.duration
        )
        if cell.seed is not None:
            meta["seed"] = cell.seed
        key = pop.name
        self.nodes[key] = self.nir.Input(input_type={"input": np.array([pop.size])}, metadata={META: meta})
        self.spikes_from[pop.name] = key
        self.entries.append(
            FidelityEntry(key, "Input", source, UNSUPPORTED, (reason,), (note,), external_data=True)
        )

    def _neuron_reasons(self, cell: Any, delta: bool) -> list[str]:
        reasons = []
        refrac = np.asarray(cell.tau_refrac, dtype=np.float64)
        if np.any(refrac > 0):
            worst = float(refrac.max())
            steps = int(refractory_steps(worst, self.dt, self.numerics))
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
        elif self.numerics == "spinnaker":
            reasons.append(
                "numerics 'spinnaker' is a discrete-time scheme (input scaled by "
                "(tau_syn/dt)(1 - exp(-dt/tau_syn)), "
                "current held over the step); NIR states the continuous ODE"
            )
        return reasons

    def _pynn_meta(self, cell: Any) -> dict:
        out = {name: _meta_value(getattr(cell, name)) for name in cell.parameter_names()}
        if cell.v_init is not None:
            out["v_init"] = _meta_value(cell.v_init)
        return out

    def _if_curr_exp(self, pop: Population, index: int, source: str, receptors: set[str]) -> None:
        cell, n, u = pop.cell, pop.size, self.unit
        tau_m, cm = per_neuron(cell.tau_m, n), per_neuron(cell.cm, n)
        tau_e, tau_i = per_neuron(cell.tau_syn_E, n), per_neuron(cell.tau_syn_I, n)
        r = tau_m / cm
        v_leak = per_neuron(cell.v_rest, n) + r * per_neuron(cell.i_offset, n)
        v_thresh, v_reset = per_neuron(cell.v_thresh, n), per_neuron(cell.v_reset, n)
        reasons = self._neuron_reasons(cell, delta=False)
        fidelity = _label(reasons)
        notes = [
            "r = tau_m/cm (MOhm); v_leak = v_rest + r*i_offset (mV): the same membrane equation",
            "spikemem fires at V >= v_thresh, NIR at v > v_threshold: they differ only when V lands "
            "exactly on it",
        ]
        meta = self._base_meta("population", pop.name, index, fidelity, reasons)
        meta.update(
            kind=cell.kind,
            pynn=self._pynn_meta(cell),
            conversion="tau_mem = tau_m; r = tau_m/cm; v_leak = v_rest + r*i_offset; v_threshold = v_thresh; "
            "v_reset = v_reset; w_in = tau_syn",
            reset="to v_reset",
            refractory=f"tau_refrac = {_meta_value(cell.tau_refrac)} ms, not in the NIR node",
            threshold="spikemem: V >= v_thresh; NIR: v > v_threshold",
        )
        key = pop.name
        split = receptors == {"excitatory", "inhibitory"} and bool(np.any(tau_e != tau_i))
        if split:
            meta["synapses"] = "split: LI nodes for the excitatory and inhibitory currents feed this LIF"
            self.nodes[key] = self.nir.LIF(
                tau=tau_m / u,
                r=r,
                v_leak=v_leak,
                v_threshold=v_thresh,
                v_reset=v_reset,
                metadata={META: meta},
            )
            self.input_to[pop.name] = {}
            self.entries.append(
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
                li_key = self.key(f"{pop.name}__syn_{suffix}")
                li_reasons = reasons[-1:] if self.numerics == "spinnaker" else []
                li_meta = self._base_meta("synapse", pop.name, index, _label(li_reasons), li_reasons)
                li_meta.update(
                    receptor=receptor, conversion=f"tau = r = tau_syn_{suffix[0].upper()}, v_leak = 0"
                )
                self.nodes[li_key] = self.nir.LI(
                    tau=tau / u, r=tau / u, v_leak=np.zeros(n), metadata={META: li_meta}
                )
                self.edges.append((li_key, key))
                self.input_to[pop.name][receptor] = li_key
                self.entries.append(
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
            self.nodes[key] = self.nir.CubaLIF(
                tau_syn=tau_syn / u,
                tau_mem=tau_m / u,
                r=r,
                v_leak=v_leak,
                v_threshold=v_thresh,
                v_reset=v_reset,
                w_in=tau_syn / u,
                metadata={META: meta},
            )
            self.input_to[pop.name] = {"excitatory": key, "inhibitory": key}
            self.entries.append(FidelityEntry(key, "CubaLIF", source, fidelity, tuple(reasons), tuple(notes)))
        self.spikes_from[pop.name] = key
        self._output(pop.name, n)

    def _if_curr_delta(self, pop: Population, index: int, source: str) -> None:
        cell, n, u = pop.cell, pop.size, self.unit
        tau_m, cm = per_neuron(cell.tau_m, n), per_neuron(cell.cm, n)
        v_leak = per_neuron(cell.v_rest, n) + (tau_m / cm) * per_neuron(cell.i_offset, n)
        reasons = self._neuron_reasons(cell, delta=True)
        meta = self._base_meta("population", pop.name, index, APPROXIMATE, reasons)
        meta.update(
            kind=cell.kind,
            pynn=self._pynn_meta(cell),
            conversion="tau = tau_m; r = tau_m (so a spike of weight w makes v jump by w mV); "
            "v_leak = v_rest + (tau_m/cm)*i_offset",
            reset="to v_reset",
            refractory=f"tau_refrac = {_meta_value(cell.tau_refrac)} ms, not in the NIR node",
        )
        key = pop.name
        self.nodes[key] = self.nir.LIF(
            tau=tau_m / u,
            r=tau_m / u,
            v_leak=v_leak,
            v_threshold=per_neuron(cell.v_thresh, n),
            v_reset=per_neuron(cell.v_reset, n),
            metadata={META: meta},
        )
        self.input_to[pop.name] = {"excitatory": key, "inhibitory": key}
        self.spikes_from[pop.name] = key
        notes = (
            "r = tau_m: a spike of weight w (mV) makes v jump by w; v_leak = v_rest + (tau_m/cm)*i_offset",
        )
        self.entries.append(FidelityEntry(key, "LIF", source, APPROXIMATE, tuple(reasons), notes))
        self._output(pop.name, n)

    def _output(self, name: str, n: int) -> None:
        key = self.key(f"{name}__output")
        self.nodes[key] = self.nir.Output(
            output_type={"output": np.array([n])}, metadata={META: {"role": "output"}}
        )
        self.edges.append((self.spikes_from[name], key))
        self.entries.append(FidelityEntry(key, "Output", f"spikes of population {name!r}", FAITHFUL))

    # projections --------------------------------------------------------------
    def _projection(self, proj: Projection, index: int) -> None:
        n_pre, n_post = proj.pre.population.size, proj.post.population.size
        if n_pre * n_post > MAX_DENSE_ENTRIES:
            raise UnsupportedFeature(
                f"projection {proj.name!r}: a dense {n_post} x {n_pre} weight matrix (NIR's Linear is dense; "
                f"at most {MAX_DENSE_ENTRIES} entries are exported)",
                BACKEND,
            )
        syn = resolve(proj, seed=self.seed)
        sign = -1.0 if proj.receptor == "inhibitory" else 1.0
        source = f"projection {proj.name!r}: {proj.pre.name} -> {proj.post.name} ({proj.receptor})"
        base_reasons = []
        if proj.plastic:
            base_reasons.append(
                "STDP plasticity dropped: exported with its initial weights as a static Linear"
            )
        notes = self._synapse_notes(syn)
        values = np.unique(syn.delay) if syn.size else np.array([float(np.min(np.atleast_1d(proj.delay)))])
        for k, delay in enumerate(values):
            mask = syn.delay == delay
            weights = np.zeros((n_post, n_pre))
            np.add.at(weights, (syn.post[mask], syn.pre[mask]), sign * syn.weight[mask])
            stem = proj.name if values.size == 1 else f"{proj.name}__d{k}"
            lin_key = self.key(stem)
            del_key = self.key(f"{stem}__delay")
            fidelity = UNSUPPORTED if proj.plastic else FAITHFUL
            meta = self._base_meta("projection", proj.name, index, fidelity, base_reasons)
            meta.update(
                receptor=proj.receptor,
                sign=sign,
                pre=proj.pre.name,
                post=proj.post.name,
                connector=proj.connector.kind,
                delay_ms=float(delay),
                group=k,
                groups=int(values.size),
                units="weights in nA (mV into IF_curr_delta); inhibitory weights negative",
            )
            self.nodes[lin_key] = self.nir.Linear(weight=weights, metadata={META: meta})
            delay_reasons = self._delay_reasons(float(delay))
            delay_fidelity = UNSUPPORTED if proj.plastic else _label(delay_reasons)
            delay_meta = self._base_meta("delay", proj.name, index, delay_fidelity, delay_reasons)
            delay_meta.update(delay_ms=float(delay), delay_steps=self._steps(float(delay)))
            self.nodes[del_key] = self.nir.Delay(
                delay=np.full(n_post, float(delay) / self.unit), metadata={META: delay_meta}
            )
            target = self.input_to[proj.post.name][proj.receptor]
            self.edges += [(self.spikes_from[proj.pre.name], lin_key), (lin_key, del_key), (del_key, target)]
            self.entries.append(
                FidelityEntry(lin_key, "Linear", source, fidelity, tuple(base_reasons), tuple(notes))
            )
            self.entries.append(
                FidelityEntry(
                    del_key,
                    "Delay",
                    f"{source}, delay {float(delay):g} ms",
                    delay_fidelity,
                    tuple(base_reasons + delay_reasons),
                    (f"{self._steps(float(delay))} steps of {self.dt:g} ms",),
                )
            )

    def _steps(self, delay: float) -> int:
        return max(1, int(math.floor(delay / self.dt + 0.5 + 1e-9)))

    def _delay_reasons(self, delay: float) -> list[str]:
        steps = self._steps(delay)
        if abs(steps * self.dt - delay) > 1e-9 * max(1.0, delay):
            return [
                f"delay {delay:g} ms is not a whole number of steps of dt = {self.dt:g} ms: spikemem runs "
                f"it as {steps} steps ({steps * self.dt:g} ms)"
            ]
        return []

    @staticmethod
    def _synapse_notes(syn: Any) -> list[str]:
        notes = []
        if syn.size:
            triples = np.stack([syn.pre, syn.post, syn.delay.view(np.int64)], axis=1)
            repeats = syn.size - np.unique(triples, axis=0).shape[0]
            if repeats:
                notes.append(f"{repeats} multapse(s) (same pre, post and delay) summed into one weight")
            zeros = int(np.count_nonzero(syn.weight == 0.0))
            if zeros:
                notes.append(f"{zeros} zero-weight synapse(s) not represented (they have no effect)")
        else:
            notes.append("no synapses: an all-zero Linear")
        return notes


def _unsupported_cell(cell: Any) -> str:
    if isinstance(cell, DiscreteLIF):
        return "the DiscreteLIF cell (per-step update, subtractive reset) has no NIR equivalent"
    if isinstance(cell, DendriticNeuron):
        return (
            "dendritic segments have no NIR equivalent (spikemem.ir.lower_dendrites rewrites them as "
            "IF_curr_delta point neurons, which export approximately)"
        )
    if isinstance(cell, SpikeSourcePoisson):
        return "a Poisson source is a random process, not a NIR node"
    return ""
