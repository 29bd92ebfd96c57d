"""Reading a run configuration and writing a run's results, as every command does."""

from __future__ import annotations

import math
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from ..atomicio import remove_stale_temp_files, save_figure_atomic
from ..config import RunConfig, load_config
from ..ir import IRValidationError
from ..ir.memory import expected_synapses
from ..results.summary import run_summary_lines

__all__ = [
    "echo_run_summary",
    "expected_output_bytes",
    "load_settings",
    "prepare_output_folder",
    "write_raster",
]

MARGIN_BYTES = 16 * 2**20
"""Free space wanted beyond the expected size of the results (metadata, figure, HDF5 overhead)."""


def load_settings(config: Path, duration: float | None = None) -> RunConfig:
    """The run configuration in ``config``, or a one-line click error.

    Parameters
    ----------
    config : Path
        A TOML run configuration.
    duration : float, optional
        A ``--duration`` override (ms), refused when the file has ``[[phase]]`` tables.

    Raises
    ------
    click.ClickException
        For an invalid configuration (exit status 1).
    click.UsageError
        For ``duration`` with a phased schedule (exit status 2).
    """
    try:
        settings = load_config(config)
    except IRValidationError as error:
        raise click.ClickException(str(error)) from error
    if duration is not None and settings.schedule is not None:
        raise click.UsageError(f"{config} has [[phase]] tables; their durations fix the run length")
    return settings


def expected_output_bytes(settings: RunConfig, duration: float | None) -> int:
    """Bytes the sampled state and the weight snapshots of a run will take in ``recording.h5``
    (spikes are not known in advance; :data:`MARGIN_BYTES` covers a typical count)."""
    network, record = settings.network, settings.record
    dt = network.dt
    if settings.schedule is not None:
        phases = settings.schedule.phases
        length = sum(p.duration for p in phases)
    else:
        phases, length = (None,), duration or settings.duration
    steps = math.ceil(length / dt) if length else 0
    sizes = {p.name: p.size for p in network.populations}
    total = 0.0
    for name, variables in record.state.items():
        total += math.ceil(steps / record.state_every) * sizes.get(name, 0) * (len(variables) * 8 + 8)
    if record.weights:
        for proj in network.projections:
            if proj.plasticity is not None:
                total += 8 * len(phases) * expected_synapses(proj.connector, proj.pre.size, proj.post.size)
    return int(total)


def prepare_output_folder(
    out: Path, outputs: Sequence[str], *, overwrite: bool, needed_bytes: int = 0
) -> None:
    """Check, before any simulation, that the results can be written to ``out``.

    ``out`` is created if missing (parents too), a probe file is written and removed in it,
    its free space is compared with ``needed_bytes`` + :data:`MARGIN_BYTES`, and temporary
    files of earlier crashed runs are removed (and reported on stderr).

    Parameters
    ----------
    out : Path
        The ``--out`` folder.
    outputs : sequence of str
        File names the command will write into ``out`` (e.g. ``recording.h5``).
    overwrite : bool
        Whether existing ``outputs`` may be replaced (``--overwrite``).
    needed_bytes : int
        Expected size of the results (bytes).

    Raises
    ------
    click.ClickException
        Naming ``out`` and the problem: under a file, not creatable, not writable, an earlier
        result in the way, not enough free space.
    """
    for parent in (out, *out.parents):
        if parent.exists() or parent.is_symlink():
            if not parent.is_dir():
                where = "is a file" if parent == out else f"lies under the file {parent}"
                raise click.ClickException(f"--out {out}: {where}; choose a folder")
            break
    try:
        out.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=out, prefix=".spikemem-write-probe-"):
            pass
    except OSError as error:
        raise click.ClickException(
            f"--out {out}: cannot write there ({error.strerror or error}); nothing was simulated"
        ) from None
    existing = [name for name in outputs if (out / name).exists()]
    if existing and not overwrite:
        raise click.ClickException(
            f"--out {out} already holds {', '.join(existing)} of an earlier run; "
            "pass --overwrite to replace it, or choose another --out"
        )
    free = shutil.disk_usage(out).free
    if free < needed_bytes + MARGIN_BYTES:
        raise click.ClickException(
            f"--out {out}: {free / 2**20:.0f} MiB free, the results need about "
            f"{(needed_bytes + MARGIN_BYTES) / 2**20:.0f} MiB; nothing was simulated"
        )
    removed = remove_stale_temp_files(out)
    if removed:
        click.echo(
            f"removed {len(removed)} temporary file(s) of an earlier interrupted run in {out}: "
            + ", ".join(p.name for p in removed),
            err=True,
        )


def write_raster(recording: Any, path: Path) -> None:
    """Draw ``recording``'s spike raster off-screen and save it as PNG at ``path`` (atomically)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure = recording.plot_raster()
    try:
        save_figure_atomic(figure, path)
    finally:
        plt.close(figure)


def echo_run_summary(title: str, duration: float, recording: Any, wall: float) -> None:
    """Print spikes and mean rate per recorded population of a ``duration`` ms run, and the
    ``wall`` time (s)."""
    for line in run_summary_lines(title, duration, recording, wall):
        click.echo(line)
