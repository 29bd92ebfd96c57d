"""sPyNNaker's extras to PyNN's ``Population``: a Poisson seed and mapping hints."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from ..ir.errors import IRValidationError
from .cells import SpikeSourcePoisson, StandardCellType

__all__ = ["SPYNNAKER_MAPPING_EXTRAS", "no_effect", "spynnaker_extras"]

SPYNNAKER_MAPPING_EXTRAS = ("max_rate", "neurons_per_core", "splitter", "n_colour_bits")
"""sPyNNaker ``Population`` keywords that only steer the mapping onto the board."""


def no_effect(what: str) -> None:
    """Warn that the sPyNNaker setting ``what`` has no effect here."""
    warnings.warn(
        f"{what}: a SpiNNaker mapping setting, no effect in spikemem.pynn", UserWarning, stacklevel=3
    )


def spynnaker_extras(label: str, celltype: StandardCellType, extras: dict[str, Any]) -> None:
    """sPyNNaker's extra ``Population`` keywords: a Poisson ``seed`` is used, mapping hints
    are ignored, both with a warning (PyNN refuses them); anything else raises."""
    if not extras:
        return
    unknown = sorted(k for k in extras if k != "seed" and k not in SPYNNAKER_MAPPING_EXTRAS)
    if unknown or ("seed" in extras and not isinstance(celltype, SpikeSourcePoisson)):
        raise NotImplementedError(
            f"Population {label!r}: keywords not supported by spikemem.pynn: "
            + ", ".join(unknown or ["seed (only for SpikeSourcePoisson)"])
        )
    for name in extras:
        if name != "seed":
            no_effect(f"Population {label!r} {name}=")
    if "seed" in extras:
        seed = extras["seed"]
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= seed < 2**63:
            raise IRValidationError(f"Population {label!r}", "seed", seed, "an integer in [0, 2**63)")
        warnings.warn(
            f"Population {label!r}: a Poisson seed as sPyNNaker's additional parameter (PyNN has none); used",
            UserWarning,
            stacklevel=4,
        )
        celltype.seed = int(seed)
