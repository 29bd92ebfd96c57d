"""Run configurations: a network, an optional schedule and run settings in one TOML file.

The format (every table and key is described in ``docs/config.md``)::

    [network]                       # name, dt (ms), numerics ("exact" | "spinnaker")
    name = "ff"
    dt = 0.1

    [[population]]                  # name, size, cell, then the cell's parameters
    name = "exc"
    size = 100
    cell = "IF_curr_exp"
    tau_m = 20.0
    v_init = { uniform = [-65.0, -50.0], seed = 1 }   # per-neuron values drawn once, here

    [[projection]]                  # pre/post may be views: "exc[0:50]", "exc[1, 4, 9]"
    name = "exc_exc"
    pre = "exc"
    post = "exc"
    connector = "FixedProbability"  # + its keys: p, allow_self_connections, seed; FromList: pairs
    weight = 0.1                    # nA (mV onto IF_curr_delta)
    delay = 1.0                     # ms
    [projection.stdp]               # optional: SpikePair + weight dependence + conventions
    weight_dependence = "additive"
    w_max = 0.5

    [[phase]]                       # optional schedule; stimuli go to SpikeSourceArray populations
    name = "store"
    duration = 200.0
    plastic = ["exc_exc"]
    stimuli = [{ population = "cue", times = [1.0], ids = [0] }]

    [run]                           # duration (ms; only without phases), seed, backend
    [record]                        # spikes, state, state_every, weights, weight_readout

Every problem raises :class:`~spikemem.ir.IRValidationError` naming the file, the table and key,
the value and what is allowed.
"""

from __future__ import annotations

import dataclasses
import math
import re
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from . import ir
from .ir.cells import CELL_TYPES
from .ir.connectors import CONNECTOR_TYPES
from .ir.record import RecordSpec

try:
    import tomllib
except ModuleNotFoundError:  # pragma: no cover - Python 3.10
    import tomli as tomllib

__all__ = ["RunConfig", "config_from_dict", "load_config"]

TOP_LEVEL = ("network", "population", "projection", "phase", "run", "record")
NETWORK_KEYS = ("name", "dt", "numerics")
PROJECTION_KEYS = ("name", "pre", "post", "connector", "weight", "delay", "receptor", "stdp")
CONNECTOR_KEYS = {
    "OneToOne": (),
    "AllToAll": ("allow_self_connections",),
    "FixedProbability": ("p", "allow_self_connections", "seed"),
    "FixedNumberPre": ("n", "allow_self_connections", "with_replacement", "seed"),
    "FixedNumberPost": ("n", "allow_self_connections", "with_replacement", "seed"),
    "FixedTotalNumber": ("n", "allow_self_connections", "with_replacement", "seed"),
    "FromList": ("pairs",),
}
STDP_TIMING_KEYS = ("tau_plus", "tau_minus", "A_plus", "A_minus")
STDP_BOUND_KEYS = ("w_min", "w_max")
STDP_RULE_KEYS = ("delay_convention", "zero_lag", "amplitude", "clipping")
STDP_KEYS = ("weight_dependence",) + STDP_TIMING_KEYS + STDP_BOUND_KEYS + STDP_RULE_KEYS
WEIGHT_DEPENDENCES = {"additive": ir.Additive, "multiplicative": ir.Multiplicative}
PHASE_KEYS = ("name", "duration", "plastic", "stimuli")
STIMULUS_KEYS = ("population", "times", "ids")
RUN_KEYS = ("duration", "seed", "backend")
RECORD_KEYS = ("spikes", "state", "state_every", "weights", "weight_readout")
_VIEW = re.compile(r"^\s*([A-Za-z0-9_.-]+)\s*(?:\[(.*)\])?\s*$")
_Error = ir.IRValidationError


@dataclass(frozen=True)
class RunConfig:
    """Everything ``spikemem run`` needs, read from one TOML file.

    Attributes
    ----------
    network : spikemem.ir.Network
        The network.
    schedule : spikemem.ir.Schedule or None
        The phases (``[[phase]]`` tables), or ``None`` for one plain run of ``duration``.
    duration : float
        Simulated time (ms); the schedule's total when there is a schedule.
    seed : int
        Compile seed (connectors and sources without their own seed derive theirs from it).
    backend : str
        Backend name (``spikemem backends`` lists them).
    record : spikemem.ir.RecordSpec
        What to record.
    source : str
        Where the configuration came from (a path, or ``"<dict>"``).
    """

    network: ir.Network
    schedule: ir.Schedule | None
    duration: float
    seed: int
    backend: str
    record: RecordSpec
    source: str = "<dict>"


def load_config(path: str | Path) -> RunConfig:
    """Read a run configuration from a TOML file.

    Parameters
    ----------
    path : str or Path
        The ``.toml`` file.

    Raises
    ------
    IRValidationError
        For invalid TOML or any invalid table, key or value; the message names the file.
    FileNotFoundError
        When ``path`` does not exist.
    """
    path = Path(path)
    with path.open("rb") as handle:
        try:
            data = tomllib.load(handle)
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
            raise _Error(str(path), "TOML syntax", str(error), "valid TOML (https://toml.io)") from None
        except RecursionError:
            raise _Error(str(path), "TOML nesting", "arrays or tables nested too deeply", _SHALLOW) from None
    try:
        return config_from_dict(data, source=str(path))
    except RecursionError:
        raise _Error(str(path), "TOML nesting", "values nested too deeply", _SHALLOW) from None


_SHALLOW = "values nested at most a few levels deep (numbers, lists of numbers, small tables)"


def config_from_dict(data: dict[str, Any], source: str = "<dict>") -> RunConfig:
    """Build a :class:`RunConfig` from parsed TOML tables (the format of :func:`load_config`)."""
    _check_keys(f"{source}: top level", data, TOP_LEVEL)
    network = _network(source, data)
    schedule = _schedule(source, data.get("phase"), network)
    at = f"{source}: [run]"
    run = _table(at, data.get("run", {}))
    _check_keys(at, run, RUN_KEYS)
    duration = _duration(at, run, schedule)
    seed = run.get("seed", 0)
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**63:
        raise _Error(at, "seed", seed, "an integer in [0, 2**63)")
    backend = run.get("backend", "numba")
    if not isinstance(backend, str):
        raise _Error(at, "backend", backend, "a backend name (see `spikemem backends`)")
    record = _record(f"{source}: [record]", data.get("record", {}), network)
    return RunConfig(network, schedule, duration, seed, backend, record, source)


# -- helpers: ``at`` is always "<file>: <table>" ----------------------------------------
def _table(at: str, value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _Error(at, "table", value, "a TOML table")
    return value


def _tables(at: str, value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise _Error(at, "value", value, "an array of tables")
    return value


def _check_keys(at: str, table: dict[str, Any], allowed: tuple[str, ...] | list[str]) -> None:
    for key in table:
        if key not in allowed:
            raise _Error(at, "key", key, "one of " + ", ".join(allowed))


def _require(at: str, table: dict[str, Any], key: str, meaning: str) -> Any:
    if key not in table:
        raise _Error(at, key, "missing", meaning)
    return table[key]


def _rewrap(at: str, error: _Error) -> _Error:
    """``error`` with the file and table in front; errors that already name them pass through."""
    if error.owner.startswith(at.split(": ")[0] + ": "):
        return error
    wrapped = _Error(f"{at} ({error.owner})", error.parameter, error.value, error.allowed)
    wrapped.__cause__ = error
    return wrapped


# -- network -------------------------------------------------------------------------------
def _network(source: str, data: dict[str, Any]) -> ir.Network:
    at = f"{source}: [network]"
    settings = _table(at, data.get("network", {}))
    _check_keys(at, settings, NETWORK_KEYS)
    entries = _require(f"{source}: top level", data, "population", "at least one [[population]] table")
    pops: dict[str, ir.Population] = {}
    for entry in _tables(f"{source}: [[population]]", entries):
        pop = _population(f"{source}: [[population]] {entry.get('name', '?')!r}", entry)
        if pop.name in pops:
            raise _Error(f"{source}: [[population]]", "name", pop.name, "distinct population names")
        pops[pop.name] = pop
    projections = [
        _projection(f"{source}: [[projection]] {entry.get('name', '?')!r}", entry, pops)
        for entry in _tables(f"{source}: [[projection]]", data.get("projection", []))
    ]
    try:
        return ir.Network(populations=tuple(pops.values()), projections=tuple(projections), **settings)
    except _Error as error:
        if error.owner.startswith("Projection "):  # e.g. a delay below dt
            at = f"{source}: [[projection]] {error.owner.removeprefix('Projection ')}"
        raise _rewrap(at, error) from error


def _population(at: str, entry: dict[str, Any]) -> ir.Population:
    kind = _require(at, entry, "cell", "one of " + ", ".join(CELL_TYPES))
    if not isinstance(kind, str) or kind not in CELL_TYPES:
        raise _Error(at, "cell", kind, "one of " + ", ".join(CELL_TYPES))
    cls = CELL_TYPES[kind]
    cell_keys = [f.name for f in dataclasses.fields(cls)]
    if kind == "SpikeSourceArray":
        cell_keys.append("spike_times")
    _check_keys(at, entry, ["name", "size", "cell", *cell_keys])
    name = _require(at, entry, "name", "a population name")
    size = _require(at, entry, "size", "an integer number of neurons >= 1")
    if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= 10**8:
        raise _Error(at, "size", size, "an integer number of neurons in [1, 1e8]")
    params = {k: _per_neuron(at, k, v, size) for k, v in entry.items() if k not in ("name", "size", "cell")}
    try:
        if "spike_times" in params:
            if "times" in params or "ids" in params:
                raise _Error(at, "spike_times", "given with times/ids", "spike_times, or times + ids")
            cell = ir.SpikeSourceArray.from_lists(params["spike_times"])
        else:
            cell = cls(**params)
        return ir.Population(name=name, size=size, cell=cell)
    except _Error as error:
        raise _rewrap(at, error) from error


def _per_neuron(at: str, key: str, value: Any, size: Any) -> Any:
    """``{ uniform = [low, high], seed = N }`` → one value per neuron, drawn here, once."""
    if not isinstance(value, dict):
        return value
    at = f"{at} {key}"
    _check_keys(at, value, ("uniform", "seed"))
    bounds = _require(at, value, "uniform", "[low, high]")
    if not (isinstance(bounds, list) and len(bounds) == 2 and all(_is_number(b) for b in bounds)):
        raise _Error(at, "uniform", bounds, "[low, high], two numbers")
    low, high = (float(b) for b in bounds)
    if not (math.isfinite(low) and math.isfinite(high) and low <= high and math.isfinite(high - low)):
        raise _Error(at, "uniform", bounds, "[low, high]: finite numbers with low <= high")
    if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= 10**8:
        raise _Error(at, "size", size, "an integer number of neurons in [1, 1e8]")
    seed = value.get("seed", zlib.crc32(at.encode()))
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise _Error(at, "seed", seed, "an integer >= 0")
    return np.random.default_rng(seed).uniform(low, high + 0.0, size)  # + 0.0: -0.0 -> 0.0


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


# -- projections ---------------------------------------------------------------------------
def _projection(at: str, entry: dict[str, Any], pops: dict[str, ir.Population]) -> ir.Projection:
    kind = _require(at, entry, "connector", "one of " + ", ".join(CONNECTOR_KEYS))
    if not isinstance(kind, str) or kind not in CONNECTOR_KEYS:
        raise _Error(at, "connector", kind, "one of " + ", ".join(CONNECTOR_KEYS))
    _check_keys(at, entry, PROJECTION_KEYS + CONNECTOR_KEYS[kind])
    side = "a population name or view"
    try:
        if kind == "FromList":
            connector = ir.FromList.from_pairs(_require(at, entry, "pairs", "rows [i, j(, weight(, delay))]"))
        else:
            connector = CONNECTOR_TYPES[kind](**{k: entry[k] for k in CONNECTOR_KEYS[kind] if k in entry})
        return ir.Projection(
            name=_require(at, entry, "name", "a projection name"),
            pre=_side(at, "pre", _require(at, entry, "pre", side), pops),
            post=_side(at, "post", _require(at, entry, "post", side), pops),
            connector=connector,
            plasticity=_stdp(f"{at} stdp", entry.get("stdp")),
            **{k: entry[k] for k in ("weight", "delay", "receptor") if k in entry},
        )
    except _Error as error:
        raise _rewrap(at, error) from error


def _side(at: str, key: str, text: Any, pops: dict[str, ir.Population]) -> Any:
    """``"exc"``, ``"exc[0:50]"``, ``"exc[::2]"`` or ``"exc[1, 4, 9]"`` → population or view."""
    allowed = "'NAME', 'NAME[a:b]', 'NAME[a:b:step]' or 'NAME[i, j, ...]'; NAME one of " + ", ".join(pops)
    match = _VIEW.match(text) if isinstance(text, str) else None
    if match is None or match.group(1) not in pops:
        raise _Error(at, key, text, allowed)
    pop, inner = pops[match.group(1)], match.group(2)
    if inner is None:
        return pop
    try:
        if ":" in inner:
            bounds = [int(p) if p.strip() else None for p in inner.split(":")]
            if len(bounds) > 3 or any(b is not None and abs(b) > pop.size for b in bounds[:2]):
                raise ValueError(inner)  # Python would clip exc[0:50] silently; a typo is likelier
            return pop[slice(*bounds)]
        return pop[[int(p) for p in inner.split(",")]]
    except (ValueError, _Error):
        raise _Error(at, key, text, allowed + f" (indices in [0, {pop.size - 1}])") from None


def _stdp(at: str, table: Any) -> ir.STDP | None:
    if table is None:
        return None
    table = _table(at, table)
    _check_keys(at, table, STDP_KEYS)
    dependence = table.get("weight_dependence", "additive")
    if not isinstance(dependence, str) or dependence not in WEIGHT_DEPENDENCES:
        raise _Error(at, "weight_dependence", dependence, "'additive' or 'multiplicative'")
    try:
        return ir.STDP(
            timing=ir.SpikePair(**{k: table[k] for k in STDP_TIMING_KEYS if k in table}),
            weight=WEIGHT_DEPENDENCES[dependence](**{k: table[k] for k in STDP_BOUND_KEYS if k in table}),
            **{k: table[k] for k in STDP_RULE_KEYS if k in table},
        )
    except _Error as error:
        raise _rewrap(at, error) from error


# -- schedule, run, record -----------------------------------------------------------------
def _schedule(source: str, phases: Any, network: ir.Network) -> ir.Schedule | None:
    if phases is None:
        return None
    at = f"{source}: [[phase]]"
    built = [_phase(f"{at} {entry.get('name', '?')!r}", entry) for entry in _tables(at, phases)]
    try:
        schedule = ir.Schedule(phases=tuple(built))
        schedule.check_against(network)
    except _Error as error:
        raise _rewrap(at, error) from error
    return schedule


def _phase(at: str, entry: dict[str, Any]) -> ir.Phase:
    _check_keys(at, entry, PHASE_KEYS)
    stimuli = _tables(f"{at} stimuli", entry.get("stimuli", []))
    for stimulus in stimuli:
        _check_keys(f"{at} stimuli", stimulus, STIMULUS_KEYS)
    plastic = entry.get("plastic")
    try:
        return ir.Phase(
            name=_require(at, entry, "name", "a phase name"),
            duration=_require(at, entry, "duration", "a duration in ms > 0"),
            plastic=tuple(plastic) if isinstance(plastic, list) else plastic,
            stimuli=tuple(ir.Stimulus(**s) for s in stimuli),
        )
    except _Error as error:
        raise _rewrap(at, error) from error


def _duration(at: str, run: dict[str, Any], schedule: ir.Schedule | None) -> float:
    if schedule is not None:
        if "duration" in run and run["duration"] != schedule.duration:
            given = f"no duration (the [[phase]] tables add up to {schedule.duration} ms)"
            raise _Error(at, "duration", run["duration"], given)
        return schedule.duration
    duration = _require(at, run, "duration", "a duration in ms > 0 (or [[phase]] tables)")
    if not _is_number(duration) or not 0 < duration <= 1e9:
        raise _Error(at, "duration", duration, "a number of ms in (0, 1e9]")
    return float(duration)


def _record(at: str, table: Any, network: ir.Network) -> RecordSpec:
    table = _table(at, table)
    _check_keys(at, table, RECORD_KEYS)
    try:
        spec = RecordSpec(**table)
        spec.check_against(network)
    except _Error as error:
        raise _rewrap(at, error) from error
    except TypeError:  # e.g. state = { exc = 3 } or spikes = [[1]]
        allowed = "spikes = [population names], state = { population = [variable names] }"
        raise _Error(at, "value", table, allowed) from None
    return spec
