#!/usr/bin/env bash
# CUBA with fan-out 80 at N = 65 536, 262 144 and 1 048 576 on a GPU machine: brian2cuda
# (cuda_standalone) with native connectivity — the GPU draws the synapses — beside the Numba
# engine on every core, each run in its own process (benchmarks/scaling.py). Writes
# $OUT/scaling_gpu.json, its figure and a log; rates are compared afterwards (the synapses differ,
# so agreement is statistical).
#
#   OUT=/some/folder PYTHON=python3 bash hw/gpu/native_scaling.sh
#
# Needs an NVIDIA GPU with nvcc, and Python >= 3.12 with numpy, numba, h5py, tqdm, brian2 2.10.1
# and brian2cuda 1.0b1 importable.
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT="${OUT:?set OUT to the folder for the results}"
PYTHON="${PYTHON:-python3}"
mkdir -p "$OUT"
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}" PYTHONUNBUFFERED=1
{ nvidia-smi -L; nvcc --version | tail -1; lscpu | grep -E "Model name|^CPU\(s\)"; } > "$OUT/machine.txt" 2>&1 || true
cores="$(nproc)"
"$PYTHON" benchmarks/scaling.py --sizes ${SIZES:-65536 262144 1048576} --configs numba-all brian2cuda-native \
    --all-threads "$cores" --brian2-max 1048576 --duration 1000 --timeout "${RUN_TIMEOUT:-300}" \
    --out "$OUT/scaling_gpu.json" 2>&1 | tee "$OUT/scaling_gpu.log"
