"""Tests for the ``spikemem`` command line (click's CliRunner, in process)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import matplotlib
import pytest
from click.testing import CliRunner

import spikemem
from spikemem.backends.base import Capability
from spikemem.cli import main
from spikemem.results import Recording

matplotlib.use("Agg")

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
FF = str(EXAMPLES / "feedforward.toml")


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_version(runner):
    result = runner.invoke(main, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"spikemem, version {spikemem.__version__}"


def test_help_lists_commands(runner):
    result = runner.invoke(main, ["--help"])
    assert result.exit_code == 0
    assert "run" in result.output and "backends" in result.output


def test_backends_lists_numba_with_capabilities(runner):
    result = runner.invoke(main, ["backends"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert any(line.split()[:2] == ["numba", "available"] for line in lines)
    for capability in spikemem.get_backend("numba").capabilities:
        assert capability.value in " ".join(result.output.split())
    assert Capability.SCHEDULE.value in result.output


def test_backends_shows_why_one_does_not_import(runner, monkeypatch):
    import spikemem.cli.backends as backends_command_module

    monkeypatch.setattr(
        backends_command_module,
        "available_backends",
        lambda: {"numba": spikemem.get_backend("numba"), "brian2": ImportError("No module named 'brian2'")},
    )
    result = runner.invoke(main, ["backends"])
    assert result.exit_code == 0
    assert "brian2       unavailable  No module named 'brian2'" in result.output


def test_run_feedforward_writes_h5_and_png(runner, tmp_path):
    out = tmp_path / "out"
    result = runner.invoke(main, ["run", FF, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert (out / "raster.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    recording = Recording.load(out / "recording.h5")
    assert recording.meta["backend"] == "numba" and recording.meta["seed"] == 1
    assert recording.duration_ms == pytest.approx(1000.0)
    assert set(recording.spikes) == {"stim", "exc", "inh"}
    assert "v" in recording.state["exc"].variables
    for name in ("stim", "exc", "inh"):
        count = recording.spike_count(name)
        assert count > 0
        assert re.search(rf"\n  {name} +{recording.populations[name]} +{count} ", result.output)
    assert "wrote" in result.output and "recording.h5" in result.output


def test_run_options_override_the_file(runner, tmp_path):
    result = runner.invoke(main, ["run", FF, "-o", str(tmp_path), "--seed", "5", "--duration", "50"])
    assert result.exit_code == 0, result.output
    recording = Recording.load(tmp_path / "recording.h5")
    assert recording.meta["seed"] == 5 and recording.duration_ms == pytest.approx(50.0)
    assert "seed 5, 50 ms simulated" in result.output


def test_run_is_deterministic(runner, tmp_path):
    hashes = []
    for name in ("a", "b"):
        result = runner.invoke(main, ["run", FF, "-o", str(tmp_path / name), "--duration", "200"])
        assert result.exit_code == 0, result.output
        hashes.append(Recording.load(tmp_path / name / "recording.h5").spike_hash())
    assert hashes[0] == hashes[1]


def test_run_schedule_recalls_the_stored_pattern(runner, tmp_path):
    result = runner.invoke(main, ["run", str(EXAMPLES / "store_recall.toml"), "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    recording = Recording.load(tmp_path / "recording.h5")
    assert [p.name for p in recording.phases] == ["store", "recall"]
    recall = recording.phase("recall")
    recalled = set(recording.spikes["mem"].between(recall.start_step, recall.stop_step).ids.tolist())
    assert recalled == set(range(10))  # cue 0-4, completed 5-9, nothing else
    store, after = recording.weights["store"]["mem_mem"], recording.weights["recall"]["mem_mem"]
    assert store.max() == pytest.approx(1.2) and (after == store).all()


def test_run_schedule_refuses_duration(runner, tmp_path):
    result = runner.invoke(
        main, ["run", str(EXAMPLES / "store_recall.toml"), "-o", str(tmp_path), "--duration", "10"]
    )
    assert result.exit_code == 2
    assert "[[phase]]" in result.output


def test_bad_config_names_the_key(runner, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text((EXAMPLES / "feedforward.toml").read_text().replace("tau_m = 20.0", "tau_mem = 20.0"))
    result = runner.invoke(main, ["run", str(bad), "-o", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert "Error:" in result.output and "bad.toml" in result.output
    assert "[[population]] 'exc'" in result.output and "tau_mem" in result.output and "tau_m" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_bad_toml_syntax(runner, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[network\n")
    result = runner.invoke(main, ["run", str(bad)])
    assert result.exit_code == 1 and "TOML" in result.output


def test_unknown_backend(runner, tmp_path):
    result = runner.invoke(main, ["run", FF, "-o", str(tmp_path), "-b", "nope"])
    assert result.exit_code == 1
    assert "backend='nope'" in result.output and "numba" in result.output


def test_missing_backend_package(runner, tmp_path, monkeypatch):
    def unavailable(*args, **kwargs):
        raise ImportError("No module named 'brian2'; pip install 'spikemem[brian2]'")

    monkeypatch.setattr(spikemem, "compile", unavailable)
    result = runner.invoke(main, ["run", FF, "-o", str(tmp_path), "-b", "brian2"])
    assert result.exit_code == 1
    assert "backend 'brian2' is not available here" in result.output and "spikemem[brian2]" in result.output


def test_missing_config_file(runner, tmp_path):
    result = runner.invoke(main, ["run", str(tmp_path / "absent.toml")])
    assert result.exit_code == 2 and "does not exist" in result.output


def test_console_script(tmp_path):
    """The installed ``spikemem`` entry point works outside the source tree."""
    script = Path(sys.executable).parent / "spikemem"
    if not script.exists():
        pytest.skip("no spikemem console script next to this interpreter")
    done = subprocess.run(
        [str(script), "--version"], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"spikemem, version {spikemem.__version__}"


def test_python_dash_m_spikemem_lists_every_command(tmp_path):
    """``python -m spikemem`` is the same command line as the ``spikemem`` script."""
    from spikemem.cli import COMMANDS

    package_root = str(Path(spikemem.__file__).resolve().parents[1])
    done = subprocess.run(
        [sys.executable, "-m", "spikemem", "--help"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": package_root},
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Usage: spikemem ")
    listed = done.stdout.split("Commands:")[1].split()
    assert {c.name for c in COMMANDS} <= set(listed)
    assert sorted(c.name for c in COMMANDS) == [
        "backends",
        "deploy",
        "doctor",
        "estimate",
        "export",
        "import",
        "reproduce",
        "run",
        "verify",
    ]


def test_unwritable_output_folder(runner, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = runner.invoke(main, ["run", FF, "-o", str(blocker / "out"), "--duration", "10"])
    assert result.exit_code == 1
    assert "lies under the file" in result.output and "Traceback" not in result.output
    assert "spikes" not in result.output  # refused before the simulation, not after it


def test_doctor_prints_every_section_without_network_access(runner):
    result = runner.invoke(main, ["doctor", "--no-network", "--virtual"])
    assert result.exit_code in (0, 1), result.output
    assert all(f"[{section}]" in result.output for section in ("core", "spinnaker", "nest"))
    assert "ok   python:" in result.output
    assert (result.exit_code == 1) == ("check(s) failed" in result.output)


def test_deploy_refuses_a_slice_larger_than_a_core(runner):
    result = runner.invoke(main, ["deploy", FF, "--virtual", "--neurons-per-core", "300"])
    assert result.exit_code == 2 and "1<=x<=256" in result.output


def test_estimate_numba_prints_the_memory_table_and_exits_1_when_it_does_not_fit(
    runner, tmp_path, monkeypatch
):
    config = EXAMPLES / "cuba.toml"
    out = tmp_path / "estimate.json"
    result = runner.invoke(main, ["estimate", str(config), "--target", "numba", "--json", str(out)])
    assert result.exit_code == 0, result.output
    for item in ("synapse table", "recorded spikes", "sampled state", "total", "available"):
        assert item in result.output
    assert "24 bytes each" in result.output and "fits" in result.output
    assert json.loads(out.read_text())["bytes_per_synapse"] == 24
    monkeypatch.setattr(spikemem.ir.memory, "available_bytes", lambda: 2**20)
    result = runner.invoke(main, ["estimate", str(config), "--target", "numba"])
    assert result.exit_code == 1
    assert "does NOT fit: biggest is" in result.output


def test_run_refuses_a_recording_that_does_not_fit_with_one_line(runner, tmp_path, monkeypatch):
    config = tmp_path / "big.toml"
    config.write_text(
        (EXAMPLES / "cuba.toml").read_text() + 'state = { cuba = ["v", "isyn_exc", "isyn_inh"] }\n'
    )
    monkeypatch.setattr(spikemem.ir.memory, "available_bytes", lambda: 256 * 2**20)
    # 1 s of all three variables: ~1 GB of samples, which fits on disk but not in 256 MiB
    result = runner.invoke(main, ["run", str(config), "-o", str(tmp_path / "out"), "--duration", "1000"])
    assert result.exit_code == 1
    assert "biggest consumer is sampled state" in result.output and "Traceback" not in result.output
