#!/usr/bin/env bash
# GPU check for spikemem's Brian2 backend on brian2cuda (cuda_standalone).
#
# On a machine with an NVIDIA GPU, the CUDA toolkit (nvcc) and a Python >= 3.12 environment
# that already holds spikemem with its cuda extra, this builds and runs CUBA and the CA3
# functional test on the GPU and prints their agreement with the Numba engine and the speed.
# It installs nothing and needs no network.
#
#   hw/gpu/check.sh [check.py options]          e.g. --n 16000 --duration 2000 --keep
#   SPIKEMEM_PYTHON=/path/to/python hw/gpu/check.sh
#
# Prepare the environment once (anywhere with network access), e.g.:
#   python3.12 -m venv .venv-cuda && .venv-cuda/bin/pip install -e '.[cuda,brian2]'
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

python="${SPIKEMEM_PYTHON:-}"
if [[ -z "$python" ]]; then
    for candidate in .venv-cuda/bin/python .venv/bin/python python3; do
        if command -v "$candidate" >/dev/null 2>&1; then python="$candidate"; break; fi
    done
fi
fail() { echo "gpu check: $*" >&2; exit 2; }
[[ -n "$python" ]] || fail "no Python found; set SPIKEMEM_PYTHON"
command -v nvidia-smi >/dev/null 2>&1 || fail "nvidia-smi not found: no NVIDIA driver on this machine"
nvidia-smi -L >/dev/null 2>&1 || fail "nvidia-smi -L failed: no usable GPU"
command -v nvcc >/dev/null 2>&1 || fail "nvcc not found: install the CUDA toolkit or put its bin/ on PATH"
"$python" - <<'PY' || fail "this Python cannot run brian2cuda (see above); it needs Python >= 3.12 and spikemem[cuda]"
import sys
if sys.version_info < (3, 12):
    sys.exit(f"Python {sys.version.split()[0]}: brian2cuda 1.0b1 pins brian2 2.10.1, which needs Python >= 3.12")
import brian2cuda, spikemem  # noqa: F401
PY
export OMP_NUM_THREADS=1 NUMBA_NUM_THREADS=1
exec "$python" hw/gpu/check.py "$@"
