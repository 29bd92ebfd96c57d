"""Reproductions of the papers' experiments and figures: ``spikemem reproduce NAME``.

- :mod:`~spikemem.reproduce.result`: :class:`Check` (one tested claim) and
  :class:`ReproductionResult` (the checks, summary numbers, files written, terminal report);
- :mod:`~spikemem.reproduce.writers`: CSV, Markdown, JSON and PNG, all written atomically;
- :mod:`~spikemem.reproduce.registry`: :data:`REPRODUCTIONS` (name → :class:`Reproduction`),
  :func:`register` and :func:`reproduce`;
- :mod:`~spikemem.reproduce.ca3`, :mod:`~spikemem.reproduce.hlop`,
  :mod:`~spikemem.reproduce.sdr`: each model's reproductions, registered on import (the models
  themselves are imported when a reproduction runs);
- :mod:`~spikemem.reproduce.command`: the click command ``reproduce_command``.

Reproductions sit above the models: models never import this package.
"""

from . import ca3, hlop, sdr  # noqa: F401 - fill the registry
from .command import reproduce_command
from .registry import REPRODUCTIONS, Reproduction, register, reproduce
from .result import Check, ReproductionResult

__all__ = [
    "REPRODUCTIONS",
    "Check",
    "Reproduction",
    "ReproductionResult",
    "register",
    "reproduce",
    "reproduce_command",
]
