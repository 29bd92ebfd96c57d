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
