"""Shared settings for the SDR tests (matplotlib forced onto the Agg backend)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
