"""Memory models built on the core IR.

- :mod:`spikemem.models.ca3`: the CA3 content-addressable memory — ``network`` (``Params``,
  ``build``), ``memory`` (the operations API, ``CA3Memory``), ``experiments`` (the paper's three
  experiments, the comparison with the SpiNNaker recording in ``data/``, random programs,
  scaling) and ``plot`` (rasters with the operations marked);
- :mod:`spikemem.models.hlop`: HLOP continual learning — ``training`` (``Params``, training,
  evaluation), ``lateral`` (the Hebbian subspace and the spiking lateral circuit), ``network``
  (the trained network as IR, inference on any backend) and ``experiments`` (the digits and
  permuted-MNIST protocols);
- :mod:`spikemem.models.sdr_recognizer`: the spiking recognizer of sparse distributed
  representations with active dendrites.

Models import only downwards (the IR, the backends' public API, results, ``sdr``, datasets);
their reproductions (``spikemem reproduce``) live in :mod:`spikemem.reproduce`.
"""
