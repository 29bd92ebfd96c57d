"""Shared fixtures for the results tests (matplotlib forced onto the Agg backend)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from spikemem.results import PhaseInfo, Recording, SpikeTrains, StateTrace  # noqa: E402

DT = 0.1


def build_recording() -> Recording:
    """A small recording using every field: a firing, a silent and an unrecorded population."""
    rng = np.random.default_rng(7)
    steps = np.sort(rng.integers(0, 3000, 500))
    ids = rng.integers(0, 40, 500)
    order = np.lexsort((ids, steps))
    values_v = rng.normal(-65.0, 2.0, (30, 3))
    values_v[4, 1] = np.nan  # NaN must survive a round trip
    return Recording(
        dt=DT,
        populations={"exc": 40, "inh": 10, "input": 5},
        spikes={
            "exc": SpikeTrains(steps[order], ids[order], DT),
            "inh": SpikeTrains.empty(DT),
        },
        state={
            "exc": StateTrace(
                np.arange(30) * 100,
                np.array([0, 7, 39]),
                {"v": values_v, "isyn_exc": rng.random((30, 3)), "isyn_inh": -rng.random((30, 3))},
                DT,
            ),
        },
        weights={
            "store": {"exc_exc": rng.random(17), "inp_exc": np.zeros(0)},
            "recall": {"exc_exc": rng.random(17)},
        },
        phases=[PhaseInfo("store", 0, 1000), PhaseInfo("recall", 1000, 3000)],
        meta={
            "backend": "numba",
            "seed": 3,
            "numerics": "exact",
            "versions": {"numpy": np.__version__},
            "timings": {"run_s": np.float64(0.25)},
            "ir_hash": "abc123",
        },
    )


@pytest.fixture
def recording() -> Recording:
    return build_recording()
