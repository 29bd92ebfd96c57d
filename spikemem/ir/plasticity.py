"""Synaptic plasticity rules as data.

The maths lives in the backends and in the numpy reference :mod:`spikemem.plasticity`; here a
rule is only its parameters and its **conventions** — the choices on which simulators differ,
made explicit so that every backend can be held to the same one.
"""

from __future__ import annotations

from typing import Any, ClassVar

from ._checks import check_choice, check_range, finite_float, ir_dataclass
from .errors import IRValidationError


def _positive(owner: str, name: str, value: Any, *, allow_zero: bool = False) -> float:
    number = finite_float(owner, name, value, "a finite number")
    check_range(owner, name, number, low=0.0, low_open=not allow_zero, high=1e9)
    return number


@ir_dataclass
class SpikePair:
    """Pair-based, all-to-all STDP timing rule with exponential windows.

    For a pre/post pair with lag Δ (ms; its definition is :attr:`STDP.delay_convention`):
    ``Δ > 0`` potentiates by ``A_plus·e^(-Δ/tau_plus)``, ``Δ < 0`` depresses by
    ``A_minus·e^(Δ/tau_minus)`` (times the weight dependence). ``Δ = 0`` follows
    :attr:`STDP.zero_lag`.

    Parameters
    ----------
    tau_plus, tau_minus : float
        Time constants of the potentiation and depression windows (ms), > 0.
    A_plus, A_minus : float
        Amplitudes, >= 0: nA (absolute) or fractions of ``w_max`` (see :attr:`STDP.amplitude`).
    """

    kind = "SpikePair"
    tau_plus: float = 20.0
    tau_minus: float = 20.0
    A_plus: float = 0.01
    A_minus: float = 0.01

    def __post_init__(self) -> None:
        for name in ("tau_plus", "tau_minus"):
            object.__setattr__(self, name, _positive("SpikePair", name, getattr(self, name)))
        for name in ("A_plus", "A_minus"):
            object.__setattr__(self, name, _positive("SpikePair", name, getattr(self, name), allow_zero=True))


def _bounds(owner: str, w_min: Any, w_max: Any) -> tuple[float, float]:
    low = _positive(owner, "w_min", w_min, allow_zero=True)
    high = _positive(owner, "w_max", w_max, allow_zero=True)
    if high <= low:
        raise IRValidationError(owner, "w_max", high, f"w_max > w_min (w_min={low})")
    return low, high


@ir_dataclass
class _WeightDependence:
    """The weight bounds every weight dependence has, validated and normalised on construction."""

    kind: ClassVar[str]
    w_min: float = 0.0
    w_max: float = 1.0

    def __post_init__(self) -> None:
        low, high = _bounds(self.kind, self.w_min, self.w_max)
        object.__setattr__(self, "w_min", low)
        object.__setattr__(self, "w_max", high)


@ir_dataclass
class Additive(_WeightDependence):
    """Additive weight dependence: ``Δw = ±A·window``, kept in ``[w_min, w_max]``.

    Parameters
    ----------
    w_min, w_max : float
        Weight bounds (nA; mV for ``IF_curr_delta``), ``0 <= w_min < w_max``.
    """

    kind = "Additive"


@ir_dataclass
class Multiplicative(_WeightDependence):
    """Multiplicative weight dependence: potentiation ``A_plus·(w_max - w)·window``,
    depression ``A_minus·(w - w_min)·window``.

    Parameters
    ----------
    w_min, w_max : float
        Weight bounds (nA; mV for ``IF_curr_delta``), ``0 <= w_min < w_max``.
    """

    kind = "Multiplicative"


DELAY_CONVENTIONS = ("dendritic", "axonal", "none")
ZERO_LAG = ("depress", "potentiate", "ignore")
AMPLITUDES = ("absolute", "w_max")
CLIPPING = ("per_event", "end_of_phase")


@ir_dataclass
class STDP:
    """Spike-timing-dependent plasticity on a projection.

    Parameters
    ----------
    timing : SpikePair
        The timing rule.
    weight : Additive or Multiplicative
        The weight dependence.
    delay_convention : {"dendritic", "axonal", "none"}
        Where the synaptic delay ``d`` sits for the timing:
        ``"dendritic"``: Δ = t_post + d − t_pre (sPyNNaker, NEST);
        ``"axonal"``: Δ = t_post − (t_pre + d) (Brian2's default);
        ``"none"``: Δ = t_post − t_pre.
    zero_lag : {"depress", "potentiate", "ignore"}
        What a pair with Δ = 0 does. sPyNNaker depresses with the full ``A_minus``.
    amplitude : {"absolute", "w_max"}
        ``"absolute"``: A± are weights (nA); ``"w_max"``: A± are fractions of ``w_max``
        (PyNN's standard convention).
    clipping : {"per_event", "end_of_phase"}
        ``"per_event"``: the weight is clipped to ``[w_min, w_max]`` after every potentiation or
        depression event (newer sPyNNaker); ``"end_of_phase"``: only at the end of each
        schedule phase (weights may leave the bounds in between).

    Notes
    -----
    The CA3 memory reproduces SpiNNaker hardware with ``delay_convention="dendritic"``,
    ``zero_lag="depress"``, ``amplitude="absolute"``, ``clipping="per_event"`` (the defaults).
    Pairing is all-to-all (each spike adds 1 to its trace). Updates triggered in the same
    step are applied potentiation first, then depression, before the step's spikes are sent.
    """

    kind = "STDP"
    timing: SpikePair = None  # type: ignore[assignment]
    weight: Additive | Multiplicative = None  # type: ignore[assignment]
    delay_convention: str = "dendritic"
    zero_lag: str = "depress"
    amplitude: str = "absolute"
    clipping: str = "per_event"

    def __post_init__(self) -> None:
        if self.timing is None:
            object.__setattr__(self, "timing", SpikePair())
        if self.weight is None:
            object.__setattr__(self, "weight", Additive())
        if not isinstance(self.timing, SpikePair):
            raise IRValidationError("STDP", "timing", self.timing, "a SpikePair")
        if not isinstance(self.weight, (Additive, Multiplicative)):
            raise IRValidationError("STDP", "weight", self.weight, "Additive or Multiplicative")
        check_choice("STDP", "delay_convention", self.delay_convention, DELAY_CONVENTIONS)
        check_choice("STDP", "zero_lag", self.zero_lag, ZERO_LAG)
        check_choice("STDP", "amplitude", self.amplitude, AMPLITUDES)
        check_choice("STDP", "clipping", self.clipping, CLIPPING)

    @property
    def scaled_amplitudes(self) -> tuple[float, float]:
        """``(A_plus, A_minus)`` in weight units (nA), after the amplitude convention."""
        scale = self.weight.w_max if self.amplitude == "w_max" else 1.0
        return self.timing.A_plus * scale, self.timing.A_minus * scale


PLASTICITY_TYPES: dict[str, type] = {"STDP": STDP}
"""Every plasticity rule of the IR, by name."""
