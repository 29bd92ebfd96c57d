"""Versions of the software behind a Numba-backend result."""

from __future__ import annotations

from ..options import base_versions

__all__ = ["versions"]


def versions() -> dict[str, str]:
    """Versions of the software that produced a result (spikemem, numpy, numba, Python)."""
    import numba

    return {**base_versions(), "numba": numba.__version__}
