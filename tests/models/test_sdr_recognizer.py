"""The spiking SDR recognizer against Eqs. 4, 6 and 8 (Ahmad & Hawkins 2016)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from spikemem import ir
from spikemem.models.sdr_recognizer import DEFAULT_CONFIGS, RecognizerParams, measure


@pytest.mark.parametrize("params", DEFAULT_CONFIGS, ids=lambda p: f"{p.kind}-{p.equation}-n{p.n}-M{p.segments}-v{p.noise}-J{p.jitter}")
def test_measured_rate_agrees_with_the_exact_equation(params):
    result = measure(params)
    assert result.hits > 0, "the configuration must produce events to test anything"
    assert result.agrees, result.row()


def test_a_wrong_threshold_is_detected():
    """Sensitivity: the same measurement is far outside the interval of theta + 1's value."""
    params = DEFAULT_CONFIGS[0]
    result = measure(params)
    wrong = dataclasses.replace(params, theta=params.theta + 1).theory
    assert not result.interval[0] <= wrong <= result.interval[1]


def test_lowered_recognizer_gives_the_same_spikes():
    params = dataclasses.replace(DEFAULT_CONFIGS[3], presentations=20)
    native, lowered = measure(params), measure(params, lowered=True)
    np.testing.assert_array_equal(native.soma_spikes["steps"], lowered.soma_spikes["steps"])
    np.testing.assert_array_equal(native.soma_spikes["ids"], lowered.soma_spikes["ids"])


def test_bad_parameters_name_themselves():
    with pytest.raises(ir.IRValidationError, match="jitter"):
        RecognizerParams(window=2.0, jitter=2)
    with pytest.raises(ir.IRValidationError, match="noise"):
        RecognizerParams(kind="false_negative", n=200, a=128, noise=100)
