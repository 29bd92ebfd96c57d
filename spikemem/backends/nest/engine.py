"""The ``nest`` backend: compile = lower the IR to a PyNN plan; run = one ``pyNN.nest`` session.

Time conventions (measured with NEST 3.10 / pyNN 0.13, ``spike_precision="on_grid"``; see
``docs/nest.md``):

- NEST stamps a spike whose threshold crossing is detected at the end of step ``k`` with
  ``(k+1)·dt``; the reference engine records it at ``k·dt``. Recorded neuron spike times are
  therefore converted with ``step = round(t/dt) - 1``.
- A spike stamped ``T`` with NEST delay ``D`` changes the synaptic current at ``T + D``;
  the reference delivers a spike of step ``k`` with ``d`` steps at ``(k + d)·dt``. Projections
  from neuron populations get ``D = (d - 1)·dt``; ``d = 1`` cannot be expressed (NEST's minimum
  delay is one step) and arrives one step late, with a warning. Source spikes keep their times
  and delays (``D = d·dt``); pyNN.nest cannot emit them before ``2·dt``.
- ``iaf_psc_exp``'s refractory period is ``round(t_ref/dt)`` frozen steps, as the ``exact``
  numerics; multimeter sample ``k+1`` is the state at the end of reference step ``k``.

With these conversions a feed-forward network whose neuron-to-neuron delays are >= 2 steps
gives the reference engine's spikes exactly (``tests/backends/nest``).
"""

from __future__ import annotations

import importlib
import logging
import os
import time
import warnings
from typing import Any

from ...ir.connectors import FixedTotalNumber
from ...ir.errors import IRValidationError, UnsupportedFeature
from ...ir.network import Network
from ...ir.schedule import Schedule
from ..base import Capability, Compilation
from ..options import base_versions
from ..pynn.backend import PYNN_CAPABILITIES, PlannedRunnable, PyNNBackend
from ..pynn.build import build, read_recording, run_phases
from ..pynn.lowering import NEST, ConnectorPlan, NetworkPlan, ProjectionPlan

BACKEND = "nest"


def import_pynn_nest() -> Any:
    """Import ``pyNN.nest`` quietly (no NEST banner; pyNN's failed extension build is only a
    warning, silenced here).

    Raises
    ------
    ImportError
        Naming the extra to install.
    """
    os.environ.setdefault("PYNEST_QUIET", "1")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            module = importlib.import_module("pyNN.nest")
    except ImportError as error:
        raise ImportError(
            f"the nest backend needs NEST and PyNN: pip install 'spikemem[nest]' ({error})"
        ) from error
    _complete_pynn_nest(module)
    return module


def _complete_pynn_nest(sim: Any) -> None:
    """Fill two gaps of pyNN.nest 0.13's cell types (idempotent, on its own subclasses only):
    ``IF_curr_exp`` can record ``isyn_exc``/``isyn_inh`` (its ``variable_map`` and
    ``scale_factors`` already translate them to NEST's ``I_syn_ex``/``I_syn_in`` in nA, but they
    are missing from ``recordable``), and ``IF_curr_delta`` lacks the ``v`` -> ``V_m`` map that
    recording and initialising ``v`` need."""
    exp = getattr(sim, "IF_curr_exp", None)
    if (
        exp is not None
        and "isyn_exc" not in exp.recordable
        and "isyn_exc" in getattr(exp, "variable_map", {})
    ):
        exp.recordable = list(exp.recordable) + ["isyn_exc", "isyn_inh"]
    delta = getattr(sim, "IF_curr_delta", None)
    if delta is not None and "variable_map" not in vars(delta):
        delta.variable_map = {"v": "V_m"}
        delta.scale_factors = {"v": 1}


class NestRunnable(PlannedRunnable):
    """A network lowered for pyNN.nest. Every :meth:`run` is a fresh NEST kernel."""

    backend = BACKEND
    dialect = NEST

    def __init__(
        self,
        compiled: Compilation,
        *,
        threads: int,
        stdp_exact: bool,
        sim: Any,
        build_s: float,
    ) -> None:
        super().__init__(compiled, progress=None, build_s=build_s)
        self.stdp_exact = stdp_exact
        self.threads = threads
        self.sim = sim

    def versions(self) -> dict[str, str]:
        """Versions of the software that produced a result."""
        return versions(self.sim)

    def _execute(self, schedule: Schedule) -> Any:
        """Run ``schedule`` on NEST; return a Recording."""
        plan = self._plan(schedule)
        sim = self.sim if self.sim is not None else import_pynn_nest()
        o = self.options
        max_delay = (
            max([float(p.sim_delay_steps.max()) for p in plan.projections if p.sim_delay_steps.size] + [1.0])
            * o.dt
        )
        started = time.perf_counter()
        pynn_logger = logging.getLogger("PyNN")
        level = pynn_logger.level
        pynn_logger.setLevel(logging.ERROR)  # "NEST does not allow setting an initial value for I_syn_ex"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            warnings.simplefilter("ignore", UserWarning)  # NEST's SetStatus/GetStatus deprecations, via pyNN
            with _tics(sim, tics_per_ms(o.dt)):
                sim.setup(
                    timestep=o.dt,
                    min_delay=o.dt,
                    max_delay=round(max_delay, 10),
                    spike_precision="on_grid",
                    threads=self.threads,
                    rng_seed=int(o.seed % (2**31 - 1)) + 1,
                    verbosity="error",
                )
            try:
                _grid_spike_generators()
                native: dict[str, int] = {}
                built = build(sim, plan, connector_override=_bulk_static_list(sim, native))
                _initialise_delta_cells(plan, built)
                setup_s = time.perf_counter() - started
                toggles = any(ph.plastic is not None for ph in plan.phases)
                run_started = time.perf_counter()
                weights, phases = run_phases(
                    sim,
                    plan,
                    built,
                    set_learning=_set_learning if toggles else None,
                    read_weights=o.record.weights,
                )
                loop_s = time.perf_counter() - run_started
                meta = self.plan_meta(
                    plan,
                    setup_s=setup_s,
                    loop_s=loop_s,
                    notes=list(plan.notes),
                    mpi={"rank": int(sim.rank()), "processes": int(sim.num_processes())},
                    **({"native_synapses": native} if native else {}),
                )
                return read_recording(plan, built, weights=weights, phases=phases, meta=meta)
            finally:
                sim.end()
                pynn_logger.setLevel(level)


class NestBackend(PyNNBackend):
    """NEST through pyNN.nest: exact integration (``iaf_psc_exp`` / ``iaf_psc_delta``), CPU, MPI.

    Options of :meth:`compile`: ``dt`` (ms), ``numerics`` (only ``"exact"``), ``seed``,
    ``record`` (:class:`RecordSpec`; state ``v``), ``progress``
    (ignored), ``threads`` (NEST threads per process, default 1), ``stdp`` (``"exact"``,
    the default: refuse an STDP rule whose weights NEST's ``stdp_synapse`` would not reproduce;
    ``"approximate"``: run it with NEST's semantics and a warning stating the differences),
    ``sim`` (a PyNN module to use instead of ``pyNN.nest``, for tests), ``connectivity``
    (``"native"``: ``FixedProbability``, ``FixedNumberPre``, ``FixedNumberPost`` and
    ``FixedTotalNumber`` become NEST's ``pairwise_bernoulli``, ``fixed_indegree``,
    ``fixed_outdegree`` and ``fixed_total_number`` rules, drawn by NEST from the kernel seed
    that ``setup`` derives from the compile seed).

    NEST reproduces an STDP rule exactly when it is dendritic with ``zero_lag="ignore"``,
    per-event clipping and ``w_min = 0``, on an excitatory projection from neurons onto
    ``IF_curr_delta`` neurons; elsewhere the lag NEST sees is shifted by whole steps (by its
    time stamps and the delay conversion: -1 step from neurons onto ``IF_curr_exp``, +1 from
    sources onto ``IF_curr_exp``, +2 from sources onto ``IF_curr_delta``).
    """

    name = BACKEND
    dialect = NEST
    runnable = NestRunnable
    capabilities = PYNN_CAPABILITIES | {Capability.NUMERICS_EXACT, Capability.NATIVE_CONNECTIVITY}

    def __init__(self) -> None:
        import_pynn_nest_spec()

    def _check_options(
        self,
        compiled: Compilation,
        *,
        progress: bool | None,
        threads: int = 1,
        stdp: str = "exact",
        sim: Any = None,
    ) -> dict[str, Any]:
        """Check the NEST options; see the class docstring.

        Raises
        ------
        UnsupportedFeature
            For ``spinnaker`` numerics and time steps NEST cannot resolve.
        """
        options = compiled.options
        if options.numerics != "exact":
            raise UnsupportedFeature(
                f"numerics {options.numerics!r} (sPyNNaker's per-step scheme; NEST integrates exactly)",
                BACKEND,
                ("numba", "brian2", "spinnaker"),
            )
        tics_per_ms(options.dt)
        if isinstance(threads, bool) or not isinstance(threads, int) or threads < 1:
            raise IRValidationError("compile", "threads", threads, "an integer >= 1")
        if stdp not in ("exact", "approximate"):
            raise IRValidationError("compile", "stdp", stdp, "'exact' or 'approximate'")
        if options.connectivity == "native":
            _check_total_number(compiled.network)
        return {"threads": threads, "stdp_exact": stdp == "exact", "sim": sim}

    def _check_network(self, network: Network) -> None:
        _check_tau_minus(network)


def import_pynn_nest_spec() -> None:
    """Raise ImportError early (registry listing) when NEST or PyNN is missing."""
    from importlib.util import find_spec

    for module in ("nest", "pyNN"):
        if find_spec(module) is None:
            raise ImportError(f"the nest backend needs {module}: pip install 'spikemem[nest]'")


def _check_total_number(network: Network) -> None:
    """NEST's ``fixed_total_number`` rule always allows a pair twice (multapses)."""
    for proj in network.projections:
        if isinstance(proj.connector, FixedTotalNumber) and not proj.connector.with_replacement:
            raise UnsupportedFeature(
                f"connectivity='native' on projection {proj.name!r}: FixedTotalNumber with "
                "with_replacement=False (NEST's fixed_total_number rule may draw a pair twice; "
                "set with_replacement=True or use connectivity='resolved')",
                BACKEND,
                ("numba",),
            )


def _check_tau_minus(network: Network) -> None:
    """NEST keeps ``tau_minus`` on the postsynaptic neuron: one value per population."""
    seen: dict[str, float] = {}
    for proj in network.projections:
        if proj.plastic:
            name, tau = proj.post.population.name, proj.plasticity.timing.tau_minus
            if seen.setdefault(name, tau) != tau:
                raise UnsupportedFeature(
                    f"STDP projections onto population {name!r} with different tau_minus "
                    "(NEST stores tau_minus on the postsynaptic neuron)",
                    BACKEND,
                    ("numba",),
                )


def tics_per_ms(dt: float) -> float:
    """NEST's tics per ms for a time step of ``dt`` ms: 1000 (its default) when ``dt`` is a whole
    number of microseconds, else the smallest power of two that makes ``dt`` a whole number of
    tics (dyadic steps such as 2⁻⁴ ms).

    Raises
    ------
    UnsupportedFeature
        When no such resolution exists (NEST's resolution must be a multiple of its tic).
    """
    for tics in [1000.0] + [float(2**k) for k in range(1, 31)]:
        steps = dt * tics
        if abs(steps - round(steps)) < 1e-9 and round(steps) >= 1:
            return tics
    raise UnsupportedFeature(
        f"time step {dt} ms (NEST needs a whole number of tics per step)", BACKEND, ("numba", "brian2")
    )


class _tics:  # noqa: N801 - used as a context manager
    """Make pyNN.nest's ``setup`` (which resets the kernel, then sets the resolution) use a tic
    of ``1/tics`` ms: NEST only accepts a tic change together with the resolution, right after
    a kernel reset, so the reset of pyNN's simulator state is wrapped for the call."""

    def __init__(self, sim: Any, tics: float) -> None:
        self.state = getattr(getattr(sim, "simulator", None), "state", None)
        self.tics = tics
        self.patched = False

    def __enter__(self) -> None:
        if self.tics == 1000.0 or self.state is None:
            return
        import nest

        original, tics = self.state.clear, self.tics

        def clear() -> None:
            original()
            nest.SetKernelStatus({"tics_per_ms": int(tics), "resolution": 1.0})

        self.state.clear = clear
        self.patched = True

    def __exit__(self, *exc: Any) -> None:
        if self.patched:
            del self.state.clear  # back to the class's method


def _bulk_static_list(sim: Any, native_counts: dict[str, int] | None = None) -> Any:
    """A connector factory for :func:`..pynn.build.build`: static ``FromList`` projections are
    created by one ``nest.Connect`` on arrays instead of pyNN.nest's post-neuron-by-post-neuron
    loop (CUBA with 4000 neurons: 0.3 s instead of 7 s), natively drawn ones by one
    ``nest.Connect`` with NEST's rule (their synapse counts go to ``native_counts``, by
    projection name, from the kernel's connection count). Plastic projections keep pyNN's path
    (its STDP parameter handling)."""
    try:
        from pyNN.connectors import Connector
    except ImportError:  # a test double without PyNN
        return None

    class BulkStaticList(Connector):
        """Explicit static synapses ``(pre, post, weight, delay)`` in one call; weights in PyNN
        units, converted as pyNN.nest does (nA -> pA, times the cell type's receptor scale)."""

        def __init__(self, rows: Any) -> None:
            super().__init__(safe=False)
            self.rows = rows

        def connect(self, projection: Any) -> None:
            import nest
            import numpy as np

            rows = np.asarray(self.rows, dtype=float).reshape(-1, 4)
            if not rows.shape[0]:
                return
            pre_nodes = np.asarray(projection.pre.node_collection.tolist(), dtype=np.int64)
            post_nodes = np.asarray(projection.post.node_collection.tolist(), dtype=np.int64)
            sources = pre_nodes[rows[:, 0].astype(np.int64)]
            scale = 1000.0 * getattr(projection.post.celltype, "receptor_scale", 1.0)
            nest.Connect(
                sources, post_nodes[rows[:, 1].astype(np.int64)], "one_to_one",
                {
                    "synapse_model": projection.nest_synapse_model,
                    "synapse_label": projection.nest_synapse_label,
                    "weight": rows[:, 2] * scale,
                    "delay": rows[:, 3],
                },
            )
            projection._sources.update(int(s) for s in np.unique(sources))
            projection._connections = None
            projection._simulator.state.stale_connection_cache = True

    class NativeRule(Connector):
        """One of NEST's own connection rules (``connectivity="native"``): NEST draws the
        synapses with its kernel random numbers (seeded from the compile seed by ``setup``);
        weight in PyNN units (converted as :class:`BulkStaticList` does), delay in ms."""

        def __init__(self, rule: dict, weight: float, delay: float) -> None:
            super().__init__(safe=False)
            self.rule, self.weight, self.delay = rule, weight, delay

        def connect(self, projection: Any) -> None:
            import nest

            scale = 1000.0 * getattr(projection.post.celltype, "receptor_scale", 1.0)
            syn = {
                "synapse_model": projection.nest_synapse_model,
                "synapse_label": projection.nest_synapse_label,
                "weight": self.weight * scale,
                "delay": self.delay,
            }
            before = int(nest.GetKernelStatus("num_connections"))
            pre = projection.pre.node_collection
            nest.Connect(pre, projection.post.node_collection, dict(self.rule), syn)
            if native_counts is not None:
                native_counts[projection.label] = int(nest.GetKernelStatus("num_connections")) - before
            # every pre neuron may have synapses: pyNN's own path lists them from GetConnections,
            # which takes longer than drawing them
            projection._sources.update(pre.tolist())
            projection._connections = None
            projection._simulator.state.stale_connection_cache = True

    def factory(plan: ProjectionPlan) -> Any:
        if plan.connector.native:
            return NativeRule(nest_rule(plan.connector), plan.synapse.weight, plan.synapse.delay)
        if plan.connector.kind != "FromList" or plan.plastic:
            return None
        return BulkStaticList(plan.connector.rows)

    return factory


def nest_rule(connector: ConnectorPlan) -> dict[str, Any]:
    """NEST's connection rule for a native connector: ``pairwise_bernoulli``, ``fixed_indegree``
    (``FixedNumberPre``), ``fixed_outdegree`` (``FixedNumberPost``) or ``fixed_total_number``;
    ``allow_autapses`` is ``allow_self_connections`` and ``allow_multapses`` ``with_replacement``."""
    rule: dict[str, Any] = {"allow_autapses": bool(connector.allow_self_connections)}
    if connector.kind == "FixedProbability":
        return {**rule, "rule": "pairwise_bernoulli", "p": float(connector.p), "allow_multapses": False}
    name, key = {
        "FixedNumberPre": ("fixed_indegree", "indegree"),
        "FixedNumberPost": ("fixed_outdegree", "outdegree"),
        "FixedTotalNumber": ("fixed_total_number", "N"),
    }[connector.kind]
    return {**rule, "rule": name, key: int(connector.n), "allow_multapses": bool(connector.with_replacement)}


def _grid_spike_generators() -> None:
    """Source spikes on the time grid: pyNN.nest turns on ``precise_times``, with which a time
    such as ``67.4 - 0.1 = 67.30000000000001`` ms is emitted one step late; grid times within
    half a tic of a step are rounded to it instead."""
    try:
        import nest
    except ImportError:  # a test double
        return
    nest.SetDefaults("spike_generator", {"precise_times": False, "allow_offgrid_times": True})


def _initialise_delta_cells(plan: NetworkPlan, built: Any) -> None:
    """pyNN.nest cannot initialise ``v`` of ``IF_curr_delta`` (``iaf_psc_delta``): set ``V_m``."""
    import numpy as np

    for pop_plan in plan.populations:
        if pop_plan.model != "IF_curr_delta":
            continue
        pop = built.populations[pop_plan.name]
        values = np.broadcast_to(np.asarray(pop_plan.initial["v"], dtype=float), (pop_plan.size,))
        local = (
            np.asarray(pop._mask_local, dtype=bool)
            if hasattr(pop, "_mask_local")
            else np.ones(pop_plan.size, bool)
        )
        if local.any():
            pop.node_collection[local].set({"V_m": values[local].tolist()})


def _set_learning(projection: Any, plan: ProjectionPlan, on: bool) -> None:
    """Switch an ``stdp_synapse`` projection's learning (NEST ``lambda``; depression is
    ``alpha·lambda``, so both stop)."""
    import nest

    value = plan.synapse.timing["A_plus"] if on else 0.0
    connections = projection.nest_connections
    if len(connections):
        nest.SetStatus(connections, {"lambda": value})


def versions(sim: Any) -> dict[str, str]:
    """Versions of the software that produced a result."""
    result = base_versions()
    try:
        import nest

        result["nest"] = str(nest.__version__)
    except Exception:  # noqa: BLE001 - a test double has no NEST
        pass
    try:
        import pyNN

        result["pyNN"] = pyNN.__version__
    except ImportError:  # pragma: no cover
        pass
    return result
