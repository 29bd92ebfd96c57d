"""Figs. 4A–7B of Ahmad & Hawkins (2016): the SDR scaling laws and their Monte Carlo checks.

Writes ``<name>.png``, ``<name>.csv`` and ``<name>.json`` per figure into the output folder
(the same files as ``spikemem reproduce sdr-fig4a`` …)::

    python experiments/sdr_figures/run.py [--full] [--out out/sdr] [sdr-fig4a sdr-fig6 ...]

Without ``--full`` the small notebook settings are used (seconds); ``--full`` runs the paper's
trial counts (about 20 s for all seven figures on one core).
"""

import argparse
import time
from pathlib import Path

from spikemem.reproduce import REPRODUCTIONS, reproduce

FIGURES = [name for name, entry in REPRODUCTIONS.items() if not entry.simulated]


def main() -> None:
    parser = argparse.ArgumentParser(prog="sdr_figures", description=__doc__.splitlines()[0])
    parser.add_argument(
        "names", nargs="*", help=f"figures to make (default: all of {', '.join(FIGURES)})"
    )
    parser.add_argument("--full", action="store_true", help="the paper's trial counts")
    parser.add_argument("--out", type=Path, default=Path("out/sdr"), help="output folder")
    args = parser.parse_args()
    unknown = sorted(set(args.names) - set(FIGURES))
    if unknown:
        parser.error(f"unknown figure(s) {', '.join(unknown)}; known: {', '.join(FIGURES)}")
    for name in args.names or sorted(FIGURES):
        start = time.perf_counter()
        png = reproduce(name, out=args.out, full=args.full).files["figure"]
        print(f"{name}: {png} ({time.perf_counter() - start:.1f} s)")


if __name__ == "__main__":
    main()
