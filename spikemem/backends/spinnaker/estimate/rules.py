"""sPyNNaker 1!7.4.1's numbers and small rules that the estimate applies: the machine (cores,
chips, SDRAM), the synaptic throughput of a core, ring buffers and their weight scaling.
"""

from __future__ import annotations

import math

from scipy.special import gammaincc

__all__ = ["CHIPS_PER_BOARD", "n_bits", "ring_buffer_shift"]

CHIPS_PER_BOARD = {3: 4, 5: 48}
"""Chips per board, by board version."""
CORES_PER_CHIP = 18
APP_CORES_PER_CHIP = 16
"""18 cores minus SC&MP's monitor and the extra monitor."""
SDRAM_PER_CHIP = 123_469_792
"""Bytes of SDRAM per chip (spinn_machine ``VersionSpin1``)."""
SYSTEM_SDRAM_PER_CHIP = 488_476
"""Bytes the extra monitor of every chip plans (sPyNNaker's SDRAM report)."""
MAX_ROW_WORDS = 256
MAX_RING_BUFFER_BITS = 14
DELAY_EXTENSION_SLOTS = 8
STATIC_SYNAPSES_PER_S = 13_000_000
STDP_SYNAPSES_PER_S = 1_400_000
DEFAULT_SPIKES_PER_SECOND = 30.0
DEFAULT_RING_BUFFER_SIGMA = 5.0
POISSON_SIGMA_SUMMATION_LIMIT = 3.0
MIN_TICK_MS = 0.1
NEURON_CORE_BYTES = 1300
NEURON_BYTES = 531
SYNAPSE_CORE_BYTES = 1400
SOURCE_CORE_BYTES = 4000
SOURCE_SPIKE_BYTES = 8
"""SDRAM besides synaptic matrices and recordings (bytes per core, per neuron, per source
spike): fitted to sPyNNaker 7.4.1's planned SDRAM for IF_curr_exp and SpikeSourceArray cores
(the CA3 and CUBA mappings, within 15 %)."""


def n_bits(n_values: int) -> int:
    """Bits to express ``n_values`` values (pacman ``get_n_bits``)."""
    if n_values <= 0:
        return 0
    if n_values == 1:
        return 1
    return int(math.ceil(math.log2(n_values)))


class RunningStats:
    """sPyNNaker's ``RunningStats`` (pooled mean and variance)."""

    def __init__(self) -> None:
        self.mean = 0.0
        self.mean_2 = 0.0
        self.n = 0

    def add_items(self, mean: float, variance: float, n: int) -> None:
        """Pool ``n`` items of the given mean and variance into the statistics."""
        if n <= 0:
            return
        total = self.n + n
        delta = mean - self.mean
        self.mean_2 = self.mean_2 + variance * (n - 1.0) + delta * delta * self.n * n / total
        self.mean = (self.n * self.mean + n * mean) / total
        self.n = total

    @property
    def variance(self) -> float:
        """Sample variance of everything added (0 for fewer than two items)."""
        return 0.0 if self.n <= 1 else self.mean_2 / (self.n - 1.0)


def poisson_upper_bound(
    mean: float, std: float, rate_hz: float, n_synapses: int, sigma: float, steps_per_s: float
) -> float:
    """sPyNNaker's ``_ring_buffer_expected_upper_bound``."""
    lam = n_synapses * rate_hz / steps_per_s
    poisson_variance = lam * mean**2
    upper = int(round(lam + POISSON_SIGMA_SUMMATION_LIMIT * math.sqrt(lam)))
    weight_variance = 0.0
    if std > 0 and lam > 0:
        big_ratio = math.log(lam) * upper - math.lgamma(1 + upper)
        if -701.0 < big_ratio < 701.0 and big_ratio != 0.0:
            inner = math.exp(lam) * float(gammaincc(1 + upper, lam)) - math.exp(big_ratio)
            if inner > 0:
                weight_variance = math.exp(-lam + math.log(lam) + 2.0 * math.log(std) + math.log(inner))
    return lam * mean + sigma * math.sqrt(poisson_variance + weight_variance)


def ring_buffer_shift(max_weight: float) -> int:
    """Left shift for the largest expected input ``max_weight`` (``get_ring_buffer_shifts``)."""
    if max_weight <= 0:
        return 0
    shift = int(math.ceil(max(0.0, math.log2(max_weight))))
    return shift + 1 if 2**shift <= max_weight else shift
