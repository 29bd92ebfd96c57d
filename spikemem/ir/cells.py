"""Cell types of the IR, with PyNN's parameter names, defaults and units.

Every parameter is a float (one value for the whole population) or a 1-D array with one value
per neuron. Units are PyNN's: ms, mV, nA, nF, Hz.
"""

from __future__ import annotations

import dataclasses
from dataclasses import field
from typing import Any, ClassVar

import numpy as np

from ._checks import (
    check_range,
    check_size_matches,
    ir_dataclass,
    readonly_float_array,
    readonly_int_array,
    scalar_or_array,
)
from .dendrites import DendriticNeuron
from .errors import IRValidationError

Param = float | np.ndarray

MIN_POSITIVE = 1e-6
"""Smallest capacitance (nF) and time constant (ms) accepted: smaller (e.g. denormal) values
make ``tau_m/cm`` or ``1/tau`` overflow to inf, and then NaN inside the engines."""


def _check_lif(owner: str, cell: Any) -> None:
    lengths: dict[str, int] = {}
    for name in cell.parameter_names():
        value = scalar_or_array(owner, name, getattr(cell, name))
        object.__setattr__(cell, name, value)
        if isinstance(value, np.ndarray):
            lengths[name] = value.size
    if len(set(lengths.values())) > 1:
        first = next(iter(lengths))
        name = next(n for n, size in lengths.items() if size != lengths[first])
        raise IRValidationError(
            owner, name, f"array of length {lengths[name]}",
            f"a scalar or an array of length {lengths[first]} (as {first})",
        )
    for name in ("cm", "tau_m") + tuple(n for n in ("tau_syn_E", "tau_syn_I") if hasattr(cell, n)):
        check_range(owner, name, getattr(cell, name), low=MIN_POSITIVE, high=1e6)
    check_range(owner, "tau_refrac", cell.tau_refrac, low=0.0, high=1e6)
    for name in ("v_rest", "v_reset", "v_thresh"):
        check_range(owner, name, getattr(cell, name), low=-1e4, high=1e4)
    check_range(owner, "i_offset", cell.i_offset, low=-1e6, high=1e6)
    v_reset, v_thresh = np.broadcast_arrays(cell.v_reset, cell.v_thresh)
    bad = np.flatnonzero(v_reset >= v_thresh)
    if bad.size:
        first = bad[0]
        where = f" at neuron {first}" if v_reset.ndim else ""
        raise IRValidationError(
            owner, "v_reset", float(v_reset.flat[first]),
            f"v_reset < v_thresh (v_thresh={float(v_thresh.flat[first])} mV{where})",
        )


class _LIFChecks:
    """Validation shared by the LIF cell types (a mixin; the fields live in the subclasses)."""

    kind: ClassVar[str]

    def __post_init__(self) -> None:
        _check_lif(self.kind, self)
        _check_v_init(self)

    @classmethod
    def parameter_names(cls) -> tuple[str, ...]:
        """Names of the neuron parameters (``v_init`` excluded)."""
        return tuple(f.name for f in dataclasses.fields(cls) if f.name != "v_init")

    def check_size(self, owner: str, size: int) -> None:
        """Raise if a per-neuron array does not have ``size`` entries."""
        for name in self.parameter_names() + ("v_init",):
            check_size_matches(owner, name, getattr(self, name), size)


@ir_dataclass
class IF_curr_exp(_LIFChecks):  # noqa: N801  (PyNN's name)
    """Leaky integrate-and-fire neuron with exponentially decaying current-based synapses.

    ``dV/dt = (v_rest - V)/tau_m + (I_E - I_I + i_offset)/cm``,
    ``dI_E/dt = -I_E/tau_syn_E``, ``dI_I/dt = -I_I/tau_syn_I``.
    A spike of weight ``w`` (nA) arriving on the excitatory (inhibitory) receptor makes ``I_E``
    (``I_I``) jump by ``w`` (``exact`` numerics) or by ``w·(tau_syn/dt)(1 - e^(-dt/tau_syn))``
    (``spinnaker`` numerics). At ``V >= v_thresh`` the neuron spikes, ``V`` is set to
    ``v_reset`` and held there for the refractory period.

    Parameters
    ----------
    cm : float or array
        Membrane capacitance (nF), in [1e-6, 1e6].
    tau_m : float or array
        Membrane time constant (ms), in [1e-6, 1e6].
    tau_refrac : float or array
        Refractory period (ms).
    tau_syn_E, tau_syn_I : float or array
        Decay time constants of the excitatory and inhibitory synaptic currents (ms), in
        [1e-6, 1e6].
    v_rest, v_reset, v_thresh : float or array
        Resting, reset and threshold potentials (mV); ``v_reset < v_thresh``.
    i_offset : float or array
        Constant injected current (nA).
    v_init : float or array or None
        Initial membrane potential (mV); ``None`` means ``v_rest``.
    """

    kind: ClassVar[str] = "IF_curr_exp"
    receptors: ClassVar[tuple[str, ...]] = ("excitatory", "inhibitory")
    state_variables: ClassVar[tuple[str, ...]] = ("v", "isyn_exc", "isyn_inh")

    cm: Param = 1.0
    tau_m: Param = 20.0
    tau_refrac: Param = 0.1
    tau_syn_E: Param = 5.0
    tau_syn_I: Param = 5.0
    v_rest: Param = -65.0
    v_reset: Param = -65.0
    v_thresh: Param = -50.0
    i_offset: Param = 0.0
    v_init: Param | None = None



@ir_dataclass
class IF_curr_delta(_LIFChecks):  # noqa: N801  (PyNN's name)
    """Leaky integrate-and-fire neuron with delta-current synapses.

    ``dV/dt = (v_rest - V)/tau_m + i_offset/cm``; a spike of weight ``w`` arriving on the
    excitatory (inhibitory) receptor makes ``V`` jump by ``+w`` (``-w``) **mV** with ``exact``
    numerics, as NEST's ``iaf_psc_delta`` and PyNN's delta synapse; with ``spinnaker`` numerics
    it is sPyNNaker's delta input, a current ``w/dt`` (nA) held for one step, so ``V`` jumps by
    ``w·(tau_m/cm)(1 − e^(−dt/tau_m))/dt`` (≈ ``w/cm``). Input arriving while the neuron is refractory
    is discarded (NEST's default).

    Parameters
    ----------
    cm : float or array
        Membrane capacitance (nF), in [1e-6, 1e6].
    tau_m : float or array
        Membrane time constant (ms), in [1e-6, 1e6].
    tau_refrac : float or array
        Refractory period (ms).
    v_rest, v_reset, v_thresh : float or array
        Resting, reset and threshold potentials (mV); ``v_reset < v_thresh``.
    i_offset : float or array
        Constant injected current (nA).
    v_init : float or array or None
        Initial membrane potential (mV); ``None`` means ``v_rest``.
    """

    kind: ClassVar[str] = "IF_curr_delta"
    receptors: ClassVar[tuple[str, ...]] = ("excitatory", "inhibitory")
    state_variables: ClassVar[tuple[str, ...]] = ("v",)

    cm: Param = 1.0
    tau_m: Param = 20.0
    tau_refrac: Param = 0.1
    v_rest: Param = -65.0
    v_reset: Param = -65.0
    v_thresh: Param = -50.0
    i_offset: Param = 0.0
    v_init: Param | None = None



@ir_dataclass
class DiscreteLIF:
    """Discrete-time leaky integrate-and-fire neuron with subtractive reset (no PyNN equivalent).

    The neuron of HLOP's DSR training (Xiao et al. 2024; ``modules/neuron_dsr.py`` of the
    authors' code). It is defined per time step of length ``dt`` (ms), not by an ODE. At step
    ``t``, with ``I[t]`` the input (mV) and ``u`` the membrane potential relative to rest (mV):

    - input: ``I[t] = i_offset + Σ w_E − Σ w_I`` over the spikes arriving at step ``t``
      (weights in mV, the sign from the receptor);
    - leaky (``tau_m`` given): ``u[t] = β·u[t−1] + (1 − β)·I[t]`` with ``β = exp(−dt/tau_m)``,
      so a constant input ``I`` drives ``u`` towards ``I``;
    - integrate-and-fire (``tau_m=None``): ``u[t] = u[t−1] + I[t]``;
    - spike when ``u[t] >= alpha·v_thresh``; then ``u[t] ← u[t] − v_thresh`` (subtractive
      reset, no refractory period, so at most one spike per step).

    HLOP's hidden neurons use ``tau_m = 1``, ``dt = 0.05`` (β ≈ 0.951), ``alpha = 0.3``; its
    spiking lateral neurons are the integrate-and-fire form with ``v_thresh = 1``,
    ``alpha = 1`` and ``v_init = 0.5``, which makes the spike count over ``n`` steps of a
    constant input ``c ∈ [0, 1]`` equal to ``floor(n·c + 1/2)``.

    Backends without :attr:`spikemem.backends.base.Capability.DISCRETE_LIF` raise
    :class:`~spikemem.ir.UnsupportedFeature` for it.

    Parameters
    ----------
    tau_m : float or array or None
        Membrane time constant (ms), in [1e-6, 1e6]; ``None`` for the integrate-and-fire form
        without leak (whole population).
    v_thresh : float or array
        Reset step ``V_th`` (mV), in (0, 1e4]; the threshold is ``alpha·v_thresh``.
    alpha : float or array
        Threshold factor (dimensionless), in (0, 1e3].
    i_offset : float or array
        Constant input (mV), added to ``I[t]`` at every step.
    v_init : float or array or None
        Initial membrane potential (mV); ``None`` means 0 (rest).
    """

    kind: ClassVar[str] = "DiscreteLIF"
    receptors: ClassVar[tuple[str, ...]] = ("excitatory", "inhibitory")
    state_variables: ClassVar[tuple[str, ...]] = ("v",)

    tau_m: Param | None = 1.0
    v_thresh: Param = 1.0
    alpha: Param = 1.0
    i_offset: Param = 0.0
    v_init: Param | None = None

    def __post_init__(self) -> None:
        lengths: dict[str, int] = {}
        for name in ("tau_m", "v_thresh", "alpha", "i_offset", "v_init"):
            value = getattr(self, name)
            if value is None and name in ("tau_m", "v_init"):
                continue
            value = scalar_or_array(self.kind, name, value)
            object.__setattr__(self, name, value)
            if isinstance(value, np.ndarray):
                lengths[name] = value.size
        if len(set(lengths.values())) > 1:
            first = next(iter(lengths))
            name = next(n for n, size in lengths.items() if size != lengths[first])
            raise IRValidationError(
                self.kind, name, f"array of length {lengths[name]}",
                f"a scalar or an array of length {lengths[first]} (as {first})",
            )
        if self.tau_m is not None:
            check_range(self.kind, "tau_m", self.tau_m, low=MIN_POSITIVE, high=1e6)
        check_range(self.kind, "v_thresh", self.v_thresh, low=0.0, low_open=True, high=1e4)
        check_range(self.kind, "alpha", self.alpha, low=0.0, low_open=True, high=1e3)
        check_range(self.kind, "i_offset", self.i_offset, low=-1e6, high=1e6)
        if self.v_init is not None:
            check_range(self.kind, "v_init", self.v_init, low=-1e4, high=1e4)

    @classmethod
    def parameter_names(cls) -> tuple[str, ...]:
        """Names of the neuron parameters (``v_init`` excluded)."""
        return ("tau_m", "v_thresh", "alpha", "i_offset")

    def check_size(self, owner: str, size: int) -> None:
        """Raise if a per-neuron array does not have ``size`` entries."""
        for name in self.parameter_names() + ("v_init",):
            value = getattr(self, name)
            if value is not None:
                check_size_matches(owner, name, value, size)


def _check_v_init(cell: Any) -> None:
    if cell.v_init is None:
        return
    value = scalar_or_array(cell.kind, "v_init", cell.v_init)
    object.__setattr__(cell, "v_init", value)
    check_range(cell.kind, "v_init", value, low=-1e4, high=1e4)
    for name in cell.parameter_names():
        other = getattr(cell, name)
        if isinstance(value, np.ndarray) and isinstance(other, np.ndarray) and other.size != value.size:
            raise IRValidationError(
                cell.kind, "v_init", f"array of length {value.size}",
                f"a scalar or an array of length {other.size} (as {name})",
            )


@ir_dataclass
class SpikeSourceArray:
    """Neurons that emit spikes at given times.

    Parameters
    ----------
    times : array of float
        Spike times (ms), ``>= 0``. Entry ``k`` belongs to neuron ``ids[k]``.
    ids : array of int
        Neuron index (0-based, within the population) of each spike.

    Use :meth:`from_lists` for PyNN's one-list-per-neuron form.
    """

    kind: ClassVar[str] = "SpikeSourceArray"
    receptors: ClassVar[tuple[str, ...]] = ()
    state_variables: ClassVar[tuple[str, ...]] = ()

    times: np.ndarray = field(default_factory=lambda: np.zeros(0))
    ids: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    def __post_init__(self) -> None:
        times = readonly_float_array(self.kind, "times", self.times)
        ids = readonly_int_array(self.kind, "ids", self.ids)
        if times.size != ids.size:
            raise IRValidationError(
                self.kind, "ids", f"{ids.size} ids", f"one id per spike time ({times.size} times)"
            )
        check_range(self.kind, "times", times, low=0.0, high=1e9)
        check_range(self.kind, "ids", ids, low=0)
        object.__setattr__(self, "times", times)
        object.__setattr__(self, "ids", ids)

    @classmethod
    def from_lists(cls, spike_times: list[Any]) -> SpikeSourceArray:
        """Build from PyNN's form: ``spike_times[i]`` lists the times (ms) of neuron ``i``."""
        try:
            times = [readonly_float_array(cls.kind, "spike_times", t) for t in spike_times]
        except TypeError:
            raise IRValidationError(
                cls.kind, "spike_times", spike_times, "a list with one list of times (ms) per neuron"
            ) from None
        ids = [np.full(t.size, i, dtype=np.int64) for i, t in enumerate(times)]
        return cls(
            times=np.concatenate(times) if times else np.zeros(0),
            ids=np.concatenate(ids) if ids else np.zeros(0, dtype=np.int64),
        )

    @classmethod
    def parameter_names(cls) -> tuple[str, ...]:
        """Names of the parameters."""
        return ("times", "ids")

    def check_size(self, owner: str, size: int) -> None:
        """Raise if a spike belongs to a neuron outside the population."""
        if self.ids.size and int(self.ids.max()) >= size:
            raise IRValidationError(
                owner, "ids", int(self.ids.max()), f"neuron indices in [0, {size - 1}]"
            )


@ir_dataclass
class SpikeSourcePoisson:
    """Independent Poisson spike trains, drawn on the host so every backend sees the same spikes.

    In each time step of length ``dt`` inside ``[start, start + duration)`` a neuron spikes with
    probability ``1 - exp(-rate·dt)``, drawn from a generator seeded by ``seed`` (or, when it is
    ``None``, by the compile seed and the population name).

    Parameters
    ----------
    rate : float or array
        Firing rate (Hz), ``>= 0``.
    start : float
        Start time (ms).
    duration : float
        Length of the active interval (ms); ``inf`` is not allowed, use a large number.
    seed : int or None
        Seed of this source's generator.
    """

    kind: ClassVar[str] = "SpikeSourcePoisson"
    receptors: ClassVar[tuple[str, ...]] = ()
    state_variables: ClassVar[tuple[str, ...]] = ()

    rate: Param = 1.0
    start: float = 0.0
    duration: float = 1e9
    seed: int | None = None

    def __post_init__(self) -> None:
        rate = scalar_or_array(self.kind, "rate", self.rate)
        check_range(self.kind, "rate", rate, low=0.0, high=1e6)
        object.__setattr__(self, "rate", rate)
        for name in ("start", "duration"):
            value = scalar_or_array(self.kind, name, getattr(self, name))
            if isinstance(value, np.ndarray):
                raise IRValidationError(self.kind, name, value, "a single number (ms)")
            check_range(self.kind, name, value, low=0.0, high=1e9)
            object.__setattr__(self, name, value)
        if self.seed is not None:
            if isinstance(self.seed, bool) or not isinstance(self.seed, (int, np.integer)):
                raise IRValidationError(self.kind, "seed", self.seed, "None or an integer >= 0")
            if not 0 <= int(self.seed) < 2**63:
                raise IRValidationError(self.kind, "seed", self.seed, "an integer in [0, 2**63)")
            object.__setattr__(self, "seed", int(self.seed))

    @classmethod
    def parameter_names(cls) -> tuple[str, ...]:
        """Names of the parameters."""
        return ("rate", "start", "duration", "seed")

    def check_size(self, owner: str, size: int) -> None:
        """Raise if a per-neuron rate array does not have ``size`` entries."""
        check_size_matches(owner, "rate", self.rate, size)


CELL_TYPES: dict[str, type] = {
    cls.kind: cls
    for cls in (IF_curr_exp, IF_curr_delta, SpikeSourceArray, SpikeSourcePoisson, DiscreteLIF, DendriticNeuron)
}
"""Every cell type of the IR, by its PyNN name."""

Cell = IF_curr_exp | IF_curr_delta | SpikeSourceArray | SpikeSourcePoisson | DiscreteLIF | DendriticNeuron


def per_neuron(value: Any, size: int) -> np.ndarray:
    """A cell parameter (scalar or per-neuron array) as a new float64 array of shape ``(size,)``."""
    return np.array(np.broadcast_to(np.asarray(value, dtype=np.float64), (size,)), dtype=np.float64)


def refractory_steps(tau_refrac: Any, dt: float, numerics: str) -> np.ndarray:
    """Whole steps a neuron stays frozen after a spike for ``tau_refrac`` (ms) at step ``dt`` (ms):
    ``round`` (``exact`` numerics, as NEST's ``iaf_psc_exp``) or ``ceil`` (``spinnaker``)."""
    ratio = np.asarray(tau_refrac, dtype=np.float64) / dt
    if numerics == "spinnaker":
        return np.ceil(ratio - 1e-9).astype(np.int64)
    return np.floor(ratio + 0.5 + 1e-9).astype(np.int64)


def is_source(cell: Any) -> bool:
    """True for cell types without dynamics (spike sources)."""
    return isinstance(cell, (SpikeSourceArray, SpikeSourcePoisson))


def cell_from_dict(data: dict[str, Any]) -> Any:
    """Rebuild a cell from :func:`cell_to_dict` output; unknown kinds or names raise."""
    kind = data.get("kind")
    if kind not in CELL_TYPES:
        raise IRValidationError("cell", "kind", kind, "one of " + ", ".join(CELL_TYPES))
    cls = CELL_TYPES[kind]
    params = {k: v for k, v in data.items() if k != "kind"}
    return make_cell(cls, params)


def make_cell(cls: type, params: dict[str, Any]) -> Any:
    """Construct ``cls(**params)`` with a clear error for unknown parameter names."""
    allowed = {f.name for f in dataclasses.fields(cls)}
    for name in params:
        if name not in allowed:
            raise IRValidationError(cls.kind, "parameter name", name, ", ".join(sorted(allowed)))
    return cls(**params)


def cell_to_dict(cell: Any) -> dict[str, Any]:
    """Plain-data form of a cell (arrays stay numpy arrays)."""
    data: dict[str, Any] = {"kind": cell.kind}
    for f in dataclasses.fields(cell):
        data[f.name] = getattr(cell, f.name)
    return data
