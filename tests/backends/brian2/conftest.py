"""Brian2 backend tests build C++ at -O0 (see ``tests/equivalence/conftest.py``)."""

from __future__ import annotations

import os

os.environ.setdefault("SPIKEMEM_BRIAN2_OPT", "-O0")
