"""The one simulator state of a PyNN script: :class:`Simulator`, owned by the module-level API.

``setup()`` makes a new :class:`Simulator` (dropping the previous one); ``run``, ``reset``,
``end`` and the populations and projections of the script act on it through :func:`current`.
There is no other global state. The simulator holds the options, the populations and
projections, the time (a step counter), the engine (:mod:`.execution`) and the segment index.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..ir.errors import IRValidationError
from ..ir.network import NUMERICS, check_dt

__all__ = ["Options", "Simulator", "current", "current_seed", "install", "is_set_up", "uninstall"]

IGNORED_EXTRAS = (
    "time_scale_factor",
    "n_chips_required",
    "n_boards_required",
    "database_socket_addresses",
    "verbosity",
    "graph_label",
    "model_binary_module",
    "model_binary_folder",
    "spalloc_server",
    "rank",
    "num_processes",
)
"""``setup()`` keywords of sPyNNaker and NEST that do not change what a network computes;
accepted with a warning that they are ignored."""


@dataclass(frozen=True)
class Options:
    """Checked ``setup()`` options.

    Attributes
    ----------
    dt : float
        Time step (ms).
    min_delay, max_delay : float
        Smallest and largest delay allowed (ms); ``min_delay`` is the default delay.
    backend : str
        spikemem backend (``"numba"``, ``"brian2"``, ``"nest"``, ``"nengo"``, ``"spinnaker"``).
    numerics : str
        ``"exact"``, ``"spinnaker"`` or ``"spinnaker-fixed"``.
    seed : int
        Seed of every draw the script does not seed itself.
    threads : int or None
        Threads of the Numba engine.
    backend_options : dict
        Further keywords for ``spikemem.compile`` (e.g. Brian2's ``device``).
    """

    dt: float
    min_delay: float
    max_delay: float
    backend: str = "numba"
    numerics: str = "exact"
    seed: int = 0
    threads: int | None = None
    backend_options: dict = field(default_factory=dict)


def check_options(timestep: Any, min_delay: Any, max_delay: Any, extra: dict[str, Any]) -> Options:
    """Validate ``setup()``'s arguments.

    Raises
    ------
    IRValidationError
        For a bad value (naming it and what is allowed).
    NotImplementedError
        For a keyword spikemem does not know.
    """
    dt = check_dt("setup", timestep)
    if isinstance(min_delay, str):
        if min_delay != "auto":
            raise IRValidationError("setup", "min_delay", min_delay, "'auto' or a number of ms >= timestep")
        low = dt
    else:
        low = _number("min_delay", min_delay)
        if low < dt * (1 - 1e-9):
            raise IRValidationError(
                "setup", "min_delay", min_delay, f"'auto' or a number of ms >= timestep ({dt})"
            )
    high = math.inf if max_delay is None else _number("max_delay", max_delay)
    if high < low:
        raise IRValidationError(
            "setup", "max_delay", max_delay, f"None or a number of ms >= min_delay ({low})"
        )
    extra = dict(extra)
    backend = extra.pop("backend", "numba")
    if not isinstance(backend, str):
        raise IRValidationError("setup", "backend", backend, "a backend name such as 'numba'")
    numerics = extra.pop("numerics", "exact")
    if numerics not in NUMERICS:
        raise IRValidationError("setup", "numerics", numerics, "one of " + ", ".join(NUMERICS))
    seed = extra.pop("seed", 0)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= int(seed) < 2**63:
        raise IRValidationError("setup", "seed", seed, "an integer in [0, 2**63)")
    threads = extra.pop("threads", None)
    options = extra.pop("backend_options", {})
    if not isinstance(options, dict):
        raise IRValidationError("setup", "backend_options", options, "a dict of spikemem.compile keywords")
    if backend == "spinnaker" and "time_scale_factor" in extra:  # the SpiNNaker backend's own option
        options = {**options, "time_scale_factor": extra.pop("time_scale_factor")}
    for name in [k for k in extra if k in IGNORED_EXTRAS]:
        warnings.warn(
            f"setup({name}=...) has no effect in spikemem.pynn and is ignored", UserWarning, stacklevel=3
        )
        extra.pop(name)
    if extra:
        raise NotImplementedError(
            "setup() keywords not supported by spikemem.pynn: "
            + ", ".join(sorted(extra))
            + " (spikemem's own: backend, numerics, seed, threads, backend_options)"
        )
    return Options(
        dt=dt,
        min_delay=low,
        max_delay=high,
        backend=backend,
        numerics=numerics,
        seed=int(seed),
        threads=threads,
        backend_options=options,
    )


def _number(name: str, value: Any) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float, np.integer, np.floating))
        or not np.isfinite(value)
    ):
        raise IRValidationError("setup", name, value, "a finite number of ms")
    return float(value)


class Simulator:
    """The state of one PyNN script between ``setup()`` and ``end()``.

    Parameters
    ----------
    options : Options
        The checked ``setup()`` options.
    """

    def __init__(self, options: Options) -> None:
        self.options = options
        self.populations: list[Any] = []
        """Every :class:`~spikemem.pynn.populations.Population`, in creation order."""
        self.projections: list[Any] = []
        """Every :class:`~spikemem.pynn.projections.Projection`, in creation order."""
        self.step = 0
        """Steps simulated since ``setup()`` or the last ``reset()``."""
        self.segment = 0
        """Index of the current Neo segment (one per ``reset()``)."""
        self.engine: Any = None
        """The running engine (:mod:`.execution`), or ``None`` before the first run after a reset."""
        self.next_id = 0
        self.names: set[str] = set()
        self.files: list[tuple[Any, Any]] = []
        """``(population, file)`` pairs of ``record(to_file=...)``, written at ``end()``."""

    @property
    def dt(self) -> float:
        """Time step (ms)."""
        return self.options.dt

    @property
    def t(self) -> float:
        """Current time (ms)."""
        return self.step * self.options.dt

    def unique_name(self, label: str) -> str:
        """An IR name for ``label`` (letters, digits, ``_-.``), distinct from the others."""
        base = "".join(ch if ch.isalnum() or ch in "_-." else "_" for ch in label).lstrip(".") or "population"
        name, k = base[:190], 1
        while name in self.names:
            k += 1
            name = f"{base[:190]}_{k}"
        self.names.add(name)
        return name

    def check_structure_change(self, what: str) -> None:
        """Refuse changes to the network's structure while a simulation is under way.

        Raises
        ------
        NotImplementedError
            After ``run()`` and before ``reset()``.
        """
        if self.engine is not None and self.step > 0:
            raise NotImplementedError(
                f"{what} after run() is not supported by spikemem.pynn; call reset() first "
                "(or create it before running)"
            )
        self.engine = None

    def run_steps(self, n_steps: int) -> None:
        """Advance by ``n_steps`` steps (the engine is built on the first call after a reset)."""
        from .execution import make_engine

        if n_steps <= 0:
            return
        if self.engine is None:
            self.engine = make_engine(self)
        self.engine.advance(n_steps)
        self.step += n_steps

    def reset(self) -> None:
        """Back to t = 0 with the initial state and a new segment."""
        for pop in self.populations:
            pop.recorder.new_segment(self.step)
        self.step = 0
        self.segment += 1
        self.engine = None


class _Holder:
    """Where the module-level API keeps its one :class:`Simulator`."""

    simulator: Simulator | None = None


_HOLDER = _Holder()


def install(simulator: Simulator) -> None:
    """Make ``simulator`` the current one (``setup()``)."""
    _HOLDER.simulator = simulator


def uninstall() -> None:
    """Drop the current simulator (``end()``)."""
    _HOLDER.simulator = None


def current() -> Simulator:
    """The current simulator.

    Raises
    ------
    RuntimeError
        Before ``setup()`` (or after ``end()``).
    """
    if _HOLDER.simulator is None:
        raise RuntimeError("call spikemem.pynn.setup() first (no simulator is set up)")
    return _HOLDER.simulator


def is_set_up() -> bool:
    """Whether ``setup()`` has made a simulator (and ``end()`` has not dropped it)."""
    return _HOLDER.simulator is not None


def current_seed() -> int:
    """The seed of the current simulator (0 before ``setup()``)."""
    return 0 if _HOLDER.simulator is None else _HOLDER.simulator.options.seed
