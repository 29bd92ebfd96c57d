"""Matplotlib plots of a :class:`~spikemem.results.Recording` (no pyplot state is touched).

Figures are created with :class:`matplotlib.figure.Figure` directly, so nothing is shown and no
global figure list grows; save them with ``fig.savefig(path)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .traces import STATE_UNITS

__all__ = ["plot_raster", "plot_state"]

_MAX_MARKER_SIZE = 4.0


def _new_axes(ax: Any) -> tuple[Any, Any]:
    if ax is not None:
        return ax.figure, ax
    from matplotlib.figure import Figure

    figure = Figure(figsize=(8.0, 4.5), layout="constrained")
    return figure, figure.add_subplot()


def _select(recording: Any, populations: str | Sequence[str] | None) -> list[str]:
    if populations is None:
        return [name for name in recording.populations if name in recording.spikes]
    names = [populations] if isinstance(populations, str) else list(populations)
    for name in names:
        if name not in recording.spikes:
            recorded = ", ".join(recording.spikes) or "none"
            raise KeyError(f"no recorded spikes for population {name!r}; recorded: {recorded}")
    return names


def plot_raster(
    recording: Any,
    populations: str | Sequence[str] | None = None,
    ax: Any = None,
    mark_phases: bool = True,
) -> Any:
    """Raster plot: one row per neuron, populations stacked from top to bottom.

    Parameters
    ----------
    recording : spikemem.results.Recording
        The recording to plot.
    populations : str or sequence of str, optional
        Populations to show, top first; default every recorded population in network order.
    ax : matplotlib Axes, optional
        Axes to draw into; a new Figure is made when omitted.
    mark_phases : bool
        Draw a dashed vertical line at the start of every phase, labelled with its name.

    Returns
    -------
    matplotlib.figure.Figure
        The figure; the y tick labels are the population names, the x axis is time (ms).
    """
    figure, ax = _new_axes(ax)
    names = _select(recording, populations)
    sizes = [recording.populations[name] for name in names]
    total = int(sum(sizes))
    marker = float(np.clip(200.0 / max(total, 1), 0.5, _MAX_MARKER_SIZE))
    offset = total
    centres = []
    colors = [f"C{i % 10}" for i in range(len(names))]
    for name, size, color in zip(names, sizes, colors, strict=True):
        offset -= size
        trains = recording.spikes[name]
        ax.plot(
            trains.times_ms,
            offset + trains.ids,
            linestyle="none",
            marker="|",
            markersize=marker,
            color=color,
            rasterized=len(trains) > 10_000,
        )
        centres.append(offset + (size - 1) / 2.0)
        if offset > 0:
            ax.axhline(offset - 0.5, color="0.5", linewidth=0.8)
    ax.set_yticks(centres[::-1], labels=names[::-1])  # ticks bottom to top
    ax.set_ylim(-0.5, max(total, 1) - 0.5)
    ax.set_xlabel("time (ms)")
    ax.set_ylabel("population (neuron index)")
    end = recording.duration_ms
    if end is not None:
        ax.set_xlim(0.0, end)
    if mark_phases:
        _mark_phases(ax, recording)
    return figure


def _mark_phases(ax: Any, recording: Any) -> None:
    transform = ax.get_xaxis_transform()  # x in data units, y in axes fraction
    for phase in recording.phases:
        start = phase.start_step * recording.dt
        ax.axvline(start, color="k", linestyle="--", linewidth=0.8, alpha=0.6)
        ax.text(
            start,
            1.0,
            f" {phase.name}",
            transform=transform,
            rotation=90,
            va="bottom",
            ha="left",
            fontsize="x-small",
            clip_on=False,
        )


def plot_state(recording: Any, population: str, variable: str, ax: Any = None) -> Any:
    """Plot one recorded state variable against time, one line per recorded neuron.

    Parameters
    ----------
    recording : spikemem.results.Recording
        The recording.
    population : str
        Population name (must have a state recording).
    variable : str
        Variable name, e.g. ``"v"`` (mV), ``"isyn_exc"`` or ``"isyn_inh"`` (nA).
    ax : matplotlib Axes, optional
        Axes to draw into; a new Figure is made when omitted.

    Returns
    -------
    matplotlib.figure.Figure
    """
    if population not in recording.state:
        recorded = ", ".join(recording.state) or "none"
        raise KeyError(f"no state recorded for population {population!r}; recorded: {recorded}")
    trace = recording.state[population]
    if variable not in trace.values:
        recorded = ", ".join(trace.values) or "none"
        raise KeyError(f"variable {variable!r} not recorded for {population!r}; recorded: {recorded}")
    figure, ax = _new_axes(ax)
    lines = ax.plot(trace.times_ms, trace.values[variable], linewidth=0.8)
    for line, index in zip(lines, trace.ids, strict=True):
        line.set_label(f"{population}[{index}]")
    if 0 < len(lines) <= 10:
        ax.legend(fontsize="small")
    unit = STATE_UNITS.get(variable)
    ax.set_xlabel("time (ms)")
    ax.set_ylabel(f"{variable} ({unit})" if unit else variable)
    ax.set_title(f"{population}: {variable}")
    return figure
