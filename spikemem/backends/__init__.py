"""Backend registry: ``get_backend(name)``, ``available_backends()``, ``compile(...)``.

Backends import lazily, so a missing optional simulator never breaks ``import spikemem``.
Third-party backends register through the entry-point group ``spikemem.backends``.
"""

from __future__ import annotations

import importlib
from importlib.metadata import entry_points
from typing import Any

from ..ir.errors import IRValidationError

_BUILTIN = {
    "numba": "spikemem.backends.numba:NumbaBackend",
    "nest": "spikemem.backends.nest:NestBackend",
    "spinnaker": "spikemem.backends.spinnaker:SpiNNakerBackend",
    "brian2": "spikemem.backends.brian2:Brian2Backend",
    "nengo": "spikemem.backends.nengo:NengoBackend",
}


def _registry() -> dict[str, str]:
    table = dict(_BUILTIN)
    for entry in entry_points(group="spikemem.backends"):
        table.setdefault(entry.name, entry.value)
    return table


def get_backend(name: str) -> Any:
    """The backend called ``name``.

    Raises
    ------
    IRValidationError
        For an unknown name (the message lists the known ones).
    ImportError
        When the backend's simulator is not installed (the message names the extra to install).
    """
    table = _registry()
    if name not in table:
        raise IRValidationError("compile", "backend", name, "one of " + ", ".join(sorted(table)))
    module_name, _, attr = table[name].partition(":")
    module = importlib.import_module(module_name)
    return getattr(module, attr)()


def available_backends() -> dict[str, Any]:
    """Backends whose simulators import here, by name, with the reason for those that do not."""
    result: dict[str, Any] = {}
    for name in sorted(_registry()):
        try:
            result[name] = get_backend(name)
        except Exception as error:  # noqa: BLE001 - a broken plug-in must not hide the others
            result[name] = error
    return result


def compile(network: Any, schedule: Any = None, *, backend: str = "numba", **options: Any) -> Any:  # noqa: A001
    """Compile ``network`` (and an optional :class:`~spikemem.ir.Schedule`) for ``backend``.

    Parameters
    ----------
    network : spikemem.ir.Network
        The network.
    schedule : spikemem.ir.Schedule or None
        Phases of the experiment; ``None`` lets ``run(duration)`` choose the length.
    backend : str
        Backend name (``spikemem backends`` lists them).
    **options
        ``dt`` (ms), ``seed`` (int), ``numerics`` ("exact" or "spinnaker"), ``record``
        (:class:`~spikemem.ir.RecordSpec`), ``progress`` (bool), and backend options.

    Returns
    -------
    Runnable
        Call ``.run()`` to get a :class:`~spikemem.results.Recording`.
    """
    return get_backend(backend).compile(network, schedule, **options)
