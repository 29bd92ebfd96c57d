"""Raster of a CA3 memory run in the style of the paper: populations stacked, operations marked."""

from __future__ import annotations

from typing import Any

import numpy as np

from .memory import Learn, MemoryRun, Operation, RecallCue
from .network import POPULATIONS

__all__ = ["RASTER_ORDER", "plot_operations", "short_label"]

RASTER_ORDER = ("IN", *POPULATIONS, "OUT")
"""Populations from top to bottom: input, the eight internal populations, output."""


def short_label(op: Operation) -> str:
    """A compact label: ``W3:1,4`` (learn), ``C3`` (recall by cue), ``K1,4`` (recall by content)."""
    if isinstance(op, Learn):
        return f"W{op.cue}:" + ",".join(map(str, sorted(op.content)))
    if isinstance(op, RecallCue):
        return f"C{op.cue}"
    return "K" + ",".join(map(str, sorted(op.bits)))


def plot_operations(run: MemoryRun, *, title: str | None = None, mark_errors: bool = True) -> Any:
    """One panel per population (neuron index vs. time in ms), operation starts marked.

    Parameters
    ----------
    run : MemoryRun
        The result of :meth:`~spikemem.models.ca3.memory.CA3Memory.run`.
    title : str, optional
        Figure title.
    mark_errors : bool
        Draw the label of an operation whose answer was not the ideal one in red.

    Returns
    -------
    matplotlib.figure.Figure
        Not attached to pyplot; save it with ``fig.savefig(path)``.
    """
    from matplotlib.figure import Figure

    rec = run.recording
    n_cues = rec.populations["CueCue"]
    names = [p for p in RASTER_ORDER if p in rec.spikes]
    sizes = [rec.populations[p] for p in names]
    duration = rec.duration_ms or 1.0
    width = float(np.clip(duration / 12.0, 8.0, 30.0))
    figure = Figure(figsize=(width, 1.5 + 0.09 * sum(max(s, 3) for s in sizes)), layout="constrained")
    axes = figure.subplots(
        len(names), 1, sharex=True, gridspec_kw={"height_ratios": [max(s, 3) for s in sizes]}
    )
    for index, (ax, name, size) in enumerate(zip(np.atleast_1d(axes), names, sizes, strict=True)):
        trains = rec.spikes[name]
        ax.plot(
            trains.times_ms, trains.ids, linestyle="none", marker="|", markersize=4, color=f"C{index % 10}"
        )
        ax.set_ylim(-0.7, size - 0.3)
        ax.set_ylabel(name, rotation=0, ha="right", va="center", fontsize=8)
        ax.tick_params(axis="y", labelsize=6)
        ax.set_yticks(range(size) if size <= 6 else [0, size - 1])
        if name in ("IN", "OUT"):  # cue part below, content part above
            ax.axhline(n_cues - 0.5, color="0.5", linewidth=0.6)
        for result in run.results:
            ax.axvline(result.operation.at, color="0.75", linewidth=0.6, linestyle="--", zorder=0)
    top, bottom = np.atleast_1d(axes)[0], np.atleast_1d(axes)[-1]
    for result in run.results:
        color = "red" if mark_errors and not result.correct else "black"
        top.annotate(
            short_label(result.operation),
            (result.operation.at, 1.0),
            xycoords=("data", "axes fraction"),
            xytext=(1, 3),
            textcoords="offset points",
            fontsize=6,
            rotation=90,
            va="bottom",
            color=color,
        )
    bottom.set_xlabel("time (ms)")
    bottom.set_xlim(-1, duration)
    if title:
        figure.suptitle(title)
    return figure
