"""Memory models built on the core IR.

- :mod:`spikemem.models.ca3`: the CA3 content-addressable memory network (``Params``, ``build``);
- :mod:`spikemem.models.ca3_memory`: its operations API (``CA3Memory``: learn, recall by cue,
  recall by content, timing rules, decoding);
- :mod:`spikemem.models.ca3_experiments`: the paper's three experiments, the comparison with the
  SpiNNaker recording, random programs (original vs. improved variant) and scaling;
- :mod:`spikemem.models.ca3_plot`: rasters with the operations marked;
- :mod:`spikemem.models.sdr_recognizer`: the spiking recognizer of sparse distributed
  representations with active dendrites;
- :mod:`spikemem.models.hlop`: HLOP continual learning (``Params``, training, evaluation),
  with :mod:`~spikemem.models.hlop_lateral` (the Hebbian subspace and the spiking lateral
  circuit), :mod:`~spikemem.models.hlop_network` (the trained network as IR, inference on any
  backend) and :mod:`~spikemem.models.hlop_experiments` (the digits and permuted-MNIST protocols).
"""
