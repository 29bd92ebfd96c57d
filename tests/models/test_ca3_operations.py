"""The operations API: building programs, timing rules, schedules and decoding."""

from __future__ import annotations

import pytest

from spikemem import ir
from spikemem.backends.base import Capability
from spikemem.models import ca3
from spikemem.models.ca3.experiments import functional_memory, load_hardware_spikes
from spikemem.models.ca3.memory import (
    Answer,
    CA3Memory,
    Learn,
    OperationTimingError,
    RecallContent,
    RecallCue,
    check_backend,
    check_timing,
    ideal_answers,
)


def test_docstring_example():
    mem = CA3Memory(5, 10)
    mem.learn(0, {0, 1, 8, 9})
    mem.recall_cue(0)
    mem.recall_content({8})
    assert [op.at for op in mem.operations] == [0, 7, 13]
    result = mem.run()
    assert result.all_correct
    assert result.answers[1] == Answer(frozenset({0}), frozenset({0, 1, 8, 9}))
    assert result.answers[2] == Answer(frozenset({0}), frozenset({8}))


def test_input_program_of_the_functional_test_is_the_recorded_one():
    hardware = load_hardware_spikes()
    mem = functional_memory()
    spikes = {"INcue": set(), "INcont": set()}
    for op in mem.operations:
        for t, i in zip(*op.input_spikes(mem.n), strict=True):
            key, j = ("INcue", i) if i < mem.n else ("INcont", i - mem.n)
            spikes[key].add((op.at + int(t), j))
    assert spikes == {"INcue": hardware["INcue"], "INcont": hardware["INcont"]}


def test_ideal_answers_follow_the_cam_semantics():
    ops = [
        Learn(at=0, cue=0, content={1, 2}),
        Learn(at=7, cue=1, content={2, 3}),
        RecallContent(at=14, bits={2}),
        RecallContent(at=20, bits={1, 9}),
        Learn(at=26, cue=0, content={4}),  # overwrite: {1,2} is forgotten
        RecallCue(at=33, cue=0),
        RecallCue(at=39, cue=4),  # never written
        RecallContent(at=45, bits={1}),
    ]
    assert ideal_answers(ops) == [
        Answer(frozenset({0}), frozenset({1, 2})),
        Answer(frozenset({1}), frozenset({2, 3})),
        Answer(frozenset({0, 1}), frozenset({2})),
        Answer(frozenset({0}), frozenset({1, 9})),
        Answer(frozenset({0}), frozenset({4})),
        Answer(frozenset({0}), frozenset({4})),
        Answer(frozenset({4}), frozenset()),
        Answer(frozenset(), frozenset({1})),
    ]


@pytest.mark.parametrize(
    ("first", "second", "needed"),
    [("learn", "recall_cue", 7), ("recall_cue", "learn", 6), ("recall_content", "recall_content", 6)],
)
def test_operations_too_close_are_rejected(first, second, needed):
    calls = {
        "learn": lambda mem, at: mem.learn(1, {2}, at=at),
        "recall_cue": lambda mem, at: mem.recall_cue(1, at=at),
        "recall_content": lambda mem, at: mem.recall_content({2}, at=at),
    }
    mem = CA3Memory(5, 10)
    calls[first](mem, 10)
    with pytest.raises(OperationTimingError, match=f"needs {needed} ms before the next operation"):
        calls[second](mem, 10 + needed - 1)
    calls[second](mem, 10 + needed)  # exactly the minimum is fine
    assert len(mem.operations) == 2


@pytest.mark.parametrize("at", [-1, 2.5, "3", True])
def test_start_times_are_whole_ms(at):
    with pytest.raises(OperationTimingError, match="whole number of ms"):
        CA3Memory(5, 10).recall_cue(0, at=at)


def test_out_of_order_and_programmatic_timing_errors():
    mem = CA3Memory(5, 10)
    mem.learn(0, {1}, at=20)
    with pytest.raises(OperationTimingError, match=">= 27 ms"):
        mem.recall_cue(0, at=5)
    with pytest.raises(OperationTimingError, match="operation 1"):
        check_timing([RecallCue(at=0, cue=0), RecallCue(at=5, cue=1)])


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda mem: mem.learn(5, {0}), "cue"),
        (lambda mem: mem.learn(0, {10}), "content"),
        (lambda mem: mem.learn(0, []), "at least one bit"),
        (lambda mem: mem.learn(0, [1, 1]), "distinct"),
        (lambda mem: mem.learn(0, "01"), "content"),
        (lambda mem: mem.recall_cue(-1), "cue"),
        (lambda mem: mem.recall_content(set()), "at least one bit"),
        (lambda mem: mem.add("learn"), "operation"),
        (lambda mem: mem.add(RecallContent(at=0, bits={12})), "bits"),
    ],
)
def test_bad_operations_are_rejected(call, match):
    with pytest.raises(ir.IRValidationError, match=match):
        call(CA3Memory(5, 10))


def test_constructor_checks():
    with pytest.raises(ir.IRValidationError, match="tail_ms"):
        CA3Memory(5, 10, tail_ms=5)
    with pytest.raises(ir.IRValidationError, match="params.n"):
        CA3Memory(6, params=ca3.Params(n=5))
    assert CA3Memory(params=ca3.Params(n=3, m=4, variant="improved")).params.variant == "improved"
    with pytest.raises(ir.IRValidationError, match="at least one operation"):
        CA3Memory(5, 10).schedule()


def test_schedule_has_one_phase_per_operation_and_gates_reads_in_the_improved_variant():
    for variant, read_plastic in (("original", None), ("improved", ())):
        mem = CA3Memory(5, 10, variant=variant, tail_ms=12)
        mem.learn(2, {3, 4}, at=1)
        mem.recall_cue(2)
        mem.recall_content({4})
        schedule = mem.schedule()
        assert [p.name for p in schedule.phases] == [
            "idle",
            "op00-learn",
            "op01-recall_cue",
            "op02-recall_content",
        ]
        assert [p.duration for p in schedule.phases] == [1, 7, 6, 12]
        assert [p.plastic for p in schedule.phases[1:]] == [None, read_plastic, read_plastic]
        learn = schedule.phases[1].stimuli[0]
        assert learn.population == "IN"
        assert sorted(zip(learn.times.tolist(), learn.ids.tolist(), strict=True)) == [
            (float(t), i) for t in range(3) for i in (2, 8, 9)
        ]


def test_run_refuses_other_time_steps():
    mem = CA3Memory(5, 10)
    mem.recall_cue(0)
    with pytest.raises(ir.IRValidationError, match="1-ms clocked design"):
        mem.run(dt=0.1)


def test_backend_without_the_needed_capabilities_is_refused():
    class Static:
        name = "static-only"
        capabilities = frozenset({Capability.IF_CURR_EXP, Capability.NUMERICS_EXACT})

    with pytest.raises(ir.UnsupportedFeature, match="numerics:spinnaker.*numba"):
        check_backend(Static())


def test_run_records_every_population_and_weights_per_operation():
    mem = CA3Memory(5, 10)
    mem.learn(1, {2, 7})
    mem.recall_content({7})
    result = mem.run()
    assert set(result.recording.spikes) == {"IN", *ca3.POPULATIONS, "OUT"}
    weights = result.weights("op00-learn", ca3.CUE_TO_CONTENT)
    assert weights.shape == (5, 10)
    assert weights[1, [2, 7]].tolist() == [6.0, 6.0] and weights.sum() == 12.0
    assert result.table()[1]["obtained_cues"] == "{1}"
    assert result.results[0].extra["echo+7"] == result.results[0].expected
