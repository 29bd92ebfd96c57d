"""The Numba backend: compile an IR network into flat arrays and run the kernels in chunks."""

from __future__ import annotations

from typing import Any

from ...ir.errors import IRValidationError
from ...ir.schedule import Schedule
from ..base import Backend, Capability, Compilation, Runnable
from .fixed_point import SCHEMES
from .fixed_runner import FixedRunnable, check_fixed
from .layout import BACKEND, Layout, build_layout
from .memory import check_compile_memory, check_weight_dtype
from .parallel import check_threads
from .runner import CHUNK_STEPS, execute
from .session import NumbaSession
from .versions import versions


class NumbaRunnable(Runnable):
    """A network compiled for the Numba engine (its flat arrays: ``layout``). Every
    :meth:`run` starts from the initial state."""

    backend = BACKEND

    def __init__(
        self,
        compiled: Compilation,
        *,
        layout: Layout,
        progress: bool | None,
        build_s: float,
        threads: int = 1,
        weight_dtype: str = "float64",
    ) -> None:
        super().__init__(compiled, progress=progress, build_s=build_s)
        self.layout = layout
        self.threads = threads
        """Threads the step loop may use (the run uses fewer on small networks)."""
        self.weight_dtype = weight_dtype
        """Storage of the synapse weights (``"float64"`` or ``"float32"``)."""

    def _execute(self, schedule: Schedule) -> Any:
        return execute(self, schedule)

    def session(self) -> NumbaSession:
        """A :class:`~.session.NumbaSession`: the simulation from the initial state, continued
        call after call (:attr:`~spikemem.backends.base.Capability.CONTINUE`)."""
        return NumbaSession(self)

    def versions(self) -> dict[str, str]:
        """Versions of the software that produced a result."""
        return versions()


class NumbaBackend(Backend):
    """The reference engine: clock-driven, float64, CPU, deterministic.

    Options of :meth:`compile`: ``dt`` (ms, default the network's), ``numerics`` (default the
    network's), ``seed`` (int, default 0), ``record`` (:class:`RecordSpec`), ``progress``
    (``None``: a bar appears for runs longer than 2 s; ``True``/``False`` force it), ``threads``
    (``None``: every core Numba may use, ``NUMBA_NUM_THREADS``; or an integer >= 1). Results
    are bit-identical for any number of threads (:mod:`.parallel`); a run uses at most one
    thread per :data:`~.parallel.MIN_NEURONS_PER_THREAD` neurons, so small networks run on one.
    With ``numerics="spinnaker-fixed"`` (one thread), ``fixed_point_scheme`` (``"host"``, the
    default, or ``"7.4.1"``; :data:`.fixed_point.SCHEMES`) picks the generation of sPyNNaker's
    arithmetic.
    ``connectivity="native"`` is accepted and is the resolved connectivity: Numba runs on the
    host that draws the synapses.
    ``weight_dtype`` (``"float64"``, the default, or ``"float32"``: 4 bytes less per synapse;
    weights are rounded to float32, so results may differ from float64's).

    Compilation refuses, before drawing any synapse, a network whose tables would not fit in
    the memory available, and every run refuses, before allocating its buffers, a recording that
    would not (:class:`~spikemem.ir.MemoryBudgetError`; :mod:`~spikemem.backends.numba.memory`).
    """

    name = BACKEND
    runnable = NumbaRunnable
    capabilities = frozenset(
        {
            Capability.NUMERICS_EXACT,
            Capability.NUMERICS_SPINNAKER,
            Capability.NUMERICS_SPINNAKER_FIXED,
            Capability.IF_CURR_EXP,
            Capability.IF_CURR_DELTA,
            Capability.SPIKE_SOURCE_ARRAY,
            Capability.SPIKE_SOURCE_POISSON,
            Capability.DISCRETE_LIF,
            Capability.STDP,
            Capability.SCHEDULE,
            Capability.CONTINUE,
            Capability.RECORD_STATE,
            Capability.RECORD_WEIGHTS,
            Capability.RECORD_WEIGHTS_BOARD,
            Capability.SPIKE_EXACT,
            Capability.NATIVE_CONNECTIVITY,  # the host: native connectivity is the resolved one
        }
    )

    def _check_options(
        self,
        compiled: Compilation,
        *,
        progress: bool | None,
        threads: int | None = None,
        fixed_point_scheme: str | None = None,
        weight_dtype: str = "float64",
    ) -> dict[str, Any]:
        """Check ``threads``, ``fixed_point_scheme`` and ``weight_dtype`` (see the class docstring).

        Raises
        ------
        IRValidationError
            For a ``threads`` that is not ``None`` or an integer in ``[1, NUMBA_NUM_THREADS]``;
            for a ``fixed_point_scheme`` that is not one of :data:`.fixed_point.SCHEMES`, or given
            with numerics other than ``spinnaker-fixed``; for a ``weight_dtype`` other than
            ``"float64"`` and ``"float32"`` (only ``"float64"`` with ``numerics="spinnaker-fixed"``).
        """
        weight_dtype = check_weight_dtype(weight_dtype)
        if compiled.options.numerics == "spinnaker-fixed" and weight_dtype != "float64":
            raise IRValidationError(
                "compile", "weight_dtype", weight_dtype, "'float64' with numerics='spinnaker-fixed'"
            )
        settings: dict[str, Any] = {
            "progress": progress, "threads": check_threads(threads), "weight_dtype": weight_dtype,
        }
        if fixed_point_scheme is not None:
            if compiled.options.numerics != "spinnaker-fixed":
                allowed = "None unless numerics='spinnaker-fixed'"
                raise IRValidationError("compile", "fixed_point_scheme", fixed_point_scheme, allowed)
            if fixed_point_scheme not in SCHEMES:
                allowed = " or ".join(SCHEMES)
                raise IRValidationError("compile", "fixed_point_scheme", fixed_point_scheme, allowed)
            settings["scheme"] = fixed_point_scheme
        return settings

    def _lower(self, compiled: Compilation, settings: dict[str, Any]) -> dict[str, Any]:
        o = compiled.options
        if o.numerics == "spinnaker-fixed":  # sPyNNaker's fixed-point arithmetic: its own runner
            check_fixed(compiled.network)
            return {}
        weight_dtype = settings["weight_dtype"]
        check_compile_memory(compiled.network, compiled.schedule, dt=o.dt, weight_dtype=weight_dtype)
        # the delay-rounding warning points at the caller of compile
        layout = build_layout(compiled.network, o.dt, o.numerics, o.seed, stacklevel=6)
        layout.synapses.weight = layout.synapses.weight.astype(weight_dtype, copy=False)
        return {"layout": layout}

    def _runnable(self, compiled: Compilation, **keywords: Any) -> Runnable:
        """:class:`~.fixed_runner.FixedRunnable` for ``spinnaker-fixed`` (one thread), else
        :class:`NumbaRunnable`."""
        if compiled.options.numerics == "spinnaker-fixed":
            keywords.pop("threads", None)
            keywords.pop("weight_dtype", None)
            return FixedRunnable(compiled, **keywords)
        return NumbaRunnable(compiled, **keywords)


__all__ = ["CHUNK_STEPS", "NumbaBackend", "NumbaRunnable", "versions"]
