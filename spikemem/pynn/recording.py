"""What a population records, segment by segment, and its Neo form (PyNN's layout and units).

A :class:`Recorder` belongs to one population. It keeps which neurons record which variables
(``spikes``, ``v``, ``isyn_exc``, ``isyn_inh``), the sampling interval, and the data of every
segment (one per ``reset()``). :meth:`Recorder.block` returns a ``neo.Block`` as PyNN does:

* the Block is named after the population's label and annotated with ``size``,
  ``first_index``, ``last_index``, ``first_id``, ``last_id``, ``label``, ``simulator``, ``dt``
  (ms) and ``mpi_processes``;
* one Segment per run since ``setup()``/``reset()``, named ``segment000``, ``segment001``...;
* one ``neo.SpikeTrain`` per recorded neuron (units ms, ``t_start`` 0, ``t_stop`` the
  segment's end), annotated ``source_population``, ``source_id``, ``channel_id`` (the ID) and
  ``source_index`` (the index in the population);
* one ``neo.AnalogSignal`` per variable (units mV or nA, ``sampling_period`` the interval, one
  column per recorded neuron, ``channel_ids``/``array_annotations["channel_index"]``).

Times: a spike emitted in step ``k`` is at ``k·dt`` (spikemem's and sPyNNaker's rule); a sample
at time ``t`` is the state at ``t`` (the initial value at 0, then the state after the step
ending at ``t``), every ``sampling_interval`` from 0 to before the segment's end.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..ir.errors import IRValidationError
from ..ir.serialize import atomic_path
from ..results.neo_bridge import _import_neo
from ..results.traces import STATE_UNITS

__all__ = ["Recorder", "write_block"]

STATE_VARIABLES = ("v", "isyn_exc", "isyn_inh")
"""Sampled state variables the engines provide (mV, nA, nA)."""


@dataclass
class SegmentStore:
    """The data of one segment: spikes by step and population index, samples by time step."""

    index: int
    stop_step: int | None = None
    spike_steps: list[np.ndarray] = field(default_factory=list)
    spike_ids: list[np.ndarray] = field(default_factory=list)
    sample_chunks: dict[str, list[tuple[np.ndarray, np.ndarray, np.ndarray]]] = field(default_factory=dict)
    """Variable -> chunks of (time steps, sampled neuron indices, values (steps × neurons))."""

    def spikes(self) -> tuple[np.ndarray, np.ndarray]:
        """All spikes so far: (steps, indices)."""
        if not self.spike_steps:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        return np.concatenate(self.spike_steps), np.concatenate(self.spike_ids)

    def samples(self, variable: str, chosen: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
        """All samples of ``variable`` for the neurons ``chosen``: (time steps, values of shape
        (samples, chosen)); NaN where a neuron was not sampled yet."""
        steps, blocks = [], []
        lookup = np.full(size, -1, dtype=np.int64)
        for time_steps, columns, values in self.sample_chunks.get(variable, []):
            lookup[:] = -1
            lookup[columns] = np.arange(columns.size)
            where = lookup[chosen]
            block = np.full((time_steps.size, chosen.size), np.nan)
            block[:, where >= 0] = values[:, where[where >= 0]]
            steps.append(time_steps)
            blocks.append(block)
        if not steps:
            return np.zeros(0, np.int64), np.zeros((0, chosen.size))
        return np.concatenate(steps), np.concatenate(blocks)


class Recorder:
    """Recording requests and data of one population.

    Parameters
    ----------
    size : int
        Number of neurons.
    recordable : tuple of str
        Variables the cell type can record.
    """

    def __init__(self, size: int, recordable: tuple[str, ...]) -> None:
        self.size = size
        self.recordable = recordable
        self.requested: dict[str, np.ndarray] = {}
        """Variable -> boolean mask of the neurons recording it."""
        self.interval_steps = 1
        self.segments: list[SegmentStore] = [SegmentStore(index=0)]

    # -- requests --------------------------------------------------------------------------------
    def record(self, variables: Any, indices: np.ndarray, interval_steps: int | None, owner: str) -> None:
        """Record ``variables`` (a name, a list, ``"all"`` or ``None`` to stop) of ``indices``.

        Raises
        ------
        IRValidationError
            For a variable the cell type cannot record.
        """
        if variables is None:
            for mask in self.requested.values():
                mask[indices] = False
            return
        if isinstance(variables, str):
            variables = list(self.recordable) if variables == "all" else [variables]
        for variable in variables:
            if variable not in self.recordable:
                raise IRValidationError(owner, "record variable", variable, ", ".join(self.recordable))
            self.requested.setdefault(variable, np.zeros(self.size, dtype=bool))[indices] = True
        if interval_steps is not None:
            self.interval_steps = interval_steps

    def recorded(self, variable: str) -> bool:
        """Whether any neuron records ``variable``."""
        return variable in self.requested and bool(self.requested[variable].any())

    @property
    def state_variables(self) -> tuple[str, ...]:
        """The sampled variables recorded by at least one neuron."""
        return tuple(v for v in STATE_VARIABLES if self.recorded(v))

    # -- data ------------------------------------------------------------------------------------
    @property
    def current(self) -> SegmentStore:
        """The segment being recorded."""
        return self.segments[-1]

    def add_spikes(self, steps: np.ndarray, indices: np.ndarray) -> None:
        """Store spikes (steps, population indices) of recording neurons."""
        if not self.recorded("spikes"):
            return
        keep = self.requested["spikes"][indices]
        self.current.spike_steps.append(steps[keep])
        self.current.spike_ids.append(indices[keep])

    def sampled(self) -> np.ndarray:
        """Indices of the neurons that record a state variable (memory is O(samples × these))."""
        masks = [self.requested[v] for v in STATE_VARIABLES if v in self.requested]
        return np.flatnonzero(np.logical_or.reduce(masks)) if masks else np.zeros(0, np.int64)

    def add_samples(
        self, variable: str, time_steps: np.ndarray, columns: np.ndarray, values: np.ndarray
    ) -> None:
        """Store samples of ``variable`` at ``time_steps`` (one row each) of the neurons
        ``columns`` (one column each); rows off the sampling grid are dropped."""
        keep = time_steps % self.interval_steps == 0
        if keep.any():
            chunk = (time_steps[keep], np.asarray(columns, dtype=np.int64), values[keep])
            self.current.sample_chunks.setdefault(variable, []).append(chunk)

    def new_segment(self, stop_step: int) -> None:
        """Close the current segment at ``stop_step`` and open the next."""
        self.current.stop_step = stop_step
        self.segments.append(SegmentStore(index=self.current.index + 1))

    def clear(self) -> None:
        """Forget the data recorded so far (``get_data(clear=True)``)."""
        index = self.current.index
        self.segments = [SegmentStore(index=index)]

    # -- Neo -------------------------------------------------------------------------------------
    def block(
        self,
        indices: np.ndarray,
        variables: Any,
        *,
        label: str,
        first_id: int,
        now_step: int,
        dt: float,
        annotations: dict[str, Any],
        units: dict[str, str],
        description: str,
    ) -> Any:
        """The data of the neurons ``indices`` as a ``neo.Block`` (see the module docstring)."""
        neo, pq = _import_neo()
        wanted = self._wanted(variables)
        block = neo.Block(name=label, description=description)
        block.annotate(**annotations)
        for store in self.segments:
            stop_step = now_step if store.stop_step is None else store.stop_step
            segment = neo.Segment(name=f"segment{store.index:03d}", description=description)
            t_stop = stop_step * dt
            for variable in wanted:
                chosen = indices[self.requested[variable][indices]]
                if variable == "spikes":
                    self._spike_trains(neo, pq, segment, store, chosen, label, first_id, t_stop, dt)
                else:
                    self._signal(
                        neo, pq, segment, store, variable, chosen, label, first_id, stop_step, dt, units
                    )
            segment.block = block
            block.segments.append(segment)
        return block

    def _wanted(self, variables: Any) -> list[str]:
        if variables == "all" or variables is None:
            names = list(self.recordable)
        elif isinstance(variables, str):
            names = [variables]
        else:
            names = list(variables)
        return [v for v in names if self.recorded(v)]

    def _spike_trains(
        self,
        neo: Any,
        pq: Any,
        segment: Any,
        store: SegmentStore,
        chosen: np.ndarray,
        label: str,
        first_id: int,
        t_stop: float,
        dt: float,
    ) -> None:
        from neo.core.spiketrainlist import SpikeTrainList

        steps, ids = store.spikes()
        keep = np.isin(ids, chosen)
        order = np.lexsort((steps[keep], ids[keep]))  # by neuron, then time
        channels = first_id + chosen.astype(np.int64)
        trains = SpikeTrainList.from_spike_time_array(
            steps[keep][order] * dt * pq.ms,
            first_id + ids[keep][order],
            channels,
            t_stop=t_stop * pq.ms,
            units="ms",
            t_start=0.0 * pq.ms,
            source_population=label,
            source_id=channels,
            source_index=chosen.astype(np.int64),
        )
        trains.segment = segment
        segment.spiketrains = trains

    def _signal(
        self,
        neo: Any,
        pq: Any,
        segment: Any,
        store: SegmentStore,
        variable: str,
        chosen: np.ndarray,
        label: str,
        first_id: int,
        stop_step: int,
        dt: float,
        units: dict[str, str],
    ) -> None:
        steps, values = store.samples(variable, chosen, self.size)
        keep = steps < stop_step
        steps, values = steps[keep], values[keep]
        if not steps.size:
            return
        signal = neo.AnalogSignal(
            np.array(values),
            units=units.get(variable, STATE_UNITS.get(variable, "dimensionless")),
            t_start=float(steps[0]) * dt * pq.ms,
            sampling_period=self.interval_steps * dt * pq.ms,
            name=variable,
            source_population=label,
            channel_ids=first_id + chosen.astype(np.int64),
            array_annotations={"channel_index": chosen.astype(np.int64)},
        )
        signal.segment = segment
        segment.analogsignals.append(signal)


def write_block(block: Any, io: Any) -> None:
    """Write ``block`` with a Neo IO object, or to a file name (its extension picks the IO:
    ``.pkl``, ``.h5``/``.nix``, ``.mat``...), atomically (a temporary file, then a rename).

    Raises
    ------
    IRValidationError
        For a file name whose extension Neo cannot write.
    """
    neo, _ = _import_neo()
    if not isinstance(io, (str, os.PathLike)):
        io.write_block(block)
        return
    path = Path(io)
    suffix = path.suffix.lower()
    writers = {".pkl": neo.io.PickleIO, ".pickle": neo.io.PickleIO, ".mat": neo.io.NeoMatlabIO}
    if suffix in (".h5", ".nix"):
        writers[suffix] = neo.io.NixIO
    if suffix not in writers:
        raise IRValidationError(
            "write_data", "io", str(io), "a Neo IO object or a .pkl, .h5, .nix or .mat file name"
        )
    with atomic_path(path) as temporary:
        writer = writers[suffix](
            str(temporary), **({"mode": "ow"} if writers[suffix] is neo.io.NixIO else {})
        )
        writer.write_block(block)
        if hasattr(writer, "close"):
            writer.close()
