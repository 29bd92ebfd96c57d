"""A plain-text summary of one run: spikes and mean rate per population, and the wall times."""

from __future__ import annotations

from typing import Any

from ..tables import text_table


def run_summary_lines(title: str, duration: float, recording: Any, wall: float) -> list[str]:
    """Lines describing ``recording`` of a run of ``duration`` ms that took ``wall`` s in all.

    Parameters
    ----------
    title : str
        What ran, e.g. ``"'cuba' on numba, seed 1"``.
    duration : float
        Simulated time (ms), for the mean rates (Hz).
    recording : Recording
        The run's recording; its ``meta["timings"]`` (s) are listed after the wall time.
    wall : float
        Wall-clock time of compile and run together (s).
    """
    rows = []
    for name in recording.spikes:
        size, count = recording.populations[name], recording.spike_count(name)
        rows.append([name, size, count, f"{count / size / (duration / 1000.0):.2f}"])
    lines = [f"network {title}, {duration:g} ms simulated"]
    lines += text_table(["population", "size", "spikes", "rate (Hz)"], rows)
    timings = recording.meta.get("timings", {})
    parts = [f"{key.removesuffix('_s')} {value:.3g} s" for key, value in timings.items()]
    lines.append(f"  wall: {wall:.3g} s in all" + (f" ({', '.join(parts)})" if parts else ""))
    return lines
