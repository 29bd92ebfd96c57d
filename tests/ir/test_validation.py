"""Validation at construction: each bad value raises IRValidationError (a ValueError) whose
message names the object, the parameter, the value and what is allowed."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from spikemem import ir
from spikemem.ir._checks import MAX_POPULATION_SIZE

EXC = ir.Population(name="exc", size=4, cell=ir.IF_curr_exp())
SRC = ir.Population(name="src", size=2, cell=ir.SpikeSourceArray(times=[1.0], ids=[1]))


def _projection(**overrides):
    kwargs = {"name": "proj", "pre": EXC, "post": EXC, "connector": ir.AllToAll(), "weight": 0.5}
    kwargs.update(overrides)
    return ir.Projection(**kwargs)


# (build, owner, parameter, shown value, fragment of "allowed")
CASES = {
    # non-finite values
    "cm NaN": (lambda: ir.IF_curr_exp(cm=math.nan), "IF_curr_exp", "cm", "nan", "finite"),
    "tau_m inf": (lambda: ir.IF_curr_delta(tau_m=math.inf), "IF_curr_delta", "tau_m", "inf", "finite"),
    "v_rest NaN in array": (
        lambda: ir.IF_curr_exp(v_rest=[-65.0, math.nan]),
        "IF_curr_exp",
        "v_rest",
        "nan",
        "finite",
    ),
    "rate inf": (lambda: ir.SpikeSourcePoisson(rate=math.inf), "SpikeSourcePoisson", "rate", "inf", "finite"),
    "spike time NaN": (
        lambda: ir.SpikeSourceArray(times=[math.nan], ids=[0]),
        "SpikeSourceArray",
        "times",
        "nan",
        "finite",
    ),
    "weight NaN": (lambda: _projection(weight=math.nan), "Projection 'proj'", "weight", "nan", "finite"),
    "delay inf": (lambda: _projection(delay=math.inf), "Projection 'proj'", "delay", "inf", "finite"),
    "A_plus NaN": (lambda: ir.SpikePair(A_plus=math.nan), "SpikePair", "A_plus", "nan", "finite"),
    "dt NaN": (
        lambda: ir.Network(populations=(EXC,), dt=math.nan),
        "Network 'network'",
        "dt",
        "nan",
        "0.0001",
    ),
    "duration inf": (lambda: ir.Phase(name="a", duration=math.inf), "Phase 'a'", "duration", "inf", "finite"),
    "huge int": (lambda: ir.IF_curr_exp(cm=10**400), "IF_curr_exp", "cm", "1000", "finite"),
    # time constants and capacitance
    "tau_m zero": (lambda: ir.IF_curr_exp(tau_m=0.0), "IF_curr_exp", "tau_m", "0.0", "[1e-06, 1000000.0]"),
    "tau_syn negative": (
        lambda: ir.IF_curr_exp(tau_syn_E=-1.0),
        "IF_curr_exp",
        "tau_syn_E",
        "-1.0",
        "[1e-06, 1000000.0]",
    ),
    "cm denormal": (lambda: ir.IF_curr_delta(cm=5e-324), "IF_curr_delta", "cm", "5e-324", "[1e-06"),
    "tau_refrac negative": (
        lambda: ir.IF_curr_exp(tau_refrac=-0.1),
        "IF_curr_exp",
        "tau_refrac",
        "-0.1",
        "[0.0",
    ),
    "tau_plus zero": (lambda: ir.SpikePair(tau_plus=0.0), "SpikePair", "tau_plus", "0.0", "(0.0"),
    # thresholds
    "v_reset = v_thresh": (
        lambda: ir.IF_curr_exp(v_reset=-50.0, v_thresh=-50.0),
        "IF_curr_exp",
        "v_reset",
        "-50.0",
        "v_reset < v_thresh",
    ),
    "v_reset > v_thresh per neuron": (
        lambda: ir.IF_curr_delta(v_reset=[-70.0, -40.0], v_thresh=-50.0),
        "IF_curr_delta",
        "v_reset",
        "-40.0",
        "v_reset < v_thresh",
    ),
    "w_max <= w_min": (
        lambda: ir.Additive(w_min=1.0, w_max=1.0),
        "Additive",
        "w_max",
        "1.0",
        "w_max > w_min",
    ),
    # probabilities
    "p negative": (lambda: ir.FixedProbability(p=-0.1), "FixedProbability", "p", "-0.1", "[0.0, 1.0]"),
    "p above one": (lambda: ir.FixedProbability(p=1.5), "FixedProbability", "p", "1.5", "[0.0, 1.0]"),
    "p NaN": (lambda: ir.FixedProbability(p=math.nan), "FixedProbability", "p", "nan", "[0, 1]"),
    "p huge int": (lambda: ir.FixedProbability(p=10**400), "FixedProbability", "p", "1000", "[0, 1]"),
    # delays
    "delay negative": (lambda: _projection(delay=-1.0), "Projection 'proj'", "delay", "-1.0", "(0.0"),
    "delay zero": (lambda: _projection(delay=0.0), "Projection 'proj'", "delay", "0.0", "(0.0"),
    "delay below dt": (
        lambda: ir.Network(populations=(EXC,), projections=(_projection(delay=0.05),), dt=0.1),
        "Projection 'proj'",
        "delay",
        "0.05",
        "dt = 0.1",
    ),
    "FromList delay below dt": (
        lambda: ir.Network(
            populations=(EXC,),
            projections=(_projection(connector=ir.FromList(pre=[0, 1], post=[1, 2], delay=[1.0, 0.01])),),
        ),
        "Projection 'proj'",
        "delay",
        "0.01",
        "dt = 0.1",
    ),
    "FromList delay negative": (
        lambda: _projection(connector=ir.FromList(pre=[0], post=[1], delay=[-2.0])),
        "Projection 'proj'",
        "FromList.delay",
        "-2.0",
        "(0.0",
    ),
    # sizes
    "size zero": (
        lambda: ir.Population(name="p", size=0, cell=ir.IF_curr_exp()),
        "Population 'p'",
        "size",
        "0",
        "[1,",
    ),
    "size absurd": (
        lambda: ir.Population(name="p", size=2**40, cell=ir.IF_curr_exp()),
        "Population 'p'",
        "size",
        str(2**40),
        str(MAX_POPULATION_SIZE),
    ),
    "size float": (
        lambda: ir.Population(name="p", size=3.0, cell=ir.IF_curr_exp()),
        "Population 'p'",
        "size",
        "3.0",
        "integer",
    ),
    "per-neuron array too short": (
        lambda: ir.Population(name="p", size=3, cell=ir.IF_curr_exp(tau_m=[10.0, 20.0])),
        "Population 'p'",
        "tau_m",
        "length 2",
        "length 3",
    ),
    "arrays of different lengths": (
        lambda: ir.IF_curr_exp(v_reset=[-70.0] * 3, v_thresh=[-50.0] * 4),
        "IF_curr_exp",
        "v_thresh",
        "length 4",
        "length 3",
    ),
    # indices out of range
    "spike id beyond the population": (
        lambda: ir.Population(name="s", size=2, cell=ir.SpikeSourceArray(times=[1.0], ids=[2])),
        "Population 's'",
        "ids",
        "2",
        "[0, 1]",
    ),
    "view index out of range": (lambda: EXC[[0, 4]], "Population 'exc'", "view index", "[0, 4]", "[0, 3]"),
    "view index negative": (lambda: EXC[-1], "Population 'exc'", "view index", "-1", "[0, 3]"),
    "view index duplicated": (lambda: EXC[[1, 1]], "Population 'exc'", "view index", "[1, 1]", "distinct"),
    "empty view": (lambda: EXC[2:2], "Population 'exc'", "view index", "slice(2, 2", "at least one"),
    "FromList pre out of range": (
        lambda: _projection(pre=EXC[0:2], connector=ir.FromList(pre=[2], post=[0])),
        "Projection 'proj'",
        "FromList.pre",
        "2",
        "[0, 1]",
    ),
    "FromList post out of range": (
        lambda: _projection(connector=ir.FromList(pre=[0], post=[9])),
        "Projection 'proj'",
        "FromList.post",
        "9",
        "[0, 3]",
    ),
    "FromList negative index": (lambda: ir.FromList(pre=[-1], post=[0]), "FromList", "pre", "-1", "[0"),
    "stimulus id out of range": (
        lambda: ir.Schedule(
            phases=(
                ir.Phase(
                    name="a", duration=5.0, stimuli=(ir.Stimulus(population="src", times=[1.0], ids=[3]),)
                ),
            )
        ).check_against(ir.Network(populations=(SRC,))),
        "Phase 'a'",
        "stimulus ids",
        "3",
        "[0, 1]",
    ),
    # joint rules
    "OneToOne sizes": (
        lambda: _projection(pre=EXC[0:2], connector=ir.OneToOne()),
        "Projection 'proj'",
        "connector",
        "OneToOne",
        "pre 2, post 4",
    ),
    "spike source as target": (
        lambda: _projection(post=SRC),
        "Projection 'proj'",
        "post",
        "src",
        "not a spike source",
    ),
    "STDP initial weight above w_max": (
        lambda: _projection(weight=2.0, plasticity=ir.STDP()),
        "Projection 'proj'",
        "weight",
        "2.0",
        "STDP bounds",
    ),
    "stimulus after the phase ends": (
        lambda: ir.Phase(
            name="a", duration=5.0, stimuli=(ir.Stimulus(population="src", times=[5.0], ids=[0]),)
        ),
        "Phase 'a'",
        "stimuli",
        "5.0",
        "[0, 5.0)",
    ),
    "duplicate population names": (
        lambda: ir.Network(populations=(EXC, ir.Population(name="exc", size=1, cell=ir.IF_curr_exp()))),
        "Network 'network'",
        "population name",
        "exc",
        "distinct",
    ),
    "projection onto a foreign population": (
        lambda: ir.Network(populations=(SRC,), projections=(_projection(),)),
        "Projection 'proj'",
        "pre",
        "exc",
        "part of this network",
    ),
    "duplicate phase names": (
        lambda: ir.Schedule(phases=(ir.Phase(name="a", duration=1.0), ir.Phase(name="a", duration=2.0))),
        "Schedule",
        "phase name",
        "a",
        "distinct",
    ),
    # wrong types
    "bool parameter": (lambda: ir.IF_curr_exp(cm=True), "IF_curr_exp", "cm", "True", "finite number"),
    "string parameter": (lambda: ir.IF_curr_exp(tau_m="20"), "IF_curr_exp", "tau_m", "'20'", "finite number"),
    "complex parameter": (
        lambda: ir.IF_curr_exp(i_offset=[1j]),
        "IF_curr_exp",
        "i_offset",
        "1j",
        "finite number",
    ),
    "2-D parameter": (lambda: ir.IF_curr_exp(cm=[[1.0]]), "IF_curr_exp", "cm", "[[1.0]]", "1-D"),
    "empty array parameter": (lambda: ir.IF_curr_exp(cm=[]), "IF_curr_exp", "cm", "[]", "non-empty"),
    "receptor array": (
        lambda: _projection(receptor=np.array(["excitatory", "inhibitory"])),
        "Projection 'proj'",
        "receptor",
        "array",
        "'excitatory'",
    ),
    "convention array": (
        lambda: ir.STDP(clipping=np.array(["per_event", "end_of_phase"])),
        "STDP",
        "clipping",
        "array",
        "'per_event'",
    ),
    "convention typo": (lambda: ir.STDP(zero_lag="Depress"), "STDP", "zero_lag", "'Depress'", "'depress'"),
    "seed float": (lambda: ir.SpikeSourcePoisson(seed=1.0), "SpikeSourcePoisson", "seed", "1.0", "integer"),
    "seed too large": (
        lambda: ir.FixedProbability(seed=2**64),
        "FixedProbability",
        "seed",
        str(2**64),
        "2**63",
    ),
    "non-iterable populations": (
        lambda: ir.Network(populations=EXC),
        "Network 'network'",
        "populations",
        "Population(",
        "tuple",
    ),
    "non-iterable phases": (lambda: ir.Schedule(phases=3), "Schedule", "phases", "3", "tuple"),
    "bad name": (
        lambda: ir.Population(name="a b", size=1, cell=ir.IF_curr_exp()),
        "Population",
        "name",
        "'a b'",
        "letters",
    ),
    "stimulus population": (lambda: ir.Stimulus(population=""), "Stimulus", "population", "''", "non-empty"),
    "slice step zero": (lambda: EXC[::0], "Population 'exc'", "view index", "slice(None, None, 0)", "step"),
    "ragged view index": (
        lambda: EXC[[[0], [1, 2]]],
        "Population 'exc'",
        "view index",
        "[[0], [1, 2]]",
        "integer",
    ),
    "ragged pairs": (
        lambda: ir.FromList.from_pairs([[0, 1], [2]]),
        "FromList",
        "pairs",
        "[[0, 1], [2]]",
        "rows",
    ),
}


@pytest.mark.parametrize("case", list(CASES.values()), ids=list(CASES))
def test_bad_value_raises_a_value_error_naming_owner_parameter_value_and_rule(case):
    build, owner, parameter, shown, allowed = case
    with pytest.raises(ir.IRValidationError) as info:
        build()
    error = info.value
    message = str(error)
    assert isinstance(error, ValueError)
    assert error.owner == owner or error.owner.startswith(owner), message
    assert error.parameter == parameter, message
    assert message.startswith(f"{error.owner}: invalid {parameter}="), message
    assert shown in message.split("; allowed:")[0], message
    assert allowed in error.allowed, message


@pytest.mark.parametrize(
    "cls",
    [
        ir.IF_curr_exp,
        ir.IF_curr_delta,
        ir.SpikeSourceArray,
        ir.SpikeSourcePoisson,
        ir.OneToOne,
        ir.AllToAll,
        ir.FixedProbability,
        ir.FromList,
        ir.SpikePair,
        ir.Additive,
        ir.Multiplicative,
        ir.STDP,
        ir.Stimulus,
        ir.Phase,
        ir.Schedule,
        ir.Network,
        ir.Population,
        ir.Projection,
    ],
    ids=lambda c: c.__name__,
)
def test_unknown_parameter_name_lists_the_valid_names(cls):
    with pytest.raises(ir.IRValidationError) as info:
        cls(tau_mem=20.0)
    assert info.value.parameter == "parameter name"
    assert "'tau_mem'" in str(info.value)
    for field in dataclasses.fields(cls):
        assert field.name in info.value.allowed


@pytest.mark.parametrize(
    "build, parameter",
    [
        (lambda: ir.Population(name="p"), "size"),
        (lambda: ir.Projection(name="q", pre=EXC, post=EXC), "connector"),
        (lambda: ir.Phase(name="a"), "duration"),
        (lambda: ir.Stimulus(), "population"),
        (lambda: ir.IF_curr_exp(1.0), "positional arguments"),
        (lambda: ir.Population("p", 3, ir.IF_curr_exp()), "positional arguments"),
    ],
)
def test_missing_or_positional_arguments_raise_a_named_error(build, parameter):
    with pytest.raises(ir.IRValidationError) as info:
        build()
    assert info.value.parameter == parameter


def test_cell_from_dict_rejects_unknown_kind_and_parameter():
    from spikemem.ir.cells import cell_from_dict

    with pytest.raises(ir.IRValidationError, match="kind"):
        cell_from_dict({"kind": "HH_cond_exp"})
    with pytest.raises(ir.IRValidationError) as info:
        cell_from_dict({"kind": "IF_curr_exp", "tau_mem": 1.0})
    assert info.value.parameter == "parameter name" and "tau_m" in info.value.allowed


def test_schedule_check_against_names_missing_population_and_projection():
    net = ir.Network(
        populations=(EXC, SRC),
        projections=(_projection(name="plastic", weight=0.5, plasticity=ir.STDP()),),
    )
    wrong_population = ir.Schedule(
        phases=(ir.Phase(name="a", duration=5.0, stimuli=(ir.Stimulus(population="exc"),)),)
    )
    with pytest.raises(ir.IRValidationError) as info:
        wrong_population.check_against(net)
    assert info.value.parameter == "stimulus population" and "src" in info.value.allowed
    wrong_projection = ir.Schedule(phases=(ir.Phase(name="a", duration=5.0, plastic=("static",)),))
    with pytest.raises(ir.IRValidationError) as info:
        wrong_projection.check_against(net)
    assert info.value.parameter == "plastic" and "plastic" in info.value.allowed
    ir.Schedule(phases=(ir.Phase(name="a", duration=5.0, plastic=("plastic",)),)).check_against(net)


def test_network_lookup_of_unknown_names_raises():
    net = ir.Network(populations=(EXC,))
    assert net.population("exc") is EXC
    with pytest.raises(ir.IRValidationError, match="population"):
        net.population("nope")
    with pytest.raises(ir.IRValidationError, match="projection"):
        net.projection("nope")


def test_valid_edge_values_are_accepted():
    """Bounds themselves are allowed where the documentation says so."""
    ir.IF_curr_exp(tau_refrac=0.0, cm=1e-6, tau_m=1e6, v_reset=-1e4, v_thresh=1e4, i_offset=-1e6)
    ir.FixedProbability(p=0.0)
    ir.FixedProbability(p=1)
    ir.SpikePair(A_plus=0.0, A_minus=0.0)
    ir.Additive(w_min=0.0, w_max=1e9)
    ir.Population(name="big", size=MAX_POPULATION_SIZE, cell=ir.IF_curr_exp())
    ir.Network(populations=(EXC,), projections=(_projection(delay=0.1),), dt=0.1)
    ir.Network(populations=(EXC,), dt=1e-4)
    ir.Network(populations=(EXC,), dt=10)
