#!/usr/bin/env python
"""Cost of sPyNNaker's fixed-point arithmetic: ``spinnaker-fixed`` against the float64
``spinnaker`` numerics on CUBA-4000 (Numba backend, one thread each).

Both numerics run the same IR network (``spikemem.networks.cuba_network``, dt = 0.1 ms); each
is compiled once and warmed up (JIT or cache load), then the timed runs alternate
float, fixed, float, fixed, … so that machine load affects both alike. Reported: the median
and minimum step-loop time (``meta["timings"]["loop_s"]``) of each, the ratios fixed / float
(issue 14's target: within 2×), spikes and synaptic events per second of loop (the two numerics do not give
the same spikes on this chaotic network, so the per-event cost is the fairer ratio), and the
host-side setup time of the fixed run.

Usage (repository root)::

    .venv/bin/python benchmarks/fixed_point.py --duration 1000 --repeats 3 \\
        --out benchmarks/results/fixed_point_cuba4000.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import spikemem  # noqa: E402
from spikemem.atomicio import write_text_atomic  # noqa: E402
from spikemem.ir import RecordSpec  # noqa: E402
from spikemem.networks import cuba_network  # noqa: E402

NUMERICS = ("spinnaker", "spinnaker-fixed")


def _one(runnable, duration: float) -> dict:
    rec = runnable.run(duration=duration)
    timings = rec.meta["timings"]
    spikes = int(sum(t.steps.size for t in rec.spikes.values()))
    return {
        "loop_s": float(timings["loop_s"]),
        "setup_s": float(timings.get("setup_s", 0.0)),
        "spikes": spikes,
    }


def measure(n: int, duration: float, repeats: int, seed: int) -> dict:
    """Compile CUBA-``n`` for both numerics, warm up, then time ``repeats`` interleaved runs."""
    net = cuba_network(n=n, seed=seed, numerics="spinnaker")
    record = RecordSpec(weights=False)
    runnables = {
        "spinnaker": spikemem.compile(net, seed=seed, threads=1, record=record, progress=False),
        "spinnaker-fixed": spikemem.compile(
            net, seed=seed, numerics="spinnaker-fixed", record=record, progress=False
        ),
    }
    n_synapses = int(runnables["spinnaker"].layout.synapses.target.size)
    for runnable in runnables.values():
        runnable.run(duration=10.0)  # JIT compile or cache load
    runs: dict[str, list[dict]] = {k: [] for k in NUMERICS}
    for index in range(repeats):
        for numerics in NUMERICS:
            row = _one(runnables[numerics], duration)
            runs[numerics].append(row)
            print(
                f"repeat {index} {numerics:>16}: loop {row['loop_s']:.3f} s  {row['spikes']} spikes",
                flush=True,
            )
    summary = {}
    for numerics, rows in runs.items():
        loop = statistics.median(r["loop_s"] for r in rows)
        spikes = rows[0]["spikes"]
        summary[numerics] = {
            "loop_s_median": loop,
            "loop_s_min": min(r["loop_s"] for r in rows),
            "loop_s": [r["loop_s"] for r in rows],
            "setup_s_median": statistics.median(r["setup_s"] for r in rows),
            "spikes": spikes,
            "rate_hz": spikes / n / (duration / 1000.0),
            "events_per_s": spikes * n_synapses / n / loop,
        }
    ratio = summary["spinnaker-fixed"]["loop_s_median"] / summary["spinnaker"]["loop_s_median"]
    ratio_min = summary["spinnaker-fixed"]["loop_s_min"] / summary["spinnaker"]["loop_s_min"]
    per_event = summary["spinnaker"]["events_per_s"] / summary["spinnaker-fixed"]["events_per_s"]
    return {
        "n": n,
        "synapses": n_synapses,
        "duration_ms": duration,
        "repeats": repeats,
        "numerics": summary,
        "loop_ratio_fixed_over_float": ratio,
        "loop_ratio_of_minima": ratio_min,
        "per_event_ratio_fixed_over_float": per_event,
        "within_2x": ratio <= 2.0,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=4000)
    parser.add_argument("--duration", type=float, default=1000.0, help="simulated ms per run")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=None, help="JSON file for the results")
    args = parser.parse_args(argv)
    result = measure(args.n, args.duration, args.repeats, args.seed)
    print(
        f"fixed / float loop time: {result['loop_ratio_fixed_over_float']:.2f}x median, "
        f"{result['loop_ratio_of_minima']:.2f}x of the minima "
        f"(per synaptic event {result['per_event_ratio_fixed_over_float']:.2f}x)"
    )
    if args.out is not None:
        report = {
            "machine": {
                "platform": platform.platform(),
                "python": platform.python_version(),
                "cpus": os.cpu_count(),
            },
            "numpy": np.__version__,
            "spikemem": spikemem.__version__,
            **result,
        }
        args.out.parent.mkdir(parents=True, exist_ok=True)
        write_text_atomic(args.out, json.dumps(report, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
