"""Figure data, the corrections to the original plots, and the reproduction entry points."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest

from spikemem import sdr
from spikemem.reproduce import REPRODUCTIONS, reproduce
from spikemem.sdr import figures


def test_fig5a_dense_series_is_n_over_4_and_aligned():
    result = figures.fig5a_data()
    dense = result.column("p", series="a=n/4")
    assert f"{dense[0]:.2e}" == "5.19e-03" and f"{dense[-1]:.2e}" == "7.17e-03"
    assert result.column("a", series="a=n/4").tolist() == (result.column("n", series="a=n/4") // 4).tolist()
    half = result.column("p", series="a=n/2")
    assert np.all(half > 0.5) and np.ptp(np.log10(half)) < 0.1  # a true a = n/2 is also flat, near 0.58
    figure = figures.plot_fig5a(result)
    lines = {line.get_label(): line for line in figure.axes[0].get_lines()}
    for label, line in lines.items():
        series = {"a = 64": "a=64", "a = 128": "a=128", "a = 256": "a=256"}.get(label)
        if label.startswith("a = n/4"):
            series = "a=n/4"
        if series:  # every series at its own n (the original shifted three of them by +200)
            assert np.array_equal(line.get_xdata(), result.column("n", series=series))
    assert any("n/4" in label and "n/2" in label for label in lines)  # the mislabel is named


def test_fig4b_noise_grid():
    assert figures.fig4b_noise_grid() == [6, 13, 19, 26, 32, 38, 45, 51, 58, 64, 70, 77, 83, 90, 96, 102]


def test_fig6_grid_and_medians():
    result = figures.fig6_data()
    assert all(r["grid_points"] == 420 for r in result.rows)
    assert [r["theta"] for r in result.rows] == list(range(3, 25))
    medians = result.column("median")
    assert np.all(np.diff(medians) < 0)
    assert result.column("zeros", theta=21)[0] == 60  # s = 20 for every n and a
    n = np.array(figures.FIG6_N)
    assert n[-1] == 190_000 and n.size == 10
    assert 1e-9 < medians[6] < 3e-9 and medians[7] < 1e-10  # theta = 9 and 10


def test_fig7_data():
    a = figures.fig7a_data()
    np.testing.assert_allclose(
        [a.column("expected_size", s=s, M=19)[0] for s in (20, 25, 30)], [318.8, 381.9, 439.4], atol=0.05
    )
    np.testing.assert_allclose(a.column("exact_mean"), a.column("expected_size"), rtol=1e-12)
    b = figures.fig7b_data()
    p = b.column("p_mean_field", n=1000)
    assert p.max() == 1.0 and np.all(p[p < 1.0] < 1 - 1e-10)  # clipped at 1 - 1e-10
    assert b.column("p_mean_field", n=10_000, M=10)[0] == pytest.approx(1.271e-4, rel=5e-4)


def test_small_monte_carlo_figures_agree_with_theory():
    result = figures.fig4a_data(comparisons=2 * 10**5, rare_trials=100, n_values=(300, 500, 1900, 3900))
    for row in result.rows:
        if row["hits"] > 0:
            low, high = sdr.clopper_pearson(row["hits"], row["trials"], 0.999)
            assert low <= row["p_exact"] <= high
        if np.isfinite(row["rare_log10"]):
            assert row["rare_log10"] == pytest.approx(row["log10_p_exact"], abs=1e-12)
    b = figures.fig4b_data(trials=2 * 10**4, rare_trials=100)
    assert len(b.rows) == 48
    assert all(r["hits"] == 0 for r in b.rows if r["v"] <= r["s"] - r["theta"])


FIGURE_NAMES = sorted(name for name, entry in REPRODUCTIONS.items() if not entry.simulated)


@pytest.mark.parametrize("name", FIGURE_NAMES)
def test_reproductions_write_png_csv_json(name, tmp_path):
    result = reproduce(name, out=tmp_path)
    png = result.files["figure"]
    assert result.ok and result.summary() == f"{name}: wrote {png} and its .csv/.json data"
    assert png == tmp_path / f"{name}.png" and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with open(tmp_path / f"{name}.csv", newline="") as stream:
        rows = list(csv.DictReader(stream))
    meta = json.loads((tmp_path / f"{name}.json").read_text())
    assert rows and len(rows) == len(meta["rows"]) and meta["name"] == name and meta["full"] is False
    assert all("np." not in value for row in rows for value in row.values())
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        f"{name}.{ext}" for ext in ("csv", "json", "png")
    )


def test_reproduction_names():
    assert FIGURE_NAMES == sorted(
        ["sdr-fig4a", "sdr-fig4b", "sdr-fig5a", "sdr-fig5b", "sdr-fig6", "sdr-fig7a", "sdr-fig7b"]
    )
