"""The shared test networks (``tests/networks.py``): every builder says what it exercises and
builds the same network on every call (tests assert numbers derived from them)."""

from __future__ import annotations

import inspect

import pytest

from spikemem import ir

import networks

BUILDERS = sorted(
    name
    for name, function in inspect.getmembers(networks, inspect.isfunction)
    if function.__module__ == networks.__name__ and function.__annotations__.get("return") == "ir.Network"
)
ARGUMENTS = {"random_network": {"seed": 3}}
"""Arguments for the builders that have no default for every parameter."""


def test_the_module_holds_the_shared_networks():
    expected = {"every_node_network", "feedforward", "nest_feedforward", "pynn_feedforward", "random_network"}
    assert expected <= set(BUILDERS)


@pytest.mark.parametrize("name", BUILDERS)
def test_a_builder_is_documented_and_deterministic(name: str):
    builder = getattr(networks, name)
    assert inspect.getdoc(builder), f"{name} has no docstring"
    first, second = builder(**ARGUMENTS.get(name, {})), builder(**ARGUMENTS.get(name, {}))
    assert isinstance(first, ir.Network)
    assert first.content_hash() == second.content_hash()
