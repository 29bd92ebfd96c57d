"""CA3 experiment 3, the 4x4 robot state map: n=16 cells, m=6 states, a write every 7 ms, then
four recalls by content (route, free, obstacle, unknown) 6 ms apart. Same as
``spikemem reproduce ca3-statemap``::

    python experiments/ca3_statemap/run.py [--backend numba] [--out out/ca3-statemap]
"""

import sys

from spikemem.reproduce import reproduce_command

if __name__ == "__main__":
    reproduce_command.main(["ca3-statemap", *sys.argv[1:]], prog_name="ca3_statemap")
