"""The ``nest`` backend (pyNN.nest, NEST 3.10) against the reference engine: spike-exact on a
feed-forward network whose delays NEST can express, statistics on CUBA, one STDP pair against
explicit pair enumeration, schedules and weight read-back."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest

pytest.importorskip("nest")
pytest.importorskip("pyNN")

import spikemem  # noqa: E402
from spikemem import ir  # noqa: E402
from spikemem.ir import RecordSpec  # noqa: E402
from spikemem.plasticity import pair_stdp_weight  # noqa: E402
from spikemem.verify import compare_spikes, compare_statistics, samples  # noqa: E402

from networks import nest_feedforward  # noqa: E402


def test_feedforward_spikes_and_voltages_equal_the_reference():
    net = nest_feedforward()
    assert net.projections[0].weight.size == ir.resolve(net.projections[0], 0).size > 100  # per-synapse weights
    record = RecordSpec(state={"a": ("v",), "c": ("v",)}, state_every=2)
    reference = spikemem.compile(net, backend="numba", record=record).run(150.0)
    candidate = spikemem.compile(net, backend="nest", record=record).run(150.0)
    agreement = compare_spikes(reference, candidate)
    assert min(len(reference.spikes[p]) for p in ("a", "b", "c")) > 20
    assert agreement.mismatches == 0, agreement.populations
    for pop in ("a", "c"):
        ref, got = reference.state[pop], candidate.state[pop]
        assert np.array_equal(ref.steps, got.steps)
        assert np.max(np.abs(ref.values["v"] - got.values["v"])) < 1e-9  # mV; float64 rounding only
    assert candidate.meta["backend"] == "nest" and candidate.meta["versions"]["nest"] == "3.10.0"
    assert candidate.meta["mpi"] == {"rank": 0, "processes": 1}


def test_one_step_neuron_delay_arrives_one_step_late():
    net = nest_feedforward(neuron_delay_steps=1, feedback=False)
    reference = spikemem.compile(net, backend="numba").run(150.0)
    with pytest.warns(RuntimeWarning, match="one step later"):
        candidate = spikemem.compile(net, backend="nest").run(150.0)
    assert compare_spikes(reference, candidate, ["a", "c"]).mismatches == 0  # a_c (onto delta) is exact
    assert compare_spikes(reference, candidate, ["b"]).mismatches > 0


def test_runs_are_repeatable_and_compiled_networks_independent():
    first = spikemem.compile(nest_feedforward(), backend="nest")
    second = spikemem.compile(nest_feedforward(neuron_delay_steps=3), backend="nest")
    a1, b1, a2 = first.run(60.0), second.run(60.0), first.run(60.0)
    assert a1.spike_hash() == a2.spike_hash() and a1.spike_hash() != b1.spike_hash()


def test_cuba_statistics_agree_with_the_reference():
    """CUBA is chaotic: compare rates, ISI CVs and ISI distributions over seeds (verify's table)."""
    from spikemem.networks.cuba import cuba_network

    runs: dict[str, list] = {"numba": [], "nest": []}
    for seed in (1, 2, 3):
        net = cuba_network(1000, p=0.08, dt=0.1, seed=seed)
        for backend in runs:
            runs[backend].append(
                spikemem.compile(net, backend=backend, record=RecordSpec(weights=False)).run(1000.0)
            )
    for pop in ("exc", "inh"):
        result = compare_statistics(samples(runs["numba"], pop), samples(runs["nest"], pop), "nest")
        assert result.passed, result.summary()


# --------------------------------------------------------------------------- STDP

DT, TAU_P, TAU_M, A_PLUS, A_MINUS, W0, W_MAX = 1.0, 5.0, 7.0, 0.4, 0.3, 1.0, 5.0
RUN_MS = 320.0
LAGS = (-3, -2, -1, 0, 1, 2, 3)


def pair_network(post_cell: str, pre_kind: str, zero_lag: str) -> tuple[ir.Network, list[tuple[int, int]]]:
    """One pre/post pair per lag; the plastic synapse (2 steps, dendritic) sees exactly one pair.

    ``pre_kind="neuron"``: the pre neuron is driven by a source (it spikes one step after its drive).
    """
    n = len(LAGS)
    pre_steps = [10] * n
    late = 300  # a second pre spike, long after: NEST applies potentiation at the next pre spike
    post_steps = [10 + lag - 2 for lag in LAGS]  # Δ = t_post + d - t_pre = lag
    drive = ir.Population(
        name="drive",
        size=n,
        cell=ir.SpikeSourceArray(times=[(s - 1) * DT for s in post_steps], ids=list(range(n))),
    )
    post = ir.Population(
        name="post",
        size=n,
        cell=(ir.IF_curr_delta if post_cell == "delta" else ir.IF_curr_exp)(
            cm=1.0,
            tau_m=10.0,
            v_rest=-65.0,
            v_reset=-65.0,
            v_thresh=-50.0,
            tau_refrac=1.0,
            **({} if post_cell == "delta" else {"tau_syn_E": 0.5}),
        ),
    )
    populations = [drive, post]
    drive_weight = 30.0 if post_cell == "delta" else 80.0
    projections = [
        ir.Projection(
            name="drive", pre=drive, post=post, connector=ir.OneToOne(), weight=drive_weight, delay=DT
        )
    ]
    if pre_kind == "source":
        pre = ir.Population(
            name="pre",
            size=n,
            cell=ir.SpikeSourceArray(
                times=[s * DT for s in pre_steps] + [late * DT] * n, ids=list(range(n)) * 2
            ),
        )
        populations.append(pre)
    else:
        pre_drive = ir.Population(
            name="pre_drive",
            size=n,
            cell=ir.SpikeSourceArray(
                times=[(s - 1) * DT for s in pre_steps] + [(late - 1) * DT] * n, ids=list(range(n)) * 2
            ),
        )
        pre = ir.Population(
            name="pre",
            size=n,
            cell=ir.IF_curr_delta(
                cm=1.0, tau_m=10.0, v_rest=-65.0, v_reset=-65.0, v_thresh=-50.0, tau_refrac=1.0
            ),
        )
        populations += [pre_drive, pre]
        projections.append(
            ir.Projection(
                name="pre_drive", pre=pre_drive, post=pre, connector=ir.OneToOne(), weight=30.0, delay=DT
            )
        )
    rule = ir.STDP(
        timing=ir.SpikePair(tau_plus=TAU_P, tau_minus=TAU_M, A_plus=A_PLUS, A_minus=A_MINUS),
        weight=ir.Additive(w_min=0.0, w_max=W_MAX),
        zero_lag=zero_lag,
    )
    projections.append(
        ir.Projection(
            name="plastic",
            pre=pre,
            post=post,
            connector=ir.OneToOne(),
            weight=W0,
            delay=2 * DT,
            plasticity=rule,
        )
    )
    net = ir.Network(populations=tuple(populations), projections=tuple(projections), dt=DT, name="pairs")
    return net, list(zip(pre_steps, post_steps, strict=True))


def pair_weights(rec, rule: ir.STDP, shift: int) -> list[float]:
    pre, post = rec.spikes["pre"], rec.spikes["post"]
    return [
        pair_stdp_weight(
            rule,
            W0,
            pre.steps[pre.ids == k],
            post.steps[post.ids == k] + shift,
            delay_steps=2,
            dt=DT,
            n_steps=int(RUN_MS / DT),
        )
        for k in range(len(LAGS))
    ]


def test_one_stdp_pair_is_exact_when_nest_can_reproduce_the_rule():
    """Neuron -> IF_curr_delta, dendritic, zero lag ignored: NEST's stdp_synapse gives the rule's weights."""
    net, pairs = pair_network("delta", "neuron", "ignore")
    rec = spikemem.compile(net, backend="nest").run(RUN_MS)
    assert [int(s) for s in rec.spikes["post"].steps[np.argsort(rec.spikes["post"].ids)]] == [
        p for _, p in pairs
    ]
    rule = net.projection("plastic").plasticity
    expected = pair_weights(rec, rule, 0)
    assert np.allclose(rec.weights["run"]["plastic"], expected, rtol=1e-12, atol=1e-12)
    reference = spikemem.compile(net, backend="numba").run(RUN_MS)
    assert np.allclose(reference.weights["run"]["plastic"], expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(
    "post_cell, pre_kind, shift", [("exp", "neuron", -1), ("exp", "source", 1), ("delta", "source", 2)]
)
def test_one_stdp_pair_otherwise_sees_a_shifted_lag_and_ignores_zero_lag(post_cell, pre_kind, shift):
    """What NEST computes with stdp='approximate': the pair rule with zero lag ignored, on the lag
    shifted by ``shift`` steps (its time stamps and the delay conversion), as docs/nest.md states."""
    net, _ = pair_network(post_cell, pre_kind, "depress")
    with pytest.warns(RuntimeWarning, match=re.escape(f"Δ {shift:+d} step")):
        rec = spikemem.compile(net, backend="nest", stdp="approximate").run(RUN_MS)
    reference = spikemem.compile(net, backend="numba").run(RUN_MS)
    assert compare_spikes(reference, rec).mismatches == 0  # the spikes themselves are exact
    rule = net.projection("plastic").plasticity
    nest_rule = ir.STDP(timing=rule.timing, weight=rule.weight, zero_lag="ignore")
    assert np.allclose(
        rec.weights["run"]["plastic"], pair_weights(rec, nest_rule, shift), rtol=1e-12, atol=1e-12
    )
    assert not np.allclose(rec.weights["run"]["plastic"], reference.weights["run"]["plastic"])


def test_learning_switched_off_by_a_phase_freezes_weights():
    net, _ = pair_network("delta", "neuron", "ignore")
    schedule = ir.Schedule(
        phases=(ir.Phase(name="off", duration=200.0, plastic=()), ir.Phase(name="on", duration=120.0))
    )
    rec = spikemem.compile(net, schedule, backend="nest").run()
    assert np.all(rec.weights["off"]["plastic"] == W0)
    assert not np.all(rec.weights["on"]["plastic"] == W0)
    assert [p.name for p in rec.phases] == ["off", "on"]


def test_weights_come_back_in_the_reference_order():
    src = ir.Population(name="src", size=6, cell=ir.SpikeSourceArray())
    a = ir.Population(name="a", size=5, cell=ir.IF_curr_delta())
    rule = ir.STDP(weight=ir.Additive(w_max=1.0), zero_lag="ignore")
    conn = ir.FromList(pre=[5, 0, 3, 3, 1], post=[0, 4, 2, 1, 1], weight=[0.1, 0.2, 0.3, 0.4, 0.5])
    net = ir.Network(
        populations=(src, a),
        projections=(ir.Projection(name="p", pre=src, post=a, connector=conn, delay=1.0, plasticity=rule),),
        dt=0.1,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        rec = spikemem.compile(net, backend="nest", stdp="approximate").run(5.0)
    assert rec.weights["run"]["p"].tolist() == pytest.approx([0.1, 0.2, 0.3, 0.4, 0.5], rel=1e-12)
