"""``spikemem reproduce hlop-digits``: the CI-sized continual-learning experiment (about 10 s).

5 permuted-digits tasks, 64-128-128-10, 10 epochs per task, fixed seeds: HLOP and HLOP with
spiking lateral neurons must forget at least 10 points less (BWT) than vanilla training.
"""

from __future__ import annotations

import csv
import json

import pytest
from click.testing import CliRunner

from spikemem.reproduce import REPRODUCTIONS, reproduce_command


def test_hlop_digits_reproduction(tmp_path):
    pytest.importorskip("sklearn", reason="scikit-learn is not installed (pip install scikit-learn)")
    assert "hlop-digits" in REPRODUCTIONS and "hlop-pmnist" in REPRODUCTIONS
    result = CliRunner().invoke(reproduce_command, ["hlop-digits", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    for variant in ("vanilla", "hlop", "hlop-spiking"):
        assert f"{variant}: ACC" in result.output
    assert "checks passed" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "accuracy.csv",
        "accuracy.md",
        "accuracy.png",
        "summary.json",
    ]
    summary = json.loads((tmp_path / "summary.json").read_text())
    variants = summary["variants"]
    vanilla, hlop, spiking = (variants[k] for k in ("vanilla", "hlop", "hlop-spiking"))
    assert hlop["bwt"] >= vanilla["bwt"] + 10.0
    assert spiking["bwt"] >= vanilla["bwt"] + 10.0
    assert hlop["acc"] > vanilla["acc"]
    assert summary["ok"] and all(check["ok"] for check in summary["checks"])
    inference = summary["inference"]
    assert (
        inference["identical_spikes"] and inference["identical_predictions"] and inference["samples"] == 359
    )
    rows = list(csv.DictReader((tmp_path / "accuracy.csv").open()))
    assert len(rows) == 3 * 15  # R[i, j] for j <= i, 5 tasks, 3 variants
    assert (tmp_path / "accuracy.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    r = variants["hlop"]["R"]
    assert r[0][1] is None and len(r) == 5


def test_failed_check_exits_with_status_1(tmp_path, monkeypatch):
    pytest.importorskip("sklearn", reason="scikit-learn is not installed (pip install scikit-learn)")
    import dataclasses

    from spikemem.models import hlop
    from spikemem.models.hlop import experiments as hlop_experiments

    tiny = dataclasses.replace(
        hlop_experiments.DIGITS.scaled(
            epochs=1, lateral_sizes=hlop.lateral_schedule((8, 8, 8), (4, 4, 4), 2)
        ),
        n_inference=10,
        targets={"acc": 101.0},  # cannot be met
    )
    monkeypatch.setattr(hlop_experiments, "DIGITS", tiny)
    result = CliRunner().invoke(reproduce_command, ["hlop-digits", "--out", str(tmp_path)])
    assert result.exit_code == 1 and "FAILED" in result.output and "accuracy.md" in result.output
    assert json.loads((tmp_path / "summary.json").read_text())["ok"] is False


def test_feedback_alignment_keeps_the_benefit():
    """With feedback alignment (local updates: presynaptic rate × error through fixed random
    feedback) HLOP still removes most forgetting (4 digit tasks, 5 epochs: BWT about −30 vs −3)."""
    pytest.importorskip("sklearn", reason="scikit-learn is not installed (pip install scikit-learn)")
    from spikemem.models import hlop
    from spikemem.models.hlop.experiments import DIGITS, run_protocol

    protocol = DIGITS.scaled(
        credit="fa", epochs=5, lateral_sizes=hlop.lateral_schedule((20, 40, 40), (6, 12, 12), 4)
    )
    results = run_protocol(protocol, variants=("vanilla", "hlop"))
    assert results["hlop"].bwt >= results["vanilla"].bwt + 10.0
    assert results["hlop"].acc > results["vanilla"].acc + 5.0
    assert all(len(r.model.feedback) == 3 for r in results.values())
