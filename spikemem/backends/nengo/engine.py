"""The ``nengo`` backend: compile = lower the IR to a Nengo plan; run = one ``nengo.Simulator``.

Nengo 4's reference simulator runs the network with ``nengo.LIF`` neurons in normalised units
and first-order synapses (``spikemem.backends.nengo.lowering`` has the mapping). Agreement
with the reference engine is statistical: below threshold the membrane follows the reference
trace, but Nengo interpolates spike times inside a step for its refractory period.
"""

from __future__ import annotations

import time
import warnings
from typing import Any

import numpy as np

from ...ir.errors import IRValidationError
from ...ir.record import RecordSpec
from ...ir.schedule import Schedule
from ...lowering import phase_infos
from ..base import Backend, Capability, Compilation, Runnable
from ..options import base_versions
from .lowering import BACKEND, NengoPlan, check_network, lower, synapse_filter


def import_nengo() -> Any:
    """Import ``nengo``, or raise ImportError naming the extra to install."""
    try:
        import nengo
    except ImportError as error:
        raise ImportError(
            f"the nengo backend needs Nengo: pip install 'spikemem[nengo]' ({error})"
        ) from error
    return nengo


class NengoRunnable(Runnable):
    """A network checked for Nengo. Every :meth:`run` builds and runs a fresh ``nengo.Simulator``."""

    backend = BACKEND

    def plan(self, duration: float | None = None) -> NengoPlan:
        """The Nengo plan of a run (for inspection and tests)."""
        return self._plan(self.schedule_for(duration))

    def _plan(self, schedule: Schedule) -> NengoPlan:
        o = self.options
        return lower(self.network, schedule, dt=o.dt, numerics=o.numerics, seed=o.seed)

    def model(self, plan: NengoPlan) -> tuple[Any, dict]:
        """The ``nengo.Network`` of ``plan`` and its probes/collectors."""
        return build_model(plan, self.options.record, self.options.seed)

    def versions(self) -> dict[str, str]:
        """Versions of the software that produced a result."""
        return {**base_versions(), "nengo": import_nengo().__version__}

    def _execute(self, schedule: Schedule) -> Any:
        """Run ``schedule`` on Nengo's reference simulator; return a Recording."""
        nengo = import_nengo()
        o = self.options
        started = time.perf_counter()
        plan = self._plan(schedule)
        net, handles = self.model(plan)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # Nengo's rate estimate for given gain/bias
            simulator = nengo.Simulator(
                net, dt=o.dt / 1000.0, seed=int(o.seed % 2**32), progress_bar=self.progress, optimize=True
            )
        setup_s = time.perf_counter() - started
        with simulator:
            loop_started = time.perf_counter()
            simulator.run_steps(plan.n_steps, progress_bar=self.progress)
            loop_s = time.perf_counter() - loop_started
            meta = self.meta(
                n_steps=plan.n_steps,
                timings={"build_s": self.build_s, "setup_s": setup_s, "loop_s": loop_s},
                notes=list(plan.notes),
            )
            return read_recording(self, plan, simulator, handles, schedule, meta)


class NengoBackend(Backend):
    """Nengo 4 (reference simulator, CPU): static ``IF_curr_exp`` networks as ``nengo.LIF`` ensembles.

    Options of :meth:`compile`: ``dt`` (ms), ``numerics`` (``"exact"`` or ``"spinnaker"``: the
    reference engine's propagators set the synaptic gains; refractoriness and spike timing are
    Nengo's), ``seed``, ``record`` (:class:`RecordSpec`; state ``v``, ``isyn_exc``,
    ``isyn_inh``; weights are static and never recorded), ``progress`` (Nengo's progress bar).

    Not supported (``UnsupportedFeature``): STDP, dendrites, ``IF_curr_delta``,
    ``DiscreteLIF``, and ``tau_m``/``tau_refrac``/``tau_syn`` varying within a population.
    """

    name = BACKEND
    runnable = NengoRunnable
    capabilities = frozenset(
        {
            Capability.NUMERICS_STATISTICAL,
            Capability.IF_CURR_EXP,
            Capability.SPIKE_SOURCE_ARRAY,
            Capability.SPIKE_SOURCE_POISSON,
            Capability.SCHEDULE,
            Capability.RECORD_STATE,
        }
    )

    def __init__(self) -> None:
        from importlib.util import find_spec

        if find_spec("nengo") is None:
            raise ImportError("the nengo backend needs Nengo: pip install 'spikemem[nengo]'")

    def _check_options(self, compiled: Compilation, *, progress: bool | None) -> dict[str, Any]:
        """Check ``progress`` (None, True or False).

        Raises
        ------
        IRValidationError
            For another value.
        """
        if progress is not None and not isinstance(progress, (bool, np.bool_)):
            raise IRValidationError("compile", "progress", progress, "None, True or False")
        return {"progress": bool(progress)}

    def _lower(self, compiled: Compilation, settings: dict[str, Any]) -> dict[str, Any]:
        """Check that the mapping can express ``network`` (each run's plan: :meth:`NengoRunnable.plan`).

        Raises
        ------
        UnsupportedFeature
            For constructs the mapping cannot express.
        """
        check_network(compiled.network)
        return {}

def build_model(plan: NengoPlan, record: RecordSpec, seed: int) -> tuple[Any, dict]:
    """Build the ``nengo.Network`` of ``plan``; return it with its probes and spike collectors."""
    nengo = import_nengo()
    dt_s = plan.dt / 1000.0
    handles: dict[str, Any] = {"spikes": {}, "probes": {}, "currents": {}}
    wanted = record.spikes
    with nengo.Network(label="spikemem", seed=int(seed % 2**32)) as net:
        nodes: dict[str, Any] = {}
        for source in plan.sources:
            nodes[source.name] = nengo.Node(_SourceOutput(source, dt_s), label=source.name)
        for ens in plan.ensembles:
            neuron_type = nengo.LIF(
                tau_rc=ens.tau_m / 1000.0,
                tau_ref=ens.refractory_steps * dt_s,
                min_voltage=-np.inf,
                initial_state={"voltage": ens.u_init.copy(), "refractory_time": np.zeros(ens.size)},
            )
            ensemble = nengo.Ensemble(
                ens.size,
                dimensions=1,
                neuron_type=neuron_type,
                gain=np.ones(ens.size),
                bias=ens.bias.copy(),
                encoders=np.ones((ens.size, 1)),
                label=ens.name,
            )
            nodes[ens.name] = ensemble.neurons
        sizes = plan.sizes
        for conn in plan.connections:
            kind, args, scale = synapse_filter(conn.pole, conn.delay_steps)
            synapse = (
                nengo.Lowpass(-dt_s / np.log(conn.pole))
                if kind == "lowpass"
                else nengo.LinearFilter(*args, analog=False)
            )
            transform = nengo.transforms.Sparse(
                (sizes[conn.post], sizes[conn.pre]),
                indices=np.column_stack([conn.post_ids, conn.pre_ids]),
                init=conn.data * (scale * dt_s),
            )
            nengo.Connection(nodes[conn.pre], nodes[conn.post], transform=transform, synapse=synapse)
            if conn.post in record.state and f"isyn_{conn.receptor[:3]}" in record.state[conn.post]:
                current = nengo.transforms.Sparse(
                    (sizes[conn.post], sizes[conn.pre]),
                    indices=np.column_stack([conn.post_ids, conn.pre_ids]),
                    init=np.abs(conn.current) * (scale * dt_s),
                )
                sink = nengo.Node(size_in=sizes[conn.post])
                nengo.Connection(nodes[conn.pre], sink, transform=current, synapse=synapse)
                handles["currents"].setdefault((conn.post, conn.receptor), []).append(
                    (nengo.Probe(sink, synapse=None), conn.pole)
                )
        for name, target in nodes.items():
            if wanted is None or name in wanted:
                collector = _SpikeCollector(dt_s)
                handles["spikes"][name] = collector
                node = nengo.Node(collector, size_in=sizes[name], label=f"spikes {name}")
                nengo.Connection(target, node, synapse=None)
        for name, variables in record.state.items():
            if "v" in variables:
                handles["probes"][name] = nengo.Probe(nodes[name], "voltage", synapse=None)
    return net, handles


class _SourceOutput:
    """A source's spikes as ``1/dt`` impulses at the reference engine's steps."""

    def __init__(self, source: Any, dt_s: float) -> None:
        self.source, self.dt_s = source, dt_s
        self.buffer = np.zeros(source.size)

    def __call__(self, t: float) -> np.ndarray:
        step = int(round(t / self.dt_s)) - 1
        self.buffer[:] = 0.0
        ptr = self.source.ptr
        if 0 <= step < ptr.size - 1:
            self.buffer[self.source.ids[ptr[step] : ptr[step + 1]]] = 1.0 / self.dt_s
        return self.buffer


class _SpikeCollector:
    """Collects ``(step, id)`` of every nonzero neuron output (Nengo outputs ``1/dt`` per spike)."""

    def __init__(self, dt_s: float) -> None:
        self.dt_s = dt_s
        self.steps: list[np.ndarray] = []
        self.ids: list[np.ndarray] = []

    def __call__(self, t: float, x: np.ndarray) -> None:
        fired = np.flatnonzero(x)
        if fired.size:
            self.ids.append(fired.astype(np.int64))
            self.steps.append(np.full(fired.size, int(round(t / self.dt_s)) - 1, dtype=np.int64))

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        if not self.ids:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        return np.concatenate(self.steps), np.concatenate(self.ids)


def read_recording(
    runnable: NengoRunnable, plan: NengoPlan, simulator: Any, handles: dict, schedule: Schedule, meta: dict
) -> Any:
    """A :class:`~spikemem.results.Recording` of the run, on the reference engine's step grid.

    Spikes: the step Nengo emitted them in. ``v``: ``v_reset + u·Δ`` at the end of each step.
    ``isyn_*`` (nA, positive): the current the reference engine holds at the end of step ``k``,
    i.e. ``a`` times the output of the same synapse at step ``k`` (the input of step ``k + 1``).
    """
    from ...results import SpikeTrains, StateTrace

    dt, record = plan.dt, runnable.record
    spikes = {}
    for name, collector in handles["spikes"].items():
        steps, ids = collector.arrays()
        order = np.lexsort((ids, steps))
        spikes[name] = SpikeTrains(steps=steps[order], ids=ids[order], dt=dt)
    every = record.state_every
    sample = np.arange(0, plan.n_steps, every, dtype=np.int64)
    ensembles = {e.name: e for e in plan.ensembles}
    state = {}
    for name, variables in record.state.items():
        ens = ensembles[name]
        values = {}
        for var in variables:
            if var == "v":
                u = np.asarray(simulator.data[handles["probes"][name]])
                values["v"] = ens.v_reset + u[sample] * ens.span
                continue
            receptor = "excitatory" if var == "isyn_exc" else "inhibitory"
            total = np.zeros((plan.n_steps, ens.size))
            for probe, pole in handles["currents"].get((name, receptor), []):
                total += pole * np.asarray(simulator.data[probe])
            values[var] = total[sample]
        state[name] = StateTrace(steps=sample, ids=np.arange(ens.size, dtype=np.int64), values=values, dt=dt)
    phases = phase_infos(schedule, plan.phase_starts)
    return runnable.recording(
        populations=plan.sizes, spikes=spikes, state=state, weights={}, phases=phases, meta=meta
    )
