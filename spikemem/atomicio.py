"""Atomic file writes: a temporary file in the target folder, fsync, then ``os.replace``.

A reader (or a crash) therefore sees either the previous complete file or the new complete
file, never a half-written one. Every result writer in spikemem goes through here; the byte
writer itself lives in :mod:`spikemem.ir.serialize` so that the IR stays free of other imports.
Files get the mode a plain ``open`` gives (``0o666`` less the umask).

A process killed mid-write (SIGKILL, power loss) leaves its hidden temporary file
``.<name>.<pid>.<random>.tmp`` behind; :func:`stale_temp_files` finds those whose process is
gone and :func:`remove_stale_temp_files` deletes them (``spikemem run`` does so, and says so,
before it writes into a folder).
"""

from __future__ import annotations

import io
import os
import re
from pathlib import Path
from typing import Any

from .ir.serialize import TEMP_SUFFIX, atomic_write_bytes, current_umask

__all__ = [
    "atomic_write_bytes",
    "current_umask",
    "remove_stale_temp_files",
    "save_figure_atomic",
    "stale_temp_files",
    "write_text_atomic",
]

_TEMP_NAME = re.compile(r"^\.(?P<name>.+)\.(?P<pid>\d+)\.[A-Za-z0-9_]+" + re.escape(TEMP_SUFFIX) + "$")


def write_text_atomic(path: str | Path, text: str) -> None:
    """Write ``text`` (UTF-8, newlines untouched) to ``path`` atomically."""
    atomic_write_bytes(Path(path), text.encode("utf-8"))


def save_figure_atomic(figure: Any, path: str | Path, dpi: int = 120) -> None:
    """Save a matplotlib figure as PNG to ``path`` atomically."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi)
    atomic_write_bytes(Path(path), buffer.getvalue())


def _process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, OSError):  # another user's process, or a bogus pid
        return True
    return True


def stale_temp_files(directory: str | Path) -> list[Path]:
    """The temporary files of atomic writes in ``directory`` whose writing process has ended.

    Only names of the form ``.<name>.<pid>.<random>.tmp`` are considered, and only when no
    process ``pid`` runs (a temporary file of a live writer is never listed).
    """
    folder = Path(directory)
    if not folder.is_dir():
        return []
    stale = []
    for entry in sorted(folder.iterdir()):
        match = _TEMP_NAME.match(entry.name)
        if match and entry.is_file() and not _process_alive(int(match.group("pid"))):
            stale.append(entry)
    return stale


def remove_stale_temp_files(directory: str | Path) -> list[Path]:
    """Delete :func:`stale_temp_files` of ``directory``; return the paths deleted."""
    removed = []
    for path in stale_temp_files(directory):
        try:
            path.unlink()
        except FileNotFoundError:  # another cleaner was quicker
            continue
        removed.append(path)
    return removed
