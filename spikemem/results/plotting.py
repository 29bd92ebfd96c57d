"""Matplotlib plots of a :class:`~spikemem.results.Recording` (no pyplot state is touched).

Figures are created with :class:`matplotlib.figure.Figure` directly, so nothing is shown and no
global figure list grows; save them with ``fig.savefig(path)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib.ticker import MaxNLocator

from .traces import STATE_UNITS

__all__ = ["MAX_RASTER_NEURONS", "MAX_RASTER_SPIKES", "plot_raster", "plot_state"]

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


MAX_RASTER_NEURONS = 300
"""Rows a raster shows by default; larger populations are subsampled (every k-th neuron)."""

MAX_RASTER_SPIKES = 50_000
"""Above this many spikes (or when subsampled) a raster gets a population-rate panel."""


def plot_raster(
    recording: Any,
    populations: str | Sequence[str] | None = None,
    ax: Any = None,
    mark_phases: bool = True,
    max_neurons: int = MAX_RASTER_NEURONS,
    rate_panel: bool | None = None,
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
    max_neurons : int
        Most rows to draw, >= 1. With more neurons every k-th neuron of every population is
        shown (the same k for all, ``k = ceil(neurons / max_neurons)``), and the y label says so.
    rate_panel : bool or None
        Add a panel below with each population's rate (Hz, all its neurons, in about 200 time
        bins). ``None``: when the raster is subsampled or has more than
        :data:`MAX_RASTER_SPIKES` spikes. Only with a new Figure (``ax`` omitted).

    Returns
    -------
    matplotlib.figure.Figure
        The figure; the left y ticks are neuron indices within each population, the right ones
        the population names, the x axis is time (ms).
    """
    if not (isinstance(max_neurons, (int, np.integer)) and max_neurons >= 1):
        raise ValueError(f"plot_raster: max_neurons must be an integer >= 1, got {max_neurons!r}")
    names = _select(recording, populations)
    sizes = [recording.populations[name] for name in names]
    stride = max(1, -(-int(sum(sizes)) // int(max_neurons)))
    rows = [-(-size // stride) for size in sizes]  # neurons shown per population
    spikes = sum(len(recording.spikes[name]) for name in names)
    if rate_panel is None:
        rate_panel = stride > 1 or spikes > MAX_RASTER_SPIKES
    rate_ax = None
    if ax is None and rate_panel:
        from matplotlib.figure import Figure

        figure = Figure(figsize=(8.0, 5.5), layout="constrained")
        ax, rate_ax = figure.subplots(2, 1, sharex=True, height_ratios=(3, 1))
    else:
        figure, ax = _new_axes(ax)
    total = int(sum(rows))
    marker = float(np.clip(200.0 / max(total, 1), 0.5, _MAX_MARKER_SIZE))
    offset = total
    centres, ticks, tick_labels = [], [], []
    colors = [f"C{i % 10}" for i in range(len(names))]
    for name, shown, color in zip(names, rows, colors, strict=True):
        offset -= shown
        trains = recording.spikes[name]
        keep = trains.ids % stride == 0
        ax.plot(
            trains.times_ms[keep],
            offset + trains.ids[keep] // stride,
            linestyle="none",
            marker="|",
            markersize=marker,
            color=color,
            rasterized=int(np.count_nonzero(keep)) > 10_000,
        )
        centres.append(offset + (shown - 1) / 2.0)
        last = (shown - 1) * stride
        inner = MaxNLocator(nbins=5, integer=True).tick_values(0, last) if shown >= 50 else []
        inner = [stride * round(v / stride) for v in inner if 0 < v < last - 0.1 * last]
        for index in dict.fromkeys((0, *inner, last)):  # first, some, last neuron shown
            ticks.append(offset + index // stride)
            tick_labels.append(str(index))
        if offset > 0:
            ax.axhline(offset - 0.5, color="0.5", linewidth=0.8)
    order = np.argsort(ticks, kind="stable")  # ticks bottom to top
    ax.set_yticks(np.asarray(ticks)[order], labels=[tick_labels[k] for k in order], fontsize="small")
    ax.set_ylim(-0.5, max(total, 1) - 0.5)
    names_ax = ax.twinx()
    names_ax.set_ylim(ax.get_ylim())
    names_ax.set_yticks(centres[::-1], labels=names[::-1])  # ticks bottom to top
    ax.set_ylabel("neuron index" + (f" (every {stride}th of {int(sum(sizes))} shown)" if stride > 1 else ""))
    end = recording.duration_ms
    if end is not None:
        ax.set_xlim(0.0, end)
    if mark_phases:
        _mark_phases(ax, recording)
    if rate_ax is not None:
        _plot_rates(rate_ax, recording, names, colors, end)
        rate_ax.set_xlabel("time (ms)")
    else:
        ax.set_xlabel("time (ms)")
    return figure


def _plot_rates(ax: Any, recording: Any, names: list[str], colors: list[str], end: float | None) -> None:
    """Each population's rate (Hz) in about 200 bins of whole steps."""
    last = max(
        (float(recording.spikes[n].times_ms.max()) for n in names if len(recording.spikes[n])), default=0.0
    )
    length = end if end is not None else last + recording.dt
    steps = max(1, int(round(length / recording.dt / 200)))
    width = steps * recording.dt
    edges = np.arange(0.0, length + width, width)
    for name, color in zip(names, colors, strict=True):
        counts, _ = np.histogram(recording.spikes[name].times_ms, bins=edges)
        rate = counts / max(recording.populations[name], 1) / (width / 1000.0)
        ax.step(edges[:-1], rate, where="post", color=color, linewidth=0.9, label=name)
    ax.set_ylabel("rate (Hz)")
    ax.legend(fontsize="x-small", loc="upper right")


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
