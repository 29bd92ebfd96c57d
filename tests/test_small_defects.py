"""The smaller defects of issue 15, one test each."""

from __future__ import annotations

import numpy as np
import pytest

import spikemem
from spikemem import ir
from spikemem.config import load_config


@pytest.fixture
def pop() -> ir.Population:
    return ir.Population(name="a", size=10, cell=ir.IF_curr_exp())


@pytest.mark.parametrize("index", [slice(5, 20), slice(-11, None), slice(None, 11), slice(0, 10**20)])
def test_a_slice_past_the_population_is_refused_not_clipped(pop, index):
    with pytest.raises(ir.IRValidationError, match=r"view index.*bounds lie in \[-10, 10\]"):
        pop[index]


def test_slices_within_the_population_still_work(pop):
    np.testing.assert_array_equal(pop[5:10].indices, [5, 6, 7, 8, 9])
    np.testing.assert_array_equal(pop[-3:].indices, [7, 8, 9])
    np.testing.assert_array_equal(pop[::-4].indices, [9, 5, 1])


@pytest.mark.parametrize("backend", ["numba", "brian2"])
def test_compile_names_an_unknown_option(pop, backend):
    network = ir.Network(populations=(pop,), projections=())
    with pytest.raises(
        ir.IRValidationError,
        match=r"invalid option='dtt'; allowed: one of .*\bconnectivity, .*\bdt, .*\bnumerics",
    ):
        spikemem.compile(network, backend=backend, dtt=0.1)


def test_a_string_size_blames_size_not_a_per_neuron_parameter(tmp_path):
    config = tmp_path / "c.toml"
    config.write_text(
        '[[population]]\nname = "exc"\nsize = "80"\ncell = "IF_curr_exp"\n'
        "v_init = { uniform = [-70.0, -60.0] }\n\n[run]\nduration = 10.0\n"
    )
    with pytest.raises(ir.IRValidationError, match=r"\[\[population\]\] 'exc': invalid size='80'") as info:
        load_config(config)
    assert "v_init" not in str(info.value)
