"""HLOP continual learning (Xiao et al., ICLR 2024): Hebbian lateral orthogonal projection.

- :mod:`~spikemem.models.hlop.training`: the spiking network, its training and evaluation
  (``Params``, ``SpikingMLP``, ``continual_learning``, ACC and BWT);
- :mod:`~spikemem.models.hlop.lateral`: the Hebbian subspace and the spiking lateral circuit;
- :mod:`~spikemem.models.hlop.network`: the trained network as IR, inference on any backend;
- :mod:`~spikemem.models.hlop.experiments`: the digits and permuted-MNIST protocols.

The training API is re-exported here: ``hlop.Params``, ``hlop.continual_learning`` ….
"""

from .training import (
    CREDITS,
    METHODS,
    NEURONS,
    ContinualResult,
    Forward,
    Params,
    SpikingMLP,
    Task,
    TaskEvent,
    backward_transfer,
    continual_learning,
    final_accuracy,
    lateral_schedule,
    paper_pmnist_lateral,
    permuted_tasks,
    task_events,
    variant,
)

__all__ = [
    # settings
    "Params",
    "NEURONS",
    "CREDITS",
    "METHODS",
    "lateral_schedule",
    "paper_pmnist_lateral",
    "variant",
    # tasks
    "Task",
    "permuted_tasks",
    # the network, its training and evaluation
    "SpikingMLP",
    "Forward",
    "TaskEvent",
    "task_events",
    "continual_learning",
    "ContinualResult",
    "backward_transfer",
    "final_accuracy",
]
