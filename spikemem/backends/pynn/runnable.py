"""The Runnable of the PyNN backends (NEST, SpiNNaker): the network is lowered to a PyNN plan
for every run, so a plan can be inspected without running it."""

from __future__ import annotations

from typing import Any

from ...ir.schedule import Schedule
from ..base import Runnable
from .lowering import NetworkPlan

__all__ = ["PlannedRunnable"]


class PlannedRunnable(Runnable):
    """A network compiled for a PyNN simulator; each backend writes :meth:`_plan` and
    :meth:`~spikemem.backends.base.Runnable._execute`."""

    def plan(self, duration: float | None = None) -> NetworkPlan:
        """The PyNN plan of a run (for inspection and tests)."""
        return self._plan(self.schedule_for(duration))

    def _plan(self, schedule: Schedule) -> NetworkPlan:
        """The PyNN plan of a run of ``schedule``."""
        raise NotImplementedError

    def plan_meta(self, plan: NetworkPlan, *, setup_s: float, loop_s: float, **extra: Any) -> dict[str, Any]:
        """The metadata of a run of ``plan`` (setup and loop times in s; ``extra`` keys follow
        the timings)."""
        return self.meta(
            n_steps=plan.n_steps,
            timings={"build_s": self.build_s, "setup_s": setup_s, "loop_s": loop_s},
            **extra,
        )
