"""Phases of a schedule on the step grid (numpy only)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from ..ir.errors import IRValidationError
from ..ir.schedule import Schedule

if TYPE_CHECKING:
    from ..results import PhaseInfo

__all__ = ["phase_infos", "phase_steps"]


def phase_steps(schedule: Schedule, dt: float) -> np.ndarray:
    """Start step of every phase, plus the total number of steps at the end."""
    lengths = [int(math.floor(p.duration / dt + 0.5 + 1e-9)) for p in schedule.phases]
    for phase, length in zip(schedule.phases, lengths, strict=True):
        if length < 1:
            raise IRValidationError(f"Phase {phase.name!r}", "duration", phase.duration, f">= dt = {dt} ms")
    return np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)


def phase_infos(schedule: Schedule, starts: np.ndarray) -> list[PhaseInfo]:
    """A :class:`~spikemem.results.PhaseInfo` per phase of ``schedule``, from the start steps
    (and total) that :func:`phase_steps` returns."""
    from ..results import PhaseInfo

    return [
        PhaseInfo(name=p.name, start_step=int(starts[k]), stop_step=int(starts[k + 1]))
        for k, p in enumerate(schedule.phases)
    ]
