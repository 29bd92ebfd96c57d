"""The NEST backend: the shared PyNN lowering run on ``pyNN.nest`` (NEST 3.10), ``exact`` numerics.

``spikemem.compile(network, backend="nest")``. The same script runs across MPI processes
(``mpirun -n 4 python script.py``); see ``docs/nest.md`` for the time-stamp and delay
conversions that make its spikes comparable with the reference engine.
"""

from .engine import NestBackend, NestRunnable

__all__ = ["NestBackend", "NestRunnable"]
