"""NIR export: :func:`to_nir` translates a spikemem network into a ``nir.NIRGraph``.

``_Exporter`` walks the populations and projections of a network, labelling every node with
its fidelity. A population's nodes are written by the function registered for its cell type in
:data:`~.export_cells.export_cell` (``CubaLIF``, ``LIF``, or ``LIF`` fed by two ``LI`` synapse
nodes per cell population, one ``Input`` per spike source); this module adds one ``Output`` per
neuron population and a ``Linear`` + ``Delay`` pair per distinct delay of each projection. The
mapping is described in :mod:`spikemem.interop.nir` and ``docs/nir.md``.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from ...ir.connectivity import resolve
from ...ir.errors import IRValidationError, UnsupportedFeature
from ...ir.network import Network, check_dt
from ...ir.population import Population
from ...ir.projection import Projection
from .common import (
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
from .export_cells import NOT_IN_GRAPH, export_cell, unsupported_reason

if TYPE_CHECKING:  # pragma: no cover
    import nir

MAX_DENSE_ENTRIES = 50_000_000
"""Largest ``n_post × n_pre`` weight matrix exported (NIR's Linear is dense: 400 MB here)."""

SPIKE_CONVENTION = (
    "a spike is a Dirac delta of unit area: through weight w it makes I of a CubaLIF jump by "
    "w_in*w/tau_syn (w with w_in = tau_syn), the state of an LI by r*w/tau and v of an LIF by r*w/tau"
)


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
        exported = [p for p in self.network.populations if not isinstance(p.cell, NOT_IN_GRAPH)]
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
                self.left_out(f"projection {proj.name!r}", "its pre or post population is not in the graph")
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
            reason = unsupported_reason(pop.cell)
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

    def left_out(self, source: str, reason: str) -> None:
        self.entries.append(FidelityEntry("", "-", source, UNSUPPORTED, (reason, "left out of the graph")))

    # populations --------------------------------------------------------------
    def _population(self, pop: Population, index: int, receptors: set[str]) -> None:
        export_cell(pop.cell, self, pop, index, f"population {pop.name!r} ({pop.cell.kind})", receptors)

    def base_meta(self, role: str, name: str, index: int, fidelity: str, reasons: list[str]) -> dict:
        return {
            "role": role,
            "name": name,
            "index": index,
            "fidelity": fidelity,
            "reasons": "; ".join(reasons),
            "dt_ms": self.dt,
            "numerics": self.numerics,
        }

    def add_output(self, name: str, n: int) -> None:
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
            meta = self.base_meta("projection", proj.name, index, fidelity, base_reasons)
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
            delay_meta = self.base_meta("delay", proj.name, index, delay_fidelity, delay_reasons)
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
