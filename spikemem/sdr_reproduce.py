"""Reproductions of the active-dendrites SDR figures (Ahmad & Hawkins 2016), for ``spikemem reproduce``.

:data:`REPRODUCTIONS` maps a name (``"sdr-fig4a"`` … ``"sdr-fig7b"``) to a function
``fn(out_dir: Path, full: bool) -> Path`` that computes the figure, writes
``<name>.png``, ``<name>.csv`` (one row per point) and ``<name>.json`` (settings, notes, timing,
versions) into ``out_dir`` and returns the PNG's path. ``full=False`` uses the small settings of
the notebooks (seconds); ``full=True`` the paper's trial counts. Every file is written
atomically (a temporary file in the same folder, then ``os.replace``).
"""

from __future__ import annotations

import csv
import io
import json
import math
import platform
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from spikemem.atomicio import save_figure_atomic, write_text_atomic
from spikemem.sdr.figures import FIGURES, FigureResult


def _json_value(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if hasattr(value, "item"):
        return _json_value(value.item())
    return value


def _csv_value(value: Any) -> Any:
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()
    return repr(value) if isinstance(value, float) else value


def write_csv(result: FigureResult, path: Path) -> None:
    """Write the rows of ``result`` as CSV (atomically)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=result.columns, lineterminator="\n")
    writer.writeheader()
    for row in result.rows:
        writer.writerow({k: _csv_value(v) for k, v in row.items()})
    write_text_atomic(path, buffer.getvalue())


def write_json(result: FigureResult, path: Path, extra: dict[str, Any]) -> None:
    """Write the settings, notes and ``extra`` metadata of ``result`` as JSON (atomically)."""
    import numpy

    import spikemem

    payload = {
        "name": result.name,
        "title": result.title,
        "settings": {
            k: _json_value(v) if not isinstance(v, list) else [_json_value(x) for x in v]
            for k, v in result.settings.items()
        },
        "notes": result.notes,
        "versions": {
            "spikemem": spikemem.__version__,
            "numpy": numpy.__version__,
            "python": platform.python_version(),
        },
        **extra,
        "rows": [{k: _json_value(v) for k, v in row.items()} for row in result.rows],
    }
    text = json.dumps(payload, indent=1, allow_nan=False)
    write_text_atomic(path, text)


def write_png(figure: Any, path: Path) -> None:
    """Save a matplotlib figure as PNG (atomically)."""
    save_figure_atomic(figure, path, dpi=150)


def reproduce(name: str, out_dir: Path, full: bool = False) -> Path:
    """Compute figure ``name``, write its PNG, CSV and JSON to ``out_dir``; return the PNG path."""
    if name not in FIGURES:
        raise KeyError(f"unknown reproduction {name!r}; known: {', '.join(FIGURES)}")
    spec = FIGURES[name]
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    result = spec.data(**(spec.full if full else spec.small))
    seconds = time.perf_counter() - start
    figure = spec.plot(result)
    png = out_dir / f"{name}.png"
    write_png(figure, png)
    write_csv(result, out_dir / f"{name}.csv")
    write_json(result, out_dir / f"{name}.json", {"full": full, "seconds": round(seconds, 3)})
    return png


def _runner(name: str) -> Callable[[Path, bool], Path]:
    def run(out_dir: Path, full: bool = False) -> Path:
        return reproduce(name, out_dir, full)

    run.__name__ = f"reproduce_{name.replace('-', '_')}"
    run.__doc__ = f"Reproduce {name}: write {name}.png/.csv/.json into ``out_dir``; return the PNG path."
    return run


REPRODUCTIONS: dict[str, Callable[[Path, bool], Path]] = {name: _runner(name) for name in FIGURES}
"""``{"sdr-fig4a": fn(out_dir, full) -> png_path, …}`` for the ``spikemem reproduce`` command."""

__all__ = ["REPRODUCTIONS", "reproduce", "write_csv", "write_json", "write_png"]
