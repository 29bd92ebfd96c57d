"""Raster and state plots (matplotlib, Agg backend)."""

from __future__ import annotations

import matplotlib
import numpy as np
import pytest
from matplotlib.figure import Figure

from spikemem.results import Recording, SpikeTrains


@pytest.fixture
def three_populations() -> Recording:
    dt = 0.1
    return Recording(
        dt=dt,
        populations={"input": 5, "exc": 20, "inh": 8, "unrecorded": 4},
        spikes={
            "input": SpikeTrains([0, 10, 20], [0, 1, 4], dt),
            "exc": SpikeTrains([15, 30, 30, 45], [3, 0, 19, 7], dt),
            "inh": SpikeTrains.empty(dt),
        },
        phases=[],
        meta={"duration_ms": 10.0},
    )


def _tick_labels(ax) -> list[str]:
    return [label.get_text() for label in ax.get_yticklabels()]


def test_backend_is_agg():
    assert matplotlib.get_backend().lower() == "agg"


def test_raster_labels_every_recorded_population_top_to_bottom(three_populations, tmp_path):
    fig = three_populations.plot_raster()
    assert isinstance(fig, Figure)
    (ax,) = fig.axes
    # y ticks go bottom to top: the first population is drawn at the top
    assert _tick_labels(ax) == ["inh", "exc", "input"]
    assert ax.get_xlabel() == "time (ms)"
    assert ax.get_xlim() == pytest.approx((0.0, 10.0))
    # one separator between neighbouring populations
    separators = [
        line for line in ax.lines if len(set(line.get_ydata())) == 1 and line.get_linestyle() == "-"
    ]
    assert len(separators) == 2
    # spikes land on the right rows: input (5 neurons) occupies the top rows 28..32
    rows = {tuple(np.round(line.get_ydata(), 3)) for line in ax.lines if line.get_marker() == "|"}
    assert (28 + 0, 28 + 1, 28 + 4) in rows
    path = tmp_path / "raster.png"
    fig.savefig(path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 1000


def test_raster_subset_and_given_axes(three_populations, tmp_path):
    fig = Figure()
    ax = fig.add_subplot()
    returned = three_populations.plot_raster(populations=["exc"], ax=ax)
    assert returned is fig
    assert _tick_labels(ax) == ["exc"]
    with pytest.raises(KeyError, match="unrecorded"):
        three_populations.plot_raster(populations=["unrecorded"])


def test_raster_marks_phases(recording, tmp_path):
    fig = recording.plot_raster(mark_phases=True)
    ax = fig.axes[0]
    assert {t.get_text().strip() for t in ax.texts} == {"store", "recall"}
    vertical = [line for line in ax.lines if len(set(line.get_xdata())) == 1 and line.get_linestyle() == "--"]
    assert sorted(line.get_xdata()[0] for line in vertical) == pytest.approx([0.0, 100.0])
    assert _tick_labels(ax) == ["inh", "exc"]
    unmarked = recording.plot_raster(mark_phases=False)
    assert len(unmarked.axes[0].texts) == 0
    fig.savefig(tmp_path / "phases.png")


def test_plot_state(recording, tmp_path):
    fig = recording.plot_state("exc", "v")
    ax = fig.axes[0]
    assert len(ax.lines) == 3
    assert ax.get_ylabel() == "v (mV)"
    np.testing.assert_allclose(ax.lines[1].get_xdata(), recording.state["exc"].times_ms)
    np.testing.assert_array_equal(ax.lines[2].get_ydata(), recording.state["exc"].values["v"][:, 2])
    assert [line.get_label() for line in ax.lines] == ["exc[0]", "exc[7]", "exc[39]"]
    fig.savefig(tmp_path / "state.png")
    assert recording.plot_state("exc", "isyn_inh").axes[0].get_ylabel() == "isyn_inh (nA)"
    with pytest.raises(KeyError, match="isyn_x"):
        recording.plot_state("exc", "isyn_x")
    with pytest.raises(KeyError, match="inh"):
        recording.plot_state("inh", "v")
