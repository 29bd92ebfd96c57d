"""``spikemem reproduce NAME [--backend B] [--out DIR] [--full] [--virtual]``."""

from __future__ import annotations

from pathlib import Path

import click

from .registry import REPRODUCTIONS, option_error, reproduce

__all__ = ["reproduce_command"]


FOLDER = click.Path(file_okay=False, path_type=Path)


def _names() -> list[str]:
    """Simulated experiments (sorted), then the computed figures (in registration order)."""
    simulated = sorted(name for name, entry in REPRODUCTIONS.items() if entry.simulated)
    return simulated + [name for name, entry in REPRODUCTIONS.items() if not entry.simulated]


@click.command("reproduce")
@click.argument("name", type=click.Choice(_names()))
@click.option("--backend", "-b", default=None, help="Backend that runs the model (default: numba).")
@click.option("--out", "-o", type=FOLDER, default=None, help="Output folder (default: out/NAME).")
@click.option(
    "--full", is_flag=True, help="Paper-sized settings (SDR figures only; minutes instead of seconds)."
)
@click.option(
    "--virtual",
    is_flag=True,
    help=(
        "With --backend spinnaker: map ca3-functional on a virtual SpiNN-5 board and report the "
        "mapping (no spikes)."
    ),
)
def reproduce_command(name: str, backend: str | None, out: Path | None, full: bool, virtual: bool) -> None:
    """Reproduce a paper experiment or figure.

    Model experiments (ca3-*) write recording.h5, raster.png, operations.csv/.md and
    summary.json and exit with status 1 if any answer (or hardware spike) differs. SDR figures
    (sdr-*) write NAME.png/.csv/.json.
    """
    from ..datasets import DatasetUnavailableError
    from ..ir import IRValidationError, UnsupportedFeature

    problem = option_error(name, backend, full)
    if problem is not None:
        raise click.ClickException(problem)
    out = Path("out") / name if out is None else out
    if REPRODUCTIONS[name].simulated and (virtual or backend == "spinnaker"):
        _spinnaker_checks(name, virtual)
        if virtual:
            from .ca3 import map_ca3_functional_virtual

            click.echo(map_ca3_functional_virtual(out).summary())
            return
    try:
        result = reproduce(name, backend=backend, out=out, full=full)
    except (IRValidationError, UnsupportedFeature, DatasetUnavailableError) as error:
        raise click.ClickException(str(error)) from error
    except ImportError as error:
        raise click.ClickException(f"backend {backend!r} is not available here: {error}") from error
    click.echo(result.summary())
    if not result.ok:
        raise click.ClickException(
            f"{name}: the result differs from the reference (see {result.files['table_md']})"
        )


def _spinnaker_checks(name: str, virtual: bool) -> None:
    """``--virtual`` maps ca3-functional only; a real run needs a configured board."""
    if virtual and name != "ca3-functional":
        raise click.ClickException(f"--virtual maps ca3-functional with --backend spinnaker; not {name}")
    if virtual:
        return
    from ..backends.spinnaker import hardware_configured

    if not hardware_configured():
        raise click.ClickException(
            "no SpiNNaker machine is configured: export SPIKEMEM_SPINNAKER=board:HOST:5 "
            "(or spalloc:URL), or add --virtual to map on a virtual board"
        )
