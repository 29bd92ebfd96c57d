#!/usr/bin/env python
"""CUBA benchmark: spikemem's Numba backend against Brian2 ``cpp_standalone`` on the same network.

Both engines simulate the network built by :func:`spikemem.networks.cuba_network`: the same
synapses (taken from the IR with :func:`spikemem.ir.resolve` and passed to Brian2 as explicit
``i``/``j`` arrays), the same initial membrane potentials and a one-step synaptic delay. Each
runs single-threaded; the simulation loops run in interleaved pairs (the order alternates
A/B, B/A, ...) and the script reports JIT/compile times separately from loop times.

Usage (from the repository root)::

    .venv/bin/python benchmarks/cuba.py                    # N=4000, 10 s, 5 pairs
    .venv/bin/python benchmarks/cuba.py --n 16000 --duration 1000 --pairs 3 --out result.json
    .venv/bin/python benchmarks/cuba.py --skip-brian2      # Numba only

See ``benchmarks/README.md`` for the timing conventions and how the two models are matched.
"""

from __future__ import annotations

import os

# One thread each: must be set before numba (or anything importing it) is imported.
os.environ["NUMBA_NUM_THREADS"] = "1"
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import platform  # noqa: E402
import shutil  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from spikemem.ir import resolve  # noqa: E402
from spikemem.networks import cuba_network  # noqa: E402
from spikemem.networks.cuba import TAU_M  # noqa: E402

RATE_TOLERANCE = 0.05  # correctness guard: mean rates of the two engines within 5 %


# --------------------------------------------------------------------------------------------
# Network facts shared by both engines
# --------------------------------------------------------------------------------------------
class CubaFacts:
    """Explicit synapses, initial state and parameters of a CUBA IR network, in global indices."""

    def __init__(self, net, seed: int):
        self.net = net
        self.dt = net.dt
        pops = {p.name: p for p in net.populations}
        self.exc, self.inh = pops["exc"], pops["inh"]
        self.n_exc, self.n_inh = self.exc.size, self.inh.size
        self.n = self.n_exc + self.n_inh
        self.offset = {"exc": 0, "inh": self.n_exc}
        self.cell = self.exc.cell
        self.v_init = np.concatenate([np.asarray(self.exc.cell.v_init), np.asarray(self.inh.cell.v_init)])
        pre = {"excitatory": [], "inhibitory": []}
        post = {"excitatory": [], "inhibitory": []}
        self.weight = {}
        self.delay_ms = set()
        for proj in net.projections:
            syn = resolve(proj, seed)
            pre[proj.receptor].append(syn.pre + self.offset[proj.pre.population.name])
            post[proj.receptor].append(syn.post + self.offset[proj.post.population.name])
            weights = np.unique(syn.weight)
            if weights.size != 1:
                raise ValueError(f"{proj.name}: expected one homogeneous weight, got {weights.size}")
            self.weight.setdefault(proj.receptor, set()).add(float(weights[0]))
            self.delay_ms.update(np.unique(syn.delay).tolist())
        for receptor, values in self.weight.items():
            if len(values) != 1:
                raise ValueError(f"{receptor}: projections disagree on the weight: {values}")
            self.weight[receptor] = values.pop()
        if len(self.delay_ms) != 1:
            raise ValueError(f"expected one homogeneous delay, got {sorted(self.delay_ms)}")
        self.delay_ms = self.delay_ms.pop()
        self.pre = {k: np.concatenate(v).astype(np.int32) for k, v in pre.items()}
        self.post = {k: np.concatenate(v).astype(np.int32) for k, v in post.items()}
        self.n_synapses = int(sum(a.size for a in self.pre.values()))
        self.outdeg = np.bincount(np.concatenate(list(self.pre.values())), minlength=self.n).astype(np.int64)

    def events(self, ids: np.ndarray) -> int:
        """Synaptic events caused by spikes of (global) neurons ``ids``: the sum of their fan-outs."""
        return int(self.outdeg[np.asarray(ids, dtype=np.int64)].sum())


def summarize(facts: CubaFacts, engine: str, loop_s: float, ids: np.ndarray, steps: np.ndarray,
              duration_ms: float) -> dict:
    """Per-run numbers from global spike ids/steps and the loop time."""
    ids = np.asarray(ids, dtype=np.int64)
    steps = np.asarray(steps, dtype=np.int64)
    n_spikes = int(ids.size)
    dur_s = duration_ms / 1000.0
    exc_spikes = int(np.count_nonzero(ids < facts.n_exc))
    events = facts.events(ids)
    return {
        "engine": engine,
        "loop_s": float(loop_s),
        "spikes": n_spikes,
        "rate_hz": n_spikes / facts.n / dur_s,
        "rate_exc_hz": exc_spikes / facts.n_exc / dur_s,
        "rate_inh_hz": (n_spikes - exc_spikes) / facts.n_inh / dur_s,
        "events": events,
        "events_per_s": events / loop_s if loop_s > 0 else float("nan"),
        "realtime_factor": dur_s / loop_s if loop_s > 0 else float("nan"),
        "ids_ok": bool(n_spikes == 0 or (ids.min() >= 0 and ids.max() < facts.n)),
        "steps_ok": bool(n_spikes == 0 or (steps.min() >= 0 and steps.max() < round(duration_ms / facts.dt))),
        "first_spikes": _first_spikes(ids, steps),
        "_raw": (steps, ids),
    }


def compare_spikes(a: dict, b: dict) -> dict:
    """Spike-by-spike agreement of two runs: identical trains, or the first step where they differ."""
    (sa, ia), (sb, ib) = a["_raw"], b["_raw"]
    oa, ob = np.lexsort((ia, sa)), np.lexsort((ib, sb))
    sa, ia, sb, ib = sa[oa], ia[oa], sb[ob], ib[ob]
    m = min(sa.size, sb.size)
    diff = np.flatnonzero((sa[:m] != sb[:m]) | (ia[:m] != ib[:m]))
    if diff.size == 0 and sa.size == sb.size:
        return {"identical": True, "first_difference_step": None, "identical_prefix_spikes": int(sa.size)}
    k = int(diff[0]) if diff.size else m
    big = np.iinfo(np.int64).max
    step = int(min(sa[k] if k < sa.size else big, sb[k] if k < sb.size else big))
    return {"identical": False, "first_difference_step": step, "identical_prefix_spikes": k}


def _first_spikes(ids: np.ndarray, steps: np.ndarray, k: int = 20) -> list:
    order = np.lexsort((ids, steps))[:k]
    return [[int(steps[i]), int(ids[i])] for i in order]


# --------------------------------------------------------------------------------------------
# Brian2 cpp_standalone
# --------------------------------------------------------------------------------------------
class Brian2Cuba:
    """The CUBA network as a Brian2 ``cpp_standalone`` project: built once, the binary rerun.

    The model follows the IR's ``IF_curr_exp`` with ``exact`` numerics (see README)::

        dv/dt  = (v_rest - v)/tau_m + (Ie - Ii)/C_m : volt (unless refractory)
        dIe/dt = -Ie/tau_e : amp
        dIi/dt = -Ii/tau_i : amp
        threshold v >= v_thresh, reset v = v_reset, method 'exact'
    """

    def __init__(self, facts: CubaFacts, duration_ms: float, *, refractory_ms: float,
                 delay_steps: int, directory: str | None = None, threads: int = 0):
        import brian2 as b2

        self.b2 = b2
        self.device = None
        self.facts = facts
        self.duration_ms = duration_ms
        self._own_dir = directory is None
        self.directory = directory or tempfile.mkdtemp(prefix="spikemem_brian2_cuba_")
        try:
            self._build(facts, duration_ms, refractory_ms, delay_steps, threads)
        except BaseException:
            self.close()
            raise

    def _build(self, facts, duration_ms, refractory_ms, delay_steps, threads):
        import brian2 as b2
        from brian2 import device, ms, mV, nA, nF, prefs, set_device

        # A fresh device state so this class can be built several times in one process.
        device.reinit()
        device.activate()
        b2.start_scope()
        set_device("cpp_standalone", directory=self.directory, build_on_run=False)
        prefs.devices.cpp_standalone.openmp_threads = threads
        self.device = b2.get_device()

        t0 = time.perf_counter()
        b2.defaultclock.dt = facts.dt * ms
        c = facts.cell
        ns = {
            "tau_m": float(c.tau_m) * ms,
            "tau_e": float(c.tau_syn_E) * ms,
            "tau_i": float(c.tau_syn_I) * ms,
            "v_rest": float(c.v_rest) * mV,
            "v_reset": float(c.v_reset) * mV,
            "v_thresh": float(c.v_thresh) * mV,
            "C_m": float(c.cm) * nF,
            "w_e": facts.weight["excitatory"] * nA,
            "w_i": facts.weight["inhibitory"] * nA,
        }
        eqs = """
        dv/dt  = (v_rest - v)/tau_m + (Ie - Ii)/C_m : volt (unless refractory)
        dIe/dt = -Ie/tau_e : amp
        dIi/dt = -Ii/tau_i : amp
        """
        group = b2.NeuronGroup(
            facts.n, eqs, threshold="v >= v_thresh", reset="v = v_reset",
            refractory=refractory_ms * ms, method="exact", namespace=ns, name="cuba",
        )
        group.v = facts.v_init * mV
        group.Ie = 0 * nA
        group.Ii = 0 * nA
        syn = {}
        for receptor, var, w in (("excitatory", "Ie", "w_e"), ("inhibitory", "Ii", "w_i")):
            s = b2.Synapses(group, group, on_pre=f"{var} += {w}", delay=delay_steps * facts.dt * ms,
                            namespace=ns, name=f"syn_{receptor[:3]}")
            native_p = getattr(facts, "native_p", None)
            if native_p is None:
                s.connect(i=facts.pre[receptor], j=facts.post[receptor])
            else:  # Brian2 draws the synapses itself (the scaling benchmark's native series)
                n_exc = facts.exc.size
                s.connect(condition=f"i < {n_exc}" if receptor == "excitatory" else f"i >= {n_exc}", p=native_p)
            syn[receptor] = s
        self.synapses = syn
        self.monitor = b2.SpikeMonitor(group, name="spikes")
        self.net = b2.Network(group, *syn.values(), self.monitor)
        self.net.run(duration_ms * ms)
        self.setup_s = time.perf_counter() - t0
        t1 = time.perf_counter()
        self.device.build(directory=self.directory, compile=True, run=False, clean=True, with_output=False)
        self.build_s = time.perf_counter() - t1  # code generation + make
        self.make_s = float(self.device.timers.get("compile", {}).get("make", float("nan")))

    def run(self) -> dict:
        """Run the compiled binary once; return the per-run summary."""
        t0 = time.perf_counter()
        self.device.run(directory=self.directory, with_output=False)
        wall = time.perf_counter() - t0
        loop_s = float(self.device._last_run_time)
        ids = np.asarray(self.monitor.i[:], dtype=np.int64)
        steps = np.round(np.asarray(self.monitor.t_[:]) * 1000.0 / self.facts.dt).astype(np.int64)
        out = summarize(self.facts, "brian2", loop_s, ids, steps, self.duration_ms)
        out["process_wall_s"] = wall
        return out

    def close(self) -> None:
        """Forget the standalone project and delete its directory (when we made it)."""
        try:
            if self.device is not None:
                self.device.reinit()
                self.device.activate()
            self.b2.set_device("runtime")
        finally:
            if self._own_dir:
                shutil.rmtree(self.directory, ignore_errors=True)


# --------------------------------------------------------------------------------------------
# spikemem Numba backend
# --------------------------------------------------------------------------------------------
class NumbaCuba:
    """The same network compiled by spikemem's Numba backend (spikes recorded, no weights)."""

    def __init__(self, facts: CubaFacts, duration_ms: float, seed: int):
        import spikemem
        from spikemem.ir import RecordSpec

        self.facts = facts
        self.duration_ms = duration_ms
        t0 = time.perf_counter()
        self.runnable = spikemem.compile(
            facts.net, backend="numba", seed=seed, record=RecordSpec(spikes=None, weights=False),
            progress=False,
        )
        self.compile_call_s = time.perf_counter() - t0
        self.first_compile_s = None

    def run(self) -> dict:
        t0 = time.perf_counter()
        rec = self.runnable.run(duration=self.duration_ms)
        wall = time.perf_counter() - t0
        timings = dict(rec.meta.get("timings", {}))
        # The engine reports its JIT time as "jit_s" (older drafts: "compile_s").
        jit = float(timings.get("jit_s", timings.get("compile_s", float("nan"))))
        if self.first_compile_s is None:
            self.first_compile_s = jit
        ids, steps = [], []
        for name in ("exc", "inh"):
            sp = rec.spikes[name]
            ids.append(np.asarray(sp.ids, dtype=np.int64) + self.facts.offset[name])
            steps.append(np.asarray(sp.steps, dtype=np.int64))
        out = summarize(self.facts, "numba", float(timings["loop_s"]), np.concatenate(ids),
                        np.concatenate(steps), self.duration_ms)
        out["process_wall_s"] = wall
        out["jit_s"] = jit
        out["timings"] = {k: float(v) for k, v in timings.items()}
        out["mean_rate_api"] = {name: float(rec.mean_rate(name)) for name in ("exc", "inh")}
        return out


# --------------------------------------------------------------------------------------------
# Driver
# --------------------------------------------------------------------------------------------
def median(values):
    values = [v for v in values if v is not None and not math.isnan(v)]
    return statistics.median(values) if values else float("nan")


def machine_line() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    load = os.getloadavg() if hasattr(os, "getloadavg") else ("?",)
    return f"{cpu}; {os.cpu_count()} logical CPUs; load avg {load[0]:.2f}; Python {platform.python_version()}"


def versions() -> dict:
    out = {"numpy": np.__version__}
    for mod in ("numba", "brian2", "spikemem"):
        try:
            out[mod] = __import__(mod).__version__
        except Exception as error:  # pragma: no cover - informative only
            out[mod] = f"unavailable ({type(error).__name__})"
    return out


def guard(brian: list, numba: list) -> dict:
    """Correctness guard: finite, nonzero rates, sane ids/steps, mean rates within 5 %."""
    problems = []
    for r in brian + numba:
        for key in ("rate_hz", "rate_exc_hz", "rate_inh_hz", "loop_s"):
            if not math.isfinite(r[key]):
                problems.append(f"{r['engine']}: {key} is {r[key]}")
        if r["spikes"] == 0:
            problems.append(f"{r['engine']}: no spikes")
        if not (r["ids_ok"] and r["steps_ok"]):
            problems.append(f"{r['engine']}: spike ids or steps out of range")
    rel = {}
    spike_match = None
    if brian and numba:
        spike_match = compare_spikes(brian[-1], numba[-1])
        for key in ("rate_hz", "rate_exc_hz", "rate_inh_hz"):
            b, n = median([r[key] for r in brian]), median([r[key] for r in numba])
            rel[key] = (n - b) / b if b else float("nan")
        if not abs(rel["rate_hz"]) <= RATE_TOLERANCE:
            problems.append(
                f"mean rate differs by {100 * rel['rate_hz']:+.2f} % (tolerance {100 * RATE_TOLERANCE:.0f} %)"
            )
    return {"ok": not problems, "problems": problems, "relative_rate_difference": rel,
            "spike_match": spike_match}


def _strip(row: dict) -> dict:
    """A run summary without the raw spike arrays (for JSON)."""
    if "engine" not in row:
        return {k: _strip(v) for k, v in row.items()}
    return {k: v for k, v in row.items() if not k.startswith("_")}


def _jsonable(value):
    """Plain JSON: numpy scalars to Python, non-finite floats to None, tuples to lists."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def write_json_atomic(path: str, data: dict) -> None:
    """Write ``data`` as JSON to ``path`` atomically (temporary file in the same folder + os.replace)."""
    data = _jsonable(data)
    path = os.path.abspath(path)
    folder = os.path.dirname(path)
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".cuba_", suffix=".json.tmp", dir=folder)
    try:
        with os.fdopen(fd, "w") as f:
            json.dump(data, f, indent=2, sort_keys=True, allow_nan=False)
            f.write("\n")
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def fmt_row(label, rows, key, fmt):
    vals = [r[key] for r in rows]
    if not vals:
        return None
    return f"{label:<24}" + "".join(f"{fmt.format(v):>12}" for v in vals) + f"{fmt.format(median(vals)):>12}"


def print_table(args, facts, brian, numba, ratios, build, check) -> None:
    print()
    print("=" * 100)
    print(f"CUBA benchmark  N={facts.n} ({facts.n_exc} exc / {facts.n_inh} inh), p={args.p}, "
          f"dt={args.dt} ms, {args.duration:g} ms simulated, {facts.n_synapses} synapses, seed={args.seed}")
    print(f"machine: {machine_line()}")
    print("single thread each (NUMBA_NUM_THREADS=1, Brian2 openmp_threads=0)")
    print("-" * 100)
    for key, value in build.items():
        print(f"{key:<40}{value:>10.3f} s")
    print("-" * 100)
    npairs = max(len(brian), len(numba))
    print(f"{'per pair':<24}" + "".join(f"{'#' + str(k + 1):>12}" for k in range(npairs)) + f"{'median':>12}")
    for label, rows in (("Brian2", brian), ("Numba", numba)):
        if not rows:
            continue
        print(f"[{label}]")
        for name, key, fmt in (
            ("  loop (s)", "loop_s", "{:.4f}"),
            ("  real-time factor", "realtime_factor", "{:.2f}"),
            ("  events/s (M)", "events_per_s_m", "{:.2f}"),
            ("  rate all (Hz)", "rate_hz", "{:.3f}"),
            ("  rate exc (Hz)", "rate_exc_hz", "{:.3f}"),
            ("  rate inh (Hz)", "rate_inh_hz", "{:.3f}"),
            ("  spikes", "spikes", "{:.0f}"),
        ):
            line = fmt_row(name, rows, key, fmt)
            if line:
                print(line)
    if ratios:
        print(f"{'ratio Brian2/Numba loop':<24}" + "".join(f"{r:>12.3f}" for r in ratios)
              + f"{median(ratios):>12.3f}")
    print("-" * 100)
    if ratios:
        print(f"median speed-up of Numba over Brian2 (loop time): {median(ratios):.3f}x")
    if check["relative_rate_difference"]:
        rel = check["relative_rate_difference"]
        print("rate difference Numba vs Brian2: "
              + ", ".join(f"{k} {100 * v:+.2f} %" for k, v in rel.items()))
    if check.get("spike_match"):
        sm = check["spike_match"]
        if sm["identical"]:
            print(f"spike trains: identical ({sm['identical_prefix_spikes']} spikes)")
        else:
            first = sm["first_difference_step"]
            print(f"spike trains: first {sm['identical_prefix_spikes']} spikes identical; "
                  f"first difference at step {first} ({first * args.dt:g} ms); "
                  "later divergence is expected (chaotic network, different floating-point rounding)")
    print("correctness guard: " + ("PASS" if check["ok"] else "FAIL: " + "; ".join(check["problems"])))
    print("=" * 100)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--n", type=int, default=4000, help="number of neurons")
    parser.add_argument("--p", type=float, default=0.02, help="connection probability")
    parser.add_argument("--duration", type=float, default=10000.0, help="simulated time (ms)")
    parser.add_argument("--pairs", type=int, default=5, help="interleaved Brian2/Numba run pairs")
    parser.add_argument("--dt", type=float, default=0.1, help="time step (ms)")
    parser.add_argument("--seed", type=int, default=1, help="network seed")
    parser.add_argument("--skip-brian2", action="store_true", help="run only the Numba backend")
    parser.add_argument("--skip-numba", action="store_true", help="run only Brian2")
    parser.add_argument("--brian2-refractory", choices=("ir", "nominal"), default="ir",
                        help="'ir': Brian2 refractory = (r+1)*dt with r = round(tau_refrac/dt), "
                             "the same number of frozen steps as spikemem; 'nominal': tau_refrac")
    parser.add_argument("--brian2-delay-steps", type=int, default=None,
                        help="Brian2 synaptic delay in steps (default: IR delay steps - 1, see README)")
    parser.add_argument("--brian2-dir", default=None,
                        help="standalone project folder (default: a fresh temporary folder)")
    parser.add_argument("--out", default=None, help="write the results as JSON to this file")
    args = parser.parse_args(argv)
    if args.skip_brian2 and args.skip_numba:
        parser.error("nothing to run")

    t0 = time.perf_counter()
    net = cuba_network(n=args.n, p=args.p, dt=args.dt, seed=args.seed)
    facts = CubaFacts(net, args.seed)
    build = {"IR build + resolve (s)": time.perf_counter() - t0}
    ir_delay_steps = int(round(facts.delay_ms / facts.dt))
    r_steps = int(round(float(facts.cell.tau_refrac) / facts.dt))
    if args.brian2_refractory == "ir":
        brian_refrac_ms = (r_steps + 1) * facts.dt
    else:
        brian_refrac_ms = float(facts.cell.tau_refrac)
    brian_delay_steps = args.brian2_delay_steps if args.brian2_delay_steps is not None else ir_delay_steps - 1
    print(f"network: N={facts.n}, synapses={facts.n_synapses}, w_exc={facts.weight['excitatory']:.4g} nA, "
          f"w_inh={facts.weight['inhibitory']:.4g} nA (cm={float(facts.cell.cm)} nF, tau_m={TAU_M} ms), "
          f"IR delay {ir_delay_steps} step(s); Brian2 delay {brian_delay_steps} step(s), "
          f"refractory {brian_refrac_ms:g} ms", flush=True)

    brian_engine = numba_engine = None
    try:
        if not args.skip_brian2:
            print("building Brian2 cpp_standalone project ...", flush=True)
            brian_engine = Brian2Cuba(facts, args.duration, refractory_ms=brian_refrac_ms,
                                      delay_steps=brian_delay_steps, directory=args.brian2_dir)
            build["Brian2 Python setup + codegen (s)"] = brian_engine.setup_s
            build["Brian2 build (codegen+make) (s)"] = brian_engine.build_s
            build["Brian2 make only (s)"] = brian_engine.make_s
        if not args.skip_numba:
            print("compiling spikemem Numba backend ...", flush=True)
            numba_engine = NumbaCuba(facts, args.duration, args.seed)
            build["Numba compile() call (s)"] = numba_engine.compile_call_s

        # Warm-up: one untimed run each (Numba JIT happens here; page cache for Brian2's binary).
        warm = {}
        if numba_engine:
            t1 = time.perf_counter()
            warm["numba"] = numba_engine.run()
            build["Numba first run wall (s)"] = time.perf_counter() - t1
            build["Numba JIT (1st run, jit_s)"] = numba_engine.first_compile_s
        if brian_engine:
            warm["brian2"] = brian_engine.run()

        brian, numba, ratios = [], [], []
        for k in range(args.pairs):
            order = [("brian2", brian_engine), ("numba", numba_engine)]
            if k % 2:
                order.reverse()
            pair = {}
            for name, engine in order:
                if engine is not None:
                    pair[name] = engine.run()
                    pair[name]["events_per_s_m"] = pair[name]["events_per_s"] / 1e6
            if "brian2" in pair:
                brian.append(pair["brian2"])
            if "numba" in pair:
                numba.append(pair["numba"])
            if len(pair) == 2:
                ratios.append(pair["brian2"]["loop_s"] / pair["numba"]["loop_s"])
            print(f"pair {k + 1}/{args.pairs}: " + ", ".join(
                f"{n} loop {r['loop_s']:.4f} s ({r['rate_hz']:.3f} Hz)" for n, r in pair.items()), flush=True)
    finally:
        if brian_engine is not None:
            brian_engine.close()

    check = guard(brian, numba)
    print_table(args, facts, brian, numba, ratios, build, check)

    if args.out:
        result = {
            "benchmark": "cuba",
            "args": vars(args),
            "machine": machine_line(),
            "versions": versions(),
            "network": {
                "n": facts.n, "n_exc": facts.n_exc, "n_inh": facts.n_inh, "synapses": facts.n_synapses,
                "content_hash": net.content_hash(), "ir_delay_steps": ir_delay_steps,
                "brian2_delay_steps": brian_delay_steps, "brian2_refractory_ms": brian_refrac_ms,
            },
            "build": build,
            "warmup": _strip(warm),
            "brian2": [_strip(r) for r in brian],
            "numba": [_strip(r) for r in numba],
            "ratios_brian2_over_numba": ratios,
            "median_ratio": median(ratios) if ratios else None,
            "median": {
                eng: {k: median([r[k] for r in rows]) for k in
                      ("loop_s", "realtime_factor", "events_per_s", "rate_hz", "rate_exc_hz", "rate_inh_hz")}
                for eng, rows in (("brian2", brian), ("numba", numba)) if rows
            },
            "guard": check,
        }
        write_json_atomic(args.out, result)
        print(f"wrote {args.out}")
    return 0 if check["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
