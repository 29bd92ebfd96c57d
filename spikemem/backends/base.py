"""The backend skeleton: capabilities, and the :class:`Backend` / :class:`Runnable` base classes.

Every backend compiles the same way: check the shared options (:func:`~.options.check_compile`),
check its own, lower the network (timed: ``build_s``) and wrap the result in a
:class:`Runnable`; every run chooses its schedule (:func:`~.options.schedule_for`), executes
and returns a :class:`~spikemem.results.Recording` whose metadata (:func:`~.options.run_meta`)
has the same keys everywhere. A backend writes only what differs: its option checks
(:meth:`Backend._check_options`), its lowering (:meth:`Backend._lower`), its Runnable
(:meth:`Backend._runnable`) and the Runnable's execution (:meth:`Runnable._execute`).
"""

from __future__ import annotations

import enum
import inspect
import time
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from ..ir.errors import IRValidationError, UnsupportedFeature
from ..ir.network import Network
from ..ir.record import RecordSpec
from ..ir.schedule import Schedule
from .options import CompileOptions, base_versions, check_compile, run_meta, schedule_for

__all__ = [
    "Backend",
    "Capability",
    "Compilation",
    "NumericalError",
    "Runnable",
    "UnsupportedFeature",
    "check_finite_recording",
]


class Capability(str, enum.Enum):
    """Features a backend may support; tests skip by capability, never by name."""

    NUMERICS_EXACT = "numerics:exact"
    NUMERICS_SPINNAKER = "numerics:spinnaker"
    NUMERICS_SPINNAKER_FIXED = "numerics:spinnaker-fixed"
    """sPyNNaker's s16.15 fixed-point arithmetic, bit for bit (Numba only)."""
    NUMERICS_STATISTICAL = "numerics:own scheme, statistical agreement"
    """Runs ``exact``/``spinnaker`` networks with the engine's own integration (Nengo): compared
    with the reference by statistics, never spike for spike."""
    IF_CURR_EXP = "cell:IF_curr_exp"
    IF_CURR_DELTA = "cell:IF_curr_delta"
    SPIKE_SOURCE_ARRAY = "cell:SpikeSourceArray"
    SPIKE_SOURCE_POISSON = "cell:SpikeSourcePoisson"
    DISCRETE_LIF = "cell:DiscreteLIF"
    STDP = "plasticity:STDP"
    STDP_HETEROGENEOUS_DELAYS = "plasticity:STDP with per-synapse delays"
    SCHEDULE = "schedule"
    CONTINUE = "continue: several runs carry the state over, with changes in between"
    """:meth:`Runnable.session` gives a simulation that continues call after call, with
    parameter, weight and source changes between calls (the PyNN front end's ``run()``)."""
    RECORD_STATE = "record:state"
    RECORD_WEIGHTS = "record:weights"
    RECORD_WEIGHTS_BOARD = "record:weights as the board reads them back"
    """``RecordSpec(weight_readout="board")``: sPyNNaker's deferred STDP read-back."""
    SPIKE_EXACT = "spike-exact with the reference"
    GPU = "gpu"
    HARDWARE = "hardware"
    NATIVE_CONNECTIVITY = "connectivity:native"
    """Accepts ``connectivity="native"``: the engine generates the random connectors itself
    (Brian2 ``Synapses.connect``, NEST connection rules, sPyNNaker on the board; Numba is the
    host, so its native connectivity is the resolved one)."""


@dataclass(frozen=True)
class Compilation:
    """What :meth:`Backend.compile` was given, checked.

    Attributes
    ----------
    network : Network
        The network.
    schedule : Schedule or None
        The schedule; ``None`` lets :meth:`Runnable.run` choose the length.
    options : CompileOptions
        The checked shared options (``dt`` in ms, numerics, seed, record).
    """

    network: Network
    schedule: Schedule | None
    options: CompileOptions


class NumericalError(ArithmeticError):
    """A run produced NaN or infinite values (state or weights): its results are not usable."""


def check_finite_recording(recording: Any, backend: str) -> Any:
    """``recording``, after checking that every sampled state value and weight is finite.

    Raises
    ------
    NumericalError
        Naming the backend, the population (or projection), the variable, and the first
        sample step with a NaN or inf.
    """
    for name, trace in recording.state.items():
        for variable, values in trace.values.items():
            bad = ~np.isfinite(values)
            if bad.any():
                row = int(np.argmax(bad.any(axis=1)))
                raise NumericalError(
                    f"backend {backend!r}: {variable} of population {name!r} is NaN or infinite from "
                    f"step {int(trace.steps[row])} on (t = {trace.steps[row] * recording.dt:g} ms); "
                    "the network's parameters are outside what the engine can integrate"
                )
    for phase, projections in recording.weights.items():
        for projection, values in projections.items():
            if not np.all(np.isfinite(values)):
                raise NumericalError(
                    f"backend {backend!r}: weights of projection {projection!r} after phase {phase!r} "
                    "are NaN or infinite"
                )
    return recording


class Runnable:
    """A compiled network, ready to run. Every :meth:`run` starts from the initial state.

    Parameters
    ----------
    compiled : Compilation
        The network, schedule and checked shared options (kept as :attr:`network`,
        :attr:`schedule`, :attr:`options`).
    progress : bool or None
        Whether to show a progress bar (``None``: the backend decides).
    build_s : float
        Seconds the lowering took at compile time (s).
    """

    backend: ClassVar[str] = ""
    """Name of the backend, stored in every Recording's metadata."""

    def __init__(self, compiled: Compilation, *, progress: bool | None, build_s: float) -> None:
        self.network = compiled.network
        self.schedule = compiled.schedule
        self.options = compiled.options
        self.progress = progress
        self.build_s = build_s

    @property
    def seed(self) -> int:
        """The compile seed."""
        return self.options.seed

    @property
    def record(self) -> RecordSpec:
        """What the runs record."""
        return self.options.record

    def run(self, duration: float | None = None) -> Any:
        """Run the schedule, or ``duration`` ms when compiled without one.

        Returns
        -------
        spikemem.results.Recording
        """
        return check_finite_recording(self._execute(self.schedule_for(duration)), self.backend)

    def schedule_for(self, duration: float | None) -> Schedule:
        """The schedule of a run: the compiled one, or one phase of ``duration`` ms."""
        return schedule_for(self.schedule, duration)

    def _execute(self, schedule: Schedule) -> Any:
        """Run ``schedule`` from the initial state; return a Recording (each backend's own)."""
        raise NotImplementedError

    def session(self) -> Any:
        """A simulation that continues between calls (backends with :attr:`Capability.CONTINUE`).

        Raises
        ------
        UnsupportedFeature
            Here, for a backend without the capability.
        """
        raise UnsupportedFeature(
            f"capability {Capability.CONTINUE.name} ({Capability.CONTINUE.value})",
            self.backend,
            ("numba with exact or spinnaker numerics",),
        )

    def versions(self) -> dict[str, str]:
        """Versions of the software that produced a result (a backend adds its simulator's)."""
        return base_versions()

    def meta(self, *, n_steps: int, timings: dict[str, float], **extra: Any) -> dict[str, Any]:
        """The metadata of a run of ``n_steps`` steps (:func:`~.options.run_meta`)."""
        return run_meta(
            self.backend,
            self.network,
            self.options,
            versions=self.versions(),
            n_steps=n_steps,
            timings=timings,
            **extra,
        )

    def recording(
        self,
        *,
        populations: dict[str, int],
        spikes: dict,
        state: dict,
        weights: dict,
        phases: list,
        meta: dict[str, Any],
    ) -> Any:
        """The :class:`~spikemem.results.Recording` of a run, at the compile time step."""
        from ..results import Recording

        return Recording(
            dt=self.options.dt,
            populations=populations,
            spikes=spikes,
            state=state,
            weights=weights,
            phases=phases,
            meta=meta,
        )


class Backend:
    """A compiler from the IR to one engine.

    :meth:`compile` takes the options every backend shares (``dt`` in ms, ``numerics``,
    ``seed``, ``record``, ``progress``, ``connectivity``) and the backend's own (keywords of
    :meth:`_check_options`); it makes a :attr:`runnable` from the checked options, the
    settings :meth:`_check_options` returns and the products of :meth:`_lower`.
    """

    name: ClassVar[str] = ""
    capabilities: ClassVar[frozenset[Capability]] = frozenset()
    runnable: ClassVar[type[Runnable]] = Runnable
    """The class of the compiled network."""

    def compile(
        self,
        network: Network,
        schedule: Schedule | None = None,
        *,
        dt: float | None = None,
        numerics: str | None = None,
        seed: int = 0,
        record: RecordSpec | None = None,
        progress: bool | None = None,
        connectivity: str = "resolved",
        **options: Any,
    ) -> Runnable:
        """Compile ``network`` (and ``schedule``) into a :class:`Runnable`; the backend's class
        docstring lists its options.

        Raises
        ------
        IRValidationError
            For a bad option (naming it and what is allowed).
        UnsupportedFeature
            For constructs the backend cannot run.
        """
        checked = check_compile(
            network, schedule, dt=dt, numerics=numerics, seed=seed, record=record, connectivity=connectivity
        )
        if checked.connectivity == "native" and Capability.NATIVE_CONNECTIVITY not in self.capabilities:
            raise UnsupportedFeature(
                "connectivity='native' (generating random connectors in the engine)",
                self.name,
                ("numba", "brian2", "nest", "spinnaker"),
            )
        if (
            checked.numerics == "spinnaker-fixed"
            and Capability.NUMERICS_SPINNAKER_FIXED not in self.capabilities
        ):
            raise UnsupportedFeature(
                "numerics 'spinnaker-fixed' (sPyNNaker's fixed-point arithmetic)", self.name, ("numba",)
            )
        board = checked.record.weight_readout == "board"
        if board and Capability.RECORD_WEIGHTS_BOARD not in self.capabilities:
            raise UnsupportedFeature("RecordSpec(weight_readout='board')", self.name, ("numba",))
        compiled = Compilation(network, schedule, checked)
        self._check_option_names(options)
        settings = self._check_options(compiled, progress=progress, **options)
        started = time.perf_counter()
        lowered = self._lower(compiled, settings)
        build_s = time.perf_counter() - started
        return self._runnable(compiled, build_s=build_s, **settings, **lowered)

    def _check_option_names(self, options: dict[str, Any]) -> None:
        """Raise :class:`IRValidationError` naming an option neither shared nor the backend's own
        (Python would raise a ``TypeError`` from :meth:`_check_options`)."""
        parameters = inspect.signature(self._check_options).parameters
        if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values()):
            return
        own = {name for name, p in parameters.items() if p.kind is inspect.Parameter.KEYWORD_ONLY}
        for name in options:
            if name not in own:
                allowed = sorted({"dt", "numerics", "seed", "record", "progress", "connectivity"} | own)
                raise IRValidationError(
                    f"compile for backend {self.name!r}", "option", name, "one of " + ", ".join(allowed)
                )

    def _check_options(self, compiled: Compilation, *, progress: bool | None) -> dict[str, Any]:
        """Check the backend's own options (its keywords); return the :attr:`runnable`'s keywords."""
        return {"progress": progress}

    def _lower(self, compiled: Compilation, settings: dict[str, Any]) -> dict[str, Any]:
        """Lower ``network`` for the engine (timed as ``build_s``) and raise early for what it
        cannot run; return what the :attr:`runnable` keeps of it, as its keywords."""
        raise NotImplementedError

    def _runnable(self, compiled: Compilation, **keywords: Any) -> Runnable:
        """The :class:`Runnable` of a lowered network (a backend with several kinds overrides this)."""
        return self.runnable(compiled, **keywords)
