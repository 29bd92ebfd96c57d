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


def _names(fig) -> list[str]:
    """The population names: the right-hand y axis (the last axes of the figure)."""
    return _tick_labels(fig.axes[-1])


def test_backend_is_agg():
    assert matplotlib.get_backend().lower() == "agg"


def test_raster_labels_every_recorded_population_top_to_bottom(three_populations, tmp_path):
    fig = three_populations.plot_raster()
    assert isinstance(fig, Figure)
    ax, names = fig.axes  # the raster and its twin carrying the population names
    # y ticks go bottom to top: the first population is drawn at the top
    assert _tick_labels(names) == ["inh", "exc", "input"]
    # neuron-index ticks: first and last neuron of each population, top population last
    assert _tick_labels(ax) == ["0", "7", "0", "19", "0", "4"]
    assert ax.get_yticks().tolist() == [0, 7, 8, 27, 28, 32]
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
    assert _names(fig) == ["exc"] and _tick_labels(ax) == ["0", "19"]
    with pytest.raises(KeyError, match="unrecorded"):
        three_populations.plot_raster(populations=["unrecorded"])


def test_raster_marks_phases(recording, tmp_path):
    fig = recording.plot_raster(mark_phases=True)
    ax = fig.axes[0]
    assert {t.get_text().strip() for t in ax.texts} == {"store", "recall"}
    vertical = [line for line in ax.lines if len(set(line.get_xdata())) == 1 and line.get_linestyle() == "--"]
    assert sorted(line.get_xdata()[0] for line in vertical) == pytest.approx([0.0, 100.0])
    assert _names(fig) == ["inh", "exc"]
    unmarked = recording.plot_raster(mark_phases=False)
    assert len(unmarked.axes[0].texts) == 0
    fig.savefig(tmp_path / "phases.png")


def test_large_raster_is_subsampled_with_a_rate_panel(tmp_path):
    """1000 + 250 neurons at max_neurons=250: every 5th neuron, and each population's rate."""
    dt, rng = 0.1, np.random.default_rng(0)
    steps = np.sort(rng.integers(0, 10_000, 20_000))  # 1 s
    exc = SpikeTrains(steps, rng.integers(0, 1000, steps.size), dt)
    inh = SpikeTrains(steps[:5000], np.arange(5000) % 250, dt)
    recording = Recording(
        dt=dt,
        populations={"exc": 1000, "inh": 250},
        spikes={"exc": exc, "inh": inh},
        phases=[],
        meta={"duration_ms": 1000.0},
    )
    fig = recording.plot_raster(max_neurons=250)
    raster, rates, names = fig.axes
    assert _names(fig) == ["inh", "exc"] and "every 5th of 1250" in raster.get_ylabel()
    shown = next(line for line in raster.lines if line.get_marker() == "|")  # exc, drawn first
    assert len(shown.get_xdata()) == int(np.count_nonzero(exc.ids % 5 == 0))
    assert _tick_labels(raster) == [
        "0",
        "50",
        "100",
        "150",
        "200",
        "245",
        "0",
        "200",
        "400",
        "600",
        "800",
        "995",
    ]  # real indices
    assert raster.get_ylim() == pytest.approx((-0.5, 249.5))  # 200 + 50 rows
    # the rate panel: all neurons, Hz; 20 000 spikes of 1000 neurons in 1 s = 20 Hz on average
    (exc_rate, inh_rate) = rates.lines
    assert float(np.mean(exc_rate.get_ydata())) == pytest.approx(20.0, rel=0.02)
    assert float(np.mean(inh_rate.get_ydata())) == pytest.approx(20.0, rel=0.02)
    assert rates.get_ylabel() == "rate (Hz)" and rates.get_xlabel() == "time (ms)"
    fig.savefig(tmp_path / "large.png")
    small = recording.plot_raster(populations=["inh"], max_neurons=250, rate_panel=False)
    assert len(small.axes) == 2 and small.axes[0].get_ylabel() == "neuron index"
    with pytest.raises(ValueError, match="max_neurons"):
        recording.plot_raster(max_neurons=0)


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
