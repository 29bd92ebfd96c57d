"""The PyNN front end on the scenarios of PyNN's system tests (own code, own numbers): first
spikes under constant currents against the analytic formula, delta-synapse voltage steps,
Poisson statistics, reset() and repeated runs, recording intervals, the Neo output."""

from __future__ import annotations

import math

import numpy as np
import pytest

import spikemem.pynn as sim


@pytest.fixture
def pynn():
    """A fresh simulator (timestep 0.1 ms, numba), ended after the test."""
    sim.setup(timestep=0.1, seed=7)
    yield sim
    sim.end()


def _analytic_first_spike(i_offset: float, cm: float, tau_m: float, v_rest: float, v_thresh: float) -> float:
    """Time (ms) at which V(t) = v_rest + R·I·(1 − e^(−t/tau_m)) reaches v_thresh (R = tau_m/cm)."""
    drive = i_offset * tau_m / cm
    return -tau_m * math.log(1.0 - (v_thresh - v_rest) / drive)


def test_first_spike_times_of_if_curr_exp_follow_the_analytic_formula(pynn):
    currents = np.array([0.76, 0.8, 0.9, 1.0, 1.3, 1.7, 2.5, 4.0])  # nA; rheobase 0.75 nA
    cells = sim.Population(
        len(currents), sim.IF_curr_exp(i_offset=currents, tau_refrac=2.0, cm=1.0, tau_m=20.0)
    )
    cells.record("spikes")
    sim.run(200.0)
    trains = cells.get_data().segments[0].spiketrains
    for current, train in zip(currents, trains, strict=True):
        expected = _analytic_first_spike(current, 1.0, 20.0, -65.0, -50.0)
        first = float(train[0])
        # exact integration: the threshold is crossed inside the step [first, first + dt) (ms)
        assert first <= expected < first + 0.1 + 1e-9, (current, first, expected)
        # then the neuron fires periodically: reset to -65 mV, 2 ms refractory, the same climb
        isi = np.diff(train.magnitude)
        assert np.allclose(isi, isi[0]) and abs(isi[0] - (2.0 + expected)) <= 0.1 + 1e-9


def test_if_curr_delta_input_makes_v_jump_by_the_weight_in_mv(pynn):
    cell = sim.Population(1, sim.IF_curr_delta(tau_m=20.0, v_thresh=-40.0), label="delta")
    source = sim.Population(1, sim.SpikeSourceArray(spike_times=[10.0, 30.0]), label="input")
    sim.Projection(source, cell, sim.OneToOneConnector(), sim.StaticSynapse(weight=3.0, delay=1.0))
    sim.Projection(
        source,
        cell,
        sim.OneToOneConnector(),
        sim.StaticSynapse(weight=1.0, delay=2.0),
        receptor_type="inhibitory",
    )
    cell.record("v")
    sim.run(50.0)
    v = cell.get_data().segments[0].analogsignals[0].magnitude[:, 0]
    # the spike of 10 ms arrives in step 110; the sample at 11.1 ms is the state after that step
    assert v[110] == pytest.approx(-65.0)
    assert v[111] == pytest.approx(-62.0, abs=1e-12)
    assert v[112] == pytest.approx(-65.0 + 3.0 * math.exp(-0.1 / 20.0), abs=1e-12)
    jump = v[121] - v[120] * math.exp(-0.1 / 20.0) - (-65.0) * (1 - math.exp(-0.1 / 20.0))
    assert jump == pytest.approx(-1.0, abs=1e-12)


def test_poisson_sources_have_the_asked_rate_and_exponential_intervals(pynn):
    sources = sim.Population(200, sim.SpikeSourcePoisson(rate=20.0, start=100.0, duration=4000.0))
    sources.record("spikes")
    sim.run(5000.0)
    trains = sources.get_data().segments[0].spiketrains
    counts = np.array([len(t) for t in trains])
    expected = 20.0 * 4.0  # spikes per source: rate (Hz) × active time (s)
    assert abs(counts.mean() - expected) < 4 * math.sqrt(expected / counts.size)
    assert abs(counts.var() / counts.mean() - 1.0) < 0.3  # Poisson: variance = mean
    times = np.concatenate([t.magnitude for t in trains])
    assert times.min() >= 100.0 and times.max() < 4100.0
    intervals = np.concatenate([np.diff(t.magnitude) for t in trains])
    cv = intervals.std() / intervals.mean()
    assert abs(cv - 1.0) < 0.05


def _network_with_sources():
    poisson = sim.Population(20, sim.SpikeSourcePoisson(rate=40.0), label="noise")
    array = sim.Population(5, sim.SpikeSourceArray(spike_times=[5.0, 25.0, 45.0]), label="pulses")
    cells = sim.Population(10, sim.IF_curr_exp(tau_refrac=2.0), label="cells")
    sim.Projection(
        poisson,
        cells,
        sim.FixedProbabilityConnector(0.5, rng=sim.NumpyRNG(seed=3)),
        sim.StaticSynapse(
            weight=sim.RandomDistribution("uniform", (0.5, 1.5), rng=sim.NumpyRNG(seed=4)), delay=1.0
        ),
    )
    sim.Projection(array, cells, sim.AllToAllConnector(), sim.StaticSynapse(weight=2.0, delay=1.5))
    cells.record(["spikes", "v"])
    poisson.record("spikes")
    return poisson, cells


def test_reset_and_repeated_runs_give_identical_segments(pynn):
    poisson, cells = _network_with_sources()
    for _ in range(3):
        sim.run(60.0)
        sim.reset()
    block = cells.get_data()
    assert [s.name for s in block.segments] == ["segment000", "segment001", "segment002", "segment003"]
    first = block.segments[0]
    assert sum(len(t) for t in first.spiketrains) > 20
    for segment in block.segments[1:3]:
        for a, b in zip(first.spiketrains, segment.spiketrains, strict=True):
            assert np.array_equal(a.magnitude, b.magnitude)
        assert np.array_equal(first.analogsignals[0].magnitude, segment.analogsignals[0].magnitude)
    assert sum(len(t) for t in block.segments[3].spiketrains) == 0  # the fresh segment after the last reset


def test_several_runs_continue_the_simulation_as_one(pynn):
    poisson, cells = _network_with_sources()
    sim.run(17.3)
    sim.run(20.0)
    assert sim.get_current_time() == pytest.approx(37.3)
    sim.run_until(60.0)
    pieces = cells.get_data().segments[0]
    sim.reset()
    sim.run(60.0)
    whole = cells.get_data().segments[1]
    for a, b in zip(pieces.spiketrains, whole.spiketrains, strict=True):
        assert np.array_equal(a.magnitude, b.magnitude)
    assert np.array_equal(pieces.analogsignals[0].magnitude, whole.analogsignals[0].magnitude)
    assert sum(len(t) for t in whole.spiketrains) > 20


def test_recording_interval_and_signal_layout(pynn):
    cells = sim.Population(4, sim.IF_curr_exp(i_offset=[0.0, 0.5, 1.0, 2.0]), label="cells")
    cells[1:3].record("v", sampling_interval=1.0)
    cells.record("spikes")
    sim.run(30.0)
    sim.run(20.0)
    signal = cells.get_data("v").segments[0].analogsignals[0]
    assert signal.name == "v" and str(signal.units.dimensionality) == "mV"
    assert float(signal.sampling_period.rescale("ms")) == pytest.approx(1.0)
    assert float(signal.t_start.rescale("ms")) == 0.0
    assert signal.shape == (50, 2)  # 0, 1, ..., 49 ms; two recorded neurons
    assert signal.array_annotations["channel_index"].tolist() == [1, 2]
    assert signal.magnitude[0].tolist() == [-65.0, -65.0]  # the initial value at t = 0
    # V at 10 ms under 0.5 nA from rest: v_rest + R·I·(1 − e^(−t/tau_m)), exact integration
    assert signal.magnitude[10, 0] == pytest.approx(-65.0 + 10.0 * (1 - math.exp(-0.5)), abs=1e-9)


def test_neo_block_names_units_and_annotations(pynn):
    cells = sim.Population(3, sim.IF_curr_exp(i_offset=1.0), label="my cells")
    cells.record(["spikes", "v", "isyn_exc"])
    sim.run(40.0)
    block = cells.get_data()
    assert block.name == "my cells"
    for key, value in {"size": 3, "label": "my cells", "dt": 0.1, "simulator": "spikemem.numba"}.items():
        assert block.annotations[key] == value
    segment = block.segments[0]
    assert len(segment.spiketrains) == 3
    train = segment.spiketrains[2]
    assert str(train.units.dimensionality) == "ms"
    assert float(train.t_stop) == pytest.approx(40.0) and float(train.t_start) == 0.0
    assert train.annotations["source_population"] == "my cells"
    assert train.annotations["source_index"] == 2
    assert train.annotations["source_id"] == int(cells[2])
    names = {s.name: str(s.units.dimensionality) for s in segment.analogsignals}
    assert names == {"v": "mV", "isyn_exc": "nA"}
    for signal in segment.analogsignals:
        assert signal.shape == (400, 3)
        assert signal.annotations["source_population"] == "my cells"
    assert len(cells.get_data("spikes").segments[0].analogsignals) == 0


def test_write_data_writes_a_readable_neo_file(pynn, tmp_path):
    import neo

    cells = sim.Population(2, sim.IF_curr_exp(i_offset=1.0), label="cells")
    cells.record(["spikes", "v"])
    sim.run(50.0)
    path = tmp_path / "out.pkl"
    cells.write_data(str(path))
    block = neo.io.PickleIO(str(path)).read_block()
    assert [len(t) for t in block.segments[0].spiketrains] == [1, 1]
    assert block.segments[0].analogsignals[0].shape == (500, 2)


def test_front_end_runs_equal_the_reference_engine_on_the_same_ir(pynn):
    """The script's IR compiled and run directly (one run) gives the front end's spikes (three runs)."""
    import spikemem
    from spikemem.ir import RecordSpec
    from spikemem.pynn.execution import build_network
    from spikemem.pynn.simulator import current

    poisson, cells = _network_with_sources()
    network = build_network(current())
    sim.run(25.0)
    sim.run(25.0)
    sim.run(10.0)
    direct = spikemem.compile(network, backend="numba", seed=7, record=RecordSpec(spikes=(cells.name,))).run(
        60.0
    )
    want = direct.spikes[cells.name]
    got = [
        (int(round(float(t) / 0.1)), k)
        for k, train in enumerate(cells.get_data().segments[0].spiketrains)
        for t in train
    ]
    assert sorted(got) == sorted(zip(want.steps.tolist(), want.ids.tolist(), strict=True))
    assert len(got) > 20
