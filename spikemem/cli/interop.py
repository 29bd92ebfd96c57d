"""``spikemem export --to nir NETWORK`` and ``spikemem import FILE.nir``: the NIR bridge on the
command line (:mod:`spikemem.interop.nir`, ``docs/nir.md``)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import click

import spikemem

from ..config import load_config
from ..ir import IRValidationError, UnsupportedFeature
from .options import dt_option, output_file_option, seed_option
from .output import echo_run_summary

__all__ = ["export_command", "import_command"]


def _load_network(path: Path, seed: int | None) -> tuple[Any, int]:
    """A network from a run config (``.toml``) or a file written by ``Network.save`` (``.json``),
    and the seed to resolve its random connectors with."""
    suffix = path.suffix.lower()
    try:
        if suffix == ".toml":
            settings = load_config(path)
            return settings.network, settings.seed if seed is None else seed
        if suffix == ".json":
            return spikemem.ir.Network.load(path), 0 if seed is None else seed
    except (IRValidationError, ValueError, OSError) as error:
        raise click.ClickException(f"could not read {path}: {error}") from error
    raise click.BadParameter(
        f"{path.name}: expected a run config (.toml) or a network saved with Network.save (.json)",
        param_hint="NETWORK",
    )


def _nir_bridge() -> Any:
    """:mod:`spikemem.interop.nir`, or a one-line click error saying how to install ``nir``."""
    try:
        import nir  # noqa: F401

        from ..interop import nir as bridge
    except ImportError as error:
        raise click.ClickException(
            "the NIR bridge needs the 'nir' package: pip install 'spikemem[nir]'"
        ) from error
    return bridge


@click.command("export")
@click.argument("network", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--to", "target", type=click.Choice(["nir"]), default="nir", show_default=True, help="Target format."
)
@output_file_option("Output file (.nir).")
@click.option(
    "--time-unit",
    type=click.Choice(["ms", "s"]),
    default="ms",
    show_default=True,
    help="Unit of time constants and delays in the graph.",
)
@dt_option("Time step in ms (default: the network's).")
@seed_option("Seed for random connectors (default: [run] seed or 0).")
@click.option(
    "--allow-unsupported",
    is_flag=True,
    help="Export what NIR can express and label the rest 'unsupported' instead of failing.",
)
def export_command(
    network: Path,
    target: str,
    out: Path,
    time_unit: str,
    dt: float | None,
    seed: int | None,
    allow_unsupported: bool,
) -> None:
    """Export NETWORK (a run config .toml, or a .json written by Network.save) to a NIR graph.

    Prints the fidelity of every node: faithful, approximate or unsupported, with the reasons.
    """
    bridge = _nir_bridge()
    net, seed = _load_network(network, seed)
    try:
        report = bridge.write_nir(
            net, out, dt=dt, time_unit=time_unit, strict=not allow_unsupported, seed=seed
        )
    except UnsupportedFeature as error:
        raise click.ClickException(f"{error} (on the command line: --allow-unsupported)") from error
    except IRValidationError as error:
        raise click.ClickException(str(error)) from error
    except OSError as error:
        raise click.ClickException(f"could not write {out}: {error}") from error
    labels = (bridge.FAITHFUL, bridge.APPROXIMATE, bridge.UNSUPPORTED)
    counts = {label: sum(e.fidelity == label for e in report) for label in labels}
    click.echo(
        f"wrote {out}: network {net.name!r} as {target.upper()}, {len(report.labels())} nodes "
        f"({', '.join(f'{n} {label}' for label, n in counts.items())})"
    )
    click.echo(report.table())


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@output_file_option("Network file to write (.json, with a sibling .npz).")
@dt_option("Time step in ms (default: the graph's, else 0.1).")
@click.option(
    "--time-unit", type=click.Choice(["ms", "s"]), help="Time unit of the graph (default: metadata or ms)."
)
@click.option("--no-metadata", is_flag=True, help="Ignore spikemem's metadata: the graph's equations only.")
@click.option(
    "--run",
    "duration",
    type=click.FloatRange(0, 1e9, min_open=True),
    help="Also run the network on numba for this many ms and print spike counts.",
)
@seed_option("Seed for --run.", default=0)
def import_command(
    file: Path,
    out: Path,
    dt: float | None,
    time_unit: str | None,
    no_metadata: bool,
    duration: float | None,
    seed: int,
) -> None:
    """Import the NIR graph in FILE, write it as a spikemem network, print a summary."""
    bridge = _nir_bridge()
    if out.suffix.lower() != ".json":
        raise click.BadParameter(
            f"{out.name}: the network is written as JSON (+ .npz): use a .json name", param_hint="--out"
        )
    try:
        graph = bridge.read_nir_graph(file)
        net, report = bridge.from_nir_with_report(
            graph, dt=dt, time_unit=time_unit, use_metadata=not no_metadata
        )
    except (IRValidationError, UnsupportedFeature) as error:
        raise click.ClickException(f"could not import {file}: {error}") from error
    try:
        net.save(out)
    except OSError as error:
        raise click.ClickException(f"could not write {out}: {error}") from error
    click.echo(f"wrote {out}: network {net.name!r}, dt {net.dt:g} ms, numerics {net.numerics!r}")
    click.echo(f"  {'population':<20}{'cell':<20}{'size':>8}")
    for pop in net.populations:
        click.echo(f"  {pop.name:<20}{pop.cell.kind:<20}{pop.size:>8}")
    click.echo(f"  {'projection':<20}{'pre -> post':<30}{'receptor':<12}{'synapses':>9}")
    for proj in net.projections:
        ends = f"{proj.pre.name} -> {proj.post.name}"
        click.echo(f"  {proj.name:<20}{ends:<30}{proj.receptor:<12}{proj.connector.pre.size:>9}")
    click.echo(report.table())
    if duration is not None:
        started = time.perf_counter()
        try:
            recording = spikemem.compile(net, backend="numba", seed=seed).run(duration)
        except (IRValidationError, UnsupportedFeature) as error:
            raise click.ClickException(str(error)) from error
        wall = time.perf_counter() - started
        echo_run_summary(f"{net.name!r} on numba, seed {seed}", duration, recording, wall)
