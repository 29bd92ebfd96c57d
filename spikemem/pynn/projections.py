"""PyNN's ``Projection``: synapses resolved on the host when the projection is made.

The connector is resolved at construction with the shared, seeded
:func:`spikemem.ir.resolve` (so ``len(proj)`` and ``proj.get`` work before any run), weights and
delays are drawn on the host, and at ``run()`` the projection becomes an IR projection with a
``FromList`` of exactly those synapses (:meth:`Projection.ir_projection`): every backend sees the
same synapses, weights and delays. Memory is O(synapses).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from .. import ir
from ..atomicio import write_text_atomic
from ..ir.errors import IRValidationError
from .assembly import Assembly
from .connectors import Connector, FromListConnector
from .populations import BasePopulation
from .random import RandomDistribution
from .simulator import Simulator, current
from .synapses import StaticSynapse

__all__ = ["Projection"]

RECEPTOR_TYPES = ("excitatory", "inhibitory")


def _selection(value: Any, side: str) -> BasePopulation:
    if isinstance(value, Assembly):
        if len(value.populations) != 1:
            raise NotImplementedError(
                f"a Projection {side} an Assembly of several populations is not supported by spikemem.pynn; "
                "make one Projection per population"
            )
        return value.populations[0]
    if not isinstance(value, BasePopulation):
        raise IRValidationError(
            "Projection", f"{side} neurons", value, "a Population, PopulationView or Assembly"
        )
    return value


class Projection:
    """Synapses from ``presynaptic_neurons`` to ``postsynaptic_neurons`` (PyNN's ``Projection``).

    Parameters
    ----------
    presynaptic_neurons, postsynaptic_neurons : Population, PopulationView or Assembly
        Source and target neurons (an Assembly of one population only).
    connector : Connector
        Which pairs connect.
    synapse_type : StaticSynapse or STDPMechanism or None
        Weights (nA; mV onto ``IF_curr_delta``), delays (ms) and plasticity; default
        ``StaticSynapse()``.
    source : None
        Not supported (anything else raises NotImplementedError).
    receptor_type : {"excitatory", "inhibitory"} or None
        ``None`` is ``"excitatory"``.
    space : None
        Not supported.
    label : str or None
        Name; default ``"<pre label>→<post label>"``.

    Raises
    ------
    IRValidationError
        For a bad receptor, weight or delay (naming it and what is allowed).
    """

    def __init__(
        self,
        presynaptic_neurons: Any,
        postsynaptic_neurons: Any,
        connector: Connector,
        synapse_type: Any = None,
        source: Any = None,
        receptor_type: str | None = None,
        space: Any = None,
        label: str | None = None,
    ) -> None:
        sim: Simulator = current()
        if source is not None:
            raise NotImplementedError("Projection(source=...) is not supported by spikemem.pynn")
        if space is not None:
            raise NotImplementedError(
                "Projection(space=...) (distance-dependent connectivity) is not supported by spikemem.pynn"
            )
        if not isinstance(connector, Connector):
            raise IRValidationError(
                "Projection", "connector", connector, "a connector such as AllToAllConnector()"
            )
        synapse_type = StaticSynapse() if synapse_type is None else synapse_type
        if not isinstance(synapse_type, StaticSynapse):
            raise IRValidationError(
                "Projection", "synapse_type", synapse_type, "StaticSynapse or STDPMechanism"
            )
        receptor = "excitatory" if receptor_type is None else receptor_type
        if receptor not in RECEPTOR_TYPES:
            raise IRValidationError("Projection", "receptor_type", receptor_type, ", ".join(RECEPTOR_TYPES))
        self.pre = _selection(presynaptic_neurons, "from")
        self.post = _selection(postsynaptic_neurons, "to")
        sim.check_structure_change("creating a Projection")
        self._sim = sim
        self.connector = connector
        self.synapse_type = synapse_type
        self.receptor_type = receptor
        self.label = label if label is not None else f"{self.pre.label}→{self.post.label}"
        self.name = sim.unique_name(self.label)
        self.plasticity = synapse_type.ir_plasticity(sim.options.numerics)
        self._resolve()
        sim.projections.append(self)

    # -- construction ----------------------------------------------------------------------------
    def _resolve(self) -> None:
        sim = self._sim
        pre_root, post_root = self.pre.root.ir_population(), self.post.root.ir_population()
        pre = pre_root if self.pre.root is self.pre else pre_root[self.pre.indices]
        post = post_root if self.post.root is self.post else post_root[self.post.indices]
        probe = ir.Projection(
            name=self.name,
            pre=pre,
            post=post,
            connector=self.connector.ir_connector(self.pre.size, self.post.size),
            weight=0.0,
            delay=sim.options.min_delay,
            receptor=self.receptor_type,
        )
        synapses = ir.resolve(probe, sim.options.seed)
        self._pre_root, self._post_root = synapses.pre, synapses.post
        self._i = _positions(self.pre, synapses.pre)
        self._j = _positions(self.post, synapses.post)
        column = (
            self.connector.column if isinstance(self.connector, FromListConnector) else (lambda name: None)
        )
        weight = column("weight")
        self._weight = self._weights(self.synapse_type.weight if weight is None else weight, "weight")
        delay = column("delay")
        value = self.synapse_type.delay if delay is None else delay
        self._delay = self._delays(sim.options.min_delay if value is None else value)

    def _values(self, value: Any, name: str) -> np.ndarray:
        n = self._i.size
        if isinstance(value, RandomDistribution):
            return value.draw(n, self._sim.options.seed, f"{self.name}.{name}.{self._sim.step}")
        if callable(value):
            raise NotImplementedError(
                f"{self.label}: a function of distance as {name} is not supported by spikemem.pynn"
            )
        if isinstance(value, str):
            raise NotImplementedError(
                f"{self.label}: an expression string as {name} is not supported by spikemem.pynn"
            )
        try:
            array = np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError):
            raise IRValidationError(
                self.label, name, value, "a number, an array or a RandomDistribution"
            ) from None
        if array.ndim == 0:
            return np.full(n, float(array))
        if array.ndim == 1 and array.size == n:
            return array.copy()
        if array.shape == (self.pre.size, self.post.size):
            return array[self._i, self._j].copy()
        raise IRValidationError(
            self.label,
            name,
            f"an array of shape {array.shape}",
            f"a number, {n} values (one per synapse) or a ({self.pre.size}, {self.post.size}) array",
        )

    def _weights(self, value: Any, name: str = "weight") -> np.ndarray:
        weights = self._values(value, name)
        if np.any(~np.isfinite(weights)):
            raise IRValidationError(self.label, "weight", value, "finite numbers")
        if np.any(weights < 0):
            if self.receptor_type == "excitatory":
                raise IRValidationError(
                    self.label,
                    "weight",
                    float(weights.min()),
                    "weights >= 0 (the sign comes from receptor_type='inhibitory')",
                )
            warnings.warn(
                f"{self.label}: negative weights on an inhibitory projection taken as their magnitude "
                "(PyNN's convention: weights >= 0, the sign comes from receptor_type)",
                UserWarning,
                stacklevel=4,
            )
            weights = np.abs(weights)
        if self.plasticity is not None:
            bounds = self.plasticity.weight
            if weights.size and (weights.min() < bounds.w_min or weights.max() > bounds.w_max):
                raise IRValidationError(
                    self.label,
                    "weight",
                    float(weights.min() if weights.min() < bounds.w_min else weights.max()),
                    f"initial weights within the STDP bounds [{bounds.w_min}, {bounds.w_max}] nA",
                )
        return weights

    def _delays(self, value: Any) -> np.ndarray:
        delays = self._values(value, "delay")
        options = self._sim.options
        if delays.size and (
            delays.min() < options.min_delay * (1 - 1e-9) or delays.max() > options.max_delay * (1 + 1e-9)
        ):
            bad = float(delays.min() if delays.min() < options.min_delay * (1 - 1e-9) else delays.max())
            raise IRValidationError(
                self.label,
                "delay",
                bad,
                f"delays in [min_delay, max_delay] = [{options.min_delay}, {options.max_delay}] ms",
            )
        return delays

    def ir_projection(self, populations: dict[str, ir.Population]) -> ir.Projection:
        """The IR projection: every synapse explicit (``FromList``) with its weight and delay."""
        weight = self._weight
        first = (
            float(weight[0]) if weight.size else (self.plasticity.weight.w_min if self.plasticity else 0.0)
        )
        return ir.Projection(
            name=self.name,
            pre=populations[self.pre.root.name],
            post=populations[self.post.root.name],
            connector=ir.FromList(pre=self._pre_root, post=self._post_root, weight=weight, delay=self._delay),
            weight=first,
            delay=float(self._delay[0]) if self._delay.size else self._sim.options.min_delay,
            receptor=self.receptor_type,
            plasticity=self.plasticity,
        )

    # -- PyNN's API ------------------------------------------------------------------------------
    def __len__(self) -> int:
        return int(self._i.size)

    def size(self, gather: bool = True) -> int:
        """Number of synapses."""
        return len(self)

    def current_weights(self) -> np.ndarray:
        """Weights now (nA; after learning when the simulation has run), one per synapse."""
        engine = self._sim.engine
        if engine is not None and self._sim.step > 0:
            values = engine.weights(self)
            if values is not None:
                return values
        return self._weight.copy()

    def get(
        self,
        attribute_names: Any,
        format: str,
        gather: bool = True,
        with_address: bool = True,  # noqa: A002
        multiple_synapses: str = "sum",
    ) -> Any:
        """Weights (nA) and/or delays (ms, on the time grid) as ``format="list"`` (tuples
        ``(i, j, value...)``, ``i``/``j`` positions in the pre/post selections) or ``"array"``
        (a pre × post array, NaN where unconnected, repeated pairs combined by
        ``multiple_synapses``: ``"sum"``, ``"min"``, ``"max"``, ``"first"``, ``"last"``).

        Raises
        ------
        IRValidationError
            For an unknown attribute or format.
        """
        names = [attribute_names] if isinstance(attribute_names, str) else list(attribute_names)
        columns = [self._attribute(name) for name in names]
        if format == "list":
            if with_address:
                rows = [
                    (int(i), int(j), *(float(c[k]) for c in columns))
                    for k, (i, j) in enumerate(zip(self._i, self._j, strict=True))
                ]
            elif len(columns) == 1:
                rows = [float(v) for v in columns[0]]
            else:
                rows = [tuple(float(c[k]) for c in columns) for k in range(len(self))]
            return rows
        if format == "array":
            arrays = [self._matrix(c, multiple_synapses) for c in columns]
            return arrays[0] if isinstance(attribute_names, str) else arrays
        raise IRValidationError(self.label, "format", format, "'list' or 'array'")

    def _attribute(self, name: str) -> np.ndarray:
        if name == "weight":
            return self.current_weights()
        if name == "delay":
            dt = self._sim.dt
            return np.round(np.maximum(np.floor(self._delay / dt + 0.5 + 1e-9), 1.0) * dt, 12)
        raise IRValidationError(self.label, "attribute", name, "weight, delay")

    def _matrix(self, values: np.ndarray, multiple_synapses: str) -> np.ndarray:
        matrix = np.full((self.pre.size, self.post.size), np.nan)
        if multiple_synapses in ("sum", "min", "max"):
            combine = {"sum": np.add, "min": np.fmin, "max": np.fmax}[multiple_synapses]
            start = 0.0 if multiple_synapses == "sum" else np.nan
            seen = np.zeros_like(matrix, dtype=bool)
            seen[self._i, self._j] = True
            matrix[seen] = start
            combine.at(matrix, (self._i, self._j), values)
        elif multiple_synapses == "first":
            matrix[self._i[::-1], self._j[::-1]] = values[::-1]
        elif multiple_synapses == "last":
            matrix[self._i, self._j] = values
        else:
            raise IRValidationError(
                self.label, "multiple_synapses", multiple_synapses, "sum, min, max, first, last"
            )
        return matrix

    def set(self, **attributes: Any) -> None:
        """Set weights (between runs too: the simulation continues with them) or delays (before
        the first run or after ``reset()``); values as PyNN takes them (a number, one per
        synapse, a pre × post array or a RandomDistribution).

        Raises
        ------
        NotImplementedError
            For delays changed during a simulation, or STDP parameters.
        """
        for name, value in attributes.items():
            if name == "weight":
                self._weight = self._weights(value)
                if self._sim.engine is not None:
                    self._sim.engine.set_weights(self, self._weight)
            elif name == "delay":
                if self._sim.engine is not None and self._sim.step > 0:
                    raise NotImplementedError(
                        f"{self.label}: changing delays after run() is not supported by spikemem.pynn "
                        "(reset() first)"
                    )
                self._delay = self._delays(value)
                self._sim.engine = None
            else:
                raise NotImplementedError(
                    f"{self.label}: setting {name} is not supported by spikemem.pynn (weight, delay)"
                )

    def save(
        self,
        attribute_names: Any,
        file: Any,
        format: str = "list",
        gather: bool = True,
        with_address: bool = True,
    ) -> None:  # noqa: A002
        """Write ``get(attribute_names, format)`` to a text file (atomically); the list form
        has a ``# columns = [...]`` header that :class:`~.connectors.FromFileConnector` reads."""
        if not isinstance(file, (str, bytes)) and not hasattr(file, "__fspath__"):
            raise IRValidationError(self.label, "file", file, "a file name")
        names = [attribute_names] if isinstance(attribute_names, str) else list(attribute_names)
        if attribute_names == "all":
            names = ["weight", "delay"]
        data = self.get(names, format, with_address=with_address)
        if format == "list":
            header = ["i", "j"] * with_address + names
            lines = [f"# columns = {header}"] + [
                " ".join(repr(float(x)) for x in np.atleast_1d(row)) for row in data
            ]
        else:
            lines = [
                f"# {name}\n" + "\n".join(" ".join(repr(float(x)) for x in row) for row in array)
                for name, array in zip(names, data, strict=True)
            ]
        write_text_atomic(file, "\n".join(lines) + "\n")

    def describe(self, template: Any = None, engine: Any = None) -> str:
        """A one-line description."""
        kind = type(self.connector).__name__
        return f"Projection {self.label!r}: {len(self)} synapses, {kind}, {self.receptor_type}"

    __repr__ = describe


def _positions(selection: BasePopulation, root_indices: np.ndarray) -> np.ndarray:
    """Positions in ``selection`` of neurons given by their indices in the root population."""
    lookup = np.full(selection.root.size, -1, dtype=np.int64)
    lookup[selection.indices] = np.arange(selection.size, dtype=np.int64)
    return lookup[root_indices]
