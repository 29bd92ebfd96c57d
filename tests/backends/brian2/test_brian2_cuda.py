"""brian2cuda (cuda_standalone) code generation, checked without a GPU.

brian2cuda 1.0b1 pins brian2 2.10.1, which needs Python >= 3.12, while the project environment
may be older (Python 3.11 has brian2 2.9.0). The test therefore runs the code generation in a
separate Python 3.12 environment that it creates once (``$SPIKEMEM_CUDA_VENV``, default
``~/.cache/spikemem/cuda-venv-<hash>``) with pip; spikemem itself is taken from this source
tree. Without a Python 3.12 interpreter, or when pip cannot install, the test is skipped and
says why.

Compiling the generated project with nvcc takes minutes (about 5 on two cores), too long for
CI: that test runs only with ``SPIKEMEM_TEST_NVCC=1`` on a machine with nvcc.
"""

from __future__ import annotations

import glob
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
REQUIREMENTS = ("brian2cuda==1.0b1", "brian2==2.10.1", "numpy>=1.26,<2.4", "numba>=0.60")

SCRIPT = r"""
import json, os, sys, time
import spikemem
from spikemem.backends.brian2.devices import cuda_preferences
from spikemem.models.ca3.experiments import functional_memory
from spikemem.networks import cuba_network

compile_binary = sys.argv[2] == "compile"
if compile_binary:
    prefs = cuda_preferences(compute_capability=9.0)
else:
    prefs = cuda_preferences(detect=False, compute_capability=9.0)
out = {}
memory = functional_memory()
workloads = (("ca3", memory.network(), memory.schedule()), ("cuba", cuba_network(n=400), None))
for name, network, schedule in workloads:
    folder = os.path.join(sys.argv[1], name)
    started = time.perf_counter()
    runnable = spikemem.compile(network, schedule, backend="brian2", device="cuda_standalone", prefs=prefs,
                                build_dir=folder, build_binary=compile_binary)
    if schedule is None:
        runnable._build(spikemem.ir.Schedule.single(100.0))
    out[name] = {"folder": folder, "seconds": time.perf_counter() - started, "timings": runnable.timings}
import brian2, brian2cuda
out["versions"] = {"brian2": brian2.__version__, "brian2cuda": getattr(brian2cuda, "__version__", "?")}
print("RESULT " + json.dumps(out))
"""


def python312() -> str | None:
    """A working Python 3.12 interpreter (pyenv shims that are not active do not count)."""
    candidates = [shutil.which("python3.12")]
    candidates += sorted(
        glob.glob(os.path.expanduser("~/.pyenv/versions/3.12*/bin/python3.12")), reverse=True
    )
    for candidate in filter(None, candidates):
        try:
            done = subprocess.run(
                [candidate, "-c", "import sys; print(sys.version_info[:2] == (3, 12))"],
                capture_output=True,
                text=True,
                timeout=60,
            )
        except (OSError, subprocess.SubprocessError):
            continue
        if done.stdout.strip() == "True":
            return candidate
    return None


@pytest.fixture(scope="module")
def cuda_python() -> str:
    interpreter = python312()
    if interpreter is None:
        pytest.skip(
            "no Python 3.12 interpreter (python3.12 on PATH or under ~/.pyenv): brian2cuda 1.0b1 needs it"
        )
    tag = hashlib.sha256(repr((REQUIREMENTS, interpreter)).encode()).hexdigest()[:10]
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    venv = Path(os.environ.get("SPIKEMEM_CUDA_VENV") or base / "spikemem" / f"cuda-venv-{tag}")
    python = venv / "bin" / "python"
    if not (venv / ".complete").exists():
        shutil.rmtree(venv, ignore_errors=True)
        steps = (
            [interpreter, "-m", "venv", str(venv)],
            [str(python), "-m", "pip", "install", "-q", *REQUIREMENTS],
        )
        for step in steps:
            try:
                done = subprocess.run(step, capture_output=True, text=True, timeout=900)
            except subprocess.TimeoutExpired:
                pytest.skip(f"creating the brian2cuda environment timed out: {' '.join(step[:4])}")
            if done.returncode != 0:
                pytest.skip(
                    f"cannot create the brian2cuda environment ({' '.join(step[:4])}): {done.stderr[-500:]}"
                )
        (venv / ".complete").write_text("\n".join(REQUIREMENTS))
    return str(python)


def generate(python: str, folder: Path, mode: str) -> dict:
    env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONNOUSERSITE="1")
    env.pop("VIRTUAL_ENV", None)
    done = subprocess.run(
        [python, "-c", SCRIPT, str(folder), mode],
        capture_output=True,
        text=True,
        env=env,
        timeout=3000,
        cwd=folder,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    line = next(line for line in done.stdout.splitlines() if line.startswith("RESULT "))
    return json.loads(line[len("RESULT ") :])


def test_cuda_code_generation_without_a_gpu(cuda_python, tmp_path):
    result = generate(cuda_python, tmp_path, "generate")
    assert result["versions"]["brian2"] == "2.10.1"
    ca3 = Path(result["ca3"]["folder"])
    for name in ("main.cu", "network.cu", "objects.cu", "rand.cu", "synapses_classes.cu", "makefile"):
        assert (ca3 / name).is_file(), name
    objects = {p.name.split("_codeobject")[0] for p in (ca3 / "code_objects").glob("*.cu")}
    # the lowered model: one neuron group, STDP pathways in their order, buffers, phase tables
    assert {"neurons_update", "neurons_spike_thresholder", "neurons_spike_resetter", "sources"} <= objects
    assert {"syn_ne1_pre_reg", "syn_ne1_post", "syn_ne1_pre_dep", "syn_ne1_tx", "syn_se1_tx"} <= objects
    post = next((ca3 / "code_objects").glob("syn_ne1_post_codeobject*.cu")).read_text()
    assert (
        "learn_ta" in post
        and "exp(" in post
        and "be1" in next((ca3 / "code_objects").glob("syn_ne1_tx_codeobject*.cu")).read_text()
    )
    makefile = (ca3 / "makefile").read_text()
    assert "-arch=sm_90" in makefile and "-fmad=false" in makefile and "use_fast_math" not in makefile
    assert "-ffp-contract=off" in makefile and "-ffast-math" not in makefile
    assert not (ca3 / "main").exists()
    cuba = Path(result["cuba"]["folder"])
    assert (cuba / "main.cu").is_file()
    assert any("syn_ni1_tx" in p.name for p in (cuba / "code_objects").glob("*.cu"))


@pytest.mark.skipif(
    os.environ.get("SPIKEMEM_TEST_NVCC") != "1" or shutil.which("nvcc") is None,
    reason="compiling with nvcc takes minutes: set SPIKEMEM_TEST_NVCC=1 on a machine with nvcc",
)
def test_cuda_project_compiles_with_nvcc(cuda_python, tmp_path):
    subprocess.run(
        [cuda_python, "-m", "pip", "install", "-q", "nvidia-curand-cu12"], check=False, timeout=900
    )
    result = generate(cuda_python, tmp_path, "compile")
    for name in ("ca3", "cuba"):
        assert (Path(result[name]["folder"]) / "main").is_file(), name


def test_cuda_preferences_without_detection_need_the_architecture():
    from spikemem.backends.brian2.devices import cuda_preferences

    with pytest.raises(ValueError, match="compute_capability"):
        cuda_preferences(detect=False)
    prefs = cuda_preferences(detect=False, compute_capability=8.6)
    assert prefs["devices.cuda_standalone.cuda_backend.compute_capability"] == 8.6
    assert prefs["devices.cuda_standalone.cuda_backend.detect_gpus"] is False
    assert "-std=c++17" in prefs["codegen.cpp.extra_compile_args_gcc"]


if __name__ == "__main__":  # pragma: no cover
    sys.exit(pytest.main([__file__, "-v"]))
