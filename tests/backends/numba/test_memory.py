"""Memory of the Numba engine: only the requested state is stored, source spikes take memory in
proportion to the spikes (not the steps), the whole-run estimate, the refusals before allocating,
and the float32 weight table."""

from __future__ import annotations

import time
import tracemalloc

import numpy as np
import pytest

import spikemem
from spikemem import ir
from spikemem.backends.numba import runner
from spikemem.backends.numba.memory import estimate_memory
from spikemem.lowering import flatten, source_spikes, step_pointers

from networks import feedforward  # noqa: E402

GIB = 2**30


def _run(record: ir.RecordSpec, duration: float = 60.0, **options: object) -> spikemem.results.Recording:
    return spikemem.compile(
        feedforward(), backend="numba", seed=2, record=record, progress=False, **options
    ).run(duration)


def test_each_population_keeps_only_the_variables_it_asked_for() -> None:
    all_three = ("v", "isyn_exc", "isyn_inh")
    every = ir.RecordSpec(state={"exc": all_three, "delta": ("v",), "inh": all_three})
    some = ir.RecordSpec(state={"exc": ("isyn_inh",), "delta": ("v",), "inh": ("isyn_exc", "v")})
    full, part = _run(every), _run(some)
    assert part.state["exc"].variables == ("isyn_inh",)
    assert part.state["delta"].variables == ("v",)
    assert set(part.state["inh"].variables) == {"v", "isyn_exc"}
    for name, variable in (("exc", "isyn_inh"), ("delta", "v"), ("inh", "v"), ("inh", "isyn_exc")):
        values = part.state[name].values[variable]
        np.testing.assert_array_equal(values, full.state[name].values[variable])
        assert np.ptp(values) > 0  # the trace moves: a real comparison


def test_only_the_requested_variable_gets_a_buffer() -> None:
    runnable = spikemem.compile(
        feedforward(),
        backend="numba",
        record=ir.RecordSpec(state={"exc": ("v",)}, state_every=10),
        progress=False,
    )
    record, spans = runner._state_record(runnable, n_steps=1000)
    v, isyn_exc, isyn_inh = record[1:4]
    assert v[3].size == 100 * 30  # 100 samples of the 30 exc neurons, nothing more
    assert isyn_exc[3].size == 0 and isyn_inh[3].size == 0
    assert spans == [("exc", "v", 0, 30)]


def test_recorded_state_is_not_copied_into_the_recording() -> None:
    recording = _run(ir.RecordSpec(state={"exc": ("v",), "delta": ("v",)}))
    exc, delta = recording.state["exc"].values["v"], recording.state["delta"].values["v"]
    assert exc.base is not None and exc.base is delta.base  # two views of one buffer


def test_spikes_of_unrecorded_populations_are_not_stored_and_the_rest_is_unchanged() -> None:
    full = _run(ir.RecordSpec())
    part = _run(ir.RecordSpec(spikes=("delta",)))
    assert set(part.spikes) == {"delta"}
    assert part.spikes["delta"] == full.spikes["delta"]
    assert full.spike_count("exc") > 0 and full.spike_count("delta") > 0


def test_source_spikes_take_memory_in_proportion_to_spikes_not_steps() -> None:
    net = feedforward()
    poisson_free = ir.Network(
        populations=tuple(p for p in net.populations if p.name != "poisson"),
        projections=tuple(p for p in net.projections if p.pre.name != "poisson"),
        dt=0.1,
    )
    flat = flatten(poisson_free, 0.1, "exact", 0, backend="test")
    tracemalloc.start()
    steps, gids = source_spikes(poisson_free, ir.Schedule.single(1e9), flat, 0)  # 10^10 steps
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert steps.size == 60 and peak < 1 << 20  # an int64 per step would be 80 GB
    ptr = step_pointers(steps, int(steps[0]), int(steps[0]) + 3)
    assert ptr[0] == 0 and ptr[1] == np.count_nonzero(steps == steps[0])


def test_the_estimate_counts_the_known_items_exactly() -> None:
    net = feedforward()
    record = ir.RecordSpec(state={"exc": ("v", "isyn_exc")}, state_every=4)
    estimate = estimate_memory(net, duration=100.0, record=record)
    items = {item.name: item.nbytes for item in estimate.items}
    # 1000 steps / 4 = 250 samples of 30 neurons x 2 variables, float64, plus 24 B per column
    assert items["sampled state"] == 250 * 60 * 8 + 24 * 60
    # synapse table: 24 B per synapse (int32 target and delay, float64 weight, int64 position)
    assert estimate.bytes_per_synapse == 24
    f32 = estimate_memory(net, duration=100.0, record=record, weight_dtype="float32")
    assert f32.bytes_per_synapse == 20
    synapses = spikemem.compile(net, backend="numba", progress=False).layout.synapses
    drawn = synapses.target.size
    assert abs(estimate.synapses - drawn) < 0.15 * drawn  # the expected count, before drawing


def test_a_recording_that_does_not_fit_is_refused_in_seconds(monkeypatch: pytest.MonkeyPatch) -> None:
    runnable = spikemem.compile(
        feedforward(),
        backend="numba",
        record=ir.RecordSpec(state={"exc": ("v", "isyn_exc", "isyn_inh")}),
        progress=False,
    )
    monkeypatch.setattr(spikemem.ir.memory, "available_bytes", lambda: 64 * 2**20)
    started = time.perf_counter()
    with pytest.raises(ir.MemoryBudgetError, match=r"biggest consumer is sampled state .*state_every"):
        runnable.run(1e7)  # 10^8 samples x 90 columns: 67 GiB
    assert time.perf_counter() - started < 5.0


def test_a_network_whose_tables_do_not_fit_is_refused_before_drawing(monkeypatch: pytest.MonkeyPatch) -> None:
    from spikemem.networks import cuba_network

    monkeypatch.setattr(spikemem.ir.memory, "available_bytes", lambda: 8 * 2**20)
    monkeypatch.setattr("spikemem.lowering.synapses.resolve", _must_not_draw)
    with pytest.raises(ir.MemoryBudgetError, match=r"biggest consumer is synapse (table|build) .*sparser"):
        spikemem.compile(cuba_network(n=20_000, p=0.02), backend="numba", progress=False)


def _must_not_draw(*args: object) -> None:
    raise AssertionError("synapses were drawn before the memory check")


def test_float32_weights_are_opt_in_and_reported() -> None:
    record = ir.RecordSpec(state={"delta": ("v",)})
    f64 = spikemem.compile(feedforward(), backend="numba", seed=2, record=record, progress=False)
    f32 = spikemem.compile(
        feedforward(), backend="numba", seed=2, record=record, progress=False, weight_dtype="float32"
    )
    assert f64.layout.synapses.weight.dtype == np.float64
    assert f32.layout.synapses.weight.dtype == np.float32
    a, b = f64.run(60.0), f32.run(60.0)
    assert a.meta["bytes_per_synapse"] == 24 and b.meta["bytes_per_synapse"] == 20
    # non-dyadic weights: float32 rounds them, so the traces agree only to float32 precision
    np.testing.assert_allclose(a.state["delta"].values["v"], b.state["delta"].values["v"], rtol=0, atol=1e-4)


@pytest.mark.parametrize("bad", ["float16", "double", 32, None])
def test_a_bad_weight_dtype_is_refused_by_name(bad: object) -> None:
    with pytest.raises(ir.IRValidationError, match=r"weight_dtype=.*'float64' or 'float32'"):
        spikemem.compile(feedforward(), backend="numba", weight_dtype=bad)
