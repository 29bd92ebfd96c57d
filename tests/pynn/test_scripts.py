"""Plain PyNN scripts against SpiNNaker hardware recordings: the CA3 memory's functional test
(``examples/pynn/ca3_functional.py``, the recording packaged in ``spikemem/models/ca3/data``)
and the 20-neuron synfire ring (``examples/pynn/synfire.py``, ``tests/data/spinnaker_synfire``)."""

from __future__ import annotations

import runpy
from pathlib import Path

import numpy as np
import pytest

from spikemem.models.ca3.experiments import HARDWARE_POPULATIONS, load_hardware_spikes

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "pynn"
SYNFIRE_DATA = Path(__file__).resolve().parents[1] / "data" / "spinnaker_synfire"


def _as_set(trains, lo: int = 0, hi: int | None = None) -> set[tuple[int, int]]:
    """{(ms, neuron)} of the trains ``lo..hi-1``, renumbered from 0."""
    out = set()
    for index, train in enumerate(trains[lo:hi]):
        out.update((int(round(float(t))), index) for t in train.magnitude)
    return out


def test_ca3_script_reproduces_the_spinnaker_recording_spike_for_spike():
    script = runpy.run_path(str(EXAMPLES / "ca3_functional.py"))
    trains = script["run"](backend="numba", numerics="spinnaker")
    hardware = load_hardware_spikes()
    n = script["N_CUES"]
    total = 0
    for name, (population, part) in HARDWARE_POPULATIONS.items():
        lo, hi = {"all": (0, None), "cue": (0, n), "content": (n, None)}[part]
        got = _as_set(trains[population], lo, hi)
        assert got == hardware[name], name
        total += len(got)
    assert total == sum(len(s) for s in hardware.values()) and total > 300


def _board_spikes() -> set[tuple[int, float]]:
    rows = np.loadtxt(SYNFIRE_DATA / "20_1_spikes.csv", delimiter=",", ndmin=2)
    return {(int(i), float(t)) for i, t in rows}


@pytest.mark.parametrize("numerics", ["spinnaker", "spinnaker-fixed"])
def test_synfire_script_gives_the_boards_spikes(numerics):
    script = runpy.run_path(str(EXAMPLES / "synfire.py"))
    trains = script["run"](backend="numba", numerics=numerics)
    got = {(i, float(t)) for i, train in enumerate(trains) for t in train.magnitude}
    assert got == _board_spikes()
    assert len(got) == 33


def test_ca3_script_in_nine_runs_gives_the_same_spikes_as_one():
    """Continuation with plastic weights: the program in nine 10-ms runs equals one 90-ms run."""
    script = runpy.run_path(str(EXAMPLES / "ca3_functional.py"))
    sim = script["sim"]
    whole = script["run"](backend="numba", numerics="spinnaker")
    sim.setup(timestep=1.0, numerics="spinnaker")
    try:
        pops = script["build"]()
        for pop in pops.values():
            pop.record("spikes")
        for _ in range(9):
            sim.run(10.0)
        pieces = {name: pop.get_data("spikes").segments[0].spiketrains for name, pop in pops.items()}
    finally:
        sim.end()
    for name, trains in whole.items():
        assert _as_set(pieces[name]) == _as_set(trains), name
