"""IR objects are frozen dataclasses and their arrays are read-only copies of the input."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from spikemem import ir

from networks import every_node_network, every_node_schedule

NET = every_node_network()
SCHEDULE = every_node_schedule()


def _ir_objects():
    """Every IR object reachable from the test network and schedule."""
    seen, stack = [], [NET, SCHEDULE]
    while stack:
        obj = stack.pop()
        if any(obj is s for s in seen):
            continue
        seen.append(obj)
        for field in dataclasses.fields(obj):
            value = getattr(obj, field.name)
            values = value if isinstance(value, tuple) else (value,)
            stack.extend(v for v in values if dataclasses.is_dataclass(v) and not isinstance(v, type))
    return seen


OBJECTS = _ir_objects()


def test_the_walk_reaches_every_node_type():
    names = {type(o).__name__ for o in OBJECTS}
    assert names >= {
        "Network",
        "Population",
        "PopulationView",
        "Projection",
        "IF_curr_exp",
        "IF_curr_delta",
        "SpikeSourceArray",
        "SpikeSourcePoisson",
        "OneToOne",
        "AllToAll",
        "FixedProbability",
        "FromList",
        "STDP",
        "SpikePair",
        "Additive",
        "Multiplicative",
        "Schedule",
        "Phase",
        "Stimulus",
    }


@pytest.mark.parametrize("obj", OBJECTS, ids=lambda o: type(o).__name__)
def test_fields_cannot_be_assigned_or_deleted(obj):
    for field in dataclasses.fields(obj):
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(obj, field.name, getattr(obj, field.name))
        with pytest.raises(dataclasses.FrozenInstanceError):
            delattr(obj, field.name)
    with pytest.raises(dataclasses.FrozenInstanceError):
        obj.extra = 1  # no new attributes either


@pytest.mark.parametrize("obj", OBJECTS, ids=lambda o: type(o).__name__)
def test_arrays_are_read_only(obj):
    for field in dataclasses.fields(obj):
        value = getattr(obj, field.name)
        if isinstance(value, np.ndarray):
            assert not value.flags.writeable, f"{type(obj).__name__}.{field.name}"
            with pytest.raises(ValueError, match="read-only"):
                value[...] = 0


def test_containers_are_tuples():
    assert isinstance(NET.populations, tuple) and isinstance(NET.projections, tuple)
    assert isinstance(SCHEDULE.phases, tuple)
    for phase in SCHEDULE.phases:
        assert isinstance(phase.stimuli, tuple)
        assert phase.plastic is None or isinstance(phase.plastic, tuple)


def test_inputs_are_copied_so_later_changes_to_them_do_not_leak_in():
    tau = np.array([10.0, 20.0, 30.0])
    times, ids = np.array([1.0, 2.0]), np.array([0, 1])
    pre, post, weight = np.array([0, 1]), np.array([1, 2]), np.array([0.1, 0.2])
    indices = np.array([2, 0])
    cell = ir.IF_curr_exp(tau_m=tau)
    source = ir.SpikeSourceArray(times=times, ids=ids)
    connector = ir.FromList(pre=pre, post=post, weight=weight)
    pop = ir.Population(name="p", size=3, cell=cell)
    view = pop[indices]
    stimulus = ir.Stimulus(population="s", times=times, ids=ids)
    plastic = ["a"]
    phase = ir.Phase(name="x", duration=5.0, plastic=plastic)
    for array in (tau, times, ids, pre, post, weight, indices):
        array[...] = 0
    plastic.append("b")
    np.testing.assert_array_equal(cell.tau_m, [10.0, 20.0, 30.0])
    np.testing.assert_array_equal(source.times, [1.0, 2.0])
    np.testing.assert_array_equal(source.ids, [0, 1])
    np.testing.assert_array_equal(connector.pre, [0, 1])
    np.testing.assert_array_equal(connector.weight, [0.1, 0.2])
    np.testing.assert_array_equal(view.indices, [2, 0])
    np.testing.assert_array_equal(stimulus.times, [1.0, 2.0])
    assert phase.plastic == ("a",)


def test_read_only_inputs_are_accepted():
    tau = np.array([10.0, 20.0])
    tau.setflags(write=False)
    assert ir.IF_curr_exp(tau_m=tau).tau_m.tolist() == [10.0, 20.0]


def test_population_indices_property_is_a_fresh_array():
    pop = NET.populations[0]
    first = pop.indices
    first[0] = 99
    assert pop.indices[0] == 0


def test_resolved_synapses_do_not_alias_ir_arrays():
    proj = next(
        p for p in NET.projections if isinstance(p.connector, ir.FromList) and p.connector.weight is not None
    )
    syn = ir.resolve(proj)
    syn.weight[:] = -1.0
    syn.pre[:] = -1
    assert np.all(proj.connector.weight >= 0) and np.all(proj.connector.pre >= 0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        syn.weight = np.zeros(0)


def test_replace_revalidates():
    cell = ir.IF_curr_exp()
    assert dataclasses.replace(cell, tau_m=30.0).tau_m == 30.0
    with pytest.raises(ir.IRValidationError):
        dataclasses.replace(cell, tau_m=-1.0)
