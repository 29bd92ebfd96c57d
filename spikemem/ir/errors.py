"""Errors raised while building or checking a network description."""

from __future__ import annotations

from typing import Any


class IRValidationError(ValueError):
    """A value in the network description is not allowed.

    The message names the object, the parameter, the value and what is allowed.
    """

    def __init__(self, owner: str, parameter: str, value: Any, allowed: str) -> None:
        self.owner = owner
        self.parameter = parameter
        self.value = value
        self.allowed = allowed
        shown = _short_repr(value)
        super().__init__(f"{owner}: invalid {parameter}={shown}; allowed: {allowed}")


class UnsupportedFeature(NotImplementedError):
    """A backend cannot run a construct of the network description.

    Parameters
    ----------
    feature : str
        What is not supported (e.g. ``"heterogeneous delays on a plastic projection"``).
    backend : str
        The backend that refused it.
    alternatives : sequence of str, optional
        Backends that do support the feature.
    """

    def __init__(self, feature: str, backend: str, alternatives: tuple[str, ...] = ()) -> None:
        self.feature = feature
        self.backend = backend
        self.alternatives = tuple(alternatives)
        hint = f" (supported by: {', '.join(self.alternatives)})" if self.alternatives else ""
        super().__init__(f"backend {backend!r} does not support {feature}{hint}")


class MemoryBudgetError(MemoryError):
    """A compile or a run would need more memory than is available; raised before allocating.

    The message names the biggest consumer, its size and what to change.
    """


def _short_repr(value: Any, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
