"""Experiments 2 (stress) and 3 (robot state map): the ideal CAM answer for every operation."""

from __future__ import annotations

from collections import Counter

import pytest

from spikemem.models.ca3.experiments import STATE_MAP, statemap_memory, stress_memory


def test_stress_program_is_the_papers():
    mem = stress_memory()
    ops = mem.operations
    assert len(ops) == 60 and ops[0].at == 1 and ops[-1].at == 827 and mem.duration_ms == 851
    assert {b.at - a.at for a, b in zip(ops, ops[1:], strict=False)} == {14}
    assert Counter(op.kind for op in ops) == {"learn": 15, "recall_cue": 15, "recall_content": 30}
    assert [sorted(op.content) for op in ops[:5]] == [[0], [1], [0, 1], [2], [0, 2]]
    assert sorted(ops[20].content) == [1, 2, 3, 4, 5, 6, 7, 8, 9]  # round 2: complement of 1


def test_statemap_program_is_the_papers():
    mem = statemap_memory()
    assert [op.at for op in mem.operations] == [7 * i for i in range(16)] + [112, 118, 124, 130]
    assert [next(iter(op.content)) for op in mem.operations[:16]] == list(STATE_MAP)
    assert mem.duration_ms == 140
    expected = [sorted(a.cues) for a in mem.ideal_answers()[16:]]
    assert expected == [[2, 6, 10, 12, 13, 14], [3, 5, 11, 15], [1, 7, 9], [0, 4, 8]]


@pytest.mark.parametrize("variant", ["original", "improved"])
@pytest.mark.parametrize("factory", [stress_memory, statemap_memory], ids=["stress", "statemap"])
def test_every_operation_gives_the_ideal_answer(factory, variant):
    run = factory(variant).run()
    wrong = [
        (r.index, r.operation.label(), str(r.expected), str(r.obtained)) for r in run.results if not r.correct
    ]
    assert not wrong
    assert run.n_correct == len(run.results) == (60 if factory is stress_memory else 20)
