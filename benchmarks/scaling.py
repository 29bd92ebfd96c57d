#!/usr/bin/env python
"""Scaling benchmark: CUBA with fan-out 80 from 4 096 to 1 048 576 neurons.

For every size ``N`` (connection probability ``p = 80/N``, so every neuron has 80 synapses on
average) each configuration runs in its own process, so that peak memory (``ru_maxrss``) is the
configuration's own:

- ``numba-1``: spikemem's Numba backend, one thread;
- ``numba-all``: the same with every core (``threads=os.cpu_count()``); its spikes must equal
  ``numba-1``'s (the run is refused otherwise);
- ``brian2-resolved``: Brian2 ``cpp_standalone`` on the same synapses (spikemem's, passed as
  ``i``/``j`` arrays), one thread; its spikes must equal ``numba-1``'s;
- ``brian2-native``: Brian2 ``cpp_standalone`` drawing its own synapses (``connect(p=p)``),
  compared by mean rate only;
- ``brian2cuda-native``: spikemem's Brian2 backend on brian2cuda's ``cuda_standalone`` device with
  ``connectivity="native"`` (the GPU draws the synapses; needs an NVIDIA GPU, nvcc and
  brian2cuda), compared by mean rate only.

Reported per run: build (network description + connectivity), compile (lowering + code
generation or JIT), loop (the simulation loop alone), peak RSS, synapses, bytes per synapse
(peak RSS over synapses) and synaptic events per second of loop time; for Numba also the bytes
per synapse of its run table and its up-front memory estimate
(:func:`spikemem.backends.numba.memory.estimate_memory`, 30 Hz assumed for the recorded
spikes) beside the measured peak. Brian2 runs only up to ``--brian2-max`` neurons (default
65 536). Results go to ``benchmarks/results/scaling.json`` and ``scaling.png`` (log–log; the
figure is skipped where matplotlib is not installed).

Usage (repository root)::

    .venv/bin/python benchmarks/scaling.py                      # every size that fits
    .venv/bin/python benchmarks/scaling.py --sizes 4096 65536 --duration 1000
    .venv/bin/python benchmarks/scaling.py --skip brian2-native brian2-resolved
    .venv/bin/python benchmarks/scaling.py --sizes 262144 1048576 --configs numba-1 \
        --out benchmarks/results/scaling_large.json           # the large sizes, Numba only
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
SIZES = (4096, 16384, 65536, 262144, 1048576)
FAN_OUT = 80
CONFIGS = ("numba-1", "numba-all", "brian2-resolved", "brian2-native", "brian2cuda-native")


# -- workers (one process each) --------------------------------------------------------------
def _peak_rss_bytes() -> int:
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) * 1024


def _spike_digest(ids, steps) -> str:
    import hashlib

    import numpy as np

    order = np.lexsort((ids, steps))
    digest = hashlib.sha256(np.asarray(steps)[order].astype(np.int64).tobytes())
    digest.update(np.asarray(ids)[order].astype(np.int64).tobytes())
    return digest.hexdigest()[:16]


def work_numba(n: int, duration: float, threads: int, seed: int) -> dict:
    """Build, compile and run CUBA on the Numba backend with ``threads`` threads."""
    import numpy as np

    import spikemem
    from spikemem.ir import RecordSpec
    from spikemem.networks import cuba_network

    t0 = time.perf_counter()
    net = cuba_network(n=n, p=FAN_OUT / n, seed=seed)
    build_s = time.perf_counter() - t0
    t1 = time.perf_counter()
    runnable = spikemem.compile(
        net, backend="numba", seed=seed, threads=threads, record=RecordSpec(weights=False), progress=False
    )
    compile_s = time.perf_counter() - t1
    from spikemem.backends.numba.memory import estimate_memory

    estimate = estimate_memory(net, duration=duration, record=runnable.record)
    rec = runnable.run(duration=duration)
    timings = rec.meta["timings"]
    offsets = {"exc": 0, "inh": net.populations[0].size}
    ids = np.concatenate([rec.spikes[k].ids + offsets[k] for k in ("exc", "inh")])
    steps = np.concatenate([rec.spikes[k].steps for k in ("exc", "inh")])
    synapses = int(runnable.layout.synapses.target.size)
    return {
        "build_s": build_s,
        "compile_s": compile_s + float(timings.get("jit_s", 0.0)) + float(timings.get("setup_s", 0.0)),
        "lower_s": compile_s,
        "jit_s": float(timings.get("jit_s", 0.0)),
        "setup_s": float(timings.get("setup_s", 0.0)),
        "loop_s": float(timings["loop_s"]),
        "table_bytes_per_synapse": float(rec.meta["bytes_per_synapse"]),
        "estimate_bytes": int(estimate.total()),
        "synapses": synapses,
        "spikes": int(ids.size),
        "digest": _spike_digest(ids, steps),
        "events": int(ids.size) * FAN_OUT,
        "peak_rss": _peak_rss_bytes(),
    }


def work_brian2(n: int, duration: float, seed: int, native: bool) -> dict:
    """CUBA on Brian2 ``cpp_standalone``, one thread, resolved or native connectivity."""
    import numpy as np

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from cuba import Brian2Cuba, CubaFacts  # the matched model of benchmarks/cuba.py

    from spikemem.networks import cuba_network

    t0 = time.perf_counter()
    net = cuba_network(n=n, p=FAN_OUT / n, seed=seed)
    facts = CubaFacts(net, seed)
    build_s = time.perf_counter() - t0
    if native:
        facts.native_p = FAN_OUT / n
    t1 = time.perf_counter()
    # The matching of benchmarks/cuba.py: the IR's refractory steps + 1 (Brian2 counts the spike
    # step), and one step less of delay (Brian2 delivers a delay-0 spike in the next step).
    refractory_ms = (int(round(float(facts.cell.tau_refrac) / facts.dt)) + 1) * facts.dt
    delay_steps = int(round(facts.delay_ms / facts.dt)) - 1
    model = Brian2Cuba(facts, duration, refractory_ms=refractory_ms, delay_steps=delay_steps)
    compile_s = time.perf_counter() - t1
    try:
        out = model.run()
        synapses = int(sum(len(s) for s in model.synapses.values()))
        ids = np.asarray(model.monitor.i[:], dtype=np.int64)
        steps = np.round(np.asarray(model.monitor.t_[:]) * 1000.0 / facts.dt).astype(np.int64)
    finally:
        model.close()
    return {
        "build_s": build_s,
        "compile_s": compile_s,
        "loop_s": float(out["loop_s"]),
        "synapses": synapses or None,
        "spikes": int(ids.size),
        "digest": _spike_digest(ids, steps),
        "events": int(ids.size) * FAN_OUT,
        "peak_rss": _peak_rss_bytes(),
    }


def work_brian2cuda(n: int, duration: float, seed: int) -> dict:
    """CUBA through spikemem's Brian2 backend on ``cuda_standalone``, native connectivity."""
    import tempfile

    import numpy as np

    import spikemem
    from spikemem.backends.brian2.devices import cuda_preferences
    from spikemem.ir import RecordSpec
    from spikemem.networks import cuba_network

    t0 = time.perf_counter()
    net = cuba_network(n=n, p=FAN_OUT / n, seed=seed)
    build_s = time.perf_counter() - t0
    with tempfile.TemporaryDirectory(prefix="spikemem-cuda-") as build_dir:
        t1 = time.perf_counter()
        runnable = spikemem.compile(
            net, backend="brian2", device="cuda_standalone", connectivity="native", seed=seed,
            record=RecordSpec(weights=False), prefs=cuda_preferences(), build_dir=build_dir, progress=False,
        )
        rec = runnable.run(duration=duration)
        first_run_s = time.perf_counter() - t1
    timings = rec.meta["timings"]
    offsets = {"exc": 0, "inh": net.populations[0].size}
    ids = np.concatenate([rec.spikes[k].ids + offsets[k] for k in ("exc", "inh")])
    steps = np.concatenate([rec.spikes[k].steps for k in ("exc", "inh")])
    native = rec.meta.get("native_synapses") or {}
    return {
        "build_s": build_s,
        "compile_s": first_run_s - float(timings["loop_s"]),  # code generation, nvcc, set-up
        "loop_s": float(timings["loop_s"]),
        "codegen_s": float(timings.get("build_s", 0.0)),
        "nvcc_s": float(timings.get("compile_s", 0.0)),
        "synapses": int(sum(native.values())) or None,
        "spikes": int(ids.size),
        "digest": _spike_digest(ids, steps),
        "events": int(ids.size) * FAN_OUT,
        "peak_rss": _peak_rss_bytes(),
    }


# -- driver ----------------------------------------------------------------------------------
def run_one(config: str, n: int, duration: float, seed: int, timeout: float, all_threads: int) -> dict:
    """Run one configuration in a fresh process; return its measurements (or the failure)."""
    threads = 1 if config != "numba-all" else all_threads
    env = dict(os.environ, NUMBA_NUM_THREADS=str(threads), OMP_NUM_THREADS="1", PYTHONUNBUFFERED="1")
    command = [sys.executable, __file__, "--worker", config, "--n", str(n), "--duration", str(duration),
               "--seed", str(seed), "--threads", str(threads)]
    started = time.perf_counter()
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return {"config": config, "n": n, "error": f"timed out after {timeout:.0f} s"}
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        return {"config": config, "n": n, "error": " | ".join(tail) or f"exit {done.returncode}"}
    result = json.loads(lines[-1])
    result.update(config=config, n=n, threads=threads, process_s=time.perf_counter() - started)
    result["load_average_1min"] = os.getloadavg()[0]  # the machine's contention, at the end of the run
    if result.get("synapses"):
        result["bytes_per_synapse"] = result["peak_rss"] / result["synapses"]
    result["events_per_s"] = result["events"] / result["loop_s"] if result["loop_s"] > 0 else None
    result["rate_hz"] = result["spikes"] / n / (duration / 1000.0)  # mean over every neuron
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--duration", type=float, default=1000.0, help="simulated ms per run")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--skip", nargs="*", default=[], choices=CONFIGS)
    parser.add_argument("--configs", nargs="+", default=list(CONFIGS), choices=CONFIGS, help="what to run")
    parser.add_argument(
        "--brian2-max", type=int, default=65536, help="largest N run on Brian2 (its build is slow)"
    )
    parser.add_argument(
        "--all-threads", type=int, default=os.cpu_count() or 1, help="threads of numba-all (default: cores)"
    )
    parser.add_argument("--timeout", type=float, default=3600.0, help="seconds per run")
    parser.add_argument("--out", type=Path, default=RESULTS / "scaling.json")
    parser.add_argument("--worker", choices=CONFIGS, help=argparse.SUPPRESS)
    parser.add_argument("--n", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--threads", type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        if args.worker.startswith("numba"):
            result = work_numba(args.n, args.duration, args.threads, args.seed)
        elif args.worker == "brian2cuda-native":
            result = work_brian2cuda(args.n, args.duration, args.seed)
        else:
            result = work_brian2(args.n, args.duration, args.seed, native=args.worker == "brian2-native")
        print(json.dumps(result))
        return 0
    rows = []
    for n in args.sizes:
        for config in CONFIGS:
            if config in args.skip or config not in args.configs:
                continue
            if config.startswith("brian2") and n > args.brian2_max:
                continue
            row = run_one(config, n, args.duration, args.seed, args.timeout, args.all_threads)
            rows.append(row)
            print(_line(row), flush=True)
            _check_identical(rows)
            report = {"machine": _machine(), "duration_ms": args.duration, "fan_out": FAN_OUT, "rows": rows}
            _write(args.out, report)  # after every run: a stopped series keeps what it measured
    _plot(rows, args.out.with_suffix(".png"))
    return 0


def _line(row: dict) -> str:
    if "error" in row:
        return f"{row['config']:<16} N={row['n']:>8}  failed: {row['error']}"
    return (
        f"{row['config']:<16} N={row['n']:>8}  build {row['build_s']:7.2f} s  compile {row['compile_s']:7.2f} s  "
        f"loop {row['loop_s']:8.3f} s  peak {row['peak_rss'] / 2**30:6.2f} GiB  "
        f"{(row.get('bytes_per_synapse') or float('nan')):6.1f} B/syn  {row['events_per_s'] / 1e6:7.1f} M events/s"
    )


def _check_identical(rows: list[dict]) -> None:
    """Mark, per size, whether numba-all and brian2-resolved spikes equal numba-1's."""
    for n in {row["n"] for row in rows}:
        reference = next((r for r in rows if r["n"] == n and r["config"] == "numba-1" and "digest" in r), None)
        for row in rows:
            if row["n"] == n and reference and "digest" in row and not row["config"].endswith("native"):
                row["spikes_identical_to_numba_1"] = row["digest"] == reference["digest"]


def _machine() -> dict:
    return {"platform": platform.platform(), "python": platform.python_version(), "cpus": os.cpu_count()}


def _write(path: Path, report: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(path.suffix + ".tmp")
    temporary.write_text(json.dumps(report, indent=1) + "\n")
    os.replace(temporary, path)


def _plot(rows: list[dict], path: Path) -> None:
    try:
        import matplotlib
    except ImportError:
        print("matplotlib is not installed: no figure", flush=True)
        return

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(13, 4))
    for config in CONFIGS:
        done = sorted((r for r in rows if r["config"] == config and "error" not in r), key=lambda r: r["n"])
        if not done:
            continue
        ns = [r["n"] for r in done]
        axes[0].loglog(ns, [r["loop_s"] for r in done], "o-", label=config)
        axes[1].loglog(ns, [r["build_s"] + r["compile_s"] for r in done], "o-", label=config)
        axes[2].loglog(ns, [r["peak_rss"] / 2**30 for r in done], "o-", label=config)
    for ax, title in zip(axes, ("loop (s)", "build + compile (s)", "peak RSS (GiB)"), strict=True):
        ax.set_xlabel("neurons (fan-out 80)")
        ax.set_title(title)
        ax.grid(True, which="both", alpha=0.3)
    axes[0].legend()
    fig.tight_layout()
    temporary = path.with_name(path.stem + ".tmp.png")
    fig.savefig(temporary, dpi=120)
    os.replace(temporary, path)


if __name__ == "__main__":
    sys.exit(main())
