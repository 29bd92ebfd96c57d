"""Recording.save is atomic: a writer killed at any moment never leaves a partial file at the path.

A subprocess writes a large recording (3 million spikes, ~70 MB) to the same path over and over;
it is killed with SIGKILL at seeded random moments. After every kill the path must either be
absent or hold the complete recording, and any other file left in the directory must be a hidden
temporary file, which is never what ``Recording.load(path)`` reads.
"""

from __future__ import annotations

import random
import re
import signal
import subprocess
import sys
import time

import pytest

from spikemem.results import Recording, RecordingFormatError

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX SIGKILL")

BUILD = """
import numpy as np
from spikemem.results import PhaseInfo, Recording, SpikeTrains

def build():
    rng = np.random.default_rng(2024)
    size = 1000
    keys = np.cumsum(rng.integers(1, 60, 3_000_000))  # strictly increasing step * size + id
    big = SpikeTrains(keys // size, keys % size, 0.1)
    return Recording(
        dt=0.1,
        populations={"exc": size, "inh": 250, "silent": 3},
        spikes={"exc": big, "inh": SpikeTrains(np.arange(0, 5000, 7), np.arange(0, 5000, 7) % 250, 0.1),
                "silent": SpikeTrains.empty(0.1)},
        weights={"learn": {"exc_exc": rng.random(200_000)}},
        phases=[PhaseInfo("learn", 0, int(keys[-1] // size) + 1)],
        meta={"backend": "test", "seed": 2024},
    )
"""

WRITER = (
    BUILD
    + """
import sys
recording = build()
print("ready", flush=True)
while True:
    recording.save(sys.argv[1])
"""
)

N_KILLS = 8
TEMP_NAME = re.compile(r"^\.run\.h5\.\d+\.[0-9a-f]{8}\.tmp$")


def _expected() -> Recording:
    namespace: dict = {}
    exec(BUILD, namespace)  # the same builder the writer runs
    return namespace["build"]()


def _start_writer(path) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    line = proc.stdout.readline()
    if line.strip() != "ready":
        proc.kill()
        _, err = proc.communicate()
        pytest.fail(f"writer did not start: {line!r}\n{err}")
    return proc


def _wait_for(path, proc, timeout=60.0) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert proc.poll() is None, "writer died before its first save"
        assert time.monotonic() < deadline, "writer never completed a save"
        time.sleep(0.01)


@pytest.mark.timeout(180)
def test_killed_writer_never_leaves_partial_file(tmp_path):
    expected = _expected()
    assert expected.spike_count() > 3_000_000
    path = tmp_path / "run.h5"
    rng = random.Random(12345)
    kills_mid_write = 0
    for attempt in range(N_KILLS):
        proc = _start_writer(path)
        try:
            if attempt == 0:
                _wait_for(path, proc)  # later kills then always race a replacement of a complete file
            time.sleep(rng.uniform(0.0, 0.8))
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            proc.stdout.close()
            proc.stderr.close()
        assert proc.returncode == -signal.SIGKILL, "the writer must die from the kill, not on its own"

        assert path.exists(), "a complete file was written before, so the path must still hold one"
        assert Recording.load(path) == expected

        strays = [p for p in tmp_path.iterdir() if p != path]
        for stray in strays:
            assert TEMP_NAME.match(stray.name), f"unexpected file {stray.name}"
            try:  # a leftover temporary file is either rejected as damaged or complete
                assert Recording.load(stray) == expected
            except RecordingFormatError:
                pass
            stray.unlink()
        kills_mid_write += bool(strays)
    # The kill must have hit a write in progress at least once, or the test proved nothing.
    assert kills_mid_write >= 1
