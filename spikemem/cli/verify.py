"""``spikemem verify CONFIG``: one network on every installed backend, compared with Numba."""

from __future__ import annotations

from pathlib import Path

import click

from .options import config_argument, duration_option
from .output import load_settings

__all__ = ["verify_command"]


@click.command("verify")
@config_argument
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
@duration_option
@click.option("--statistics", is_flag=True, help="Compare statistically even the spike-exact backends.")
@click.option("--no-standalone", is_flag=True, help="Leave out Brian2's cpp_standalone device (a C++ build).")
@click.option(
    "--connectivity",
    type=click.Choice(["resolved", "native"]),
    default="resolved",
    show_default=True,
    help="native: each backend draws the random connectors itself; compared statistically.",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder for the report (verify.txt) and its figure (verify.png: rates, ISIs, rasters).",
)
def verify_command(
    config: Path,
    labels: tuple[str, ...],
    seeds: int,
    duration: float | None,
    statistics: bool,
    no_standalone: bool,
    connectivity: str,
    out: Path | None,
) -> None:
    """Run the network in CONFIG on every installed backend and report its agreement with Numba.

    Spike-exact backends must give the reference's spikes (and sampled state and weights);
    the others are compared by rate, ISI CV and ISI distribution, and so is every backend with
    --connectivity native (each then draws its own synapses). Progress goes to stderr, the
    report to stdout (and, with --out, to verify.txt beside the figure verify.png). Exit status
    1 on disagreement.
    """
    from ..verify import format_report, installed_variants, verify

    settings = load_settings(config, duration)
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
    report = verify(
        settings.network,
        settings.schedule,
        length,
        seeds=[settings.seed + k for k in range(seeds)],
        variants=variants,
        record=settings.record,
        statistics=True if statistics else None,
        connectivity=connectivity,
        progress=lambda line: click.echo(line, err=True),
    )
    text = format_report(report)
    click.echo(text)
    if out is not None:
        from ..atomicio import save_figure_atomic, write_text_atomic
        from ..verify_figure import plot_report

        out.mkdir(parents=True, exist_ok=True)
        write_text_atomic(out / "verify.txt", text + "\n")
        save_figure_atomic(plot_report(report), out / "verify.png", dpi=120)
        click.echo(f"wrote {out / 'verify.txt'} and {out / 'verify.png'}")
    if not report.passed:
        raise SystemExit(1)
