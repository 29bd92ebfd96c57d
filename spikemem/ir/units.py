"""Values that carry physical units (Brian2 ``Quantity``, ``quantities``/Neo, ``pint``): converted
to the IR's unit of the parameter, or refused — never stripped silently (numpy only).

The IR stores plain numbers in PyNN's units: ms (times, delays, time constants, ``dt``), mV
(potentials), nA (currents), nF (capacitance), Hz (rates). A value with units passed for such
a parameter is converted to that unit the way its library does (``q / ms`` in Brian2,
``q.rescale("ms")`` in ``quantities``, ``q.to("ms")`` in pint), so ``20 * brian2.ms`` stores
``20.0`` and ``-50 * brian2.mV`` stores ``-50.0``. A value of the wrong dimension (a voltage for
``tau_m``) is refused naming the expected unit. Weights (nA, mV or µS depending on the synapse),
STDP weight bounds, parameters without a physical unit given a dimensioned value, and values of
astropy or unyt are refused: pass a plain number there. No unit library is imported here;
values are recognised by the module of their type.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .errors import IRValidationError

__all__ = ["IR_UNITS", "has_units", "parameter_unit", "to_ir_value"]

IR_UNITS: dict[str, tuple[tuple[int, ...], float]] = {
    "ms": ((0, 0, 1, 0, 0, 0, 0), 1e-3),
    "mV": ((2, 1, -3, -1, 0, 0, 0), 1e-3),
    "nA": ((0, 0, 0, 1, 0, 0, 0), 1e-9),
    "nF": ((-2, -1, 4, 2, 0, 0, 0), 1e-9),
    "Hz": ((0, 0, -1, 0, 0, 0, 0), 1.0),
    "1": ((0, 0, 0, 0, 0, 0, 0), 1.0),
}
"""IR unit -> (SI base exponents m, kg, s, A, K, mol, cd; size of the unit in SI)."""

_UNIT_LIBRARIES = ("brian2", "quantities", "pint", "astropy", "unyt")
_CONVERTED = ("brian2", "quantities", "pint")
_TIME = ("dt", "duration", "delay", "times", "spike_times", "window", "tau_refrac")
_UNITLESS = ("p", "alpha", "A_plus", "A_minus")
_REFUSED = {
    "weight": "a plain number in the projection's weight unit (nA for current synapses, mV for delta "
    "synapses)",
    "w_min": "a plain number in the projection's weight unit",
    "w_max": "a plain number in the projection's weight unit",
}


def has_units(value: Any) -> bool:
    """Whether ``value`` is a quantity of a unit library (Brian2, quantities, pint, astropy, unyt)."""
    return type(value).__module__.split(".")[0] in _UNIT_LIBRARIES


def parameter_unit(owner: str, name: str) -> str | None:
    """The IR unit of parameter ``name`` of ``owner`` ("ms", "mV", "nA", "nF", "Hz", "1" for a
    pure number), or ``None`` where a value with units is refused."""
    base = name.rsplit(".", 1)[-1]
    if owner.startswith("DiscreteLIF") and base != "tau_m":
        return None  # potentials and input of the discrete LIF are in the model's own units
    if base in _TIME or base.startswith("tau"):
        return "ms"
    if base.startswith("v_"):
        return "mV"
    if base == "i_offset":
        return "nA"
    if base == "cm":
        return "nF"
    if base == "rate":
        return "Hz"
    if base in _UNITLESS:
        return "1"
    return None


def to_ir_value(owner: str, name: str, value: Any) -> Any:
    """``value`` in the IR unit of ``name`` if it carries units, else ``value`` unchanged.

    Lists and tuples of quantities are converted element by element (all must carry units).

    Raises
    ------
    IRValidationError
        For a value of the wrong dimension, a parameter that takes no value with units, or a
        list mixing plain numbers and quantities; the message names the expected unit.
    """
    if isinstance(value, (list, tuple)) and value and any(has_units(v) for v in value):
        if not all(has_units(v) for v in value):
            raise IRValidationError(owner, name, value, "plain numbers or quantities, not a mix of both")
        return [to_ir_value(owner, name, v) for v in value]
    if not has_units(value):
        return value
    unit = parameter_unit(owner, name)
    if unit is None:
        raise IRValidationError(owner, name, value, _REFUSED.get(name.rsplit(".", 1)[-1], "a plain number"))
    library = type(value).__module__.split(".")[0]
    if library not in _CONVERTED:
        raise IRValidationError(
            owner, name, value, f"a plain number in {unit} ({library} values are not converted)"
        )
    try:
        converted = _convert(value, unit)
    except Exception:  # noqa: BLE001 - each library raises its own dimension error
        converted = None
    if converted is None:
        shown = (
            "a pure number" if unit == "1" else f"a value in {unit} (a plain number, or a quantity in {unit})"
        )
        raise IRValidationError(owner, name, value, shown + "; the given unit has another dimension")
    array = np.asarray(converted, dtype=np.float64)
    return float(array) if array.ndim == 0 else array


def _convert(value: Any, unit: str) -> Any:
    """The magnitude of ``value`` in ``unit``, or ``None`` for a value of another dimension."""
    if type(value).__module__.split(".")[0] == "brian2":
        exponents, size = IR_UNITS[unit]
        dims = tuple(int(d) for d in getattr(getattr(value, "dim", None), "_dims", ()))
        if dims != exponents:
            return None
        return np.asarray(value).astype(np.float64) / size
    target = "dimensionless" if unit == "1" else unit
    if type(value).__module__.split(".")[0] == "quantities":
        return np.asarray(value.rescale(target).magnitude)
    return np.asarray(value.to(target).magnitude)  # pint
