"""CA3 experiment 1, the functional test: n=5 cues, m=10 content bits, 9 operations 10 ms apart.

Compares every population spike by spike with the authors' SpiNNaker recording. Same as
``spikemem reproduce ca3-functional``::

    python experiments/ca3_functional/run.py [--backend numba] [--out out/ca3-functional]
"""

import sys

from spikemem.reproduce import reproduce_command

if __name__ == "__main__":
    reproduce_command.main(["ca3-functional", *sys.argv[1:]], prog_name="ca3_functional")
