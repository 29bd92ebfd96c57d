"""Shared PyNN lowering: IR -> PyNN calls on an injectable simulator module.

Used by the ``spinnaker`` backend (``pyNN.spiNNaker``) and the ``nest`` backend (``pyNN.nest``);
:mod:`.lowering` is numpy only, :mod:`.build` makes the calls on a simulator module passed in.
"""

from .lowering import (
    NEST,
    SPINNAKER,
    ConnectorPlan,
    Dialect,
    NetworkPlan,
    PhasePlan,
    PopulationPlan,
    ProjectionPlan,
    SynapsePlan,
    lower_cell,
    lower_connector,
    lower_network,
    lower_plasticity,
)

__all__ = [
    "NEST",
    "SPINNAKER",
    "ConnectorPlan",
    "Dialect",
    "NetworkPlan",
    "PhasePlan",
    "PopulationPlan",
    "ProjectionPlan",
    "SynapsePlan",
    "lower_cell",
    "lower_connector",
    "lower_network",
    "lower_plasticity",
]
