"""A damaged or changed saved network (``Network.load``) is an IRValidationError naming the
file, never a KeyError, BadZipFile, JSONDecodeError, ... (issue 15); fuzzed with hypothesis."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from fuzzing import damaged, expect_clear
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spikemem import ir

from networks import every_node_network

pytestmark = pytest.mark.timeout(120)
CLEAR = (ir.IRValidationError, FileNotFoundError)


@pytest.fixture(scope="module")
def saved(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("net") / "net.json"
    every_node_network().save(path)
    return path


def _copy(saved: Path, folder: Path) -> Path:
    target = folder / "net.json"
    shutil.copy(saved, target)
    shutil.copy(saved.with_suffix(".npz"), target.with_suffix(".npz"))
    return target


@pytest.mark.parametrize(
    ("damage", "cause"),
    [
        (lambda p: p.write_text(p.read_text()[:-40]), "JSONDecodeError"),
        (lambda p: p.with_suffix(".npz").write_bytes(b"PK\x03\x04 broken"), "BadZipFile"),
        (lambda p: p.write_text(p.read_text().replace('"populations"', '"pops"')), "populations"),
        (lambda p: p.write_text(p.read_text().replace('"/populations/0/cell/tau_m"', '"/x"')), "KeyError"),
        (lambda p: p.write_text("[" * 100_000 + "]" * 100_000), "RecursionError"),
        (lambda p: p.write_text(p.read_text().replace('"size": 6', '"size": 1e999')), "size"),
        (lambda p: p.write_bytes(b"\xff\xfe\x00garbage"), "UnicodeDecodeError"),
        (lambda p: p.write_text(json.dumps({"format": "spikemem.network", "version": 1})), "populations"),
    ],
    ids=[
        "truncated json",
        "bad zip",
        "missing key",
        "missing array",
        "deep nesting",
        "huge size",
        "not utf-8",
        "empty network",
    ],
)
def test_damaged_file_gives_a_clear_error(saved, tmp_path, damage, cause):
    path = _copy(saved, tmp_path)
    damage(path)
    with pytest.raises(ir.IRValidationError, match="net.json") as info:
        ir.Network.load(path)
    assert cause in str(info.value)


def test_directory_instead_of_a_file(tmp_path):
    (tmp_path / "net.json").mkdir()
    with pytest.raises(ir.IRValidationError, match="IsADirectoryError"):
        ir.Network.load(tmp_path / "net.json")


def test_missing_file_is_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such network file"):
        ir.Network.load(tmp_path / "absent.json")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_fuzz_byte_damage_of_the_json_and_npz(saved, tmp_path, data):
    path = _copy(saved, tmp_path)
    target = data.draw(st.sampled_from([path, path.with_suffix(".npz")]))
    target.write_bytes(damaged(data, target.read_bytes()))
    loaded = expect_clear("Network.load (damaged bytes)", lambda: ir.Network.load(path), CLEAR)
    if isinstance(loaded, ir.Network):  # the damage hit something harmless (whitespace, indentation)
        assert loaded == every_node_network(), "a damaged file loaded as another network"


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)


def _paths(node, prefix=()):
    """Every path (tuple of keys and indices) into a JSON document."""
    yield prefix
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, child in items:
        yield from _paths(child, (*prefix, key))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_fuzz_structured_damage_of_the_json(saved, tmp_path, data):
    """Replace one value anywhere in the JSON by arbitrary JSON (NaN, huge integers, lists...)."""
    path = _copy(saved, tmp_path)
    document = json.loads(path.read_text())
    where = data.draw(st.sampled_from([p for p in _paths(document) if p]))
    node = document
    for key in where[:-1]:
        node = node[key]
    node[where[-1]] = data.draw(JSON_VALUES)
    path.write_text(json.dumps(document))
    loaded = expect_clear("Network.load (changed JSON)", lambda: ir.Network.load(path), CLEAR)
    if isinstance(loaded, ir.Network):  # the value replaced was an equal one
        assert loaded == every_node_network(), "a changed file loaded as another network"


def test_an_edited_value_is_refused_by_the_content_hash(saved, tmp_path):
    path = _copy(saved, tmp_path)
    path.write_text(path.read_text().replace('"dt": 0.25', '"dt": 0.2'))
    with pytest.raises(ir.IRValidationError, match="content_hash.*edited or damaged"):
        ir.Network.load(path)
    document = json.loads(path.read_text())
    del document["content_hash"]  # an intended edit: accepted without the hash
    path.write_text(json.dumps(document))
    assert ir.Network.load(path).dt == 0.2


def test_arrays_damaged_to_another_dtype(saved, tmp_path):
    path = _copy(saved, tmp_path)
    with np.load(path.with_suffix(".npz")) as arrays:
        content = {k: np.asarray(arrays[k]).astype(str) for k in arrays.files}
    np.savez(path.with_suffix(".npz"), **content)
    with pytest.raises(ir.IRValidationError):
        ir.Network.load(path)
