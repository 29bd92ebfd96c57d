"""The lowering layer and the non-Numba backends import without numba."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

SIMULATORS = {
    "spikemem.lowering": (),
    "spikemem.backends.nest": ("nest", "pyNN"),
    "spikemem.backends.spinnaker": ("spynnaker", "pyNN"),
    "spikemem.backends.brian2": ("brian2",),
    "spikemem.backends.nengo": ("nengo",),
}
"""Module to import, and the simulators it needs (skipped when one is not installed)."""


def _python(code: str) -> subprocess.CompletedProcess:
    """Run ``code`` in a fresh interpreter that imports this checkout's spikemem."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT)


@pytest.mark.parametrize("module", sorted(SIMULATORS))
def test_imports_with_numba_blocked(module: str) -> None:
    missing = [name for name in SIMULATORS[module] if importlib.util.find_spec(name) is None]
    if missing:
        pytest.skip(f"{module} needs {', '.join(missing)}, which is not installed")
    code = f"import sys; sys.modules['numba'] = None; import {module}; assert sys.modules['numba'] is None"
    result = _python(code)
    assert result.returncode == 0, result.stderr


def test_ir_does_not_import_the_lowering_layer() -> None:
    """The IR is pure data: lowering imports the IR, never the reverse."""
    code = (
        "import sys; import spikemem.ir; "
        "assert not [m for m in sys.modules if m.startswith('spikemem.lowering')], sorted(sys.modules)"
    )
    result = _python(code)
    assert result.returncode == 0, result.stderr
