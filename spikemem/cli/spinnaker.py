"""``spikemem estimate`` (offline SpiNNaker resource estimate, or the memory a Numba run needs)
and ``spikemem deploy`` (run a configuration on SpiNNaker); the work is done in
:mod:`spikemem.backends.spinnaker` and :mod:`spikemem.backends.numba.memory`."""

from __future__ import annotations

import json
import time
import warnings
from pathlib import Path

import click

from ..backends.spinnaker.constraints import MAX_NEURONS_PER_CORE
from ..backends.spinnaker.estimate import estimate_spinnaker
from ..ir import IRValidationError, UnsupportedFeature
from .options import (
    config_argument,
    dt_option,
    file_option,
    given,
    machine_kwargs,
    machine_options,
    neurons_per_core_option,
    out_folder_option,
    overwrite_option,
    seed_option,
    time_scale_factor_option,
)
from .output import expected_output_bytes, load_settings, prepare_output_folder, write_raster

__all__ = ["deploy_command", "estimate_command"]


@click.command("estimate")
@config_argument
@click.option(
    "--target",
    type=click.Choice(["spinnaker", "numba"]),
    default="spinnaker",
    show_default=True,
    help="What to estimate for: a SpiNNaker board, or the memory of a run on the numba backend.",
)
@click.option(
    "--version",
    "board_version",
    type=click.Choice(["3", "5"]),
    default="5",
    show_default=True,
    help="Board: 3 = SpiNN-3 (4 chips), 5 = SpiNN-5 (48 chips).",
)
@click.option(
    "--boards", type=click.IntRange(1, 1200), default=1, show_default=True, help="SpiNN-5 boards available."
)
@neurons_per_core_option(default=MAX_NEURONS_PER_CORE)
@time_scale_factor_option("Slow-down of the board (default 1).")
@dt_option("Time step in ms (default: the network's).", above_zero=True)
@click.option(
    "--rate",
    type=click.FloatRange(0.0, 10_000.0),
    default=None,
    help="Expected firing rate (Hz) for the load estimate, or of the recorded spikes (default 30).",
)
@file_option("--json", "json_path", help="Also write the estimate as JSON to this file.")
def estimate_command(
    config: Path,
    target: str,
    board_version: str,
    boards: int,
    neurons_per_core: int,
    time_scale_factor: float | None,
    dt: float | None,
    rate: float | None,
    json_path: Path | None,
) -> None:
    """Estimate SpiNNaker resources for the network in CONFIG, offline (no sPyNNaker needed):
    cores, chips, boards, SDRAM, delay extensions, weight quantisation, time-step advice; or,
    with --target numba, the memory a run of CONFIG needs on the numba backend, item by item.
    Exits with status 1 when the network does not fit."""
    from ..atomicio import write_text_atomic

    settings = load_settings(config)
    if target == "numba":
        _estimate_numba(settings, dt, rate, json_path)
        return
    try:
        result = estimate_spinnaker(
            settings.network,
            duration=settings.duration,
            dt=dt,
            version=int(board_version),
            boards=boards,
            # left at its default, sPyNNaker's defaults: 256 per neuron core, a source on one core
            neurons_per_core=neurons_per_core if given("neurons_per_core") else None,
            time_scale_factor=time_scale_factor,
            rate_hz=rate,
            seed=settings.seed,
        )
    except IRValidationError as error:
        raise click.ClickException(str(error)) from error
    click.echo(result.summary())
    if json_path:
        write_text_atomic(json_path, result.to_json())
        click.echo(f"wrote {json_path}")
    if not result.fits:
        raise click.exceptions.Exit(1)


def _estimate_numba(settings: object, dt: float | None, rate: float | None, json_path: Path | None) -> None:
    """Print the numba memory table of ``settings`` (a RunConfig); exit 1 when it does not fit."""
    from ..atomicio import write_text_atomic
    from ..backends.numba.memory import DEFAULT_RATE_HZ, estimate_memory

    try:
        result = estimate_memory(
            settings.network,
            settings.schedule,
            duration=settings.duration,
            dt=dt,
            record=settings.record,
            rate_hz=DEFAULT_RATE_HZ if rate is None else rate,
        )
    except IRValidationError as error:
        raise click.ClickException(str(error)) from error
    click.echo(result.table())
    if json_path:
        write_text_atomic(json_path, json.dumps(result.to_dict(), indent=1) + "\n")
        click.echo(f"wrote {json_path}")
    if not result.fits:
        raise click.exceptions.Exit(1)


@click.command("deploy")
@config_argument
@machine_options
@out_folder_option("Folder for recording.h5, raster.png, mapping.json and sPyNNaker's reports.")
@overwrite_option
@seed_option("Compile seed (default: [run] seed).")
@time_scale_factor_option("Slow-down of the board (needed with dt = 0.1 ms for dense networks).")
@neurons_per_core_option()
@click.option("--progress", is_flag=True, help="Show sPyNNaker's progress bars.")
def deploy_command(
    config: Path,
    board: str | None,
    board_version: str | None,
    spalloc: str | None,
    virtual: bool,
    cfg: str | None,
    out: Path,
    overwrite: bool,
    seed: int | None,
    time_scale_factor: float | None,
    neurons_per_core: int | None,
    progress: bool,
) -> None:
    """Run the network in CONFIG on SpiNNaker (--board HOST --version 5 | --spalloc URL | --virtual)
    and write OUT/recording.h5, OUT/raster.png and OUT/mapping.json; sPyNNaker's reports stay in
    OUT/spinnaker."""
    from ..backends.spinnaker.engine import SpiNNakerBackend, write_mapping
    from ..backends.spinnaker.mapping import MappingReport

    settings = load_settings(config)
    prepare_output_folder(
        out,
        ("recording.h5", "raster.png", "mapping.json"),
        overwrite=overwrite,
        needed_bytes=expected_output_bytes(settings, None),
    )
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", RuntimeWarning)
            runnable = SpiNNakerBackend().compile(
                settings.network,
                settings.schedule,
                seed=settings.seed if seed is None else seed,
                record=settings.record,
                time_scale_factor=time_scale_factor,
                neurons_per_core=neurons_per_core,
                run_dir=str(out / "spinnaker"),
                progress=progress,
                **machine_kwargs(board, board_version, spalloc, virtual, cfg),
            )
            started = time.perf_counter()
            recording = runnable.run() if settings.schedule is not None else runnable.run(settings.duration)
            wall = time.perf_counter() - started
    except (IRValidationError, UnsupportedFeature, ImportError) as error:
        raise click.ClickException(str(error)) from error
    for warning in caught:
        click.echo(f"warning: {warning.message}", err=True)
    report = MappingReport(**recording.meta["mapping"])
    click.echo(report.summary())
    write_mapping(report, out / "mapping.json")
    recording.save(out / "recording.h5")
    written = [out / "mapping.json", out / "recording.h5"]
    if not recording.meta.get("virtual"):
        write_raster(recording, out / "raster.png")
        written.append(out / "raster.png")
        for name in recording.spikes:
            click.echo(f"  {name:<20}{recording.spike_count(name):>10} spikes")
    click.echo(f"  wall {wall:.3g} s; wrote {', '.join(str(p) for p in written)}")
