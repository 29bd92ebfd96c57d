"""Lower an IR network to a Brian2 *plan*: plain numpy arrays and names, no brian2 import.

Layout of the generated Brian2 network (it mirrors the reference engine's flat layout, so
that the same operations happen in the same order):

- one ``NeuronGroup`` ``neurons`` holding every dynamic neuron (populations in network order,
  as the reference's global index), with per-neuron step constants;
- one ``SpikeGeneratorGroup`` ``sources`` holding every spike source, replaying the host-drawn
  spikes;
- one ``Synapses`` object per (source group, receptor, delay in steps), holding the synapses
  in the reference's CSR order. A spike adds its weights to the postsynaptic input buffer
  ``b<receptor><delay>`` at once (no Brian2 delay), so weights are read when the spike is
  sent, and buffers are delivered in the reference's summation order.

Each IR node type has a ``functools.singledispatch`` lowering function (:func:`lower_cell`,
:func:`lower_rule`) that is unit-tested without Brian2.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ...ir import STDP, IF_curr_delta, IF_curr_exp, SpikeSourceArray, SpikeSourcePoisson
from ...ir.cells import DiscreteLIF
from ...ir.connectivity import delay_steps
from ...ir.dendrites import DendriticNeuron
from ...ir.errors import UnsupportedFeature
from ...ir.network import Network
from ...lowering import Flat, Registry, flatten, phase_steps
from ..native import indices, native_seed
from . import codegen
from .translation import NEURON_CONSTANTS, SOURCE_CELLS

BACKEND = "brian2"


# --------------------------------------------------------------------------- per node type


lower_cell = Registry(BACKEND, "cell type")
"""What a cell becomes in Brian2: ``lower_cell(cell) -> {"group": "neurons"|"sources",
"parameters": {...}}``, ``parameters`` mapping each IR parameter to its
:class:`~.translation.Translation`; :class:`UnsupportedFeature` for a cell type it cannot lower."""


def _lowers_to(group: str, parameters: dict[str, Any], **extra: str) -> Callable[[Any], dict[str, Any]]:
    """A :data:`lower_cell` function: the cell joins ``group`` with its ``parameters`` translations."""
    return lambda cell: {"group": group, "parameters": parameters, **extra}


lower_cell.register(IF_curr_exp)(_lowers_to("neurons", NEURON_CONSTANTS["IF_curr_exp"]))
lower_cell.register(IF_curr_delta)(_lowers_to("neurons", NEURON_CONSTANTS["IF_curr_delta"]))
lower_cell.register(DiscreteLIF)(_lowers_to("neurons", NEURON_CONSTANTS["DiscreteLIF"]))
lower_cell.register(DendriticNeuron)(
    _lowers_to("neurons", NEURON_CONSTANTS["DendriticNeuron"], lowered="lower_dendrites")
)
lower_cell.register(SpikeSourceArray)(_lowers_to("sources", SOURCE_CELLS["SpikeSourceArray"]))
lower_cell.register(SpikeSourcePoisson)(_lowers_to("sources", SOURCE_CELLS["SpikeSourcePoisson"]))


lower_rule = Registry(BACKEND, "plasticity rule")
"""Per-synapse values of the Brian2 STDP variables for one plasticity rule:
``lower_rule(rule, delay_steps)``.

    Parameters
    ----------
    rule : STDP
        The rule.
    delay_steps : int
        Synaptic delay (steps) of the synapses it applies to.

    Returns
    -------
    dict
        ``taup, taum, Ap, Am, wmin, wmax, mult, clip_on, eop, ip, idp`` (floats) and the pathway
        delays ``a_pre, a_post`` (steps).

    Raises
    ------
    UnsupportedFeature
        For a rule the backend cannot lower.
    """


@lower_rule.register(STDP)
def _(rule: STDP, delay_steps: int) -> dict[str, float]:
    a_plus, a_minus = rule.scaled_amplitudes
    a_pre, a_post = {"dendritic": (0, delay_steps), "axonal": (delay_steps, 0), "none": (0, 0)}[
        rule.delay_convention
    ]
    return {
        "taup": float(rule.timing.tau_plus),
        "taum": float(rule.timing.tau_minus),
        "Ap": float(a_plus),
        "Am": float(a_minus),
        "wmin": float(rule.weight.w_min),
        "wmax": float(rule.weight.w_max),
        "mult": float(type(rule.weight).__name__ == "Multiplicative"),
        "clip_on": float(rule.clipping == "per_event"),
        "eop": float(rule.clipping == "end_of_phase"),
        "ip": float(rule.zero_lag == "potentiate"),
        "idp": float(rule.zero_lag == "depress"),
        "a_pre": a_pre,
        "a_post": a_post,
    }


STATIC_RULE = {
    "taup": 1.0,
    "taum": 1.0,
    "Ap": 0.0,
    "Am": 0.0,
    "wmin": 0.0,
    "wmax": 0.0,
    "mult": 0.0,
    "clip_on": 0.0,
    "eop": 0.0,
    "ip": 0.0,
    "idp": 0.0,
    "a_pre": 0,
    "a_post": 0,
}
"""STDP variables of a static synapse that shares a Synapses object with plastic ones: it never
learns (``learn`` stays 0) and ``clip_on = eop = 0`` leave its weight untouched."""


# --------------------------------------------------------------------------- the plan


@dataclass
class SynapseGroup:
    """One Brian2 ``Synapses`` object.

    Attributes
    ----------
    name : str
        Brian2 object name, e.g. ``"syn_ne1"`` (from neurons, excitatory, 1 step).
    source : {"neurons", "sources"}
        Presynaptic group.
    receptor : {"e", "i"}
        Target buffer family.
    delay : int
        Delay (steps, >= 1): the spike is added to buffer ``b<receptor><delay>``.
    pre, post : ndarray of int64
        Indices within the source group and within ``neurons``, in the reference's CSR order.
    weight : ndarray of float64
        Initial weights.
    slots : ndarray of int64
        CSR slot of each synapse in the reference layout.
    stdp : dict of str to ndarray, or None
        Per-synapse STDP variables when the group holds plastic synapses (see :func:`lower_rule`).
    projection : ndarray of int64 or None
        Index into :attr:`Plan.plastic` of each synapse's plastic projection, -1 for static ones.
    """

    name: str
    source: str
    receptor: str
    delay: int
    pre: np.ndarray
    post: np.ndarray
    weight: np.ndarray
    slots: np.ndarray
    stdp: dict[str, np.ndarray] | None = None
    projection: np.ndarray | None = None

    @property
    def plastic(self) -> bool:
        """True when the group holds at least one plastic synapse."""
        return self.stdp is not None

    @property
    def order(self) -> int:
        """Schedule order of the transmission pathway: neurons' spikes before sources' spikes,
        as the reference engine sends them."""
        return 0 if self.source == "neurons" else 1


@dataclass
class NativeGroup:
    """One ``Synapses`` object whose synapses Brian2 draws itself (``connectivity="native"``).

    Attributes
    ----------
    name : str
        Brian2 object name (``"native_<k>"``).
    projection : str
        The IR projection.
    source : {"neurons", "sources"}
        Presynaptic group; the synapses connect its slice ``pre`` to the slice ``post`` of
        ``neurons`` (start, stop), so that ``i`` and ``j`` are positions within the projection.
    receptor : {"e", "i"}
        Target buffer family.
    delay : int
        Delay (steps, >= 1).
    weight : float
        The projection's weight (nA; mV onto delta cells).
    connect : dict
        Keywords of ``Synapses.connect`` (see :func:`connect_arguments`).
    """

    name: str
    projection: str
    source: str
    pre: tuple[int, int]
    post: tuple[int, int]
    receptor: str
    delay: int
    weight: float
    connect: dict

    @property
    def order(self) -> int:
        """Schedule order of the transmission pathway (as :attr:`SynapseGroup.order`)."""
        return 0 if self.source == "neurons" else 1


NATIVE_CONNECTORS = ("FixedProbability", "FixedNumberPre", "FixedNumberPost")
"""Random connectors Brian2 generates itself (``FixedTotalNumber`` has no ``connect`` form)."""


def connect_arguments(connector: Any, n_pre: int, n_post: int, owner: str) -> dict:
    """The ``Synapses.connect`` keywords that draw ``connector`` between ``n_pre`` and ``n_post``
    neurons: ``p=`` for ``FixedProbability`` (``condition="i != j"`` without self-connections)
    and ``sample(N, size=n)`` generator expressions for the fixed numbers (without
    self-connections: a sample of ``N - 1`` positions that skips the row's own position).
    ``p`` and ``n`` are passed by name (``p_native``, ``n_native`` in the ``namespace`` keyword),
    so the generated code does not depend on them and Brian2's compiled-code cache serves every
    value.

    Raises
    ------
    UnsupportedFeature
        For ``with_replacement=True`` (``sample`` draws without replacement) and for
        ``allow_self_connections=False`` when some rows have no position to skip (more rows
        than candidates).
    """
    if connector.kind == "FixedProbability":
        args: dict = {"p": "p_native", "namespace": {"p_native": float(connector.p)}}
        if not connector.allow_self_connections:
            args["condition"] = "i != j"
        return args
    pre_rows = connector.kind == "FixedNumberPre"  # each post neuron j draws its pre neurons
    outer, inner = ("j", "i") if pre_rows else ("i", "j")
    size, rows = (n_pre, n_post) if pre_rows else (n_post, n_pre)
    pool = "N_pre" if pre_rows else "N_post"
    if connector.with_replacement:
        raise UnsupportedFeature(
            f"{owner}: {connector.kind} with with_replacement=True "
            "(Brian2's sample() draws without replacement)",
            BACKEND,
            ("numba", "nest"),
        )
    namespace = {"n_native": int(connector.n)}
    if connector.allow_self_connections:
        return {inner: f"k for k in sample({pool}, size=n_native)", "namespace": namespace}
    if rows > size:
        raise UnsupportedFeature(
            f"{owner}: {connector.kind} with allow_self_connections=False and more rows ({rows}) than "
            f"candidates ({size})",
            BACKEND,
            ("numba",),
        )
    expression = f"k + int(k >= {outer}) for k in sample({pool} - 1, size=n_native)"
    return {inner: expression, "namespace": namespace}


def native_groups(projections: tuple, flat: Flat) -> list[NativeGroup]:
    """The :class:`NativeGroup` of every projection Brian2 generates itself (``projections``,
    on whole populations or contiguous views), with ``flat``'s layout and delay rule."""
    groups = []
    for k, proj in enumerate(projections):
        owner = f"Projection {proj.name!r}"
        from_source = flat.offsets[proj.pre.population.name] >= flat.n_dynamic
        pre = _span(proj.pre, flat, flat.n_dynamic if from_source else 0, owner)
        post = _span(proj.post, flat, 0, owner)
        steps = int(delay_steps(np.array([float(proj.delay)]), flat.dt, owner=owner)[0])
        groups.append(
            NativeGroup(
                name=f"native_{k}",
                projection=proj.name,
                source="sources" if from_source else "neurons",
                pre=pre,
                post=post,
                receptor="e" if proj.receptor == "excitatory" else "i",
                delay=steps,
                weight=float(proj.weight),
                connect=connect_arguments(proj.connector, pre[1] - pre[0], post[1] - post[0], owner),
            )
        )
    return groups


def _span(side: Any, flat: Flat, group_offset: int, owner: str) -> tuple[int, int]:
    """(start, stop) of a projection side within its Brian2 group (a contiguous slice)."""
    chosen = indices(side)
    start = flat.offsets[side.population.name] - group_offset + int(chosen[0])
    if np.any(np.diff(chosen) != 1):
        raise UnsupportedFeature(
            f"connectivity='native' on {owner}: a view that is not a contiguous slice", BACKEND, ("numba",)
        )
    return start, start + int(chosen.size)


@dataclass
class Plan:
    """Everything needed to build the Brian2 network, as numpy arrays."""

    flat: Flat
    neuron_constants: dict[str, np.ndarray]
    nref: np.ndarray
    v_init: np.ndarray
    depth_e: int
    depth_i: int
    n_sources: int
    groups: list[SynapseGroup]
    plastic: list[str]
    weight_index: dict[str, list[tuple[int, np.ndarray, np.ndarray]]] = field(default_factory=dict)
    state_variables: dict[str, tuple[str, ...]] = field(default_factory=dict)
    native: list[NativeGroup] = field(default_factory=list)
    native_seed: int = 0
    """Seed of Brian2's random numbers for the :attr:`native` groups."""

    def neuron_model(self) -> str:
        """Equations of the NeuronGroup."""
        return codegen.neuron_model(self.depth_e, self.depth_i)

    def neuron_update(self) -> str:
        """The per-step update code of the NeuronGroup."""
        return codegen.neuron_update(self.depth_e, self.depth_i)


def lower(network: Network, dt: float, numerics: str, seed: int, native: tuple = ()) -> Plan:
    """Lower ``network`` at time step ``dt`` (ms) into a :class:`Plan`; the projections in
    ``native`` (whose populations ``network`` holds, the projections not) become
    :class:`NativeGroup` objects drawn by Brian2 (:func:`native_groups`).

    Raises
    ------
    UnsupportedFeature
        For a cell type or plasticity rule the backend cannot lower.
    """
    for pop in network.populations:
        lower_cell(pop.cell)
    flat = flatten(network, dt, numerics, seed, backend=BACKEND)
    neurons = flat.neurons
    constants = {
        name: np.ascontiguousarray(getattr(neurons, name), dtype=np.float64)
        for name in codegen.NEURON_CONSTANTS
        if name != "sub"
    }
    constants["sub"] = np.ascontiguousarray(flat.subtractive, dtype=np.float64)
    groups, plastic, weight_index = _synapse_groups(network, flat, dt)
    natives = native_groups(native, flat)
    depth = {r: max([g.delay for g in [*groups, *natives] if g.receptor == r], default=1) for r in ("e", "i")}
    return Plan(
        flat=flat,
        neuron_constants=constants,
        nref=np.ascontiguousarray(neurons.nref, dtype=np.int32),
        v_init=np.ascontiguousarray(neurons.v_init, dtype=np.float64),
        depth_e=depth["e"],
        depth_i=depth["i"],
        n_sources=flat.n_total - flat.n_dynamic,
        groups=groups,
        plastic=plastic,
        weight_index=weight_index,
        state_variables={p.name: p.cell.state_variables for p in network.populations},
        native=natives,
        native_seed=native_seed(seed, "brian2"),
    )


def _synapse_groups(network: Network, flat: Flat, dt: float):
    syn = flat.synapses
    n_dyn, n_syn = flat.n_dynamic, int(syn.weight.size)
    pre_g = np.repeat(np.arange(flat.n_total, dtype=np.int64), np.diff(syn.row_ptr))
    target = syn.target.astype(np.int64)
    receptor = target // max(n_dyn, 1)
    post = target % max(n_dyn, 1)
    delay = syn.delay.astype(np.int64)
    owner = np.full(n_syn, -1, dtype=np.int64)
    plastic = [p for p in network.projections if p.plastic]
    for k, proj in enumerate(plastic):
        owner[syn.projection_slots[proj.name]] = k
    from_source = pre_g >= n_dyn
    keys = (
        np.stack([from_source.astype(np.int64), receptor, delay], axis=1)
        if n_syn
        else np.zeros((0, 3), np.int64)
    )
    groups: list[SynapseGroup] = []
    group_of_slot = np.full(n_syn, -1, dtype=np.int64)
    position_of_slot = np.full(n_syn, -1, dtype=np.int64)
    for key in sorted({tuple(int(x) for x in row) for row in keys}):
        src, rec, d = key
        slots = np.flatnonzero((keys[:, 0] == src) & (keys[:, 1] == rec) & (keys[:, 2] == d))
        r = "ei"[rec]
        group = SynapseGroup(
            name=f"syn_{'sn'[src == 0]}{r}{d}",
            source="sources" if src else "neurons",
            receptor=r,
            delay=d,
            pre=pre_g[slots] - (n_dyn if src else 0),
            post=post[slots],
            weight=syn.weight[slots].astype(np.float64),
            slots=slots,
        )
        if np.any(owner[slots] >= 0):
            group.projection = owner[slots]
            group.stdp = _stdp_arrays(plastic, owner[slots], d)
        group_of_slot[slots] = len(groups)
        position_of_slot[slots] = np.arange(slots.size)
        groups.append(group)
    weight_index = {}
    for proj in plastic:
        slots = syn.projection_slots[proj.name]  # resolve order
        parts = []
        for g in np.unique(group_of_slot[slots]):
            mask = group_of_slot[slots] == g
            parts.append((int(g), np.flatnonzero(mask), position_of_slot[slots[mask]]))
        weight_index[proj.name] = parts
    return groups, [p.name for p in plastic], weight_index


def _stdp_arrays(plastic: list, owner: np.ndarray, delay: int) -> dict[str, np.ndarray]:
    names = list(STATIC_RULE)
    arrays = {
        name: np.full(
            owner.size, STATIC_RULE[name], dtype=np.int64 if name in ("a_pre", "a_post") else np.float64
        )
        for name in names
    }
    for k in np.unique(owner[owner >= 0]):
        values = lower_rule(plastic[int(k)].plasticity, delay)
        mask = owner == k
        for name in names:
            arrays[name][mask] = values[name]
    return arrays


@dataclass
class PhasePlan:
    """The schedule as data the whole run reads, so that Brian2 runs it in **one** ``run()``.

    Brian2's standalone devices generate (and compile) a new set of code objects for every
    ``run()`` call, so one call per phase would multiply the compile time by the number of
    phases. Instead, phase boundaries fall on a coarse *block* grid (the greatest common
    divisor of the boundaries) and two ``TimedArray`` tables indexed by block carry the phase
    data: which plastic projections learn, and where a phase starts (for end-of-phase clipping
    and weight snapshots).

    Attributes
    ----------
    starts : ndarray of int64
        Start step of every phase, then the total number of steps.
    block : int
        Block length (steps): every phase boundary is a multiple of it.
    learn : ndarray, shape (n_blocks, n_plastic + 1)
        1.0 where the plastic projection learns during the block; the last column (static
        synapses) is 0.
    phase_start : ndarray, shape (n_blocks, 1)
        1.0 for the first block of phases 1, 2, ... (not of phase 0).
    """

    starts: np.ndarray
    block: int
    learn: np.ndarray
    phase_start: np.ndarray

    @property
    def n_phases(self) -> int:
        """Number of phases."""
        return int(self.starts.size - 1)

    @property
    def n_steps(self) -> int:
        """Length of the run (steps)."""
        return int(self.starts[-1])

    @property
    def snapshot_blocks(self) -> np.ndarray:
        """Block index whose start holds the state at the end of phases 0 .. n-2."""
        return (self.starts[1:-1] // self.block).astype(np.int64)


def phase_plan(schedule: Any, plastic: list[str], dt: float) -> PhasePlan:
    """The :class:`PhasePlan` of ``schedule`` (a :class:`~spikemem.ir.Schedule`) at step ``dt``."""
    starts = phase_steps(schedule, dt)
    interior = [int(s) for s in starts[1:-1]]
    block = int(np.gcd.reduce(interior)) if interior else int(starts[-1])
    n_blocks = -(-int(starts[-1]) // block)
    first = np.arange(n_blocks, dtype=np.int64) * block
    phase_of_block = np.searchsorted(starts, first, side="right") - 1
    enabled = np.array(
        [[p.plastic is None or name in p.plastic for name in plastic] + [False] for p in schedule.phases],
        dtype=np.float64,
    ).reshape(len(schedule.phases), len(plastic) + 1)
    phase_start = np.isin(first, interior).astype(np.float64).reshape(-1, 1)
    return PhasePlan(starts=starts, block=block, learn=enabled[phase_of_block], phase_start=phase_start)


def single_phase_plan(plastic: list[str]) -> PhasePlan:
    """The plan of a run without a schedule: one phase of any length with all learning on."""
    learn = np.ones((1, len(plastic) + 1))
    learn[:, -1] = 0.0
    return PhasePlan(
        starts=np.array([0, 1], dtype=np.int64), block=1, learn=learn, phase_start=np.zeros((1, 1))
    )


def weights_in_resolve_order(plan: Plan, projection: str, group_weights: dict[int, np.ndarray]) -> np.ndarray:
    """The weights of plastic ``projection`` in :func:`spikemem.ir.resolve` order.

    ``group_weights`` maps a group index to the current weights of that Synapses object.
    """
    parts = plan.weight_index[projection]
    size = sum(p[1].size for p in parts)
    out = np.empty(size, dtype=np.float64)
    for g, where, positions in parts:
        out[where] = group_weights[g][positions]
    return out
