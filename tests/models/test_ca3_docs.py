"""``docs/ca3.md`` says what the code does: its Python example runs and its numbers are the code's."""

from __future__ import annotations

import math
import re
from pathlib import Path

from spikemem.models import ca3
from spikemem.models.ca3.memory import Answer

DOC = (Path(__file__).resolve().parents[2] / "docs" / "ca3.md").read_text()


def test_python_example_runs():
    (block,) = re.findall(r"^```python\n(.*?)^```", DOC, flags=re.S | re.M)
    namespace: dict = {}
    exec(compile(block, "docs/ca3.md", "exec"), namespace)
    result = namespace["result"]
    assert result.all_correct
    assert result.answers[2] == Answer(frozenset({0}), frozenset({0, 1, 8, 9}))
    assert [op.at for op in namespace["mem"].operations] == [0, 7, 20, 26]


def test_improved_amplitude_in_the_docs_is_the_codes():
    params = ca3.Params(variant="improved")
    assert f"{params.a_plus:.1f} nA" in DOC
    assert f"{params.a_plus * math.exp(-2 / params.tau_plus):.2f} nA" in DOC
