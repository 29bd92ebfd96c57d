"""CA3 experiment 2, the stress test: n=5, m=10, 60 operations 14 ms apart from t = 1 ms.

Three rounds of (write all 5 cues, recall all 5 by cue, recall by each single content bit);
round 2 writes the complements. Same as ``spikemem reproduce ca3-stress``::

    python experiments/ca3_stress/run.py [--backend numba] [--out out/ca3-stress]
"""

import sys

from spikemem.reproduce import reproduce_command

if __name__ == "__main__":
    reproduce_command.main(["ca3-stress", *sys.argv[1:]], prog_name="ca3_stress")
