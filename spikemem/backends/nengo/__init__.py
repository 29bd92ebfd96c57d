"""The Nengo backend: static ``IF_curr_exp`` networks on Nengo 4's reference simulator.

``spikemem.compile(network, backend="nengo")``. Populations become ``nengo.LIF`` ensembles in
normalised units, projections neuron-to-neuron connections with sparse transforms and
first-order (``Lowpass``) synapses, sources nodes; see ``docs/nengo.md`` for the mapping and
what it cannot express.
"""

from .engine import NengoBackend, NengoRunnable
from .lowering import NengoPlan, lower

__all__ = ["NengoBackend", "NengoPlan", "NengoRunnable", "lower"]
