#!/usr/bin/env python
"""Every installed backend on the same CUBA network, through ``spikemem.compile``: loop times
side by side with the Numba reference engine, and their agreement with it.

Each backend variant (``numba``, ``brian2-cython``, ``brian2-cpp``, ``nest``, ``nengo`` …; see
``spikemem.verify.installed_variants``) is compiled once; then ``--repeats`` rounds run every
variant once each, in an order that rotates from round to round to cancel drift. Reported per
variant: the median loop time (``meta["timings"]["loop_s"]``: the simulation itself, without
building, compiling or assembling the Recording), its ratio to Numba's median
(``variant / numba``: > 1 means slower than Numba), and whether its spikes equal Numba's or,
if not, its mean rate relative to Numba's.

Usage (from the repository root)::

    .venv/bin/python benchmarks/backends.py                          # N=4000, 1 s, 3 rounds
    .venv/bin/python benchmarks/backends.py --only numba nengo nest --out results/backends.json

One thread per engine (``NUMBA_NUM_THREADS=1``, NEST ``threads=1``, Brian2 without OpenMP). On a
shared 2-core machine trust only ratios measured in the same call.
"""

from __future__ import annotations

import os

os.environ["NUMBA_NUM_THREADS"] = "1"  # before numba is imported
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import warnings  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from spikemem.atomicio import write_text_atomic  # noqa: E402
from spikemem.ir import RecordSpec  # noqa: E402
from spikemem.networks import cuba_network  # noqa: E402
from spikemem.verify import compare_spikes, hardware_reachable, installed_variants  # noqa: E402


def compile_variants(network, labels: list[str] | None, seed: int) -> dict:
    """Compile ``network`` once per installed variant (or those in ``labels``)."""
    compiled = {}
    for variant in installed_variants(standalone=True):
        if (labels and variant.label not in labels) or not hardware_reachable(variant):
            continue
        compiled[variant.label] = variant.compile(
            network, seed=seed, record=RecordSpec(weights=False), progress=False
        )
    missing = sorted(set(labels or ()) - set(compiled))
    if missing:
        raise SystemExit(f"not installed here: {', '.join(missing)}; installed: {', '.join(compiled)}")
    if "numba" not in compiled:
        raise SystemExit("the reference (numba) must be among the variants")
    return compiled


def run_rounds(compiled: dict, duration: float, repeats: int) -> tuple[dict, dict]:
    """One warm-up run each, then ``repeats`` rotated rounds; loop times (s) and last recordings."""
    labels = list(compiled)
    recordings = {label: compiled[label].run(duration) for label in labels}  # warm-up: JIT, builds
    loops: dict[str, list[float]] = {label: [] for label in labels}
    for k in range(repeats):
        order = labels[k % len(labels):] + labels[: k % len(labels)]
        for label in order:
            recordings[label] = compiled[label].run(duration)
            loops[label].append(float(recordings[label].meta["timings"]["loop_s"]))
    return loops, recordings


def report(loops: dict, recordings: dict, n: int, duration: float) -> list[dict]:
    """One row per variant: median loop, ratio to Numba, agreement with Numba."""
    reference = recordings["numba"]
    ref_loop = statistics.median(loops["numba"])
    ref_rate = reference.spike_count() / n / (duration / 1000.0)
    rows = []
    for label, times in loops.items():
        rec = recordings[label]
        agreement = compare_spikes(reference, rec)
        rate = rec.spike_count() / n / (duration / 1000.0)
        rows.append(
            {
                "variant": label,
                "loop_s_median": statistics.median(times),
                "loop_s": times,
                "ratio_to_numba": statistics.median(times) / ref_loop,
                "rate_hz": rate,
                "rate_vs_numba": rate / ref_rate,
                "spikes_identical": agreement.identical,
                "timings_last": rec.meta["timings"],
            }
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.ArgumentDefaultsHelpFormatter
    )
    parser.add_argument("--n", type=int, default=4000, help="number of neurons")
    parser.add_argument("--duration", type=float, default=1000.0, help="simulated time (ms)")
    parser.add_argument("--repeats", type=int, default=3, help="timed rounds")
    parser.add_argument("--seed", type=int, default=1, help="network and compile seed")
    parser.add_argument("--only", nargs="+", metavar="VARIANT", help="variants to run (numba always)")
    parser.add_argument("--out", help="write the rows as JSON to this file (atomically)")
    args = parser.parse_args(argv)
    if args.n < 10 or args.duration <= 0 or args.repeats < 1:
        parser.error("--n must be >= 10, --duration > 0 ms and --repeats >= 1")
    labels = sorted(set(args.only) | {"numba"}) if args.only else None
    network = cuba_network(n=args.n, seed=args.seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # NEST's one-step delay note, Nengo's rate estimates
        compiled = compile_variants(network, labels, args.seed)
        loops, recordings = run_rounds(compiled, args.duration, args.repeats)
    rows = report(loops, recordings, args.n, args.duration)
    load = os.getloadavg()[0]
    print(f"CUBA N={args.n}, {args.duration:g} ms, dt 0.1 ms, {args.repeats} rounds, load {load:.2f}")
    print(f"{'variant':<16}{'loop s (median)':>16}{'/ numba':>10}{'rate Hz':>10}{'vs numba':>10}  spikes")
    for row in rows:
        same = "identical" if row["spikes_identical"] else "differ"
        print(
            f"{row['variant']:<16}{row['loop_s_median']:>16.4f}{row['ratio_to_numba']:>10.2f}"
            f"{row['rate_hz']:>10.3f}{row['rate_vs_numba']:>10.4f}  {same}"
        )
    if args.out:
        payload = {"n": args.n, "duration_ms": args.duration, "repeats": args.repeats, "rows": rows}
        write_text_atomic(args.out, json.dumps(payload, indent=2, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
