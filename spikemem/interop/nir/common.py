"""What the NIR export and import share: the fidelity labels and report, constants, small helpers.

``FidelityEntry`` and ``FidelityReport`` describe how every node (export) or object (import)
was translated; the constants name the graph format, the time units and the metadata key; the
helpers broadcast, compact and compare parameter arrays. :func:`_nir` imports the optional
``nir`` package lazily, so that importing this package never imports it. The public entry
point is :mod:`spikemem.interop.nir`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from ...ir.errors import IRValidationError

FAITHFUL, APPROXIMATE, UNSUPPORTED = "faithful", "approximate", "unsupported"
FIDELITY_ORDER = (FAITHFUL, APPROXIMATE, UNSUPPORTED)

TIME_UNITS: dict[str, float] = {"ms": 1.0, "s": 1000.0}
"""Time units a graph may use, with the number of milliseconds in one unit."""

FORMAT, FORMAT_VERSION = "spikemem.nir", 1
BACKEND = "nir"
"""Backend named by the export's :class:`~spikemem.ir.UnsupportedFeature` errors."""
IMPORT_BACKEND = "spikemem (NIR import)"
"""Backend named by the import's :class:`~spikemem.ir.UnsupportedFeature` errors."""
META = "spikemem"
"""Key of spikemem's entry in the metadata of graphs and nodes."""


def _nir() -> Any:
    try:
        import nir
    except ImportError as error:  # pragma: no cover - the extra is installed in CI
        raise ImportError("the NIR bridge needs the 'nir' package: pip install 'spikemem[nir]'") from error
    return nir


# -- the report -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class FidelityEntry:
    """How one NIR node (export) or one spikemem object (import) was translated.

    Attributes
    ----------
    node : str
        NIR node name(s), comma-separated; ``""`` when nothing was written for the object.
    nir_type : str
        NIR node type(s), e.g. ``"CubaLIF"`` or ``"Linear+Delay"``; ``"-"`` for none.
    source : str
        The spikemem object, e.g. ``"population 'exc' (IF_curr_exp)"``.
    fidelity : {"faithful", "approximate", "unsupported"}
        The label.
    reasons : tuple of str
        Why the entry is not faithful (empty when it is).
    notes : tuple of str
        Conversions and conventions worth knowing even when faithful.
    external_data : bool
        True for inputs whose spikes are data outside the NIR graph.
    """

    node: str
    nir_type: str
    source: str
    fidelity: str
    reasons: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    external_data: bool = False


@dataclass(frozen=True)
class FidelityReport:
    """The fidelity label of every node of an export, or of every object of an import.

    Attributes
    ----------
    direction : {"export", "import"}
        Which way the translation went.
    entries : tuple of FidelityEntry
        One entry per NIR node (export) or per population, projection and output (import).
    """

    direction: str
    entries: tuple[FidelityEntry, ...] = ()

    def __iter__(self) -> Iterator[FidelityEntry]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    @property
    def faithful(self) -> bool:
        """True when every entry is faithful."""
        return all(e.fidelity == FAITHFUL for e in self.entries)

    def labels(self) -> dict[str, str]:
        """Fidelity label by NIR node name (entries without a node are left out)."""
        out: dict[str, str] = {}
        for entry in self.entries:
            for node in filter(None, entry.node.split(", ")):
                out[node] = _worst(out.get(node, FAITHFUL), entry.fidelity)
        return out

    def entry(self, node: str) -> FidelityEntry:
        """The entry that names NIR node ``node``."""
        for item in self.entries:
            if node in item.node.split(", "):
                return item
        raise KeyError(node)

    def not_faithful(self) -> tuple[FidelityEntry, ...]:
        """The approximate and unsupported entries."""
        return tuple(e for e in self.entries if e.fidelity != FAITHFUL)

    def table(self) -> str:
        """A plain-text table (node, NIR type, spikemem object, fidelity), then the reasons."""
        rows = [("node", "NIR type", "spikemem", "fidelity")]
        rows += [(e.node or "-", e.nir_type, e.source, e.fidelity) for e in self.entries]
        widths = [max(len(r[k]) for r in rows) for k in range(3)]
        lines = ["  ".join(r[k].ljust(widths[k]) for k in range(3)) + "  " + r[3] for r in rows]
        bad = self.not_faithful()
        if bad:
            lines.append("not faithful:")
            for e in bad:
                lines.append(f"  {e.node or e.source} ({e.fidelity}): " + "; ".join(e.reasons))
        external = [e for e in self.entries if e.external_data]
        if external:
            lines.append("external data:")
            for e in external:
                lines.append(f"  {e.node or e.source}: " + "; ".join(e.notes[:1]))
        return "\n".join(lines)


def _worst(a: str, b: str) -> str:
    return a if FIDELITY_ORDER.index(a) >= FIDELITY_ORDER.index(b) else b


def _label(reasons: list[str]) -> str:
    return APPROXIMATE if reasons else FAITHFUL


# -- small helpers -----------------------------------------------------------------------------------
def _compact(array: np.ndarray) -> float | np.ndarray:
    """A float when every entry is the same, else the array."""
    return float(array[0]) if np.all(array == array[0]) else array


def _close(a: Any, b: Any) -> bool:
    """Equal to 1e-12 relative (1e-12 absolute below 1), with broadcasting."""
    try:
        x, y = np.broadcast_arrays(np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64))
    except (TypeError, ValueError):
        return False
    scale = np.maximum(1.0, np.maximum(np.abs(x), np.abs(y)))
    return bool(np.all(np.abs(x - y) <= 1e-12 * scale))


def _check_time_unit(owner: str, time_unit: Any) -> float:
    if not isinstance(time_unit, str) or time_unit not in TIME_UNITS:
        raise IRValidationError(owner, "time_unit", time_unit, "'ms' or 's'")
    return TIME_UNITS[time_unit]
