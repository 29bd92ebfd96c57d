"""NIR files: :func:`write_nir` exports a network to a ``.nir`` file (HDF5, written
atomically), :func:`read_nir_graph` reads a file back as a ``nir.NIRGraph`` without nir's type
inference, and :func:`read_nir` reads and imports it in one call. The translation itself is in
:mod:`spikemem.interop.nir.export` and :mod:`spikemem.interop.nir.importer`.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...ir.errors import IRValidationError
from ...ir.network import Network
from ...ir.serialize import atomic_write_bytes
from .common import FidelityReport, _nir
from .export import to_nir
from .importer import from_nir

if TYPE_CHECKING:  # pragma: no cover
    import nir


def write_nir(
    network: Network,
    path: str | Path,
    *,
    dt: float | None = None,
    time_unit: str = "ms",
    strict: bool = True,
    seed: int = 0,
) -> FidelityReport:
    """Export ``network`` (see :func:`to_nir`) and write it to ``path`` (HDF5, ``nir.write``)
    atomically: a reader sees the previous file or the complete new one.

    Returns
    -------
    FidelityReport
        The export's report.
    """
    nir = _nir()
    graph, report = to_nir(network, dt=dt, time_unit=time_unit, strict=strict, seed=seed)
    buffer = io.BytesIO()
    nir.write(buffer, graph)
    atomic_write_bytes(Path(path), buffer.getvalue())
    return report


def read_nir_graph(path: str | Path) -> nir.NIRGraph:
    """Read a NIR graph from ``path`` with ``nir.read``, without nir's type inference (which
    would add ``Input``/``Output`` nodes to undriven or unread populations).

    Raises
    ------
    IRValidationError
        If the file cannot be read as a NIR graph.
    """
    nir = _nir()
    try:
        return nir.read(path, type_check=False)
    except (FileNotFoundError, MemoryError):
        raise
    except Exception as error:  # noqa: BLE001 - h5py and nir raise many types on a damaged file
        raise IRValidationError(
            "NIR file", "content", f"{path}: {error!r}", "an HDF5 file written by nir.write"
        ) from None


def read_nir(
    path: str | Path,
    *,
    dt: float | None = None,
    time_unit: str | None = None,
    numerics: str | None = None,
    inputs: Mapping[str, Any] | None = None,
    use_metadata: bool = True,
) -> Network:
    """Read a ``.nir`` file and import it (see :func:`from_nir_with_report` for the options)."""
    return from_nir(
        read_nir_graph(path),
        dt=dt,
        time_unit=time_unit,
        numerics=numerics,
        inputs=inputs,
        use_metadata=use_metadata,
    )
