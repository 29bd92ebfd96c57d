"""Makes the shared test networks importable from every test folder.

pytest runs with ``--import-mode=importlib``, where a test module cannot import across test
folders with relative imports. The ``tests`` folder is appended to ``sys.path`` (appended, so it
never shadows an installed package), and tests import the builders as ``from networks import ...``
(see ``tests/networks.py``).
"""

from __future__ import annotations

import sys
from pathlib import Path

TESTS = str(Path(__file__).resolve().parent)
if TESTS not in sys.path:
    sys.path.append(TESTS)


def pytest_terminal_summary(terminalreporter) -> None:  # noqa: ANN001 - pytest's hook signature
    """Print the fuzz outcome counts (tests/fuzzing.py) when fuzz tests ran."""
    fuzzing = sys.modules.get("fuzzing")
    lines = fuzzing.summary_lines() if fuzzing is not None else []
    if lines:
        terminalreporter.section("fuzz outcomes")
        for line in lines:
            terminalreporter.write_line(line)
