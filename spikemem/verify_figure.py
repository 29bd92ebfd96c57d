"""The figure of ``spikemem verify``: per-backend rates, ISI distributions and, for the
spike-exact backends, their spikes overlaid on the reference's."""

from __future__ import annotations

from typing import Any

import numpy as np

from .verify import REFERENCE, VerifyReport, isi_statistics

__all__ = ["plot_report"]

RASTER_NEURONS = 40
"""Neurons of the first population shown in the raster overlay."""

RASTER_MS = 200.0
"""Length of the raster overlay's window (ms), from the start of the run."""


def plot_report(report: VerifyReport) -> Any:
    """Plot what :func:`spikemem.verify.verify` found, from the first seed's recordings.

    Parameters
    ----------
    report : VerifyReport
        A report with its recordings (``report.recordings``).

    Returns
    -------
    matplotlib.figure.Figure
        Left: the mean rate (Hz) of every population on every backend that ran. Middle: the
        distribution of inter-spike intervals (ms), pooled over the populations. Right: the
        spikes of the first :data:`RASTER_NEURONS` neurons of the first population during the
        first :data:`RASTER_MS` ms, the reference as grey bars and each spike-exact backend as
        dots on top (a dot off a bar is a disagreement).
    """
    from matplotlib.figure import Figure

    recordings = report.recordings
    if REFERENCE.label not in recordings:
        raise ValueError("plot_report needs the report's recordings (report.recordings is empty)")
    reference = recordings[REFERENCE.label]
    labels = list(recordings)
    populations = [p for p in reference.populations if p in reference.spikes]
    figure = Figure(figsize=(13.0, 4.2), layout="constrained")
    rates_ax, isi_ax, raster_ax = figure.subplots(1, 3, width_ratios=(1.0, 1.0, 1.3))
    figure.suptitle(f"spikemem verify: {report.network!r}, {report.duration_ms:g} ms, seed {report.seeds[0]}")

    width = 0.8 / max(len(labels), 1)
    for k, label in enumerate(labels):
        rec = recordings[label]
        rates = [rec.mean_rate(p) if p in rec.spikes else np.nan for p in populations]
        rates_ax.bar(
            np.arange(len(populations)) + (k - (len(labels) - 1) / 2) * width, rates, width, label=label
        )
    rates_ax.set_xticks(np.arange(len(populations)), labels=populations, rotation=30, ha="right")
    rates_ax.set_ylabel("mean rate (Hz)")
    rates_ax.set_title("rates")
    top = max(
        (patch.get_height() for patch in rates_ax.patches if np.isfinite(patch.get_height())), default=0.0
    )
    rates_ax.set_ylim(0.0, 1.45 * top or 1.0)  # room for the legend above the bars
    rates_ax.legend(fontsize="small", loc="upper right")

    isis = {
        label: np.concatenate(
            [isi_statistics(rec.spikes[p], rec.populations[p])[0] for p in populations if p in rec.spikes]
            or [np.zeros(0)]
        )
        for label, rec in recordings.items()
    }
    pooled = np.concatenate(list(isis.values()))
    if pooled.size:
        bins = np.linspace(0.0, float(np.quantile(pooled, 0.99)) or 1.0, 40)
        for label, values in isis.items():
            isi_ax.hist(values, bins=bins, density=True, histtype="step", label=label)
        isi_ax.legend(fontsize="small")
    else:
        isi_ax.text(0.5, 0.5, "no inter-spike intervals", ha="center", transform=isi_ax.transAxes)
    isi_ax.set_xlabel("inter-spike interval (ms)")
    isi_ax.set_ylabel("density (1/ms)")
    isi_ax.set_title("ISI distributions")

    exact = [row.label for row in report.rows if row.mode.startswith("spike-exact")]
    name = populations[0] if populations else None
    if name is not None:
        for k, label in enumerate([REFERENCE.label, *exact]):
            trains = recordings[label].spikes.get(name)
            if trains is None:
                continue
            keep = (trains.ids < RASTER_NEURONS) & (trains.times_ms < RASTER_MS)
            style = {"marker": "|", "markersize": 7} if k == 0 else {"marker": ".", "markersize": 3}
            style["color"] = "0.6" if k == 0 else f"C{labels.index(label)}"
            raster_ax.plot(trains.times_ms[keep], trains.ids[keep], linestyle="none", label=label, **style)
        raster_ax.set_ylim(-0.5, min(RASTER_NEURONS, reference.populations[name]) - 0.5)
        raster_ax.legend(fontsize="small", loc="upper right")
    raster_ax.set_xlim(0.0, min(RASTER_MS, report.duration_ms or RASTER_MS))
    raster_ax.set_xlabel("time (ms)")
    raster_ax.set_ylabel(f"{name} neuron index" if name else "neuron index")
    raster_ax.set_title("spikes: reference (bars), spike-exact backends (dots)")
    return figure
