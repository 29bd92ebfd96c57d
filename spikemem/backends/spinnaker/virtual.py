"""Virtual-board mapping of any network (``spikemem reproduce ca3-functional --virtual`` and CI use it)."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

from .mapping import MappingReport

__all__ = ["map_network_virtual"]


def map_network_virtual(
    network: Any,
    schedule: Any = None,
    *,
    duration: float | None = None,
    version: int = 5,
    out: str | Path | None = None,
    **options: Any,
) -> MappingReport:
    """Map ``network`` on a virtual SpiNNaker board and return the report.

    Parameters
    ----------
    network : spikemem.ir.Network
        The network.
    schedule : spikemem.ir.Schedule, optional
        Its schedule (else ``duration``).
    duration : float, optional
        Run length (ms) without a schedule; default 100 ms.
    version : int
        Board version (3 or 5).
    out : path, optional
        Folder for ``mapping.json`` and sPyNNaker's reports (``out/spinnaker``); default: a
        temporary folder, removed afterwards.
    **options
        Further options of :meth:`SpiNNakerBackend.compile` (``time_scale_factor``,
        ``neurons_per_core``...).
    """
    from .engine import SpiNNakerBackend, write_mapping

    run_dir = None
    if out is not None:
        out = Path(out)
        out.mkdir(parents=True, exist_ok=True)
        run_dir = str(out / "spinnaker")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        runnable = SpiNNakerBackend().compile(
            network, schedule, virtual=True, version=version, run_dir=run_dir, **options
        )
        recording = runnable.run(None if schedule is not None else (duration or 100.0))
    report = MappingReport(**recording.meta["mapping"])
    if out is not None:
        write_mapping(report, out / "mapping.json")
    return report
