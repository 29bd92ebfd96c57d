"""NIR export and import (``spikemem.interop.nir``): the mapping, round trips, files, labels,
errors, and imported graphs running on the Numba engine.

Expected values are worked out by hand in the tests (e.g. ``r = tau_m/cm = 20/0.5 = 40 MΩ``),
never taken from the module under test.
"""

from __future__ import annotations

import sys

import numpy as np
import pytest

nir = pytest.importorskip(
    "nir", reason="the NIR bridge needs the optional 'nir' package: pip install 'spikemem[nir]'"
)

import spikemem  # noqa: E402
from spikemem import ir  # noqa: E402
from spikemem.interop.nir import export as nir_export  # noqa: E402
from spikemem.interop.nir import (  # noqa: E402
    from_nir,
    from_nir_with_report,
    read_nir,
    read_nir_graph,
    to_nir,
    write_nir,
)

from networks import delta_network, every_node_network, random_network, small_network, split_network  # noqa: E402

DT = 0.1


# -- networks --------------------------------------------------------------------------------------
# -- comparison ------------------------------------------------------------------------------------
def synapse_table(network: ir.Network, seed: int = 0) -> dict:
    table = {}
    for q in network.projections:
        s = ir.resolve(q, seed=seed)
        order = np.lexsort((s.delay, s.post, s.pre))
        table[q.name] = (
            q.pre.name,
            q.post.name,
            q.receptor,
            s.pre[order],
            s.post[order],
            s.weight[order],
            s.delay[order],
        )
    return table


def assert_same_network(original: ir.Network, imported: ir.Network, seed: int = 0) -> None:
    assert (imported.name, imported.dt, imported.numerics) == (original.name, original.dt, original.numerics)
    assert [p.name for p in imported.populations] == [p.name for p in original.populations]
    for a, b in zip(original.populations, imported.populations, strict=True):
        assert (a.size, a.cell.kind) == (b.size, b.cell.kind), a.name
        names = a.cell.parameter_names() + (("v_init",) if hasattr(a.cell, "v_init") else ())
        for name in names:
            x, y = getattr(a.cell, name), getattr(b.cell, name)
            if x is None or y is None:
                assert x is None and y is None, (a.name, name)
            elif name in ("times", "ids"):
                np.testing.assert_array_equal(x, y)
            else:
                np.testing.assert_array_equal(
                    np.broadcast_to(x, (a.size,)), np.broadcast_to(y, (a.size,)), err_msg=name
                )
    expected, got = synapse_table(original, seed), synapse_table(imported, seed)
    assert list(got) == list(expected)
    for name, row in expected.items():
        assert got[name][:3] == row[:3], name
        for x, y in zip(row[3:], got[name][3:], strict=True):
            np.testing.assert_array_equal(x, y, err_msg=name)


def spikes(network: ir.Network, duration: float = 100.0, seed: int = 0) -> dict:
    recording = spikemem.compile(network, backend="numba", seed=seed).run(duration=duration)
    return {name: (s.steps.copy(), s.ids.copy()) for name, s in recording.spikes.items()}


# -- export: the mapping ---------------------------------------------------------------------------
def test_if_curr_exp_becomes_cubalif_with_the_documented_conversion():
    graph, report = to_nir(small_network())
    node = graph.nodes["exc"]
    assert isinstance(node, nir.CubaLIF)
    np.testing.assert_array_equal(node.tau_mem, [20.0] * 3)
    np.testing.assert_array_equal(node.r, [40.0] * 3)  # tau_m/cm = 20 ms / 0.5 nF = 40 MΩ
    np.testing.assert_array_equal(node.v_leak, [-55.0] * 3)  # v_rest + r·i_offset = -65 + 40·0.25
    np.testing.assert_array_equal(node.v_threshold, [-50.0] * 3)
    np.testing.assert_array_equal(node.v_reset, [-70.0] * 3)
    np.testing.assert_array_equal(node.tau_syn, [5.0] * 3)  # only excitatory input: tau_syn_E
    np.testing.assert_array_equal(node.w_in, [5.0] * 3)  # w_in = tau_syn: a spike of weight w adds w nA
    meta = node.metadata["spikemem"]
    assert meta["tau_syn_used"] == "tau_syn_E" and meta["pynn"]["tau_syn_I"] == 10.0
    assert meta["dt_ms"] == DT and meta["numerics"] == "exact"
    assert graph.metadata["spikemem"]["time_unit"] == "ms"
    assert report.labels()["exc"] == "faithful"


def test_inhibitory_weights_are_negative_and_delays_are_delay_nodes():
    graph, _ = to_nir(small_network())
    linear = graph.nodes["exc_inh"]
    assert isinstance(linear, nir.Linear)
    expected = np.zeros((2, 3))  # (n_post, n_pre)
    expected[1, 0], expected[0, 2] = 0.5, 0.7
    np.testing.assert_array_equal(linear.weight, expected)
    np.testing.assert_array_equal(graph.nodes["exc_inh__delay"].delay, [0.3, 0.3])
    np.testing.assert_array_equal(graph.nodes["inh_inh"].weight, [[-0.2, 0.0], [0.0, -0.2]])
    np.testing.assert_array_equal(graph.nodes["inh_inh__delay"].delay, [2.0, 2.0])
    np.testing.assert_array_equal(graph.nodes["stim_exc"].weight, np.full((3, 2), 0.5))
    assert {("stim", "stim_exc"), ("stim_exc", "stim_exc__delay"), ("stim_exc__delay", "exc")} <= set(
        graph.edges
    )
    assert {("exc_inh__delay", "inh"), ("inh_inh__delay", "inh"), ("exc", "exc__output")} <= set(graph.edges)


def test_one_linear_and_delay_node_per_distinct_delay():
    stim = ir.Population(name="s", size=2, cell=ir.SpikeSourceArray())
    post = ir.Population(name="t", size=2, cell=ir.IF_curr_exp(tau_refrac=0.0))
    proj = ir.Projection(
        name="p",
        pre=stim,
        post=post,
        connector=ir.AllToAll(),
        weight=[0.1, 0.2, 0.3, 0.4],
        delay=[1.0, 2.0, 1.0, 2.0],
    )
    graph, _ = to_nir(ir.Network(populations=(stim, post), projections=(proj,)))
    # synapses in resolve order (pre, post): (0,0) 0.1 at 1 ms, (0,1) 0.2 at 2 ms,
    # (1,0) 0.3 at 1 ms, (1,1) 0.4 at 2 ms
    np.testing.assert_array_equal(graph.nodes["p__d0"].weight, [[0.1, 0.3], [0.0, 0.0]])
    np.testing.assert_array_equal(graph.nodes["p__d0__delay"].delay, [1.0, 1.0])
    np.testing.assert_array_equal(graph.nodes["p__d1"].weight, [[0.0, 0.0], [0.2, 0.4]])
    np.testing.assert_array_equal(graph.nodes["p__d1__delay"].delay, [2.0, 2.0])


def test_different_synaptic_time_constants_split_into_li_nodes():
    graph, report = to_nir(split_network())
    lif, exc, inh = graph.nodes["post"], graph.nodes["post__syn_exc"], graph.nodes["post__syn_inh"]
    assert isinstance(lif, nir.LIF) and isinstance(exc, nir.LI) and isinstance(inh, nir.LI)
    np.testing.assert_array_equal(lif.tau, [20.0] * 3)
    np.testing.assert_array_equal(lif.r, [40.0] * 3)
    np.testing.assert_array_equal(lif.v_leak, [-60.0] * 3)
    for node, tau in ((exc, 5.0), (inh, 10.0)):
        np.testing.assert_array_equal(node.tau, [tau] * 3)
        np.testing.assert_array_equal(node.r, [tau] * 3)
        np.testing.assert_array_equal(node.v_leak, [0.0] * 3)
    assert {("post__syn_exc", "post"), ("post__syn_inh", "post"), ("exc_in__delay", "post__syn_exc")} <= set(
        graph.edges
    )
    assert ("inh_in__delay", "post__syn_inh") in graph.edges
    np.testing.assert_array_equal(graph.nodes["inh_in"].weight, np.full((3, 2), -0.5))
    assert {report.labels()[k] for k in ("post", "post__syn_exc", "post__syn_inh")} == {"faithful"}


def test_if_curr_delta_becomes_an_approximate_lif():
    graph, report = to_nir(delta_network())
    node = graph.nodes["cells"]
    assert isinstance(node, nir.LIF)
    np.testing.assert_array_equal(node.r, [10.0, 10.0])  # r = tau_m: weight w (mV) -> jump of w mV
    np.testing.assert_array_equal(node.v_leak, [-67.5, -67.5])  # -70 + (10/2)·0.5
    entry = report.entry("cells")
    assert entry.fidelity == "approximate"
    assert any("end of its arrival step" in reason for reason in entry.reasons)


def test_time_unit_seconds_scales_time_constants_and_delays_only():
    graph, _ = to_nir(small_network(), time_unit="s")
    node = graph.nodes["exc"]
    np.testing.assert_allclose(node.tau_mem, [0.02] * 3, rtol=1e-15)
    np.testing.assert_allclose(node.tau_syn, [0.005] * 3, rtol=1e-15)
    np.testing.assert_allclose(node.w_in, [0.005] * 3, rtol=1e-15)
    np.testing.assert_array_equal(node.r, [40.0] * 3)  # MΩ whatever the time unit
    np.testing.assert_allclose(graph.nodes["inh_inh__delay"].delay, [0.002, 0.002], rtol=1e-15)
    assert graph.metadata["spikemem"]["time_unit"] == "s"


def test_spike_source_array_is_an_input_with_its_spikes_in_metadata():
    graph, report = to_nir(small_network())
    node = graph.nodes["stim"]
    assert isinstance(node, nir.Input)
    np.testing.assert_array_equal(node.input_type["input"], [2])
    np.testing.assert_array_equal(node.metadata["spikemem"]["spike_times_ms"], [1.0, 2.5, 4.0])
    np.testing.assert_array_equal(node.metadata["spikemem"]["spike_ids"], [0, 1, 0])
    entry = report.entry("stim")
    assert entry.fidelity == "faithful" and entry.external_data
    assert "not part of a NIR graph" in entry.notes[0]


# -- export: labels --------------------------------------------------------------------------------
def test_fidelity_labels_of_a_faithful_network():
    graph, report = to_nir(small_network())
    labels = report.labels()
    assert set(labels) == set(graph.nodes)  # every node has a label
    assert set(labels.values()) == {"faithful"}
    assert report.faithful and not report.not_faithful()
    for name, node in graph.nodes.items():
        if not isinstance(node, nir.Output):
            assert node.metadata["spikemem"]["fidelity"] == labels[name]


def test_refractoriness_makes_a_neuron_node_approximate():
    _, report = to_nir(small_network(tau_refrac=2.0))
    entry = report.entry("exc")
    assert entry.fidelity == "approximate"
    assert "tau_refrac = 2 ms" in entry.reasons[0] and "20 steps" in entry.reasons[0]  # round(2/0.1)
    assert report.labels()["stim_exc"] == "faithful"


def test_refractory_steps_follow_the_numerics():
    _, exact = to_nir(small_network(tau_refrac=0.21))
    _, spinnaker = to_nir(small_network(numerics="spinnaker", tau_refrac=0.21))
    assert "for 2 steps" in exact.entry("exc").reasons[0]  # round(2.1) = 2
    assert "for 3 steps" in spinnaker.entry("exc").reasons[0]  # ceil(2.1) = 3
    assert any("numerics 'spinnaker'" in r for r in spinnaker.entry("exc").reasons)
    assert not any("numerics" in r for r in exact.entry("exc").reasons)


def test_off_grid_delay_is_approximate():
    net = small_network()
    stim2 = ir.Population(name="stim2", size=3, cell=ir.SpikeSourceArray())
    proj = ir.Projection(
        name="late", pre=stim2, post=net.population("exc"), connector=ir.OneToOne(), weight=0.1, delay=0.25
    )
    net = ir.Network(populations=net.populations + (stim2,), projections=net.projections + (proj,), dt=DT)
    _, report = to_nir(net)
    entry = report.entry("late__delay")
    assert entry.fidelity == "approximate"
    assert "3 steps (0.3 ms)" in entry.reasons[0]  # 2.5 steps, halves up
    assert report.labels()["late"] == "faithful"


# -- export: unsupported constructs ----------------------------------------------------------------
def _with_population(cell, size=2) -> ir.Network:
    base = small_network()
    return ir.Network(
        populations=base.populations + (ir.Population(name="odd", size=size, cell=cell),),
        projections=base.projections,
        dt=DT,
    )


@pytest.mark.parametrize(
    ("cell", "words"),
    [
        (ir.SpikeSourcePoisson(rate=5.0), "Poisson source"),
        (ir.DiscreteLIF(), "DiscreteLIF"),
        (ir.DendriticNeuron(n_segments=2), "dendritic segments"),
    ],
)
def test_unsupported_populations_raise_by_default(cell, words):
    with pytest.raises(ir.UnsupportedFeature, match=rf"population 'odd' \({cell.kind}\)") as info:
        to_nir(_with_population(cell))
    assert words in str(info.value) and "strict=False" in str(info.value)


def test_plasticity_raises_by_default():
    net = every_node_network()
    with pytest.raises(ir.UnsupportedFeature, match="population 'noise'"):
        to_nir(net)
    static = ir.Network(
        populations=tuple(p for p in net.populations if p.name not in ("noise", "drive")),
        projections=tuple(q for q in net.projections if q.pre.name not in ("noise", "drive")),
        dt=net.dt,
    )
    with pytest.raises(
        ir.UnsupportedFeature, match=r"STDP plasticity on projection 'exc-exc-list'.*strict=False"
    ):
        to_nir(static)


def test_strict_false_labels_unsupported_constructs():
    net = every_node_network()
    graph, report = to_nir(net, strict=False)
    labels = report.labels()
    assert labels["noise"] == labels["drive"] == "unsupported"
    assert isinstance(graph.nodes["noise"], nir.Input)
    assert labels["exc-exc-all"] == "unsupported"  # STDP dropped
    np.testing.assert_array_equal(graph.nodes["exc-exc-all"].weight, np.full((6, 6), 0.2))  # initial weights
    assert labels["exc"] == "approximate"  # numerics "spinnaker"
    assert labels["stim-exc"] == "faithful"
    assert {e.fidelity for e in report.not_faithful()} == {"approximate", "unsupported"}


def test_strict_false_leaves_out_cells_nir_cannot_express():
    net = _with_population(ir.DiscreteLIF())
    odd = net.population("odd")
    net = ir.Network(
        populations=net.populations,
        projections=net.projections
        + (
            ir.Projection(
                name="to_odd", pre=net.population("stim"), post=odd, connector=ir.OneToOne(), weight=1.0
            ),
        ),
        dt=DT,
    )
    graph, report = to_nir(net, strict=False)
    assert "odd" not in graph.nodes and "to_odd" not in graph.nodes
    left_out = {e.source: e for e in report if not e.node}
    assert left_out["population 'odd' (DiscreteLIF)"].fidelity == "unsupported"
    assert left_out["projection 'to_odd'"].fidelity == "unsupported"
    assert from_nir(graph).population("exc").size == 3


def test_dense_matrix_limit(monkeypatch):
    monkeypatch.setattr(nir_export, "MAX_DENSE_ENTRIES", 5)
    with pytest.raises(ir.UnsupportedFeature, match=r"projection 'stim_exc': a dense 3 x 2 weight matrix"):
        to_nir(small_network())


def test_bad_export_arguments():
    with pytest.raises(ir.IRValidationError, match="time_unit"):
        to_nir(small_network(), time_unit="us")
    with pytest.raises(ir.IRValidationError, match="dt"):
        to_nir(small_network(), dt=0.0)
    with pytest.raises(ir.IRValidationError, match="network"):
        to_nir("not a network")


def test_missing_nir_package_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "nir", None)
    with pytest.raises(ImportError, match=r"pip install 'spikemem\[nir\]'"):
        to_nir(small_network())


# -- round trips -----------------------------------------------------------------------------------
ROUND_TRIP = {
    "small": small_network,
    "small-spinnaker-refractory": lambda: small_network("spinnaker", 1.5),
    "split": split_network,
    "delta": delta_network,
    "random-1": lambda: random_network(1),
    "random-2": lambda: random_network(2),
    "random-3": lambda: random_network(3),
}


@pytest.mark.parametrize("name", list(ROUND_TRIP))
def test_round_trip_preserves_every_parameter(name):
    original = ROUND_TRIP[name]()
    graph, _ = to_nir(original)
    assert_same_network(original, from_nir(graph))


@pytest.mark.parametrize("name", ["small", "split", "random-2"])
def test_round_trip_in_seconds_is_exact_too(name):
    original = ROUND_TRIP[name]()
    graph, _ = to_nir(original, time_unit="s")
    assert_same_network(original, from_nir(graph))


def test_round_trip_of_every_node_network_without_its_plasticity():
    original = every_node_network()
    graph, _ = to_nir(original, strict=False, seed=5)
    imported = from_nir(graph)
    assert [p.cell.kind for p in imported.populations] == [p.cell.kind for p in original.populations]
    assert imported.population("noise").cell.seed == 11
    assert not any(q.plastic for q in imported.projections)
    static = ir.Network(
        populations=original.populations,
        projections=tuple(
            ir.Projection(
                name=q.name,
                pre=q.pre,
                post=q.post,
                connector=q.connector,
                weight=q.weight,
                delay=q.delay,
                receptor=q.receptor,
            )
            for q in original.projections
        ),
        dt=original.dt,
        numerics=original.numerics,
        name=original.name,
    )
    assert_same_network(static, imported, seed=5)


def test_round_trip_through_a_file(tmp_path):
    original = random_network(4)
    path = tmp_path / "net.nir"
    report = write_nir(original, path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["net.nir"]  # written atomically, no leftovers
    raw = nir.read(path, type_check=False)  # the nir package reads it by itself
    assert isinstance(raw, nir.NIRGraph) and set(raw.nodes) == set(report.labels())
    assert isinstance(raw.nodes["pop0"], (nir.CubaLIF, nir.LIF))
    assert_same_network(original, read_nir(path))
    assert_same_network(original, from_nir(read_nir_graph(path)))


def test_round_trip_through_a_file_in_seconds(tmp_path):
    original = small_network("exact", 2.0)
    write_nir(original, tmp_path / "net.nir", time_unit="s")
    assert read_nir_graph(tmp_path / "net.nir").metadata["spikemem"]["time_unit"] == "s"
    assert_same_network(original, read_nir(tmp_path / "net.nir"))


def test_inputs_added_by_nir_type_inference_are_skipped(tmp_path):
    net = small_network()
    idle = ir.Population(name="idle", size=2, cell=ir.IF_curr_exp(i_offset=1.0, tau_refrac=0.0))
    net = ir.Network(populations=net.populations + (idle,), projections=net.projections, dt=DT, name="small")
    write_nir(net, tmp_path / "net.nir")
    checked = nir.read(tmp_path / "net.nir")  # type inference adds an Input in front of 'idle'
    assert "input_idle" in checked.nodes
    imported, report = from_nir_with_report(checked)
    assert_same_network(net, imported)
    assert "skipped" in report.entry("input_idle").notes[0]


def test_imported_network_runs_like_the_original():
    original = random_network(5)
    graph, _ = to_nir(original, seed=3)
    imported = from_nir(graph)
    expected, got = spikes(original, 150.0, seed=3), spikes(imported, 150.0, seed=3)
    assert sum(ids.size for _, ids in expected.values()) > 0
    assert expected.keys() == got.keys()
    for name in expected:
        np.testing.assert_array_equal(got[name][0], expected[name][0], err_msg=name)
        np.testing.assert_array_equal(got[name][1], expected[name][1], err_msg=name)


def test_without_metadata_the_graph_alone_decides():
    graph, _ = to_nir(small_network(tau_refrac=2.0))
    imported, report = from_nir_with_report(graph, use_metadata=False)
    exc = imported.population("exc").cell
    assert exc.tau_refrac == 0.0 and exc.i_offset == 0.0
    assert exc.v_rest == -55.0  # v_leak
    assert exc.cm == 0.5  # tau_mem/r = 20/40
    assert exc.tau_syn_E == exc.tau_syn_I == 5.0
    assert imported.population("stim").cell.times.size == 0
    assert report.entry("exc").fidelity == "faithful"
    assert report.entry("stim").external_data


# -- import of graphs built with nir ---------------------------------------------------------------
TIMES = np.arange(1.0, 60.0, 2.0)
IDS = np.arange(TIMES.size) % 2
W = np.array([[1.5, 0.0], [0.8, 2.0], [0.0, -1.0]])


def _cuba(n=3, w_in=5.0, tau_syn=5.0) -> nir.CubaLIF:
    return nir.CubaLIF(
        tau_syn=np.full(n, tau_syn),
        tau_mem=np.full(n, 20.0),
        r=np.full(n, 40.0),
        v_leak=np.full(n, -65.0),
        v_threshold=np.full(n, -60.0),
        v_reset=np.full(n, -70.0),
        w_in=np.full(n, w_in),
    )


def _graph(nodes: dict, edges: list) -> nir.NIRGraph:
    return nir.NIRGraph(nodes=nodes, edges=edges, type_check=False)


def _hand_built(cell, weights: np.ndarray, delay: float) -> ir.Network:
    """Source 'in' -> population 'lif' with the synapses of the (n_post, n_pre) matrix ``weights``."""
    source = ir.Population(name="in", size=2, cell=ir.SpikeSourceArray(times=TIMES, ids=IDS))
    target = ir.Population(name="lif", size=3, cell=cell)
    projections = []
    for receptor, sign in (("excitatory", 1.0), ("inhibitory", -1.0)):
        post, pre = np.nonzero(weights * sign > 0)
        if post.size:
            projections.append(
                ir.Projection(
                    name=receptor,
                    pre=source,
                    post=target,
                    connector=ir.FromList(pre=pre, post=post),
                    weight=np.abs(weights[post, pre]),
                    delay=delay,
                    receptor=receptor,
                )
            )
    return ir.Network(populations=(source, target), projections=tuple(projections), dt=DT)


def _assert_same_spikes(imported: ir.Network, reference: ir.Network) -> None:
    got, expected = spikes(imported), spikes(reference)
    assert expected["lif"][0].size > 5  # the test means something only if the neurons fire
    np.testing.assert_array_equal(got["lif"][0], expected["lif"][0])
    np.testing.assert_array_equal(got["lif"][1], expected["lif"][1])


def test_input_affine_cubalif_output_runs_like_the_hand_built_network():
    graph = _graph(
        {
            "in": nir.Input(input_type={"input": np.array([2])}),
            "aff": nir.Affine(weight=W, bias=np.zeros(3)),
            "lif": _cuba(),
            "out": nir.Output(output_type={"output": np.array([3])}),
        },
        [("in", "aff"), ("aff", "lif"), ("lif", "out")],
    )
    imported, report = from_nir_with_report(graph, inputs={"in": (TIMES, IDS)}, dt=DT)
    # w_in = tau_syn: a spike through weight w makes I jump by w nA; no Delay node: one step
    cell = ir.IF_curr_exp(
        cm=0.5,
        tau_m=20.0,
        tau_syn_E=5.0,
        tau_syn_I=5.0,
        v_rest=-65.0,
        v_thresh=-60.0,
        v_reset=-70.0,
        tau_refrac=0.0,
    )
    _assert_same_spikes(imported, _hand_built(cell, W, DT))
    assert report.entry("aff").fidelity == "approximate"  # zero delay became one step
    assert "less than one step" in report.entry("aff").reasons[0]
    assert report.entry("lif").fidelity == "faithful"
    assert report.entry("out").source == "spikes of 'lif'"


def test_w_in_scales_the_weights_and_delay_nodes_set_the_delay():
    graph = _graph(
        {
            "in": nir.Input(input_type={"input": np.array([2])}),
            "lin": nir.Linear(weight=W * 8.0),
            "d": nir.Delay(delay=np.full(3, 2.0)),
            "lif": _cuba(w_in=1.0, tau_syn=4.0),
        },
        [("in", "lin"), ("lin", "d"), ("d", "lif")],
    )
    imported, report = from_nir_with_report(graph, inputs={"in": (TIMES, IDS)}, dt=DT)
    cell = ir.IF_curr_exp(
        cm=0.5,
        tau_m=20.0,
        tau_syn_E=4.0,
        tau_syn_I=4.0,
        v_rest=-65.0,
        v_thresh=-60.0,
        v_reset=-70.0,
        tau_refrac=0.0,
    )
    _assert_same_spikes(imported, _hand_built(cell, W * 8.0 / 4.0, 2.0))  # w·w_in/tau_syn
    assert report.entry("d").fidelity == "faithful"


def test_graph_in_seconds_imports_in_milliseconds():
    cuba = nir.CubaLIF(
        tau_syn=np.full(3, 0.005),
        tau_mem=np.full(3, 0.02),
        r=np.full(3, 40.0),
        v_leak=np.full(3, -65.0),
        v_threshold=np.full(3, -60.0),
        v_reset=np.full(3, -70.0),
        w_in=np.full(3, 0.005),
    )
    graph = _graph(
        {
            "in": nir.Input(input_type={"input": np.array([2])}),
            "lin": nir.Linear(weight=W),
            "d": nir.Delay(delay=np.full(3, 0.002)),
            "lif": cuba,
        },
        [("in", "lin"), ("lin", "d"), ("d", "lif")],
    )
    imported = from_nir(graph, time_unit="s", inputs={"in": (TIMES, IDS)})
    cell = imported.population("lif").cell
    assert cell.tau_m == pytest.approx(20.0, rel=1e-14) and cell.tau_syn_E == pytest.approx(5.0, rel=1e-14)
    for proj in imported.projections:
        assert proj.delay == pytest.approx(2.0, rel=1e-14)


def test_lif_fed_directly_imports_as_if_curr_delta():
    lif = nir.LIF(
        tau=np.full(3, 10.0),
        r=np.full(3, 20.0),
        v_leak=np.full(3, -65.0),
        v_threshold=np.full(3, -60.0),
        v_reset=np.full(3, -70.0),
    )
    graph = _graph(
        {"in": nir.Input(input_type={"input": np.array([2])}), "lin": nir.Linear(weight=W), "lif": lif},
        [("in", "lin"), ("lin", "lif")],
    )
    imported, report = from_nir_with_report(graph, inputs={"in": (TIMES, IDS)}, dt=DT)
    cell = ir.IF_curr_delta(tau_m=10.0, v_rest=-65.0, v_thresh=-60.0, v_reset=-70.0, tau_refrac=0.0)
    _assert_same_spikes(imported, _hand_built(cell, W * 2.0, DT))  # jump r·w/tau = 2w mV
    assert report.entry("lif").fidelity == "approximate"


def test_li_synapses_feeding_an_lif_import_as_two_receptors():
    lif = nir.LIF(
        tau=np.full(3, 20.0),
        r=np.full(3, 40.0),
        v_leak=np.full(3, -65.0),
        v_threshold=np.full(3, -60.0),
        v_reset=np.full(3, -70.0),
    )
    positive, negative = np.clip(W, 0, None), np.clip(W, None, 0)
    graph = _graph(
        {
            "in": nir.Input(input_type={"input": np.array([2])}),
            "w_neg": nir.Linear(weight=negative * 3.0),
            "w_pos": nir.Linear(weight=positive),
            "i_inh": nir.LI(tau=np.full(3, 9.0), r=np.full(3, 3.0), v_leak=np.zeros(3)),  # jump 3w/9 = w/3
            "i_exc": nir.LI(tau=np.full(3, 4.0), r=np.full(3, 4.0), v_leak=np.zeros(3)),
            "lif": lif,
        },
        [
            ("in", "w_pos"),
            ("in", "w_neg"),
            ("w_pos", "i_exc"),
            ("w_neg", "i_inh"),
            ("i_exc", "lif"),
            ("i_inh", "lif"),
        ],
    )
    imported = from_nir(graph, inputs={"in": (TIMES, IDS)}, dt=DT)
    cell = ir.IF_curr_exp(
        cm=0.5,
        tau_m=20.0,
        tau_syn_E=4.0,
        tau_syn_I=9.0,
        v_rest=-65.0,
        v_thresh=-60.0,
        v_reset=-70.0,
        tau_refrac=0.0,
    )
    assert imported.population("lif").cell.tau_syn_I == 9.0
    _assert_same_spikes(imported, _hand_built(cell, positive + negative * 3.0 * 3.0 / 9.0, DT))


def test_recurrent_cubalif_and_direct_input_edges():
    graph = _graph(
        {
            "in": nir.Input(input_type={"input": np.array([3])}),
            "lif": _cuba(),
            "rec": nir.Linear(weight=np.full((3, 3), 0.3)),
            "d": nir.Delay(delay=np.full(3, 1.0)),
        },
        [("in", "lif"), ("lif", "rec"), ("rec", "d"), ("d", "lif")],
    )
    times = np.array([5.0, 5.0, 5.0, 20.0])
    imported = from_nir(graph, inputs={"in": (times, [0, 1, 2, 0])})
    by_name = {q.name: q for q in imported.projections}
    direct = ir.resolve(by_name["in_to_lif"])
    np.testing.assert_array_equal(direct.pre, [0, 1, 2])  # identity: neuron k -> neuron k, weight 1
    np.testing.assert_array_equal(direct.post, [0, 1, 2])
    np.testing.assert_array_equal(direct.weight, [1.0, 1.0, 1.0])
    recurrent = ir.resolve(by_name["lif_to_lif"])
    assert recurrent.size == 9 and np.all(recurrent.weight == 0.3) and np.all(recurrent.delay == 1.0)


# -- import errors ---------------------------------------------------------------------------------
def _simple(**override) -> dict:
    nodes = {
        "in": nir.Input(input_type={"input": np.array([2])}),
        "lin": nir.Linear(weight=W),
        "lif": _cuba(),
    }
    nodes.update(override)
    return nodes


EDGES = [("in", "lin"), ("lin", "lif")]


@pytest.mark.parametrize(
    ("node", "type_name"),
    [
        (nir.Threshold(threshold=np.ones(3)), "Threshold"),
        (nir.IF(r=np.ones(3), v_threshold=np.ones(3)), "IF"),
        (nir.Scale(scale=np.ones(3)), "Scale"),
        (nir.CubaLI(tau_syn=np.ones(3), tau_mem=np.ones(3), r=np.ones(3), v_leak=np.zeros(3)), "CubaLI"),
    ],
)
def test_other_node_types_are_rejected_by_name(node, type_name):
    graph = _graph(_simple(odd=node), EDGES + [("lif", "odd")])
    with pytest.raises(ir.UnsupportedFeature, match=rf"node 'odd' of type {type_name}"):
        from_nir(graph)


def test_nested_graphs_and_biases_and_stray_li_are_rejected():
    inner = _graph({"i": nir.Input(input_type={"input": np.array([3])})}, [])
    with pytest.raises(ir.UnsupportedFeature, match="node 'sub' of type NIRGraph"):
        from_nir(_graph(_simple(sub=inner), EDGES))
    with pytest.raises(ir.UnsupportedFeature, match="non-zero bias on node 'lin'"):
        from_nir(_graph(_simple(lin=nir.Affine(weight=W, bias=np.ones(3))), EDGES))
    li = nir.LI(tau=np.ones(3), r=np.ones(3), v_leak=np.zeros(3))
    with pytest.raises(ir.UnsupportedFeature, match="LI node 'li' feeding"):
        from_nir(_graph(_simple(li=li), [("in", "lin"), ("lin", "li"), ("li", "lif")]))
    with pytest.raises(ir.UnsupportedFeature, match="Output node 'out' fed by 'lin'"):
        from_nir(
            _graph(_simple(out=nir.Output(output_type={"output": np.array([3])})), EDGES + [("lin", "out")])
        )


def test_negative_time_constant_is_a_validation_error():
    lif = _cuba()
    lif.tau_mem = np.array([20.0, -20.0, 20.0])
    with pytest.raises(
        ir.IRValidationError, match=r"'lif' \(CubaLIF\): invalid tau_mem=-20\.0; allowed: values > 0"
    ) as info:
        from_nir(_graph(_simple(lif=lif), EDGES))
    assert isinstance(info.value, ValueError)


def test_mismatched_shapes_are_validation_errors():
    lif = _cuba()
    lif.r = np.full(4, 40.0)
    with pytest.raises(
        ir.IRValidationError, match=r"invalid r='array of shape \(4,\)'; allowed: shape \(3,\)"
    ):
        from_nir(_graph(_simple(lif=lif), EDGES))
    wide = nir.Linear(weight=np.ones((3, 4)))
    with pytest.raises(ir.IRValidationError, match=r"NIR edge \('in', 'lin'\): invalid shape='2 -> 4'"):
        from_nir(_graph(_simple(lin=wide), EDGES))


def test_non_finite_values_are_validation_errors():
    bad = W.copy()
    bad[0, 1] = np.nan
    with pytest.raises(
        ir.IRValidationError, match=r"'lin' \(Linear\): invalid weight=nan; allowed: finite values"
    ):
        from_nir(_graph(_simple(lin=nir.Linear(weight=bad)), EDGES))
    lif = _cuba()
    lif.v_leak = np.array([-65.0, np.inf, -65.0])
    with pytest.raises(ir.IRValidationError, match="invalid v_leak=inf"):
        from_nir(_graph(_simple(lif=lif), EDGES))
    lif = _cuba()
    lif.v_reset = np.full(3, -50.0)
    with pytest.raises(ir.IRValidationError, match="invalid v_reset=-50.0; allowed: v_reset < v_threshold"):
        from_nir(_graph(_simple(lif=lif), EDGES))


def test_bad_import_arguments_and_cycles():
    graph = _graph(_simple(), EDGES)
    with pytest.raises(ir.IRValidationError, match="time_unit"):
        from_nir(graph, time_unit="minutes")
    with pytest.raises(ir.IRValidationError, match="dt"):
        from_nir(graph, dt=-1.0)
    with pytest.raises(ir.IRValidationError, match=r"inputs='nope'; allowed: names of Input nodes \(in\)"):
        from_nir(graph, inputs={"nope": ([], [])})
    with pytest.raises(ir.IRValidationError, match="graph"):
        from_nir("not a graph")
    cyclic = _graph(
        _simple(back=nir.Linear(weight=np.eye(3)), again=nir.Linear(weight=np.eye(3))),
        EDGES + [("lin", "back"), ("back", "again"), ("again", "back"), ("again", "lif")],
    )
    with pytest.raises(ir.IRValidationError, match="cycle"):
        from_nir(cyclic)


def test_unreadable_file_is_a_validation_error(tmp_path):
    path = tmp_path / "bad.nir"
    path.write_text("not hdf5")
    with pytest.raises(ir.IRValidationError, match="NIR file"):
        read_nir(path)


def test_every_cell_type_of_the_ir_has_an_export_function():
    from spikemem.interop.nir.export_cells import export_cell
    from spikemem.ir.cells import CELL_TYPES

    assert set(export_cell.types) == set(CELL_TYPES.values())
    assert all(export_cell.supports(cls) for cls in CELL_TYPES.values())
