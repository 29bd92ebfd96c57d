"""Atomic file writes: a temporary file in the target folder, fsync, then ``os.replace``.

A reader (or a crash) therefore sees either the previous complete file or the new complete
file, never a half-written one. Every result writer in spikemem goes through here; the byte
writer itself lives in :mod:`spikemem.ir.serialize` so that the IR stays free of other imports.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from .ir.serialize import atomic_write_bytes

__all__ = ["atomic_write_bytes", "save_figure_atomic", "write_text_atomic"]


def write_text_atomic(path: str | Path, text: str) -> None:
    """Write ``text`` (UTF-8, newlines untouched) to ``path`` atomically."""
    atomic_write_bytes(Path(path), text.encode("utf-8"))


def save_figure_atomic(figure: Any, path: str | Path, dpi: int = 120) -> None:
    """Save a matplotlib figure as PNG to ``path`` atomically."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi)
    atomic_write_bytes(Path(path), buffer.getvalue())
