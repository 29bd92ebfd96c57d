"""``spikemem deploy`` (run a configuration on SpiNNaker) and ``spikemem doctor`` (pre-flight checks);
registered in :mod:`spikemem.cli`."""

from __future__ import annotations

import sys
import time
import warnings
from pathlib import Path
from typing import Any

import click

from ...ir.errors import IRValidationError, UnsupportedFeature

__all__ = ["deploy_command", "doctor_command"]


def _machine_options(func: Any) -> Any:
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


def _machine_kwargs(
    board: str | None, board_version: str | None, spalloc: str | None, virtual: bool, cfg: str | None
) -> dict:
    return {
        "board": board,
        "version": int(board_version) if board_version else None,
        "spalloc": spalloc,
        "virtual": virtual,
        "cfg": cfg,
    }


@click.command("deploy")
@click.argument("config", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_machine_options
@click.option(
    "--out",
    "-o",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("out"),
    show_default=True,
    help="Folder for recording.h5, raster.png, mapping.json and sPyNNaker's reports.",
)
@click.option(
    "--seed", type=click.IntRange(0, 2**63 - 1), default=None, help="Compile seed (default: [run] seed)."
)
@click.option(
    "--time-scale-factor",
    type=click.FloatRange(1.0, 10_000.0),
    default=None,
    help="Slow-down of the board (needed with dt = 0.1 ms for dense networks).",
)
@click.option(
    "--neurons-per-core", type=click.IntRange(1, 256), default=None, help="Largest neuron slice per core."
)
@click.option("--progress", is_flag=True, help="Show sPyNNaker's progress bars.")
def deploy_command(
    config: Path,
    board: str | None,
    board_version: str | None,
    spalloc: str | None,
    virtual: bool,
    cfg: str | None,
    out: Path,
    seed: int | None,
    time_scale_factor: float | None,
    neurons_per_core: int | None,
    progress: bool,
) -> None:
    """Run the network in CONFIG on SpiNNaker (--board HOST --version 5 | --spalloc URL | --virtual)
    and write OUT/recording.h5, OUT/raster.png and OUT/mapping.json; sPyNNaker's reports stay in
    OUT/spinnaker."""
    from ...atomicio import save_figure_atomic
    from ...config import load_config
    from .engine import SpiNNakerBackend, write_mapping
    from .mapping import MappingReport

    try:
        settings = load_config(config)
        out.mkdir(parents=True, exist_ok=True)
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
                **_machine_kwargs(board, board_version, spalloc, virtual, cfg),
            )
            started = time.perf_counter()
            recording = runnable.run() if settings.schedule is not None else runnable.run(settings.duration)
            wall = time.perf_counter() - started
    except (IRValidationError, UnsupportedFeature) as error:
        raise click.ClickException(str(error)) from error
    except ImportError as error:
        raise click.ClickException(str(error)) from error
    for warning in caught:
        click.echo(f"warning: {warning.message}", err=True)
    report = MappingReport(**recording.meta["mapping"])
    click.echo(report.summary())
    write_mapping(report, out / "mapping.json")
    recording.save(out / "recording.h5")
    written = [out / "mapping.json", out / "recording.h5"]
    if not recording.meta.get("virtual"):
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        figure = recording.plot_raster()
        try:
            save_figure_atomic(figure, out / "raster.png")
        finally:
            plt.close(figure)
        written.append(out / "raster.png")
        for name in recording.spikes:
            click.echo(f"  {name:<20}{recording.spike_count(name):>10} spikes")
    click.echo(f"  wall {wall:.3g} s; wrote {', '.join(str(p) for p in written)}")


@click.command("doctor")
@_machine_options
@click.option(
    "--no-network", is_flag=True, help="Do not resolve the board's host or contact the spalloc server."
)
def doctor_command(
    board: str | None,
    board_version: str | None,
    spalloc: str | None,
    virtual: bool,
    cfg: str | None,
    no_network: bool,
) -> None:
    """Check the installation and the SpiNNaker / NEST configuration without running a network.
    Exits with status 1 if a check fails."""
    from ..nest.doctor import doctor_checks as nest_checks
    from ..pynn.options import Check
    from .config import doctor_checks as spinnaker_checks

    sections = [
        ("core", _core_checks()),
        (
            "spinnaker",
            spinnaker_checks(
                network=not no_network, **_machine_kwargs(board, board_version, spalloc, virtual, cfg)
            ),
        ),
        ("nest", nest_checks()),
    ]
    failed = 0
    for title, checks in sections:
        click.echo(f"[{title}]")
        for check in checks:
            assert isinstance(check, Check)
            mark = "ok  " if check.ok and not check.warning else ("warn" if check.ok else "FAIL")
            click.echo(f"  {mark} {check.name}: {check.message}")
            if not check.ok:
                failed += 1
            if not check.ok or check.warning:
                for line in check.fix.splitlines():
                    click.echo(f"         {line}")
    if failed:
        raise click.ClickException(f"{failed} check(s) failed")


def _core_checks() -> list:
    from importlib import metadata

    from ..pynn.options import Check

    checks = [
        Check("python", sys.version_info >= (3, 10), sys.version.split()[0], fix="Python >= 3.10 is needed")
    ]
    try:
        import numpy

        major, minor = (int(x) for x in numpy.__version__.split(".")[:2])
        ok = (major, minor) < (2, 4)
        checks.append(
            Check(
                "numpy",
                ok,
                numpy.__version__ + ("" if ok else " (brian2 2.9 needs numpy < 2.4)"),
                fix="pip install 'numpy<2.4'",
            )
        )
    except ImportError:  # pragma: no cover - spikemem needs numpy
        checks.append(Check("numpy", False, "not installed"))
    try:
        checks.append(Check("numba", True, metadata.version("numba")))
    except metadata.PackageNotFoundError:
        checks.append(Check("numba", False, "not installed", fix="pip install numba"))
    from .. import available_backends

    for name, backend in available_backends().items():
        if isinstance(backend, Exception):
            checks.append(Check(f"backend {name}", True, f"unavailable: {backend}", warning=True))
        else:
            checks.append(Check(f"backend {name}", True, "available"))
    return checks
