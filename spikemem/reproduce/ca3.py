"""CA3 reproductions: ``ca3-functional`` (spike by spike against SpiNNaker), ``ca3-stress``,
``ca3-statemap``, and the functional experiment mapped on a virtual SpiNNaker board.

Each writes into its output folder:

- ``recording.h5``: every population's spikes (times in ms) and the plastic weights at the end
  of every operation (:meth:`spikemem.results.Recording.save`);
- ``raster.png``: populations stacked, operations marked (wrong answers in red);
- ``operations.csv`` and ``operations.md``: expected vs. obtained answer of every operation;
- ``summary.json``: counts, wall time and, for ``ca3-functional``, the spike-by-spike
  comparison with the SpiNNaker hardware recording.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from .registry import register
from .result import Check, ReproductionResult, wrote_line
from .writers import markdown_table, write_csv, write_figure, write_summary, write_text_atomic

if TYPE_CHECKING:
    from ..backends.spinnaker import MappingReport
    from ..models.ca3 import CA3Memory

__all__ = [
    "map_ca3_functional_virtual",
    "reproduce_ca3",
    "reproduce_ca3_functional",
    "reproduce_ca3_statemap",
    "reproduce_ca3_stress",
]


def _hardware_check(recording: Any, n: int) -> tuple[Check, dict[str, Any]]:
    """The spike-by-spike comparison with the SpiNNaker recording, as a check and its numbers."""
    from ..models.ca3.experiments import compare_with_hardware

    matches = compare_with_hardware(recording, n=n)
    matched = sum(m.matched for m in matches)
    expected = sum(m.expected for m in matches)
    extra = sum(m.obtained - m.matched for m in matches)
    check = Check(
        "spikes matched the SpiNNaker recording", expected, matched, matched == expected and extra == 0
    )
    numbers = {
        "spikes_matched": matched,
        "spikes_expected": expected,
        "spikes_extra": extra,
        "hardware": {
            m.name: {"expected": m.expected, "obtained": m.obtained, "matched": m.matched} for m in matches
        },
    }
    return check, numbers


def reproduce_ca3(
    name: str, memory: CA3Memory, backend: str, out: Path, *, hardware: bool = False
) -> ReproductionResult:
    """Run ``memory`` on ``backend`` and write its recording, raster, tables and summary.

    Parameters
    ----------
    name : str
        Reproduction name (file titles).
    memory : CA3Memory
        The programmed memory.
    backend : str
        Backend that runs it.
    out : Path
        Output folder (created).
    hardware : bool
        Also compare every spike with the SpiNNaker recording (the functional experiment).
    """
    from ..models.ca3.plot import plot_operations

    run = memory.run(backend=backend)
    out.mkdir(parents=True, exist_ok=True)
    files = {
        "recording": out / "recording.h5",
        "raster": out / "raster.png",
        "table_csv": out / "operations.csv",
        "table_md": out / "operations.md",
        "summary": out / "summary.json",
    }
    run.recording.save(files["recording"])
    title = f"{name} ({backend}, n={memory.n}, m={memory.m})"
    write_figure(files["raster"], plot_operations(run, title=title))
    rows = run.table()
    write_csv(files["table_csv"], rows)
    heading = f"# {name}: {run.n_correct}/{len(rows)} ideal answers\n\n"
    write_text_atomic(files["table_md"], heading + markdown_table(rows))
    checks = [
        Check(
            f"operation {row['index']}: {row['operation']}",
            (row["expected_cues"], row["expected_content"]),
            (row["obtained_cues"], row["obtained_content"]),
            bool(row["correct"]),
        )
        for row in rows
    ]
    numbers: dict[str, Any] = {
        "operations": len(rows),
        "correct": run.n_correct,
        "spikes_matched": None,
        "spikes_expected": None,
        "spikes_extra": None,
    }
    report = [
        f"{name} on {backend}: {run.n_correct}/{len(rows)} operations gave the ideal "
        f"answer ({run.wall_s:.3g} s wall)"
    ]
    if hardware:
        check, hardware_numbers = _hardware_check(run.recording, memory.n)
        checks.append(check)
        numbers.update(hardware_numbers)
        report.append(
            f"  SpiNNaker recording: {check.obtained} of {check.expected} spikes matched, "
            f"{hardware_numbers['spikes_extra']} extra"
        )
    numbers.update(
        n=memory.n,
        m=memory.m,
        simulated_ms=memory.duration_ms,
        timings=run.recording.meta.get("timings", {}),
    )
    report.append(wrote_line(files))
    result = ReproductionResult(name, backend, out, files, tuple(checks), run.wall_s, numbers, tuple(report))
    write_summary(result)
    return result


@register("ca3-functional")
def reproduce_ca3_functional(backend: str, out: Path, full: bool = False) -> ReproductionResult:
    """CA3 experiment 1 (n=5, m=10, 9 operations), compared spike by spike with SpiNNaker."""
    from ..models.ca3.experiments import functional_memory

    return reproduce_ca3("ca3-functional", functional_memory(), backend, out, hardware=True)


@register("ca3-stress")
def reproduce_ca3_stress(backend: str, out: Path, full: bool = False) -> ReproductionResult:
    """CA3 experiment 2 (n=5, m=10, 60 operations 14 ms apart)."""
    from ..models.ca3.experiments import stress_memory

    return reproduce_ca3("ca3-stress", stress_memory(), backend, out)


@register("ca3-statemap")
def reproduce_ca3_statemap(backend: str, out: Path, full: bool = False) -> ReproductionResult:
    """CA3 experiment 3 (4x4 robot state map, n=16, m=6, 20 operations)."""
    from ..models.ca3.experiments import statemap_memory

    return reproduce_ca3("ca3-statemap", statemap_memory(), backend, out)


def map_ca3_functional_virtual(out: str | Path | None = None, *, version: int = 5) -> MappingReport:
    """Map the CA3 functional experiment (n=5, m=10, 9 operations) on a virtual SpiNNaker board.

    Writes ``out/mapping.json`` (and sPyNNaker's reports under ``out/spinnaker``) when ``out``
    is given. Meant for ``spikemem reproduce ca3-functional --backend spinnaker --virtual``.

    Parameters
    ----------
    out : path, optional
        Output folder; default: none (a temporary folder, removed afterwards).
    version : int
        Board version (3 or 5).
    """
    from ..backends.spinnaker import map_network_virtual
    from ..models.ca3.experiments import functional_memory

    memory = functional_memory()
    return map_network_virtual(memory.network(), memory.schedule(), version=version, out=out)
