"""Fuzzing NIR import: damaged ``.nir`` files and graphs whose node parameters were replaced by
hostile arrays import or raise IRValidationError / UnsupportedFeature, nothing else (issue 15)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

nir = pytest.importorskip("nir", reason="NIR import needs the optional 'nir' package")

from fuzzing import damaged, expect_clear  # noqa: E402

from spikemem import ir  # noqa: E402
from spikemem.interop.nir import from_nir, read_nir, write_nir  # noqa: E402

from networks import every_node_network, static_network  # noqa: E402

pytestmark = pytest.mark.timeout(120)
FUZZ = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
CLEAR = (ir.IRValidationError, ir.UnsupportedFeature)


@pytest.fixture(scope="module")
def nir_bytes(tmp_path_factory) -> bytes:
    path = tmp_path_factory.mktemp("nir") / "net.nir"
    write_nir(static_network(), path)
    return path.read_bytes()


@pytest.fixture(scope="module")
def graph(tmp_path_factory):
    path = tmp_path_factory.mktemp("nir") / "every.nir"
    write_nir(every_node_network(), path, strict=False)
    return nir.read(path, type_check=False)


@FUZZ
@given(data=st.data())
def test_fuzz_byte_damage(nir_bytes, tmp_path, data):
    path = tmp_path / "damaged.nir"
    path.write_bytes(damaged(data, nir_bytes))
    expect_clear("NIR import (damaged bytes)", lambda: read_nir(path), CLEAR)


HOSTILE = st.one_of(
    st.lists(st.floats(allow_nan=True, allow_infinity=True), max_size=6).map(np.array),
    st.lists(st.integers(-(2**62), 2**62), max_size=6).map(np.array),
    st.sampled_from(
        [np.zeros((0,)), np.zeros((2, 3, 4)), np.array(["a", "b"]), np.array(1e308), np.array(-1.0)]
    ),
)


@FUZZ
@given(data=st.data())
def test_fuzz_node_parameters(graph, data):
    """One array field of one node replaced (NaN, inf, negative, wrong shape or dtype)."""
    name = data.draw(st.sampled_from(sorted(graph.nodes)))
    node = graph.nodes[name]
    fields = [f.name for f in dataclasses.fields(node) if isinstance(getattr(node, f.name), np.ndarray)]
    if not fields:
        return
    field = data.draw(st.sampled_from(fields))
    changed = _with(node, field, data.draw(HOSTILE))
    nodes = dict(graph.nodes)
    nodes[name] = changed
    hostile = nir.NIRGraph(
        nodes=nodes, edges=list(graph.edges), type_check=False, metadata=dict(graph.metadata)
    )
    expect_clear(f"NIR import (hostile {type(node).__name__}.{field})", lambda: from_nir(hostile), CLEAR)


def _with(node, field, value):
    """A shallow copy of ``node`` with ``field`` set (NIR nodes check shapes in __post_init__)."""
    copy = object.__new__(type(node))
    copy.__dict__.update(node.__dict__)
    object.__setattr__(copy, field, value)
    return copy
