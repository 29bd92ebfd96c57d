"""The SpiNNaker backend: the shared PyNN lowering run on ``pyNN.spiNNaker`` (sPyNNaker 1!7.4.1).

``spikemem.compile(network, backend="spinnaker", virtual=True)`` maps on a virtual board;
``board=HOST, version=5`` or ``spalloc=URL`` run on hardware (see :mod:`.config`,
``docs/spinnaker.md`` and ``hw/spinnaker/RUNBOOK.md``).
"""

from .config import MachineConfig, SpiNNakerConfigError, hardware_configured, machine_config
from .engine import SpiNNakerBackend, SpiNNakerRunnable, write_mapping
from .mapping import MappingReport
from .virtual import map_network_virtual

__all__ = [
    "MachineConfig",
    "MappingReport",
    "SpiNNakerBackend",
    "SpiNNakerConfigError",
    "SpiNNakerRunnable",
    "hardware_configured",
    "machine_config",
    "map_network_virtual",
    "write_mapping",
]
