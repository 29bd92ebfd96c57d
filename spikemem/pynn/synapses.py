"""PyNN's synapse types, mapped to the IR: static synapses and pair-based STDP.

``StaticSynapse(weight, delay)`` and ``STDPMechanism(timing_dependence=SpikePairRule(...),
weight_dependence=AdditiveWeightDependence(...) | MultiplicativeWeightDependence(...), weight,
delay)`` give a projection its initial weights (nA; mV onto ``IF_curr_delta``), delays (ms) and
plasticity rule (:class:`spikemem.ir.STDP`). The amplitudes ``A_plus``/``A_minus`` follow the
numerics' platform: with ``numerics="spinnaker"`` (and ``"spinnaker-fixed"``) they are weights
(nA), as sPyNNaker reads them; with ``"exact"`` they are fractions of ``w_max``, as PyNN and
NEST read them. A pair at zero lag depresses on SpiNNaker and is ignored by NEST; the rule
follows the numerics the same way.
"""

from __future__ import annotations

from typing import Any, ClassVar

from .. import ir
from ..ir.errors import IRValidationError

__all__ = [
    "AdditiveWeightDependence",
    "MultiplicativeWeightDependence",
    "STDPMechanism",
    "SpikePairRule",
    "StaticSynapse",
    "UNSUPPORTED_SYNAPSES",
]


class StaticSynapse:
    """A fixed synapse.

    Parameters
    ----------
    weight : float, array or RandomDistribution
        Weight (nA; mV onto ``IF_curr_delta``); PyNN's default 0.
    delay : float, array, RandomDistribution or None
        Delay (ms); ``None`` is ``setup``'s ``min_delay``.
    """

    default_parameters: ClassVar[dict[str, Any]] = {"weight": 0.0, "delay": None}

    def __init__(self, weight: Any = 0.0, delay: Any = None, **parameters: Any) -> None:
        if parameters:
            raise IRValidationError(
                type(self).__name__, "parameter name", sorted(parameters)[0], "weight, delay"
            )
        self.weight = weight
        self.delay = delay

    def ir_plasticity(self, numerics: str) -> Any:
        """``None``: no plasticity."""
        return None

    def describe(self, template: Any = None, engine: Any = None) -> str:
        """A one-line description."""
        return f"{type(self).__name__}(weight={self.weight!r}, delay={self.delay!r})"


class SpikePairRule:
    """Pair-based STDP timing: windows ``A_plus·e^(-Δ/tau_plus)``, ``A_minus·e^(Δ/tau_minus)``
    (``tau`` in ms; amplitudes as the module docstring says)."""

    def __init__(
        self, tau_plus: float = 20.0, tau_minus: float = 20.0, A_plus: float = 0.01, A_minus: float = 0.01
    ) -> None:  # noqa: N803
        self.ir = ir.SpikePair(tau_plus=tau_plus, tau_minus=tau_minus, A_plus=A_plus, A_minus=A_minus)


class AdditiveWeightDependence:
    """Weight changes independent of the weight, kept in ``[w_min, w_max]`` (nA)."""

    def __init__(self, w_min: float = 0.0, w_max: float = 1.0) -> None:
        self.ir = ir.Additive(w_min=w_min, w_max=w_max)


class MultiplicativeWeightDependence:
    """Potentiation ∝ ``w_max − w``, depression ∝ ``w − w_min`` (nA)."""

    def __init__(self, w_min: float = 0.0, w_max: float = 1.0) -> None:
        self.ir = ir.Multiplicative(w_min=w_min, w_max=w_max)


class STDPMechanism(StaticSynapse):
    """A plastic synapse (PyNN's ``STDPMechanism``).

    Parameters
    ----------
    timing_dependence : SpikePairRule
        The timing rule.
    weight_dependence : AdditiveWeightDependence or MultiplicativeWeightDependence
        The weight dependence and bounds.
    voltage_dependence : None
        Not supported (anything else raises NotImplementedError).
    dendritic_delay_fraction : float
        1.0 (the delay is dendritic, PyNN's default and sPyNNaker's only choice) or 0.0 (axonal).
    weight, delay
        As for :class:`StaticSynapse`.
    """

    def __init__(
        self,
        timing_dependence: Any = None,
        weight_dependence: Any = None,
        voltage_dependence: Any = None,
        dendritic_delay_fraction: float = 1.0,
        weight: Any = 0.0,
        delay: Any = None,
    ) -> None:
        super().__init__(weight=weight, delay=delay)
        if voltage_dependence is not None:
            raise NotImplementedError(
                "STDPMechanism(voltage_dependence=...) is not supported by spikemem.pynn"
            )
        if not isinstance(timing_dependence, SpikePairRule):
            raise NotImplementedError(
                f"STDP timing dependence {type(timing_dependence).__name__} is not supported by "
                "spikemem.pynn (SpikePairRule only)"
            )
        if not isinstance(weight_dependence, (AdditiveWeightDependence, MultiplicativeWeightDependence)):
            raise NotImplementedError(
                f"STDP weight dependence {type(weight_dependence).__name__} is not supported by "
                "spikemem.pynn "
                "(AdditiveWeightDependence, MultiplicativeWeightDependence)"
            )
        if dendritic_delay_fraction not in (0.0, 1.0):
            raise NotImplementedError(
                f"STDPMechanism(dendritic_delay_fraction={dendritic_delay_fraction}) is not supported by "
                "spikemem.pynn (1.0 or 0.0)"
            )
        self.timing_dependence = timing_dependence
        self.weight_dependence = weight_dependence
        self.dendritic_delay_fraction = float(dendritic_delay_fraction)

    def ir_plasticity(self, numerics: str) -> ir.STDP:
        """The IR rule under ``numerics`` (see the module docstring for the conventions)."""
        spinnaker = numerics.startswith("spinnaker")
        return ir.STDP(
            timing=self.timing_dependence.ir,
            weight=self.weight_dependence.ir,
            delay_convention="dendritic" if self.dendritic_delay_fraction == 1.0 else "axonal",
            zero_lag="depress" if spinnaker else "ignore",
            amplitude="absolute" if spinnaker else "w_max",
            clipping="per_event",
        )


UNSUPPORTED_SYNAPSES = (
    "TsodyksMarkramSynapse",
    "ElectricalSynapse",
    "SimpleStochasticSynapse",
    "StochasticTsodyksMarkramSynapse",
    "MultiplicativeWeightDependenceWithReplacement",
    "AdditivePotentiationMultiplicativeDepression",
    "GutigWeightDependence",
    "Vogels2011Rule",
    "PfisterSpikeTripletRule",
)
"""PyNN synapse types and STDP components spikemem has no counterpart for."""


def _unsupported(name: str) -> type:
    def refuse(self: Any, *args: Any, **kwargs: Any) -> None:
        raise NotImplementedError(
            f"{name} is not supported by spikemem.pynn (StaticSynapse, STDPMechanism with SpikePairRule and "
            "Additive/MultiplicativeWeightDependence)"
        )

    return type(name, (), {"__init__": refuse, "__doc__": f"PyNN's {name}: not supported."})


for _name in UNSUPPORTED_SYNAPSES:
    globals()[_name] = _unsupported(_name)
