"""The Numba backend: compile an IR network into flat arrays and run the kernels in chunks."""

from __future__ import annotations

import time
from typing import Any

from ...ir.network import Network
from ...ir.record import RecordSpec
from ...ir.schedule import Schedule
from ..base import Capability
from ..options import base_versions, check_compile, schedule_for
from .layout import BACKEND, Layout, build_layout, phase_steps, source_spikes

CHUNK_STEPS = 20_000
"""Steps per kernel call; Python (progress bar, buffer growth) runs only between chunks."""


class NumbaBackend:
    """The reference engine: clock-driven, float64, CPU, deterministic.

    Options of :meth:`compile`: ``dt`` (ms, default the network's), ``numerics`` (default the
    network's), ``seed`` (int, default 0), ``record`` (:class:`RecordSpec`), ``progress``
    (``None``: a bar appears for runs longer than 2 s; ``True``/``False`` force it).
    """

    name = BACKEND
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
    ) -> NumbaRunnable:
        """Compile ``network`` for the Numba engine; see the class docstring for the options."""
        checked = check_compile(
            network, schedule, dt=dt, numerics=numerics, seed=seed, record=record,
            capabilities=self.capabilities,
        )
        dt, numerics, seed, record = checked.dt, checked.numerics, checked.seed, checked.record
        if numerics == "spinnaker-fixed":  # sPyNNaker's fixed-point arithmetic: its own runner
            from .fixed_runner import FixedRunnable

            return FixedRunnable(network, schedule, dt, int(seed), record)
        started = time.perf_counter()
        layout = build_layout(network, dt, numerics, int(seed))
        return NumbaRunnable(
            network=network,
            schedule=schedule,
            layout=layout,
            seed=int(seed),
            record=record,
            progress=progress,
            build_s=time.perf_counter() - started,
        )


class NumbaRunnable:
    """A network compiled for the Numba engine. Every :meth:`run` starts from the initial state."""

    def __init__(
        self,
        *,
        network: Network,
        schedule: Schedule | None,
        layout: Layout,
        seed: int,
        record: RecordSpec,
        progress: bool | None,
        build_s: float,
    ) -> None:
        self.network = network
        self.schedule = schedule
        self.layout = layout
        self.seed = seed
        self.record = record
        self.progress = progress
        self.build_s = build_s

    def run(self, duration: float | None = None) -> Any:
        """Run the schedule, or ``duration`` ms when compiled without one.

        Returns
        -------
        spikemem.results.Recording
        """
        schedule = self._schedule_for(duration)
        from .runner import execute

        return execute(self, schedule)

    def _schedule_for(self, duration: float | None) -> Schedule:
        return schedule_for(self.schedule, duration)


def versions() -> dict[str, str]:
    """Versions of the software that produced a result."""
    import numba

    return {**base_versions(), "numba": numba.__version__}


__all__ = ["CHUNK_STEPS", "NumbaBackend", "NumbaRunnable", "phase_steps", "source_spikes", "versions"]
