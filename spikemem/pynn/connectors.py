"""PyNN's connectors, mapped to the IR connectors (:mod:`spikemem.ir.connectors`).

A connector keeps PyNN's arguments; :meth:`Connector.ir_connector` gives the IR connector the
shared, seeded :func:`spikemem.ir.resolve` turns into synapses, so every backend gets the same
ones. A connector's ``rng`` (a :class:`~.random.NumpyRNG`) gives its seed; without one the
seed comes from ``setup(seed=...)`` and the projection's name.
"""

from __future__ import annotations

import warnings
from typing import Any, ClassVar

import numpy as np

from .. import ir
from ..ir.errors import IRValidationError
from .random import NumpyRNG

__all__ = [
    "AllToAllConnector",
    "ArrayConnector",
    "Connector",
    "FixedNumberPostConnector",
    "FixedNumberPreConnector",
    "FixedProbabilityConnector",
    "FixedTotalNumberConnector",
    "FromFileConnector",
    "FromListConnector",
    "OneToOneConnector",
    "UNSUPPORTED_CONNECTORS",
]


class Connector:
    """Base of the connectors: PyNN's ``safe``, ``callback``, ``location_selector`` and ``rng``."""

    parameter_names: ClassVar[tuple[str, ...]] = ()

    def __init__(
        self, *, safe: bool = True, callback: Any = None, location_selector: Any = None, rng: Any = None
    ) -> None:
        name = type(self).__name__
        if location_selector is not None:
            raise NotImplementedError(
                f"{name}(location_selector=...) (multi-compartment) is not supported by spikemem.pynn"
            )
        if callback is not None:
            warnings.warn(
                f"{name}(callback=...): progress callbacks are not called by spikemem.pynn",
                UserWarning,
                stacklevel=3,
            )
        if rng is not None and not isinstance(rng, NumpyRNG):
            raise IRValidationError(name, "rng", rng, "None or a NumpyRNG")
        self.safe = safe
        self.callback = callback
        self.rng = rng
        self._uses = 0

    def seed(self) -> int | None:
        """The IR connector seed: the rng's seed on first use, a seed derived from it after
        (so two projections sharing one rng draw different synapses); ``None`` without one."""
        if self.rng is None or self.rng.seed is None:
            return None
        self._uses += 1
        if self._uses == 1:
            return self.rng.seed
        state = np.random.SeedSequence([self.rng.seed, self._uses]).generate_state(1, np.uint64)[0]
        return int(state >> np.uint64(1))

    def ir_connector(self, n_pre: int, n_post: int) -> Any:
        """The IR connector between selections of ``n_pre`` and ``n_post`` neurons."""
        raise NotImplementedError

    def describe(self, template: Any = None, engine: Any = None) -> str:
        """A one-line description."""
        return f"{type(self).__name__}"


class OneToOneConnector(Connector):
    """Neuron ``i`` of the pre selection to neuron ``i`` of the post selection."""

    def __init__(self, location_selector: Any = None, safe: bool = True, callback: Any = None) -> None:
        super().__init__(safe=safe, callback=callback, location_selector=location_selector)

    def ir_connector(self, n_pre: int, n_post: int) -> Any:
        return ir.OneToOne()


class AllToAllConnector(Connector):
    """Every pre neuron to every post neuron; ``allow_self_connections=False`` drops the pairs
    at equal positions (also between two different populations, as sPyNNaker does)."""

    def __init__(
        self,
        allow_self_connections: bool = True,
        location_selector: Any = None,
        safe: bool = True,
        callback: Any = None,
    ) -> None:
        super().__init__(safe=safe, callback=callback, location_selector=location_selector)
        self.allow_self_connections = allow_self_connections

    def ir_connector(self, n_pre: int, n_post: int) -> Any:
        return ir.AllToAll(allow_self_connections=bool(self.allow_self_connections))


class FixedProbabilityConnector(Connector):
    """Each pair connected with probability ``p_connect``."""

    def __init__(
        self,
        p_connect: float,
        allow_self_connections: bool = True,
        location_selector: Any = None,
        rng: Any = None,
        safe: bool = True,
        callback: Any = None,
    ) -> None:
        super().__init__(safe=safe, callback=callback, location_selector=location_selector, rng=rng)
        self.p_connect = p_connect
        self.allow_self_connections = allow_self_connections

    def ir_connector(self, n_pre: int, n_post: int) -> Any:
        return ir.FixedProbability(
            p=self.p_connect, allow_self_connections=bool(self.allow_self_connections), seed=self.seed()
        )


class _FixedNumber(Connector):
    ir_class: ClassVar[type]
    default_replacement: ClassVar[bool] = False

    def __init__(
        self,
        n: int,
        allow_self_connections: bool = True,
        with_replacement: bool | None = None,
        location_selector: Any = None,
        rng: Any = None,
        safe: bool = True,
        callback: Any = None,
    ) -> None:
        super().__init__(safe=safe, callback=callback, location_selector=location_selector, rng=rng)
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
            raise NotImplementedError(
                f"{type(self).__name__}(n=...) must be an integer in spikemem.pynn (got {n!r})"
            )
        self.n = int(n)
        self.allow_self_connections = allow_self_connections
        self.with_replacement = self.default_replacement if with_replacement is None else with_replacement

    def ir_connector(self, n_pre: int, n_post: int) -> Any:
        return self.ir_class(
            n=self.n,
            allow_self_connections=bool(self.allow_self_connections),
            with_replacement=bool(self.with_replacement),
            seed=self.seed(),
        )


class FixedNumberPreConnector(_FixedNumber):
    """Each post neuron receives ``n`` synapses from pre neurons drawn at random."""

    ir_class = ir.FixedNumberPre


class FixedNumberPostConnector(_FixedNumber):
    """Each pre neuron sends ``n`` synapses to post neurons drawn at random."""

    ir_class = ir.FixedNumberPost


class FixedTotalNumberConnector(_FixedNumber):
    """``n`` synapses between pairs drawn at random (with replacement by default, as PyNN)."""

    ir_class = ir.FixedTotalNumber
    default_replacement = True


class FromListConnector(Connector):
    """Explicit synapses: rows ``(i, j[, weight[, delay]])``.

    Parameters
    ----------
    conn_list : list of tuples or array
        Pre and post positions, then the columns named by ``column_names``.
    column_names : list of str or None
        Names of the columns after ``i, j``; default ``["weight", "delay"]`` for as many
        columns as there are. Only ``weight`` (nA; mV onto delta cells) and ``delay`` (ms).
    """

    def __init__(
        self,
        conn_list: Any,
        column_names: Any = None,
        location_selector: Any = None,
        safe: bool = True,
        callback: Any = None,
    ) -> None:
        super().__init__(safe=safe, callback=callback, location_selector=location_selector)
        rows = list(conn_list) if not isinstance(conn_list, np.ndarray) else conn_list
        array = np.asarray(rows, dtype=np.float64) if len(rows) else np.zeros((0, 2))
        if array.ndim != 2 or array.shape[1] < 2:
            raise IRValidationError(
                "FromListConnector", "conn_list", conn_list, "rows of (i, j[, weight[, delay]])"
            )
        extra = array.shape[1] - 2
        names = list(column_names) if column_names is not None else ["weight", "delay"][:extra]
        if len(names) != extra:
            raise IRValidationError(
                "FromListConnector",
                "column_names",
                column_names,
                f"{extra} names (one per column after i, j)",
            )
        unsupported = [n for n in names if n not in ("weight", "delay")]
        if unsupported:
            raise NotImplementedError(
                "FromListConnector columns not supported by spikemem.pynn: "
                + ", ".join(unsupported)
                + " (only weight, delay)"
            )
        if np.any(array[:, :2] != np.round(array[:, :2])) or (array.size and array[:, :2].min() < 0):
            raise IRValidationError(
                "FromListConnector", "conn_list", "non-integer or negative i, j", "integer positions >= 0"
            )
        self.conn_list = array
        self.column_names = names

    def column(self, name: str) -> np.ndarray | None:
        """The ``weight`` or ``delay`` column, or ``None``."""
        return (
            self.conn_list[:, 2 + self.column_names.index(name)].copy() if name in self.column_names else None
        )

    def ir_connector(self, n_pre: int, n_post: int) -> Any:
        return ir.FromList(
            pre=self.conn_list[:, 0].astype(np.int64), post=self.conn_list[:, 1].astype(np.int64)
        )


class FromFileConnector(FromListConnector):
    """Synapses read from a text file of rows ``i j [weight [delay]]`` (``#`` comments; a
    ``# columns = [...]`` header names the columns, as PyNN writes with ``Projection.save``)."""

    def __init__(self, file: Any, distributed: bool = False, safe: bool = True, callback: Any = None) -> None:
        if distributed:
            raise NotImplementedError("FromFileConnector(distributed=True) is not supported by spikemem.pynn")
        names = None
        with open(file, encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("#") and "columns" in line:
                    import ast

                    names = ast.literal_eval(line.split("=", 1)[1].strip())[2:]
        data = np.loadtxt(file, comments="#", ndmin=2)
        super().__init__(data, column_names=names, safe=safe, callback=callback)


class ArrayConnector(FromListConnector):
    """Synapses where the boolean ``array[i, j]`` (pre × post) is true."""

    def __init__(
        self, array: Any, safe: bool = True, callback: Any = None, location_selector: Any = None
    ) -> None:
        matrix = np.asarray(array, dtype=bool)
        if matrix.ndim != 2:
            raise IRValidationError(
                "ArrayConnector", "array", f"shape {matrix.shape}", "a 2-D boolean pre × post array"
            )
        i, j = np.nonzero(matrix)
        super().__init__(
            np.column_stack([i, j]), safe=safe, callback=callback, location_selector=location_selector
        )
        self.shape = matrix.shape


UNSUPPORTED_CONNECTORS = (
    "DistanceDependentProbabilityConnector",
    "IndexBasedProbabilityConnector",
    "DisplacementDependentProbabilityConnector",
    "SmallWorldConnector",
    "CSAConnector",
    "CloneConnector",
    "MultapseConnector",
    "FixedNumberConnector",
)
"""PyNN connectors spikemem has no counterpart for: using them raises NotImplementedError."""


def _unsupported(name: str) -> type:
    def refuse(self: Any, *args: Any, **kwargs: Any) -> None:
        raise NotImplementedError(
            f"{name} is not supported by spikemem.pynn (use FromListConnector with explicit synapses)"
        )

    return type(name, (Connector,), {"__init__": refuse, "__doc__": f"PyNN's {name}: not supported."})


for _name in UNSUPPORTED_CONNECTORS:
    globals()[_name] = _unsupported(_name)
