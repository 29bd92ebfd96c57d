"""Ready-made reference networks, built in the IR (:mod:`spikemem.ir`).

Each builder returns a plain :class:`spikemem.ir.Network`; nothing here depends on a backend.
"""

from .cuba import cuba_network

__all__ = ["cuba_network"]
