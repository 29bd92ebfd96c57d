"""``spikemem reproduce ca3-*``: the registry, the files it writes and the click command."""

from __future__ import annotations

import csv
import dataclasses
import json

import pytest
from click.testing import CliRunner

from spikemem import ir
from spikemem.reproduce import REPRODUCTIONS, Check, reproduce, reproduce_command
from spikemem.reproduce.writers import write_text_atomic
from spikemem.results import Recording


@pytest.mark.parametrize(
    ("name", "operations"), [("ca3-functional", 9), ("ca3-stress", 60), ("ca3-statemap", 20)]
)
def test_reproduction_writes_recording_raster_and_tables(tmp_path, name, operations):
    result = REPRODUCTIONS[name]("numba", tmp_path)
    assert result.ok and result.numbers["correct"] == result.numbers["operations"] == operations
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "operations.csv",
        "operations.md",
        "raster.png",
        "recording.h5",
        "summary.json",
    ]
    recording = Recording.load(tmp_path / "recording.h5")
    assert {"IN", "CueCue", "OUT"} <= set(recording.spikes) and recording.dt == 1.0
    rows = list(csv.DictReader((tmp_path / "operations.csv").open()))
    assert len(rows) == operations and all(r["correct"] == "True" for r in rows)
    assert (tmp_path / "raster.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["ok"] and summary["correct"] == operations
    if name == "ca3-functional":
        spikes = (result.numbers[key] for key in ("spikes_matched", "spikes_expected", "spikes_extra"))
        assert tuple(spikes) == (322, 322, 0)
        assert len(result.checks) == operations + 1 and result.checks[-1].obtained == 322
        assert summary["hardware"]["CA3contCond"] == {"expected": 34, "obtained": 34, "matched": 34}


def test_click_command(tmp_path):
    runner = CliRunner()
    ok = runner.invoke(reproduce_command, ["ca3-functional", "--out", str(tmp_path / "f")])
    assert ok.exit_code == 0, ok.output
    assert "9/9 operations" in ok.output and "322 of 322 spikes matched" in ok.output
    unknown = runner.invoke(reproduce_command, ["ca3-nothing"])
    assert unknown.exit_code == 2 and "ca3-functional" in unknown.output
    missing = runner.invoke(
        reproduce_command, ["ca3-statemap", "--backend", "nope", "--out", str(tmp_path / "s")]
    )
    assert missing.exit_code == 1 and "nope" in missing.output


def test_reproduce_by_name_and_errors(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = reproduce("ca3-statemap")
    assert result.ok and (tmp_path / "out" / "ca3-statemap" / "summary.json").is_file()
    with pytest.raises(ir.IRValidationError, match="ca3-functional"):
        reproduce("ca3-unknown")


def test_atomic_text_write_leaves_no_temporary_files(tmp_path):
    target = tmp_path / "table.csv"
    write_text_atomic(target, "a,b\n")
    write_text_atomic(target, "c,d\n")
    assert target.read_text() == "c,d\n"
    assert [p.name for p in tmp_path.iterdir()] == ["table.csv"]


def test_click_command_fails_when_the_result_differs(tmp_path, monkeypatch):
    from spikemem.reproduce import ca3

    def wrong(backend, out, full=False):
        good = ca3.reproduce_ca3_statemap(backend, out)
        return dataclasses.replace(good, checks=(*good.checks, Check("an answer", 1, 2, False)))

    entry = dataclasses.replace(REPRODUCTIONS["ca3-statemap"], run=wrong)
    monkeypatch.setitem(REPRODUCTIONS, "ca3-statemap", entry)
    failed = CliRunner().invoke(reproduce_command, ["ca3-statemap", "--out", str(tmp_path)])
    assert failed.exit_code == 1 and "differs from the reference" in failed.output


def test_cli_lists_every_sdr_figure():
    from spikemem.sdr.figures import FIGURES

    assert {name for name, entry in REPRODUCTIONS.items() if not entry.simulated} == set(FIGURES)


def test_cli_reproduces_an_sdr_figure(tmp_path):
    from click.testing import CliRunner

    from spikemem.cli import main

    result = CliRunner().invoke(main, ["reproduce", "sdr-fig7a", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "sdr-fig7a.png").stat().st_size > 1000
    assert (tmp_path / "sdr-fig7a.csv").read_text().count("\n") > 2
    refused = CliRunner().invoke(main, ["reproduce", "ca3-functional", "--full", "--out", str(tmp_path)])
    assert refused.exit_code != 0 and "--full" in refused.output
