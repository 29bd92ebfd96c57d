"""Every Python example of docs/pynn.md runs (they assert their results)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_pynn_docs_python_examples_run(monkeypatch):
    pytest.importorskip("neo", reason="docs/pynn.md needs neo: pip install 'spikemem[neo]'")
    monkeypatch.chdir(ROOT)
    text = (ROOT / "docs" / "pynn.md").read_text()
    blocks = [
        re.sub(r"^   ", "", b, flags=re.M)
        for b in re.findall(r"^ *```python\n(.*?)^ *```", text, flags=re.S | re.M)
    ]
    assert len(blocks) == 2
    for block in blocks:
        exec(compile(block, "docs/pynn.md", "exec"), {})
