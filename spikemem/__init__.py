"""spikemem: spiking memory models behind one network description, compiled to many engines.

Typical use::

    import spikemem
    from spikemem import ir
    net = ir.Network(populations=(...), projections=(...), dt=0.1)
    recording = spikemem.compile(net, backend="numba", seed=1).run(duration=1000.0)
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from . import ir
from .backends import available_backends, compile, get_backend

try:
    __version__ = version("spikemem")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0+unknown"

__all__ = ["__version__", "available_backends", "compile", "get_backend", "ir"]
