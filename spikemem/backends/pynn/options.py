"""The result of one ``spikemem doctor`` check, shared by the PyNN-based backends (NEST, SpiNNaker).

The compile options they share with every other backend are checked in
:mod:`spikemem.backends.options`.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Check:
    """One ``spikemem doctor`` check: what was checked, whether it passed, and what to do if not.

    ``warning`` marks a passed check that deserves attention (a version other than the pinned
    one, a NEST without MPI...).
    """

    name: str
    ok: bool
    message: str
    fix: str = ""
    warning: bool = False
    details: dict = field(default_factory=dict)
