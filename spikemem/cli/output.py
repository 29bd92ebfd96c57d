"""Reading a run configuration and writing a run's results, as every command does."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ..atomicio import save_figure_atomic
from ..config import RunConfig, load_config
from ..ir import IRValidationError
from ..results.summary import run_summary_lines

__all__ = ["echo_run_summary", "load_settings", "write_raster"]


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
