"""The Numba reference engine (CPU, float64, clock-driven, deterministic)."""

from .engine import NumbaBackend, NumbaRunnable

__all__ = ["NumbaBackend", "NumbaRunnable"]
