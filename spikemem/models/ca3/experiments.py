"""The CA3 memory's experiments: the paper's three programs, hardware comparison, random
operation sequences (original vs. improved variant) and scaling.

Programs:

- :func:`functional_memory`: n=5, m=10, 9 operations 10 ms apart (learn, recall by cue and by
  content, forgetting by overwrite); the SpiNNaker recording of every population is packaged
  with spikemem (:func:`load_hardware_spikes`) and :func:`compare_with_hardware` counts the
  matching spikes.
- :func:`stress_memory`: n=5, m=10, 60 operations 14 ms apart from t = 1 ms.
- :func:`statemap_memory`: the 4x4 robot state map, n=16, m=6, writes every 7 ms, then four
  recalls by content 6 ms apart.
"""

from __future__ import annotations

import csv
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from ... import ir
from . import network as ca3
from .memory import LEARN_GAP_MS, CA3Memory, Learn, Operation, RecallContent, RecallCue

__all__ = [
    "FUNCTIONAL_PROGRAM",
    "HARDWARE_POPULATIONS",
    "STATE_MAP",
    "STATE_NAMES",
    "PopulationMatch",
    "compare_variants",
    "compare_with_hardware",
    "functional_memory",
    "load_hardware_spikes",
    "ABLATION_PARAMS",
    "VARIANT_PARAMS",
    "random_memory",
    "random_program",
    "scaling_memory",
    "scaling_point",
    "STATEMAP_QUERIES",
    "statemap_memory",
    "stress_memory",
    "variants_table_markdown",
]

# --------------------------------------------------------------------------- the paper's programs

FUNCTIONAL_PROGRAM = (
    ("learn", 0, (0, 1, 8, 9)),
    ("learn", 4, (1, 5, 6)),
    ("learn", 3, (4, 5, 6)),
    ("recall_cue", 0, None),
    ("recall_content", None, (6,)),
    ("recall_content", None, (0, 4)),
    ("learn", 3, (1, 3, 4, 8)),
    ("recall_cue", 3, None),
    ("recall_content", None, (6,)),
)
"""Experiment 1: (kind, cue, content bits), one every 10 ms from t = 0."""

STATE_MAP = (0, 5, 1, 3, 0, 3, 4, 5, 0, 5, 4, 3, 2, 4, 4, 3)
"""The 4x4 robot map of experiment 3, row-major: the state (content bit) of each cell (cue)."""

STATE_NAMES = ("unknown", "initial", "goal", "free", "path", "obstacle")
"""Meaning of the six states (content bits 0..5) of the map."""

STATEMAP_QUERIES = ((1, 2, 4), (3,), (5,), (0,))
"""Recalls by content of experiment 3: route, free, obstacle, unknown."""


def _add(mem: CA3Memory, kind: str, cue: int | None, bits: Sequence[int] | None, at: int) -> None:
    if kind == "learn":
        mem.learn(cue, bits, at=at)
    elif kind == "recall_cue":
        mem.recall_cue(cue, at=at)
    else:
        mem.recall_content(bits, at=at)


def functional_memory(variant: str = "original") -> CA3Memory:
    """Experiment 1: n=5, m=10, 9 operations 10 ms apart from t = 0 (90 ms)."""
    mem = CA3Memory(5, 10, variant=variant, tail_ms=10)
    for index, (kind, cue, bits) in enumerate(FUNCTIONAL_PROGRAM):
        _add(mem, kind, cue, bits, 10 * index)
    return mem


def _code(value: int, m: int) -> list[int]:
    """Bits set in ``value`` (LSB = content bit 0)."""
    return [b for b in range(m) if value >> b & 1]


def stress_memory(
    variant: str = "original", n: int = 5, m: int = 10, spacing_ms: int = 14, start_ms: int = 1
) -> CA3Memory:
    """Experiment 2: three rounds of (write every cue, recall every cue, recall every single bit).

    Round 1 writes cue ``i`` <- the binary code of ``i + 1`` (LSB = bit 0), round 2 its
    ``m``-bit complement, round 3 the code again. Operations are ``spacing_ms`` apart from
    ``start_ms``: 60 operations and 851 ms for the paper's n=5, m=10.
    """
    mem = CA3Memory(n, m, variant=variant, tail_ms=spacing_ms + 10)
    full = (1 << m) - 1
    program: list[tuple[str, int | None, Sequence[int] | None]] = []
    for round_ in range(3):
        for cue in range(n):
            value = cue + 1 if round_ != 1 else full ^ (cue + 1)
            program.append(("learn", cue, _code(value, m)))
        program += [("recall_cue", cue, None) for cue in range(n)]
        program += [("recall_content", None, (bit,)) for bit in range(m)]
    for index, (kind, cue, bits) in enumerate(program):
        _add(mem, kind, cue, bits, start_ms + spacing_ms * index)
    return mem


def statemap_memory(variant: str = "original") -> CA3Memory:
    """Experiment 3: the 16 cells written 7 ms apart (t = 0..105), then four recalls by
    content 6 ms apart from t = 112 (140 ms)."""
    mem = CA3Memory(16, 6, variant=variant, tail_ms=10)
    for cell, state in enumerate(STATE_MAP):
        mem.learn(cell, {state}, at=7 * cell)
    for index, query in enumerate(STATEMAP_QUERIES):
        mem.recall_content(query, at=112 + 6 * index)
    return mem


# --------------------------------------------------------------------------- hardware recording

HARDWARE_POPULATIONS = {
    "INcue": ("IN", "cue"),
    "INcont": ("IN", "content"),
    "CA3cueCueRecall": ("CueCue", "all"),
    "CA3contCueRecall": ("ContCue", "all"),
    "CA3contCond": ("ContCond", "all"),
    "CA3contCondInt": ("CondInt", "all"),
    "CA3cueContRecall": ("CueCont", "all"),
    "CA3contContRecall": ("ContCont", "all"),
    "CA3MergeCue": ("MergeCue", "all"),
    "CA3MergeCont": ("MergeCont", "all"),
    "OUTcue": ("OUT", "cue"),
    "OUTcont": ("OUT", "content"),
}
"""Population names of the hardware recording -> (spikemem population, part). IN and OUT are
split into their cue part (neurons ``0..n-1``) and content part (``n..n+m-1``, which the
recording numbers from 0)."""


def load_hardware_spikes(path: str | Path | None = None) -> dict[str, set[tuple[int, int]]]:
    """The SpiNNaker recording of the functional test: recording population -> {(ms, neuron)}.

    Parameters
    ----------
    path : str or Path, optional
        A CSV with columns ``population, time_ms, neuron``; default the copy packaged in
        ``spikemem/models/ca3/data/ca3_functional_spikes.csv``.
    """
    if path is None:
        text = resources.files("spikemem.models.ca3").joinpath("data/ca3_functional_spikes.csv").read_text()
    else:
        text = Path(path).read_text()
    spikes: dict[str, set[tuple[int, int]]] = {name: set() for name in HARDWARE_POPULATIONS}
    for row in csv.DictReader(text.splitlines()):
        if row["population"] not in spikes:
            raise ir.IRValidationError(
                "CA3 hardware recording", "population", row["population"], ", ".join(spikes)
            )
        spikes[row["population"]].add((int(float(row["time_ms"])), int(row["neuron"])))
    return spikes


@dataclass(frozen=True)
class PopulationMatch:
    """Spikes of one recorded population: hardware vs. simulation.

    Parameters
    ----------
    name : str
        Population name in the hardware recording (e.g. ``"CA3contCond"``).
    expected : int
        Spikes in the hardware recording.
    obtained : int
        Spikes in the simulation.
    matched : int
        Spikes present in both (same ms, same neuron).
    """

    name: str
    expected: int
    obtained: int
    matched: int

    @property
    def mismatches(self) -> int:
        """Spikes present in only one of the two."""
        return self.expected + self.obtained - 2 * self.matched


def _simulated(recording: Any, population: str, part: str, n: int) -> set[tuple[int, int]]:
    """Spikes of ``population`` as {(ms, neuron)}, restricted to a part and renumbered from 0."""
    trains = recording.spikes[population]
    size = recording.populations[population]
    lo, hi = {"all": (0, size), "cue": (0, n), "content": (n, size)}[part]
    keep = (trains.ids >= lo) & (trains.ids < hi)
    times = np.rint(trains.steps[keep] * recording.dt).astype(np.int64)
    return set(zip(times.tolist(), (trains.ids[keep] - lo).tolist(), strict=True))


def compare_with_hardware(
    recording: Any, n: int = 5, path: str | Path | None = None
) -> list[PopulationMatch]:
    """Compare a recording of :func:`functional_memory` with the SpiNNaker recording.

    Returns
    -------
    list of PopulationMatch
        One per population of the hardware recording (the IN rows are the input program).
    """
    hardware = load_hardware_spikes(path)
    matches = []
    for name, (population, part) in HARDWARE_POPULATIONS.items():
        got, want = _simulated(recording, population, part, n), hardware[name]
        matches.append(
            PopulationMatch(name=name, expected=len(want), obtained=len(got), matched=len(want & got))
        )
    return matches


# --------------------------------------------------------------------------- random programs


def random_program(
    seed: int,
    *,
    n: int = 5,
    m: int = 10,
    n_ops: int = 30,
    spacing_ms: int | None = 14,
    fragment_bits: int = 1,
    max_content_bits: int = 3,
    p_learn: float = 0.4,
    p_recall_cue: float = 0.3,
) -> list[Operation]:
    """A seeded random program of learns, recalls by cue and recalls by content.

    The first operation is a learn. A learn writes 1..``max_content_bits`` random bits under a
    random cue; a recall by cue reads a cue written before; a recall by content presents
    ``fragment_bits`` random distinct bits. Operations are ``spacing_ms`` apart (>= 7 ms), or
    each at the earliest time the timing rules allow when ``spacing_ms`` is None (7 ms after a
    learn, 6 ms after a recall). The same arguments give the same program.
    """
    if spacing_ms is not None and (
        isinstance(spacing_ms, bool) or not isinstance(spacing_ms, int) or spacing_ms < LEARN_GAP_MS
    ):
        raise ir.IRValidationError(
            "random_program", "spacing_ms", spacing_ms, f"None or an integer >= {LEARN_GAP_MS} ms"
        )
    rng = np.random.default_rng(seed)
    ops: list[Operation] = []
    written: list[int] = []
    at = 0
    for index in range(n_ops):
        draw = rng.random()
        if index == 0 or draw < p_learn:
            cue = int(rng.integers(n))
            size = int(rng.integers(1, min(max_content_bits, m) + 1))
            ops.append(Learn(at=at, cue=cue, content=rng.choice(m, size=size, replace=False).tolist()))
            written.append(cue)
        elif draw < p_learn + p_recall_cue:
            ops.append(RecallCue(at=at, cue=int(rng.choice(written))))
        else:
            ops.append(
                RecallContent(at=at, bits=rng.choice(m, size=min(fragment_bits, m), replace=False).tolist())
            )
        at += ops[-1].min_gap_ms if spacing_ms is None else spacing_ms
    return ops


def random_memory(seed: int, *, variant: str = "original", **program: Any) -> CA3Memory:
    """A :class:`CA3Memory` holding :func:`random_program` ``(seed, **program)``."""
    mem = CA3Memory(program.get("n", 5), program.get("m", 10), variant=variant)
    mem.extend(random_program(seed, **program))
    return mem


VARIANT_PARAMS = {
    "original": {},
    "improved": {"variant": "improved"},
}
"""Parameter overrides of the two variants compared by :func:`compare_variants`."""

ABLATION_PARAMS = {
    "reads gated only": {"plastic_reads": False},
    "sharp STDP only": {"variant": "improved", "plastic_reads": True},
}
"""The improved variant's two changes taken one at a time."""


def _fractions(results: Iterable[Any]) -> dict[str, tuple[int, int]]:
    counts: dict[str, list[int]] = {
        "all": [0, 0],
        "learn": [0, 0],
        "recall_cue": [0, 0],
        "recall_content": [0, 0],
    }
    for r in results:
        for key in ("all", r.operation.kind):
            counts[key][0] += int(r.correct)
            counts[key][1] += 1
    return {k: (v[0], v[1]) for k, v in counts.items()}


def compare_variants(
    seeds: Iterable[int] = range(20),
    spacings_ms: Sequence[int | None] = (None, 8, 10, 14),
    fragment_bits: Sequence[int] = (1, 2),
    *,
    variants: dict[str, dict[str, Any]] | None = None,
    backend: str = "numba",
    **program: Any,
) -> list[dict[str, Any]]:
    """Run the same random programs on several parameter variants.

    Parameters
    ----------
    seeds : iterable of int
        One program per seed (per spacing and fragment size).
    spacings_ms : sequence of int or None
        Spacing of consecutive operations (ms, >= 7); None: each at its earliest time.
    fragment_bits : sequence of int
        Bits per recall by content.
    variants : dict of str to dict, optional
        Name -> :class:`~spikemem.models.ca3.Params` overrides; default :data:`VARIANT_PARAMS`.
    backend : str
        Backend name.
    **program
        Further arguments of :func:`random_program` (``n``, ``m``, ``n_ops``...).

    Returns
    -------
    list of dict
        One row per (spacing, fragment size): ``spacing_ms, fragment_bits, operations``, and
        for each variant ``<name>`` (fraction correct) and ``<name>:<kind>`` as
        ``(correct, total)`` per operation kind.
    """
    seeds = list(seeds)
    variants = VARIANT_PARAMS if variants is None else variants
    n, m = program.get("n", 5), program.get("m", 10)
    rows = []
    for spacing in spacings_ms:
        for bits in fragment_bits:
            programs = [random_program(s, spacing_ms=spacing, fragment_bits=bits, **program) for s in seeds]
            row: dict[str, Any] = {
                "spacing_ms": spacing,
                "fragment_bits": bits,
                "operations": sum(map(len, programs)),
            }
            for name, overrides in variants.items():
                results = []
                for ops in programs:
                    mem = CA3Memory(params=ca3.Params(n=n, m=m, **overrides))
                    mem.extend(ops)
                    results += mem.run(backend=backend).results
                counts = _fractions(results)
                row[name] = counts["all"][0] / counts["all"][1]
                for kind in ("learn", "recall_cue", "recall_content"):
                    row[f"{name}:{kind}"] = counts[kind]
            rows.append(row)
    return rows


def variants_table_markdown(
    rows: Sequence[dict[str, Any]], variants: Sequence[str] = ("original", "improved")
) -> str:
    """The rows of :func:`compare_variants` as a Markdown table: fraction of correct operations
    and correct recalls by content, per variant."""
    head = "| spacing (ms) | fragment bits | operations | " + " | ".join(f"{v}: correct" for v in variants)
    head += " | " + " | ".join(f"{v}: content recalls" for v in variants) + " |"
    lines = [head, "|" + "---:|" * (3 + 2 * len(variants))]
    for r in rows:
        spacing = "earliest (7/6)" if r["spacing_ms"] is None else str(r["spacing_ms"])
        cells = [spacing, str(r["fragment_bits"]), str(r["operations"])]
        cells += [f"{r[v]:.1%}" for v in variants]
        cells += ["{}/{}".format(*r[f"{v}:recall_content"]) for v in variants]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


# --------------------------------------------------------------------------- scaling


def scaling_memory(
    n: int, m: int, *, seed: int = 0, content_bits: int = 3, variant: str = "original"
) -> CA3Memory:
    """A scaling workload: write every cue (7 ms apart), then read every cue back and present
    one single-bit fragment per cue (6 ms apart): ``3n`` operations."""
    rng = np.random.default_rng(seed)
    mem = CA3Memory(n, m, variant=variant)
    for cue in range(n):
        mem.learn(cue, rng.choice(m, size=min(content_bits, m), replace=False).tolist())
    for cue in range(n):
        mem.recall_cue(cue)
    for _ in range(n):
        mem.recall_content([int(rng.integers(m))])
    return mem


def scaling_point(
    n: int, m: int, *, backend: str = "numba", seed: int = 0, variant: str = "original"
) -> dict[str, Any]:
    """Size and speed of one (n, m) on :func:`scaling_memory`'s ``3n`` operations.

    The backend is warmed up first (a one-operation run, so that JIT compilation or cache
    loading is not counted); weights are not recorded.

    Returns
    -------
    dict
        ``n, m``; ``neurons`` (internal, ``3n + 4m + 1``); ``neurons_io`` (with IN and OUT);
        ``synapses`` (with IN and OUT, from the resolved connectors); ``operations``;
        ``simulated_ms``; ``wall_s`` (build + compile + run + decode, s); ``engine_s`` (the
        backend's stepping loop, when it reports ``timings.loop_s``); ``wall_ms_per_op`` and
        ``engine_ms_per_op``; ``correct`` (fraction of ideal answers).
    """
    from ...ir.record import RecordSpec

    warm = CA3Memory(n, m, variant=variant)
    warm.recall_cue(0)
    warm.run(backend=backend, record=RecordSpec(weights=False))
    mem = scaling_memory(n, m, seed=seed, variant=variant)
    started = time.perf_counter()
    result = mem.run(backend=backend, record=RecordSpec(weights=False))
    wall = time.perf_counter() - started
    engine = result.recording.meta.get("timings", {}).get("loop_s")
    ops = len(mem.operations)
    return {
        "n": n,
        "m": m,
        "neurons": mem.params.n_neurons,
        "neurons_io": result.network.n_neurons,
        "synapses": sum(ir.resolve(p).pre.size for p in result.network.projections),
        "operations": ops,
        "simulated_ms": mem.duration_ms,
        "wall_s": wall,
        "engine_s": engine,
        "wall_ms_per_op": 1000.0 * wall / ops,
        "engine_ms_per_op": None if engine is None else 1000.0 * engine / ops,
        "correct": result.n_correct / ops,
    }
