"""``spikemem verify`` and the comparison functions behind it."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from spikemem.cli import main
from spikemem.networks import cuba_network
from spikemem.results import SpikeTrains
from spikemem.verify import (
    REFERENCE,
    TOLERANCES,
    Sample,
    Variant,
    VerifyReport,
    VerifyRow,
    compare_statistics,
    format_report,
    isi_statistics,
    ks_statistic,
    tolerance,
    verify,
)

from .variants import VARIANTS

ROOT = Path(__file__).resolve().parents[2]
CHECKS = {check for check, _ in TOLERANCES}


def test_every_check_has_a_default_tolerance():
    assert all((check, "*") in TOLERANCES for check in CHECKS)
    assert tolerance("state", "some-new-backend") == TOLERANCES[("state", "*")]


def test_ks_and_isi_statistics():
    rng = np.random.default_rng(0)
    a, b = rng.exponential(10.0, 5000), rng.exponential(10.0, 5000)
    assert ks_statistic(a, a) == 0.0 and ks_statistic(a, b) < 0.05 and ks_statistic(a, a + 5.0) > 0.2
    regular = SpikeTrains(steps=np.repeat(np.arange(0, 100, 10), 2), ids=np.tile([0, 1], 10), dt=1.0)
    isi, cv = isi_statistics(regular, 2)
    assert np.all(isi == 10.0) and cv == 0.0


def test_ks_from_scipy_gives_the_number_of_the_hand_written_one():
    """scipy's ks_2samp replaced a hand-written statistic; this is what that one gave."""
    rng = np.random.default_rng(7)
    a, b = rng.exponential(10.0, 300), rng.gamma(2.0, 5.0, 200)
    assert ks_statistic(a, b) == pytest.approx(0.1433333333333333, rel=1e-12)


def test_rates_and_isi_cv_equal_elephants_on_the_neo_trains():
    """The vectorised numpy statistics against Elephant's isi / cv / mean_firing_rate, applied
    train by train to the Neo output."""
    pytest.importorskip("elephant", reason="needs Elephant: pip install -e '.[dev]'")
    import warnings

    from elephant import statistics

    from spikemem.results.neo_bridge import population_spiketrains

    rng = np.random.default_rng(7)
    rng.exponential(10.0, 300), rng.gamma(2.0, 5.0, 200)  # the KS test's draws: same data as before
    steps = np.sort(rng.integers(0, 20000, 3000))
    trains = SpikeTrains(steps=steps, ids=rng.integers(0, 40, steps.size), dt=0.1)
    isi, cv = isi_statistics(trains, 40)
    assert isi.size == 2960 and float(isi.sum()) == pytest.approx(78078.1, rel=1e-12)
    assert cv == pytest.approx(1.0112266163197663, rel=1e-12)  # the value before the comparison
    neo_trains = population_spiketrains(trains, 40, 2000.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Elephant 1.2 passes quantities 0.16 a deprecated argument
        intervals = [np.asarray(statistics.isi(t).magnitude) for t in neo_trains]
        rates = [float(statistics.mean_firing_rate(t).rescale("Hz").magnitude) for t in neo_trains]
    cvs = [statistics.cv(x) for x in intervals if x.size >= 2]
    assert np.allclose(np.sort(isi), np.sort(np.concatenate(intervals)), rtol=0, atol=1e-9)
    assert cv == pytest.approx(float(np.mean(cvs)), rel=1e-12)
    assert Sample(trains, 40, 2000.0).rate == pytest.approx(float(np.mean(rates)), rel=1e-12) == 37.5


def test_statistics_of_identical_samples_agree_and_of_shifted_rates_do_not():
    rng = np.random.default_rng(1)

    def sample(rate_hz: float) -> Sample:
        steps = np.sort(rng.integers(0, 10_000, int(rate_hz * 10 * 50)))
        return Sample(SpikeTrains(steps=steps, ids=rng.integers(0, 50, steps.size), dt=1.0), 50, 10_000.0)

    same = [sample(5.0) for _ in range(10)]
    assert compare_statistics(same, same).passed
    assert not compare_statistics(same, [sample(5.5) for _ in range(10)]).passed


def test_verify_reports_agreement_and_a_broken_backend():
    net = cuba_network(n=400, seed=2)
    broken = Variant("broken", "numba", (("numerics", "spinnaker"),))  # another scheme: spikes differ
    cheap = [v for v in VARIANTS if v.label in ("numba", "brian2-numpy")]
    report = verify(net, duration=300.0, seeds=(1, 2, 3), variants=cheap + [broken])
    text = format_report(report)
    rows = {row.label: row for row in report.rows}
    assert rows[REFERENCE.label].passed and not rows["broken"].passed and not report.passed
    assert "spike-exact failed" in rows["broken"].mode and "stats exc" in text
    if "brian2-numpy" in rows:
        assert rows["brian2-numpy"].passed and rows["brian2-numpy"].mode == "spike-exact"
        assert rows["brian2-numpy"].timings["loop_s"] > 0


def test_verify_command(tmp_path):
    labels = {v.label for v in VARIANTS}
    if "brian2-numpy" not in labels:
        pytest.skip("Brian2 is not installed")
    runner = CliRunner()
    args = ["verify", str(ROOT / "examples" / "feedforward.toml"), "--duration", "100", "-b", "brian2-numpy"]
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "brian2-numpy" in result.output and "PASS spike-exact" in result.output
    assert "all backends agree" in result.output
    assert "brian2-numpy: running seed" in result.output  # progress (stderr, mixed in here)
    bad = runner.invoke(main, ["verify", str(ROOT / "examples" / "feedforward.toml"), "-b", "nonexistent"])
    assert bad.exit_code == 2 and "unknown or unavailable backend nonexistent" in bad.output


def test_verify_writes_its_report_and_figure(tmp_path):
    if "brian2-numpy" not in {v.label for v in VARIANTS}:
        pytest.skip("Brian2 is not installed")
    args = ["verify", str(ROOT / "examples" / "feedforward.toml"), "--duration", "100", "-b", "brian2-numpy"]
    result = CliRunner().invoke(main, [*args, "--out", str(tmp_path / "v")])
    assert result.exit_code == 0, result.output
    text = (tmp_path / "v" / "verify.txt").read_text()
    assert "PASS spike-exact" in text and "identical" in text
    png = (tmp_path / "v" / "verify.png").read_bytes()
    assert png.startswith(b"\x89PNG") and len(png) > 10_000


def test_one_seed_reports_no_sem_and_a_skip_is_no_pass():
    rng = np.random.default_rng(3)
    steps = np.sort(rng.integers(0, 10_000, 2000))
    one = [Sample(SpikeTrains(steps=steps, ids=rng.integers(0, 20, steps.size), dt=1.0), 20, 10_000.0)]
    summary = compare_statistics(one, one).summary()
    assert "1 seed, no SEM" in summary and "SEM 0" not in summary and "1 samples" not in summary
    report = VerifyReport("n", 10.0, (1,), [VerifyRow("spinnaker", "skipped", True, ["no board"], {})])
    text = format_report(report)
    assert re.search(r"\n  spinnaker +SKIP \(no board\)\n", text) and "PASS" not in text
    assert "skipped: spinnaker" in text


def test_verify_skips_a_hardware_backend_without_a_machine(monkeypatch, tmp_path):
    """A virtual SpiNNaker board maps but returns no spikes: verify says so instead of failing."""
    pytest.importorskip("spynnaker", reason="needs sPyNNaker: pip install 'spikemem[spinnaker]'")
    from spikemem.verify import hardware_reachable

    monkeypatch.setenv("HOME", str(tmp_path))  # no ~/.spynnaker.cfg
    monkeypatch.setenv("SPIKEMEM_SPINNAKER", "virtual")
    spinnaker = Variant("spinnaker", "spinnaker")
    assert not hardware_reachable(spinnaker) and hardware_reachable(REFERENCE)
    report = verify(cuba_network(n=200, seed=1), duration=50.0, variants=[REFERENCE, spinnaker])
    row = {r.label: r for r in report.rows}["spinnaker"]
    assert row.mode == "skipped" and "no machine configured" in row.details[0]
    monkeypatch.setenv("SPIKEMEM_SPINNAKER", "board:192.0.2.1:5")
    assert hardware_reachable(spinnaker)
