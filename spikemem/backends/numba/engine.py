"""The Numba backend: compile an IR network into flat arrays and run the kernels in chunks."""

from __future__ import annotations

from typing import Any

from ...ir.schedule import Schedule
from ..base import Backend, Capability, Compilation, Runnable
from .fixed_runner import FixedRunnable, check_fixed
from .layout import BACKEND, Layout, build_layout
from .parallel import check_threads
from .runner import CHUNK_STEPS, execute
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
    ) -> None:
        super().__init__(compiled, progress=progress, build_s=build_s)
        self.layout = layout
        self.threads = threads
        """Threads the step loop may use (the run uses fewer on small networks)."""

    def _execute(self, schedule: Schedule) -> Any:
        return execute(self, schedule)

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
            Capability.RECORD_STATE,
            Capability.RECORD_WEIGHTS,
            Capability.SPIKE_EXACT,
        }
    )

    def _check_options(
        self, compiled: Compilation, *, progress: bool | None, threads: int | None = None
    ) -> dict[str, Any]:
        """Check ``threads`` (see the class docstring).

        Raises
        ------
        IRValidationError
            For a ``threads`` that is not ``None`` or an integer in ``[1, NUMBA_NUM_THREADS]``.
        """
        return {"progress": progress, "threads": check_threads(threads)}

    def _lower(self, compiled: Compilation, settings: dict[str, Any]) -> dict[str, Any]:
        o = compiled.options
        if o.numerics == "spinnaker-fixed":  # sPyNNaker's fixed-point arithmetic: its own runner
            check_fixed(compiled.network)
            return {}
        # the delay-rounding warning points at the caller of compile
        return {"layout": build_layout(compiled.network, o.dt, o.numerics, o.seed, stacklevel=6)}

    def _runnable(self, compiled: Compilation, **keywords: Any) -> Runnable:
        """:class:`~.fixed_runner.FixedRunnable` for ``spinnaker-fixed`` (one thread), else
        :class:`NumbaRunnable`."""
        if compiled.options.numerics == "spinnaker-fixed":
            keywords.pop("threads", None)
            return FixedRunnable(compiled, **keywords)
        return NumbaRunnable(compiled, **keywords)


__all__ = ["CHUNK_STEPS", "NumbaBackend", "NumbaRunnable", "versions"]
