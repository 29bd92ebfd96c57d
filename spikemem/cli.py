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

Errors in the configuration or an unavailable backend end with a one-line message and exit
status 1 (usage errors: 2).
"""

from __future__ import annotations

import textwrap
import time
from pathlib import Path
from typing import Any

import click

import spikemem
from spikemem.backends import available_backends
from spikemem.config import load_config
from spikemem.ir import IRValidationError, UnsupportedFeature
from spikemem.reproduce import reproduce_command
from spikemem.results.summary import run_summary_lines


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(spikemem.__version__, prog_name="spikemem")
def main() -> None:
    """spikemem: spiking memory models behind one network description, compiled to many engines."""


@main.command()
def backends() -> None:
    """List the registered backends, whether they import here, and what they support."""
    try:
        table = available_backends()
    except Exception as error:  # only ImportError is expected; anything else is a broken backend
        raise click.ClickException(f"could not list the backends: {error!r}") from error
    for name, backend in table.items():
        if isinstance(backend, Exception):
            click.echo(f"{name:<12} unavailable  {backend}")
            continue
        click.echo(f"{name:<12} available")
        capabilities = (
            ", ".join(sorted(getattr(c, "value", str(c)) for c in backend.capabilities)) or "none declared"
        )
        indent = " " * 13
        click.echo(textwrap.fill(capabilities, width=100, initial_indent=indent, subsequent_indent=indent))


@main.command()
@click.argument("config", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--backend", "-b", help="Backend name (default: [run] backend, else numba).")
@click.option(
    "--out",
    "-o",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("out"),
    show_default=True,
    help="Folder for recording.h5 and raster.png.",
)
@click.option("--seed", type=click.IntRange(0, 2**63 - 1), help="Compile seed (default: [run] seed).")
@click.option(
    "--duration",
    type=click.FloatRange(0, 1e9, min_open=True),
    help="Simulated time in ms (default: [run] duration; not with [[phase]] tables).",
)
def run(config: Path, backend: str | None, out: Path, seed: int | None, duration: float | None) -> None:
    """Compile and run the network described in CONFIG (a TOML file; see docs/config.md)."""
    try:
        settings = load_config(config)
    except IRValidationError as error:
        raise click.ClickException(str(error)) from error
    if duration is not None and settings.schedule is not None:
        raise click.UsageError(f"{config} has [[phase]] tables; their durations fix the run length")
    backend = backend or settings.backend
    seed = settings.seed if seed is None else seed
    duration = settings.duration if duration is None else duration
    started = time.perf_counter()
    try:
        runnable = spikemem.compile(
            settings.network, settings.schedule, backend=backend, seed=seed, record=settings.record
        )
        recording = runnable.run() if settings.schedule is not None else runnable.run(duration)
    except (IRValidationError, UnsupportedFeature) as error:
        raise click.ClickException(str(error)) from error
    except ImportError as error:
        raise click.ClickException(f"backend {backend!r} is not available here: {error}") from error
    wall = time.perf_counter() - started
    _summary(f"{settings.network.name!r} on {backend}, seed {seed}", duration, recording, wall)
    try:
        _write(recording, out)
    except OSError as error:
        raise click.ClickException(f"could not write the results to {out}: {error}") from error


def _write(recording: Any, out: Path) -> None:
    """Write ``out/recording.h5`` and ``out/raster.png`` (drawn off-screen)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out.mkdir(parents=True, exist_ok=True)
    recording.save(out / "recording.h5")
    figure = recording.plot_raster()
    try:
        figure.savefig(out / "raster.png", dpi=120)
    finally:
        plt.close(figure)
    click.echo(f"wrote {out / 'recording.h5'} and {out / 'raster.png'}")


def _summary(title: str, duration: float, recording: Any, wall: float) -> None:
    """Print spikes and mean rate per recorded population, and the wall times."""
    for line in run_summary_lines(title, duration, recording, wall):
        click.echo(line)


main.add_command(reproduce_command)

# SpiNNaker / NEST tooling: offline resource estimate, hardware deployment, pre-flight checks.
from spikemem.backends.spinnaker.commands import deploy_command, doctor_command  # noqa: E402
from spikemem.estimate import estimate_command  # noqa: E402

main.add_command(estimate_command)
main.add_command(deploy_command)
main.add_command(doctor_command)

# NIR: export a network to a NIR graph, import a NIR graph as a network.
from spikemem.nir_commands import export_command, import_command  # noqa: E402

main.add_command(export_command)
main.add_command(import_command)


@main.command()
@click.argument("config", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--backend",
    "-b",
    "labels",
    multiple=True,
    help="Backend variant to check (repeatable), e.g. brian2-cython, brian2-cpp; default: all installed.",
)
@click.option(
    "--seeds",
    type=click.IntRange(1, 1000),
    default=1,
    show_default=True,
    help="Number of compile seeds, from [run] seed on; statistics use all of them.",
)
@click.option(
    "--duration",
    type=click.FloatRange(0, 1e9, min_open=True),
    help="Simulated time in ms (default: [run] duration; not with [[phase]] tables).",
)
@click.option("--statistics", is_flag=True, help="Compare statistically even the spike-exact backends.")
@click.option("--no-standalone", is_flag=True, help="Leave out Brian2's cpp_standalone device (a C++ build).")
def verify(
    config: Path,
    labels: tuple[str, ...],
    seeds: int,
    duration: float | None,
    statistics: bool,
    no_standalone: bool,
) -> None:
    """Run the network in CONFIG on every installed backend and report its agreement with Numba.

    Spike-exact backends must give the reference's spikes (and sampled state and weights);
    the others are compared by rate, ISI CV and ISI distribution. Exit status 1 on disagreement.
    """
    from spikemem.verify import format_report, installed_variants
    from spikemem.verify import verify as run_verify

    try:
        settings = load_config(config)
    except IRValidationError as error:
        raise click.ClickException(str(error)) from error
    if duration is not None and settings.schedule is not None:
        raise click.UsageError(f"{config} has [[phase]] tables; their durations fix the run length")
    variants = installed_variants(numpy_target="brian2-numpy" in labels, standalone=not no_standalone)
    if labels:
        known = {v.label for v in variants}
        unknown = [label for label in labels if label not in known]
        if unknown:
            raise click.UsageError(
                f"unknown or unavailable backend {', '.join(unknown)}; installed: {', '.join(sorted(known))}"
            )
        variants = [v for v in variants if v.label in labels or v.label == "numba"]
    length = None if settings.schedule is not None else (duration or settings.duration)
    report = run_verify(
        settings.network,
        settings.schedule,
        length,
        seeds=[settings.seed + k for k in range(seeds)],
        variants=variants,
        record=settings.record,
        statistics=True if statistics else None,
    )
    click.echo(format_report(report))
    if not report.passed:
        raise SystemExit(1)



if __name__ == "__main__":  # pragma: no cover
    main()
