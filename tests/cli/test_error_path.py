"""The command line's one error path, and its output-folder checks (issue 15)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections import namedtuple
from pathlib import Path

import pytest
from click.testing import CliRunner

import spikemem
from spikemem.backends.base import NumericalError
from spikemem.cli import main

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
FF = str(EXAMPLES / "feedforward.toml")


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def _one_error_line(output: str) -> str:
    lines = [line for line in output.splitlines() if line.startswith("Error:")]
    assert len(lines) == 1, output
    assert "Traceback" not in output
    return lines[0]


def _raise(error: BaseException):
    def fail(*args, **kwargs):
        raise error

    return fail


def test_second_run_into_the_same_folder_is_refused_without_overwrite(runner, tmp_path):
    out = tmp_path / "out"
    first = runner.invoke(main, ["run", FF, "-o", str(out), "--duration", "20"])
    assert first.exit_code == 0, first.output
    before = (out / "recording.h5").read_bytes()
    second = runner.invoke(main, ["run", FF, "-o", str(out), "--duration", "30"])
    assert second.exit_code == 1
    assert "already holds recording.h5, raster.png" in _one_error_line(second.output)
    assert "--overwrite" in second.output and "spikes" not in second.output
    assert (out / "recording.h5").read_bytes() == before
    third = runner.invoke(main, ["run", FF, "-o", str(out), "--duration", "30", "--overwrite"])
    assert third.exit_code == 0, third.output
    assert spikemem.results.Recording.load(out / "recording.h5").duration_ms == 30.0


def test_empty_backend_name_is_refused(runner, tmp_path):
    result = runner.invoke(main, ["run", FF, "-o", str(tmp_path), "-b", ""])
    assert result.exit_code == 2
    assert "--backend" in result.output and "empty name" in result.output


def test_not_enough_free_space_is_refused_before_simulating(runner, tmp_path, monkeypatch):
    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(shutil, "disk_usage", lambda path: usage(2**30, 2**30 - 2**20, 2**20))
    result = runner.invoke(main, ["run", FF, "-o", str(tmp_path / "o"), "--duration", "10"])
    assert result.exit_code == 1
    assert "1 MiB free" in _one_error_line(result.output) and "nothing was simulated" in result.output


def test_out_that_is_a_file_or_under_one(runner, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = runner.invoke(main, ["run", FF, "-o", str(blocker / "a" / "b")])
    assert result.exit_code == 1 and "lies under the file" in _one_error_line(result.output)


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_read_only_out_is_refused_before_simulating(runner, tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        result = runner.invoke(main, ["run", FF, "-o", str(folder)])
    finally:
        folder.chmod(0o700)
    assert result.exit_code == 1 and "cannot write there" in _one_error_line(result.output)


def test_stale_temp_files_are_removed_and_reported(runner, tmp_path):
    dead = int(
        subprocess.run(
            [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
        ).stdout
    )
    out = tmp_path / "out"
    out.mkdir()
    stale = out / f".recording.h5.{dead}.deadbeef.tmp"
    stale.write_bytes(b"\0" * 1000)
    result = runner.invoke(main, ["run", FF, "-o", str(out), "--duration", "10"])
    assert result.exit_code == 0, result.output
    assert not stale.exists()
    assert f"removed 1 temporary file(s) of an earlier interrupted run in {out}" in result.output


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (RuntimeError("boom"), "RuntimeError: boom (unexpected; 'spikemem --debug ...' shows the traceback)"),
        (MemoryError(), "out of memory"),
        (NumericalError("backend 'numba': v of population 'exc' is NaN"), "v of population 'exc' is NaN"),
        (RecursionError("maximum recursion depth exceeded"), "nested too deeply"),
        (PermissionError(13, "Permission denied", "/x/y"), "Permission denied: /x/y"),
    ],
    ids=["unexpected", "memory", "nan", "recursion", "oserror"],
)
def test_every_failure_is_one_line_and_status_1(runner, tmp_path, monkeypatch, error, expected):
    monkeypatch.setattr(spikemem, "compile", _raise(error))
    result = runner.invoke(main, ["run", FF, "-o", str(tmp_path / "o")])
    assert result.exit_code == 1
    assert expected in _one_error_line(result.output)


def test_debug_shows_the_traceback(runner, tmp_path, monkeypatch):
    monkeypatch.setattr(spikemem, "compile", _raise(RuntimeError("boom")))
    result = runner.invoke(main, ["--debug", "run", FF, "-o", str(tmp_path / "o")])
    assert result.exit_code == 1
    assert isinstance(result.exception, RuntimeError)  # not turned into a message: click re-raises it
    env = runner.invoke(main, ["run", FF, "-o", str(tmp_path / "p")], env={"SPIKEMEM_DEBUG": "1"})
    assert isinstance(env.exception, RuntimeError)


def test_ctrl_c_during_the_run_exits_130_and_says_nothing_was_written(runner, tmp_path, monkeypatch):
    monkeypatch.setattr(spikemem, "compile", _raise(KeyboardInterrupt()))
    out = tmp_path / "o"
    result = runner.invoke(main, ["run", FF, "-o", str(out)])
    assert result.exit_code == 130
    assert (
        f"interrupted: stopped by Ctrl-C before the run ended; nothing was written to {out}" in result.output
    )
    assert not (out / "recording.h5").exists()


def test_ctrl_c_in_other_commands_exits_130(runner, monkeypatch):
    import spikemem.verify as verify_module

    monkeypatch.setattr(verify_module, "verify", _raise(KeyboardInterrupt()))
    result = runner.invoke(main, ["verify", FF, "-b", "numba"])
    assert result.exit_code == 130 and "interrupted" in result.output


def test_nan_in_the_reference_run_fails_verify(runner, monkeypatch):
    import spikemem.verify as verify_module

    monkeypatch.setattr(verify_module, "verify", _raise(NumericalError("v of population 'exc' is NaN")))
    result = runner.invoke(main, ["verify", FF])
    assert result.exit_code == 1 and "PASS" not in result.output
    assert "is NaN" in _one_error_line(result.output)


def test_console_script_ctrl_c_exit_status(tmp_path):
    """A real SIGINT to ``python -m spikemem run``: status 130, one message, no traceback."""
    import signal
    import time

    slow = tmp_path / "slow.toml"
    slow.write_text(Path(FF).read_text().replace("duration = ", "duration = 1e6 #"))
    proc = subprocess.Popen(
        [sys.executable, "-m", "spikemem", "run", str(slow), "-o", str(tmp_path / "o")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(6)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, (out, err)
    assert "Traceback" not in err and "interrupted" in err


def test_empty_backend_name_is_refused_by_reproduce(runner, tmp_path):
    result = runner.invoke(main, ["reproduce", "ca3-functional", "-b", "", "-o", str(tmp_path)])
    assert result.exit_code == 1 and "--backend: an empty name" in _one_error_line(result.output)
    assert not any(tmp_path.iterdir())


def test_a_write_failure_names_the_target_not_a_temporary_file(runner, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    target = blocker / "estimate.json"
    result = runner.invoke(main, ["estimate", FF, "--json", str(target)])
    assert result.exit_code == 1
    line = _one_error_line(result.output)
    assert line.endswith(str(target)) and ".tmp" not in line


def test_a_failed_figure_says_the_recording_was_written(runner, tmp_path, monkeypatch):
    import spikemem.cli.run as run_module

    monkeypatch.setattr(run_module, "write_raster", _raise(OSError(28, "No space left on device")))
    out = tmp_path / "o"
    result = runner.invoke(main, ["run", FF, "-o", str(out), "--duration", "10"])
    assert result.exit_code == 1
    assert "(recording.h5 written, complete)" in _one_error_line(result.output)
    assert spikemem.results.Recording.load(out / "recording.h5").duration_ms == 10.0
    assert not (out / "raster.png").exists()
