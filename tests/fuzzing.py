"""Outcome bookkeeping for the hostile-input fuzz tests (issue 15).

A fuzzed call either succeeds or raises one of the project's clear errors; anything else
(another exception, a traceback) fails the test. Every outcome is counted per target, and
``tests/conftest.py`` prints the counts at the end of the pytest run ("fuzz outcomes").
Import it as a top-level module, like ``networks``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

OUTCOMES: Counter[tuple[str, str]] = Counter()
"""(target, "ok" | "clear error") -> number of fuzz cases."""


def expect_clear(target: str, call: Callable[[], Any], clear: tuple[type[BaseException], ...]) -> Any:
    """Run ``call``; count and return its result, or count a ``clear`` error (whose message
    must be one non-empty line). Any other exception fails the test, naming ``target``."""
    try:
        result = call()
    except clear as error:
        message = str(error)
        assert message.strip(), f"{target}: {type(error).__name__} without a message"
        OUTCOMES[target, "clear error"] += 1
        return error
    except Exception as error:  # noqa: BLE001 - the point of the test
        OUTCOMES[target, "other exception"] += 1
        raise AssertionError(f"{target}: unexpected {type(error).__name__}: {error}") from error
    OUTCOMES[target, "ok"] += 1
    return result


def summary_lines() -> list[str]:
    """One line per target: cases, clear errors, successes, anything else."""
    targets = sorted({target for target, _ in OUTCOMES})
    lines = []
    for target in targets:
        ok, clear = OUTCOMES[target, "ok"], OUTCOMES[target, "clear error"]
        other = OUTCOMES[target, "other exception"]
        lines.append(
            f"{target}: {ok + clear + other} cases, {clear} clear errors, {ok} accepted, {other} other"
        )
    return lines


def damaged(data: Any, payload: bytes, *, zero_block: bool = False, insert_max: int = 8) -> bytes:
    """``payload`` damaged once, as hypothesis's ``data`` draws it: a byte xor-ed with 1..255,
    the file truncated, 1..``insert_max`` random bytes inserted or (``zero_block``) up to 4 KiB
    zeroed."""
    from hypothesis import strategies as st

    damaged_bytes = bytearray(payload)
    kinds = ["flip", "truncate", "insert"] + (["zero block"] if zero_block else [])
    kind = data.draw(st.sampled_from(kinds))
    at = data.draw(st.integers(0, len(damaged_bytes) - 1))
    if kind == "flip":
        damaged_bytes[at] ^= data.draw(st.integers(1, 255))
    elif kind == "truncate":
        del damaged_bytes[at:]
    elif kind == "insert":
        damaged_bytes[at:at] = data.draw(st.binary(min_size=1, max_size=insert_max))
    else:
        damaged_bytes[at : at + data.draw(st.integers(1, 4096))] = bytes(min(4096, len(damaged_bytes) - at))
    return bytes(damaged_bytes)
