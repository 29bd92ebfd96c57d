"""What a reproduction obtained: named checks, summary numbers and the files written."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["Check", "ReproductionResult", "wrote_line"]


@dataclass(frozen=True)
class Check:
    """One claim of a paper, tested.

    Parameters
    ----------
    name : str
        What is checked (e.g. ``"op 3: recall cue 2"``, ``"spikes matched the SpiNNaker recording"``).
    expected : Any
        The reference value (ideal answer, hardware spike count, threshold...).
    obtained : Any
        The value this run obtained.
    passed : bool
        Whether ``obtained`` meets ``expected``.
    """

    name: str
    expected: Any
    obtained: Any
    passed: bool


@dataclass(frozen=True)
class ReproductionResult:
    """The outcome of one reproduction (``spikemem reproduce NAME``).

    Parameters
    ----------
    name : str
        Reproduction name (a key of :data:`spikemem.reproduce.REPRODUCTIONS`).
    backend : str or None
        Backend that ran it (``None`` for computed figures).
    out : Path
        Output folder.
    files : dict of str to Path
        The files written, by role (``recording``, ``raster``, ``figure``, ``table_csv``,
        ``table_md``, ``summary``...).
    checks : tuple of Check
        Every tested claim; the reproduction is :attr:`ok` when all pass.
    wall_s : float
        Wall time of the run (s).
    numbers : dict
        Summary numbers and details, as written to ``summary.json`` (JSON-able after
        :func:`spikemem.reproduce.writers.jsonable`).
    report : tuple of str
        The lines printed on the terminal.
    """

    name: str
    backend: str | None
    out: Path
    files: dict[str, Path]
    checks: tuple[Check, ...] = ()
    wall_s: float = 0.0
    numbers: dict[str, Any] = field(default_factory=dict)
    report: tuple[str, ...] = ()

    @property
    def passed(self) -> int:
        """Number of checks that passed."""
        return sum(check.passed for check in self.checks)

    @property
    def ok(self) -> bool:
        """Every check passed (``True`` when there is none, as for a computed figure)."""
        return all(check.passed for check in self.checks)

    def summary(self) -> str:
        """The terminal report."""
        return "\n".join(self.report)


def wrote_line(files: dict[str, Path]) -> str:
    """``"  wrote a, b, c"``: the last line of a terminal report."""
    return f"  wrote {', '.join(str(path) for path in files.values())}"
