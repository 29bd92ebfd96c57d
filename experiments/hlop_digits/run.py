"""HLOP, CI size: 5 permuted-digits tasks, vanilla vs. HLOP vs. HLOP with spiking lateral neurons.

Trains the three variants (scikit-learn's 8×8 digits, 64-128-128-10, 10 epochs per task), prints
the accuracy matrix R, ACC and BWT of each, and runs the final HLOP network on the backend.
Writes summary.json, accuracy.csv, accuracy.md and accuracy.png. Same as
``spikemem reproduce hlop-digits``::

    python experiments/hlop_digits/run.py [--backend numba] [--out out/hlop-digits]

Needs scikit-learn (``pip install -e '.[hlop]'``). About 10 s on 2 cores.
"""

import sys

from spikemem.reproduce import reproduce_command

if __name__ == "__main__":
    reproduce_command.main(["hlop-digits", *sys.argv[1:]], prog_name="hlop_digits")
