"""NIR import: :func:`from_nir` and :func:`from_nir_with_report` build a spikemem network from a
``nir.NIRGraph``.

``_Importer`` classifies the nodes of a graph, checks its edges and shapes, follows every path
of ``Linear``/``Affine``/``Delay`` nodes from a spiking node (``Input``, ``CubaLIF``, ``LIF``)
to a neuron node to collect synapses, then builds the populations (one per ``Input`` and neuron
node) and projections (one per source, target, receptor and projection named in the metadata),
with a fidelity entry for each. Reading single nodes is in :mod:`spikemem.interop.nir.import_nodes`,
the conversion of neuron parameters to PyNN cells in :mod:`spikemem.interop.nir.import_cells`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from ...ir._checks import check_name
from ...ir.cells import IF_curr_delta, IF_curr_exp, SpikeSourceArray, SpikeSourcePoisson
from ...ir.connectors import FromList
from ...ir.errors import IRValidationError, UnsupportedFeature
from ...ir.network import NUMERICS, Network, check_dt
from ...ir.population import Population
from ...ir.projection import Projection
from .common import (
    FAITHFUL,
    FORMAT,
    IMPORT_BACKEND,
    META,
    FidelityEntry,
    FidelityReport,
    _check_time_unit,
    _close,
    _compact,
    _label,
    _nir,
)
from .import_cells import (
    delta_cell_params,
    exp_cell_params,
    restore_refractory,
    tau_syn_params,
)
from .import_nodes import (
    delay_values,
    input_size,
    neuron_params,
    node_owner,
    output_size,
    weight_matrix,
)

if TYPE_CHECKING:  # pragma: no cover
    import nir

DEFAULT_DT = 0.1
"""Time step (ms) of an imported network when neither the call nor the graph gives one."""


def from_nir(graph: nir.NIRGraph, **options: Any) -> Network:
    """Build a network from a NIR graph of ``Input``, ``CubaLIF``, ``LIF``, ``LI`` (as the
    synaptic current of an ``LIF``), ``Affine`` (zero bias), ``Linear``, ``Delay`` and
    ``Output`` nodes.

    The keyword ``options`` (``dt``, ``time_unit``, ``numerics``, ``inputs``, ``use_metadata``,
    ``name``) and the rules are those of :func:`from_nir_with_report`; this returns only the
    network.
    """
    return from_nir_with_report(graph, **options)[0]


def from_nir_with_report(
    graph: nir.NIRGraph,
    *,
    dt: float | None = None,
    time_unit: str | None = None,
    numerics: str | None = None,
    inputs: Mapping[str, Any] | None = None,
    use_metadata: bool = True,
    name: str | None = None,
) -> tuple[Network, FidelityReport]:
    """Build a network from a NIR graph, with the fidelity of every population and projection.

    - ``Input`` → ``SpikeSourceArray`` (spikes from ``inputs``, else from spikemem's metadata,
      else none); ``CubaLIF`` → ``IF_curr_exp`` with ``cm = tau_mem/r``,
      ``v_rest = v_leak``, weights ``W·w_in/tau_syn``; ``LIF`` fed directly → ``IF_curr_delta``
      with weights ``W·r/tau`` (mV); ``LIF`` fed by one or two ``LI`` nodes → ``IF_curr_exp``
      with ``tau_syn_E``/``tau_syn_I`` from the ``LI`` nodes.
    - Every path of ``Linear``/``Affine``/``Delay`` nodes from a spiking node (``Input``,
      ``CubaLIF``, ``LIF``) to a neuron node becomes synapses; positive effective weights are
      excitatory, negative ones inhibitory. A path without delay gets one step (``dt``, the
      shortest delay spikemem has; labelled approximate).
    - With ``use_metadata``, spikemem's own metadata restores what NIR cannot hold (names,
      order, ``tau_refrac``, ``v_init``, ``cm``/``i_offset``, spike times, the receptor of
      each projection) **only where it agrees with the graph** to 1e-12.

    Parameters
    ----------
    graph : nir.NIRGraph
        The graph (``nir.read`` or :func:`read_nir_graph` loads one from a file).
    dt : float or None
        Time step (ms); ``None`` takes the graph's metadata, else 0.1 ms.
    time_unit : {"ms", "s"} or None
        Unit of the graph's time constants and delays; ``None`` takes the graph's metadata,
        else ``"ms"`` (NIR's documented unit).
    numerics : {"exact", "spinnaker"} or None
        Numerical scheme; ``None`` takes the graph's metadata, else ``"exact"``.
    inputs : mapping or None
        Spikes for ``Input`` nodes: ``{node_name: (times_ms, ids)}``; they replace any spike
        times in the metadata.
    use_metadata : bool
        Read spikemem's metadata (``False``: the graph's equations only).
    name : str or None
        Network name; ``None`` takes the graph's metadata, else ``"nir_import"``.

    Returns
    -------
    network : Network
    report : FidelityReport
        One entry per population, projection and ``Output`` node.

    Raises
    ------
    UnsupportedFeature
        For node types or forms outside the list above, naming the node and its type.
    IRValidationError
        For bad values (shapes that do not match, non-finite numbers, time constants <= 0...),
        naming the node, the parameter, the value and what is allowed.
    """
    return _Importer(graph, dt, time_unit, numerics, inputs, use_metadata, name).run()


@dataclass
class _Term:
    """Spikes of ``src`` reaching a node: ``matrix`` (``None`` identity, 1-D diagonal, 2-D dense,
    rows = the node's inputs) after ``delay`` (graph time unit), through the nodes ``via``."""

    src: str
    rows: int
    delay: float
    matrix: np.ndarray | None
    via: tuple[str, ...] = ()


@dataclass
class _Group:
    """Synapses of one future projection."""

    src: str
    target: str
    receptor: str
    hint: str | None
    pre: list = field(default_factory=list)
    post: list = field(default_factory=list)
    weight: list = field(default_factory=list)
    delay: list = field(default_factory=list)
    via: set = field(default_factory=set)
    reasons: list = field(default_factory=list)
    index: float = math.inf


class _Importer:
    def __init__(
        self, graph: Any, dt: Any, time_unit: Any, numerics: Any, inputs: Any, use_metadata: Any, name: Any
    ) -> None:
        self.nir = _nir()
        if not isinstance(graph, self.nir.NIRGraph):
            raise IRValidationError("from_nir", "graph", graph, "a nir.NIRGraph")
        if not isinstance(use_metadata, (bool, np.bool_)):
            raise IRValidationError("from_nir", "use_metadata", use_metadata, "True or False")
        self.graph = graph
        self.use_metadata = bool(use_metadata)
        gmeta = self._meta(graph)
        self.ours = gmeta.get("format") == FORMAT
        self.notes: list[str] = []
        self.time_unit = time_unit if time_unit is not None else str(gmeta.get("time_unit", "ms"))
        self.unit = _check_time_unit("from_nir", self.time_unit)
        if dt is None and "dt_ms" not in gmeta:
            self.notes.append(f"no dt given or in the graph: {DEFAULT_DT} ms")
        self.dt = check_dt("from_nir", dt if dt is not None else gmeta.get("dt_ms", DEFAULT_DT))
        self.numerics = numerics if numerics is not None else str(gmeta.get("numerics", "exact"))
        if self.numerics not in NUMERICS:
            raise IRValidationError("from_nir", "numerics", self.numerics, "one of " + ", ".join(NUMERICS))
        self.name = name if name is not None else str(gmeta.get("network", "nir_import"))
        if inputs is not None and not isinstance(inputs, Mapping):
            raise IRValidationError(
                "from_nir", "inputs", inputs, "a mapping of Input node names to (times_ms, ids)"
            )
        self.inputs = dict(inputs or {})

    def _meta(self, node: Any) -> dict:
        meta = getattr(node, "metadata", None)
        if not self.use_metadata or not isinstance(meta, dict):
            return {}
        ours = meta.get(META)
        return ours if isinstance(ours, dict) else {}

    # structure ----------------------------------------------------------------------
    def run(self) -> tuple[Network, FidelityReport]:
        self._classify()
        self._check_edges()
        self.entries: list[FidelityEntry] = []
        self.covered: set[str] = set()
        groups = self._collect_synapses()
        pops = self._build_populations(groups)
        projections = self._build_projections(groups, pops)
        self._output_entries()
        try:
            network = Network(
                populations=tuple(pops[k] for k in self.pop_order),
                projections=tuple(projections),
                dt=self.dt,
                numerics=self.numerics,
                name=self.name,
            )
        except IRValidationError as error:
            raise IRValidationError(
                f"imported network: {error.owner}", error.parameter, error.value, error.allowed
            ) from None
        for note in self.notes:
            self.entries.append(FidelityEntry("", "-", f"network {network.name!r}", FAITHFUL, (), (note,)))
        return network, FidelityReport("import", tuple(self.entries))

    def _classify(self) -> None:
        nir = self.nir
        self.kinds: dict[str, str] = {}
        self.skipped: set[str] = set()
        for key, node in self.graph.nodes.items():
            if isinstance(node, nir.NIRGraph):
                raise UnsupportedFeature(
                    f"node {key!r} of type NIRGraph (nested graphs; flatten it first)", IMPORT_BACKEND
                )
            if isinstance(node, nir.Input):
                if self.ours and not self._meta(node) and key not in self.inputs:
                    self.skipped.add(key)  # added by nir's type inference when the file was read
                kind = "input"
            elif isinstance(node, (nir.CubaLIF, nir.LIF)):
                kind = "neuron"
            elif isinstance(node, nir.LI):
                kind = "synapse"
            elif isinstance(node, (nir.Linear, nir.Affine)):
                kind = "weights"
            elif isinstance(node, nir.Delay):
                kind = "delay"
            elif isinstance(node, nir.Output):
                kind = "output"
            else:
                raise UnsupportedFeature(
                    f"node {key!r} of type {type(node).__name__} (the NIR import reads Input, Output, "
                    "CubaLIF, LIF, LI feeding an LIF, Affine with zero bias, Linear and Delay)",
                    IMPORT_BACKEND,
                )
            self.kinds[key] = kind
        for key in self.inputs:
            if self.kinds.get(key) != "input":
                names = ", ".join(k for k, v in self.kinds.items() if v == "input") or "none"
                raise IRValidationError("from_nir", "inputs", key, f"names of Input nodes ({names})")
        self.preds: dict[str, list[str]] = {k: [] for k in self.kinds}
        self.succs: dict[str, list[str]] = {k: [] for k in self.kinds}
        for edge in self.graph.edges:
            try:
                a, b = (str(x) for x in edge)
            except (TypeError, ValueError):
                raise IRValidationError(
                    "NIR graph", "edge", edge, "a (source, target) pair of node names"
                ) from None
            for end in (a, b):
                if end not in self.kinds:
                    raise IRValidationError(
                        "NIR graph", "edge", (a, b), f"node names of the graph (no node {end!r})"
                    )
            if a in self.skipped:
                continue
            self.preds[b].append(a)
            self.succs[a].append(b)

    def _size_out(self, key: str) -> int:
        node = self.graph.nodes[key]
        kind = self.kinds[key]
        if kind == "input":
            return input_size(key, node)
        if kind in ("neuron", "synapse"):
            return neuron_params(self.nir, key, node)["v_threshold" if kind == "neuron" else "tau"].size
        if kind == "weights":
            return weight_matrix(self.nir, key, node).shape[0]
        if kind == "delay":
            return delay_values(key, node).size
        return output_size(key, node)

    def _size_in(self, key: str) -> int:
        node = self.graph.nodes[key]
        if self.kinds[key] == "weights":
            return weight_matrix(self.nir, key, node).shape[1]
        return self._size_out(key)

    def _check_edges(self) -> None:
        for key, kind in self.kinds.items():
            node = self.graph.nodes[key]
            if kind == "input" and self.preds[key]:
                raise IRValidationError(
                    node_owner(key, node), "edges", self.preds[key], "no edges into an Input node"
                )
            if kind == "output":
                for pred in self.preds[key]:
                    if self.kinds[pred] not in ("input", "neuron"):
                        raise UnsupportedFeature(
                            f"Output node {key!r} fed by {pred!r} ({type(self.graph.nodes[pred]).__name__}): "
                            "spikemem records the spikes of populations, not other signals",
                            IMPORT_BACKEND,
                        )
                if self.succs[key]:
                    raise IRValidationError(
                        node_owner(key, node), "edges", self.succs[key], "no edges out of an Output node"
                    )
            if kind == "synapse":
                targets = self.succs[key]
                if len(targets) != 1 or not isinstance(self.graph.nodes[targets[0]], self.nir.LIF):
                    raise UnsupportedFeature(
                        f"LI node {key!r} feeding {targets or 'nothing'}: the import reads an LI node only "
                        "as the synaptic current of exactly one LIF node (the form spikemem exports)",
                        IMPORT_BACKEND,
                    )
                v_leak = neuron_params(self.nir, key, node)["v_leak"]
                if np.any(v_leak != 0):
                    raise UnsupportedFeature(
                        f"LI node {key!r} with v_leak != 0: a synaptic current that rests away from 0",
                        IMPORT_BACKEND,
                    )
        for key in self.kinds:
            if key in self.skipped:
                continue
            for succ in self.succs[key]:
                out, into = self._size_out(key), self._size_in(succ)
                if out != into:
                    raise IRValidationError(
                        f"NIR edge ({key!r}, {succ!r})",
                        "shape",
                        f"{out} -> {into}",
                        "the output size of the source node equal to the input size of the target",
                    )

    # paths ------------------------------------------------------------------------------
    def _terms_into(self, key: str) -> list[_Term]:
        terms: list[_Term] = []
        for pred in self.preds[key]:
            terms += self._terms_out_of(pred)
        return terms

    def _terms_out_of(self, key: str) -> list[_Term]:
        if key in self.memo:
            return self.memo[key]
        kind = self.kinds[key]
        if kind in ("input", "neuron"):
            return [_Term(key, self._size_out(key), 0.0, None)]
        if key in self.visiting:
            raise IRValidationError(
                "NIR graph",
                "edges",
                f"a cycle through {key!r}",
                "cycles that pass through a neuron node (CubaLIF or LIF)",
            )
        self.visiting.add(key)
        node = self.graph.nodes[key]
        result: list[_Term] = []
        for term in self._terms_into(key):
            if kind == "weights":
                result.append(self._apply_weights(term, key, weight_matrix(self.nir, key, node)))
            else:
                result += self._apply_delays(term, key, delay_values(key, node))
        self.visiting.discard(key)
        self.memo[key] = result
        return result

    @staticmethod
    def _apply_weights(term: _Term, key: str, weights: np.ndarray) -> _Term:
        if term.matrix is None:
            matrix = weights
        elif term.matrix.ndim == 1:
            matrix = weights * term.matrix[None, :]
        else:
            matrix = weights @ term.matrix
        return _Term(term.src, weights.shape[0], term.delay, matrix, term.via + (key,))

    @staticmethod
    def _apply_delays(term: _Term, key: str, delays: np.ndarray) -> list[_Term]:
        out = []
        for value in np.unique(delays):
            mask = delays == value
            if term.matrix is None:
                matrix = mask.astype(np.float64)
            elif term.matrix.ndim == 1:
                matrix = term.matrix * mask
            else:
                matrix = term.matrix * mask[:, None]
            out.append(_Term(term.src, term.rows, term.delay + float(value), matrix, term.via + (key,)))
        return out

    # synapses ---------------------------------------------------------------------------
    def _collect_synapses(self) -> dict[tuple, _Group]:
        self.memo: dict[str, list[_Term]] = {}
        self.visiting: set[str] = set()
        self.synapse_inputs: dict[str, dict[str, str]] = {}
        groups: dict[tuple, _Group] = {}
        for key, kind in self.kinds.items():
            if kind != "neuron":
                continue
            node = self.graph.nodes[key]
            params = neuron_params(self.nir, key, node)
            li_preds = [p for p in self.preds[key] if self.kinds[p] == "synapse"]
            if isinstance(node, self.nir.CubaLIF):
                factor = params["w_in"] / params["tau_syn"]
                self._add_terms(groups, key, self._terms_into(key), factor, receptor=None)
            elif li_preds:
                if len(li_preds) != len(self.preds[key]):
                    raise UnsupportedFeature(
                        f"LIF node {key!r} fed both by LI synapse nodes and directly (a current-based and a "
                        "delta synapse on one cell)",
                        IMPORT_BACKEND,
                    )
                self._add_li_terms(groups, key, li_preds)
            else:
                factor = params["r"] / params["tau"]
                self._add_terms(groups, key, self._terms_into(key), factor, receptor=None)
        return groups

    def _add_li_terms(self, groups: dict, key: str, li_preds: list[str]) -> None:
        taus: list[np.ndarray] = []
        members: list[list[str]] = []
        for li in li_preds:
            tau = neuron_params(self.nir, li, self.graph.nodes[li])["tau"]
            for k, other in enumerate(taus):
                if np.array_equal(tau, other):
                    members[k].append(li)
                    break
            else:
                taus.append(tau)
                members.append([li])
        if len(taus) > 2:
            raise UnsupportedFeature(
                f"LIF node {key!r} with {len(taus)} synaptic time constants (LI nodes); IF_curr_exp has two",
                IMPORT_BACKEND,
            )
        terms = {li: self._terms_into(li) for li in li_preds}
        factors = {}
        for li in li_preds:
            params = neuron_params(self.nir, li, self.graph.nodes[li])
            factors[li] = params["r"] / params["tau"]
        if len(taus) == 1:
            for li in li_preds:
                self._add_terms(groups, key, terms[li], factors[li], receptor=None, via=(li,))
            self.synapse_inputs[key] = {"excitatory": li_preds[0], "inhibitory": li_preds[0]}
            return
        order = self._receptor_order(key, members, terms, factors)
        for receptor, group in zip(("excitatory", "inhibitory"), order, strict=True):
            for li in group:
                self._add_terms(groups, key, terms[li], factors[li], receptor=receptor, via=(li,))
        self.synapse_inputs[key] = {"excitatory": order[0][0], "inhibitory": order[1][0]}

    def _receptor_order(self, key: str, members: list, terms: dict, factors: dict) -> tuple[list, list]:
        def signs(group: list[str]) -> tuple[bool, bool]:
            pos = neg = False
            for li in group:
                for term in terms[li]:
                    values = self._effective(term, factors[li])
                    pos |= bool(np.any(values > 0))
                    neg |= bool(np.any(values < 0))
            return pos, neg

        tags = [{self._meta(self.graph.nodes[li]).get("receptor") for li in group} for group in members]
        if tags[0] == {"inhibitory"} and tags[1] == {"excitatory"}:
            members = members[::-1]
        elif not (tags[0] == {"excitatory"} and tags[1] == {"inhibitory"}):
            if signs(members[0])[1] or signs(members[1])[0]:
                members = members[::-1]
        if signs(members[0])[1] or signs(members[1])[0]:
            raise UnsupportedFeature(
                f"LIF node {key!r}: two synaptic time constants with mixed-sign input (IF_curr_exp needs one "
                "current for positive and one for negative weights)",
                IMPORT_BACKEND,
            )
        return members[0], members[1]

    @staticmethod
    def _effective(term: _Term, factor: np.ndarray) -> np.ndarray:
        if term.matrix is None:
            return factor.copy()
        if term.matrix.ndim == 1:
            return term.matrix * factor
        return term.matrix * factor[:, None]

    def _add_terms(
        self,
        groups: dict,
        target: str,
        terms: list[_Term],
        factor: np.ndarray,
        receptor: str | None,
        via: tuple[str, ...] = (),
    ) -> None:
        for term in terms:
            if term.src in self.skipped:
                continue
            values = self._effective(term, factor)
            if values.ndim == 1:
                post = np.flatnonzero(values)
                pre, weight = post, values[post]
            else:
                post, pre = np.nonzero(values)
                weight = values[post, pre]
            hint, index, meta_delay = self._hint(term.via)
            delay_ms = term.delay * self.unit
            if meta_delay is not None and _close(meta_delay, delay_ms):
                delay_ms = meta_delay  # exact value despite the unit conversion
            reasons = []
            if delay_ms < self.dt * (1 - 1e-9):
                reasons.append(
                    f"the path from {term.src!r} has a NIR delay of {delay_ms:g} ms, less than one step: "
                    f"spikemem's shortest delay, one step ({self.dt:g} ms), is used"
                )
                delay_ms = self.dt
            elif abs(math.floor(delay_ms / self.dt + 0.5) * self.dt - delay_ms) > 1e-9 * max(1.0, delay_ms):
                reasons.append(
                    f"delay {delay_ms:g} ms is rounded to whole steps of {self.dt:g} ms at run time"
                )
            for sign, name in ((1.0, "excitatory"), (-1.0, "inhibitory")):
                if receptor is not None and name != receptor:
                    continue
                mask = weight * sign > 0 if receptor is None else weight != 0
                if not np.any(mask):
                    continue
                group = groups.setdefault(
                    (term.src, target, name, hint), _Group(term.src, target, name, hint)
                )
                group.pre.append(pre[mask])
                group.post.append(post[mask])
                group.weight.append(np.abs(weight[mask]))
                group.delay.append(np.full(int(mask.sum()), delay_ms))
                group.via.update(term.via + via)
                group.reasons += [r for r in reasons if r not in group.reasons]
                group.index = min(group.index, index)

    def _hint(self, via: tuple[str, ...]) -> tuple[str | None, float, float | None]:
        """Projection name, order and delay (ms) from spikemem's metadata of the one weight
        node on a path (none when the path has several)."""
        weight_nodes = [k for k in via if self.kinds[k] == "weights"]
        if len(weight_nodes) != 1:
            return None, math.inf, None
        meta = self._meta(self.graph.nodes[weight_nodes[0]])
        name, index, delay = meta.get("name"), meta.get("index"), meta.get("delay_ms")
        return (
            str(name) if name is not None else None,
            float(index) if index is not None else math.inf,
            float(delay) if delay is not None and np.ndim(delay) == 0 else None,
        )

    # populations ---------------------------------------------------------------------------
    def _names(self, keys: list[str]) -> dict[str, str]:
        names: dict[str, str] = {}
        used: set[str] = set()
        for key in keys:
            wanted = self._meta(self.graph.nodes[key]).get("name")
            candidates = [str(wanted)] if wanted is not None else []
            candidates.append(_sanitize(key))
            for candidate in candidates:
                try:
                    check_name("population", candidate)
                except IRValidationError:
                    continue
                break
            base, k = candidate, 2
            while candidate in used:
                candidate, k = f"{base}_{k}", k + 1
            used.add(candidate)
            names[key] = candidate
        return names

    def _build_populations(self, groups: dict) -> dict[str, Population]:
        keys = [k for k, kind in self.kinds.items() if kind in ("input", "neuron") and k not in self.skipped]
        position = {k: i for i, k in enumerate(keys)}

        def order(key: str) -> tuple[float, int]:
            index = self._meta(self.graph.nodes[key]).get("index")
            return (float(index) if index is not None else math.inf, position[key])

        keys.sort(key=order)
        self.pop_order = keys
        self.pop_names = self._names(keys)
        received = {k: {g.receptor for g in groups.values() if g.target == k} for k in keys}
        pops: dict[str, Population] = {}
        for key in keys:
            node = self.graph.nodes[key]
            name = self.pop_names[key]
            try:
                if self.kinds[key] == "input":
                    cell, size, entry = self._input_cell(key, node, name)
                else:
                    cell, size, entry = self._neuron_cell(key, node, name, received[key])
                pops[key] = Population(name=name, size=size, cell=cell)
            except IRValidationError as error:
                raise IRValidationError(
                    f"{node_owner(key, node)} -> {error.owner}", error.parameter, error.value, error.allowed
                ) from None
            self.entries.append(entry)
        for key in self.skipped:
            self.covered.add(key)
            self.entries.append(
                FidelityEntry(
                    key,
                    "Input",
                    "(nothing)",
                    FAITHFUL,
                    (),
                    (
                        "an Input without spikemem metadata in a spikemem graph (added by nir's type "
                        "inference): skipped",
                    ),
                )
            )
        return pops

    def _input_cell(self, key: str, node: Any, name: str) -> tuple[Any, int, FidelityEntry]:
        size = input_size(key, node)
        meta = self._meta(node)
        self.covered.add(key)
        source = f"population {name!r}"
        if key in self.inputs:
            try:
                times, ids = self.inputs[key]
            except (TypeError, ValueError):
                raise IRValidationError(
                    "from_nir", f"inputs[{key!r}]", self.inputs[key], "a pair (times_ms, ids)"
                ) from None
            cell = SpikeSourceArray(times=times, ids=ids)
            note = f"{cell.times.size} spike times from the inputs argument"
        elif meta.get("kind") == "SpikeSourcePoisson":
            cell = SpikeSourcePoisson(
                rate=meta.get("rate_hz", 1.0),
                start=meta.get("start_ms", 0.0),
                duration=meta.get("duration_ms", 1e9),
                seed=int(meta["seed"]) if "seed" in meta else None,
            )
            note = "a Poisson source, restored from spikemem's metadata"
        elif "spike_times_ms" in meta and "spike_ids" in meta:
            cell = SpikeSourceArray(
                times=np.asarray(meta["spike_times_ms"], dtype=np.float64),
                ids=np.asarray(meta["spike_ids"]),
            )
            note = f"{cell.times.size} spike times from spikemem's metadata"
        else:
            cell = SpikeSourceArray()
            note = (
                "no spike times in the graph: the source is silent until you pass "
                "inputs={node: (times_ms, ids)}"
            )
        entry = FidelityEntry(
            key, "Input", f"{source} ({cell.kind})", FAITHFUL, (), (note,), external_data=True
        )
        return cell, size, entry

    def _neuron_cell(
        self, key: str, node: Any, name: str, received: set[str]
    ) -> tuple[Any, int, FidelityEntry]:
        params = neuron_params(self.nir, key, node)
        meta = self._meta(node)
        pynn = meta.get("pynn") if isinstance(meta.get("pynn"), dict) else {}
        self.covered.add(key)
        notes: list[str] = []
        if isinstance(node, self.nir.CubaLIF):
            tau_syn = params["tau_syn"] * self.unit
            cell_params = exp_cell_params(
                params["tau_mem"] * self.unit, params["r"], params["v_leak"], pynn, notes
            )
            used = str(meta.get("tau_syn_used", "tau_syn_E"))
            cell_params.update(tau_syn_params(tau_syn, tau_syn, used, pynn, received, notes))
            nodes, nir_type = key, "CubaLIF"
        elif key in self.synapse_inputs:
            if np.any(params["r"] <= 0):
                raise IRValidationError(
                    node_owner(key, node), "r", float(params["r"].min()), "values > 0 (resistance, MOhm)"
                )
            exc, inh = self.synapse_inputs[key]["excitatory"], self.synapse_inputs[key]["inhibitory"]
            tau_e = neuron_params(self.nir, exc, self.graph.nodes[exc])["tau"] * self.unit
            tau_i = neuron_params(self.nir, inh, self.graph.nodes[inh])["tau"] * self.unit
            cell_params = exp_cell_params(
                params["tau"] * self.unit, params["r"], params["v_leak"], pynn, notes
            )
            cell_params.update(tau_syn_params(tau_e, tau_i, "tau_syn_E", pynn, received, notes))
            nodes = ", ".join([key] + [p for p in self.preds[key] if self.kinds[p] == "synapse"])
            nir_type = "LIF+LI"
            self.covered.update(self.preds[key])
        else:
            cell_params = delta_cell_params(params["tau"] * self.unit, params["v_leak"], pynn, notes)
            nodes, nir_type = key, "LIF"
        cell_params["v_thresh"] = _compact(params["v_threshold"])
        cell_params["v_reset"] = _compact(params["v_reset"])
        reasons = restore_refractory(cell_params, pynn, notes)
        delta = nir_type == "LIF"
        if delta:
            reasons.append(
                "IF_curr_delta adds a delta input at the end of its arrival step, undecayed (NEST's "
                "convention); NIR's LIF lets it decay over that step"
            )
        elif self.numerics == "spinnaker":
            reasons.append("runs with numerics 'spinnaker' (a discrete-time scheme), not the NIR ODE")
        cls = IF_curr_delta if delta else IF_curr_exp
        cell = cls(**cell_params)
        entry = FidelityEntry(
            nodes,
            nir_type,
            f"population {name!r} ({cell.kind})",
            _label(reasons),
            tuple(reasons),
            tuple(notes),
        )
        return cell, params["v_threshold"].size, entry

    # projections -------------------------------------------------------------------------------
    def _build_projections(self, groups: dict, pops: dict[str, Population]) -> list[Projection]:
        ordered = sorted(enumerate(groups.values()), key=lambda item: (item[1].index, item[0]))
        used: set[str] = set()
        projections = []
        for _, group in ordered:
            pre, post = np.concatenate(group.pre), np.concatenate(group.post)
            weight, delay = np.concatenate(group.weight), np.concatenate(group.delay)
            order = np.lexsort((delay, post, pre))
            pre, post, weight, delay = pre[order], post[order], weight[order], delay[order]
            src, tgt = pops[group.src], pops[group.target]
            name = group.hint
            if name is None or name in used or not _valid_name(name):
                name = f"{src.name}_to_{tgt.name}" + ("_inh" if group.receptor == "inhibitory" else "")
            base, k = name, 2
            while name in used:
                name, k = f"{base}_{k}", k + 1
            used.add(name)
            projections.append(
                Projection(
                    name=name,
                    pre=src,
                    post=tgt,
                    connector=FromList(pre=pre, post=post),
                    weight=_compact(weight),
                    delay=_compact(delay),
                    receptor=group.receptor,
                )
            )
            self.covered.update(group.via)
            via = ", ".join(sorted(group.via)) or "(direct edge)"
            types = "+".join(sorted({type(self.graph.nodes[k]).__name__ for k in group.via})) or "edge"
            source = f"projection {name!r}: {src.name} -> {tgt.name} ({group.receptor}, {pre.size} synapses)"
            self.entries.append(
                FidelityEntry(via, types, source, _label(group.reasons), tuple(group.reasons))
            )
        for key, kind in self.kinds.items():
            if kind in ("weights", "delay") and key not in self.covered:
                self.covered.add(key)
                self.entries.append(
                    FidelityEntry(
                        key,
                        type(self.graph.nodes[key]).__name__,
                        "(nothing)",
                        FAITHFUL,
                        (),
                        ("no synapses come from this node (zero weights, or it reaches no neuron node)",),
                    )
                )
        return projections

    def _output_entries(self) -> None:
        for key, kind in self.kinds.items():
            if kind != "output":
                continue
            fed = [self.pop_names[p] for p in self.preds[key] if p in self.pop_names]
            source = "spikes of " + (", ".join(repr(n) for n in fed) if fed else "nothing")
            self.entries.append(
                FidelityEntry(key, "Output", source, FAITHFUL, (), ("every spikemem run records spikes",))
            )


def _sanitize(key: str) -> str:
    name = re.sub(r"[^A-Za-z0-9_.-]", "_", key).lstrip(".")[:200]
    return name or "node"


def _valid_name(name: str) -> bool:
    try:
        check_name("projection", name)
    except IRValidationError:
        return False
    return True
