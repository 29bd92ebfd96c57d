"""Result files: CSV, Markdown, JSON and PNG, every one written atomically.

Each writer renders its text or bytes in memory and hands them to :mod:`spikemem.atomicio`
(a temporary file in the target folder, then ``os.replace``), so an interrupted run never
leaves a half-written file.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .. import tables
from ..atomicio import save_figure_atomic, write_text_atomic
from .result import ReproductionResult

__all__ = [
    "csv_text",
    "jsonable",
    "markdown_table",
    "write_csv",
    "write_figure",
    "write_json",
    "write_summary",
    "write_text_atomic",
]

Row = dict[str, Any]


def _plain(value: Any) -> Any:
    """A numpy scalar as the Python number it holds; anything else unchanged."""
    return value.item() if hasattr(value, "item") and not hasattr(value, "__len__") else value


def csv_text(rows: Sequence[Row], columns: Sequence[str] | None = None) -> str:
    """Rows as CSV text (header first; columns: ``columns`` or the first row's keys)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns or rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows({key: _plain(value) for key, value in row.items()} for row in rows)
    return buffer.getvalue()


def markdown_table(rows: Sequence[Row]) -> str:
    """Rows as a Markdown table (``True`` shown as ``yes``, ``False`` as ``**NO**``)."""
    cells = (["yes" if v is True else "**NO**" if v is False else v for v in row.values()] for row in rows)
    return tables.markdown_table(list(rows[0]), cells) + "\n"


def jsonable(value: Any) -> Any:
    """``value`` with numpy scalars and arrays, tuples and paths made JSON-able.

    Non-finite floats become ``None`` (NaN) or ``"inf"`` / ``"-inf"``.
    """
    if isinstance(value, dict):
        return {key: jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(item) for item in value]
    if hasattr(value, "tolist"):  # numpy arrays and scalars
        return jsonable(value.tolist())
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None if math.isnan(value) else ("inf" if value > 0 else "-inf")
    return value


def write_csv(path: str | Path, rows: Sequence[Row], columns: Sequence[str] | None = None) -> None:
    """Write ``rows`` as CSV to ``path`` (see :func:`csv_text`)."""
    write_text_atomic(path, csv_text(rows, columns))


def write_json(path: str | Path, payload: Any, *, indent: int = 2) -> None:
    """Write ``payload`` (made :func:`jsonable`) as JSON to ``path``, with a final newline."""
    write_text_atomic(path, json.dumps(jsonable(payload), indent=indent, allow_nan=False) + "\n")


def write_figure(path: str | Path, figure: Any, *, dpi: int = 120) -> None:
    """Save a matplotlib figure as PNG (``dpi`` dots per inch) to ``path``."""
    save_figure_atomic(figure, path, dpi=dpi)


def write_summary(result: ReproductionResult) -> None:
    """Write ``result.files["summary"]``: name, backend, ok, wall time (s) and the result's numbers."""
    payload = {"name": result.name, "backend": result.backend, "ok": result.ok, "wall_s": result.wall_s}
    write_json(result.files["summary"], {**payload, **result.numbers})
