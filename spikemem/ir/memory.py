"""Memory a network's synapses will take, known before any is drawn (numpy and stdlib only).

Used to refuse, in seconds and with a clear message, a connector whose synapses cannot fit in
the memory available — instead of a ``MemoryError`` (or the system's out-of-memory killer)
minutes into the draw.
"""

from __future__ import annotations

import os

from .connectors import AllToAll, FixedNumberPost, FixedNumberPre, FixedProbability, FixedTotalNumber, FromList

__all__ = ["RESOLVED_BYTES_PER_SYNAPSE", "available_bytes", "expected_synapses"]

RESOLVED_BYTES_PER_SYNAPSE = 32
"""Bytes of one resolved synapse (pre and post int64, weight and delay float64)."""


def available_bytes() -> int:
    """Memory this process can still allocate without swapping (bytes): ``MemAvailable`` of
    ``/proc/meminfo`` where there is one, else the free physical pages."""
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return int(os.sysconf("SC_AVPHYS_PAGES")) * int(os.sysconf("SC_PAGE_SIZE"))
    except (OSError, ValueError, AttributeError):  # pragma: no cover - no way to tell
        return 2**62


def expected_synapses(connector: object, n_pre: int, n_post: int) -> float:
    """The number of synapses ``connector`` makes between selections of ``n_pre`` and
    ``n_post`` neurons (its mean, for ``FixedProbability``)."""
    self_pairs = 0 if getattr(connector, "allow_self_connections", True) else min(n_pre, n_post)
    if isinstance(connector, AllToAll):
        return float(n_pre * n_post - self_pairs)
    if isinstance(connector, FixedProbability):
        return connector.p * float(n_pre * n_post - self_pairs)
    if isinstance(connector, FixedNumberPre):
        return float(connector.n * n_post)
    if isinstance(connector, FixedNumberPost):
        return float(connector.n * n_pre)
    if isinstance(connector, FixedTotalNumber):
        return float(connector.n)
    if isinstance(connector, FromList):
        return float(connector.pre.size)
    return float(min(n_pre, n_post))  # OneToOne
