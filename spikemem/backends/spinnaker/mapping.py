"""What sPyNNaker's mapping produced: cores, chips and SDRAM per population, read from its data
view after ``sim.run`` (before ``sim.end``)."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["MappingReport", "collect_mapping"]


@dataclass
class MappingReport:
    """Resources a network used after sPyNNaker's mapping (virtual board or hardware).

    Attributes
    ----------
    network : str
        Network name.
    machine : str
        The machine (``"virtual SpiNN-5 (48 chips)"``, a board host, a spalloc server).
    dt : float
        Time step (ms).
    time_scale_factor : float
        Time scale factor used (1 = real time).
    n_cores : int
        Application cores: neuron, synapse, source and delay-extension cores (system cores
        such as monitors excluded).
    n_system_cores : int
        Monitor / packet-gatherer cores sPyNNaker placed.
    n_chips : int
        Chips holding at least one application core.
    n_machine_chips : int
        Chips of the (virtual) machine.
    populations : dict
        Per population: ``cores`` (all its cores), ``neuron_cores``, ``synapse_cores``,
        ``slices`` (neuron index ranges per neuron core, inclusive) and ``sdram_bytes``
        (largest SDRAM need of one of its cores) and, for neuron populations,
        ``ring_buffer_shifts`` (left shift per receptor: excitatory, inhibitory; the weight step
        is ``2^(shift - 15)`` nA).
    delay_extension_cores : int
        Cores running delay extensions.
    sdram_bytes : dict
        Over application cores: ``max``, ``mean`` and ``total`` SDRAM planned (bytes) for the
        run length.
    core_types : dict
        Machine vertex class -> number of cores.
    warnings : list of str
        Warnings sPyNNaker logged while mapping.
    run_dir : str or None
        Folder holding sPyNNaker's reports (``None`` once removed).
    mapping_s : float
        Wall time from ``sim.setup`` to the end of the run (s).
    """

    network: str
    machine: str
    dt: float
    time_scale_factor: float
    n_cores: int
    n_system_cores: int
    n_chips: int
    n_machine_chips: int
    populations: dict
    delay_extension_cores: int
    sdram_bytes: dict
    core_types: dict
    warnings: list = field(default_factory=list)
    run_dir: str | None = None
    mapping_s: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """Plain, JSON-serialisable form."""
        return asdict(self)

    def to_json(self) -> str:
        """The report as indented JSON."""
        return json.dumps(self.to_dict(), indent=2) + "\n"

    def summary(self) -> str:
        """A few lines for the terminal."""
        lines = [
            f"{self.network} mapped on {self.machine} (dt {self.dt:g} ms, "
            f"time scale factor {self.time_scale_factor:g}) in {self.mapping_s:.3g} s",
            f"  {self.n_cores} application cores on {self.n_chips} chip(s) "
            f"(+{self.n_system_cores} system cores); {self.delay_extension_cores} delay-extension cores",
            f"  SDRAM per core: max {self.sdram_bytes.get('max', 0) / 1024:.0f} KiB, "
            f"mean {self.sdram_bytes.get('mean', 0) / 1024:.0f} KiB",
        ]
        for name, info in self.populations.items():
            detail = f"{info['neuron_cores']} neuron core{'s' if info['neuron_cores'] != 1 else ''}"
            if info["synapse_cores"]:
                detail += f" + {info['synapse_cores']} synapse core{'s' if info['synapse_cores'] != 1 else ''}"
            lines.append(f"    {name:<20} {info['cores']:>4} cores ({detail})")
        if self.warnings:
            lines.append(f"  {len(self.warnings)} warning(s) from sPyNNaker, first: {self.warnings[0][:160]}")
        return "\n".join(lines)


def _kind(vertex: Any) -> str:
    name = type(vertex).__name__
    if "Delay" in name:
        return "delay"
    if "Synapses" in name:
        return "synapse"
    return "neuron"


def _app_label(vertex: Any) -> str:
    app = vertex.app_vertex
    return str(getattr(app, "label", None) or type(app).__name__)


def collect_mapping(
    *,
    network: str,
    machine: str,
    n_timesteps: int,
    population_names: list[str],
    warnings: list[str],
    run_dir: str | None,
    mapping_s: float,
) -> MappingReport:
    """Read the placements of the current sPyNNaker run.

    Parameters
    ----------
    network, machine : str
        For the report.
    n_timesteps : int
        Run length in steps (SDRAM for recording depends on it).
    population_names : list of str
        IR population names (the PyNN labels), to attribute cores.
    warnings : list of str
        Warnings collected during the session.
    run_dir : str or None
        Where the reports are.
    mapping_s : float
        Wall time (s).
    """
    from spinn_front_end_common.data import FecDataView

    placements = list(FecDataView.iterate_placemements())
    app = [p for p in placements if p.vertex.app_vertex is not None]
    system = [p for p in placements if p.vertex.app_vertex is None]
    per_pop: dict[str, dict] = {
        n: {"cores": 0, "neuron_cores": 0, "synapse_cores": 0, "slices": [], "sdram_bytes": 0}
        for n in population_names
    }
    sdram = []
    delay_cores = 0
    for placement in app:
        vertex = placement.vertex
        kind = _kind(vertex)
        try:
            need = int(vertex.sdram_required.get_total_sdram(n_timesteps))
        except Exception:  # noqa: BLE001 - a vertex without an SDRAM estimate
            need = 0
        sdram.append(need)
        if kind == "delay":
            delay_cores += 1
            continue
        label = _app_label(vertex)
        info = per_pop.setdefault(
            label, {"cores": 0, "neuron_cores": 0, "synapse_cores": 0, "slices": [], "sdram_bytes": 0}
        )
        info["cores"] += 1
        info[f"{kind}_cores"] += 1
        info["sdram_bytes"] = max(info["sdram_bytes"], need)
        if kind == "neuron":
            s = vertex.vertex_slice
            info["slices"].append([int(s.lo_atom), int(s.hi_atom)])
    for info in per_pop.values():
        info["slices"].sort()
    for app_vertex in {p.vertex.app_vertex for p in app}:
        label = str(getattr(app_vertex, "label", ""))
        if label in per_pop and hasattr(app_vertex, "get_ring_buffer_shifts"):
            try:
                per_pop[label]["ring_buffer_shifts"] = [int(x) for x in app_vertex.get_ring_buffer_shifts()]
            except Exception:  # noqa: BLE001 - informative only
                pass
    try:
        n_machine_chips = int(FecDataView.get_machine().n_chips)
    except Exception:  # noqa: BLE001
        n_machine_chips = 0
    try:
        tsf = float(FecDataView.get_time_scale_factor())
    except Exception:  # noqa: BLE001
        tsf = 1.0
    dt = float(FecDataView.get_simulation_time_step_ms())
    total = sum(sdram)
    return MappingReport(
        network=network,
        machine=machine,
        dt=dt,
        time_scale_factor=tsf,
        n_cores=len(app),
        n_system_cores=len(system),
        n_chips=len({(p.x, p.y) for p in app}),
        n_machine_chips=n_machine_chips,
        populations=per_pop,
        delay_extension_cores=delay_cores,
        sdram_bytes={
            "max": max(sdram, default=0),
            "mean": total / len(sdram) if sdram else 0.0,
            "total": total,
        },
        core_types=dict(Counter(type(p.vertex).__name__ for p in placements)),
        warnings=list(warnings),
        run_dir=run_dir,
        mapping_s=mapping_s,
    )
