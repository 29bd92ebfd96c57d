"""Connectors: rules that say which pre neurons connect to which post neurons.

Every backend turns a connector into explicit arrays with the one shared, seeded function
:func:`spikemem.ir.connectivity.resolve`, so all backends build identical synapses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ._checks import (
    _number_array,
    check_range,
    finite_float,
    ir_dataclass,
    readonly_float_array,
    readonly_int_array,
)
from .errors import IRValidationError


@ir_dataclass
class OneToOne:
    """Pre neuron ``k`` of the (view of the) pre population to post neuron ``k``; sizes must match."""

    kind = "OneToOne"


@ir_dataclass
class AllToAll:
    """Every pre neuron to every post neuron.

    Parameters
    ----------
    allow_self_connections : bool
        ``False`` drops every pair whose positions in the pre and post selections are equal
        (``i == j``), **also between two different populations**. This is sPyNNaker's behaviour
        (standard PyNN ignores the flag between different populations); the choice is explicit
        here so that every backend builds the same synapses.
    """

    kind = "AllToAll"
    allow_self_connections: bool = True

    def __post_init__(self) -> None:
        _check_flag("AllToAll", "allow_self_connections", self.allow_self_connections)


def _check_flag(owner: str, name: str, value: Any) -> None:
    if not isinstance(value, (bool, np.bool_)):
        raise IRValidationError(owner, name, value, "True or False")


def _check_seed(owner: str, seed: Any) -> None:
    if seed is not None and (
        isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= int(seed) < 2**63
    ):
        raise IRValidationError(owner, "seed", seed, "None or an integer in [0, 2**63)")


@ir_dataclass
class FixedProbability:
    """Each (pre, post) pair is connected independently with probability ``p``.

    Drawn in O(synapses) time and memory (geometric gaps between connected pairs, see
    :mod:`spikemem.ir.sampling`), never as an ``n_pre × n_post`` matrix.

    Parameters
    ----------
    p : float
        Connection probability, in [0, 1].
    allow_self_connections : bool
        As for :class:`AllToAll`.
    seed : int or None
        Seed for this connector; ``None`` derives one from the compile seed and the projection name.
    """

    kind = "FixedProbability"
    p: float = 0.1
    allow_self_connections: bool = True
    seed: int | None = None

    def __post_init__(self) -> None:
        p = finite_float("FixedProbability", "p", self.p, "a number in [0, 1]")
        check_range("FixedProbability", "p", p, low=0.0, high=1.0)
        object.__setattr__(self, "p", p)
        _check_flag("FixedProbability", "allow_self_connections", self.allow_self_connections)
        _check_seed("FixedProbability", self.seed)


@dataclass(frozen=True, kw_only=True, eq=False)
class _FixedNumber:
    """Shared fields of the fixed-number connectors (PyNN's names and defaults)."""

    n: int
    allow_self_connections: bool = True
    with_replacement: bool = False
    seed: int | None = None

    def __post_init__(self) -> None:
        owner = self.kind  # type: ignore[attr-defined]
        if isinstance(self.n, bool) or not isinstance(self.n, (int, np.integer)) or not 0 <= int(self.n) < 2**62:
            raise IRValidationError(owner, "n", self.n, "an integer >= 0 (number of synapses)")
        object.__setattr__(self, "n", int(self.n))
        _check_flag(owner, "allow_self_connections", self.allow_self_connections)
        _check_flag(owner, "with_replacement", self.with_replacement)
        _check_seed(owner, self.seed)


@ir_dataclass
class FixedNumberPre(_FixedNumber):
    """Every post neuron receives synapses from ``n`` pre neurons drawn uniformly at random
    (PyNN's ``FixedNumberPreConnector``).

    Parameters
    ----------
    n : int
        Synapses per post neuron. Without replacement it must not exceed the pre neurons
        available to each post neuron.
    allow_self_connections : bool
        ``False`` never draws pre position ``j`` for post position ``j`` (as for :class:`AllToAll`).
    with_replacement : bool
        ``True`` draws the ``n`` pre neurons independently, so a pair may be connected twice.
    seed : int or None
        As for :class:`FixedProbability`.
    """

    kind = "FixedNumberPre"


@ir_dataclass
class FixedNumberPost(_FixedNumber):
    """Every pre neuron sends synapses to ``n`` post neurons drawn uniformly at random (PyNN's
    ``FixedNumberPostConnector``); the parameters are those of :class:`FixedNumberPre` with the
    roles of pre and post swapped."""

    kind = "FixedNumberPost"


@ir_dataclass
class FixedTotalNumber(_FixedNumber):
    """Exactly ``n`` synapses between pairs drawn uniformly from all (pre, post) pairs (PyNN's
    ``FixedTotalNumberConnector``); the parameters are those of :class:`FixedNumberPre`."""

    kind = "FixedTotalNumber"


@ir_dataclass
class FromList:
    """Explicit synapses.

    Parameters
    ----------
    pre, post : array of int
        Positions in the pre and post selections, one entry per synapse.
    weight : array of float or None
        Per-synapse weights (nA; mV for ``IF_curr_delta``) overriding the projection's weight.
    delay : array of float or None
        Per-synapse delays (ms) overriding the projection's delay.
    """

    kind = "FromList"
    pre: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    post: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    weight: np.ndarray | None = None
    delay: np.ndarray | None = None

    def __post_init__(self) -> None:
        pre = readonly_int_array("FromList", "pre", self.pre)
        post = readonly_int_array("FromList", "post", self.post)
        if pre.size != post.size:
            raise IRValidationError("FromList", "post", f"{post.size} entries", f"{pre.size} entries (one per pre)")
        check_range("FromList", "pre", pre, low=0)
        check_range("FromList", "post", post, low=0)
        object.__setattr__(self, "pre", pre)
        object.__setattr__(self, "post", post)
        for name in ("weight", "delay"):
            value = getattr(self, name)
            if value is None:
                continue
            array = readonly_float_array("FromList", name, value)
            if array.size != pre.size:
                raise IRValidationError("FromList", name, f"{array.size} entries", f"{pre.size} entries (one per synapse)")
            object.__setattr__(self, name, array)

    @classmethod
    def from_pairs(cls, pairs: Any) -> FromList:
        """Build from an ``(n, 2)``, ``(n, 3)`` or ``(n, 4)`` array of ``(i, j[, w[, d]])`` rows."""
        array = _number_array(pairs)
        if array is None or array.ndim != 2 or array.shape[1] not in (2, 3, 4):
            raise IRValidationError("FromList", "pairs", pairs, "rows of (i, j[, weight[, delay]])")
        return cls(
            pre=array[:, 0],
            post=array[:, 1],
            weight=array[:, 2] if array.shape[1] > 2 else None,
            delay=array[:, 3] if array.shape[1] > 3 else None,
        )


CONNECTOR_TYPES: dict[str, type] = {
    c.kind: c
    for c in (OneToOne, AllToAll, FixedProbability, FixedNumberPre, FixedNumberPost, FixedTotalNumber, FromList)
}
"""Every connector type of the IR, by name."""

Connector = OneToOne | AllToAll | FixedProbability | FixedNumberPre | FixedNumberPost | FixedTotalNumber | FromList
