"""The engines behind ``run()``: the script's network as IR, compiled for the chosen backend.

* :class:`ContinuingEngine` (backends with :attr:`~spikemem.backends.base.Capability.CONTINUE`,
  i.e. Numba with ``exact`` or ``spinnaker`` numerics) keeps one simulation going from ``run()``
  to ``run()``: state, plastic weights and recordings carry over, and parameter changes between
  runs (``Population.set``, ``Projection.set(weight=...)``, new ``spike_times``, a new Poisson
  ``rate``, ``initialize``) apply from the next step on. ``run(a); run(b)`` gives the spikes of
  ``run(a + b)``.
* :class:`OneShotEngine` (every other backend) compiles the network and runs it once; a second
  ``run()`` before ``reset()`` raises :class:`~spikemem.ir.UnsupportedFeature` naming the
  missing capability, never a silent re-run from zero.

Source spikes are drawn on the host by the lowering layer (:func:`spikemem.lowering.source_spike_table`)
from the current source parameters: Poisson spikes come from one seeded stream per source, so a
rate change between runs changes only the spikes after it.
"""

from __future__ import annotations

import math
from functools import reduce
from typing import Any

import numpy as np

from .. import ir
from ..backends import get_backend
from ..backends.base import Capability
from ..ir.errors import UnsupportedFeature
from ..lowering import source_spike_table
from .recording import STATE_VARIABLES

__all__ = ["ContinuingEngine", "OneShotEngine", "build_network", "make_engine"]


def build_network(sim: Any, *, projections: bool = True) -> ir.Network:
    """The script's network as IR (populations with their current parameters; projections
    with their explicit synapses unless ``projections=False``)."""
    populations = {pop.name: pop.ir_population() for pop in sim.populations}
    if not populations:
        raise ir.IRValidationError("run", "network", "no populations", "at least one Population before run()")
    projs = tuple(p.ir_projection(populations) for p in sim.projections) if projections else ()
    return ir.Network(
        populations=tuple(populations.values()),
        projections=projs,
        dt=sim.options.dt,
        numerics=sim.options.numerics,
        name="pynn",
    )


def make_engine(sim: Any) -> Any:
    """The engine for the current network and ``setup()`` options."""
    options = sim.options
    backend = get_backend(options.backend)
    network = build_network(sim)
    keywords = dict(options.backend_options)
    if options.backend == "numba":
        keywords.setdefault("threads", options.threads)
    elif options.threads is not None:
        raise ir.IRValidationError(
            "setup", "threads", options.threads, "None (threads= is an option of the numba backend)"
        )
    continuing = Capability.CONTINUE in backend.capabilities and options.numerics != "spinnaker-fixed"
    engine_class = ContinuingEngine if continuing else OneShotEngine
    return engine_class(sim, backend, network, keywords)


def _initial_samples(sim: Any) -> None:
    """The samples at t = 0: the initial membrane potentials, zero synaptic currents."""
    for pop in sim.populations:
        for variable in pop.recorder.state_variables:
            columns = pop.recorder.sampled()
            values = pop._initial_v()[columns] if variable == "v" else np.zeros(columns.size)
            pop.recorder.add_samples(variable, np.zeros(1, np.int64), columns, values[None, :].copy())


def _sampling_interval(populations: list[Any]) -> int:
    """Steps between samples that serve every population (the gcd of their intervals)."""
    return reduce(math.gcd, (p.recorder.interval_steps for p in populations), 0) or 1


class ContinuingEngine:
    """One simulation continued from ``run()`` to ``run()`` (see the module docstring)."""

    def __init__(self, sim: Any, backend: Any, network: ir.Network, keywords: dict[str, Any]) -> None:
        self.sim = sim
        options = sim.options
        self.runnable = backend.compile(
            network,
            dt=options.dt,
            numerics=options.numerics,
            seed=options.seed,
            record=ir.RecordSpec(spikes=(), weights=False),
            progress=False,
            **keywords,
        )
        self.session = self.runnable.session()
        self.layout = self.session.layout
        for pop in sim.populations:
            pop.changed = False
        self._sources: tuple[np.ndarray, np.ndarray] = (np.zeros(1, np.int64), np.zeros(0, np.int64))
        self._horizon = 0
        """Steps the source table covers: it is drawn ahead (doubling), so that many short runs
        cost what one long run costs, and drawn again when a source's parameters change."""
        _initial_samples(sim)

    def _draw_sources(self, network: ir.Network, end: int) -> None:
        """Source spikes of the steps up to the horizon (grown to ``max(end, 2·horizon)`` when
        ``end`` passes it) from the current parameters (Poisson spikes come from one seeded
        stream per source: a prefix never changes)."""
        if end > self._horizon:
            self._horizon = max(end, min(2 * self._horizon, end + 10_000_000))
        schedule = ir.Schedule.single(self._horizon * self.sim.options.dt)
        self._sources = source_spike_table(network, schedule, self.layout, self.sim.options.seed)

    def advance(self, n_steps: int) -> None:
        """Simulate ``n_steps`` more steps and hand the data to the recorders."""
        sim = self.sim
        changed = [p for p in sim.populations if p.changed]
        end = self.session.step + n_steps
        if changed or end > self._horizon:
            network = build_network(sim, projections=False)
            if changed:
                self.session.set_cells(network)
            if any(p.celltype.is_source for p in changed) or end > self._horizon:
                self._draw_sources(network, end)
            for pop in changed:
                pop.changed = False
        sampled = [p for p in sim.populations if p.recorder.state_variables]  # sources record spikes only
        columns = [p.recorder.sampled() for p in sampled]  # only the neurons that record state
        ids = [c + self.layout.offsets[p.name] for p, c in zip(sampled, columns, strict=True)]
        every = _sampling_interval(sampled)
        result = self.session.advance(
            n_steps,
            self._sources,
            np.concatenate(ids) if ids else np.zeros(0, np.int64),
            every=every,
            offset=every - 1,
        )
        for pop in sim.populations:
            offset, size = self.layout.offsets[pop.name], pop.size
            mask = (result.spike_ids >= offset) & (result.spike_ids < offset + size)
            pop.recorder.add_spikes(result.spike_steps[mask], result.spike_ids[mask] - offset)
        first = 0
        times = result.sample_steps + 1  # the state after step k is the state at time (k + 1)·dt
        arrays = {"v": result.v, "isyn_exc": result.isyn_exc, "isyn_inh": result.isyn_inh}
        for pop, cols in zip(sampled, columns, strict=True):
            for variable in pop.recorder.state_variables:
                values = arrays[variable][:, first : first + cols.size].copy()
                pop.recorder.add_samples(variable, times, cols, values)
            first += cols.size

    def weights(self, projection: Any) -> np.ndarray | None:
        """Current weights of ``projection`` (nA), one per synapse."""
        return self.session.weights(projection.name)

    def set_weights(self, projection: Any, values: np.ndarray) -> None:
        """New weights from the next step on."""
        self.session.set_weights(projection.name, values)

    def set_v(self, population: Any, values: np.ndarray) -> None:
        """New membrane potentials (mV) now."""
        if "v" in population.celltype.default_initial_values:
            self.session.set_v(population.name, values)


class OneShotEngine:
    """One compile and one run on a backend without ``CONTINUE`` (see the module docstring)."""

    def __init__(self, sim: Any, backend: Any, network: ir.Network, keywords: dict[str, Any]) -> None:
        self.sim = sim
        self.backend = backend
        self.network = network
        self.keywords = keywords
        self.final_weights: dict[str, np.ndarray] = {}
        self.ran = False
        self.recording: Any = None
        """The backend's :class:`~spikemem.results.Recording` of the run (its ``meta`` holds,
        e.g., the SpiNNaker mapping report of a virtual board)."""

    def advance(self, n_steps: int) -> None:
        """Run ``n_steps`` from t = 0; refuse a second run.

        Raises
        ------
        UnsupportedFeature
            On a second ``run()`` before ``reset()``.
        """
        sim = self.sim
        if self.ran:
            raise UnsupportedFeature(
                f"a second run() without reset() (continuing a simulation needs capability "
                f"{Capability.CONTINUE.name}); "
                "call reset() first or use setup(backend='numba')",
                sim.options.backend,
                ("numba",),
            )
        options = sim.options
        state = {p.name: p.recorder.state_variables for p in sim.populations if p.recorder.state_variables}
        spikes = tuple(p.name for p in sim.populations if p.recorder.recorded("spikes"))
        record = ir.RecordSpec(spikes=spikes, state=state, state_every=1, weights=True)
        runnable = self.backend.compile(
            self.network,
            dt=options.dt,
            numerics=options.numerics,
            seed=options.seed,
            record=record,
            progress=False,
            **self.keywords,
        )
        _initial_samples(sim)
        recording = runnable.run(duration=n_steps * options.dt)
        self.ran = True
        self.recording = recording
        for pop in sim.populations:
            if pop.name in recording.spikes:
                trains = recording.spikes[pop.name]
                pop.recorder.add_spikes(np.asarray(trains.steps, np.int64), np.asarray(trains.ids, np.int64))
            if pop.name in recording.state:
                trace = recording.state[pop.name]
                for variable in STATE_VARIABLES:
                    if variable in trace.values:
                        cols = pop.recorder.sampled()
                        where = {int(i): k for k, i in enumerate(np.asarray(trace.ids))}
                        values = np.asarray(trace.values[variable])[:, [where[int(c)] for c in cols]]
                        times = np.asarray(trace.steps, np.int64) + 1
                        pop.recorder.add_samples(variable, times, cols, values)
        for phase in recording.weights.values():
            self.final_weights.update({name: np.asarray(w, dtype=np.float64) for name, w in phase.items()})

    def weights(self, projection: Any) -> np.ndarray | None:
        """Weights after the run of a plastic projection, else ``None``."""
        return self.final_weights.get(projection.name)

    def set_weights(self, projection: Any, values: np.ndarray) -> None:
        """Nothing to do: the next run (after ``reset()``) builds from the new values."""

    def set_v(self, population: Any, values: np.ndarray) -> None:
        """Nothing to do: the next run (after ``reset()``) starts from the new values."""
