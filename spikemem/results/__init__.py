"""Results of a run: :class:`Recording` (spikes, sampled state, weight snapshots, metadata).

Save and load with ``recording.save(path)`` / ``Recording.load(path)`` (SONATA-style HDF5,
written atomically); convert with ``recording.to_neo()`` (optional ``neo`` extra); plot with
``recording.plot_raster()`` and ``recording.plot_state(population, variable)``.
"""

from .hdf5 import RecordingFormatError
from .recording import STATE_UNITS, PhaseInfo, Recording, SpikeTrains, StateTrace

__all__ = ["STATE_UNITS", "PhaseInfo", "Recording", "RecordingFormatError", "SpikeTrains", "StateTrace"]
