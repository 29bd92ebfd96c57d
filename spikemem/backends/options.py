"""The compile options every backend shares (time step, numerics, seed, schedule, record),
checked with the same rules and messages everywhere, and the version stamp of a result."""

from __future__ import annotations

import platform
import sys
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..ir.errors import IRValidationError
from ..ir.network import NUMERICS, Network, check_delays, check_dt
from ..ir.record import RecordSpec
from ..ir.schedule import Schedule


@dataclass(frozen=True)
class CompileOptions:
    """Checked common options: time step (ms), numerics, seed and what to record."""

    dt: float
    numerics: str
    seed: int
    record: RecordSpec
    connectivity: str = "resolved"
    """``"resolved"``: every backend receives the host's synapses; ``"native"``: a backend that
    declares ``Capability.NATIVE_CONNECTIVITY`` generates its random connectors itself."""


CONNECTIVITY = ("resolved", "native")
"""Values of the ``connectivity`` compile option (see :mod:`spikemem.backends.native`)."""


def check_compile(
    network: Any,
    schedule: Any,
    *,
    dt: Any,
    numerics: Any,
    seed: Any,
    record: Any,
    connectivity: Any = "resolved",
) -> CompileOptions:
    """Validate the arguments of ``compile`` (same rules as the reference engine).

    Raises
    ------
    IRValidationError
        Naming the bad argument and what is allowed.
    """
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
            raise IRValidationError(
                "compile", "schedule", type(schedule).__name__, "None or a spikemem.ir.Schedule"
            )
        schedule.check_against(network)
    record = RecordSpec() if record is None else record
    if not isinstance(record, RecordSpec):
        raise IRValidationError("compile", "record", type(record).__name__, "a RecordSpec")
    record.check_against(network)
    if record.weight_readout == "board" and numerics not in ("spinnaker", "spinnaker-fixed"):
        allowed = "numerics 'spinnaker' or 'spinnaker-fixed' (the board's read-back)"
        raise IRValidationError("compile", "record.weight_readout", "board", allowed)
    check_delays(network, dt)
    if not isinstance(connectivity, str) or connectivity not in CONNECTIVITY:
        raise IRValidationError("compile", "connectivity", connectivity, "one of " + ", ".join(CONNECTIVITY))
    return CompileOptions(
        dt=float(dt), numerics=str(numerics), seed=int(seed), record=record, connectivity=connectivity
    )


def schedule_for(schedule: Schedule | None, duration: float | None) -> Schedule:
    """The schedule to run: the compiled one, or one phase of ``duration`` ms."""
    if schedule is not None:
        if duration is not None:
            raise IRValidationError(
                "run",
                "duration",
                duration,
                "None: the network was compiled with a schedule that fixes the length",
            )
        return schedule
    if duration is None:
        raise IRValidationError("run", "duration", None, "a length in ms (no schedule was compiled)")
    return Schedule.single(duration)


def base_versions() -> dict[str, str]:
    """Versions of spikemem, numpy and Python, and the platform."""
    from .. import __version__

    return {
        "spikemem": __version__,
        "numpy": np.__version__,
        "python": sys.version.split()[0],
        "platform": platform.platform(),
    }


def run_meta(
    backend: str,
    network: Network,
    options: CompileOptions,
    *,
    versions: dict[str, str],
    n_steps: int,
    timings: dict[str, float],
    **extra: Any,
) -> dict[str, Any]:
    """The metadata every backend stores with a Recording (``extra`` adds backend-specific keys).

    ``duration_ms`` is ``n_steps·dt`` (ms); ``ir_hash`` is the network's content hash, so a
    result can be traced back to the exact network that produced it; ``timings`` in s.
    """
    return {
        "backend": backend,
        "versions": versions,
        "dt": options.dt,
        "seed": options.seed,
        "numerics": options.numerics,
        "connectivity": options.connectivity,
        "ir_hash": network.content_hash(),
        "network": network.name,
        "duration_ms": float(n_steps * options.dt),
        "timings": timings,
        **extra,
    }

