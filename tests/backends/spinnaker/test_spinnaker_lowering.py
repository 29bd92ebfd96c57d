"""The SpiNNaker lowering without sPyNNaker: the plan, the PyNN calls it makes on an injected
simulator module (a recording test double), the Neo read-back, and what the backend refuses."""

from __future__ import annotations

import types
import warnings

import numpy as np
import pytest

from spikemem import ir
from spikemem.backends.pynn.build import build, read_recording, run_phases
from spikemem.backends.pynn.lowering import SPINNAKER, lower_network
from spikemem.ir import RecordSpec
from spikemem.models import ca3
from spikemem.models.ca3.experiments import functional_memory


def lower(network, schedule=None, record=None):
    return lower_network(
        network,
        schedule or ir.Schedule.single(20.0),
        dialect=SPINNAKER,
        dt=network.dt,
        numerics="spinnaker",
        seed=0,
        record=record or RecordSpec(),
    )


# --------------------------------------------------------------------------- a PyNN test double


class _Train:
    def __init__(self, times, index):
        self.magnitude = np.asarray(times, dtype=float)
        self.annotations = {"source_index": index}


class _Signal:
    def __init__(self, name, data):
        self.name, self.magnitude = name, data
        self.array_annotations = {"channel_index": np.arange(data.shape[1])}


class _Segment:
    def __init__(self, trains, signals):
        self.spiketrains, self.signals = trains, signals

    def filter(self, name):
        return [s for s in self.signals if s.name == name]


class FakeSim:
    """Records every call; populations answer get_data from ``spikes`` (label -> [(t, id)])."""

    def __init__(self, spikes=None):
        self.calls, self.spikes = [], spikes or {}
        self.time = 0.0
        for name in (
            "IF_curr_exp",
            "IF_curr_delta",
            "SpikeSourceArray",
            "OneToOneConnector",
            "AllToAllConnector",
            "StaticSynapse",
            "SpikePairRule",
            "AdditiveWeightDependence",
            "MultiplicativeWeightDependence",
            "STDPMechanism",
        ):
            setattr(self, name, self._factory(name))
        self.FromListConnector = self._factory("FromListConnector")

    def _factory(self, name):
        def make(*args, **kwargs):
            self.calls.append((name, args, kwargs))
            return types.SimpleNamespace(kind=name, args=args, kwargs=kwargs)

        return make

    def Population(self, size, celltype, label, **kwargs):  # noqa: N802 - PyNN's name
        sim = self
        self.calls.append(("Population", (size, celltype.kind, label), kwargs))

        class Pop:
            recorded: list = []

            def record(self, variables):
                sim.calls.append(("record", (label, variables), {}))

            def get_data(self, variables):
                trains = [_Train([t for t, i in sim.spikes.get(label, []) if i == k], k) for k in range(size)]
                n = int(round(sim.time / 1.0)) + 1
                signals = [_Signal("v", np.full((n, size), -60.0))]
                return types.SimpleNamespace(segments=[_Segment(trains, signals)])

        return Pop()

    def Projection(self, pre, post, connector, synapse_type, receptor_type, label):  # noqa: N802
        self.calls.append(("Projection", (label, connector.kind, synapse_type.kind, receptor_type), {}))
        rows = connector.args[0] if connector.kind == "FromListConnector" else None
        return types.SimpleNamespace(get=lambda *a, **k: [(r[0], r[1], r[2]) for r in rows])

    def run(self, duration):
        self.calls.append(("run", (duration,), {}))
        self.time += duration

    def named(self, name):
        return [c for c in self.calls if c[0] == name]


# --------------------------------------------------------------------------- tests


def test_ca3_plan_keeps_native_connectors_and_lists_the_rest():
    memory = functional_memory()
    plan = lower(memory.network(), memory.schedule())
    kinds = {p.name: p.connector.kind for p in plan.projections}
    assert kinds["p03_CueCue_CueCont"] == "OneToOne"
    assert kinds["p01_IN_CueCue"] == "FromList"  # a view of IN
    assert kinds["p04_CueCue_CueCont"] == "FromList"  # i != j dropped between two populations
    assert kinds["p12_CueCont_CueCont"] == "AllToAll"  # same population: PyNN drops i == j itself
    assert all(np.array_equal(p.sim_delay_steps, p.delay_steps) for p in plan.projections)  # no offsets
    stdp = plan.projections[9].synapse
    assert stdp.kind == "stdp" and stdp.timing["A_plus"] == 6.0  # sPyNNaker 7: absolute nA
    assert len(plan.phases) == len(memory.schedule().phases)
    # the schedule's stimuli become the IN source's spike times
    assert sum(t.size for t in plan.population("IN").spike_times) == sum(
        s.times.size for ph in memory.schedule().phases for s in ph.stimuli
    )


def test_build_makes_the_pynn_calls_and_reads_spikes_back():
    memory = functional_memory()
    net, schedule = memory.network(), memory.schedule()
    plan = lower(net, schedule, RecordSpec(spikes=("OUT", "IN"), state={"OUT": ("v",)}))
    sim = FakeSim(spikes={"OUT": [(5.0, 0), (7.0, 12)], "IN": [(0.0, 1)]})
    built = build(sim, plan, population_options=lambda p: {"additional_parameters": {"neurons_per_core": 64}})
    assert [c[1][2] for c in sim.named("Population")] == [p.name for p in net.populations]
    assert sim.named("Population")[1][2] == {
        "initial_values": {"v": -60.0},
        "additional_parameters": {"neurons_per_core": 64},
    }
    projections = sim.named("Projection")
    assert len(projections) == 18 and projections[9][1] == (
        "p10_CueCue_ContCue",
        "AllToAllConnector",
        "STDPMechanism",
        "excitatory",
    )
    assert sim.named("record") == [
        ("record", ("IN", "spikes"), {}),
        ("record", ("OUT", "spikes"), {}),
        ("record", ("OUT", ["v"]), {}),
    ]
    weights, phases = run_phases(sim, plan, built, read_weights=False)
    assert sum(c[1][0] for c in sim.named("run")) == pytest.approx(memory.duration_ms)
    rec = read_recording(plan, built, weights=weights, phases=phases, meta={"backend": "test"})
    assert rec.spikes["OUT"].steps.tolist() == [5, 7] and rec.spikes["OUT"].ids.tolist() == [0, 12]
    assert set(rec.spikes) == {"OUT", "IN"} and rec.state["OUT"].values["v"].shape[1] == 15


def test_weights_are_read_back_in_the_reference_order():
    src = ir.Population(name="src", size=4, cell=ir.SpikeSourceArray())
    a = ir.Population(name="a", size=4, cell=ir.IF_curr_exp())
    rule = ir.STDP(weight=ir.Additive(w_max=1.0))
    conn = ir.FromList(pre=[3, 0, 2, 1], post=[0, 3, 1, 1], weight=[0.1, 0.2, 0.3, 0.4])
    net = ir.Network(
        populations=(src, a),
        projections=(ir.Projection(name="p", pre=src, post=a, connector=conn, delay=1.0, plasticity=rule),),
        dt=1.0,
    )
    plan = lower(net)
    sim = FakeSim()
    built = build(sim, plan)
    plan.projections[0].connector.rows[:] = (
        plan.projections[0].connector.rows[::-1].copy()
    )  # simulator's order
    weights, _ = run_phases(sim, plan, built)
    assert weights["run"]["p"].tolist() == [0.1, 0.2, 0.3, 0.4]


@pytest.mark.parametrize(
    "change, match",
    [
        ({"zero_lag": "ignore"}, "zero_lag"),
        ({"delay_convention": "axonal"}, "delay_convention"),
        ({"clipping": "end_of_phase"}, "clipping"),
    ],
)
def test_stdp_conventions_spinnaker_lacks_raise(change, match):
    params = ca3.Params()
    import dataclasses

    net = ca3.build(params)
    projections = tuple(
        dataclasses.replace(p, plasticity=dataclasses.replace(p.plasticity, **change)) if p.plastic else p
        for p in net.projections
    )
    net = ir.Network(populations=net.populations, projections=projections, dt=1.0, numerics="spinnaker")
    with pytest.raises(ir.UnsupportedFeature, match=match):
        lower(net)


def test_multiplicative_amplitudes_stay_dimensionless_and_w_max_convention_scales():
    src = ir.Population(name="src", size=1, cell=ir.SpikeSourceArray())
    a = ir.Population(name="a", size=1, cell=ir.IF_curr_exp())
    rules = {
        "mult": ir.STDP(timing=ir.SpikePair(A_plus=0.1, A_minus=0.2), weight=ir.Multiplicative(w_max=2.0)),
        "wmax": ir.STDP(
            timing=ir.SpikePair(A_plus=0.1, A_minus=0.2), weight=ir.Additive(w_max=2.0), amplitude="w_max"
        ),
    }
    net = ir.Network(
        populations=(src, a),
        projections=tuple(
            ir.Projection(
                name=k, pre=src, post=a, connector=ir.OneToOne(), weight=0.5, delay=1.0, plasticity=r
            )
            for k, r in rules.items()
        ),
        dt=1.0,
    )
    mult, wmax = (p.synapse for p in lower(net).projections)
    assert mult.dependence == "multiplicative" and mult.timing["A_plus"] == pytest.approx(0.1)
    assert wmax.timing["A_plus"] == pytest.approx(0.2) and wmax.timing["A_minus"] == pytest.approx(0.4)


def test_backend_refuses_illegal_dt_and_names_the_legal_ones():
    pytest.importorskip("spynnaker")
    import spikemem

    net = ir.Network(
        populations=(ir.Population(name="a", size=1, cell=ir.IF_curr_exp()),), dt=0.5, numerics="spinnaker"
    )
    with pytest.raises(
        ir.UnsupportedFeature, match=r"1\.0 ms \(real time\) or dt = 0\.1 ms with a time scale"
    ):
        spikemem.compile(net, backend="spinnaker", virtual=True)


def test_backend_warns_what_differs_for_exact_numerics_and_refuses_learning_switches():
    pytest.importorskip("spynnaker")
    import spikemem
    from spikemem.models.ca3.memory import CA3Memory

    net = ir.Network(populations=(ir.Population(name="a", size=1, cell=ir.IF_curr_exp()),), dt=1.0)
    with pytest.warns(RuntimeWarning, match=r"\(tau_syn/dt\)\(1 - e\^\(-dt/tau_syn\)\)"):
        spikemem.compile(net, backend="spinnaker", virtual=True)
    memory = CA3Memory(5, 10, variant="improved")  # reads switch STDP off
    memory.learn(0, {1, 2})
    memory.recall_cue(0)
    with pytest.raises(ir.UnsupportedFeature, match="switching STDP off"):
        spikemem.compile(memory.network(), memory.schedule(), backend="spinnaker", virtual=True)
    with pytest.raises(ir.UnsupportedFeature, match="isyn_exc"):
        spikemem.compile(
            net, backend="spinnaker", virtual=True, record=RecordSpec(state={"a": ("isyn_exc",)})
        )


def test_backend_without_machine_names_the_key(monkeypatch, tmp_path):
    pytest.importorskip("spynnaker")
    import spikemem
    from spikemem.backends.spinnaker import SpiNNakerConfigError

    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("SPIKEMEM_SPINNAKER", raising=False)
    net = ir.Network(
        populations=(ir.Population(name="a", size=1, cell=ir.IF_curr_exp()),), dt=1.0, numerics="spinnaker"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(SpiNNakerConfigError) as info:
            spikemem.compile(net, backend="spinnaker")
    assert info.value.key == "machine"


def test_cells_without_a_pynn_model_are_unsupported():
    from spikemem.ir.cells import CELL_TYPES

    for kind in ("DendriticNeuron", "DiscreteLIF"):
        if kind not in CELL_TYPES:
            continue
        pop = ir.Population(name="d", size=2, cell=CELL_TYPES[kind]())
        src = ir.Population(name="s", size=1, cell=ir.SpikeSourceArray(times=[1.0], ids=[0]))
        for populations in ((pop,), (pop, src)):
            net = ir.Network(populations=populations, dt=1.0, numerics="spinnaker")
            with pytest.raises(ir.UnsupportedFeature, match=kind):
                lower(net)
