"""Memory models built on the core IR.

- :mod:`spikemem.models.ca3`: the CA3 content-addressable memory network (``Params``, ``build``);
- :mod:`spikemem.models.ca3_memory`: its operations API (``CA3Memory``: learn, recall by cue,
  recall by content, timing rules, decoding);
- :mod:`spikemem.models.ca3_experiments`: the paper's three experiments, the comparison with the
  SpiNNaker recording, random programs (original vs. improved variant) and scaling;
- :mod:`spikemem.models.ca3_plot`: rasters with the operations marked.
"""
