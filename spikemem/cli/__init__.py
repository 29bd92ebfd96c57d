"""The ``spikemem`` command line.

::

    spikemem --version
    spikemem backends                         # registered backends and their capabilities
    spikemem run CONFIG.toml --out DIR        # compile, run, write DIR/recording.h5 + raster.png
    spikemem verify CONFIG.toml               # the same network on every installed backend
    spikemem reproduce NAME                   # a paper experiment or figure
    spikemem estimate CONFIG.toml             # offline SpiNNaker resource estimate
    spikemem deploy CONFIG.toml               # run on SpiNNaker (board, spalloc or virtual)
    spikemem doctor                           # check the installation, SpiNNaker and NEST set-up
    spikemem export --to nir NETWORK -o OUT.nir   # NIR graph + fidelity table (docs/nir.md)
    spikemem import FILE.nir -o NETWORK.json  # NIR graph -> saved network (--run MS: run it)

Every failure ends with a one-line message on stderr and exit status 1 (usage errors: 2;
Ctrl-C: 130); ``spikemem --debug COMMAND ...`` (or ``SPIKEMEM_DEBUG=1``) shows the traceback
instead (:mod:`.errors`).

Every command is a ``click.Command`` defined in a module beside this one (``run``, ``verify``,
``backends``, ``doctor``; ``spinnaker``: estimate and deploy; ``interop``: export and import) or,
for ``reproduce``, in :mod:`spikemem.reproduce`, and registered here, once: :data:`COMMANDS` is
the group's command list. Options that several commands share are in :mod:`.options`.
"""

from __future__ import annotations

import click

import spikemem
from spikemem.reproduce import reproduce_command

from .backends import backends_command
from .doctor import doctor_command
from .errors import ErrorHandlingGroup
from .interop import export_command, import_command
from .run import run_command
from .spinnaker import deploy_command, estimate_command
from .verify import verify_command

__all__ = ["COMMANDS", "main"]

COMMANDS: tuple[click.Command, ...] = (
    run_command,
    backends_command,
    verify_command,
    estimate_command,
    export_command,
    import_command,
    reproduce_command,
    deploy_command,
    doctor_command,
)
"""The commands of ``spikemem``, each registered under its own ``name``."""


@click.group(
    cls=ErrorHandlingGroup, commands=COMMANDS, context_settings={"help_option_names": ["-h", "--help"]}
)
@click.version_option(spikemem.__version__, prog_name="spikemem")
@click.option(
    "--debug",
    is_flag=True,
    envvar="SPIKEMEM_DEBUG",
    help="On an error, show the full traceback instead of a one-line message.",
)
def main(debug: bool) -> None:
    """spikemem: spiking memory models behind one network description, compiled to many engines."""
