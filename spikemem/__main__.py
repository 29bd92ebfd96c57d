"""``python -m spikemem``: the ``spikemem`` command line (:mod:`spikemem.cli`)."""

from spikemem.cli import main

if __name__ == "__main__":
    main(prog_name="spikemem")
