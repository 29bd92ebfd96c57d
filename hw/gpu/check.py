#!/usr/bin/env python
"""GPU check: CUBA and the CA3 functional test on brian2cuda's cuda_standalone device, against
the Numba reference engine, with timings. Installs nothing; run it through ``check.sh``.

Prints, for each workload: the compile times, the simulation loop time of both engines, the
speed ratio, whether the spikes are identical to Numba's (and where they first differ), and
the statistics (rate, ISI CV, ISI KS) that must agree when they are not. Exit status 1 when
an agreement check fails.

Usage::

    hw/gpu/check.sh                                   # CUBA N=4000 for 1 s, then CA3
    python hw/gpu/check.py --n 16000 --duration 2000 --compute-capability 9.0 --keep
"""

from __future__ import annotations

import argparse
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def environment() -> list[str]:
    import brian2
    import numpy

    lines = [f"python {platform.python_version()}, numpy {numpy.__version__}, brian2 {brian2.__version__}"]
    try:
        import brian2cuda

        lines.append(f"brian2cuda {getattr(brian2cuda, '__version__', '?')}")
    except ImportError as error:
        lines.append(f"brian2cuda: NOT IMPORTABLE ({error})")
    for command in (["nvidia-smi", "-L"], ["nvcc", "--version"]):
        if shutil.which(command[0]) is None:
            lines.append(f"{command[0]}: not found")
            continue
        out = subprocess.run(command, capture_output=True, text=True).stdout.strip().splitlines()
        lines.append(f"{command[0]}: {out[-1] if out else '?'}" if command[0] == "nvcc" else "\n".join(out))
    return lines


def timed(runnable, **kwargs):
    started = time.perf_counter()
    rec = runnable.run(**kwargs)
    return rec, time.perf_counter() - started


def compare(reference, candidate, label: str, populations) -> tuple[bool, list[str]]:
    from spikemem.verify import compare_spikes, compare_statistics, samples

    lines = []
    spikes = compare_spikes(reference, candidate)
    if spikes.identical:
        lines.append(f"spikes identical to Numba ({reference.spike_count()} spikes)")
        return True, lines
    lines.append(
        f"spikes differ: {spikes.mismatches} mismatches, first at step {spikes.first_difference_step} "
        f"({spikes.first_difference_step * reference.dt:g} ms)"
    )
    ok = True
    for name in populations:
        agreement = compare_statistics(samples([reference], name), samples([candidate], name), label)
        ok &= agreement.passed
        lines.append(f"  {name}: {agreement.summary()}")
    return ok, lines


def run_workload(title, network, schedule, duration, args, build_root, populations):
    import spikemem
    from spikemem.backends.brian2.devices import cuda_preferences
    from spikemem.ir import RecordSpec

    print(f"\n== {title}")
    record = RecordSpec(weights=True)
    numba = spikemem.compile(
        network, schedule, backend="numba", seed=args.seed, record=record, progress=False
    )
    numba_rec, _ = timed(numba, **({} if schedule is not None else {"duration": duration}))
    numba_rec, numba_wall = timed(
        numba, **({} if schedule is not None else {"duration": duration})
    )  # JIT warm
    prefs = cuda_preferences(compute_capability=args.compute_capability, gpu_id=args.gpu_id)
    started = time.perf_counter()
    cuda = spikemem.compile(
        network,
        schedule,
        backend="brian2",
        device="cuda_standalone",
        seed=args.seed,
        record=record,
        prefs=prefs,
        build_dir=str(build_root / title.split()[0].lower()),
    )
    cuda_rec, cuda_wall = timed(cuda, **({} if schedule is not None else {"duration": duration}))
    total = time.perf_counter() - started
    t_n, t_c = numba_rec.meta["timings"], cuda_rec.meta["timings"]
    print(f"numba : loop {t_n['loop_s']:.4f} s, JIT {t_n.get('jit_s', float('nan')):.2f} s")
    print(
        f"cuda  : loop {t_c['loop_s']:.4f} s (binary {t_c.get('run_s', float('nan')):.2f} s), "
        f"code generation {t_c['build_s']:.1f} s, nvcc {t_c['compile_s']:.1f} s, "
        f"first run in all {total:.1f} s"
    )
    if t_c["loop_s"] > 0:
        print(f"speed : Numba loop / CUDA loop = {t_n['loop_s'] / t_c['loop_s']:.2f}")
    ok, lines = compare(numba_rec, cuda_rec, "brian2-cuda", populations)
    for line in lines:
        print(line)
    return ok, numba_rec, cuda_rec


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=4000, help="CUBA neurons")
    parser.add_argument("--duration", type=float, default=1000.0, help="CUBA simulated time (ms)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--compute-capability", type=float, default=None, help="default: the detected GPU's")
    parser.add_argument("--gpu-id", type=int, default=None)
    parser.add_argument("--keep", action="store_true", help="keep the CUDA projects (printed folder)")
    args = parser.parse_args(argv)

    print("\n".join(environment()))
    from spikemem.models.ca3.experiments import compare_with_hardware, functional_memory
    from spikemem.networks import cuba_network

    build_root = Path(tempfile.mkdtemp(prefix="spikemem_gpu_check_"))
    try:
        ok_cuba, _, _ = run_workload(
            f"CUBA N={args.n}, {args.duration:g} ms",
            cuba_network(n=args.n, seed=args.seed),
            None,
            args.duration,
            args,
            build_root,
            ("exc", "inh"),
        )
        memory = functional_memory()
        ok_ca3, _, ca3 = run_workload(
            "CA3 functional test (9 operations)",
            memory.network(),
            memory.schedule(),
            None,
            args,
            build_root,
            ("OUT",),
        )
        hardware = sum(m.mismatches for m in compare_with_hardware(ca3))
        correct = sum(r.correct for r in memory.decode(ca3))
        print(
            f"CA3 on CUDA: {hardware} spike mismatches with the SpiNNaker recording, "
            f"{correct}/9 operations correct"
        )
        ok_ca3 &= hardware == 0 and correct == 9
    finally:
        if args.keep:
            print(f"\nprojects kept in {build_root}")
        else:
            shutil.rmtree(build_root, ignore_errors=True)
    print("\nGPU check: " + ("PASS" if ok_cuba and ok_ca3 else "FAIL"))
    return 0 if ok_cuba and ok_ca3 else 1


if __name__ == "__main__":
    sys.exit(main())
