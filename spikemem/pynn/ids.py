"""PyNN's cell ``ID``: an int that knows its population."""

from __future__ import annotations

from typing import Any

__all__ = ["ID"]


class ID(int):
    """A neuron's ID (an int, unique in the simulation) that knows its population."""

    parent: Any

    def __new__(cls, value: int, parent: Any) -> ID:
        obj = super().__new__(cls, value)
        obj.parent = parent
        return obj

    @property
    def index(self) -> int:
        """Index of the neuron in its population."""
        return int(self) - self.parent.first_id

    def get_parameters(self) -> dict[str, Any]:
        """This neuron's parameters."""
        return {
            name: self.parent._value_of(name, self.index)
            for name in self.parent.celltype.get_parameter_names()
        }

    def set_parameters(self, **parameters: Any) -> None:
        """Set parameters of this neuron only."""
        self.parent[[self.index]].set(**parameters)

    @property
    def celltype(self) -> Any:
        """The cell type."""
        return self.parent.celltype

    def as_view(self) -> Any:
        """A view of this one neuron."""
        return self.parent[[self.index]]

    def __getattr__(self, name: str) -> Any:
        if name != "parent" and name in self.parent.celltype.default_parameters:
            return self.parent._value_of(name, self.index)
        raise AttributeError(name)
