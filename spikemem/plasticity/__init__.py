"""Numpy reference implementations of the plasticity rules (slow, explicit, for testing)."""

from .stdp_reference import pair_stdp_weight

__all__ = ["pair_stdp_weight"]
