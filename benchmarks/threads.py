#!/usr/bin/env python
"""Thread scaling of the Numba engine: CUBA, fan-out 80, the same compiled network run with
1, 2, 4, … threads in one process.

Every run must give the same spikes (the digest is compared; the script exits non-zero
otherwise). Reported per thread count: loop time, speed-up over one thread, synaptic events
per second. The network is built and compiled once per size (``threads`` only changes the
step loop), so the numbers isolate the loop.

Usage (repository root; ``NUMBA_NUM_THREADS`` caps the thread counts)::

    NUMBA_NUM_THREADS=16 .venv/bin/python benchmarks/threads.py --sizes 262144 1048576 \\
        --threads 1 2 4 8 16 --duration 1000 --out benchmarks/results/threads.json
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import spikemem  # noqa: E402
from spikemem.ir import RecordSpec  # noqa: E402
from spikemem.networks import cuba_network  # noqa: E402

FAN_OUT = 80


def digest(recording) -> str:
    """SHA-256 (16 hex digits) of every population's spike steps and ids."""
    h = hashlib.sha256()
    for name in sorted(recording.spikes):
        h.update(recording.spikes[name].steps.tobytes())
        h.update(recording.spikes[name].ids.tobytes())
    return h.hexdigest()[:16]


def scale(n: int, threads: list[int], duration: float, seed: int) -> list[dict]:
    """Build and compile CUBA with ``n`` neurons once; run it with each thread count."""
    t0 = time.perf_counter()
    net = cuba_network(n=n, p=FAN_OUT / n, seed=seed)
    runnable = spikemem.compile(
        net, seed=seed, threads=max(threads), record=RecordSpec(weights=False), progress=False
    )
    build_s = time.perf_counter() - t0
    rows = []
    for count in threads:
        runnable.threads = count
        rec = runnable.run(duration=duration)
        spikes = int(sum(t.steps.size for t in rec.spikes.values()))
        loop = float(rec.meta["timings"]["loop_s"])
        rows.append({
            "n": n, "requested": count, "threads": int(rec.meta["threads"]), "loop_s": loop,
            "jit_s": float(rec.meta["timings"]["jit_s"]), "spikes": spikes,
            "synapses": int(runnable.layout.synapses.target.size),
            "events_per_s": spikes * FAN_OUT / loop, "digest": digest(rec), "build_s": build_s,
        })
        base = rows[0]["loop_s"]
        rows[-1]["speedup"] = base / loop
        print(f"N={n:>8} threads {count:>2} (used {rows[-1]['threads']:>2}): loop {loop:8.3f} s  "
              f"speed-up {rows[-1]['speedup']:5.2f}  {rows[-1]['events_per_s'] / 1e6:7.1f} M events/s  "
              f"{rows[-1]['digest']}", flush=True)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[65536, 262144])
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--duration", type=float, default=1000.0, help="simulated ms per run")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=None, help="JSON file for the results")
    args = parser.parse_args(argv)
    rows = [row for n in args.sizes for row in scale(n, args.threads, args.duration, args.seed)]
    identical = all(len({r["digest"] for r in rows if r["n"] == n}) == 1 for n in args.sizes)
    print("spikes identical for every thread count:", identical)
    if args.out is not None:
        report = {
            "machine": {"platform": platform.platform(), "python": platform.python_version(),
                        "cpus": os.cpu_count(), "numba_num_threads": os.environ.get("NUMBA_NUM_THREADS")},
            "numpy": np.__version__, "duration_ms": args.duration, "fan_out": FAN_OUT,
            "identical": identical, "rows": rows,
        }
        args.out.parent.mkdir(parents=True, exist_ok=True)
        temporary = args.out.with_suffix(".tmp")
        temporary.write_text(json.dumps(report, indent=1) + "\n")
        os.replace(temporary, args.out)
    return 0 if identical else 1


if __name__ == "__main__":
    sys.exit(main())
