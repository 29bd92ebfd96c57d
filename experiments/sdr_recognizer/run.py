"""Spiking SDR recognizer vs. Eqs. 4, 6 and 8: ``python experiments/sdr_recognizer/run.py``.

The same as ``spikemem reproduce sdr-recognizer [--backend B] [--out DIR]``: measures false
positive and false negative rates of dendritic-segment neurons (spikemem.models.sdr_recognizer)
and writes recognizer.csv/.md, recognizer.png and summary.json.
"""

import argparse
import sys
from pathlib import Path

from spikemem.reproduce import reproduce

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--backend", default="numba")
parser.add_argument("--out", type=Path, default=Path("out/sdr-recognizer"))
args = parser.parse_args()
result = reproduce("sdr-recognizer", backend=args.backend, out=args.out)
print(result.summary())
sys.exit(0 if result.ok else 1)
