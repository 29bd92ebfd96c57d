"""Fuzzing the TOML loader with damaged and hostile files (the example configs, changed at the
byte level or with one value replaced by a hostile TOML literal): every file loads or raises
IRValidationError — never a RecursionError, OverflowError or traceback (issue 15)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fuzzing import damaged, expect_clear
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spikemem import ir
from spikemem.config import load_config

pytestmark = pytest.mark.timeout(120)
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
EXAMPLES = sorted((Path(__file__).resolve().parents[1] / "examples").glob("*.toml"))
ASSIGNMENT = re.compile(r"^(\s*[A-Za-z_][\w]*\s*=\s*)(.+)$", re.MULTILINE)


def _nested(depth: int, inner: str = "1.0") -> str:
    return "[" * depth + inner + "]" * depth


LITERALS = st.one_of(
    st.integers(-(2**63), 2**63 - 1).map(str),
    st.sampled_from(
        ["nan", "inf", "-inf", "1e308", "-1e308", "5e-324", "-0.0", "0", "true", '""', "[]", "{}"]
    ),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.text(alphabet="abc[]:,0123 -", max_size=12).map(lambda s: '"' + s.replace('"', "") + '"'),
    st.integers(1, 5000).map(_nested),
    st.tuples(st.floats(allow_nan=True), st.floats(allow_nan=True)).map(
        lambda b: f"{{ uniform = [{b[0]!r}, {b[1]!r}] }}".replace("nan", "nan").replace("'", "")
    ),
    st.lists(st.sampled_from(["1", "2.5", "-3", '"x"', "[1]"]), max_size=5).map(
        lambda xs: "[" + ", ".join(xs) + "]"
    ),
)


@FUZZ
@given(data=st.data())
def test_fuzz_one_value_replaced(tmp_path, data):
    source = data.draw(st.sampled_from(EXAMPLES))
    text = source.read_text()
    matches = list(ASSIGNMENT.finditer(text))
    match = data.draw(st.sampled_from(matches))
    literal = data.draw(LITERALS)
    changed = text[: match.start(2)] + literal + text[match.end(2) :]
    path = tmp_path / "fuzz.toml"
    path.write_text(changed)
    expect_clear("load_config (one value replaced)", lambda: load_config(path), (ir.IRValidationError,))


@FUZZ
@given(data=st.data())
def test_fuzz_byte_damage(tmp_path, data):
    source = data.draw(st.sampled_from(EXAMPLES))
    path = tmp_path / "fuzz.toml"
    path.write_bytes(damaged(data, source.read_bytes()))
    expect_clear("load_config (damaged bytes)", lambda: load_config(path), (ir.IRValidationError,))


@pytest.mark.parametrize("depth", [100, 10_000, 200_000])
def test_deeply_nested_arrays_are_a_clear_error(tmp_path, depth):
    text = EXAMPLES[1].read_text().replace("tau_m = 20.0", "tau_m = " + _nested(depth), 1)
    path = tmp_path / "deep.toml"
    path.write_text(text)
    with pytest.raises(ir.IRValidationError, match="tau_m|nested"):
        load_config(path)
