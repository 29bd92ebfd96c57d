"""The neutral lowering layer between the IR and the backends (numpy only).

It turns a :class:`~spikemem.ir.Network` into what every backend compiles from: per-neuron
step constants, CSR synapse tables, host-drawn source spikes and phase steps, and it holds the
type-dispatch :class:`Registry` that backends and the NIR export fill. Nothing here imports a
simulator.
"""

from .registry import Registry

__all__ = ["Registry"]
