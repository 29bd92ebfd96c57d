"""The every-node network, re-exported from the shared ``tests/networks.py`` for
``test_nir_bridge.py`` (``from .networks import every_node_network``) until that file imports the
shared module directly; then this file goes."""

from __future__ import annotations

from networks import every_node_network, every_node_schedule

__all__ = ["every_node_network", "every_node_schedule"]
