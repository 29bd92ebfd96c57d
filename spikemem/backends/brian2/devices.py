"""Brian2 devices, preferences and standalone projects, with no global state left behind.

Brian2 keeps global state: the preferences (``brian2.prefs``), the active device and, for the
standalone devices, one device object per kind that accumulates everything built on it. This
module confines all of it:

- :func:`brian2_prefs` sets the preferences the backend needs for one block (building or
  running) and restores the previous values afterwards;
- :func:`standalone_device` activates a *freshly reinitialised* standalone device for one build
  and reinitialises it and restores the previous device afterwards;
- a built standalone project is then run and read without Brian2 (:func:`run_project`,
  :func:`read_array`), so two compiled networks never share a device.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

DEVICES = ("runtime", "cpp_standalone", "cuda_standalone")
"""Values of the ``device`` option."""

TARGETS = ("cython", "numpy")
"""Code-generation targets of the runtime device (``None``: Cython when a compiler works)."""

STRICT_GCC_ARGS = ["-w", "-O3", "-fno-fast-math", "-ffp-contract=off", "-march=native", "-std=c++11"]
"""C++ flags for Cython and cpp_standalone. Brian2's defaults include ``-ffast-math``, which
lets the compiler reassociate sums and fuse multiply-adds, so results would differ from the
reference engine's IEEE arithmetic in the last bits. ``$SPIKEMEM_BRIAN2_OPT`` (``-O0`` to
``-O3``) replaces the optimisation level: ``-O0`` halves the build time of short runs (the test
suite uses it) and, without fast-math and contraction, computes the same results."""

OPT_LEVELS = ("-O0", "-O1", "-O2", "-O3", "-Os")


def gcc_args() -> list[str]:
    """:data:`STRICT_GCC_ARGS` with the optimisation level of ``$SPIKEMEM_BRIAN2_OPT``."""
    level = os.environ.get("SPIKEMEM_BRIAN2_OPT", "-O3")
    if level not in OPT_LEVELS:
        raise ValueError(f"SPIKEMEM_BRIAN2_OPT={level!r}; allowed: {', '.join(OPT_LEVELS)}")
    return [level if arg.startswith("-O") else arg for arg in STRICT_GCC_ARGS]


STRICT_NVCC_ARGS = ["-w", "-fmad=false", "-std=c++17"]
"""nvcc flags for cuda_standalone: no ``-use_fast_math`` (it implies ``-fmad=true``); C++17 as
the CUDA 12/13 Thrust headers require."""


def cache_dir() -> Path:
    """Folder of spikemem's Cython cache for Brian2 (``$SPIKEMEM_BRIAN2_CACHE`` overrides).

    Brian2's cache key ignores compiler flags, so spikemem keeps its own folder named after its
    flags and the Brian2 version: a module built with other flags is never reused.
    """
    override = os.environ.get("SPIKEMEM_BRIAN2_CACHE")
    if override:
        return Path(override)
    import brian2

    tag = hashlib.sha256(repr((gcc_args(), brian2.__version__)).encode()).hexdigest()[:12]
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "spikemem" / f"brian2-cython-{tag}"


def _curand_dirs() -> tuple[list[str], list[str]]:
    """Include and library folders for cuRAND when the CUDA toolkit lacks it.

    brian2cuda's ``rand.cu`` always includes ``curand.h``. A full toolkit has it; a minimal one
    (e.g. a compiler-only install) does not, and then the ``nvidia-curand-cu12`` wheel
    (``pip install 'spikemem[cuda]'``) provides it. Its library is named ``libcurand.so.10``
    only, so a ``libcurand.so`` link is made next to it in a cache folder.
    """
    import shutil

    nvcc = shutil.which("nvcc")
    roots = [os.environ.get("CUDA_HOME"), os.environ.get("CUDA_PATH"), "/usr/local/cuda"]
    if nvcc:
        roots.append(str(Path(os.path.realpath(nvcc)).parent.parent))
        text = Path(nvcc).read_text(errors="ignore") if Path(nvcc).stat().st_size < 4096 else ""
        for token in text.split():
            if token.endswith("/bin/nvcc"):
                roots.append(str(Path(token).parent.parent))
    if any(root and (Path(root) / "include" / "curand.h").exists() for root in roots):
        return [], []
    try:
        import nvidia.curand as wheel
    except ImportError:
        return [], []
    base = Path(next(iter(wheel.__path__)))
    include, lib = base / "include", base / "lib"
    libraries = sorted(lib.glob("libcurand.so*"))
    if not (include / "curand.h").exists() or not libraries:
        return [], []
    links = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "spikemem" / "curand-lib"
    links.mkdir(parents=True, exist_ok=True)
    link = links / "libcurand.so"
    if not link.exists():
        link.symlink_to(libraries[-1])
    return [str(include)], [str(links), str(lib)]


def cuda_gcc_args() -> list[str]:
    """:func:`gcc_args` for the host code of ``cuda_standalone``: C++17, which CUDA 13's Thrust,
    CUB and libcu++ require (seen on an H200 with CUDA 13.0: ``-std=c++11`` fails to build)."""
    return ["-std=c++17" if arg.startswith("-std=") else arg for arg in gcc_args()]


def cuda_preferences(
    *,
    detect: bool = True,
    compute_capability: float | None = None,
    gpu_id: int | None = None,
    runtime_version: float | None = None,
) -> dict[str, Any]:
    """Brian2 preferences for ``cuda_standalone`` (pass as ``compile(..., prefs=...)``).

    Parameters
    ----------
    detect : bool
        Find the GPU (``nvidia-smi``) and the CUDA toolkit (``nvcc``). ``False`` generates code
        without either (``compute_capability`` required), e.g. in CI without a GPU.
    compute_capability : float or None
        Target architecture, e.g. 9.0 for an H100 (default: the detected GPU's).
    gpu_id : int or None
        GPU to use (default: the detected one, or 0).
    runtime_version : float or None
        CUDA runtime version assumed when ``detect`` is False (default 12.0).
    """
    backend = "devices.cuda_standalone.cuda_backend."
    values: dict[str, Any] = {"codegen.cpp.extra_compile_args_gcc": cuda_gcc_args()}
    if not detect:
        if compute_capability is None:
            raise ValueError("cuda_preferences(detect=False) needs compute_capability (e.g. 9.0 for an H100)")
        values.update(
            {
                backend + "detect_gpus": False,
                backend + "gpu_id": 0 if gpu_id is None else int(gpu_id),
                backend + "compute_capability": float(compute_capability),
                backend + "detect_cuda": False,
                backend + "cuda_runtime_version": 12.0 if runtime_version is None else float(runtime_version),
            }
        )
        return values
    if compute_capability is not None:
        values[backend + "compute_capability"] = float(compute_capability)
        values[backend + "detect_gpus"] = False
        values[backend + "gpu_id"] = 0 if gpu_id is None else int(gpu_id)
    elif gpu_id is not None:
        values[backend + "gpu_id"] = int(gpu_id)
    include, library = _curand_dirs()
    if include:
        values["codegen.cpp.include_dirs"] = include
        values["codegen.cpp.library_dirs"] = library
        values["codegen.cpp.runtime_library_dirs"] = library
    return values


def preference_values(target: str | None, device: str, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """The Brian2 preferences the backend sets while building and running."""
    values: dict[str, Any] = {
        "codegen.loop_invariant_optimisations": False,
        "codegen.cpp.extra_compile_args_gcc": gcc_args(),
        "codegen.runtime.cython.cache_dir": str(cache_dir()),
        "core.default_float_dtype": np.float64,
        "devices.cpp_standalone.openmp_threads": 0,
    }
    if device == "runtime":
        values["codegen.target"] = target
    if device == "cuda_standalone":
        values["devices.cuda_standalone.cuda_backend.extra_compile_args_nvcc"] = list(STRICT_NVCC_ARGS)
        values["codegen.cpp.extra_compile_args_gcc"] = cuda_gcc_args()
    values.update(extra or {})
    return values


@contextlib.contextmanager
def brian2_prefs(values: dict[str, Any]) -> Iterator[None]:
    """Set Brian2 preferences for the duration of the block, then restore the old values."""
    from brian2 import prefs

    if any(key.startswith("devices.cuda_standalone") for key in values):
        import brian2cuda  # noqa: F401 - registers the cuda_standalone preferences

    old = {}
    try:
        for key, value in values.items():
            old[key] = prefs[key]
            prefs[key] = value
        yield
    finally:
        for key, value in old.items():
            prefs[key] = value


@functools.cache
def cython_available() -> bool:
    """Whether Brian2's Cython target compiles here (a C++ compiler and Cython are installed)."""
    try:
        from brian2.codegen.runtime.cython_rt import CythonCodeObject

        with brian2_prefs(preference_values("cython", "runtime")):
            return bool(CythonCodeObject.is_available())
    except Exception:  # noqa: BLE001 - any failure means: fall back to numpy
        return False


def runtime_target(requested: str | None) -> str:
    """The code-generation target for the runtime device: ``requested``, else Cython when it
    compiles here, else numpy."""
    if requested is not None:
        return requested
    return "cython" if cython_available() else "numpy"


@contextlib.contextmanager
def standalone_device(kind: str, directory: str) -> Iterator[Any]:
    """A freshly reinitialised ``kind`` device, active for the block; afterwards it is
    reinitialised again and the previous device is restored.

    Raises
    ------
    RuntimeError
        If ``kind`` is already the active device (someone is building on it right now).
    """
    from brian2.devices.device import all_devices, get_device, reset_device, set_device

    if kind == "cuda_standalone":
        import brian2cuda  # noqa: F401 - registers the device

    device = all_devices[kind]
    if get_device() is device:
        raise RuntimeError(
            f"the Brian2 device {kind!r} is already active; spikemem builds standalone projects on a "
            "fresh device and cannot share it with code that is being built on it"
        )
    device.reinit()
    set_device(kind, build_on_run=False, directory=directory)
    try:
        yield device
    finally:
        device.reinit()
        reset_device()


def run_project(directory: str, *, timeout: float | None = None) -> dict[str, float]:
    """Run a built standalone project's binary in ``directory``; return its timings.

    Returns
    -------
    dict
        ``run_s`` (wall time of the process) and ``loop_s`` (Brian2's own timer around the
        network run, from ``results/last_run_info.txt``).

    Raises
    ------
    RuntimeError
        When the binary fails (the message holds the end of its output).
    """
    results = Path(directory) / "results"
    results.mkdir(exist_ok=True)
    started = time.perf_counter()
    env = dict(os.environ, OMP_NUM_THREADS="1")
    process = subprocess.run(
        ["./main", "--results_dir", str(results) + os.sep],
        cwd=directory,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    wall = time.perf_counter() - started
    if process.returncode != 0:
        tail = (process.stdout + process.stderr)[-2000:]
        raise RuntimeError(
            f"the standalone binary in {directory} failed (exit {process.returncode}):\n{tail}"
        )
    loop = float("nan")
    info = results / "last_run_info.txt"
    if info.is_file():
        loop = float(info.read_text().split()[0])
    return {"run_s": wall, "loop_s": loop}


def read_array(directory: str, filename: str, dtype: Any) -> np.ndarray:
    """A result array written by a standalone project (``results/<filename>``)."""
    return np.fromfile(Path(directory) / "results" / filename, dtype=dtype)
