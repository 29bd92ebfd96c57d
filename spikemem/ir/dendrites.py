"""Dendritic neurons: segments as coincidence detectors (Ahmad & Hawkins 2016), as IR data.

A :class:`DendriticNeuron` population has ``n_segments`` segments per neuron. Synapses onto it
name their segment (``Projection(segment=...)``). Both a segment and the soma are **counters
of events in a sliding window** of ``window`` ms, defined per time step ``dt``:

- a spike arriving at step ``t`` on a segment adds 1 to its count at step ``t`` and removes it
  again at step ``t + W`` (``W = round(window/dt)`` steps, halves up, at least 1);
- a segment whose count reaches ``theta`` emits a dendritic spike at that step; its count
  is then set to 0 and it is refractory for ``2W`` steps, during which every +1 and −1 event
  on it is discarded (two windows, so that the −1 events of the volley that made it fire,
  and of its stragglers arriving within one window, all fall inside it);
- the soma counts dendritic spikes the same way, one step after they happen (a one-step
  segment → soma delay), and spikes when its count reaches ``soma_threshold``; it too is
  reset to 0 and refractory for ``2W`` steps.

With one volley per presentation (each active cell spikes once, spread over fewer than ``W``
steps) and volleys more than ``2W`` steps apart, a segment's count is exactly the overlap
``|A ∩ D|`` of the paper, so a segment spike is Eq. 1's ``A·D ≥ θ`` and a soma with
``soma_threshold = 1`` is Eq. 7's OR. Input arriving between ``W`` and ``2W`` steps after a
segment spike is lost, and its −1 event later leaves the count below 0: keep volleys apart.

The same counters are ordinary ``IF_curr_delta`` neurons without leak: +1 mV at arrival,
−1 mV one window later, threshold ``count − 0.5``. :func:`spikemem.lowering.lower_dendrites`
rewrites a network that way for backends without native segments; the native and lowered
forms give the same spikes (tested).
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from ._checks import check_int, finite_float, ir_dataclass
from .errors import IRValidationError

MAX_SEGMENTS = 100_000
"""Largest number of segments per neuron the IR accepts."""


@ir_dataclass
class DendriticNeuron:
    """A neuron with ``n_segments`` coincidence-detecting dendritic segments.

    Parameters
    ----------
    n_segments : int
        Segments per neuron, 1 to 100 000.
    theta : int
        Segment threshold: synaptic events within the window that make a dendritic spike
        (the paper's NMDA threshold θ), ``>= 1``.
    window : float
        Coincidence window (ms), ``> 0``; the paper's is 1–5 ms.
    soma_threshold : int
        Dendritic spikes within the window that make the soma spike; 1 is "any segment".

    Notes
    -----
    Only excitatory synapses of weight 1 (one event each) target segments; see the module
    docstring for the exact per-step semantics.
    """

    kind: ClassVar[str] = "DendriticNeuron"
    receptors: ClassVar[tuple[str, ...]] = ("excitatory",)
    state_variables: ClassVar[tuple[str, ...]] = ()

    n_segments: int = 1
    theta: int = 1
    window: float = 1.0
    soma_threshold: int = 1

    def __post_init__(self) -> None:
        check_int(self.kind, "n_segments", self.n_segments, low=1, high=MAX_SEGMENTS)
        check_int(self.kind, "theta", self.theta, low=1, high=10**9)
        check_int(self.kind, "soma_threshold", self.soma_threshold, low=1, high=MAX_SEGMENTS)
        if self.soma_threshold > self.n_segments:
            raise IRValidationError(
                self.kind, "soma_threshold", self.soma_threshold, f"at most n_segments = {self.n_segments}"
            )
        window = finite_float(self.kind, "window", self.window, "a window in ms, > 0")
        if not 0.0 < window <= 1e6:
            raise IRValidationError(self.kind, "window", window, "a window in ms in (0, 1e6]")
        for name in ("n_segments", "theta", "soma_threshold"):
            object.__setattr__(self, name, int(getattr(self, name)))
        object.__setattr__(self, "window", window)

    @classmethod
    def parameter_names(cls) -> tuple[str, ...]:
        """Names of the parameters."""
        return ("n_segments", "theta", "window", "soma_threshold")

    def check_size(self, owner: str, size: int) -> None:
        """All parameters are scalars: nothing depends on the population size."""

    def window_steps(self, dt: float) -> int:
        """The window in whole steps of ``dt`` ms (nearest, halves up, at least 1)."""
        return max(1, int(np.floor(self.window / dt + 0.5 + 1e-9)))
