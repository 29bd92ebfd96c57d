"""A type-dispatch table from IR node types to the functions that lower them.

Each consumer of the IR (a backend's lowering, the NIR export) keeps one :class:`Registry` per
kind of node (cells, connectors, plasticity rules) and registers one function per IR type, as
Nengo's ``Builder.register`` does. Looking up a type that has no function raises
:class:`~spikemem.ir.UnsupportedFeature` naming the type and the consumer, so "what does this
backend support" is the registry's key set, not a scattered chain of ``isinstance`` tests.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from ..ir.errors import UnsupportedFeature

__all__ = ["Registry"]

F = TypeVar("F", bound=Callable[..., Any])


class Registry:
    """Functions by IR node type, dispatched on the node's class (nearest base class wins).

    Parameters
    ----------
    consumer : str
        Who lowers (a backend name, or ``"nir"``); named in :class:`UnsupportedFeature`.
    kind : str
        What kind of node the table holds (``"cell type"``, ``"connector"``, …); named in the
        error message.

    Examples
    --------
    >>> from spikemem import ir
    >>> lower_cell = Registry("mybackend", "cell type")
    >>> @lower_cell.register(ir.IF_curr_exp)
    ... def _(cell, size):
    ...     return ("lif", size)
    >>> lower_cell(ir.IF_curr_exp(), 3)
    ('lif', 3)
    """

    def __init__(self, consumer: str, kind: str) -> None:
        self.consumer = consumer
        self.kind = kind
        self._table: dict[type, Callable[..., Any]] = {}

    def register(self, node_type: type) -> Callable[[F], F]:
        """Decorator: register the decorated function for ``node_type`` (one per type)."""

        def decorate(function: F) -> F:
            if node_type in self._table:
                raise ValueError(f"{self.consumer}: {self.kind} {node_type.__name__} is registered twice")
            self._table[node_type] = function
            return function

        return decorate

    def lookup(self, node_type: type) -> Callable[..., Any]:
        """The function for ``node_type`` or its nearest registered base class.

        Raises
        ------
        UnsupportedFeature
            When no function is registered for the type or any of its bases.
        """
        for cls in node_type.__mro__:
            if cls in self._table:
                return self._table[cls]
        raise UnsupportedFeature(f"{self.kind} {node_type.__name__}", self.consumer)

    def supports(self, node_type: type) -> bool:
        """Whether a function is registered for ``node_type`` (or a base class)."""
        return any(cls in self._table for cls in node_type.__mro__)

    @property
    def types(self) -> tuple[type, ...]:
        """The registered types, in registration order."""
        return tuple(self._table)

    def __call__(self, node: Any, *args: Any, **kwargs: Any) -> Any:
        """Lower ``node`` with the function registered for its type."""
        return self.lookup(type(node))(node, *args, **kwargs)
