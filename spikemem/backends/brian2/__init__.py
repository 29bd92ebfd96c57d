"""The Brian2 backend: runtime (Cython / numpy), cpp_standalone and cuda_standalone (brian2cuda).

``spikemem.compile(network, backend="brian2", device="runtime" | "cpp_standalone" |
"cuda_standalone")``. The generated model repeats the reference engine's arithmetic, so its
spikes are identical to the Numba engine's (see :class:`Brian2Backend`).
"""

from .engine import Brian2Backend, Brian2Runnable, RuntimeRunnable, StandaloneRunnable
from .translation import TABLE

__all__ = ["TABLE", "Brian2Backend", "Brian2Runnable", "RuntimeRunnable", "StandaloneRunnable"]
