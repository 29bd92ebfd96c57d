"""Click arguments and options that several ``spikemem`` commands share, defined once."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from ..backends.spinnaker.constraints import MAX_NEURONS_PER_CORE, MAX_TIME_SCALE_FACTOR

__all__ = [
    "config_argument",
    "dt_option",
    "duration_option",
    "file_option",
    "given",
    "machine_kwargs",
    "machine_options",
    "neurons_per_core_option",
    "out_folder_option",
    "output_file_option",
    "overwrite_option",
    "seed_option",
    "time_scale_factor_option",
]

Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]

MAX_SEED = 2**63 - 1
"""Largest compile seed the command line accepts."""

config_argument: Decorator = click.argument(
    "config", type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
"""CONFIG: an existing run configuration (TOML, ``docs/config.md``), passed as a :class:`Path`."""

duration_option: Decorator = click.option(
    "--duration",
    type=click.FloatRange(0, 1e9, min_open=True),
    help="Simulated time in ms (default: [run] duration; not with [[phase]] tables).",
)
"""``--duration MS``: override the configuration's run length (ms)."""


def out_folder_option(help: str) -> Decorator:
    """``--out/-o DIR``: the folder results are written to (default ``out``)."""
    return click.option(
        "--out",
        "-o",
        type=click.Path(file_okay=False, path_type=Path),
        default=Path("out"),
        show_default=True,
        help=help,
    )


overwrite_option: Decorator = click.option(
    "--overwrite", is_flag=True, help="Replace the results of an earlier run in the output folder."
)
"""``--overwrite``: let a command replace an earlier run's files (refused without it)."""


def output_file_option(help: str) -> Decorator:
    """``--out/-o FILE``: a file to write (required)."""
    return file_option("--out", "-o", help=help, required=True)


def file_option(*names: str, help: str, required: bool = False) -> Decorator:
    """An option naming a file (not a folder) to write, passed as a :class:`Path` or ``None``."""
    return click.option(*names, type=click.Path(dir_okay=False, path_type=Path), required=required, help=help)


def dt_option(help: str, *, above_zero: bool = False) -> Decorator:
    """``--dt MS``: a time step in ms, up to 10 ms; from 1e-4 ms on, or any step above 0 ms."""
    steps = click.FloatRange(0.0, 10.0, min_open=True) if above_zero else click.FloatRange(1e-4, 10.0)
    return click.option("--dt", type=steps, default=None, help=help)


def time_scale_factor_option(help: str) -> Decorator:
    """``--time-scale-factor F``: how many times slower than real time the board runs, in [1, 10000]."""
    return click.option(
        "--time-scale-factor",
        type=click.FloatRange(1.0, float(MAX_TIME_SCALE_FACTOR)),
        default=None,
        help=help,
    )


def seed_option(help: str, default: int | None = None) -> Decorator:
    """``--seed N``: a compile seed in ``[0, 2**63 - 1]``."""
    shown = {"show_default": True} if default is not None else {}
    return click.option("--seed", type=click.IntRange(0, MAX_SEED), default=default, help=help, **shown)


def neurons_per_core_option(default: int | None = None) -> Decorator:
    """``--neurons-per-core N``: the largest slice per SpiNNaker core, in ``[1, 256]`` neurons."""
    return click.option(
        "--neurons-per-core",
        type=click.IntRange(1, MAX_NEURONS_PER_CORE),
        default=default,
        show_default=default is not None,
        help="Largest neuron slice per core.",
    )


def given(name: str) -> bool:
    """Whether the option ``name`` of the running command was given (not left at its default)."""
    source = click.get_current_context().get_parameter_source(name)
    return source not in (None, click.core.ParameterSource.DEFAULT)


def machine_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--board``, ``--version``, ``--spalloc``, ``--virtual`` and ``--cfg``: which SpiNNaker
    machine to use (read back with :func:`machine_kwargs`)."""
    options = [
        click.option(
            "--board", metavar="HOST", default=None, help="Host name or IP of a directly connected board."
        ),
        click.option(
            "--version",
            "board_version",
            type=click.Choice(["3", "5"]),
            default=None,
            help="Board version (3 = SpiNN-3, 5 = SpiNN-5); needed with --board.",
        ),
        click.option(
            "--spalloc",
            metavar="URL",
            default=None,
            help="spalloc server URL (credentials: SPALLOC_USER / SPALLOC_PASSWORD).",
        ),
        click.option("--virtual", is_flag=True, help="Virtual board: map only, no spikes."),
        click.option(
            "--cfg", type=click.Path(dir_okay=False), default=None, help="An sPyNNaker cfg file to use."
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def machine_kwargs(
    board: str | None, board_version: str | None, spalloc: str | None, virtual: bool, cfg: str | None
) -> dict[str, Any]:
    """The :func:`machine_options` values as the SpiNNaker backend's machine keywords."""
    return {
        "board": board,
        "version": int(board_version) if board_version else None,
        "spalloc": spalloc,
        "virtual": virtual,
        "cfg": cfg,
    }
