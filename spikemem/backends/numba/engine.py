"""The Numba backend: compile an IR network into flat arrays and run the kernels in chunks."""

from __future__ import annotations

import platform
import sys
import time
from typing import Any

import numpy as np

from ...ir.errors import IRValidationError
from ...ir.network import NUMERICS, Network, check_delays, check_dt
from ...ir.schedule import Schedule
from ..base import Capability, RecordSpec
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
    ) -> "NumbaRunnable":
        """Compile ``network`` for the Numba engine; see the class docstring for the options."""
        if not isinstance(network, Network):
            raise IRValidationError("compile", "network", type(network).__name__, "a spikemem.ir.Network")
        dt = network.dt if dt is None else check_dt("compile", dt)
        numerics = network.numerics if numerics is None else numerics
        if numerics not in NUMERICS:
            raise IRValidationError("compile", "numerics", numerics, "one of " + ", ".join(NUMERICS))
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= int(seed) < 2**63:
            raise IRValidationError("compile", "seed", seed, "an integer in [0, 2**63)")
        if schedule is not None:
            if not isinstance(schedule, Schedule):
                raise IRValidationError("compile", "schedule", type(schedule).__name__, "None or a spikemem.ir.Schedule")
            schedule.check_against(network)
        record = RecordSpec() if record is None else record
        if not isinstance(record, RecordSpec):
            raise IRValidationError("compile", "record", type(record).__name__, "a RecordSpec")
        record.check_against(network)
        check_delays(network, dt)
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
        if self.schedule is not None:
            if duration is not None:
                raise IRValidationError(
                    "run", "duration", duration, "None: the network was compiled with a schedule that fixes the length"
                )
            return self.schedule
        if duration is None:
            raise IRValidationError("run", "duration", None, "a length in ms (no schedule was compiled)")
        return Schedule.single(duration)


def versions() -> dict[str, str]:
    """Versions of the software that produced a result."""
    import numba

    from ... import __version__

    return {
        "spikemem": __version__,
        "numba": numba.__version__,
        "numpy": np.__version__,
        "python": sys.version.split()[0],
        "platform": platform.platform(),
    }


__all__ = ["CHUNK_STEPS", "NumbaBackend", "NumbaRunnable", "phase_steps", "source_spikes", "versions"]
