"""The results of :func:`~.estimate_spinnaker`: per population, per projection, and in all."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from ....tables import text_table

__all__ = ["PopulationEstimate", "ProjectionQuantisation", "SpiNNakerEstimate"]


@dataclass
class PopulationEstimate:
    """Resources of one population.

    Attributes
    ----------
    name : str
        Population name.
    size : int
        Neurons.
    kind : {"neuron", "source"}
        Neuron population or spike source.
    neurons_per_core : int
        Largest slice.
    neuron_cores : int
        Slices (cores running neurons or sources).
    synapse_cores : int
        Separate synapse cores (``dt < 1 ms`` only), all slices together.
    delay_extension_cores : int
        Cores of the delay extension fed by this population (0 if none).
    synaptic_matrix_bytes : int
        SDRAM for the synaptic matrices of one core (the largest slice).
    recording_bytes : int
        SDRAM for the recordings of one core over the run.
    sdram_bytes : int
        Estimated SDRAM of one core (matrices + recordings + neuron state).
    max_delay_steps : int
        Longest incoming delay (steps).
    delay_slots : int
        Delay slots of a core's ring buffer.
    """

    name: str
    size: int
    kind: str
    neurons_per_core: int
    neuron_cores: int
    synapse_cores: int = 0
    delay_extension_cores: int = 0
    synaptic_matrix_bytes: int = 0
    recording_bytes: int = 0
    sdram_bytes: int = 0
    max_delay_steps: int = 0
    delay_slots: int = 0

    @property
    def cores(self) -> int:
        """Neuron (or source) cores plus synapse cores."""
        return self.neuron_cores + self.synapse_cores


@dataclass
class ProjectionQuantisation:
    """How a projection's weights survive sPyNNaker's 16-bit weights.

    Attributes
    ----------
    projection, post, receptor : str
        The projection, its postsynaptic population and receptor.
    shift : int
        Ring-buffer left shift ``s`` of (post, receptor); the weight step is ``2^(s-15)`` nA.
    resolution : float
        Weight step (nA; mV onto ``IF_curr_delta``).
    max_weight : float
        Largest representable weight (nA): ``(2^16 - 1)·resolution``.
    n_synapses : int
        Synapses.
    n_zero : int
        Weights that are 0 in the network.
    n_round_to_zero : int
        Non-zero weights that become 0 on the board.
    max_relative_error : float
        Largest ``|w_q - w|/|w|`` over the non-zero weights that stay non-zero.
    max_abs_error : float
        Largest ``|w_q - w|`` (nA).
    stdp_steps : dict or None
        For STDP: ``A_plus`` and ``A_minus`` in nA and in weight steps (a change below one step
        is lost; the board accumulates in 16-bit weights).
    """

    projection: str
    post: str
    receptor: str
    shift: int
    resolution: float
    max_weight: float
    n_synapses: int
    n_zero: int
    n_round_to_zero: int
    max_relative_error: float
    max_abs_error: float
    stdp_steps: dict | None = None


@dataclass
class SpiNNakerEstimate:
    """The result of :func:`estimate_spinnaker`.

    Attributes
    ----------
    network : str
        Network name.
    dt : float
        Time step (ms).
    version : int
        Board version (3 or 5).
    boards : int
        Boards available (SpiNN-3: 1).
    time_scale_factor : float
        Time scale factor assumed.
    recommended_time_scale_factor : float
        Smallest time scale factor at which the synaptic load fits the cores' throughput.
    split_cores : bool
        Whether sPyNNaker uses separate synapse cores (``dt < 1 ms``).
    populations : list of PopulationEstimate
        Per population.
    projections : list of ProjectionQuantisation
        Per projection.
    n_cores, n_chips, n_boards_needed : int
        Application cores, chips and boards needed.
    chips_available : int
        Chips of the boards available.
    fits : bool
        Whether the network fits (no reason in ``reasons``).
    reasons : list of str
        Why it does not fit.
    warnings : list of str
        Problems that do not stop mapping (weights rounding to zero, overload risk...).
    advice : list of str
        Time step and time scale factor advice.
    """

    network: str
    dt: float
    version: int
    boards: int
    time_scale_factor: float
    recommended_time_scale_factor: float
    split_cores: bool
    populations: list
    projections: list
    n_cores: int
    n_chips: int
    n_boards_needed: int
    chips_available: int
    fits: bool
    reasons: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    advice: list = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Plain, JSON-serialisable form (population cores included)."""
        data = asdict(self)
        for pop, entry in zip(self.populations, data["populations"], strict=True):
            entry["cores"] = pop.cores
        return data

    def to_json(self) -> str:
        """Indented JSON."""
        return json.dumps(self.to_dict(), indent=2, default=float) + "\n"

    def summary(self) -> str:
        """A human-readable report."""
        board = {3: "SpiNN-3", 5: "SpiNN-5"}[self.version]
        verdict = "FITS" if self.fits else "DOES NOT FIT"
        lines = [
            f"{self.network} on {self.boards} x {board} (dt {self.dt:g} ms, time scale factor "
            f"{self.time_scale_factor:g}): {verdict}",
            f"  {self.n_cores} cores on {self.n_chips} chip(s) of {self.chips_available}; "
            f"{self.n_boards_needed} board(s) needed"
            + ("; separate synapse cores (dt < 1 ms)" if self.split_cores else ""),
            "",
        ]
        lines += text_table(
            ["population", "size", "n/core", "cores", "syn", "delay", "matrix KiB", "SDRAM KiB"],
            (
                [
                    p.name,
                    p.size,
                    p.neurons_per_core,
                    p.cores,
                    p.synapse_cores,
                    p.delay_extension_cores,
                    f"{p.synaptic_matrix_bytes / 1024:.1f}",
                    f"{p.sdram_bytes / 1024:.1f}",
                ]
                for p in self.populations
            ),
        )
        projections = text_table(
            ["projection", "post/receptor", "step nA", "->0", "max rel err"],
            (
                [
                    q.projection,
                    f"{q.post}/{q.receptor[:3]}",
                    f"{q.resolution:.3g}",
                    q.n_round_to_zero,
                    f"{q.max_relative_error:.2e}",
                ]
                for q in self.projections
            ),
            align="llrrr",
        )
        lines += ["", projections[0]]
        for q, line in zip(self.projections, projections[1:], strict=True):
            lines.append(line)
            if q.stdp_steps:
                s = q.stdp_steps
                lines.append(
                    f"    STDP A+ {s['A_plus']:.3g} nA = {s['A_plus_steps']:.1f} steps, "
                    f"A- {s['A_minus']:.3g} nA = {s['A_minus_steps']:.1f} steps"
                )
        for title, items in (
            ("Does not fit", self.reasons),
            ("Warnings", self.warnings),
            ("Advice", self.advice),
        ):
            if items:
                lines += ["", f"  {title}:"] + [f"  - {item}" for item in items]
        return "\n".join(lines)
