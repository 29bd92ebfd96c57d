"""sPyNNaker's full mapping on a virtual SpiNN-5 board (no hardware): the CA3 functional experiment
and a 4000-neuron CUBA network map without exceptions; the offline estimate agrees with what
the mapping used; sPyNNaker leaves the user's home and working directory alone."""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import pytest

pytest.importorskip("spynnaker")
pytest.importorskip("pyNN")

import spikemem  # noqa: E402
from spikemem.backends.spinnaker import MappingReport, map_network_virtual  # noqa: E402
from spikemem.backends.spinnaker.estimate import estimate_spinnaker  # noqa: E402
from spikemem.models.ca3.experiments import functional_memory  # noqa: E402
from spikemem.networks.cuba import cuba_network  # noqa: E402
from spikemem.reproduce.ca3 import map_ca3_functional_virtual  # noqa: E402


@pytest.fixture(autouse=True)
def empty_home(tmp_path, monkeypatch):
    """sPyNNaker writes ~/.spynnaker.cfg when it finds none: HOME is an empty folder that must
    stay empty, and the working directory must not receive reports."""
    home, work = tmp_path / "home", tmp_path / "work"
    home.mkdir()
    work.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("SPIKEMEM_SPINNAKER", raising=False)
    monkeypatch.chdir(work)
    yield
    assert os.listdir(home) == [], "sPyNNaker wrote into HOME"
    assert os.listdir(work) == [], "sPyNNaker wrote into the working directory"
    assert Path.cwd() == work and os.environ["HOME"] == str(home)


def _agrees(estimate, mapping: MappingReport) -> None:
    assert abs(estimate.n_cores - mapping.n_cores) <= 0.1 * mapping.n_cores
    assert estimate.n_chips == mapping.n_chips
    for pop in estimate.populations:
        info = mapping.populations[pop.name]
        assert pop.cores == info["cores"], pop.name
        if "ring_buffer_shifts" in info:
            shifts = {q.receptor: q.shift for q in estimate.projections if q.post == pop.name}
            for k, receptor in enumerate(("excitatory", "inhibitory")):
                if receptor in shifts:
                    assert shifts[receptor] == info["ring_buffer_shifts"][k], (pop.name, receptor)
        if info["sdram_bytes"] > 20_000:
            assert abs(pop.sdram_bytes - info["sdram_bytes"]) <= 0.15 * info["sdram_bytes"], pop.name


def test_ca3_functional_experiment_maps_on_a_virtual_board(tmp_path):
    report = map_ca3_functional_virtual(tmp_path / "out")
    assert report.n_cores == 10 and report.n_chips == 1  # one core per population
    assert report.delay_extension_cores == 0 and report.machine == "virtual SpiNN-5 (48 chips)"
    assert report.populations["CueCue"]["slices"] == [[0, 4]]
    assert not [w for w in report.warnings if "Exception" in w]
    assert (tmp_path / "out" / "mapping.json").is_file()
    assert list((tmp_path / "out" / "spinnaker" / "reports").iterdir())  # sPyNNaker's reports kept there
    memory = functional_memory()
    _agrees(estimate_spinnaker(memory.network(), duration=memory.duration_ms), report)


def test_cuba_4000_maps_on_a_virtual_board_as_estimated():
    net = cuba_network(4000, dt=1.0, numerics="spinnaker")
    report = map_network_virtual(net, duration=100.0)
    assert (report.n_cores, report.n_chips) == (17, 2)  # 3200/256 -> 13 and 800/256 -> 4 cores
    assert report.populations["exc"]["slices"][-1] == [3072, 3199]
    assert report.sdram_bytes["max"] < 1_000_000
    _agrees(estimate_spinnaker(net, duration=100.0), report)


def test_cuba_4000_at_a_tenth_of_a_millisecond_splits_synapse_cores():
    net = cuba_network(4000, dt=0.1, numerics="spinnaker")
    report = map_network_virtual(net, duration=100.0)
    assert (report.n_cores, report.n_chips) == (34, 3)
    assert report.populations["exc"]["synapse_cores"] == 13
    _agrees(estimate_spinnaker(net, duration=100.0), report)


def test_virtual_run_returns_an_empty_recording_with_the_mapping():
    memory = functional_memory()
    with pytest.warns(RuntimeWarning, match="mapped but not run"):
        runnable = spikemem.compile(
            memory.network(), memory.schedule(), backend="spinnaker", virtual=True, neurons_per_core=8
        )
        first = runnable.run()
        second = runnable.run()  # sPyNNaker sets up again in the same process
    assert first.spike_count() == 0 and first.meta["virtual"] and first.weights == {}
    assert [p.name for p in first.phases] == [p.name for p in memory.schedule().phases]
    assert first.meta["mapping"]["populations"]["OUT"]["cores"] == 2  # 15 neurons, 8 per core
    # 15-neuron IN and OUT and the 10-neuron content populations take 2 cores each, the rest 1
    assert first.meta["mapping"]["n_cores"] == second.meta["mapping"]["n_cores"] == 16
    assert runnable.last_mapping.n_cores == 16


def test_map_forces_a_virtual_board_of_the_configured_version(monkeypatch):
    net = cuba_network(200, dt=1.0, numerics="spinnaker")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        runnable = spikemem.compile(net, backend="spinnaker", board="192.0.2.1", version=3)
        report = runnable.map(50.0)
    assert report.machine == "virtual SpiNN-3 (4 chips)" and report.n_machine_chips == 4
    assert report.n_cores == 2
