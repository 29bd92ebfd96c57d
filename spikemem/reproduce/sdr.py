"""Active-dendrites reproductions (Ahmad & Hawkins 2016).

- ``sdr-recognizer``: the spiking recognizer (:mod:`spikemem.models.sdr_recognizer`) against
  Eqs. 4, 6 and 8, one row per configuration: ``recognizer.csv``/``.md``, ``recognizer.png``,
  ``summary.json``;
- ``sdr-fig4a`` … ``sdr-fig7b``: Figs. 4A–7B (:data:`spikemem.sdr.figures.FIGURES`), computed
  exactly or by Monte Carlo, no simulator backend: ``<name>.png``, ``<name>.csv`` (one row per
  point) and ``<name>.json`` (settings, notes, timing, versions). ``full=False`` uses the small
  settings of the notebooks (seconds); ``full=True`` the paper's trial counts.
"""

from __future__ import annotations

import platform
import time
from pathlib import Path

from .registry import register
from .result import Check, ReproductionResult, wrote_line
from .writers import markdown_table, write_csv, write_figure, write_json, write_summary, write_text_atomic

__all__ = ["SDR_FIGURES", "reproduce_figure", "reproduce_sdr_recognizer"]

SDR_FIGURES = ("sdr-fig4a", "sdr-fig4b", "sdr-fig5a", "sdr-fig5b", "sdr-fig6", "sdr-fig7a", "sdr-fig7b")
"""The keys of :data:`spikemem.sdr.figures.FIGURES` (named here so that the command line lists
them without importing the figure code)."""


@register("sdr-recognizer")
def reproduce_sdr_recognizer(backend: str, out: Path, full: bool = False) -> ReproductionResult:
    """The spiking SDR recognizer against Eqs. 4, 6 and 8 (one row per configuration)."""
    from ..models.sdr_recognizer import DEFAULT_CONFIGS, measure, plot_measurements

    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    measurements = [measure(p, backend=backend) for p in DEFAULT_CONFIGS]
    wall = time.perf_counter() - started
    rows = [m.row() for m in measurements]
    files = {
        "table_csv": out / "recognizer.csv",
        "table_md": out / "recognizer.md",
        "figure": out / "recognizer.png",
        "summary": out / "summary.json",
    }
    write_csv(files["table_csv"], rows)
    write_text_atomic(files["table_md"], markdown_table(rows))
    write_figure(files["figure"], plot_measurements(measurements))
    checks = tuple(
        Check(
            f"{m.params.kind} ({m.params.equation}, n={m.params.n}, a={m.params.a})",
            m.theory,
            m.interval,
            m.agrees,
        )
        for m in measurements
    )
    agree = sum(check.passed for check in checks)
    report = (
        f"sdr-recognizer on {backend}: {agree}/{len(rows)} operations gave the ideal answer "
        f"({wall:.3g} s wall)",
        wrote_line(files),
    )
    numbers = {"agree": agree, "configurations": len(rows), "rows": rows}
    result = ReproductionResult("sdr-recognizer", backend, out, files, checks, wall, numbers, report)
    write_summary(result)
    return result


def reproduce_figure(name: str, out: Path, full: bool = False) -> ReproductionResult:
    """Compute figure ``name``; write ``<name>.png``, ``.csv`` and ``.json`` into ``out``.

    Parameters
    ----------
    name : str
        A key of :data:`spikemem.sdr.figures.FIGURES`.
    out : Path
        Output folder (created).
    full : bool
        The paper's trial counts instead of the notebooks' small settings.
    """
    import numpy

    import spikemem

    from ..sdr.figures import FIGURES

    spec = FIGURES[name]
    out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    result = spec.data(**(spec.full if full else spec.small))
    seconds = time.perf_counter() - start
    files = {"figure": out / f"{name}.png", "table_csv": out / f"{name}.csv", "data": out / f"{name}.json"}
    write_figure(files["figure"], spec.plot(result), dpi=150)
    write_csv(files["table_csv"], result.rows, result.columns)
    versions = {
        "spikemem": spikemem.__version__,
        "numpy": numpy.__version__,
        "python": platform.python_version(),
    }
    payload = {
        "name": result.name,
        "title": result.title,
        "settings": result.settings,
        "notes": result.notes,
        "versions": versions,
        "full": full,
        "seconds": round(seconds, 3),
        "rows": result.rows,
    }
    write_json(files["data"], payload, indent=1)
    report = (f"{name}: wrote {files['figure']} and its .csv/.json data",)
    return ReproductionResult(name, None, out, files, (), seconds, {"full": full}, report)


def _register_figure(name: str) -> None:
    """Register ``reproduce_figure(name, ...)`` as a computed reproduction."""

    def run(backend: str, out: Path, full: bool = False) -> ReproductionResult:
        return reproduce_figure(name, out, full)

    run.__doc__ = f"Reproduce {name}: write {name}.png/.csv/.json into ``out``."
    register(name, simulated=False)(run)


for _name in SDR_FIGURES:
    _register_figure(_name)
