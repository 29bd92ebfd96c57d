"""The ``spinnaker`` backend: compile = lower the IR to a PyNN plan and choose the machine; run = one
sPyNNaker session in a folder of its own.

Only the ``spinnaker`` numerics (sPyNNaker's per-step scheme) are what the board computes; an
``exact`` network compiles with a warning that says what differs. sPyNNaker runs at
``dt = 1.0 ms`` (real time) or ``dt = 0.1 ms`` with a time scale factor.

On a virtual board (``virtual=True``) the whole mapping runs — partitioning, placement,
routing, data specifications — but nothing executes: the Recording has empty spike trains,
no state and no weights, and its ``meta["mapping"]`` holds the :class:`MappingReport`.
"""

from __future__ import annotations

import importlib
import time
import warnings
from pathlib import Path
from typing import Any

from ...ir.errors import IRValidationError, UnsupportedFeature
from ...ir.network import Network
from ...ir.schedule import Schedule
from ..base import Capability, Compilation
from ..native import native_seed
from ..options import base_versions
from ..pynn.backend import PYNN_CAPABILITIES, PlannedRunnable, PyNNBackend
from ..pynn.build import build, read_recording, run_phases
from ..pynn.lowering import SPINNAKER, NetworkPlan, PopulationPlan
from .config import MachineConfig, cfg_text, machine_config
from .constraints import check_neurons_per_core, check_time_scale_factor, legal_dt
from .mapping import MappingReport, collect_mapping
from .session import isolated_session

BACKEND = "spinnaker"

NUMERICS_DIFFERENCES = (
    "sPyNNaker computes the 'spinnaker' numerics, not 'exact': an arriving weight w raises the "
    "synaptic current by w·(tau_syn/dt)(1 - e^(-dt/tau_syn)) instead of w; the membrane step holds "
    "the current constant over the step (exponential Euler) instead of integrating its decay; the "
    "refractory period lasts ceil(tau_refrac/dt) steps instead of round(tau_refrac/dt); and states "
    "and weights are fixed point (s16.15; weights 16-bit with a power-of-two scale per receptor, "
    "see `spikemem estimate`). Compile with numerics='spinnaker' on the numba backend to see the "
    "board's results on a CPU."
)


def import_pynn_spinnaker() -> Any:
    """Import ``pyNN.spiNNaker``.

    Raises
    ------
    ImportError
        Naming the extra to install.
    """
    try:
        return importlib.import_module("pyNN.spiNNaker")
    except ImportError as error:
        raise ImportError(
            f"the spinnaker backend needs sPyNNaker: pip install 'spikemem[spinnaker]' ({error})"
        ) from error


def check_spinnaker_dt(dt: float, time_scale_factor: float | None) -> None:
    """Refuse time steps sPyNNaker does not run.

    Raises
    ------
    UnsupportedFeature
        For another step, saying which steps are legal.
    IRValidationError
        For a bad time scale factor.
    """
    if legal_dt(dt) is None:
        raise UnsupportedFeature(
            f"dt = {dt:g} ms: sPyNNaker runs dt = 1.0 ms (real time) or dt = 0.1 ms with a time scale factor "
            "(e.g. time_scale_factor=10; sPyNNaker then also splits neuron and synapse cores), because "
            "SpiNNaker's timer cannot tick faster than every 0.1 ms of wall time",
            BACKEND,
            ("numba", "brian2", "nest"),
        )
    check_time_scale_factor(time_scale_factor)


class SpiNNakerRunnable(PlannedRunnable):
    """A network lowered for sPyNNaker. Every :meth:`run` is a fresh sPyNNaker session."""

    backend = BACKEND
    dialect = SPINNAKER

    def __init__(
        self,
        compiled: Compilation,
        *,
        machine: MachineConfig,
        time_scale_factor: float | None,
        neurons_per_core: dict,
        run_dir: str | None,
        mode: str,
        progress: bool | None,
        sim: Any,
        build_s: float,
    ) -> None:
        super().__init__(compiled, progress=progress, build_s=build_s)
        self.machine = machine
        self.time_scale_factor = time_scale_factor
        self.neurons_per_core = neurons_per_core
        self.run_dir = run_dir
        self.mode = mode
        self.sim = sim
        self.last_mapping: MappingReport | None = None

    def versions(self) -> dict[str, str]:
        """Versions of the software that produced a result."""
        return versions()

    def map(self, duration: float | None = None) -> MappingReport:
        """Map on a *virtual* board of this machine's version (nothing runs) and report.

        Works whatever machine was configured: only the board version is taken from it.
        """
        version = self.machine.version or 5
        virtual = MachineConfig(kind="virtual", version=version, source="map()")
        recording = self._session(self.plan(duration), virtual)
        return MappingReport(**recording.meta["mapping"])

    def _execute(self, schedule: Schedule) -> Any:
        """Run ``schedule`` on the configured machine; return a Recording.

        On a virtual board the Recording has no spikes, state or weights (a warning says so);
        ``meta["mapping"]`` always holds the mapping report.
        """
        return self._session(self._plan(schedule), self.machine, stacklevel=4)

    def _population_options(self, pop: PopulationPlan) -> dict:
        extra: dict[str, Any] = {}
        npc = self.neurons_per_core.get(pop.name)
        if npc:
            extra["neurons_per_core"] = npc
        if self.options.connectivity == "native" and not pop.source:
            # the board draws a projection's synapses on the post population's cores, from
            # this population seed (sPyNNaker refuses a connector rng for on-machine generation)
            extra["seed"] = native_seed(self.seed, pop.name)
        return {"additional_parameters": extra} if extra else {}

    def _session(self, plan: NetworkPlan, machine: MachineConfig, *, stacklevel: int = 3) -> Any:
        """One sPyNNaker session of ``plan`` on ``machine`` (the virtual-board warning points
        ``stacklevel`` frames up: the caller of ``run`` or ``map``)."""
        o = self.options
        virtual = machine.virtual
        if virtual:
            warnings.warn(
                f"{machine.describe()}: the network is mapped but not run; the Recording has no spikes, "
                "state or weights (see meta['mapping'])",
                RuntimeWarning,
                stacklevel=stacklevel,
            )
        keep = self.run_dir is not None
        quiet = not self.progress
        started = time.perf_counter()
        with isolated_session(
            cfg_text(machine, mode=self.mode), run_dir=self.run_dir, keep=keep, quiet=quiet
        ) as session:
            sim = self.sim if self.sim is not None else import_pynn_spinnaker()
            setup = {"timestep": o.dt}
            if self.time_scale_factor is not None:
                setup["time_scale_factor"] = self.time_scale_factor
            sim.setup(**setup)
            try:
                built = build(sim, plan, population_options=self._population_options)
                on_machine = _generated_on_machine(plan, built)
                setup_s = time.perf_counter() - started
                loop_started = time.perf_counter()
                weights, phases = run_phases(sim, plan, built, read_weights=o.record.weights and not virtual)
                loop_s = time.perf_counter() - loop_started
                mapping = collect_mapping(
                    network=self.network.name,
                    machine=machine.describe(),
                    n_timesteps=plan.n_steps,
                    population_names=[p.name for p in plan.populations],
                    warnings=session.warnings,
                    run_dir=str(session.run_dir) if keep else None,
                    mapping_s=time.perf_counter() - started,
                )
                self.last_mapping = mapping
                meta = self.plan_meta(
                    plan,
                    setup_s=setup_s,
                    loop_s=loop_s,
                    machine=machine.describe(),
                    virtual=virtual,
                    notes=list(plan.notes),
                    mapping=mapping.to_dict(),
                    **({"generated_on_machine": on_machine} if on_machine else {}),
                )
                return read_recording(
                    plan, built, weights=weights, phases=phases, meta=meta, spikes_available=not virtual
                )
            finally:
                sim.end()


class SpiNNakerBackend(PyNNBackend):
    """SpiNNaker through sPyNNaker 1!7.4.1 (PyNN 0.13): a virtual board, a board, or spalloc.

    Options of :meth:`compile`: ``dt`` (ms: 1.0, or 0.1 with ``time_scale_factor``),
    ``numerics``, ``seed``, ``record`` (spikes; state ``v``; weights), ``progress`` (show
    sPyNNaker's progress bars), the machine — ``virtual=True`` (``version`` 3 or 5), ``board=HOST``
    + ``version``, ``spalloc=URL`` or ``cfg=PATH`` (see :mod:`spikemem.backends.spinnaker.config`;
    without any, then ``$SPIKEMEM_SPINNAKER``, then ``~/.spynnaker.cfg``) — ``time_scale_factor``,
    ``neurons_per_core`` (int, or dict population -> int), ``run_dir`` (keep sPyNNaker's
    reports there; default a temporary folder removed after the run), ``mode`` (sPyNNaker
    report mode: Production, Info, Debug), ``sim`` (a PyNN module to use instead of
    ``pyNN.spiNNaker``, for tests) and ``connectivity`` (``"native"``: ``FixedProbability``,
    ``FixedNumberPre`` and ``FixedNumberPost`` become sPyNNaker's connectors, whose synapses the
    board generates from population seeds derived from the compile seed; ``meta
    ["generated_on_machine"]`` says, per projection, whether sPyNNaker did generate them there).
    """

    name = BACKEND
    dialect = SPINNAKER
    runnable = SpiNNakerRunnable
    capabilities = PYNN_CAPABILITIES | {
        Capability.NUMERICS_SPINNAKER,
        Capability.HARDWARE,
        Capability.NATIVE_CONNECTIVITY,
    }

    def __init__(self) -> None:
        from importlib.util import find_spec

        for module in ("spynnaker", "pyNN"):
            if find_spec(module) is None:
                raise ImportError(f"the spinnaker backend needs {module}: pip install 'spikemem[spinnaker]'")

    def _check_options(
        self,
        compiled: Compilation,
        *,
        progress: bool | None,
        virtual: bool = False,
        board: str | None = None,
        version: int | None = None,
        spalloc: str | None = None,
        cfg: str | None = None,
        time_scale_factor: float | None = None,
        neurons_per_core: int | dict | None = None,
        run_dir: str | None = None,
        mode: str = "Info",
        sim: Any = None,
    ) -> dict[str, Any]:
        """Check the sPyNNaker options and choose the machine; see the class docstring.

        Raises
        ------
        IRValidationError
            For a bad option.
        SpiNNakerConfigError
            For a missing or bad machine configuration (names the key, shows a snippet).
        UnsupportedFeature
            For time steps other than 1.0 and 0.1 ms (the message says which steps are legal),
            state variables other than ``v`` and phases that switch STDP off.
        """
        network, options = compiled.network, compiled.options
        check_spinnaker_dt(options.dt, time_scale_factor)
        if mode not in ("Production", "Info", "Debug"):
            raise IRValidationError("spinnaker", "mode", mode, "Production, Info or Debug")
        machine = machine_config(virtual=virtual, board=board, version=version, spalloc=spalloc, cfg=cfg)
        npc = check_neurons_per_core(network, neurons_per_core)
        if options.numerics != "spinnaker":
            # stack: here, Backend.compile, its caller
            warnings.warn(f"network {network.name!r}: {NUMERICS_DIFFERENCES}", RuntimeWarning, stacklevel=3)
        for name in options.record.state:
            for var in options.record.state[name]:
                if var != "v":
                    raise UnsupportedFeature(
                        f"recording {var!r} (population {name!r})", BACKEND, ("numba", "nest")
                    )
        if compiled.schedule is not None:
            _check_learning_phases(network, compiled.schedule)
        return {
            "machine": machine,
            "time_scale_factor": time_scale_factor,
            "neurons_per_core": npc,
            "run_dir": run_dir,
            "mode": mode,
            "progress": progress,
            "sim": sim,
        }


def _generated_on_machine(plan: NetworkPlan, built: Any) -> dict[str, bool]:
    """For every natively drawn projection, whether sPyNNaker generates its synapses on the
    board (its connector's ``generate_on_machine``) rather than on the host."""
    result = {}
    for proj in plan.projections:
        if not proj.connector.native:
            continue
        info = getattr(built.projections[proj.name], "_synapse_information", None)
        connector = getattr(info, "connector", None)
        check = getattr(connector, "generate_on_machine", None)
        result[proj.name] = bool(check(info)) if check is not None else False
    return result


def _check_learning_phases(network: Network, schedule: Schedule) -> None:
    plastic = {p.name for p in network.projections if p.plastic}
    for phase in schedule.phases:
        if phase.plastic is not None and not plastic <= set(phase.plastic):
            raise UnsupportedFeature(
                f"switching STDP off during a phase (phase {phase.name!r} sets plastic={phase.plastic!r}; "
                "sPyNNaker cannot change a projection's plasticity between runs)",
                BACKEND,
                ("numba", "nest"),
            )


def versions() -> dict[str, str]:
    """Versions of the software that produced a result."""
    from importlib import metadata

    result = base_versions()
    for dist in ("spynnaker", "pyNN"):
        try:
            result[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:  # pragma: no cover
            pass
    return result


def write_mapping(report: MappingReport, path: str | Path) -> None:
    """Write ``report`` as JSON to ``path`` atomically."""
    from ...atomicio import write_text_atomic

    write_text_atomic(Path(path), report.to_json())
