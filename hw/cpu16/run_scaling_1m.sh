#!/usr/bin/env bash
# CUBA with fan-out 80 at N = 262 144 and 1 048 576 on the Numba engine, 1 and 16 threads:
# build + compile time, loop time, peak RSS (each run in its own process), bytes per synapse and
# the up-front memory estimate. Writes $OUT/scaling_1m_cpu16.json (and a log); no Brian2 needed.
#
# Needs Python >= 3.10 with spikemem's core dependencies importable (numpy, numba, h5py, tqdm;
# matplotlib optional: without it no figure is drawn). Run from the repository root:
#
#     OUT=/some/folder bash hw/cpu16/run_scaling_1m.sh
#
# Expected time on 16 cores: about 4 minutes (the 1 M one-thread loop is ~50 s).
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT="${OUT:?set OUT to the folder for the results}"
PYTHON="${PYTHON:-python3}"
mkdir -p "$OUT"
"$PYTHON" - <<'EOF'
import importlib.util
import sys
missing = [m for m in ("numpy", "numba", "h5py", "tqdm") if importlib.util.find_spec(m) is None]
if missing:
    sys.exit("missing Python packages: " + ", ".join(missing))
EOF
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
# numba-all uses 16 threads; a run uses at most one thread per 65 536 neurons (4 at N = 262 144).
"$PYTHON" benchmarks/scaling.py --sizes 262144 1048576 --configs numba-1 numba-all --all-threads 16 \
    --duration 1000 --timeout 1200 --out "$OUT/scaling_1m_cpu16.json" 2>&1 | tee "$OUT/scaling_1m_cpu16.log"
lscpu > "$OUT/lscpu.txt" 2>&1 || true
