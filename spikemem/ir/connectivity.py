"""Turn connectors into explicit synapse arrays, and delays into whole steps.

This is the one shared, seeded function every backend uses, so all backends build the same
synapses in the same order.
"""

from __future__ import annotations

import warnings
import zlib
from dataclasses import dataclass

import numpy as np

from . import connectors as conn
from ._checks import readonly_float_array
from .errors import IRValidationError
from .memory import RESOLVED_BYTES_PER_SYNAPSE, available_bytes, expected_synapses
from .projection import Projection
from .sampling import bernoulli_pairs, distinct_pairs, distinct_per_row


@dataclass(frozen=True)
class Synapses:
    """Explicit synapses of one projection.

    Attributes
    ----------
    pre, post : ndarray of int64
        Neuron indices **within the pre and post populations** (views already applied).
    weight : ndarray of float64
        Weights (nA; mV for ``IF_curr_delta`` targets), ``>= 0``.
    delay : ndarray of float64
        Delays (ms) before rounding to the grid.
    segment : ndarray of int64 or None
        Target dendritic segment of each synapse (``None`` unless the post cells are dendritic).
    """

    pre: np.ndarray
    post: np.ndarray
    weight: np.ndarray
    delay: np.ndarray
    segment: np.ndarray | None = None

    @property
    def size(self) -> int:
        """Number of synapses."""
        return int(self.pre.size)


def projection_seed(seed: int, name: str) -> np.random.SeedSequence:
    """Seed sequence for a named object, derived from the compile seed (stable across runs)."""
    return np.random.SeedSequence([int(seed) & (2**63 - 1), zlib.crc32(name.encode("utf-8"))])


def resolve(projection: Projection, seed: int = 0) -> Synapses:
    """Explicit synapses of ``projection``.

    Parameters
    ----------
    projection : Projection
        The projection.
    seed : int
        Compile seed; random connectors without their own seed derive theirs from it and the
        projection name.

    Returns
    -------
    Synapses
        Ordered by pre position, then post position (``FromList`` keeps its own order).
    """
    _check_fits(projection)
    local_pre, local_post = _positions(projection, seed)
    pre = projection.pre.indices[local_pre]
    post = projection.post.indices[local_post]
    count = pre.size
    owner = f"Projection {projection.name!r}"
    connector = projection.connector
    weight = _per_synapse(owner, "weight", projection.weight, count)
    delay = _per_synapse(owner, "delay", projection.delay, count)
    if isinstance(connector, conn.FromList):
        if connector.weight is not None:
            weight = connector.weight.astype(np.float64)
        if connector.delay is not None:
            delay = connector.delay.astype(np.float64)
    segment = None
    if projection.segment is not None:
        segment = _per_synapse(owner, "segment", projection.segment, count).astype(np.int64)
    return Synapses(pre=pre.astype(np.int64), post=post.astype(np.int64), weight=weight, delay=delay, segment=segment)


def _check_fits(projection: Projection) -> None:
    """Refuse, before drawing, a projection whose synapses would not fit in memory."""
    count = expected_synapses(projection.connector, projection.pre.size, projection.post.size)
    need, have = count * RESOLVED_BYTES_PER_SYNAPSE, available_bytes()
    if need > have:
        raise IRValidationError(
            f"Projection {projection.name!r}", "connector", projection.connector.kind,
            f"a connector whose synapses fit in the memory available: it makes {count:.4g} synapses "
            f"({need / 2**30:.3g} GiB resolved) and {have / 2**30:.3g} GiB are free; use fewer neurons or "
            "a sparser connector",
        )


def _per_synapse(owner: str, name: str, value: float | np.ndarray, count: int) -> np.ndarray:
    if isinstance(value, np.ndarray):
        if value.size != count:
            raise IRValidationError(owner, name, f"array of length {value.size}", f"a scalar or one value per synapse ({count})")
        return value.astype(np.float64)
    return np.full(count, float(value), dtype=np.float64)


def _positions(projection: Projection, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Positions (pre, post) in the pre and post selections, sorted by pre then post
    (``FromList`` keeps its own order). O(synapses) memory except for ``AllToAll``."""
    n_pre, n_post = projection.pre.size, projection.post.size
    connector = projection.connector
    if isinstance(connector, conn.OneToOne):
        k = np.arange(n_pre, dtype=np.int64)
        return k, k
    if isinstance(connector, conn.FromList):
        return connector.pre, connector.post
    if isinstance(connector, conn.AllToAll):
        pre = np.repeat(np.arange(n_pre, dtype=np.int64), n_post)
        post = np.tile(np.arange(n_post, dtype=np.int64), n_pre)
        if connector.allow_self_connections:
            return pre, post
        keep = pre != post
        return pre[keep], post[keep]
    rng = _connector_rng(connector, seed, projection.name)
    allow_self = bool(connector.allow_self_connections)
    if isinstance(connector, conn.FixedProbability):
        return bernoulli_pairs(rng, n_pre, n_post, connector.p, allow_self=allow_self)
    replace = bool(connector.with_replacement)
    if isinstance(connector, conn.FixedTotalNumber):
        return distinct_pairs(rng, n_pre, n_post, connector.n, allow_self=allow_self, with_replacement=replace)
    if isinstance(connector, conn.FixedNumberPost):
        post = distinct_per_row(rng, n_pre, connector.n, n_post, exclude_diagonal=not allow_self, with_replacement=replace)
        return np.repeat(np.arange(n_pre, dtype=np.int64), connector.n), post.ravel()
    if isinstance(connector, conn.FixedNumberPre):
        pre = distinct_per_row(rng, n_post, connector.n, n_pre, exclude_diagonal=not allow_self, with_replacement=replace)
        post = np.repeat(np.arange(n_post, dtype=np.int64), connector.n)
        order = np.lexsort((post, pre.ravel()))
        return pre.ravel()[order], post[order]
    raise IRValidationError(  # pragma: no cover - the Projection constructor rejects other types
        f"Projection {projection.name!r}", "connector", connector, "a known connector"
    )


def _connector_rng(connector: object, seed: int, name: str) -> np.random.Generator:
    own = getattr(connector, "seed", None)
    sequence = np.random.SeedSequence(own) if own is not None else projection_seed(seed, "connector:" + name)
    return np.random.Generator(np.random.PCG64(sequence))


def delay_steps(delay_ms: np.ndarray, dt: float, *, owner: str = "delays") -> np.ndarray:
    """Round delays to whole steps: nearest step, halves up, at least one step.

    Warns once (``RuntimeWarning``) with the largest rounding error when a delay is off the grid.

    Parameters
    ----------
    delay_ms : ndarray
        Delays (ms), 1-D, finite.
    dt : float
        Time step (ms), in [1e-4, 10].
    owner : str
        What the delays belong to, for the messages.

    Returns
    -------
    ndarray of int64
        Delays in steps, each ``>= 1``.
    """
    from .network import check_dt

    dt = check_dt(owner, dt)
    delay_ms = readonly_float_array(owner, "delay", delay_ms)
    if delay_ms.size and delay_ms.max() / dt >= 2**62:
        raise IRValidationError(owner, "delay", float(delay_ms.max()), f"delays < {dt * 2**62:.6g} ms")
    exact = delay_ms / dt
    steps = np.floor(exact + 0.5 + 1e-9).astype(np.int64)
    if steps.size and steps.min() < 1:
        raise IRValidationError(
            owner, "delay", float(np.min(delay_ms)), f"delays that round to at least one step (>= dt/2 = {dt / 2} ms)"
        )
    error = np.abs(steps - exact) * dt
    if error.size and error.max() > 1e-9 * max(1.0, float(np.max(delay_ms))):
        worst = int(np.argmax(error))
        warnings.warn(
            f"{owner}: delays are not multiples of dt = {dt} ms and were rounded to the nearest "
            f"step; largest rounding error {error[worst]:.6g} ms (delay {float(np.asarray(delay_ms)[worst]):.6g} ms)",
            RuntimeWarning,
            stacklevel=2,
        )
    return steps
