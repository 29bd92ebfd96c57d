"""The module-level functions of a PyNN script: ``setup``, ``run``, ``reset``, ``end``...

They act on the one :class:`~.simulator.Simulator` that ``setup()`` installs.
"""

from __future__ import annotations

import math
import numbers
import warnings
from typing import Any

from ..ir.errors import IRValidationError
from .simulator import Simulator, check_options, current, install, uninstall

__all__ = [
    "connect",
    "create",
    "end",
    "get_current_time",
    "get_max_delay",
    "get_min_delay",
    "get_network",
    "get_time_step",
    "initialize",
    "list_standard_models",
    "num_processes",
    "rank",
    "record",
    "reset",
    "run",
    "run_for",
    "run_until",
    "set_number_of_neurons_per_core",
    "set_number_of_synapse_cores",
    "setup",
]


def setup(
    timestep: float = 0.1, min_delay: Any = "auto", max_delay: float | None = None, **extra: Any
) -> int:
    """Start a new simulation (dropping any previous one).

    Parameters
    ----------
    timestep : float
        Time step (ms), in [1e-4, 10].
    min_delay : "auto" or float
        Smallest delay (ms); ``"auto"`` is the time step. It is the default delay.
    max_delay : float or None
        Largest delay (ms); ``None``: no limit.
    **extra
        spikemem's options: ``backend`` (``"numba"`` default, ``"brian2"``, ``"nest"``,
        ``"nengo"``, ``"spinnaker"``), ``numerics`` (``"exact"`` default, ``"spinnaker"``,
        ``"spinnaker-fixed"``), ``seed`` (int, default 0), ``threads`` (Numba),
        ``backend_options`` (a dict of further ``spikemem.compile`` keywords). sPyNNaker's and
        NEST's keywords that do not change results (e.g. ``time_scale_factor``) are ignored with
        a warning; any other raises NotImplementedError.

    Returns
    -------
    int
        The MPI rank, 0.
    """
    install(Simulator(check_options(timestep, min_delay, max_delay, extra)))
    return 0


def end(compatible_output: bool = True) -> None:
    """Write the files asked for with ``record(to_file=...)`` and drop the simulation (nothing
    to do when no simulation is set up)."""
    from .simulator import is_set_up

    if not is_set_up():
        return
    sim = current()
    for population, file in sim.files:
        population.write_data(file)
    uninstall()


def _steps(simtime: Any, what: str) -> int:
    sim = current()
    if isinstance(simtime, bool) or not isinstance(simtime, numbers.Real) or not math.isfinite(simtime):
        raise IRValidationError(what, "simtime", simtime, "a number of ms >= 0")
    value = float(simtime) / sim.dt
    steps = int(round(value))
    if steps < 0:
        raise IRValidationError(what, "simtime", simtime, "a number of ms >= 0")
    if abs(value - steps) > 1e-6 * max(1.0, value):
        warnings.warn(
            f"{what}({simtime}) is not a multiple of the time step {sim.dt} ms; runs {steps * sim.dt} ms",
            UserWarning,
            stacklevel=3,
        )
    return steps


def run(simtime: float, callbacks: Any = None) -> float:
    """Advance the simulation by ``simtime`` ms; several calls continue it (see
    :mod:`.execution`). Returns the time reached (ms)."""
    if callbacks:
        raise NotImplementedError("run(callbacks=...) is not supported by spikemem.pynn")
    sim = current()
    sim.run_steps(_steps(simtime, "run"))
    return sim.t


run_for = run


def run_until(time_point: float, callbacks: Any = None) -> float:
    """Advance the simulation until ``time_point`` ms. Returns the time reached (ms)."""
    if callbacks:
        raise NotImplementedError("run_until(callbacks=...) is not supported by spikemem.pynn")
    sim = current()
    target = _steps(time_point, "run_until")
    if target < sim.step:
        raise IRValidationError(
            "run_until", "time_point", time_point, f"a time >= the current time {sim.t} ms"
        )
    sim.run_steps(target - sim.step)
    return sim.t


def reset(annotations: Any = None) -> None:
    """Back to t = 0: initial state, initial (or ``Projection.set``) weights, a new segment."""
    if annotations:
        raise NotImplementedError("reset(annotations=...) is not supported by spikemem.pynn")
    current().reset()


def get_current_time() -> float:
    """Current time (ms)."""
    return current().t


def get_time_step() -> float:
    """Time step (ms)."""
    return current().dt


def get_min_delay() -> float:
    """Smallest delay (ms)."""
    return current().options.min_delay


def get_max_delay() -> float:
    """Largest delay (ms); ``inf`` without a limit."""
    return current().options.max_delay


def num_processes() -> int:
    """Number of MPI processes: 1."""
    return 1


def rank() -> int:
    """MPI rank of this process: 0."""
    return 0


def initialize(cells: Any, **initial_values: Any) -> None:
    """Set initial values of ``cells`` (a Population, view or Assembly)."""
    cells.initialize(**initial_values)


def record(
    variables: Any,
    source: Any,
    filename: Any,
    sampling_interval: float | None = None,
    annotations: Any = None,
) -> None:
    """Record ``variables`` of ``source`` and write them to ``filename`` at ``end()``."""
    if annotations:
        raise NotImplementedError("record(annotations=...) is not supported by spikemem.pynn")
    source.record(variables, to_file=filename, sampling_interval=sampling_interval)


def set_number_of_neurons_per_core(neuron_type: Any, max_permitted: Any) -> None:
    """sPyNNaker's mapping setting: no effect in spikemem (a warning says so)."""
    warnings.warn(
        "set_number_of_neurons_per_core: a SpiNNaker mapping setting, no effect in spikemem.pynn",
        UserWarning,
        stacklevel=2,
    )


def set_number_of_synapse_cores(neuron_type: Any, n_synapse_cores: Any) -> None:
    """sPyNNaker's mapping setting: no effect in spikemem (a warning says so)."""
    warnings.warn(
        "set_number_of_synapse_cores: a SpiNNaker mapping setting, no effect in spikemem.pynn",
        UserWarning,
        stacklevel=2,
    )


def get_network() -> Any:
    """The script's network as a spikemem IR :class:`~spikemem.ir.Network` (not PyNN API):
    populations with their current parameters and initial values, projections with their
    explicit synapses, weights and delays — for ``Network.save``, the SpiNNaker estimate
    (``spikemem.backends.spinnaker.estimate.estimate_spinnaker``), NIR export or
    ``spikemem.compile`` on any backend."""
    from .execution import build_network

    return build_network(current())


def list_standard_models() -> list[str]:
    """Names of the cell types spikemem.pynn supports."""
    return ["IF_curr_exp", "IF_curr_delta", "SpikeSourceArray", "SpikeSourcePoisson"]


def create(cellclass: Any, cellparams: dict | None = None, n: int = 1) -> Any:
    """``n`` neurons of ``cellclass`` (a Population)."""
    from .populations import Population

    return Population(n, cellclass, cellparams)


def connect(
    pre: Any,
    post: Any,
    weight: Any = 0.0,
    delay: Any = None,
    receptor_type: str | None = None,
    p: float = 1,
    rng: Any = None,
) -> Any:
    """Connect ``pre`` to ``post`` with probability ``p`` (a Projection)."""
    from .connectors import FixedProbabilityConnector
    from .projections import Projection
    from .synapses import StaticSynapse

    return Projection(
        pre,
        post,
        FixedProbabilityConnector(p, rng=rng),
        StaticSynapse(weight=weight, delay=delay),
        receptor_type=receptor_type,
    )
