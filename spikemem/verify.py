"""Cross-backend agreement: run one network on every installed backend and compare each run
with the reference engine (Numba).

Two kinds of agreement, chosen per backend by its capabilities:

- **spike-exact** (backends declaring ``Capability.SPIKE_EXACT``): the same spikes, sampled
  state and weights as the reference, within the tolerances of :data:`TOLERANCES` (for the
  Brian2 CPU targets: bit for bit);
- **statistics** (every other backend, or over several seeds): per population, the mean rate
  over seeds within ``max(2 %, 3 SEM)``, the mean ISI coefficient of variation within 0.05 and
  the two-sample Kolmogorov–Smirnov statistic of the pooled ISIs below 0.1.

The tolerances live in one table, :data:`TOLERANCES`, keyed by ``(check, backend label)``; the
test suite (``tests/equivalence``) uses the same table and the same comparison functions.
"""

from __future__ import annotations

import math
import shutil
import subprocess
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .backends import available_backends, get_backend
from .backends.base import Capability
from .ir import Network, Schedule
from .ir.record import RecordSpec
from .tables import text_table

__all__ = [
    "REFERENCE",
    "TOLERANCES",
    "SpikeAgreement",
    "Sample",
    "StatisticsAgreement",
    "Variant",
    "VerifyReport",
    "VerifyRow",
    "compare_arrays",
    "compare_spikes",
    "compare_statistics",
    "format_report",
    "hardware_reachable",
    "installed_variants",
    "isi_statistics",
    "ks_statistic",
    "samples",
    "tolerance",
    "verify",
]

# --------------------------------------------------------------------------- tolerances

TOLERANCES: dict[tuple[str, str], dict[str, float]] = {
    # analytic oracles (exact numerics, float64)
    ("lif_trace", "*"): {"rtol": 1e-12},
    ("first_spike", "*"): {"steps": 0},
    ("delay", "*"): {"steps": 0},
    ("stdp_pair", "*"): {"rtol": 1e-12, "atol": 1e-12},
    # agreement with the reference on deterministic networks
    ("spikes", "*"): {"mismatches": 0},
    ("state", "*"): {"rtol": 0.0, "atol": 0.0},
    ("weights", "*"): {"rtol": 0.0, "atol": 0.0},
    # brian2cuda adds simultaneous inputs with atomics (any order) and uses CUDA's exp:
    # the last bits may differ, so spikes agree only where no threshold crossing is that close.
    ("state", "brian2-cuda"): {"rtol": 1e-9, "atol": 1e-9},
    ("weights", "brian2-cuda"): {"rtol": 1e-9, "atol": 1e-9},
    # statistics over seeds (recurrent, chaotic networks)
    ("rate", "*"): {"rel": 0.02, "sem": 3.0},
    ("cv", "*"): {"abs": 0.05},
    ("ks", "*"): {"max": 0.1},
}
"""Every tolerance of the equivalence checks, keyed by ``(check, backend label)``; ``"*"`` is
the default for backends without an entry of their own."""


def tolerance(check: str, label: str) -> dict[str, float]:
    """The tolerance of ``check`` for the backend variant ``label`` (see :data:`TOLERANCES`)."""
    return TOLERANCES.get((check, label), TOLERANCES[(check, "*")])


# --------------------------------------------------------------------------- backend variants


@dataclass(frozen=True)
class Variant:
    """One way to run a backend: its name plus compile options (e.g. a Brian2 device).

    Attributes
    ----------
    label : str
        Name used in reports and in :data:`TOLERANCES` (``"numba"``, ``"brian2-cython"``,
        ``"brian2-cpp"``, ...).
    backend : str
        Registered backend name.
    options : tuple of (str, value)
        Extra compile options.
    """

    label: str
    backend: str
    options: tuple = ()

    @property
    def capabilities(self) -> frozenset:
        """The backend's declared capabilities."""
        return get_backend(self.backend).capabilities

    def supports(self, *capabilities: Capability) -> bool:
        """Whether the backend declares every capability given."""
        return set(capabilities) <= set(self.capabilities)

    def compile(self, network: Network, schedule: Schedule | None = None, **options: Any) -> Any:
        """Compile ``network`` with this variant's options (``options`` add to or override them)."""
        return get_backend(self.backend).compile(network, schedule, **{**dict(self.options), **options})

    def run(
        self,
        network: Network,
        schedule: Schedule | None = None,
        duration: float | None = None,
        **options: Any,
    ) -> Any:
        """Compile and run; close the compiled network afterwards (standalone build folders)."""
        runnable = self.compile(network, schedule, **options)
        try:
            return runnable.run() if schedule is not None else runnable.run(duration)
        finally:
            close = getattr(runnable, "close", None)
            if close is not None:
                close()


REFERENCE = Variant("numba", "numba")
"""The reference engine."""


def hardware_reachable(variant: Variant) -> bool:
    """Whether ``variant`` can return spikes here: always for simulators; for hardware backends
    (SpiNNaker) only when a real machine is configured (``$SPIKEMEM_SPINNAKER`` or
    ``~/.spynnaker.cfg``) — a virtual board maps a network but runs nothing."""
    if Capability.HARDWARE not in variant.capabilities:
        return True
    from .backends.spinnaker import hardware_configured

    return hardware_configured()


def _gpu_present() -> bool:
    if shutil.which("nvidia-smi") is None:
        return False
    try:
        return subprocess.run(["nvidia-smi", "-L"], capture_output=True, timeout=20).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


def installed_variants(
    *, numpy_target: bool = False, standalone: bool = True, cuda: bool | None = None
) -> list[Variant]:
    """Every installed backend, Brian2 expanded into its devices.

    Parameters
    ----------
    numpy_target : bool
        Also list Brian2's runtime device with the numpy target (``brian2-numpy``) besides the
        default runtime target (Cython when a compiler works: ``brian2-cython``).
    standalone : bool
        List Brian2's ``cpp_standalone`` device (``brian2-cpp``) when a C++ compiler works.
    cuda : bool or None
        List ``cuda_standalone`` (``brian2-cuda``); ``None``: when brian2cuda imports and
        ``nvidia-smi -L`` finds a GPU.
    """
    variants = []
    for name, backend in available_backends().items():
        if isinstance(backend, Exception):
            continue
        if name != "brian2":
            variants.append(Variant(name, name))
            continue
        from .backends.brian2 import devices

        compiler = devices.cython_available()
        if compiler:
            variants.append(Variant("brian2-cython", "brian2", (("device", "runtime"), ("target", "cython"))))
        if numpy_target or not compiler:
            variants.append(Variant("brian2-numpy", "brian2", (("device", "runtime"), ("target", "numpy"))))
        if standalone and compiler:
            variants.append(Variant("brian2-cpp", "brian2", (("device", "cpp_standalone"),)))
        if cuda is None:
            try:
                import brian2cuda  # noqa: F401

                cuda = _gpu_present()
            except Exception:  # noqa: BLE001 - brian2cuda missing or broken: no CUDA variant
                cuda = False
        if cuda:
            variants.append(Variant("brian2-cuda", "brian2", (("device", "cuda_standalone"),)))
    variants.sort(key=lambda v: v.label != REFERENCE.label)
    return variants


# --------------------------------------------------------------------------- comparisons


@dataclass
class SpikeAgreement:
    """Spike-by-spike comparison of two recordings.

    Attributes
    ----------
    populations : dict
        Per population: ``(reference spikes, candidate spikes, mismatches, first different step)``;
        ``mismatches`` counts (step, id) pairs present in only one of the two.
    """

    populations: dict[str, tuple[int, int, int, int | None]]

    @property
    def mismatches(self) -> int:
        """Total number of spikes present in only one recording."""
        return sum(v[2] for v in self.populations.values())

    @property
    def identical(self) -> bool:
        """True when every population has exactly the same spikes."""
        return self.mismatches == 0

    @property
    def first_difference_step(self) -> int | None:
        """Earliest step at which the recordings differ (``None`` when identical)."""
        steps = [v[3] for v in self.populations.values() if v[3] is not None]
        return min(steps) if steps else None


def compare_spikes(
    reference: Any, candidate: Any, populations: Iterable[str] | None = None
) -> SpikeAgreement:
    """Compare the spikes of two recordings (every population both recorded, or ``populations``)."""
    names = (
        list(populations)
        if populations is not None
        else [p for p in reference.spikes if p in candidate.spikes]
    )
    out = {}
    for name in names:
        a, b = reference.spikes[name], candidate.spikes[name]
        size = max(reference.populations[name], 1)
        ka = a.steps * size + a.ids
        kb = b.steps * size + b.ids
        only = np.setxor1d(ka, kb)
        first = int(only.min() // size) if only.size else None
        out[name] = (len(a), len(b), int(only.size), first)
    return SpikeAgreement(out)


def compare_arrays(
    reference: np.ndarray, candidate: np.ndarray, rtol: float, atol: float
) -> tuple[bool, float]:
    """``(agree, largest difference)``: ``|c - r| <= atol + rtol·|r|`` everywhere, same shape."""
    reference, candidate = np.asarray(reference, float), np.asarray(candidate, float)
    if reference.shape != candidate.shape:
        return False, math.inf
    if reference.size == 0:
        return True, 0.0
    diff = np.abs(candidate - reference)
    worst = float(np.nanmax(diff)) if diff.size else 0.0
    ok = bool(
        np.all(diff <= atol + rtol * np.abs(reference))
        and np.array_equal(np.isnan(reference), np.isnan(candidate))
    )
    return ok, worst


def isi_statistics(trains: Any, size: int) -> tuple[np.ndarray, float]:
    """Pooled inter-spike intervals (ms) of a population and its mean per-neuron ISI CV.

    The CV (standard deviation over mean of a neuron's ISIs, as ``elephant.statistics.cv``) is
    averaged over neurons with at least three spikes (NaN when there are none). Computed for
    all neurons at once with numpy: Elephant's per-train functions give the same numbers
    (``tests/equivalence/test_verify.py``) but take about 2 s per 1000 neurons.

    Parameters
    ----------
    trains : SpikeTrains
        The population's spikes.
    size : int
        Number of neurons.
    """
    order = np.lexsort((trains.steps, trains.ids))
    ids, times = trains.ids[order], trains.times_ms[order]
    same = ids[1:] == ids[:-1]
    isi = np.diff(times)[same]
    owner = ids[1:][same]
    counts = np.bincount(owner, minlength=size)
    sums = np.bincount(owner, weights=isi, minlength=size)
    squares = np.bincount(owner, weights=isi * isi, minlength=size)
    keep = counts >= 2
    if not np.any(keep):
        return isi, math.nan
    mean = sums[keep] / counts[keep]
    var = np.maximum(squares[keep] / counts[keep] - mean * mean, 0.0)
    return isi, float(np.mean(np.sqrt(var) / mean))


def ks_statistic(a: np.ndarray, b: np.ndarray) -> float:
    """Two-sample Kolmogorov–Smirnov statistic (:func:`scipy.stats.ks_2samp`); 1 when exactly
    one sample is empty, NaN when both are."""
    from scipy.stats import ks_2samp

    if len(a) == 0 or len(b) == 0:
        return math.nan if len(a) == len(b) else 1.0
    return float(ks_2samp(a, b, method="asymp").statistic)  # the statistic; no p-value wanted


@dataclass(frozen=True)
class Sample:
    """The spikes of one population in one run: one statistical sample (one seed)."""

    trains: Any
    size: int
    duration_ms: float

    @property
    def rate(self) -> float:
        """Mean firing rate (Hz)."""
        return len(self.trains) / self.size / (self.duration_ms / 1000.0)


def samples(recordings: Iterable[Any], population: str) -> list[Sample]:
    """One :class:`Sample` of ``population`` per recording."""
    return [
        Sample(rec.spikes[population], rec.populations[population], float(rec.duration_ms))
        for rec in recordings
    ]


@dataclass
class StatisticsAgreement:
    """Statistical comparison over several samples (seeds): reference vs candidate."""

    rate: tuple[float, float]
    rate_sem: float
    cv: tuple[float, float]
    ks: float
    samples: int
    problems: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        """True when every statistic is within its tolerance."""
        return not self.problems

    def summary(self) -> str:
        """One line: rates, CVs, KS statistic and the verdict."""
        spread = (
            f"SEM {self.rate_sem:.2g} over {self.samples} seeds"
            if self.samples > 1
            else "1 seed, no SEM: --seeds N for one"
        )
        text = (
            f"rate {self.rate[1]:.4g} vs {self.rate[0]:.4g} Hz ({spread}), "
            f"ISI CV {self.cv[1]:.3f} vs {self.cv[0]:.3f}, KS {self.ks:.3f}"
        )
        return text + ("" if self.passed else " -- " + "; ".join(self.problems))


def compare_statistics(
    references: Sequence[Sample], candidates: Sequence[Sample], label: str = "*"
) -> StatisticsAgreement:
    """Compare rates, ISI CVs and ISI distributions over several samples (seeds).

    Parameters
    ----------
    references, candidates : sequences of Sample
        One sample per seed from each engine (they need not pair up).
    label : str
        The candidate's variant label, for :func:`tolerance`.

    Notes
    -----
    Rate: the means over samples differ by at most ``max(rel·rate, sem·SEM)`` with
    ``SEM = sqrt(s_ref²/n_ref + s_can²/n_can)``. CV: the per-neuron ISI CV, averaged over
    neurons and samples, differs by at most ``abs``. KS: the two-sample statistic of the ISIs
    pooled over neurons and samples is below ``max``.
    """

    def collect(group: Sequence[Sample]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        rates, cvs, isis = [], [], []
        for sample in group:
            rates.append(sample.rate)
            isi, cv = isi_statistics(sample.trains, sample.size)
            cvs.append(cv)
            isis.append(isi)
        return np.array(rates), np.array(cvs), np.concatenate(isis) if isis else np.zeros(0)

    r_ref, cv_ref, isi_ref = collect(references)
    r_can, cv_can, isi_can = collect(candidates)
    sem = math.sqrt(
        (np.var(r_ref, ddof=1) / r_ref.size if r_ref.size > 1 else 0.0)
        + (np.var(r_can, ddof=1) / r_can.size if r_can.size > 1 else 0.0)
    )
    result = StatisticsAgreement(
        rate=(float(np.mean(r_ref)), float(np.mean(r_can))),
        rate_sem=sem,
        cv=(float(np.nanmean(cv_ref)), float(np.nanmean(cv_can))),
        ks=ks_statistic(isi_ref, isi_can),
        samples=int(min(r_ref.size, r_can.size)),
    )
    tol_rate, tol_cv, tol_ks = tolerance("rate", label), tolerance("cv", label), tolerance("ks", label)
    allowed = max(tol_rate["rel"] * abs(result.rate[0]), tol_rate["sem"] * sem)
    if not abs(result.rate[1] - result.rate[0]) <= allowed:
        result.problems.append(
            f"mean rate {result.rate[1]:.4g} Hz vs {result.rate[0]:.4g} Hz (allowed ±{allowed:.3g} Hz)"
        )
    if not abs(result.cv[1] - result.cv[0]) <= tol_cv["abs"]:
        result.problems.append(f"ISI CV {result.cv[1]:.4f} vs {result.cv[0]:.4f} (allowed ±{tol_cv['abs']})")
    if not result.ks < tol_ks["max"]:
        result.problems.append(f"ISI KS statistic {result.ks:.4f} (allowed < {tol_ks['max']})")
    return result


# --------------------------------------------------------------------------- verify


@dataclass
class VerifyRow:
    """The agreement of one backend variant with the reference."""

    label: str
    mode: str
    passed: bool
    details: list[str]
    timings: dict[str, float]
    error: str | None = None

    @property
    def skipped(self) -> bool:
        """True when the backend was not run (the reason is ``details[0]``)."""
        return self.mode == "skipped"


@dataclass
class VerifyReport:
    """What :func:`verify` found."""

    network: str
    duration_ms: float
    seeds: tuple[int, ...]
    rows: list[VerifyRow]
    recordings: dict[str, Any] = field(default_factory=dict)
    """The first seed's recording of every backend that ran, by label (for :func:`plot_report`)."""

    @property
    def passed(self) -> bool:
        """True when every backend agrees with the reference."""
        return all(row.passed for row in self.rows)


def _timings(recording: Any) -> dict[str, float]:
    t = recording.meta.get("timings", {})
    compile_s = t.get("compile_s", t.get("jit_s", math.nan))
    return {
        "build_s": float(t.get("build_s", math.nan)),
        "compile_s": float(compile_s),
        "loop_s": float(t.get("loop_s", math.nan)),
    }


def _exact_details(reference: Any, candidate: Any, label: str) -> tuple[bool, list[str]]:
    details, ok = [], True
    spikes = compare_spikes(reference, candidate)
    allowed = tolerance("spikes", label)["mismatches"]
    for name, (n_ref, n_can, bad, first) in spikes.populations.items():
        state = "identical" if bad == 0 else f"{bad} mismatches, first at step {first}"
        details.append(f"spikes {name}: {n_ref} vs {n_can}, {state}")
    ok &= spikes.mismatches <= allowed
    tol = tolerance("state", label)
    for name, trace in reference.state.items():
        for var, values in trace.values.items():
            other = candidate.state.get(name)
            agree, worst = compare_arrays(
                values, other.values[var] if other else np.zeros(0), tol["rtol"], tol["atol"]
            )
            ok &= agree
            details.append(
                f"state {name}.{var}: max |diff| {worst:.3g}" + ("" if agree else " (outside tolerance)")
            )
    tol = tolerance("weights", label)
    for phase, projections in reference.weights.items():
        for proj, values in projections.items():
            other = candidate.weights.get(phase, {}).get(proj, np.zeros(0))
            agree, worst = compare_arrays(values, other, tol["rtol"], tol["atol"])
            ok &= agree
            if not agree or phase == list(reference.weights)[-1]:
                details.append(
                    f"weights {phase}/{proj}: max |diff| {worst:.3g}"
                    + ("" if agree else " (outside tolerance)")
                )
    return bool(ok), details


def _statistics_details(references: list, candidates: list, label: str) -> tuple[bool, list[str]]:
    ok, details = True, []
    for name in candidates[0].spikes:
        if name not in references[0].spikes or not references[0].spike_count(name):
            continue
        agreement = compare_statistics(samples(references, name), samples(candidates, name), label)
        ok &= agreement.passed
        details.append(f"stats {name}: {agreement.summary()}")
    return ok, details


def verify(
    network: Network,
    schedule: Schedule | None = None,
    duration: float | None = None,
    *,
    seeds: Sequence[int] = (0,),
    variants: Sequence[Variant] | None = None,
    record: RecordSpec | None = None,
    statistics: bool | None = None,
    connectivity: str = "resolved",
    progress: Callable[[str], None] | None = None,
) -> VerifyReport:
    """Run ``network`` on every variant and compare each with the reference engine.

    Parameters
    ----------
    network, schedule, duration
        What to run (``duration`` in ms when there is no schedule).
    seeds : sequence of int
        Compile seeds. Spike-exact checks use the first; statistics use all of them.
    variants : sequence of Variant, optional
        Default :func:`installed_variants`.
    record : RecordSpec, optional
        What to record (default: every population's spikes, no state, weights).
    statistics : bool or None
        ``True``: compare every backend statistically, spike-exact ones included. Otherwise
        statistics are used for backends that are not spike-exact, and for spike-exact ones
        whose exact comparison failed when more than one seed is given.
    connectivity : {"resolved", "native"}
        ``"native"``: every backend other than the reference draws its random connectors itself
        (``connectivity="native"``) and is compared statistically; backends without
        ``Capability.NATIVE_CONNECTIVITY`` are skipped.
    progress : callable, optional
        Called with one line of text before and after each backend's runs (e.g. ``print``);
        Brian2's standalone devices build C++ or CUDA code first, which can take a minute.
    """
    if connectivity not in ("resolved", "native"):
        raise ValueError(f"verify: connectivity must be 'resolved' or 'native' (got {connectivity!r})")
    native = connectivity == "native"
    say = progress or (lambda line: None)
    clock = time.perf_counter
    variants = list(installed_variants() if variants is None else variants)
    record = record or RecordSpec()
    seeds = tuple(int(s) for s in seeds)
    say(f"{REFERENCE.label}: running {_seeds_text(seeds)} (the reference) ...")
    start = clock()
    ref_runs = [
        REFERENCE.run(network, schedule, duration, seed=s, record=record, progress=False) for s in seeds
    ]
    say(f"{REFERENCE.label}: done in {clock() - start:.1f} s")
    recordings = {REFERENCE.label: ref_runs[0]}
    rows = [
        VerifyRow(
            REFERENCE.label, "reference", True, [f"{ref_runs[0].spike_count()} spikes"], _timings(ref_runs[0])
        )
    ]
    numerics_cap = Capability.NUMERICS_EXACT if network.numerics == "exact" else Capability.NUMERICS_SPINNAKER
    for variant in variants:
        if variant.label == REFERENCE.label:
            continue
        try:
            if not hardware_reachable(variant):
                reason = "hardware backend and no machine configured (see spikemem doctor)"
                rows.append(VerifyRow(variant.label, "skipped", True, [reason], {}))
                say(f"{variant.label}: SKIP ({reason})")
                continue
            if not (variant.supports(numerics_cap) or variant.supports(Capability.NUMERICS_STATISTICAL)):
                rows.append(VerifyRow(variant.label, "skipped", True, [f"no {numerics_cap.value}"], {}))
                say(f"{variant.label}: SKIP (no {numerics_cap.value})")
                continue
            if native and not variant.supports(Capability.NATIVE_CONNECTIVITY):
                rows.append(VerifyRow(variant.label, "skipped", True, ["no native connectivity"], {}))
                say(f"{variant.label}: SKIP (no native connectivity)")
                continue
            exact = variant.supports(Capability.SPIKE_EXACT) and statistics is not True and not native
            options = {"record": record, "progress": False, **({"connectivity": "native"} if native else {})}
            build = _BUILDS.get(dict(variant.options).get("device", ""), "")
            say(f"{variant.label}: {build}running seed {seeds[0]} ...")
            start = clock()
            runs = [variant.run(network, schedule, duration, seed=seeds[0], **options)]
            recordings[variant.label] = runs[0]
            ok, details, mode = True, [], "spike-exact" if exact else "statistics"
            if exact:
                ok, details = _exact_details(ref_runs[0], runs[0], variant.label)
            if not exact or (not ok and statistics is None and len(seeds) > 1):
                if len(seeds) > 1:
                    say(f"{variant.label}: running {_seeds_text(seeds[1:])} for statistics ...")
                runs += [variant.run(network, schedule, duration, seed=s, **options) for s in seeds[1:]]
                stat_ok, stat_details = _statistics_details(ref_runs, runs, variant.label)
                details += stat_details
                if exact:
                    mode = "spike-exact failed; statistics " + ("agree" if stat_ok else "disagree")
                else:
                    ok = stat_ok
            rows.append(VerifyRow(variant.label, mode, bool(ok), details, _timings(runs[0])))
            say(f"{variant.label}: done in {clock() - start:.1f} s, {'PASS' if ok else 'FAIL'}")
        except Exception as error:  # noqa: BLE001 - one broken backend must not hide the others
            rows.append(
                VerifyRow(variant.label, "error", False, [], {}, error=f"{type(error).__name__}: {error}")
            )
            say(f"{variant.label}: error")
    length = ref_runs[0].duration_ms or 0.0
    return VerifyReport(
        network=network.name, duration_ms=float(length), seeds=seeds, rows=rows, recordings=recordings
    )


_BUILDS = {
    "cpp_standalone": "building C++ code (about a minute the first time), then ",
    "cuda_standalone": "building CUDA code (a minute or more), then ",
}


def _seeds_text(seeds: Sequence[int]) -> str:
    return f"seed {seeds[0]}" if len(seeds) == 1 else f"{len(seeds)} seeds ({', '.join(map(str, seeds))})"


def format_report(report: VerifyReport) -> str:
    """A plain-text agreement table: one row per backend, its details indented below it."""

    def seconds(row: VerifyRow, key: str) -> str:
        value = row.timings.get(key, math.nan)
        return "-" if math.isnan(value) else f"{value:.3g}"

    ran = [row for row in report.rows if not row.skipped]
    table = text_table(
        ["backend", "agreement", "build s", "compile s", "loop s"],
        (
            [row.label, ("PASS " if row.passed else "FAIL ") + row.mode]
            + [seconds(row, key) for key in ("build_s", "compile_s", "loop_s")]
            for row in ran
        ),
        align="llrrr",
    )
    lines = [
        f"network {report.network!r}, {report.duration_ms:g} ms, seeds {', '.join(map(str, report.seeds))}; "
        f"reference: {REFERENCE.label}",
        table[0],
    ]
    for row, line in zip(ran, table[1:], strict=True):
        lines.append(line)
        if row.error:
            lines.append(f"      error: {row.error}")
        lines += [f"      {d}" for d in row.details]
    pad = max(len(row.label) for row in [*report.rows, VerifyRow("backend", "", True, [], {})])
    lines += [f"  {row.label:<{pad}}  SKIP ({row.details[0]})" for row in report.rows if row.skipped]
    skipped = [row.label for row in report.rows if row.skipped]
    verdict = "all backends that ran agree" if skipped else "all backends agree"
    lines.append("agreement: " + (verdict if report.passed else "DISAGREEMENT"))
    if skipped:
        lines.append(f"skipped: {', '.join(skipped)}")
    return "\n".join(lines)
