"""Offline SpiNNaker resource estimate: cores, chips, boards, SDRAM, delay extensions, weight
quantisation and time-step advice — without sPyNNaker.

:func:`estimate_spinnaker` applies the rules of sPyNNaker 1!7.4.1 (the version the
``spinnaker`` backend pins) to the synapses the backend would build (the same shared, seeded
connector resolution and delay rounding), so that a user learns that a network does not fit,
or that weights round to zero, before a long mapping on a board. The rules, and where they come
from in sPyNNaker:

- **Cores.** A population is split into slices of at most ``neurons_per_core`` neurons, read
  as the backend reads it (:mod:`..constraints`): by default 256 for neurons
  (``POP_TABLE_MAX_ROW_LENGTH``), while a ``SpikeSourceArray`` (Poisson sources are replayed as
  arrays) takes one core. At ``dt < 1 ms`` sPyNNaker puts the synapses of every
  neuron slice that receives input on separate *synapse cores*: ``ceil(S / (R·f))`` per
  slice, where ``S = Σ ceil(n_max · 30 Hz · N_pre)`` over incoming projections (``n_max``: the
  most synapses one presynaptic neuron makes onto one core), ``R`` = 13·10⁶ static or 1.4·10⁶
  STDP synaptic events per second per core and ``f`` the time scale factor
  (``PopulationVertex.__update_n_synapse_cores``).
- **Delays.** A core's ring buffer holds ``2^(14 - bits(atoms per core) - 1)`` delay slots
  (``MAX_RING_BUFFER_BITS``); a projection with longer delays needs a *delay extension* (one
  core per presynaptic slice) supporting up to 8 times more, beyond which mapping fails.
- **Chips.** 18 cores per chip, of which one runs SC&MP and one the extra monitor; the
  Ethernet chip of each board also runs the packet gatherer: 16 application cores per chip
  (15 on chip (0,0)); 123 469 792 bytes of SDRAM per chip. SpiNN-3 boards have 4 chips,
  SpiNN-5 boards 48. Cores are packed chip by chip in population order (a neuron slice and its
  synapse cores share a chip), as sPyNNaker's application placer does.
- **SDRAM for synaptic matrices** per core: for every incoming projection and presynaptic
  core, a block of ``atoms × (3 + words per row) × 4`` bytes aligned to 16 bytes, rows as long
  as the longest (``synapse_io.get_max_row_info``); static rows hold one word per synapse,
  STDP rows ``ceil(n/2) + ceil((8 + 2n)/4)`` words. Rows longer than 256 words do not fit.
- **Weights** are 16-bit integers with one power-of-two scale per (population, receptor):
  ``w_q = rint(|w|·2^(15-s))/2^(15-s)``, where the shift ``s`` makes room for the largest
  expected input in one step (``PopulationVertex.get_ring_buffer_shifts``: the sum over incoming
  projections of ``w_max × max fan-in`` when all delays of a projection are equal, otherwise
  a Poisson bound with ``ring_buffer_sigma`` = 5 standard deviations at 30 Hz). Weights below
  half a step round to zero; STDP steps smaller than one weight step are lost.

The work is split by topic: :mod:`.rules` (sPyNNaker's numbers and formulas), :mod:`.synapses`
(per-projection synapses, delays, matrices, synapse cores), :mod:`.weights` (quantisation),
:mod:`.load` (time-step advice, synaptic load, packing cores onto chips), :mod:`.report` (the
result types) and :mod:`.estimator` (:func:`estimate_spinnaker`).
"""

from __future__ import annotations

from .estimator import estimate_spinnaker
from .report import PopulationEstimate, ProjectionQuantisation, SpiNNakerEstimate
from .rules import CHIPS_PER_BOARD, n_bits, ring_buffer_shift

__all__ = [
    "CHIPS_PER_BOARD",
    "PopulationEstimate",
    "ProjectionQuantisation",
    "SpiNNakerEstimate",
    "estimate_spinnaker",
    "n_bits",
    "ring_buffer_shift",
]
