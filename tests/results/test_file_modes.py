"""Output files follow the umask, and temporary files of killed writers are found and removed
(issue 15: ``mkstemp`` made every atomic write mode 0600)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import matplotlib.pyplot as plt
import pytest

from spikemem import ir
from spikemem.atomicio import (
    remove_stale_temp_files,
    save_figure_atomic,
    stale_temp_files,
    write_text_atomic,
)
from spikemem.results import Recording, SpikeTrains


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize("umask", [0o022, 0o002, 0o077])
def test_atomic_writes_follow_the_umask(tmp_path, umask):
    previous = os.umask(umask)
    recording = Recording(dt=0.1, populations={"p": 1}, spikes={"p": SpikeTrains.empty(0.1)})
    network = ir.Network(
        populations=(ir.Population(name="p", size=2, cell=ir.IF_curr_exp()),), projections=()
    )
    figure = recording.plot_raster()
    try:
        write_text_atomic(tmp_path / "a.json", "{}")
        recording.save(tmp_path / "r.h5")
        network.save(tmp_path / "net.json")
        save_figure_atomic(figure, tmp_path / "raster.png")
    finally:
        os.umask(previous)
        plt.close(figure)
    for name in ("a.json", "r.h5", "net.json", "net.npz", "raster.png"):
        assert _mode(tmp_path / name) == 0o666 & ~umask, name


def _dead_pid() -> int:
    proc = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    return int(proc.stdout)


def test_stale_temp_files_of_dead_writers_are_found_and_removed(tmp_path):
    dead = _dead_pid()
    stale = tmp_path / f".recording.h5.{dead}.1a2b3c4d.tmp"
    live = tmp_path / f".raster.png.{os.getpid()}.abcd_123.tmp"
    other = tmp_path / ".notes.tmp"
    for path in (stale, live, other):
        path.write_bytes(b"x")
    assert stale_temp_files(tmp_path) == [stale]
    assert remove_stale_temp_files(tmp_path) == [stale]
    assert not stale.exists() and live.exists() and other.exists()
    assert stale_temp_files(tmp_path / "missing") == []
