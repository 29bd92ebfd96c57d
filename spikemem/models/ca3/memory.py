"""Operations on the CA3 content-addressable memory: learn, recall by cue, recall by content.

A :class:`CA3Memory` collects operations with their start times, checks the timing rules of
the circuit, compiles them into a :class:`spikemem.ir.Schedule` (one phase per operation) and,
after a run, reads each operation's answer from the output layer at the authors' latencies::

    mem = CA3Memory(5, 10)
    mem.learn(0, {0, 1, 8, 9})        # at 0 ms
    mem.recall_cue(0)                 # at the earliest allowed time, 7 ms
    mem.recall_content({8})           # 13 ms
    result = mem.run()                # numba by default
    result.answers[1].content         # frozenset({0, 1, 8, 9})

Timing rules (the authors' documentation): the operation after a learn starts at
least :data:`LEARN_GAP_MS` later, the one after a recall at least :data:`RECALL_GAP_MS` later;
start times are whole milliseconds (the circuit is clocked at 1 ms). Violations raise
:class:`OperationTimingError`.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from ... import ir
from . import network as ca3

__all__ = [
    "LEARN_GAP_MS",
    "RECALL_GAP_MS",
    "REQUIRED_CAPABILITIES",
    "Answer",
    "CA3Memory",
    "Learn",
    "MemoryRun",
    "Operation",
    "OperationResult",
    "OperationTimingError",
    "RecallContent",
    "RecallCue",
    "check_backend",
    "check_timing",
    "decode_output",
    "ideal_answers",
    "weight_matrix",
]

LEARN_GAP_MS = 7
"""Minimum time (ms) from the start of a learn to the start of the next operation."""

RECALL_GAP_MS = 6
"""Minimum time (ms) from the start of a recall to the start of the next operation."""

LEARN_HOLD_STEPS = 3
"""A learn holds its input spikes for this many 1-ms steps (t0, t0+1, t0+2)."""

REQUIRED_CAPABILITIES = (
    "numerics:spinnaker",
    "plasticity:STDP",
    "schedule",
    "cell:IF_curr_exp",
    "cell:SpikeSourceArray",
)
"""What a backend must support to run the memory (values of :class:`~spikemem.backends.base.Capability`)."""


class OperationTimingError(ir.IRValidationError):
    """An operation starts too soon after the previous one, or not on the 1-ms grid."""


@dataclass(frozen=True)
class Answer:
    """What the output layer shows: a set of addresses (cues) and a set of content bits.

    Parameters
    ----------
    cues : frozenset of int
        Active cue outputs (``OUT[0:n]``), address indices.
    content : frozenset of int
        Active content outputs (``OUT[n:n+m]``), bit indices.
    """

    cues: frozenset = frozenset()
    content: frozenset = frozenset()

    def __str__(self) -> str:
        return f"cues {_fmt(self.cues)} / content {_fmt(self.content)}"


def _fmt(values: Iterable[int]) -> str:
    return "{" + ",".join(str(v) for v in sorted(values)) + "}"


def _check_index(owner: str, name: str, value: Any, size: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not 0 <= int(value) < size:
        raise ir.IRValidationError(owner, name, value, f"an integer in [0, {size - 1}]")
    return int(value)


def _check_bits(owner: str, name: str, bits: Any, size: int) -> frozenset:
    if isinstance(bits, (str, bytes)) or not isinstance(bits, Iterable):
        raise ir.IRValidationError(owner, name, bits, f"a non-empty set of integers in [0, {size - 1}]")
    values = [_check_index(owner, name, b, size) for b in bits]
    if not values:
        raise ir.IRValidationError(owner, name, "an empty set", f"at least one bit in [0, {size - 1}]")
    if len(set(values)) != len(values):
        raise ir.IRValidationError(owner, name, sorted(values), "distinct bits")
    return frozenset(values)


def _as_frozenset(values: Any) -> Any:
    """A frozenset of an iterable of bits (other values are left for the range checks)."""
    if isinstance(values, Iterable) and not isinstance(values, (str, bytes)):
        return frozenset(values)
    return values


# --------------------------------------------------------------------------- operations


@dataclass(frozen=True, kw_only=True)
class Operation:
    """Base of the three operations; ``at`` is the start time (ms, a whole number >= 0)."""

    kind: ClassVar[str] = ""
    min_gap_ms: ClassVar[int] = RECALL_GAP_MS
    latency_ms: ClassVar[int] = 6
    """Offset (ms) of the last output spike of the operation."""

    at: int

    def input_spikes(self, n: int) -> tuple[list[float], list[int]]:
        """IN spikes (times relative to ``at`` in ms, neuron ids) that start the operation."""
        raise NotImplementedError

    def expected(self, store: dict[int, frozenset]) -> Answer:
        """The ideal CAM answer given the stored memories ``store`` (cue -> content)."""
        raise NotImplementedError

    def apply(self, store: dict[int, frozenset]) -> None:
        """Update the ideal memory ``store`` (only learns change it)."""

    def decode(self, out: dict[int, Answer]) -> tuple[Answer, bool, dict[str, Answer]]:
        """Read the answer from ``out`` (offset in ms -> OUT at ``at + offset``).

        Returns
        -------
        tuple
            (the answer, whether any extra output must match it too, extra outputs by label).
        """
        raise NotImplementedError

    def label(self) -> str:
        """Short human-readable form, e.g. ``learn 3<-{1,4}``."""
        raise NotImplementedError


@dataclass(frozen=True, kw_only=True)
class Learn(Operation):
    """Store ``content`` under ``cue`` (overwriting what the cue held).

    Input: IN cue neuron and IN content neurons spike at ``at``, ``at+1``, ``at+2`` ms.
    Output: the stored memory is echoed at +5 and +7 ms; when overwriting, the old bits not in
    the new content also appear at +6 ms.
    """

    kind: ClassVar[str] = "learn"
    min_gap_ms: ClassVar[int] = LEARN_GAP_MS
    latency_ms: ClassVar[int] = 7

    cue: int = 0
    content: frozenset = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        object.__setattr__(self, "content", _as_frozenset(self.content))

    def input_spikes(self, n: int) -> tuple[list[float], list[int]]:
        ids = [self.cue] + [n + b for b in sorted(self.content)]
        return [float(s) for s in range(LEARN_HOLD_STEPS) for _ in ids], ids * LEARN_HOLD_STEPS

    def expected(self, store: dict[int, frozenset]) -> Answer:
        return Answer(frozenset({self.cue}), self.content)

    def apply(self, store: dict[int, frozenset]) -> None:
        store[self.cue] = self.content

    def decode(self, out: dict[int, Answer]) -> tuple[Answer, bool, dict[str, Answer]]:
        return out[5], True, {"echo+7": out[7], "overwrite+6": out[6]}

    def label(self) -> str:
        return f"learn {self.cue}<-{_fmt(self.content)}"


@dataclass(frozen=True, kw_only=True)
class RecallCue(Operation):
    """Read the content stored under ``cue``.

    Input: one IN cue spike at ``at``. Output: the cue at +5 ms, its content at +6 ms.
    """

    kind: ClassVar[str] = "recall_cue"

    cue: int = 0

    def input_spikes(self, n: int) -> tuple[list[float], list[int]]:
        return [0.0], [self.cue]

    def expected(self, store: dict[int, frozenset]) -> Answer:
        return Answer(frozenset({self.cue}), store.get(self.cue, frozenset()))

    def decode(self, out: dict[int, Answer]) -> tuple[Answer, bool, dict[str, Answer]]:
        return Answer(out[5].cues, out[6].content), False, {}

    def label(self) -> str:
        return f"recall cue {self.cue}"


@dataclass(frozen=True, kw_only=True)
class RecallContent(Operation):
    """Find the addresses whose content shares at least one bit with ``bits`` (OR match).

    Input: one spike on each IN content neuron of ``bits`` at ``at``. Output: the fragment is
    echoed at +5 ms, the matching addresses fire at +6 ms. It is not content completion.
    """

    kind: ClassVar[str] = "recall_content"

    bits: frozenset = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        object.__setattr__(self, "bits", _as_frozenset(self.bits))

    def input_spikes(self, n: int) -> tuple[list[float], list[int]]:
        return [0.0] * len(self.bits), [n + b for b in sorted(self.bits)]

    def expected(self, store: dict[int, frozenset]) -> Answer:
        return Answer(frozenset(c for c, content in store.items() if content & self.bits), self.bits)

    def decode(self, out: dict[int, Answer]) -> tuple[Answer, bool, dict[str, Answer]]:
        return Answer(out[6].cues, out[5].content), False, {}

    def label(self) -> str:
        return f"recall content {_fmt(self.bits)}"


def ideal_answers(operations: Sequence[Operation]) -> list[Answer]:
    """The ideal CAM answer of every operation, in order."""
    store: dict[int, frozenset] = {}
    answers = []
    for op in operations:
        answers.append(op.expected(store))
        op.apply(store)
    return answers


def check_timing(operations: Sequence[Operation]) -> None:
    """Check start times: whole ms, >= 0, and spaced by each operation's minimum gap.

    Raises
    ------
    OperationTimingError
        Naming the two operations, their times and the gap the first one needs.
    """
    for index, op in enumerate(operations):
        _check_start(index, op)
        if index:
            _check_gap(index - 1, operations[index - 1], index, op)


def _check_start(index: int, op: Operation) -> None:
    if isinstance(op.at, bool) or not isinstance(op.at, (int, np.integer)) or op.at < 0:
        raise OperationTimingError(
            f"operation {index} ({op.label()})",
            "at",
            op.at,
            "a whole number of ms >= 0 (the circuit is clocked at 1 ms)",
        )


def _check_gap(index_before: int, before: Operation, index: int, op: Operation) -> None:
    if op.at - before.at >= before.min_gap_ms:
        return
    raise OperationTimingError(
        f"operation {index} ({op.label()})",
        "start",
        f"{op.at} ms",
        f">= {before.at + before.min_gap_ms} ms: operation {index_before} ({before.label()}) starts at "
        f"{before.at} ms and a {before.kind} needs {before.min_gap_ms} ms before the next operation "
        f"(learn {LEARN_GAP_MS} ms, recall {RECALL_GAP_MS} ms)",
    )


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class OperationResult:
    """One operation's expected and obtained answers.

    Parameters
    ----------
    index : int
        Position in the program.
    operation : Operation
        The operation (``operation.at`` is its start, ms).
    expected : Answer
        The ideal CAM answer.
    obtained : Answer
        What the output layer showed at the operation's offsets.
    correct : bool
        ``obtained == expected`` (for a learn, the +7 ms echo must match too).
    extra : dict of str to Answer
        Other outputs: a learn's ``"echo+7"`` and ``"overwrite+6"`` (old bits it forgets).
    """

    index: int
    operation: Operation
    expected: Answer
    obtained: Answer
    correct: bool
    extra: dict = field(default_factory=dict)

    def row(self) -> dict[str, Any]:
        """A flat table row (strings and numbers)."""
        op = self.operation
        return {
            "index": self.index,
            "t_ms": op.at,
            "operation": op.label(),
            "expected_cues": _fmt(self.expected.cues),
            "expected_content": _fmt(self.expected.content),
            "obtained_cues": _fmt(self.obtained.cues),
            "obtained_content": _fmt(self.obtained.content),
            "correct": self.correct,
        }


@dataclass(frozen=True)
class MemoryRun:
    """The outcome of :meth:`CA3Memory.run`.

    Parameters
    ----------
    results : tuple of OperationResult
        One per operation, in order.
    recording : spikemem.results.Recording
        Spikes of every population (times in ms), weights of #10/#11 at the end of every phase.
    network : spikemem.ir.Network
        The network that ran.
    schedule : spikemem.ir.Schedule
        The compiled program.
    backend : str
        Backend name.
    wall_s : float
        Wall time of compile + run (s).
    """

    results: tuple
    recording: Any
    network: ir.Network
    schedule: ir.Schedule
    backend: str
    wall_s: float

    @property
    def answers(self) -> list[Answer]:
        """The obtained answer of every operation."""
        return [r.obtained for r in self.results]

    @property
    def n_correct(self) -> int:
        """Number of operations with the ideal answer."""
        return sum(r.correct for r in self.results)

    @property
    def all_correct(self) -> bool:
        """Whether every operation gave the ideal answer."""
        return self.n_correct == len(self.results)

    def table(self) -> list[dict[str, Any]]:
        """One row per operation (see :meth:`OperationResult.row`)."""
        return [r.row() for r in self.results]

    def weights(self, phase: str, projection: str) -> np.ndarray:
        """Weights (nA) of a plastic projection at the end of ``phase``, as a (pre, post) matrix."""
        return weight_matrix(self.network, projection, self.recording.weights[phase][projection])


def weight_matrix(network: ir.Network, projection: str, weights: np.ndarray) -> np.ndarray:
    """Arrange a projection's weights (synapse order) as a dense (pre size, post size) matrix."""
    proj = network.projection(projection)
    synapses = ir.resolve(proj)
    matrix = np.zeros((proj.pre.population.size, proj.post.population.size))
    matrix[synapses.pre, synapses.post] = weights
    return matrix


def decode_output(recording: Any, n: int, start_ms: int, offsets: Iterable[int]) -> dict[int, Answer]:
    """OUT at ``start_ms + offset`` for every offset, split into cue and content parts."""
    out = recording.spikes["OUT"]
    dt = recording.dt
    answers = {}
    for offset in offsets:
        step = int(round((start_ms + offset) / dt))
        ids = out.between(step, step + 1).ids
        answers[offset] = Answer(
            frozenset(int(i) for i in ids if i < n), frozenset(int(i) - n for i in ids if i >= n)
        )
    return answers


# --------------------------------------------------------------------------- the memory


class CA3Memory:
    """A CA3 memory and a program of operations on it.

    Parameters
    ----------
    n : int
        Number of cues (addresses).
    m : int
        Number of content bits.
    variant : {"original", "improved"}
        Parameter variant (see :class:`spikemem.models.ca3.Params`).
    params : Params, optional
        Full parameters; when given, ``n``, ``m`` and ``variant`` must be left out or agree.
    tail_ms : int
        Time simulated after the start of the last operation (ms), >= its latency + 1.

    Examples
    --------
    >>> mem = CA3Memory(5, 10)
    >>> _ = mem.learn(0, {0, 1, 8, 9}); _ = mem.recall_cue(0)
    >>> [str(a) for a in mem.run().answers]
    ['cues {0} / content {0,1,8,9}', 'cues {0} / content {0,1,8,9}']
    """

    def __init__(
        self,
        n: int | None = None,
        m: int | None = None,
        *,
        variant: str | None = None,
        params: ca3.Params | None = None,
        tail_ms: int = 10,
    ) -> None:
        self.params = _resolve_params(n, m, variant, params)
        if (
            isinstance(tail_ms, bool)
            or not isinstance(tail_ms, (int, np.integer))
            or not 8 <= tail_ms <= 10**6
        ):
            raise ir.IRValidationError("CA3Memory", "tail_ms", tail_ms, "a whole number of ms in [8, 1e6]")
        self.tail_ms = int(tail_ms)
        self._operations: list[Operation] = []

    # ------------------------------------------------------------------ properties

    @property
    def n(self) -> int:
        """Number of cues."""
        return self.params.n

    @property
    def m(self) -> int:
        """Number of content bits."""
        return self.params.m

    @property
    def operations(self) -> tuple[Operation, ...]:
        """The program, in time order."""
        return tuple(self._operations)

    @property
    def next_free_ms(self) -> int:
        """Earliest start (ms) the next operation may have."""
        if not self._operations:
            return 0
        last = self._operations[-1]
        return last.at + last.min_gap_ms

    @property
    def duration_ms(self) -> int:
        """Length of the program (ms): the last start plus ``tail_ms``."""
        return self._operations[-1].at + self.tail_ms if self._operations else 0

    # ------------------------------------------------------------------ building the program

    def learn(self, cue: int, content: Iterable[int], *, at: int | None = None) -> Learn:
        """Store ``content`` (content bit indices) under ``cue``; start at ``at`` ms (default: earliest)."""
        cue = _check_index("learn", "cue", cue, self.n)
        bits = _check_bits("learn", "content", content, self.m)
        return self.add(Learn(at=self._start(at), cue=cue, content=bits))

    def recall_cue(self, cue: int, *, at: int | None = None) -> RecallCue:
        """Read the content stored under ``cue``; start at ``at`` ms (default: earliest)."""
        cue = _check_index("recall_cue", "cue", cue, self.n)
        return self.add(RecallCue(at=self._start(at), cue=cue))

    def recall_content(self, bits: Iterable[int], *, at: int | None = None) -> RecallContent:
        """Find the addresses whose content shares a bit with ``bits``; start at ``at`` ms."""
        fragment = _check_bits("recall_content", "bits", bits, self.m)
        return self.add(RecallContent(at=self._start(at), bits=fragment))

    def add(self, operation: Operation) -> Operation:
        """Append an operation built elsewhere, checking its indices and timing."""
        if not isinstance(operation, (Learn, RecallCue, RecallContent)):
            raise ir.IRValidationError(
                "CA3Memory.add", "operation", operation, "a Learn, RecallCue or RecallContent"
            )
        _check_operation(operation, self.n, self.m)
        index = len(self._operations)
        _check_start(index, operation)
        if self._operations:
            _check_gap(index - 1, self._operations[-1], index, operation)
        self._operations.append(operation)
        return operation

    def extend(self, operations: Iterable[Operation]) -> None:
        """Append several operations (see :meth:`add`)."""
        for op in operations:
            self.add(op)

    def _start(self, at: int | None) -> int:
        if at is None:
            return self.next_free_ms
        if isinstance(at, float) and at.is_integer():
            at = int(at)
        return at  # checked by check_timing

    # ------------------------------------------------------------------ compiling and running

    def ideal_answers(self) -> list[Answer]:
        """The ideal CAM answer of every operation."""
        return ideal_answers(self._operations)

    def network(self) -> ir.Network:
        """The CA3 network (IN without spikes of its own: the schedule drives it)."""
        return ca3.build(self.params)

    def schedule(self) -> ir.Schedule:
        """The program as a schedule: an ``idle`` phase if the first operation starts after 0,
        then one phase ``opNN-<kind>`` per operation lasting until the next one starts (the
        last lasts ``tail_ms``). Reads are non-plastic when ``params.plastic_reads`` is False.
        """
        if not self._operations:
            raise ir.IRValidationError("CA3Memory", "operations", "none", "at least one operation")
        ops = self._operations
        check_timing(ops)
        phases = [ir.Phase(name="idle", duration=float(ops[0].at))] if ops[0].at > 0 else []
        for index, op in enumerate(ops):
            stop = ops[index + 1].at if index + 1 < len(ops) else op.at + self.tail_ms
            times, ids = op.input_spikes(self.n)
            read_only = not isinstance(op, Learn) and not self.params.plastic_reads
            phases.append(
                ir.Phase(
                    name=f"op{index:0{_width(len(ops))}d}-{op.kind}",
                    duration=float(stop - op.at),
                    stimuli=(ir.Stimulus(population="IN", times=times, ids=ids),),
                    plastic=() if read_only else None,
                )
            )
        return ir.Schedule(phases=tuple(phases))

    def run(
        self,
        backend: str = "numba",
        *,
        dt: float = ca3.DT_MS,
        seed: int = 0,
        record: Any = None,
        progress: bool | None = False,
    ) -> MemoryRun:
        """Compile the program, run it and decode every operation's answer.

        Parameters
        ----------
        backend : str
            Backend name; it must support the capabilities in :data:`REQUIRED_CAPABILITIES`.
        dt : float
            Time step (ms); only 1.0 is accepted (:func:`spikemem.models.ca3.check_dt`).
        seed : int
            Compile seed (the model is deterministic; recorded in the metadata).
        record : RecordSpec, optional
            What to record; default every population's spikes and the plastic weights at the
            end of every phase. OUT must be recorded.
        progress : bool or None
            Progress bar (see the backend).

        Returns
        -------
        MemoryRun

        Raises
        ------
        IRValidationError
            For another ``dt`` or an empty program; :class:`OperationTimingError` for bad timing.
        UnsupportedFeature
            When ``backend`` lacks a capability the memory needs.
        """
        from ...backends import get_backend
        from ...ir.record import RecordSpec

        ca3.check_dt(dt)
        schedule = self.schedule()
        network = self.network()
        engine = get_backend(backend)
        check_backend(engine)
        record = RecordSpec() if record is None else record
        started = time.perf_counter()
        runnable = engine.compile(
            network, schedule, dt=ca3.DT_MS, seed=seed, record=record, progress=progress
        )
        recording = runnable.run()
        wall = time.perf_counter() - started
        results = self.decode(recording)
        return MemoryRun(
            results=tuple(results),
            recording=recording,
            network=network,
            schedule=schedule,
            backend=backend,
            wall_s=wall,
        )

    def decode(self, recording: Any) -> list[OperationResult]:
        """Expected vs. obtained answer of every operation, read from ``recording``'s OUT spikes."""
        results = []
        for index, (op, expected) in enumerate(zip(self._operations, self.ideal_answers(), strict=True)):
            out = decode_output(recording, self.n, op.at, range(5, op.latency_ms + 1))
            obtained, check_extra, extra = op.decode(out)
            correct = obtained == expected and (not check_extra or extra["echo+7"] == expected)
            results.append(
                OperationResult(
                    index=index,
                    operation=op,
                    expected=expected,
                    obtained=obtained,
                    correct=correct,
                    extra=extra,
                )
            )
        return results


def _width(count: int) -> int:
    return max(2, len(str(count - 1)))


def _resolve_params(n: Any, m: Any, variant: Any, params: ca3.Params | None) -> ca3.Params:
    if params is None:
        return ca3.Params(n=5 if n is None else n, m=10 if m is None else m, variant=variant or "original")
    if not isinstance(params, ca3.Params):
        raise ir.IRValidationError("CA3Memory", "params", type(params).__name__, "None or a ca3.Params")
    for name, value in (("n", n), ("m", m), ("variant", variant)):
        if value is not None and value != getattr(params, name):
            raise ir.IRValidationError(
                "CA3Memory", name, value, f"None or params.{name} = {getattr(params, name)!r}"
            )
    return params


def _check_operation(op: Operation, n: int, m: int) -> None:
    owner = type(op).__name__
    if isinstance(op, (Learn, RecallCue)):
        _check_index(owner, "cue", op.cue, n)
    if isinstance(op, Learn):
        _check_bits(owner, "content", op.content, m)
    if isinstance(op, RecallContent):
        _check_bits(owner, "bits", op.bits, m)


def check_backend(engine: Any) -> None:
    """Raise :class:`~spikemem.ir.UnsupportedFeature` if ``engine`` cannot run the memory."""
    from ...backends import available_backends

    have = {getattr(c, "value", c) for c in engine.capabilities}
    missing = [c for c in REQUIRED_CAPABILITIES if c not in have]
    if missing:
        able = tuple(
            name
            for name, other in available_backends().items()
            if not isinstance(other, Exception)
            and set(REQUIRED_CAPABILITIES) <= {getattr(c, "value", c) for c in other.capabilities}
        )
        raise ir.UnsupportedFeature("the CA3 memory (needs " + ", ".join(missing) + ")", engine.name, able)
