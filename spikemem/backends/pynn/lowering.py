"""Lower an IR network to a PyNN *plan*: plain data (numpy arrays, names, numbers), no PyNN import.

A :class:`NetworkPlan` says which PyNN calls to make — populations, projections with their
connectors, weights, delays and receptor types, STDP mechanisms, what to record — for one
target simulator, described by a :class:`Dialect`. :mod:`.build` then makes those calls on an
injectable PyNN simulator module (``pyNN.spiNNaker``, ``pyNN.nest``...).

Each IR node type has a ``functools.singledispatch`` lowering function (:func:`lower_cell`,
:func:`lower_connector`, :func:`lower_plasticity`), unit-tested without any simulator.

Conversions made here, so that every simulator sees the reference engine's network:

- **Synapses.** Connectors are resolved with the shared, seeded
  :func:`spikemem.ir.connectivity.resolve`; ``OneToOne`` and ``AllToAll`` between whole
  populations with scalar weight and delay stay native PyNN connectors, everything else
  (``FixedProbability``, ``FromList``, views, per-synapse values, and ``AllToAll`` without
  self-connections between two different populations, which standard PyNN does not drop)
  becomes a ``FromListConnector`` with the exact ``(i, j, weight, delay)`` rows.
- **Delays** are rounded to whole steps with the IR's one rule, then shifted by the dialect's
  offset for the (presynaptic kind, postsynaptic cell) pair (see :data:`NEST`), at least one
  step.
- **Sources.** ``SpikeSourcePoisson`` populations become ``SpikeSourceArray`` populations
  replaying the host-drawn spikes of the reference engine (same seeds), so every backend sees
  the same input; schedule stimuli are merged in at their absolute times.
- **STDP amplitudes** follow the dialect's convention (sPyNNaker 7: absolute weights for the
  additive rule; PyNN/NEST: fractions of ``w_max``).
"""

from __future__ import annotations

import functools
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ...ir import (
    STDP,
    AllToAll,
    FixedNumberPost,
    FixedNumberPre,
    FixedProbability,
    FixedTotalNumber,
    FromList,
    IF_curr_delta,
    IF_curr_exp,
    Multiplicative,
    OneToOne,
    SpikeSourceArray,
    SpikeSourcePoisson,
)
from ...ir.cells import is_source
from ...ir.connectivity import Synapses, delay_steps, resolve
from ...ir.errors import IRValidationError, UnsupportedFeature
from ...ir.network import Network
from ...ir.population import Population
from ...ir.projection import Projection
from ...ir.record import RecordSpec
from ...ir.schedule import Schedule
from ...lowering import flatten, phase_steps, source_spikes
from ..native import indices, native_projections

__all__ = [
    "NEST",
    "SPINNAKER",
    "ConnectorPlan",
    "Dialect",
    "NetworkPlan",
    "PhasePlan",
    "PopulationPlan",
    "ProjectionPlan",
    "SynapsePlan",
    "lower_cell",
    "lower_connector",
    "lower_checked",
    "lower_network",
    "lower_plasticity",
]


# --------------------------------------------------------------------------- dialects


@dataclass(frozen=True)
class Dialect:
    """How one PyNN simulator differs from the reference engine, and how to convert.

    Parameters
    ----------
    name : str
        Backend name (for messages).
    module : str
        The PyNN module imported by default (``"pyNN.spiNNaker"``).
    numerics : tuple of str
        IR numerics the simulator runs faithfully.
    amplitude : {"absolute", "w_max"}
        What the simulator's ``SpikePairRule(A_plus, A_minus)`` means for an additive weight
        dependence: a weight change (nA; sPyNNaker 7) or a fraction of ``w_max`` (PyNN's
        standard, NEST). The multiplicative rule's amplitudes are dimensionless everywhere.
    delay_offsets : dict of (str, str) to int
        Steps added to a projection's delay, by ``(pre kind, post cell)`` where the pre kind is
        ``"neuron"`` or ``"source"`` and the post cell ``"IF_curr_exp"`` or ``"IF_curr_delta"``
        (missing pairs: 0). NEST time-stamps a neuron spike at the *end* of the step in which
        the threshold was crossed (the reference at its start), and applies current-based input
        one step after its delivery slot but delta input in it.
    spike_time_offset : int
        A neuron spike of reference step ``k`` is reported by the simulator at
        ``(k + spike_time_offset)·dt`` ms.
    min_source_step : int
        Earliest step at which the simulator can emit a source spike (pyNN.nest: 2, since
        its spike generator feeds a parrot neuron over ``min_delay`` and NEST refuses spike
        times <= 0). Earlier spikes are moved there, with a warning.
    inhibitory_sign : float
        Sign of the weights of inhibitory current-based projections (pyNN.nest: -1).
    stdp : dict of str to tuple of str
        STDP conventions (fields of :class:`spikemem.ir.STDP`) the simulator implements.
    stdp_exact : bool
        Whether the STDP conventions outside ``stdp`` raise :class:`UnsupportedFeature`
        (``True``) or only warn, stating the difference (``False``).
    w_min_zero_only : bool
        Whether the weight dependence needs ``w_min = 0`` (NEST's ``stdp_synapse``).
    plastic_inhibitory : bool
        Whether STDP on inhibitory projections is available.
    state_variables : dict of str to str
        IR state variable -> PyNN recordable.
    state_sample_offset : int
        The IR's sample of step ``k`` (state at the end of step ``k``) is the simulator's
        sample number ``k + state_sample_offset``.
    current_after_arrivals : bool
        The simulator's sample of a synaptic current at the end of a step already holds the
        input that the reference delivers in the *next* step (NEST adds arrivals after the
        membrane update). The reference's sample ``k`` is then the simulator's sample ``k``
        decayed by one step, ``e^(-dt/tau_syn)``, which :mod:`.build` applies.
    delta_weight_unit : float
        What one mV of an ``IF_curr_delta`` weight reads back as, and the factor to apply to an
        STDP ``w_max`` onto ``IF_curr_delta`` cells (pyNN.nest 0.13 scales both by 1000 although
        the weight itself is passed in mV).
    """

    name: str
    module: str
    numerics: tuple[str, ...]
    amplitude: str
    delay_offsets: dict = field(default_factory=dict)
    spike_time_offset: int = 0
    min_source_step: int = 0
    inhibitory_sign: float = 1.0
    stdp: dict = field(default_factory=dict)
    stdp_exact: bool = True
    w_min_zero_only: bool = False
    plastic_inhibitory: bool = True
    state_variables: dict = field(default_factory=lambda: {"v": "v"})
    state_sample_offset: int = 0
    current_after_arrivals: bool = False
    delta_weight_unit: float = 1.0
    native_connectors: tuple[str, ...] = ()
    """Random connectors the simulator generates itself under ``connectivity="native"``."""


SPINNAKER = Dialect(
    name="spinnaker",
    module="pyNN.spiNNaker",
    numerics=("spinnaker",),
    amplitude="absolute",
    stdp={
        "delay_convention": ("dendritic",),
        "zero_lag": ("depress",),
        "clipping": ("per_event",),
    },
    stdp_exact=True,
    state_variables={"v": "v"},
    state_sample_offset=0,
    native_connectors=("FixedProbability", "FixedNumberPre", "FixedNumberPost"),
)
"""sPyNNaker 1!7.4.1: spikes are recorded at the step in which they are emitted and a delay of
``d`` steps delivers in step ``t + d`` (as the reference); STDP is dendritic (``backprop``),
depresses at zero lag and clips per event; the additive rule's A± are
weights (nA), not fractions of ``w_max`` (``weight_dependence_additive.py`` writes ``A_plus``
times the global weight scale only)."""

NEST = Dialect(
    name="nest",
    module="pyNN.nest",
    numerics=("exact",),
    amplitude="w_max",
    delay_offsets={
        ("neuron", "IF_curr_exp"): -1,
        ("source", "IF_curr_exp"): 0,
        ("neuron", "IF_curr_delta"): 0,
        ("source", "IF_curr_delta"): 1,
    },
    spike_time_offset=1,
    min_source_step=2,
    inhibitory_sign=-1.0,
    stdp={
        "delay_convention": ("dendritic",),
        "zero_lag": ("ignore",),
        "clipping": ("per_event",),
    },
    stdp_exact=False,
    w_min_zero_only=True,
    plastic_inhibitory=False,
    state_variables={"v": "v", "isyn_exc": "isyn_exc", "isyn_inh": "isyn_inh"},
    current_after_arrivals=True,
    delta_weight_unit=1e-3,
    state_sample_offset=1,
    native_connectors=("FixedProbability", "FixedNumberPre", "FixedNumberPost", "FixedTotalNumber"),
)
"""NEST 3.10 through pyNN.nest 0.13 (``spike_precision="on_grid"``): ``iaf_psc_exp`` /
``iaf_psc_delta`` integrate exactly, but a spike whose threshold crossing is detected at the
end of step ``k`` carries the time stamp ``(k+1)·dt`` and reaches its target one full delay
later; source spikes keep their time. ``iaf_psc_exp`` adds arriving input to its current after
the membrane update of the delivery step, ``iaf_psc_delta`` to the membrane within it. Hence a
projection of ``d`` reference steps becomes ``d - 1`` NEST steps from neurons onto
``IF_curr_exp`` (``d = 1`` cannot be expressed: one step late, with a warning), ``d`` from
neurons onto ``IF_curr_delta`` or from sources onto ``IF_curr_exp``, ``d + 1`` from sources
onto ``IF_curr_delta``; recorded neuron spike times are one step later, and multimeter sample
``k+1`` is the state at the end of reference step ``k``. ``stdp_synapse`` is dendritic on the
NEST delay, ignores zero-lag pairs and has no lower weight bound."""


# --------------------------------------------------------------------------- plan


@dataclass
class PopulationPlan:
    """One ``sim.Population`` call.

    Attributes
    ----------
    name : str
        Label (the IR population name).
    size : int
        Number of cells.
    model : str
        PyNN cell type: ``"IF_curr_exp"``, ``"IF_curr_delta"`` or ``"SpikeSourceArray"``.
    parameters : dict
        PyNN parameters (PyNN names and units; floats or per-neuron arrays).
    initial : dict
        Initial values (``{"v": mV}``).
    spike_times : list of ndarray or None
        Sources: spike times (ms) of each neuron, sorted.
    """

    name: str
    size: int
    model: str
    parameters: dict = field(default_factory=dict)
    initial: dict = field(default_factory=dict)
    spike_times: list | None = None

    @property
    def source(self) -> bool:
        """True for spike sources."""
        return self.model == "SpikeSourceArray"


@dataclass
class ConnectorPlan:
    """A PyNN connector.

    Attributes
    ----------
    kind : str
        PyNN connector class (without the ``Connector`` suffix): ``"OneToOne"``, ``"AllToAll"``,
        ``"FromList"``, or under ``connectivity="native"`` ``"FixedProbability"``,
        ``"FixedNumberPre"``, ``"FixedNumberPost"``, ``"FixedTotalNumber"`` (drawn by the
        simulator).
    allow_self_connections : bool
        For ``AllToAll`` and the native connectors.
    rows : ndarray or None
        ``FromList``: ``(n, 4)`` array of ``(pre, post, weight, delay)`` with indices in the
        parent populations, weights in PyNN units (signed per the dialect) and delays in ms.
    p : float or None
        ``FixedProbability``: connection probability.
    n : int or None
        Fixed-number connectors: the number of synapses (per post neuron, per pre neuron, in all).
    with_replacement : bool
        Fixed-number connectors: whether a pair may be drawn twice.
    """

    kind: str
    allow_self_connections: bool = True
    rows: np.ndarray | None = None
    p: float | None = None
    n: int | None = None
    with_replacement: bool = False

    @property
    def native(self) -> bool:
        """True when the simulator draws the synapses (no host synapse list)."""
        return self.kind in NATIVE_KINDS


NATIVE_KINDS = ("FixedProbability", "FixedNumberPre", "FixedNumberPost", "FixedTotalNumber")
"""Connector kinds a simulator draws itself (``connectivity="native"``)."""


@dataclass
class SynapsePlan:
    """A PyNN synapse type: ``StaticSynapse`` or ``STDPMechanism``.

    Attributes
    ----------
    kind : {"static", "stdp"}
        Which one.
    weight, delay : float or None
        Scalar weight (PyNN units, signed per the dialect) and delay (ms); ``None`` when the
        connector's rows carry them.
    timing : dict or None
        ``SpikePairRule`` parameters (``tau_plus``, ``tau_minus`` in ms; ``A_plus``,
        ``A_minus`` in the dialect's convention).
    dependence : {"additive", "multiplicative"} or None
        Weight dependence.
    bounds : dict or None
        ``w_min``, ``w_max`` (nA).
    """

    kind: str = "static"
    weight: float | None = None
    delay: float | None = None
    timing: dict | None = None
    dependence: str | None = None
    bounds: dict | None = None


@dataclass
class ProjectionPlan:
    """One ``sim.Projection`` call, and how to map its synapses back to the IR order.

    Attributes
    ----------
    name : str
        Label (the IR projection name).
    pre, post : str
        Parent population names.
    receptor : {"excitatory", "inhibitory"}
        PyNN receptor type.
    connector : ConnectorPlan
        The connector.
    synapse : SynapsePlan
        The synapse type.
    pre_ids, post_ids : ndarray of int
        Parent-population indices of every synapse in the order of
        :func:`spikemem.ir.connectivity.resolve` (the order of weight snapshots); empty for a
        natively drawn projection (its delays then hold its one delay).
    weight_unit : float
        What one IR weight unit reads back as from the simulator (see
        :attr:`Dialect.delta_weight_unit`).
    delay_steps : ndarray of int
        Delays in reference steps (resolve order).
    sim_delay_steps : ndarray of int
        Delays in simulator steps (after the dialect's offset and the one-step minimum).
    pre_view, post_view : ndarray of int or None
        A natively drawn projection on a view: the sorted parent indices of the view (the
        projection connects ``population[view]``); ``None`` for the whole population.
    """

    name: str
    pre: str
    post: str
    receptor: str
    connector: ConnectorPlan
    synapse: SynapsePlan
    pre_ids: np.ndarray
    post_ids: np.ndarray
    delay_steps: np.ndarray
    sim_delay_steps: np.ndarray
    weight_unit: float = 1.0
    pre_view: np.ndarray | None = None
    post_view: np.ndarray | None = None

    @property
    def plastic(self) -> bool:
        """True for STDP projections."""
        return self.synapse.kind == "stdp"

    @property
    def size(self) -> int:
        """Number of synapses."""
        return int(self.pre_ids.size)


@dataclass
class PhasePlan:
    """One schedule phase: ``sim.run(duration)`` with the listed projections learning."""

    name: str
    start_step: int
    stop_step: int
    plastic: tuple | None

    def learning(self, projection: str) -> bool:
        """Whether ``projection`` learns during this phase."""
        return self.plastic is None or projection in self.plastic


@dataclass
class NetworkPlan:
    """Everything :mod:`.build` needs, for one dialect.

    Attributes
    ----------
    dialect : Dialect
        The target.
    network : str
        Network name.
    dt : float
        Time step (ms).
    numerics : str
        Numerics the network asked for.
    seed : int
        Compile seed.
    populations, projections : list
        :class:`PopulationPlan` and :class:`ProjectionPlan` objects, in network order.
    phases : list of PhasePlan
        The schedule.
    record : RecordSpec
        What to record.
    notes : list of str
        Differences from the reference that were accepted (each also issued as a warning).
    """

    dialect: Dialect
    network: str
    dt: float
    numerics: str
    seed: int
    populations: list
    projections: list
    phases: list
    record: RecordSpec
    notes: list = field(default_factory=list)

    @property
    def sizes(self) -> dict[str, int]:
        """Population name -> size."""
        return {p.name: p.size for p in self.populations}

    @property
    def n_steps(self) -> int:
        """Length of the run (steps)."""
        return self.phases[-1].stop_step if self.phases else 0

    def population(self, name: str) -> PopulationPlan:
        """The population plan called ``name``."""
        for pop in self.populations:
            if pop.name == name:
                return pop
        raise KeyError(name)


@dataclass
class _Context:
    """State shared by the lowering functions of one network."""

    dialect: Dialect
    dt: float
    seed: int
    network: Network
    sources: dict = field(default_factory=dict)  # population -> list of per-neuron time arrays
    notes: list = field(default_factory=list)
    stdp_exact: bool = True

    def note(self, text: str) -> None:
        self.notes.append(text)


# --------------------------------------------------------------------------- cells


@functools.singledispatch
def lower_cell(cell: Any, population: Population, ctx: _Context) -> PopulationPlan:
    """The ``sim.Population`` call of one IR population.

    Raises
    ------
    UnsupportedFeature
        For a cell type without a PyNN counterpart (e.g. native dendritic segments).
    """
    raise UnsupportedFeature(f"cell type {type(cell).__name__}", ctx.dialect.name, ("numba",))


def _lif(cell: Any, population: Population, model: str) -> PopulationPlan:
    parameters = {name: _value(getattr(cell, name)) for name in cell.parameter_names()}
    v_init = cell.v_rest if cell.v_init is None else cell.v_init
    return PopulationPlan(
        name=population.name,
        size=population.size,
        model=model,
        parameters=parameters,
        initial={"v": _value(v_init)},
    )


@lower_cell.register
def _(cell: IF_curr_exp, population: Population, ctx: _Context) -> PopulationPlan:
    return _lif(cell, population, "IF_curr_exp")


@lower_cell.register
def _(cell: IF_curr_delta, population: Population, ctx: _Context) -> PopulationPlan:
    return _lif(cell, population, "IF_curr_delta")


def _source(population: Population, ctx: _Context) -> PopulationPlan:
    times = ctx.sources.get(population.name) or [np.zeros(0) for _ in range(population.size)]
    return PopulationPlan(
        name=population.name, size=population.size, model="SpikeSourceArray", spike_times=times
    )


@lower_cell.register
def _(cell: SpikeSourceArray, population: Population, ctx: _Context) -> PopulationPlan:
    return _source(population, ctx)


@lower_cell.register
def _(cell: SpikeSourcePoisson, population: Population, ctx: _Context) -> PopulationPlan:
    return _source(population, ctx)


def _value(value: Any) -> float | np.ndarray:
    if isinstance(value, np.ndarray):
        return np.array(value, dtype=np.float64)
    return float(value)


# --------------------------------------------------------------------------- connectors


def _whole(side: Any) -> bool:
    """True when a projection side is a whole population in its natural order."""
    return isinstance(side, Population)


def _scalar(value: Any) -> bool:
    return not isinstance(value, np.ndarray)


@functools.singledispatch
def lower_connector(
    connector: Any, projection: Projection, synapses: Synapses, weights: np.ndarray, delays_ms: np.ndarray
) -> ConnectorPlan:
    """The PyNN connector of one projection.

    Parameters
    ----------
    connector : OneToOne, AllToAll, FixedProbability, FixedNumberPre, FixedNumberPost, FixedTotalNumber or FromList
        The IR connector.
    projection : Projection
        Its projection.
    synapses : Synapses
        The resolved synapses (parent-population indices).
    weights : ndarray
        Weights in PyNN units, signed for the dialect (resolve order).
    delays_ms : ndarray
        Simulator delays (ms, resolve order).
    """
    raise UnsupportedFeature(f"connector {type(connector).__name__}", "pyNN")


def _from_list(synapses: Synapses, weights: np.ndarray, delays_ms: np.ndarray) -> ConnectorPlan:
    rows = np.column_stack(
        [synapses.pre.astype(np.float64), synapses.post.astype(np.float64), weights, delays_ms]
    ).reshape(-1, 4)
    return ConnectorPlan(kind="FromList", rows=rows)


def _uniform(values: np.ndarray) -> bool:
    return values.size == 0 or bool(np.all(values == values[0]))


@lower_connector.register
def _(
    connector: OneToOne,
    projection: Projection,
    synapses: Synapses,
    weights: np.ndarray,
    delays_ms: np.ndarray,
) -> ConnectorPlan:
    native = (
        _whole(projection.pre)
        and _whole(projection.post)
        and _scalar(projection.weight)
        and _uniform(delays_ms)
    )
    return ConnectorPlan(kind="OneToOne") if native else _from_list(synapses, weights, delays_ms)


@lower_connector.register
def _(
    connector: AllToAll,
    projection: Projection,
    synapses: Synapses,
    weights: np.ndarray,
    delays_ms: np.ndarray,
) -> ConnectorPlan:
    same = projection.pre.population is projection.post.population
    native = (
        _whole(projection.pre)
        and _whole(projection.post)
        and _scalar(projection.weight)
        and _uniform(delays_ms)
        and (connector.allow_self_connections or same)
    )
    if native:
        return ConnectorPlan(kind="AllToAll", allow_self_connections=bool(connector.allow_self_connections))
    return _from_list(synapses, weights, delays_ms)


@lower_connector.register(FixedProbability)
@lower_connector.register(FixedNumberPre)
@lower_connector.register(FixedNumberPost)
@lower_connector.register(FixedTotalNumber)
@lower_connector.register(FromList)
def _(
    connector: Any,
    projection: Projection,
    synapses: Synapses,
    weights: np.ndarray,
    delays_ms: np.ndarray,
) -> ConnectorPlan:
    # The host's synapses, listed: the simulator's own random connectors would draw others.
    return _from_list(synapses, weights, delays_ms)


# --------------------------------------------------------------------------- plasticity


@functools.singledispatch
def lower_plasticity(
    rule: Any, projection: Projection, dialect: Dialect, delay_shift: int = 0, exact: bool = True
) -> SynapsePlan:
    """The PyNN synapse type of one projection (``None`` -> static).

    Parameters
    ----------
    rule : STDP or None
        The plasticity rule.
    projection : Projection
        Its projection.
    dialect : Dialect
        The target.
    delay_shift : int
        Steps by which the pair lag the simulator sees differs from the rule's Δ (NEST: time
        stamps and delays are shifted, see :data:`NEST`).
    exact : bool
        ``True``: raise :class:`UnsupportedFeature` when the simulator would not compute the
        rule's weights (a convention it lacks, or ``delay_shift != 0``). ``False``: accept the
        simulator's own semantics where the dialect allows it (``stdp_exact=False``), with a
        warning stating every difference.

    Raises
    ------
    UnsupportedFeature
        For a rule, or a convention of a rule, the simulator cannot run.
    """
    raise UnsupportedFeature(f"plasticity rule {type(rule).__name__}", dialect.name, ("numba",))


@lower_plasticity.register(type(None))
def _(
    rule: None, projection: Projection, dialect: Dialect, delay_shift: int = 0, exact: bool = True
) -> SynapsePlan:
    return SynapsePlan(kind="static")


@lower_plasticity.register
def _(
    rule: STDP, projection: Projection, dialect: Dialect, delay_shift: int = 0, exact: bool = True
) -> SynapsePlan:
    owner = f"STDP of projection {projection.name!r}"
    if projection.receptor == "inhibitory" and not dialect.plastic_inhibitory:
        raise UnsupportedFeature(
            f"STDP on an inhibitory projection ({projection.name!r})", dialect.name, ("numba",)
        )
    bounds = rule.weight
    if dialect.w_min_zero_only and bounds.w_min != 0.0:
        raise UnsupportedFeature(
            f"{owner}: w_min = {bounds.w_min} (only 0)", dialect.name, ("numba", "spinnaker")
        )
    differences = []
    for convention, allowed in dialect.stdp.items():
        value = getattr(rule, convention)
        if value not in allowed:
            if dialect.stdp_exact or convention in ("delay_convention", "clipping"):
                raise UnsupportedFeature(
                    f"{owner}: {convention}={value!r} ({dialect.name} implements {'/'.join(allowed)})",
                    dialect.name,
                    ("numba",),
                )
            differences.append(f"{convention}={value!r} but {dialect.name} implements {'/'.join(allowed)}")
    if delay_shift:
        differences.append(
            f"the pair lag seen by {dialect.name} is the rule's Δ {delay_shift:+d} step(s) "
            "(time stamps and delays are shifted, see the backend docs)"
        )
    if differences:
        text = f"{owner} on {dialect.name}: " + "; ".join(differences)
        if exact:
            raise UnsupportedFeature(
                text + " (pass stdp='approximate' to accept these differences)", dialect.name, ("numba",)
            )
        warnings.warn(text, RuntimeWarning, stacklevel=4)
    a_plus, a_minus = rule.scaled_amplitudes
    multiplicative = isinstance(bounds, Multiplicative)
    if dialect.amplitude == "w_max" and not multiplicative:
        a_plus, a_minus = a_plus / bounds.w_max, a_minus / bounds.w_max
    unit = dialect.delta_weight_unit if isinstance(projection.post.population.cell, IF_curr_delta) else 1.0
    return SynapsePlan(
        kind="stdp",
        timing={
            "tau_plus": rule.timing.tau_plus,
            "tau_minus": rule.timing.tau_minus,
            "A_plus": float(a_plus),
            "A_minus": float(a_minus),
        },
        dependence="multiplicative" if multiplicative else "additive",
        bounds={"w_min": bounds.w_min * unit, "w_max": bounds.w_max * unit},
    )


# --------------------------------------------------------------------------- network


def lower_network(
    network: Network,
    schedule: Schedule,
    *,
    dialect: Dialect,
    dt: float,
    numerics: str,
    seed: int,
    record: RecordSpec,
    stdp_exact: bool = True,
    connectivity: str = "resolved",
) -> NetworkPlan:
    """Lower ``network`` run with ``schedule`` for ``dialect``.

    Parameters
    ----------
    network : Network
        The network.
    schedule : Schedule
        The phases (their stimuli become source spikes).
    dialect : Dialect
        The target simulator.
    dt : float
        Time step (ms).
    numerics : str
        Numerics requested (the caller decides whether a mismatch is an error or a warning).
    seed : int
        Compile seed (connectors, Poisson sources).
    record : RecordSpec
        What to record; every state variable must have a PyNN counterpart in the dialect.
    stdp_exact : bool
        See :func:`lower_plasticity` (``exact``).
    connectivity : {"resolved", "native"}
        ``"native"``: projections with a random connector of :attr:`Dialect.native_connectors`
        get the simulator's own connector (:mod:`spikemem.backends.native`).

    Returns
    -------
    NetworkPlan

    Raises
    ------
    UnsupportedFeature
        For constructs the dialect cannot express.
    """
    for name, variables in record.state.items():
        for var in variables:
            if var not in dialect.state_variables:
                raise UnsupportedFeature(f"recording {var!r} (population {name!r})", dialect.name, ("numba",))
    ctx = _Context(dialect=dialect, dt=dt, seed=seed, network=network, stdp_exact=stdp_exact)
    ctx.sources = _source_times(network, schedule, dt, seed, dialect, ctx)
    populations = [lower_cell(pop.cell, pop, ctx) for pop in network.populations]
    native = native_projections(
        network,
        connectivity,
        backend=dialect.name,
        connectors=dialect.native_connectors,
        self_connections_between_populations=False,
    )
    projections = [_lower_projection(proj, ctx, proj in native) for proj in network.projections]
    starts = phase_steps(schedule, dt)
    phases = [
        PhasePlan(name=ph.name, start_step=int(starts[k]), stop_step=int(starts[k + 1]), plastic=ph.plastic)
        for k, ph in enumerate(schedule.phases)
    ]
    return NetworkPlan(
        dialect=dialect,
        network=network.name,
        dt=dt,
        numerics=numerics,
        seed=seed,
        populations=populations,
        projections=projections,
        phases=phases,
        record=record,
        notes=ctx.notes,
    )


def _source_times(
    network: Network, schedule: Schedule, dt: float, seed: int, dialect: Dialect, ctx: _Context
) -> dict[str, list[np.ndarray]]:
    """Per source population, per neuron, the spike times (ms) the simulator is given."""
    if not any(is_source(p.cell) for p in network.populations):
        return {}
    flat = flatten(network, dt, "exact", seed, backend=dialect.name)
    steps, gids = source_spikes(network, schedule, flat, seed)
    early = steps < dialect.min_source_step
    if np.any(early):
        moved = int(early.sum())
        text = (
            f"{moved} source spike(s) before step {dialect.min_source_step} "
            f"(t < {dialect.min_source_step * dt:g} ms) cannot be emitted by {dialect.name}; "
            f"they were moved to t = {dialect.min_source_step * dt:g} ms"
        )
        ctx.note(text)
        warnings.warn(text, RuntimeWarning, stacklevel=4)
        steps = np.maximum(steps, dialect.min_source_step)
        keys = np.unique(steps * flat.n_total + gids)
        steps, gids = keys // flat.n_total, keys % flat.n_total
    result = {}
    for pop in network.populations:
        if not is_source(pop.cell):
            continue
        offset = flat.offsets[pop.name]
        mask = (gids >= offset) & (gids < offset + pop.size)
        local, local_steps = gids[mask] - offset, steps[mask]
        order = np.lexsort((local_steps, local))
        local, local_steps = local[order], local_steps[order]
        bounds = np.searchsorted(local, np.arange(pop.size + 1))
        result[pop.name] = [
            np.round(local_steps[bounds[i] : bounds[i + 1]] * dt, 10) for i in range(pop.size)
        ]
    return result


def _native_connector(connector: Any) -> ConnectorPlan:
    """The simulator's own connector for a random IR connector."""
    if isinstance(connector, FixedProbability):
        return ConnectorPlan(
            kind=connector.kind, allow_self_connections=bool(connector.allow_self_connections), p=connector.p
        )
    return ConnectorPlan(
        kind=connector.kind,
        allow_self_connections=bool(connector.allow_self_connections),
        n=int(connector.n),
        with_replacement=bool(connector.with_replacement),
    )


def _host_synapses(projection: Projection, seed: int, native: bool) -> Synapses:
    """The host's synapses of ``projection``; for a natively drawn one, no synapse but one
    carrying its (scalar) weight and delay, so that delays are converted by the same rule."""
    if not native:
        return resolve(projection, seed)
    empty = np.zeros(0, dtype=np.int64)
    return Synapses(
        pre=empty,
        post=empty,
        weight=np.array([float(projection.weight)]),
        delay=np.array([float(projection.delay)]),
    )


def _lower_projection(projection: Projection, ctx: _Context, native: bool = False) -> ProjectionPlan:
    dialect, dt = ctx.dialect, ctx.dt
    synapses = _host_synapses(projection, ctx.seed, native)
    owner = f"Projection {projection.name!r}"
    if synapses.delay.size:
        steps = delay_steps(synapses.delay, dt, owner=owner)
    else:
        steps = np.zeros(0, dtype=np.int64)
    from_neurons = not is_source(projection.pre.population.cell)
    post_kind = type(projection.post.population.cell).__name__
    shift = dialect.delay_offsets.get(("neuron" if from_neurons else "source", post_kind), 0)
    sim_steps = steps + shift
    clipped = sim_steps < 1
    if np.any(clipped):
        count = "its" if native else int(clipped.sum())
        text = (
            f"{owner}: {count} synapse(s) with a delay of {int(steps[clipped].min())} step(s) "
            f"from a neuron population cannot be expressed on {dialect.name} (its delays count from the "
            f"end of the spiking step); they were given 1 {dialect.name} step, so their spikes arrive "
            "one step later than in the reference engine"
        )
        ctx.note(text)
        warnings.warn(text, RuntimeWarning, stacklevel=4)
        sim_steps = np.maximum(sim_steps, 1)
    delays_ms = np.round(sim_steps * dt, 10)
    sign = dialect.inhibitory_sign if projection.receptor == "inhibitory" else 1.0
    weights = synapses.weight * sign
    rule = projection.plasticity
    stdp_shift = 0
    if rule is not None and dialect.spike_time_offset:
        # Lag seen by the simulator: post and pre stamps plus the simulator delay.
        pre_offset = dialect.spike_time_offset if from_neurons else 0
        d_ref = int(steps[0]) if steps.size else 1
        stdp_shift = (
            dialect.spike_time_offset + int(sim_steps[0] if sim_steps.size else 1) - pre_offset - d_ref
        )
    synapse = lower_plasticity(rule, projection, dialect, stdp_shift, ctx.stdp_exact)
    if rule is not None and steps.size and steps.min() != steps.max():
        raise UnsupportedFeature(
            f"per-synapse (heterogeneous) delays on plastic projection {projection.name!r}",
            dialect.name,
            ("numba",),
        )
    if native:
        connector = _native_connector(projection.connector)
    else:
        connector = lower_connector(projection.connector, projection, synapses, weights, delays_ms)
    if connector.kind != "FromList":
        synapse.weight = float(weights[0]) if weights.size else float(projection.weight) * sign
        synapse.delay = float(delays_ms[0]) if delays_ms.size else float(max(1, 1 + shift) * dt)
    return ProjectionPlan(
        name=projection.name,
        pre=projection.pre.population.name,
        post=projection.post.population.name,
        receptor=projection.receptor,
        connector=connector,
        synapse=synapse,
        pre_ids=synapses.pre,
        post_ids=synapses.post,
        delay_steps=steps,
        sim_delay_steps=sim_steps,
        weight_unit=dialect.delta_weight_unit if post_kind == "IF_curr_delta" else 1.0,
        pre_view=_view(projection.pre) if native else None,
        post_view=_view(projection.post) if native else None,
    )


def _view(side: Any) -> np.ndarray | None:
    """Sorted parent indices of a view (``None`` for a whole population)."""
    return None if isinstance(side, Population) else np.sort(indices(side))


def check_numerics(numerics: str) -> str:
    """Validate a numerics name."""
    from ...ir.network import NUMERICS

    if numerics not in NUMERICS:
        raise IRValidationError("compile", "numerics", numerics, "one of " + ", ".join(NUMERICS))
    return numerics


def lower_checked(
    network: Network,
    schedule: Schedule,
    dialect: Dialect,
    options: Any,
    *,
    stdp_exact: bool = True,
    quiet: bool = False,
) -> NetworkPlan:
    """:func:`lower_network` with the checked compile options of a backend
    (:class:`spikemem.backends.options.CompileOptions`). ``quiet`` hides the lowering's
    ``RuntimeWarning`` notes, for runs of a network whose ``compile`` already showed them."""
    with warnings.catch_warnings():
        if quiet:
            warnings.simplefilter("ignore", RuntimeWarning)
        return lower_network(
            network,
            schedule,
            dialect=dialect,
            dt=options.dt,
            numerics=options.numerics,
            seed=options.seed,
            record=options.record,
            stdp_exact=stdp_exact,
            connectivity=getattr(options, "connectivity", "resolved"),
        )
