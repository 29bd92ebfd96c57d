"""``spikemem run CONFIG``: compile and run one configuration, write its recording and raster."""

from __future__ import annotations

import time
from pathlib import Path

import click

import spikemem

from ..ir import IRValidationError, MemoryBudgetError, UnsupportedFeature
from .errors import Interrupted
from .options import config_argument, duration_option, out_folder_option, overwrite_option, seed_option
from .output import (
    echo_run_summary,
    expected_output_bytes,
    load_settings,
    prepare_output_folder,
    write_raster,
)

__all__ = ["run_command"]

OUTPUTS = ("recording.h5", "raster.png")
"""The files ``spikemem run`` writes into ``--out``."""


@click.command("run")
@config_argument
@click.option("--backend", "-b", help="Backend name (default: [run] backend, else numba).")
@out_folder_option("Folder for recording.h5 and raster.png.")
@overwrite_option
@seed_option("Compile seed (default: [run] seed).")
@duration_option
@click.option(
    "--threads",
    type=click.IntRange(min=1),
    default=None,
    help="Threads of the numba backend (default: every core; results are identical for any count).",
)
def run_command(
    config: Path,
    backend: str | None,
    out: Path,
    overwrite: bool,
    seed: int | None,
    duration: float | None,
    threads: int | None,
) -> None:
    """Compile and run the network described in CONFIG (a TOML file; see docs/config.md).

    The output folder is checked before the simulation starts; an earlier run's results in it
    are kept unless --overwrite is given.
    """
    if backend is not None and not backend.strip():
        raise click.BadParameter("an empty name; give a backend name or leave -b out", param_hint="--backend")
    settings = load_settings(config, duration)
    backend = backend or settings.backend
    seed = settings.seed if seed is None else seed
    duration = settings.duration if duration is None else duration
    options = {} if threads is None else {"threads": threads}
    if threads is not None and backend != "numba":
        raise click.UsageError(f"--threads applies to the numba backend, not {backend!r}")
    prepare_output_folder(
        out, OUTPUTS, overwrite=overwrite, needed_bytes=expected_output_bytes(settings, duration)
    )
    started = time.perf_counter()
    try:
        runnable = spikemem.compile(
            settings.network, settings.schedule, backend=backend, seed=seed, record=settings.record, **options
        )
        recording = runnable.run() if settings.schedule is not None else runnable.run(duration)
    except (IRValidationError, UnsupportedFeature, MemoryBudgetError) as error:
        raise click.ClickException(str(error)) from error
    except ImportError as error:
        raise click.ClickException(f"backend {backend!r} is not available here: {error}") from error
    except KeyboardInterrupt:
        raise Interrupted(
            f"stopped by Ctrl-C before the run ended; nothing was written to {out} "
            "(a run's results exist only once it ends)"
        ) from None
    wall = time.perf_counter() - started
    echo_run_summary(f"{settings.network.name!r} on {backend}, seed {seed}", duration, recording, wall)
    written: list[str] = []
    try:
        recording.save(out / "recording.h5")
        written.append("recording.h5")
        write_raster(recording, out / "raster.png")
    except OSError as error:
        kept = f"{', '.join(written)} written, complete" if written else "nothing written"
        raise click.ClickException(f"could not write the results to {out} ({kept}): {error}") from error
    except KeyboardInterrupt:
        raise Interrupted(
            f"stopped by Ctrl-C while writing; complete in {out}: {', '.join(written) or 'nothing'}"
        ) from None
    click.echo(f"wrote {out / 'recording.h5'} and {out / 'raster.png'}")
