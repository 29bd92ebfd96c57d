"""Data and plots of Figs. 4A–7B of Ahmad & Hawkins (2016), v2.

Each figure has a ``figXX_data(**settings) -> FigureResult`` function (the numbers, as rows of a
table, plus the settings and notes) and a ``plot_figXX(result) -> matplotlib.figure.Figure``
function; :data:`FIGURES` lists them with the small settings that the notebooks and CI use and
the paper's full settings (``spikemem reproduce sdr-fig4a`` …). Figures are built with
:class:`matplotlib.figure.Figure` directly, so no pyplot state is touched.

Corrections to the original figures (see ``docs/sdr.md``):

- Fig. 5A: the dashed "dense" curve is labelled ``a = n/2`` (caption: 50%) in the paper but its
  data are ``a = n/4``; it is plotted here with its true label, next to a true ``a = n/2``.
- Fig. 5A: the original script drew the ``a = 128``, ``a = 256`` and dashed series one grid step
  (+200) to the right; here every series is plotted at its own ``n``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .. import tables
from .exact import log10_p_false_match, log10_p_false_negative, p_false_match, p_false_negative
from .montecarlo import (
    mc_false_match,
    mc_false_match_stratified,
    mc_false_negative,
    mc_false_negative_stratified,
)
from .union import (
    expected_union_size,
    p_union_false_match,
    p_union_false_match_exact,
    round_half_up,
    union_size_distribution,
)

Row = dict[str, Any]


@dataclass(frozen=True)
class FigureResult:
    """The data of one figure.

    Attributes
    ----------
    name : str
        Reproduction name (``"sdr-fig4a"`` …).
    title : str
        What the figure shows.
    rows : list of dict
        One dict per plotted point (a flat table; columns in :attr:`columns`).
    settings : dict
        The parameters used (trial counts, seeds, grids).
    notes : list of str
        Remarks, corrections and timings.
    """

    name: str
    title: str
    rows: list[Row]
    settings: dict[str, Any]
    notes: list[str] = field(default_factory=list)

    @property
    def columns(self) -> list[str]:
        """Column names, in first-seen order."""
        names: dict[str, None] = {}
        for row in self.rows:
            names.update(dict.fromkeys(row))
        return list(names)

    def column(self, name: str, **where: Any) -> np.ndarray:
        """Values of column ``name`` over the rows matching ``where`` (e.g. ``a=128``)."""
        return np.array([r[name] for r in self.rows if all(r.get(k) == v for k, v in where.items())])


def markdown_table(header: list[str], rows: list[list[Any]]) -> str:
    """A Markdown table; floats are shown with 4 significant digits (7 just below 1)."""

    def cell(value: Any) -> str:
        if isinstance(value, (float, np.floating)):
            value = float(value)
            if value == 0.0 or not math.isfinite(value):
                return repr(value)
            return f"{value:.7g}" if 0.999 < value < 1.0 else f"{value:.4g}"
        return str(value)

    return tables.markdown_table(header, ([cell(v) for v in row] for row in rows))


def _figure(title: str, xlabel: str, ylabel: str, size: tuple[float, float] = (6.4, 4.6)) -> tuple[Any, Any]:
    from matplotlib.figure import Figure

    figure = Figure(figsize=size, layout="constrained")
    ax = figure.add_subplot()
    ax.set_title(title, fontsize=10)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    return figure, ax


def _log_or_nan(x: float) -> float:
    return math.log10(x) if x > 0 else float("nan")


# ------------------------------------------------------------------------------------------------
# Values from Numenta's code data for the paper (htmresearch projects/sdr_paper, 2016), as
# transcribed from its data files; plotted as grey crosses for comparison.
PAPER_FIG4A_OBSERVED: dict[int, list[float]] = {
    64: [1.09318e-3, 5.74e-6, 1.1e-7],
    128: [0.292048, 7.37836e-3, 3.2014e-4, 2.585e-5, 2.95e-6, 5.9e-7, 1.3e-7, 1e-8, 1e-8],
    256: [
        0.997368,
        0.629267,
        0.121048,
        1.93688e-2,
        3.50879e-3,
        7.4956e-4,
        1.8659e-4,
        5.332e-5,
        1.65e-5,
        5.58e-6,
        2.23e-6,
        9.3e-7,
        3.2e-7,
        2.7e-7,
        7e-8,
        4e-8,
        2e-8,
    ],
}
"""Fig. 4A observed rates of the original run, for n = 300, 500, … (only nonzero counts)."""

PAPER_FIG4B_OBSERVED: dict[int, list[float]] = {
    8: [0.0] * 6
    + [1.7e-7, 3.6e-6, 8.02e-5, 7.358e-4, 4.6704e-3, 2.68579e-2, 8.94488e-2, 0.263911, 0.50879, 0.770817],
    12: [0.0] * 4
    + [
        1.7e-7,
        1.11e-5,
        3.1558e-4,
        2.7716e-3,
        1.98583e-2,
        7.16827e-2,
        0.190397,
        0.426699,
        0.664547,
        0.880767,
        0.970354,
        0.99638,
    ],
    16: [
        0.0,
        0.0,
        1e-8,
        2.02e-5,
        5.9479e-4,
        6.2736e-3,
        4.34683e-2,
        0.13914,
        0.351389,
        0.582524,
        0.787882,
        0.933878,
        0.983776,
        0.998305,
        0.999893,
        0.999999,
    ],
}
"""Fig. 4B observed rates of the original run at v-index 0…15."""


# -- Fig. 4A -------------------------------------------------------------------------------------
FIG4A_N = tuple(range(300, 4000, 200))
"""n = 300, 500, …, 3900 (the x-axis runs to 4000)."""


def _estimate_columns(est: Any, exact: float, log10_exact: float) -> Row:
    """The columns of one Monte Carlo row: the exact value, the direct estimate with its
    Clopper–Pearson interval, and empty (NaN) stratified-estimate columns to fill in later."""
    low, high = est.interval()
    return dict(
        p_exact=exact,
        log10_p_exact=log10_exact,
        hits=est.hits,
        trials=est.trials,
        rate=est.rate,
        ci_low=low,
        ci_high=high,
        seconds=est.seconds,
        rare_log10=float("nan"),
        rare_log10_low=float("nan"),
        rare_log10_high=float("nan"),
    )


def _rare_columns(rare: Any) -> Row:
    """The columns of a stratified (rare-event) estimate and its interval, in log10."""
    return {
        "rare_log10": rare.log10_value,
        "rare_log10_low": rare.log10_low,
        "rare_log10_high": rare.log10_high,
    }


def fig4a_data(
    *,
    comparisons: int = 10**6,
    per_trial: int = 500,
    refresh: int = 2000,
    seed: int = 42,
    a_values: tuple[int, ...] = (64, 128, 256),
    n_values: tuple[int, ...] = FIG4A_N,
    s: int = 24,
    theta: int = 12,
    rare_below: float = 1e-7,
    rare_trials: int = 1000,
) -> FigureResult:
    """Fig. 4A: simulated false-match rate against ``n``, with Eq. 4.

    Direct Monte Carlo (``comparisons`` per point, the paper's 10⁸ in the full run) for every
    point; where Eq. 4 is below ``rare_below`` the stratified estimator (``rare_trials`` per
    overlap) is added, reaching rates no direct count can.
    """
    rows: list[Row] = []
    start = time.perf_counter()
    for ia, a in enumerate(a_values):
        for i_n, n in enumerate(n_values):
            if a > n:
                continue
            est = mc_false_match(
                n,
                a,
                s,
                theta,
                comparisons=comparisons,
                per_trial=per_trial,
                refresh=refresh,
                seed=(seed, ia, i_n),
            )
            exact = float(p_false_match(n, a, s, theta))
            row: Row = dict(
                a=a,
                n=n,
                s=s,
                theta=theta,
                **_estimate_columns(est, exact, float(log10_p_false_match(n, a, s, theta))),
            )
            if exact < rare_below and rare_trials > 0:
                rare = mc_false_match_stratified(
                    n, a, s, theta, trials_per_overlap=rare_trials, seed=(seed, ia, i_n, 1)
                )
                row.update(_rare_columns(rare))
            rows.append(row)
    elapsed = time.perf_counter() - start
    comparisons_done = sum(r["trials"] for r in rows)
    mc_seconds = sum(r["seconds"] for r in rows)
    return FigureResult(
        "sdr-fig4a",
        "Fig. 4A: false positives against n (simulation vs Eq. 4)",
        rows,
        dict(comparisons=comparisons, per_trial=per_trial, refresh=refresh, seed=seed, s=s, theta=theta)
        | dict(
            a_values=list(a_values), n_values=list(n_values), rare_below=rare_below, rare_trials=rare_trials
        ),
        [
            f"{comparisons_done:.3g} comparisons in {mc_seconds:.2f} s of kernel time "
            f"({comparisons_done / max(mc_seconds, 1e-9):.3g} overlaps/s); total {elapsed:.2f} s.",
            "Direct points are plotted only where the count is > 0 (as in the paper).",
        ],
    )


def _plot_estimates(
    ax: Any, result: FigureResult, x: np.ndarray, color: str, name: str, *, stratified: bool, **select: Any
) -> None:
    """Monte Carlo estimates of the rows ``select``: direct simulation with its 95 % Clopper–Pearson
    interval (filled, only where it saw hits) and stratified rare-event estimates (open; labelled
    if ``stratified``)."""
    rate, hits = result.column("rate", **select), result.column("hits", **select)
    lo, hi = result.column("ci_low", **select), result.column("ci_high", **select)
    seen = hits > 0
    ax.errorbar(
        x[seen],
        rate[seen],
        yerr=[rate[seen] - lo[seen], hi[seen] - rate[seen]],
        fmt="o",
        color=color,
        ms=4,
        capsize=2,
        label=f"{name}, simulation",
    )
    rare = result.column("rare_log10", **select).astype(float)
    ok = np.isfinite(rare)
    if ok.any():
        ax.plot(
            x[ok],
            10.0 ** rare[ok],
            "o",
            mfc="none",
            color=color,
            ms=6,
            label=f"{name}, stratified MC" if stratified else None,
        )


def plot_fig4a(result: FigureResult, *, show_paper: bool = True) -> Any:
    """Plot Fig. 4A: Eq. 4 (lines), direct simulation (filled), stratified estimates (open)."""
    figure, ax = _figure(result.title, "number of cells n", "frequency of false positives")
    colors = dict(zip(result.settings["a_values"], ("C0", "C1", "C2", "C3", "C4"), strict=False))
    n_fine = np.arange(300, 4001, 20)
    for a, color in colors.items():
        ns = n_fine[n_fine >= a]
        ax.plot(
            ns,
            p_false_match(ns, a, result.settings["s"], result.settings["theta"]),
            color=color,
            lw=1.2,
            label=f"a = {a}, Eq. 4",
        )
        _plot_estimates(
            ax, result, result.column("n", a=a), color, f"a = {a}", stratified=a == max(colors), a=a
        )
        if show_paper and a in PAPER_FIG4A_OBSERVED:
            values = PAPER_FIG4A_OBSERVED[a]
            ax.plot(
                FIG4A_N[: len(values)],
                values,
                "x",
                color="0.45",
                ms=4,
                label="original run (code data)" if a == max(colors) else None,
            )
    ax.set_yscale("log")
    ax.set_xlim(0, 4000)
    ax.set_ylim(1e-18, 2.0)
    ax.legend(fontsize=7, ncol=2)
    return figure


# -- Fig. 4B -------------------------------------------------------------------------------------
def fig4b_noise_grid(a: int = 128) -> list[int]:
    """v = round(p a) for p = 0.05 … 0.80 (ties rounded up; the paper's grid has none)."""
    return [round_half_up(k * a / 20) for k in range(1, 17)]


def fig4b_data(
    *,
    trials: int = 10**5,
    seed: int = 42,
    a: int = 128,
    n: int = 6000,
    s: int = 30,
    thetas: tuple[int, ...] = (8, 12, 16),
    rare_below: float = 1e-6,
    rare_trials: int = 1000,
    literal: bool = False,
) -> FigureResult:
    """Fig. 4B: simulated false-negative rate against noise ``v/a``, with Eq. 6.

    One run per noise level counts all thresholds (``trials`` noisy presentations; the paper's
    caption says 10⁷). Where Eq. 6 is positive but below ``rare_below`` the stratified estimator
    is added. ``literal=True`` uses the full-space bitset procedure (slow).
    """
    rows: list[Row] = []
    start = time.perf_counter()
    for iv, v in enumerate(fig4b_noise_grid(a)):
        ests = mc_false_negative(a, s, list(thetas), v, trials=trials, seed=(seed, iv), n=n, literal=literal)
        for theta, est in zip(thetas, ests, strict=True):
            exact = float(p_false_negative(a, s, theta, v))
            row: Row = dict(
                theta=theta,
                v=v,
                noise=v / a,
                a=a,
                n=n,
                s=s,
                **_estimate_columns(est, exact, float(log10_p_false_negative(a, s, theta, v))),
            )
            if 0.0 < exact < rare_below and rare_trials > 0:
                rare = mc_false_negative_stratified(
                    a, s, theta, v, trials_per_overlap=rare_trials, seed=(seed, iv, theta)
                )
                row.update(_rare_columns(rare))
            rows.append(row)
    elapsed = time.perf_counter() - start
    return FigureResult(
        "sdr-fig4b",
        "Fig. 4B: false negatives against noise (simulation vs Eq. 6)",
        rows,
        dict(trials=trials, seed=seed, a=a, n=n, s=s, thetas=list(thetas), v_values=fig4b_noise_grid(a))
        | dict(rare_below=rare_below, rare_trials=rare_trials, literal=literal),
        [
            f"total {elapsed:.2f} s.",
            "Eq. 6 is exactly 0 for v <= s - theta (guaranteed tolerance); those points are not drawn.",
        ],
    )


def plot_fig4b(result: FigureResult, *, show_paper: bool = True) -> Any:
    """Plot Fig. 4B: Eq. 6 (lines), direct simulation (filled), stratified estimates (open)."""
    figure, ax = _figure(result.title, "noise v/a", "frequency of false negatives")
    a, s = result.settings["a"], result.settings["s"]
    v_fine = np.arange(0, int(0.82 * a) + 1)
    for color, theta in zip(("C0", "C1", "C2", "C3"), result.settings["thetas"], strict=False):
        p = p_false_negative(a, s, theta, v_fine)
        keep = p > 0
        ax.plot(v_fine[keep] / a, p[keep], color=color, lw=1.2, label=f"θ = {theta}, Eq. 6")
        noise = result.column("noise", theta=theta)
        _plot_estimates(ax, result, noise, color, f"θ = {theta}", stratified=True, theta=theta)
        if show_paper and theta in PAPER_FIG4B_OBSERVED:
            values = np.array(PAPER_FIG4B_OBSERVED[theta])
            v = np.array(fig4b_noise_grid(a))
            nz = values > 0
            ax.plot(
                v[nz] / a,
                values[nz],
                "x",
                color="0.45",
                ms=4,
                label="original run (code data)" if theta == result.settings["thetas"][-1] else None,
            )
    ax.set_yscale("log")
    ax.set_xlim(0, 0.85)
    ax.set_ylim(1e-22, 2.0)
    ax.legend(fontsize=7, ncol=2)
    return figure


# -- Fig. 5A -------------------------------------------------------------------------------------
FIG5A_N = tuple(range(300, 20000, 200))


def fig5a_data(*, s: int = 24, theta: int = 12, n_values: tuple[int, ...] = FIG5A_N) -> FigureResult:
    """Fig. 5A: Eq. 4 against ``n`` for ``a`` = 64, 128, 256, ``n/4`` (the paper's dashed curve)
    and a true ``n/2`` (not in the paper)."""
    n = np.asarray(n_values)
    series: list[tuple[str, np.ndarray]] = [
        ("a=64", np.full(n.shape, 64)),
        ("a=128", np.full(n.shape, 128)),
        ("a=256", np.full(n.shape, 256)),
        ("a=n/4", n // 4),
        ("a=n/2", n // 2),
    ]
    rows: list[Row] = []
    for label, a in series:
        logs = log10_p_false_match(n, a, s, theta)
        for ni, ai, lg in zip(n, a, logs, strict=True):
            rows.append(
                dict(
                    series=label, n=int(ni), a=int(ai), s=s, theta=theta, p=float(10.0**lg), log10_p=float(lg)
                )
            )
    return FigureResult(
        "sdr-fig5a",
        "Fig. 5A: false match against n (Eq. 4), s = 24, θ = 12",
        rows,
        dict(s=s, theta=theta, n_values=list(n_values)),
        [
            "The paper's dashed 'a = n/2' (caption: 50%) curve is really a = n/4 (code series 'a=0.25*N'); "
            "it is labelled a = n/4 here, and a true a = n/2 is added (dotted).",
            "The original script drew a = 128, a = 256 and the dashed series one grid step (+200) to the "
            "right; here every series is plotted at its own n.",
        ],
    )


def plot_fig5a(result: FigureResult) -> Any:
    """Plot Fig. 5A with the corrections described in :func:`fig5a_data`."""
    figure, ax = _figure(result.title, "number of cells n", "probability of false match")
    styles = {
        "a=64": dict(color="C0", ls="-", label="a = 64"),
        "a=128": dict(color="C1", ls="-", label="a = 128"),
        "a=256": dict(color="C2", ls="-", label="a = 256"),
        "a=n/4": dict(color="k", ls="--", label="a = n/4 (25%; the paper's dashed curve, labelled 'n/2')"),
        "a=n/2": dict(color="0.5", ls=":", label="a = n/2 (50%; true, not in the paper)"),
    }
    for label, style in styles.items():
        ax.plot(result.column("n", series=label), result.column("p", series=label), lw=1.3, **style)
    ax.set_yscale("log")
    ax.set_xlim(0, 20000)
    ax.set_ylim(1e-25, 2.0)
    ax.legend(fontsize=7)
    return figure


# -- Fig. 5B -------------------------------------------------------------------------------------
FIG5B_SERIES: tuple[tuple[int, int, bool], ...] = (
    (32, 2000, True),
    (32, 4000, True),
    (512, 16000, True),
    (4000, 16000, True),
    (256, 16000, False),
)
"""(a, n, plotted): the code also computes (256, 16 000), which the paper does not plot."""


def fig5b_data(*, s_values: tuple[int, ...] = tuple(range(2, 31, 2))) -> FigureResult:
    """Fig. 5B: Eq. 4 against ``s`` with ``theta = s/2``."""
    rows: list[Row] = []
    s = np.asarray(s_values)
    theta = s // 2
    for a, n, plotted in FIG5B_SERIES:
        logs = log10_p_false_match(n, a, s, theta)
        for si, ti, lg in zip(s, theta, logs, strict=True):
            rows.append(
                dict(
                    series=f"a={a} n={n}",
                    a=a,
                    n=n,
                    s=int(si),
                    theta=int(ti),
                    p=float(10.0**lg),
                    log10_p=float(lg),
                    sparsity=a / n,
                    plotted=plotted,
                )
            )
    return FigureResult(
        "sdr-fig5b",
        "Fig. 5B: false match against s (Eq. 4), θ = s/2",
        rows,
        dict(s_values=list(s_values)),
        ["(a, n) = (256, 16 000) is computed by the original code but not plotted (nor here)."],
    )


def plot_fig5b(result: FigureResult) -> Any:
    """Plot Fig. 5B (solid: sparse inputs; dashed: a/n = 25%)."""
    figure, ax = _figure(result.title, "number of synapses s", "probability of false match")
    for i, (a, n, plotted) in enumerate(FIG5B_SERIES):
        if not plotted:
            continue
        label = f"a={a} n={n}"
        dense = a / n >= 0.2
        ax.plot(
            result.column("s", series=label),
            result.column("p", series=label),
            color="k" if dense else f"C{i}",
            ls="--" if dense else "-",
            marker=".",
            lw=1.3,
            label=f"a = {a}, n = {n} ({100 * a / n:.1f}%)",
        )
    ax.set_yscale("log")
    ax.set_xlim(0, 31)
    ax.legend(fontsize=7)
    return figure


# -- Fig. 6 --------------------------------------------------------------------------------------
FIG6_N = tuple(range(10000, 200000, 20000))
FIG6_SPARSITY_PER_MILLE = (5, 10, 15, 20, 25, 30)
FIG6_S = tuple(range(20, 51, 5))
FIG6_THETA = tuple(range(3, 25))


def fig6_data() -> FigureResult:
    """Fig. 6: median of Eq. 4 over the 420-point grid, against ``theta``.

    Grid: ``n`` in range(10 000, 200 000, 20 000) (190 000 is the last value, although the caption
    says "to 200,000"), ``a = f n`` for ``f`` = 0.5%…3.0% (integers, no rounding needed),
    ``s`` = 20…50 step 5. Combinations with ``theta > s`` give 0. The median of 420 values is
    the mean of the two middle ones (``numpy.median``), also reported in log10.
    """
    n = np.array([n for n in FIG6_N for _ in FIG6_SPARSITY_PER_MILLE for _ in FIG6_S])
    a = np.array([n * f // 1000 for n in FIG6_N for f in FIG6_SPARSITY_PER_MILLE for _ in FIG6_S])
    s = np.array([s for _ in FIG6_N for _ in FIG6_SPARSITY_PER_MILLE for s in FIG6_S])
    theta = np.asarray(FIG6_THETA)[:, None]
    start = time.perf_counter()
    logs = log10_p_false_match(n[None, :], a[None, :], s[None, :], theta)
    seconds = time.perf_counter() - start
    values = 10.0**logs  # float; values below ~1e-308 become 0, far from the medians
    rows: list[Row] = []
    for i, t in enumerate(FIG6_THETA):
        ordered = np.sort(logs[i])
        middle = ordered[209:211]
        rows.append(
            dict(
                theta=t,
                median=float(np.median(values[i])),
                log10_median_of_logs=float(np.mean(middle)),
                q25=float(np.quantile(values[i], 0.25)),
                q75=float(np.quantile(values[i], 0.75)),
                zeros=int(np.sum(np.isinf(logs[i]))),
                grid_points=int(logs.shape[1]),
            )
        )
    return FigureResult(
        "sdr-fig6",
        "Fig. 6: median false-match probability against θ (Eq. 4, 420-point grid)",
        rows,
        dict(
            n_values=list(FIG6_N),
            sparsity=[f / 1000 for f in FIG6_SPARSITY_PER_MILLE],
            s_values=list(FIG6_S),
            thetas=list(FIG6_THETA),
        ),
        [
            f"{logs.size} exact evaluations in {seconds:.2f} s.",
            "The caption's 'n up to 200,000' grid ends at 190 000 (range(10000, 200000, 20000)).",
        ],
    )


def plot_fig6(result: FigureResult) -> Any:
    """Plot Fig. 6: the median, the interquartile range and the shaded '<= 1e-9' region."""
    figure, ax = _figure(result.title, "NMDA threshold θ", "median probability of false match")
    theta, median = result.column("theta"), result.column("median")
    ax.fill_between(
        theta,
        result.column("q25"),
        result.column("q75"),
        color="C0",
        alpha=0.15,
        lw=0,
        label="interquartile range (not in the paper)",
    )
    ax.plot(theta, median, "o-", color="C0", ms=3, label="median over the grid")
    ax.fill_between([9, 24], [1e-40, 1e-40], [1e-9, 1e-9], color="0.85", zorder=0, label="≤ 1e-9, θ ≥ 9")
    ax.set_yscale("log")
    ax.set_xlim(3, 24)
    ax.set_ylim(1e-40, 1.0)
    ax.legend(fontsize=7)
    return figure


# -- Fig. 7A -------------------------------------------------------------------------------------
def fig7a_data(*, n: int = 1000, s_values: tuple[int, ...] = (20, 25, 30), m_max: int = 19) -> FigureResult:
    """Fig. 7A: expected number of synapses ``E|X|`` after storing ``M`` patterns (Eq. 13).

    ``n = 1000`` comes from the original code (the caption does not give it). The standard
    deviation of ``|X|`` from the exact distribution is added (not in the paper).
    """
    rows: list[Row] = []
    for s in s_values:
        for m in range(1, m_max + 1):
            dist = union_size_distribution(n, s, m)
            k = np.arange(dist.size)
            mean = float(np.dot(k, dist))
            sd = math.sqrt(max(float(np.dot((k - mean) ** 2, dist)), 0.0))
            rows.append(
                dict(
                    n=n,
                    s=s,
                    M=m,
                    expected_size=float(expected_union_size(n, s, m)),
                    exact_mean=mean,
                    exact_sd=sd,
                )
            )
    return FigureResult(
        "sdr-fig7a",
        f"Fig. 7A: expected synapses per segment against M (Eq. 13), n = {n}",
        rows,
        dict(n=n, s_values=list(s_values), m_max=m_max),
        [
            "n = 1000 is taken from the original code; the caption does not state it.",
            "100–400 synapses per segment correspond to about 4–16 patterns (s = 30: 114.7 at M = 4, "
            "385.7 at M = 16).",
        ],
    )


def plot_fig7a(result: FigureResult) -> Any:
    """Plot Fig. 7A (lines: Eq. 13; band: ±1 s.d. of the exact distribution)."""
    figure, ax = _figure(result.title, "number of patterns M", "expected number of synapses")
    for i, s in enumerate(result.settings["s_values"]):
        m, e = result.column("M", s=s), result.column("expected_size", s=s)
        sd = result.column("exact_sd", s=s)
        ax.fill_between(m, e - sd, e + sd, color=f"C{i}", alpha=0.15, lw=0)
        ax.plot(m, e, "o-", color=f"C{i}", ms=3, label=f"s = {s}")
    ax.axhspan(100, 400, color="0.9", zorder=0, label="100–400 synapses")
    ax.set_xlim(0, 20)
    ax.legend(fontsize=7)
    return figure


# -- Fig. 7B -------------------------------------------------------------------------------------
CLIP = 1.0 - 1e-10


def fig7b_data(
    *,
    a: int = 200,
    s: int = 25,
    theta: int = 15,
    n_values: tuple[int, ...] = (1000, 10000, 20000),
    m_max: int = 19,
) -> FigureResult:
    """Fig. 7B: false match of a union segment against ``M`` (Eq. 4 at ``round(E|X|)``).

    Values are clipped to 1 once they reach ``1 - 1e-10`` (as the original). The average of
    Eq. 4 over the exact distribution of ``|X|`` is added (not in the paper).
    """
    rows: list[Row] = []
    m = np.arange(1, m_max + 1)
    for n in n_values:
        mean_field = p_union_false_match(n, a, s, theta, m)
        exact = p_union_false_match_exact(n, a, s, theta, m)
        for mi, pm, pe in zip(m, mean_field, exact, strict=True):
            size = float(expected_union_size(n, s, int(mi)))
            rows.append(
                dict(
                    n=n,
                    a=a,
                    s=s,
                    theta=theta,
                    M=int(mi),
                    expected_size=size,
                    rounded_size=round_half_up(size),
                    p_mean_field=1.0 if pm >= CLIP else float(pm),
                    p_exact_mixture=1.0 if pe >= CLIP else float(pe),
                )
            )
    return FigureResult(
        "sdr-fig7b",
        f"Fig. 7B: false match against M patterns per segment (a = {a}, s = {s}, θ = {theta})",
        rows,
        dict(a=a, s=s, theta=theta, n_values=list(n_values), m_max=m_max),
        ["Mean field rounds E|X| half up (Python 2 round, as the original code; the grid has no ties)."],
    )


def plot_fig7b(result: FigureResult) -> Any:
    """Plot Fig. 7B (lines: mean field as in the paper; dotted: exact mixture)."""
    figure, ax = _figure(result.title, "number of patterns M", "probability of false match")
    for i, n in enumerate(result.settings["n_values"]):
        m = result.column("M", n=n)
        ax.plot(m, result.column("p_mean_field", n=n), "o-", color=f"C{i}", ms=3, label=f"n = {n}")
        ax.plot(
            m,
            result.column("p_exact_mixture", n=n),
            ":",
            color=f"C{i}",
            lw=1.5,
            label="exact |X| distribution" if i == len(result.settings["n_values"]) - 1 else None,
        )
    ax.set_yscale("log")
    ax.set_xlim(0, 20)
    ax.legend(fontsize=7)
    return figure


# ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class FigureSpec:
    """How to compute and plot one figure, at CI size and at the paper's size."""

    data: Callable[..., FigureResult]
    plot: Callable[[FigureResult], Any]
    small: dict[str, Any]
    full: dict[str, Any]


FIGURES: dict[str, FigureSpec] = {
    "sdr-fig4a": FigureSpec(
        fig4a_data,
        plot_fig4a,
        dict(comparisons=10**6, rare_trials=500),
        dict(comparisons=10**8, rare_trials=20000),
    ),
    "sdr-fig4b": FigureSpec(
        fig4b_data, plot_fig4b, dict(trials=10**5, rare_trials=500), dict(trials=10**7, rare_trials=20000)
    ),
    "sdr-fig5a": FigureSpec(fig5a_data, plot_fig5a, {}, {}),
    "sdr-fig5b": FigureSpec(fig5b_data, plot_fig5b, {}, {}),
    "sdr-fig6": FigureSpec(fig6_data, plot_fig6, {}, {}),
    "sdr-fig7a": FigureSpec(fig7a_data, plot_fig7a, {}, {}),
    "sdr-fig7b": FigureSpec(fig7b_data, plot_fig7b, {}, {}),
}
"""Every figure by reproduction name: data function, plot function, small and full settings."""


__all__ = [
    "FIGURES",
    "FigureResult",
    "FigureSpec",
    "PAPER_FIG4A_OBSERVED",
    "PAPER_FIG4B_OBSERVED",
    "fig4a_data",
    "fig4b_data",
    "fig4b_noise_grid",
    "fig5a_data",
    "fig5b_data",
    "fig6_data",
    "fig7a_data",
    "fig7b_data",
    "markdown_table",
    "plot_fig4a",
    "plot_fig4b",
    "plot_fig5a",
    "plot_fig5b",
    "plot_fig6",
    "plot_fig7a",
    "plot_fig7b",
]
