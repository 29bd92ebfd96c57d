"""PyNN's standard cell types, with PyNN's parameter names, defaults and units, mapped to the IR.

A cell type holds the parameters a script gave (scalars, arrays, :class:`RandomDistribution`,
spike-time sequences); a :class:`~spikemem.pynn.populations.Population` turns them into one
value per neuron (:meth:`StandardCellType.per_neuron`) and, at ``run()``, into an IR cell
(:meth:`StandardCellType.ir_cell`). Units: ms, mV, nA, nF, Hz.
"""

from __future__ import annotations

import warnings
from typing import Any, ClassVar

import numpy as np

from .. import ir
from ..ir.errors import IRValidationError
from .random import RandomDistribution

__all__ = [
    "IF_curr_delta",
    "IF_curr_exp",
    "Sequence",
    "SpikeSourceArray",
    "SpikeSourcePoisson",
    "StandardCellType",
    "UNSUPPORTED_CELL_TYPES",
]

MAX_POISSON_DURATION_MS = 1e9
"""Poisson sources are active at most this long (ms); PyNN's default 1e10 ms is cut to it."""


class Sequence:
    """PyNN's ``Sequence``: the spike times (ms) of one neuron of a ``SpikeSourceArray``.

    Parameters
    ----------
    value : sequence of float
        Spike times (ms).
    """

    def __init__(self, value: Any) -> None:
        self.value = np.asarray(value, dtype=np.float64).ravel()

    def __len__(self) -> int:
        return int(self.value.size)

    def __repr__(self) -> str:
        return f"Sequence({self.value.tolist()})"


class StandardCellType:
    """Base of the cell types: parameters by name, with PyNN's defaults.

    Parameters
    ----------
    **parameters
        Values for any of :attr:`default_parameters` (a number, an array with one value per
        neuron, or a :class:`RandomDistribution`).

    Raises
    ------
    IRValidationError
        For a parameter name the cell type does not have.
    """

    default_parameters: ClassVar[dict[str, Any]] = {}
    default_initial_values: ClassVar[dict[str, float]] = {}
    recordable: ClassVar[tuple[str, ...]] = ("spikes",)
    units: ClassVar[dict[str, str]] = {}
    injectable: ClassVar[bool] = False
    is_source: ClassVar[bool] = False
    """True for the spike sources (no dynamics, parameters that change the source spikes)."""

    def __init__(self, **parameters: Any) -> None:
        name = type(self).__name__
        for key in parameters:
            if key not in self.default_parameters:
                raise IRValidationError(name, "parameter name", key, ", ".join(self.default_parameters))
        self.parameter_space = {**self.default_parameters, **parameters}

    @classmethod
    def get_parameter_names(cls) -> list[str]:
        """Names of the parameters (PyNN's method)."""
        return list(cls.default_parameters)

    @classmethod
    def get_schema(cls) -> dict[str, type]:
        """Parameter names and their types (PyNN's method)."""
        return {name: type(value) for name, value in cls.default_parameters.items()}

    def describe(self) -> str:
        """A one-line description."""
        return f"{type(self).__name__}({self.parameter_space})"

    __repr__ = describe

    def per_neuron(self, name: str, value: Any, size: int, seed: int, use: str) -> np.ndarray:
        """``value`` of parameter ``name`` as one float per neuron (RandomDistributions drawn
        on the host from ``seed`` and ``use``).

        Raises
        ------
        IRValidationError
            For an array of the wrong length or a value that is not a number.
        """
        return per_neuron_values(type(self).__name__, name, value, size, seed, use)

    def ir_cell(self, values: dict[str, np.ndarray], initial: dict[str, np.ndarray]) -> Any:
        """The IR cell for per-neuron ``values`` and ``initial`` values."""
        raise NotImplementedError


def per_neuron_values(owner: str, name: str, value: Any, size: int, seed: int, use: str) -> np.ndarray:
    """One float per neuron from a number, an array or a :class:`RandomDistribution`."""
    if isinstance(value, RandomDistribution):
        return value.draw(size, seed, use)
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise IRValidationError(
            owner, name, value, "a number, one number per neuron or a RandomDistribution"
        ) from None
    if array.ndim == 0:
        return np.full(size, float(array))
    if array.shape != (size,):
        raise IRValidationError(
            owner, name, f"an array of shape {array.shape}", f"a number or {size} values (one per neuron)"
        )
    return array.copy()


class _LIF(StandardCellType):
    """Shared mapping of the LIF types onto their IR cells."""

    ir_class: ClassVar[type]
    recordable = ("spikes", "v")

    def ir_cell(self, values: dict[str, np.ndarray], initial: dict[str, np.ndarray]) -> Any:
        params = {name: _compact(values[name]) for name in self.default_parameters}
        return self.ir_class(**params, v_init=_compact(initial["v"]))


class IF_curr_exp(_LIF):  # noqa: N801  (PyNN's name)
    """Leaky integrate-and-fire neuron with exponentially decaying current synapses (PyNN's
    ``IF_curr_exp``): ``cm`` nF, ``tau_m``, ``tau_refrac``, ``tau_syn_E``, ``tau_syn_I`` ms,
    ``v_rest``, ``v_reset``, ``v_thresh`` mV, ``i_offset`` nA. Recordable: ``spikes``, ``v``
    (mV), ``isyn_exc``, ``isyn_inh`` (nA)."""

    ir_class = ir.IF_curr_exp
    default_parameters: ClassVar[dict[str, Any]] = {
        "v_rest": -65.0,
        "cm": 1.0,
        "tau_m": 20.0,
        "tau_refrac": 0.1,
        "tau_syn_E": 5.0,
        "tau_syn_I": 5.0,
        "i_offset": 0.0,
        "v_reset": -65.0,
        "v_thresh": -50.0,
    }
    default_initial_values: ClassVar[dict[str, float]] = {"v": -65.0, "isyn_exc": 0.0, "isyn_inh": 0.0}
    recordable = ("spikes", "v", "isyn_exc", "isyn_inh")
    units: ClassVar[dict[str, str]] = {
        "v": "mV",
        "isyn_exc": "nA",
        "isyn_inh": "nA",
        "v_rest": "mV",
        "cm": "nF",
        "tau_m": "ms",
        "tau_refrac": "ms",
        "tau_syn_E": "ms",
        "tau_syn_I": "ms",
        "i_offset": "nA",
        "v_reset": "mV",
        "v_thresh": "mV",
    }
    injectable = True


class IF_curr_delta(_LIF):  # noqa: N801  (PyNN's name)
    """Leaky integrate-and-fire neuron whose input makes V jump by the weight (mV) (PyNN's
    ``IF_curr_delta``): ``cm`` nF, ``tau_m``, ``tau_refrac`` ms, ``v_rest``, ``v_reset``,
    ``v_thresh`` mV, ``i_offset`` nA. Recordable: ``spikes``, ``v`` (mV)."""

    ir_class = ir.IF_curr_delta
    default_parameters: ClassVar[dict[str, Any]] = {
        "v_rest": -65.0,
        "cm": 1.0,
        "tau_m": 20.0,
        "tau_refrac": 0.1,
        "i_offset": 0.0,
        "v_reset": -65.0,
        "v_thresh": -50.0,
    }
    default_initial_values: ClassVar[dict[str, float]] = {"v": -65.0}
    units: ClassVar[dict[str, str]] = {
        "v": "mV",
        "v_rest": "mV",
        "cm": "nF",
        "tau_m": "ms",
        "tau_refrac": "ms",
        "i_offset": "nA",
        "v_reset": "mV",
        "v_thresh": "mV",
    }
    injectable = True


class SpikeSourcePoisson(StandardCellType):
    """Poisson spike trains (PyNN's ``SpikeSourcePoisson``): ``rate`` Hz, ``start`` and
    ``duration`` ms. Drawn on the host, seeded from ``setup(seed=...)`` and the label."""

    is_source = True
    default_parameters: ClassVar[dict[str, Any]] = {"rate": 1.0, "start": 0.0, "duration": 1e10}
    units: ClassVar[dict[str, str]] = {"rate": "Hz", "start": "ms", "duration": "ms"}

    seed: int | None = None
    """Seed of this source (sPyNNaker's ``additional_parameters={"seed": ...}``); ``None``
    derives one from ``setup(seed=...)`` and the population's name."""

    def ir_cell(self, values: dict[str, np.ndarray], initial: dict[str, np.ndarray]) -> Any:
        for name in ("start", "duration"):
            if np.unique(values[name]).size > 1:
                raise NotImplementedError(
                    f"SpikeSourcePoisson with a different {name} per neuron is not supported by spikemem.pynn"
                )
        start = float(values["start"][0])
        duration = min(float(values["duration"][0]), MAX_POISSON_DURATION_MS)
        return ir.SpikeSourcePoisson(
            rate=_compact(values["rate"]), start=start, duration=duration, seed=self.seed
        )


class SpikeSourceArray(StandardCellType):
    """Spikes at given times (PyNN's ``SpikeSourceArray``): ``spike_times`` ms, one list for
    every neuron, or one :class:`Sequence` (or list of lists, sPyNNaker's form) per neuron."""

    is_source = True
    default_parameters: ClassVar[dict[str, Any]] = {"spike_times": Sequence([])}
    units: ClassVar[dict[str, str]] = {"spike_times": "ms"}

    def per_neuron(self, name: str, value: Any, size: int, seed: int, use: str) -> Any:
        """Spike times as a list of ``size`` float arrays (ms)."""
        return spike_time_lists(value, size)

    def ir_cell(self, values: dict[str, Any], initial: dict[str, np.ndarray]) -> Any:
        return ir.SpikeSourceArray.from_lists(values["spike_times"])


def spike_time_lists(value: Any, size: int) -> list[np.ndarray]:
    """``spike_times`` in any of PyNN's and sPyNNaker's forms as ``size`` arrays (ms).

    Raises
    ------
    IRValidationError
        For a per-neuron list of the wrong length or non-numeric times.
    """
    owner = "SpikeSourceArray"
    if isinstance(value, Sequence):
        return [value.value.copy() for _ in range(size)]
    if isinstance(value, np.ndarray) and value.dtype != object and value.ndim <= 1:
        return [np.asarray(value, dtype=np.float64).ravel().copy() for _ in range(size)]
    if isinstance(value, np.ndarray) and value.ndim == 2:
        value = list(value)
    items = list(value) if isinstance(value, (list, tuple, np.ndarray)) else None
    if items is None:
        raise IRValidationError(
            owner, "spike_times", value, "a list of times (ms), or one list or Sequence per neuron"
        )
    nested = [isinstance(item, (list, tuple, np.ndarray, Sequence)) for item in items]
    if not any(nested):
        times = _times(items)
        return [times.copy() for _ in range(size)]
    if not all(nested) or len(items) != size:
        raise IRValidationError(
            owner,
            "spike_times",
            f"{len(items)} entries",
            f"one list or Sequence of times per neuron ({size})",
        )
    if not all(isinstance(item, Sequence) for item in items):
        warnings.warn(
            "SpikeSourceArray(spike_times=[[...], ...]): PyNN expects one Sequence per neuron; "
            "accepted as sPyNNaker does (one list of times per neuron)",
            UserWarning,
            stacklevel=4,
        )
    return [item.value.copy() if isinstance(item, Sequence) else _times(item) for item in items]


def _times(values: Any) -> np.ndarray:
    try:
        return np.asarray(values, dtype=np.float64).ravel()
    except (TypeError, ValueError):
        raise IRValidationError("SpikeSourceArray", "spike_times", values, "numbers (ms)") from None


def _compact(values: np.ndarray) -> float | np.ndarray:
    """A scalar when every neuron has the same value (small IR), else the array."""
    return float(values[0]) if values.size and np.all(values == values[0]) else values


UNSUPPORTED_CELL_TYPES = (
    "IF_curr_alpha",
    "IF_cond_exp",
    "IF_cond_alpha",
    "HH_cond_exp",
    "EIF_cond_alpha_isfa_ista",
    "EIF_cond_exp_isfa_ista",
    "IF_cond_exp_gsfa_grr",
    "Izhikevich",
    "GIF_cond_exp",
    "IF_facets_hardware1",
    "SpikeSourceGamma",
    "SpikeSourceInhGamma",
)
"""PyNN cell types spikemem has no counterpart for: using them raises NotImplementedError."""


def _unsupported(name: str) -> type:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise NotImplementedError(
            f"cell type {name} is not supported by spikemem.pynn (supported: IF_curr_exp, IF_curr_delta, "
            "SpikeSourceArray, SpikeSourcePoisson)"
        )

    return type(name, (StandardCellType,), {"__init__": refuse, "__doc__": f"PyNN's {name}: not supported."})


for _name in UNSUPPORTED_CELL_TYPES:
    globals()[_name] = _unsupported(_name)
