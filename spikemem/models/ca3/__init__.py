"""The CA3 content-addressable memory (Casanueva-Morato et al., Neural Networks 2024).

- :mod:`~spikemem.models.ca3.network`: the network as IR (``Params``, ``build``, the population
  and plastic-projection names);
- :mod:`~spikemem.models.ca3.memory`: the operations API (``CA3Memory``: learn, recall by cue,
  recall by content, timing rules, decoding);
- :mod:`~spikemem.models.ca3.experiments`: the paper's three experiments, the comparison with
  the SpiNNaker recording (``data/``), random programs (original vs. improved variant) and
  scaling;
- :mod:`~spikemem.models.ca3.plot`: rasters with the operations marked.

The network's names and the operations API are re-exported here: ``ca3.Params``,
``ca3.build``, ``from spikemem.models.ca3 import CA3Memory``.
"""

from .memory import CA3Memory, Learn, RecallContent, RecallCue
from .network import (
    CONTENT_TO_CUE,
    CUE_TO_CONTENT,
    DT_MS,
    IMPROVED_TAU_MS,
    POPULATIONS,
    VARIANTS,
    NeuronParams,
    Params,
    build,
    check_dt,
    plastic_projection_names,
)

__all__ = [
    "CONTENT_TO_CUE",
    "CUE_TO_CONTENT",
    "DT_MS",
    "IMPROVED_TAU_MS",
    "POPULATIONS",
    "VARIANTS",
    "CA3Memory",
    "Learn",
    "NeuronParams",
    "Params",
    "RecallContent",
    "RecallCue",
    "build",
    "check_dt",
    "plastic_projection_names",
]
