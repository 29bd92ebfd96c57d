"""The PyNN front end's API: changes between runs, projections and connectors, random values,
sPyNNaker's leniencies and the refusals of what spikemem cannot do."""

from __future__ import annotations

import numpy as np
import pytest

import spikemem.pynn as sim
from spikemem.ir import IRValidationError, UnsupportedFeature


@pytest.fixture
def pynn():
    """A fresh simulator (timestep 0.1 ms, numba), ended after the test."""
    sim.setup(timestep=0.1, seed=11)
    yield sim
    sim.end()


def _spike_times(pop, segment=-1):
    return [t.magnitude.tolist() for t in pop.get_data("spikes").segments[segment].spiketrains]


# -- changes between runs ---------------------------------------------------------------------------
def test_i_offset_set_between_runs_starts_firing_then(pynn):
    cells = sim.Population(2, sim.IF_curr_exp(), label="cells")
    cells.record("spikes")
    sim.run(50.0)
    assert _spike_times(cells) == [[], []]
    cells[1:2].set(i_offset=1.0)
    assert cells.get("i_offset").tolist() == [0.0, 1.0]
    sim.run(50.0)
    times = _spike_times(cells)
    assert times[0] == []
    assert times[1][0] == pytest.approx(50.0 + 27.7)  # 20·ln 4 = 27.73 ms after the change


def test_new_spike_times_and_poisson_rate_between_runs(pynn):
    array = sim.Population(2, sim.SpikeSourceArray(spike_times=[[1.0, 5.0], [2.0]]), label="array")
    noise = sim.Population(50, sim.SpikeSourcePoisson(rate=0.0), label="noise")
    array.record("spikes")
    noise.record("spikes")
    sim.run(10.0)
    array.set(spike_times=[12.0, 15.0])
    noise.set(rate=100.0)
    sim.run(10.0)
    assert _spike_times(array) == [[1.0, 5.0, 12.0, 15.0], [2.0, 12.0, 15.0]]
    noise_times = np.concatenate(_spike_times(noise))
    assert noise_times.min() >= 10.0 and 20 < noise_times.size < 90  # 50 × 100 Hz × 10 ms = 50


def test_projection_weight_set_between_runs_and_stdp_weights_carry_over(pynn):
    source = sim.Population(
        1, sim.SpikeSourceArray(spike_times=[float(t) for t in range(5, 200, 10)]), label="src"
    )
    target = sim.Population(1, sim.IF_curr_exp(tau_syn_E=5.0), label="target")
    static = sim.Projection(source, target, sim.OneToOneConnector(), sim.StaticSynapse(weight=0.0, delay=1.0))
    driver = sim.Population(
        1, sim.SpikeSourceArray(spike_times=[float(t) for t in range(3, 200, 10)]), label="drv"
    )
    rule = sim.STDPMechanism(
        timing_dependence=sim.SpikePairRule(tau_plus=10.0, tau_minus=10.0, A_plus=0.1, A_minus=0.05),
        weight_dependence=sim.AdditiveWeightDependence(w_min=0.0, w_max=5.0),
        weight=1.0,
        delay=1.0,
    )
    plastic = sim.Projection(driver, target, sim.AllToAllConnector(), rule)
    target.record(["spikes", "isyn_exc"])
    sim.run(100.0)
    learned = plastic.get("weight", format="list")[0][2]
    static.set(weight=4.0)
    assert static.get("weight", format="array").tolist() == [[4.0]]
    sim.run(100.0)
    isyn = target.get_data("isyn_exc").segments[0].analogsignals[0].magnitude[:, 0]
    assert isyn[:1000].max() > 0  # the plastic synapse drives the cell from the start
    assert isyn[1000:].max() > isyn[:1000].max() + 3.0  # plus the static 4 nA after the change
    assert plastic.get("weight", format="list")[0][2] != learned  # learning went on from `learned`
    sim.reset()
    assert plastic.get("weight", format="list")[0][2] == 1.0  # reset: back to the initial weight


def test_initialize_and_set_v_leniency(pynn):
    cells = sim.Population(2, sim.IF_curr_exp(v_rest=-60.0), label="cells", initial_values={"v": -55.0})
    assert cells.initial_values["v"].tolist() == [-55.0, -55.0]
    with pytest.warns(UserWarning, match="initialize"):
        cells[0:1].set(v=-70.0)
    cells.record("v")
    sim.run(1.0)
    assert cells.get_data().segments[0].analogsignals[0].magnitude[0].tolist() == [-70.0, -55.0]
    sim.initialize(cells, v=-52.0)  # between runs: the state now (t = 1 ms)
    sim.run(0.2)
    signal = cells.get_data().segments[0].analogsignals[0].magnitude
    assert signal.shape == (12, 2)  # 0, 0.1, ..., 1.1 ms
    expected = -60.0 + 8.0 * np.exp(-0.1 / 20.0)  # one step from -52 mV towards v_rest = -60 mV
    assert signal[11].tolist() == pytest.approx([expected, expected], abs=1e-12)


# -- projections and connectors ---------------------------------------------------------------------
def test_connectors_make_the_synapses_pynn_defines(pynn):
    a = sim.Population(10, sim.SpikeSourcePoisson(rate=1.0), label="a")
    b = sim.Population(8, sim.IF_curr_exp(), label="b")
    assert len(sim.Projection(a, b, sim.AllToAllConnector())) == 80
    assert len(sim.Projection(b, b, sim.AllToAllConnector(allow_self_connections=False))) == 56
    assert len(sim.Projection(a[0:8], b, sim.OneToOneConnector())) == 8
    pre = sim.Projection(a, b, sim.FixedNumberPreConnector(3, rng=sim.NumpyRNG(seed=1)))
    assert np.bincount([j for _, j, _ in pre.get("weight", "list")], minlength=8).tolist() == [3] * 8
    post = sim.Projection(a, b, sim.FixedNumberPostConnector(2))
    assert np.bincount([i for i, _, _ in post.get("weight", "list")], minlength=10).tolist() == [2] * 10
    assert len(sim.Projection(a, b, sim.FixedTotalNumberConnector(17))) == 17
    p = sim.Projection(a, b, sim.FixedProbabilityConnector(0.5, rng=sim.NumpyRNG(seed=2)))
    assert 20 < len(p) < 60


def test_from_list_with_weight_and_delay_columns_and_views(pynn):
    a = sim.Population(4, sim.SpikeSourceArray(spike_times=[1.0]), label="a")
    b = sim.Population(6, sim.IF_curr_exp(), label="b")
    rows = [(0, 1, 0.5, 1.0), (3, 0, 0.25, 2.3), (2, 1, 1.5, 0.1)]
    proj = sim.Projection(a, b[[5, 3]], sim.FromListConnector(rows), label="explicit")
    assert len(proj) == 3
    assert proj.get(["weight", "delay"], format="list") == [
        (0, 1, 0.5, 1.0),
        (3, 0, 0.25, 2.3),
        (2, 1, 1.5, 0.1),
    ]
    array = proj.get("weight", format="array")
    assert array.shape == (4, 2) and array[3, 0] == 0.25 and np.isnan(array[0, 0])
    named = sim.FromListConnector([(0, 2, 2.0), (1, 2, 1.0)], column_names=["weight"])
    assert sim.Projection(a, b, named).get("weight", "list") == [(0, 2, 2.0), (1, 2, 1.0)]
    with pytest.raises(NotImplementedError, match="tau_plus"):
        sim.FromListConnector([(0, 1, 1.0)], column_names=["tau_plus"])


def test_save_and_from_file_round_trip(pynn, tmp_path):
    a = sim.Population(3, sim.SpikeSourcePoisson(rate=1.0), label="a")
    b = sim.Population(3, sim.IF_curr_exp(), label="b")
    weights = sim.RandomDistribution("normal", mu=1.0, sigma=0.1, rng=sim.NumpyRNG(seed=5))
    proj = sim.Projection(a, b, sim.AllToAllConnector(), sim.StaticSynapse(weight=weights, delay=0.5))
    path = tmp_path / "conn.txt"
    proj.save(["weight", "delay"], str(path))
    again = sim.Projection(a, b, sim.FromFileConnector(str(path)))
    assert again.get(["weight", "delay"], "list") == proj.get(["weight", "delay"], "list")


def test_random_values_are_seeded_and_drawn_on_the_host():
    values = []
    for _ in range(2):
        sim.setup(timestep=0.1, seed=3)
        a = sim.Population(
            5, sim.IF_curr_exp(v_thresh=sim.RandomDistribution("uniform", (-55.0, -50.0))), label="a"
        )
        b = sim.Population(5, sim.IF_curr_exp(), label="b")
        proj = sim.Projection(
            a,
            b,
            sim.FixedProbabilityConnector(0.6),
            sim.StaticSynapse(weight=sim.RandomDistribution("exponential", beta=0.5)),
        )
        values.append((a.get("v_thresh").tolist(), proj.get("weight", "list")))
        sim.end()
    assert values[0] == values[1]
    assert len(set(values[0][0])) == 5 and all(-55.0 <= v <= -50.0 for v in values[0][0])


# -- sPyNNaker leniencies -------------------------------------------------------------------------
def test_spynnaker_forms_are_accepted(pynn):
    cells = sim.Population(2, sim.IF_curr_exp, {"tau_m": 10.0, "i_offset": 1.0}, label="old form")
    assert cells.get("tau_m") == 10.0
    with pytest.warns(UserWarning, match="Sequence"):
        sources = sim.Population(2, sim.SpikeSourceArray(spike_times=[[1.0, 2.0], [3.0]]), label="lists")
    assert [s.value.tolist() for s in sources.get("spike_times")] == [[1.0, 2.0], [3.0]]
    with pytest.warns(UserWarning, match="ignored"):
        sim.setup(timestep=1.0, time_scale_factor=10)
    with pytest.warns(UserWarning, match="magnitude"):
        pre = sim.Population(1, sim.SpikeSourceArray(spike_times=[1.0]), label="pre")
        post = sim.Population(1, sim.IF_curr_exp(), label="post")
        proj = sim.Projection(
            pre, post, sim.OneToOneConnector(), sim.StaticSynapse(weight=-2.0), receptor_type="inhibitory"
        )
    assert proj.get("weight", "list") == [(0, 0, 2.0)]


# -- refusals -------------------------------------------------------------------------------------------
def test_unsupported_pynn_features_raise_not_implemented_naming_them(pynn):
    with pytest.raises(NotImplementedError, match="IF_cond_exp"):
        sim.IF_cond_exp()
    with pytest.raises(NotImplementedError, match="DistanceDependentProbabilityConnector"):
        sim.DistanceDependentProbabilityConnector("d < 1")
    with pytest.raises(NotImplementedError, match="TsodyksMarkramSynapse"):
        sim.TsodyksMarkramSynapse()
    with pytest.raises(NotImplementedError, match="structure"):
        sim.Population(2, sim.IF_curr_exp(), structure=object())
    with pytest.raises(NotImplementedError, match="bogus"):
        sim.setup(bogus=1)


def test_bad_values_name_the_parameter(pynn):
    with pytest.raises(IRValidationError, match="tau_x"):
        sim.IF_curr_exp(tau_x=1.0)
    cells = sim.Population(2, sim.IF_curr_exp(), label="cells")
    with pytest.raises(IRValidationError, match="record variable"):
        cells.record("gsyn")
    with pytest.raises(IRValidationError, match="sampling_interval"):
        cells.record("v", sampling_interval=0.15)
    with pytest.raises(IRValidationError, match="receptor_type"):
        sim.Projection(cells, cells, sim.AllToAllConnector(), receptor_type="NMDA")
    with pytest.raises(IRValidationError, match="delay"):
        sim.Projection(cells, cells, sim.AllToAllConnector(), sim.StaticSynapse(weight=1.0, delay=0.05))
    with pytest.raises(IRValidationError, match="weight"):
        sim.Projection(cells, cells, sim.AllToAllConnector(), sim.StaticSynapse(weight=-1.0))
    with pytest.raises(IRValidationError, match="timestep|dt"):
        sim.setup(timestep=0.0)


def test_structure_changes_after_run_need_reset(pynn):
    cells = sim.Population(2, sim.IF_curr_exp(), label="cells")
    sim.run(1.0)
    with pytest.raises(NotImplementedError, match="reset"):
        sim.Population(1, sim.IF_curr_exp())
    sim.reset()
    sim.Population(1, sim.IF_curr_exp(), label="later")
    sim.Projection(cells, cells, sim.OneToOneConnector())
    sim.run(1.0)


def test_a_backend_without_continue_refuses_a_second_run():
    pytest.importorskip("brian2")
    sim.setup(timestep=0.1, backend="brian2")
    try:
        cells = sim.Population(1, sim.IF_curr_exp(i_offset=1.0), label="cells")
        cells.record("spikes")
        sim.run(40.0)
        assert _spike_times(cells) == [[pytest.approx(27.7)]]
        with pytest.raises(UnsupportedFeature, match="CONTINUE"):
            sim.run(10.0)
        sim.reset()
        sim.run(40.0)
        assert _spike_times(cells) == [[pytest.approx(27.7)]]
    finally:
        sim.end()


def test_spynnaker_extras_get_data_seed_and_mapping_hints(pynn):
    with pytest.warns(UserWarning, match="no effect"):
        sim.set_number_of_neurons_per_core(sim.IF_curr_exp, 64)
    with pytest.warns(UserWarning, match="seed"):
        noise = sim.Population(
            3, sim.SpikeSourcePoisson(rate=200.0), label="noise", additional_parameters={"seed": 9}
        )
    with pytest.warns(UserWarning, match="seed"):
        twin = sim.Population(3, sim.SpikeSourcePoisson(rate=200.0), label="twin", seed=9)
    cells = sim.Population(2, sim.IF_curr_exp(i_offset=[0.0, 1.0]), label="cells")
    with pytest.warns(UserWarning, match="no effect"):
        cells.set_max_atoms_per_core(32)
    with pytest.raises(NotImplementedError, match="splines"):
        sim.Population(1, sim.IF_curr_exp(), splines=3)
    for pop in (noise, twin, cells):
        pop.record("spikes")
    cells.record("v", sampling_interval=10.0)
    sim.run(60.0)
    spikes = noise.spinnaker_get_data("spikes")
    assert spikes.shape[1] == 2 and spikes.shape[0] > 10
    assert np.array_equal(spikes, twin.spinnaker_get_data("spikes"))  # the same seed, the same spikes
    assert np.all(np.diff(spikes[:, 1]) >= 0)  # sorted by time
    assert cells.spinnaker_get_data("spikes").tolist() == [
        [1.0, pytest.approx(27.7)],
        [1.0, pytest.approx(55.6)],
    ]  # 27.73 ms climbs, 0.1 ms refractory
    v = cells.spinnaker_get_data("v")
    assert v.shape == (12, 3) and v[:2, :2].tolist() == [[0.0, 0.0], [1.0, 0.0]]
    assert cells.spinnaker_get_data("v", as_matrix=True).shape == (6, 2)


def test_assembly_records_sets_and_merges(pynn):
    a = sim.Population(2, sim.IF_curr_exp(), label="a")
    b = sim.Population(3, sim.IF_curr_exp(), label="b")
    target = sim.Population(1, sim.IF_curr_exp(), label="target")
    both = a + b
    assert isinstance(both, sim.Assembly) and both.size == 5 and int(both[3]) == int(b[1])
    both.set(i_offset=1.0)
    both.record("spikes")
    sim.run(30.0)
    trains = both.get_data().segments[0].spiketrains
    assert [t.annotations["source_population"] for t in trains] == ["a", "a", "b", "b", "b"]
    assert all(len(t) == 1 for t in trains)
    with pytest.raises(NotImplementedError, match="Assembly"):
        sim.Projection(both, target, sim.AllToAllConnector())


def test_record_to_file_is_written_at_end(tmp_path):
    import neo

    sim.setup(timestep=0.1)
    cells = sim.Population(1, sim.IF_curr_exp(i_offset=1.0), label="cells")
    sim.record(["spikes", "v"], cells, str(tmp_path / "cells.pkl"))
    sim.run(30.0)
    sim.end()
    sim.end()  # a second end() has nothing to do
    block = neo.io.PickleIO(str(tmp_path / "cells.pkl")).read_block()
    assert len(block.segments[0].spiketrains[0]) == 1
    with pytest.raises(RuntimeError, match="setup"):
        sim.run(1.0)


def test_bad_cell_parameters_are_refused_at_creation_and_at_set(pynn):
    with pytest.raises(IRValidationError, match="v_reset"):
        sim.Population(2, sim.IF_curr_exp(v_reset=-45.0, v_thresh=-50.0))
    cells = sim.Population(2, sim.IF_curr_exp(), label="cells")
    with pytest.raises(IRValidationError, match="tau_m"):
        cells.set(tau_m=-1.0)
    assert cells.get("tau_m") == 20.0  # unchanged


def test_views_by_mask_and_index_list_and_ids(pynn):
    cells = sim.Population(6, sim.IF_curr_exp(), label="cells")
    mask = np.array([True, False, True, False, False, True])
    view = cells[mask]
    assert view.size == 3 and [int(i) - int(cells.first_id) for i in view] == [0, 2, 5]
    sub = view[[2, 0]]  # a view of a view: positions in the view
    assert sub.grandparent is cells and [cells.id_to_index(i) for i in sub.all()] == [5, 0]
    sub.set(i_offset=0.7)
    assert cells.get("i_offset").tolist() == [0.7, 0.0, 0.0, 0.0, 0.0, 0.7]
    neuron = cells[5]
    assert neuron.i_offset == 0.7 and neuron.get_parameters()["tau_m"] == 20.0
    neuron.set_parameters(tau_m=10.0)
    assert cells.get("tau_m").tolist() == [20.0] * 5 + [10.0]
    with pytest.raises(IRValidationError, match="mask"):
        cells[np.array([True, False])]


def test_get_data_clear_forgets_what_was_returned(pynn):
    cells = sim.Population(1, sim.IF_curr_exp(i_offset=1.0), label="cells")
    cells.record("spikes")
    sim.run(30.0)
    assert len(cells.get_data(clear=True).segments[0].spiketrains[0]) == 1
    sim.run(20.0)  # the second spike comes at 55.6 ms, after this run
    assert len(cells.get_data().segments[0].spiketrains[0]) == 0
    sim.run(10.0)
    assert cells.get_data().segments[0].spiketrains[0].magnitude.tolist() == [pytest.approx(55.6)]


def test_get_network_gives_the_ir_for_spikemems_tools(pynn, tmp_path):
    from spikemem.backends.spinnaker.estimate import estimate_spinnaker
    from spikemem.ir import Network

    stim = sim.Population(10, sim.SpikeSourcePoisson(rate=5.0), label="stim")
    cells = sim.Population(50, sim.IF_curr_exp(tau_m=10.0), label="cells")
    sim.Projection(stim, cells, sim.FixedProbabilityConnector(0.2), sim.StaticSynapse(weight=0.5, delay=1.0))
    network = sim.get_network()
    assert [p.size for p in network.populations] == [10, 50]
    assert network.population("cells").cell.tau_m == 10.0
    network.save(tmp_path / "net.json")
    assert Network.load(tmp_path / "net.json") == network
    estimate = estimate_spinnaker(network, duration=100.0, dt=1.0)
    assert estimate.fits


def test_state_is_kept_only_for_the_neurons_that_record_it(pynn):
    cells = sim.Population(5000, sim.IF_curr_exp(i_offset=0.5), label="cells")
    cells[[10, 20, 30]].record("v")
    sim.run(2.0)
    cells[[40]].record("v")  # joins later: NaN before
    sim.run(1.0)
    chunks = cells.recorder.current.sample_chunks["v"]
    assert max(columns.size for _, columns, _ in chunks) == 4  # not 5000
    signal = cells.get_data("v").segments[0].analogsignals[0]
    assert signal.shape == (30, 4) and signal.array_annotations["channel_index"].tolist() == [10, 20, 30, 40]
    values = signal.magnitude
    # the sample at 2.0 ms was taken by the first run, before neuron 40 joined
    assert np.all(np.isnan(values[:21, 3])) and not np.any(np.isnan(values[21:, 3]))
    assert np.all(values[:, 0] == values[:, 1])  # identical neurons


def test_unknown_pynn_and_spynnaker_names_raise_not_implemented():
    with pytest.raises(NotImplementedError, match="extra_models"):
        sim.extra_models.SpikeSourcePoissonVariable  # noqa: B018
    assert not hasattr(sim, "external_devices")
