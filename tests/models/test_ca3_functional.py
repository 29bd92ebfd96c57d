"""Experiment 1 against the SpiNNaker hardware recording, spike for spike in every population."""

from __future__ import annotations

import pytest

import spikemem
from spikemem.models.ca3.experiments import (
    HARDWARE_POPULATIONS,
    compare_with_hardware,
    functional_memory,
    load_hardware_spikes,
)


@pytest.fixture(scope="module")
def original():
    return functional_memory().run()


def test_packaged_recording_is_complete():
    hardware = load_hardware_spikes()
    assert set(hardware) == set(HARDWARE_POPULATIONS)
    assert sum(map(len, hardware.values())) == 322  # 60 input spikes + 262 recorded by the board


@pytest.mark.parametrize("variant", ["original", "improved"])
def test_every_population_matches_the_hardware_spike_for_spike(variant, original):
    run = original if variant == "original" else functional_memory("improved").run()
    matches = compare_with_hardware(run.recording)
    report = {m.name: f"{m.matched} of {m.expected} (simulated {m.obtained})" for m in matches}
    assert all(m.matched == m.expected == m.obtained for m in matches), report
    assert sum(m.matched for m in matches) == 322
    assert {m.name for m in matches} == set(HARDWARE_POPULATIONS)


@pytest.mark.parametrize("variant", ["original", "improved"])
def test_fixed_point_numerics_match_the_hardware_too(variant):
    """sPyNNaker's s16.15 neuron arithmetic and fixed-point STDP (``spinnaker-fixed``)."""
    memory = functional_memory(variant)
    recording = spikemem.compile(
        memory.network(), memory.schedule(), backend="numba", numerics="spinnaker-fixed"
    ).run()
    matches = compare_with_hardware(recording)
    report = {m.name: f"{m.matched} of {m.expected} (simulated {m.obtained})" for m in matches}
    assert all(m.matched == m.expected == m.obtained for m in matches), report
    assert sum(m.matched for m in matches) == 322
    assert all(result.correct for result in memory.decode(recording))


def test_functional_answers_are_the_papers(original):
    assert original.all_correct
    by_index = {r.index: r for r in original.results}
    assert by_index[4].obtained.cues == {3, 4}  # {6} is held by two addresses
    assert by_index[6].extra["overwrite+6"].content == {5, 6}  # the overwrite echoes the old bits
    assert by_index[8].obtained.cues == {4}  # cue 3 forgot {5, 6}
    assert original.recording.duration_ms == 90.0
