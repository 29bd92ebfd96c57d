"""Fuzzing ``Recording.load`` with damaged files: every load gives the recording that was saved
or a RecordingFormatError, never different data and never another exception (issue 15)."""

from __future__ import annotations

import shutil
from pathlib import Path

import h5py
import numpy as np
import pytest
from fuzzing import damaged, expect_clear
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spikemem.results import Recording, RecordingFormatError

pytestmark = pytest.mark.timeout(120)
FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture
def saved(tmp_path_factory, recording) -> tuple[Path, Recording]:
    """``recording`` (tests/results/conftest.py: every field, NaN in a state trace) saved once."""
    path = tmp_path_factory.mktemp("rec") / "r.h5"
    recording.save(path)
    return path, Recording.load(path)


def _load_checked(path: Path, expected: Recording, target: str) -> None:
    loaded = expect_clear(target, lambda: Recording.load(path), (RecordingFormatError,))
    if isinstance(loaded, Recording):
        assert loaded == expected, "a damaged file loaded as different data"


@FUZZ
@given(data=st.data())
def test_fuzz_byte_damage(saved, tmp_path, data):
    source, expected = saved
    path = tmp_path / "damaged.h5"
    path.write_bytes(damaged(data, source.read_bytes(), zero_block=True, insert_max=16))
    _load_checked(path, expected, "Recording.load (damaged bytes)")


NUMBERS = st.one_of(
    st.integers(-(2**63), 2**64 - 1),
    st.floats(allow_nan=True, allow_infinity=True),
)


@FUZZ
@given(data=st.data())
def test_fuzz_dataset_rewrites(saved, tmp_path, data):
    """Rewrite one dataset with other values, dtypes or shapes (the checksum is left as it was)."""
    source, expected = saved
    path = tmp_path / "edited.h5"
    shutil.copy(source, path)
    with h5py.File(path, "r+") as file:
        names: list[str] = []
        file.visititems(lambda name, item: names.append(name) if isinstance(item, h5py.Dataset) else None)
        name = data.draw(st.sampled_from(sorted(names)))
        size = data.draw(st.integers(0, 5))
        dtype = data.draw(st.sampled_from([np.int64, np.uint64, np.float64, np.float32, np.int8]))
        values = np.array([data.draw(NUMBERS) for _ in range(size)], dtype=np.float64)
        with np.errstate(invalid="ignore", over="ignore"):
            array = (
                values.astype(dtype)
                if np.all(np.isfinite(values)) or dtype in (np.float64, np.float32)
                else values
            )
        del file[name]
        file.create_dataset(name, data=array)
    _load_checked(path, expected, "Recording.load (rewritten dataset)")
