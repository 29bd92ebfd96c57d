"""Random connectivity in O(synapses) time and memory (numpy only).

Every random connector is drawn on the host from one ``numpy.random.Generator`` (PCG64) seeded
per projection, so the same seed gives the same synapses on every backend and for any number of
threads. No function here allocates anything of size ``n_pre × n_post``.

- **Bernoulli grid** (:func:`bernoulli_pairs`, ``FixedProbability``): the connected pairs of the
  row-major ``n_pre × n_post`` grid are the successes of independent Bernoulli(p) trials, so the
  gaps between consecutive successes are independent Geometric(p) variables. Drawing the gaps
  and summing them gives the connected positions directly, already sorted by (pre, post), in
  chunks of at most :data:`CHUNK` pairs. Excluded self-connections (``i == j``) are dropped after
  the draw, which leaves every other pair an independent Bernoulli(p) trial.
- **k distinct of m, per row** (:func:`distinct_per_row`, ``FixedNumberPre``/``Post``): every
  row draws ``k`` values uniformly (with replacement); duplicates within a row are redrawn until
  none is left. Each step is symmetric under relabelling the candidates, so the resulting set is
  uniform over all k-subsets. A row that excludes its own index draws from ``m − 1`` values and
  shifts those at or above the excluded one up by one. Dense rows (``k > m/2``) take the ``k``
  candidates with the smallest uniform random keys instead, so redrawing never stalls.
- **n distinct pairs of the grid** (:func:`distinct_pairs`, ``FixedTotalNumber``): the same
  draw-and-redraw on flat grid positions, rejecting excluded self-connections; small or dense
  grids are enumerated and sampled without replacement.
"""

from __future__ import annotations

import numpy as np

__all__ = ["CHUNK", "bernoulli_pairs", "distinct_pairs", "distinct_per_row"]

CHUNK = 1 << 22
"""Most random numbers drawn at once (bounds the temporary memory of a draw)."""

DENSE_GRID = 1 << 22
"""Grids with at most this many pairs are enumerated by :func:`distinct_pairs`."""


def _split(flat: np.ndarray, n_post: int) -> tuple[np.ndarray, np.ndarray]:
    return flat // n_post, flat % n_post


def bernoulli_pairs(
    rng: np.random.Generator, n_pre: int, n_post: int, p: float, *, allow_self: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """Pairs ``(pre, post)`` each present independently with probability ``p``.

    Parameters
    ----------
    rng : numpy.random.Generator
        The projection's generator.
    n_pre, n_post : int
        Grid size.
    p : float
        Probability in [0, 1].
    allow_self : bool
        ``False`` drops the pairs with ``pre == post``.

    Returns
    -------
    pre, post : ndarray of int64
        Sorted by ``pre``, then ``post``.
    """
    total = n_pre * n_post
    if p <= 0.0 or total == 0:
        flat = np.zeros(0, np.int64)
    elif p >= 1.0:
        flat = np.arange(total, dtype=np.int64)
    else:
        flat = _geometric_positions(rng, total, p)
    pre, post = _split(flat, n_post)
    if not allow_self:
        keep = pre != post
        pre, post = pre[keep], post[keep]
    return pre, post


def _geometric_positions(rng: np.random.Generator, total: int, p: float) -> np.ndarray:
    """Positions in ``[0, total)`` of the successes of ``total`` Bernoulli(p) trials.

    A gap longer than the grid (numpy returns a wrapped, negative integer when the geometric
    variable overflows int64, as it can for tiny ``p``) is clipped to ``total + 1``, and a chunk
    is short enough that its running sum cannot overflow, so every draw ends.
    """
    expected = total * p
    chunk = int(min(CHUNK, max(1024.0, expected + 8.0 * np.sqrt(expected) + 16.0)))
    chunk = max(1, min(chunk, (2**62) // (total + 1)))
    parts, last = [], -1
    while True:
        gaps = rng.geometric(p, size=chunk)
        np.copyto(gaps, total + 1, where=(gaps < 1) | (gaps > total))
        positions = np.cumsum(gaps, dtype=np.int64)
        positions += last
        if positions[-1] >= total:
            parts.append(positions[: np.searchsorted(positions, total)])
            break
        parts.append(positions)
        last = int(positions[-1])
    return np.concatenate(parts)


def distinct_per_row(
    rng: np.random.Generator,
    rows: int,
    k: int,
    m: int,
    *,
    exclude_diagonal: bool = False,
    with_replacement: bool = False,
) -> np.ndarray:
    """For each of ``rows`` rows, ``k`` values drawn uniformly from ``range(m)``.

    Parameters
    ----------
    rng : numpy.random.Generator
        The projection's generator.
    rows, k, m : int
        Number of rows, values per row and candidates.
    exclude_diagonal : bool
        Row ``r`` never draws the value ``r`` (when ``r < m``).
    with_replacement : bool
        ``False``: the values of a row are distinct (needs ``k`` ≤ the row's candidates).

    Returns
    -------
    ndarray of int64, shape (rows, k)
        Each row sorted ascending.
    """
    out = np.empty((rows, k), dtype=np.int64)
    if rows == 0 or k == 0:
        return out
    step = max(1, CHUNK // k)
    for begin in range(0, rows, step):
        stop = min(rows, begin + step)
        row_ids = np.arange(begin, stop, dtype=np.int64)
        excluded = (row_ids < m) if exclude_diagonal else np.zeros(row_ids.size, dtype=bool)
        out[begin:stop] = _draw_rows(rng, row_ids, excluded, k, m, with_replacement)
    return out


def _draw_rows(
    rng: np.random.Generator, row_ids: np.ndarray, excluded: np.ndarray, k: int, m: int, with_replacement: bool
) -> np.ndarray:
    if not with_replacement and 2 * k > m:
        return _dense_rows(rng, row_ids, excluded, k, m)
    candidates = m - excluded.astype(np.int64)  # per row
    values = rng.integers(0, candidates[:, None], size=(row_ids.size, k), dtype=np.int64)
    values.sort(axis=1)
    while not with_replacement:
        repeated = np.zeros(values.shape, dtype=bool)
        repeated[:, 1:] = values[:, 1:] == values[:, :-1]
        if not repeated.any():
            break
        values[repeated] = rng.integers(0, candidates[np.nonzero(repeated)[0]], dtype=np.int64)
        values.sort(axis=1)
    values += excluded[:, None] & (values >= row_ids[:, None])
    values.sort(axis=1)
    return values


def _dense_rows(rng: np.random.Generator, row_ids: np.ndarray, excluded: np.ndarray, k: int, m: int) -> np.ndarray:
    """``k`` of ``m`` (``2k > m``) per row: the ``k`` candidates with the smallest uniform keys
    (a row's own index gets an infinite key when it is excluded)."""
    keys = rng.random((row_ids.size, m))
    rows = np.nonzero(excluded)[0]
    keys[rows, row_ids[rows]] = np.inf
    values = np.argsort(keys, axis=1, kind="stable")[:, :k]
    values.sort(axis=1)
    return values


def distinct_pairs(
    rng: np.random.Generator,
    n_pre: int,
    n_post: int,
    n: int,
    *,
    allow_self: bool = True,
    with_replacement: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """``n`` pairs drawn uniformly from the ``n_pre × n_post`` grid.

    Returns
    -------
    pre, post : ndarray of int64
        Sorted by ``pre``, then ``post``.
    """
    total = n_pre * n_post
    if n == 0 or total == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    if with_replacement:
        flat = _draw_valid(rng, n, total, n_post, allow_self)
    elif total <= DENSE_GRID or 2 * n > total:
        flat = np.arange(total, dtype=np.int64)
        if not allow_self:
            pre, post = _split(flat, n_post)
            flat = flat[pre != post]
        flat = rng.choice(flat, size=n, replace=False)
    else:
        flat = np.unique(_draw_valid(rng, n, total, n_post, allow_self))
        while flat.size < n:
            more = _draw_valid(rng, n - flat.size, total, n_post, allow_self)
            flat = np.unique(np.concatenate([flat, more]))
    flat = np.sort(flat)
    return _split(flat, n_post)


def _draw_valid(rng: np.random.Generator, n: int, total: int, n_post: int, allow_self: bool) -> np.ndarray:
    """``n`` flat positions drawn uniformly (with replacement) among the allowed pairs."""
    flat = rng.integers(0, total, size=n, dtype=np.int64)
    if allow_self:
        return flat
    while True:
        pre, post = _split(flat, n_post)
        bad = pre == post
        if not bad.any():
            return flat
        flat[bad] = rng.integers(0, total, size=int(bad.sum()), dtype=np.int64)
