"""The reproductions, by name: :data:`REPRODUCTIONS`, filled with :func:`register`.

Each model's reproductions (:mod:`spikemem.reproduce.ca3`, :mod:`~spikemem.reproduce.hlop`,
:mod:`~spikemem.reproduce.sdr`) register themselves when :mod:`spikemem.reproduce` is imported;
the models they run are imported only when a reproduction runs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .result import ReproductionResult

__all__ = ["REPRODUCTIONS", "Reproduction", "option_error", "register", "reproduce"]

Runner = Callable[[str, Path, bool], ReproductionResult]


@dataclass(frozen=True)
class Reproduction:
    """One registered reproduction.

    Parameters
    ----------
    name : str
        Its name on the command line (``ca3-functional``, ``sdr-fig4a``...).
    run : callable
        ``run(backend, out, full) -> ReproductionResult``.
    simulated : bool
        ``True``: a network runs on a simulator backend (``--backend``); ``False``: computed
        exactly or by Monte Carlo, with small and paper-sized (``--full``) settings.
    """

    name: str
    run: Runner
    simulated: bool = True

    def __call__(self, backend: str | None, out: str | Path, full: bool = False) -> ReproductionResult:
        """Run it on ``backend``, writing into the folder ``out``."""
        return self.run(backend or "numba", Path(out), full)


REPRODUCTIONS: dict[str, Reproduction] = {}
"""Every reproduction, by name."""


def register(name: str, *, simulated: bool = True) -> Callable[[Runner], Runner]:
    """Decorator: add ``run(backend, out, full)`` to :data:`REPRODUCTIONS` as ``name``."""

    def add(run: Runner) -> Runner:
        REPRODUCTIONS[name] = Reproduction(name, run, simulated)
        return run

    return add


def option_error(name: str, backend: str | None, full: bool) -> str | None:
    """Why ``backend`` or ``full`` do not apply to the reproduction ``name`` (``None``: they do)."""
    entry = REPRODUCTIONS[name]
    if backend is not None and not backend.strip():
        return "--backend: an empty name; give a backend name or leave --backend out"
    if not entry.simulated and backend not in (None, "numba"):
        return f"{name} is computed exactly or by Monte Carlo; it takes no --backend"
    if entry.simulated and full:
        return f"--full applies to the SDR figures, not to {name}"
    return None


def reproduce(
    name: str, backend: str | None = None, out: str | Path | None = None, *, full: bool = False
) -> ReproductionResult:
    """Run the reproduction ``name``, writing into ``out`` (default ``out/<name>``).

    Parameters
    ----------
    name : str
        A key of :data:`REPRODUCTIONS`.
    backend : str, optional
        Simulator backend (default ``numba``); computed figures take none.
    out : path, optional
        Output folder.
    full : bool
        Paper-sized settings (computed figures only).

    Raises
    ------
    IRValidationError
        For an unknown name.
    ValueError
        For a backend given to a computed figure, or ``full`` given to a simulated experiment.
    UnsupportedFeature
        When the backend cannot run the model.
    """
    from ..ir import IRValidationError

    if name not in REPRODUCTIONS:
        raise IRValidationError("reproduce", "name", name, "one of " + ", ".join(sorted(REPRODUCTIONS)))
    problem = option_error(name, backend, full)
    if problem is not None:
        raise ValueError(problem)
    return REPRODUCTIONS[name](backend, Path("out") / name if out is None else Path(out), full)
