"""The compile and run steps the PyNN backends (NEST, SpiNNaker) share: the network is checked
against the simulator's dialect at compile time and lowered to a PyNN plan for every run, so a
plan can be inspected without running it."""

from __future__ import annotations

from typing import Any, ClassVar

from ...ir.network import Network
from ...ir.schedule import Schedule
from ..base import Backend, Capability, Compilation, Runnable
from .lowering import Dialect, NetworkPlan, lower_checked

__all__ = ["PYNN_CAPABILITIES", "PlannedRunnable", "PyNNBackend"]

PYNN_CAPABILITIES = frozenset(
    {
        Capability.IF_CURR_EXP,
        Capability.IF_CURR_DELTA,
        Capability.SPIKE_SOURCE_ARRAY,
        Capability.SPIKE_SOURCE_POISSON,
        Capability.STDP,
        Capability.SCHEDULE,
        Capability.RECORD_STATE,
        Capability.RECORD_WEIGHTS,
    }
)
"""What the shared PyNN lowering runs on every simulator (each adds its numerics)."""


class PlannedRunnable(Runnable):
    """A network compiled for a PyNN simulator; each backend writes
    :meth:`~spikemem.backends.base.Runnable._execute` on the plan of :meth:`plan`."""

    dialect: ClassVar[Dialect]
    stdp_exact: bool = True
    """Refuse STDP rules the simulator would not reproduce (NEST's ``stdp="exact"``)."""

    def plan(self, duration: float | None = None) -> NetworkPlan:
        """The PyNN plan of a run (for inspection and tests)."""
        return self._plan(self.schedule_for(duration))

    def _plan(self, schedule: Schedule) -> NetworkPlan:
        """The PyNN plan of a run of ``schedule`` (its notes were shown at compile time)."""
        return lower_checked(
            self.network, schedule, self.dialect, self.options, stdp_exact=self.stdp_exact, quiet=True
        )

    def plan_meta(self, plan: NetworkPlan, *, setup_s: float, loop_s: float, **extra: Any) -> dict[str, Any]:
        """The metadata of a run of ``plan`` (setup and loop times in s; ``extra`` keys follow
        the timings)."""
        return self.meta(
            n_steps=plan.n_steps,
            timings={"build_s": self.build_s, "setup_s": setup_s, "loop_s": loop_s},
            **extra,
        )


class PyNNBackend(Backend):
    """A backend that runs the shared PyNN lowering on one simulator (its :attr:`dialect`)."""

    dialect: ClassVar[Dialect]

    def _lower(self, compiled: Compilation, settings: dict[str, Any]) -> dict[str, Any]:
        """Check that the simulator can run the network, by lowering it for its schedule (or a
        one-step probe); each run makes its own plan (:meth:`PlannedRunnable.plan`).

        Raises
        ------
        UnsupportedFeature
            For constructs the simulator cannot run.
        """
        probe = compiled.schedule or Schedule.single(max(compiled.options.dt, 1.0))
        self._check_network(compiled.network)
        stdp_exact = settings.get("stdp_exact", True)
        lower_checked(compiled.network, probe, self.dialect, compiled.options, stdp_exact=stdp_exact)
        return {}

    def _check_network(self, network: Network) -> None:
        """Refuse what the simulator cannot run before lowering (default: nothing)."""
