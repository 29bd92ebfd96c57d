"""Fuzzing of Projection and Network, including the cross-object rules (spike-source targets,
OneToOne sizes, FromList indices, STDP weight bounds, delays below dt, membership, names)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spikemem import ir

from .strategies import (
    EMPTY,
    INVALID_NAMES,
    VALID_NAMES,
    expect_outcome,
    float_arrays,
    is_valid_name,
    junk,
    numbers,
    numeric_param_invalid,
    outside,
    pick_bad,
)

pytestmark = pytest.mark.timeout(120)
FUZZ = settings(max_examples=200, deadline=None)

EXC = ir.Population(name="exc", size=4, cell=ir.IF_curr_exp())
INH = ir.Population(name="inh", size=3, cell=ir.IF_curr_delta(tau_m=[10.0, 20.0, 30.0]))
SRC = ir.Population(name="src", size=3, cell=ir.SpikeSourceArray(times=[1.0, 2.0], ids=[0, 2]))
POI = ir.Population(name="poi", size=2, cell=ir.SpikeSourcePoisson(rate=10.0, seed=1))
POPULATIONS = (EXC, INH, SRC, POI)

SIDES = [EXC, INH, SRC, POI, EXC[1:3], EXC[[3, 0, 2]], SRC[[2]], INH[::2], POI[1]]
NOT_SIDES = [None, "exc", ir.IF_curr_exp(), ir.AllToAll(), ir.Population, 3, [EXC]]
CONNECTORS = [
    ir.OneToOne(),
    ir.AllToAll(),
    ir.AllToAll(allow_self_connections=False),
    ir.FixedProbability(p=0.5, seed=3),
    ir.FixedProbability(p=1.0, allow_self_connections=False),
    ir.FromList(pre=[0, 1], post=[1, 0]),
    ir.FromList(pre=[0, 0, 1], post=[0, 1, 1], weight=[0.1, 0.2, 0.3], delay=[1.0, 2.0, 1.5]),
    ir.FromList(pre=[5], post=[0]),  # index beyond every pre side here
    ir.FromList(pre=[0], post=[4]),  # index beyond every post side here
    ir.FromList(pre=[0], post=[0], weight=[-1.0]),
    ir.FromList(pre=[0], post=[0], weight=[2e6]),
    ir.FromList(pre=[0], post=[0], delay=[0.0]),
    ir.FromList(pre=[0], post=[0], weight=[0.7]),
]
NOT_CONNECTORS = [None, "AllToAll", ir.AllToAll, ir.STDP(), {"kind": "AllToAll"}, EXC]
PLASTICITY = [
    None,
    ir.STDP(),
    ir.STDP(weight=ir.Multiplicative(w_min=0.0, w_max=5.0), delay_convention="axonal"),
    ir.STDP(weight=ir.Additive(w_min=0.5, w_max=1.0)),
]
NOT_PLASTICITY = ["STDP", ir.SpikePair(), ir.Additive(), ir.STDP, True]
RECEPTORS = ("excitatory", "inhibitory")
NOT_RECEPTORS = st.one_of(
    st.text(max_size=10).filter(lambda s: s not in RECEPTORS),
    st.sampled_from([None, 0, ["excitatory"], np.array(["excitatory", "inhibitory"]), b"excitatory"]),
)


def _values(value) -> np.ndarray:
    return np.atleast_1d(np.asarray(value, dtype=np.float64))


def _cross_blame(kwargs) -> set[str]:
    """Parameters a valid-looking projection must be rejected for (oracle of the joint rules)."""
    pre, post, connector = kwargs["pre"], kwargs["post"], kwargs["connector"]
    blamed = set()
    if ir.cells.is_source(post.population.cell):
        blamed.add("post")
    if isinstance(connector, ir.OneToOne) and pre.size != post.size:
        blamed.add("connector")
    if isinstance(connector, ir.FromList):
        if connector.pre.max(initial=-1) >= pre.size:
            blamed.add("FromList.pre")
        if connector.post.max(initial=-1) >= post.size:
            blamed.add("FromList.post")
        if connector.weight is not None and np.any((connector.weight < 0) | (connector.weight > 1e6)):
            blamed.add("FromList.weight")
        if connector.delay is not None and np.any((connector.delay <= 0) | (connector.delay > 1e6)):
            blamed.add("FromList.delay")
    stdp = kwargs.get("plasticity")
    if stdp is not None:
        weights = [_values(kwargs.get("weight", 0.0))]
        if isinstance(connector, ir.FromList) and connector.weight is not None:
            weights.append(connector.weight)
        bounds = stdp.weight
        if any(np.any((w < bounds.w_min) | (w > bounds.w_max)) for w in weights):
            blamed.add("weight")
    return blamed


@st.composite
def projection_cases(draw):
    bad = draw(pick_bad(["name", "pre", "post", "connector", "weight", "delay", "receptor", "plasticity"]))
    kwargs = {
        "name": draw(INVALID_NAMES if "name" in bad else VALID_NAMES),
        "pre": draw(st.sampled_from(NOT_SIDES if "pre" in bad else SIDES)),
        "post": draw(st.sampled_from(NOT_SIDES if "post" in bad else SIDES)),
        "connector": draw(st.sampled_from(NOT_CONNECTORS if "connector" in bad else CONNECTORS)),
    }
    if "weight" in bad:
        kwargs["weight"] = draw(numeric_param_invalid(0.0, 1e6, 3))
    elif draw(st.booleans()):
        kwargs["weight"] = draw(st.one_of(numbers(0.0, 1e6), numbers(0.0, 1.0), float_arrays(0.0, 2.0, 2)))
    if "delay" in bad:
        kwargs["delay"] = draw(st.one_of(junk(), EMPTY, outside(0.0, 1e6, low_open=True)))
    elif draw(st.booleans()):
        kwargs["delay"] = draw(st.one_of(numbers(0.1, 1e6), float_arrays(0.1, 10.0, 2)))
    if "receptor" in bad or draw(st.booleans()):
        kwargs["receptor"] = draw(NOT_RECEPTORS if "receptor" in bad else st.sampled_from(RECEPTORS))
    if "plasticity" in bad or draw(st.booleans()):
        kwargs["plasticity"] = draw(st.sampled_from(NOT_PLASTICITY if "plasticity" in bad else PLASTICITY))
    blamed = set(bad)
    if not bad & {"pre", "post", "connector", "weight", "plasticity"}:
        blamed |= _cross_blame(kwargs)
    elif not bad & {"pre", "post"} and ir.cells.is_source(kwargs["post"].population.cell):
        blamed.add("post")
    return kwargs, blamed


@FUZZ
@given(case=projection_cases(), seed=st.integers(0, 2**63 - 1))
def test_projection_builds_valid_or_names_the_bad_parameter(case, seed):
    kwargs, blamed = case
    proj = expect_outcome(lambda: ir.Projection(**kwargs), blamed)
    if proj is None:
        return
    for name in ("weight", "delay"):
        values = _values(getattr(proj, name))
        assert np.all(np.isfinite(values)) and np.all(values >= 0) and np.all(values <= 1e6)
    assert np.all(_values(proj.delay) > 0)
    assert proj.receptor in RECEPTORS and proj.plastic == (proj.plasticity is not None)
    # Resolving never produces NaN or indices outside the parents; a per-synapse array of the
    # wrong length is reported by name.
    try:
        syn = ir.resolve(proj, seed=seed)
    except ir.IRValidationError as error:
        assert error.parameter in ("weight", "delay")
        assert isinstance(getattr(proj, error.parameter), np.ndarray)
        return
    assert syn.pre.size == syn.post.size == syn.weight.size == syn.delay.size == syn.size
    assert np.all((syn.pre >= 0) & (syn.pre < proj.pre.population.size))
    assert np.all((syn.post >= 0) & (syn.post < proj.post.population.size))
    assert np.all(np.isin(syn.pre, proj.pre.indices)) and np.all(np.isin(syn.post, proj.post.indices))
    assert np.all(np.isfinite(syn.weight)) and np.all(syn.weight >= 0)
    assert np.all(np.isfinite(syn.delay)) and np.all(syn.delay > 0)


# -- Network ---------------------------------------------------------------------------------
OTHER_EXC = ir.Population(name="exc", size=2, cell=ir.IF_curr_exp())  # same name as EXC
OUTSIDER = ir.Population(name="outsider", size=4, cell=ir.IF_curr_exp())  # never in the network
PROJECTIONS = [
    ir.Projection(name="p1", pre=EXC, post=INH, connector=ir.AllToAll(), weight=0.5, delay=1.0),
    ir.Projection(name="p2", pre=SRC, post=EXC[0:3], connector=ir.OneToOne(), delay=0.5),
    ir.Projection(name="p3", pre=POI, post=EXC, connector=ir.FixedProbability(p=0.5), delay=0.05),
    ir.Projection(name="p4", pre=EXC, post=EXC, connector=ir.FromList(pre=[0], post=[1], delay=[0.2])),
    ir.Projection(name="p1", pre=INH, post=EXC, connector=ir.AllToAll(), delay=2.0),  # name of p1
    ir.Projection(name="p5", pre=OUTSIDER, post=EXC, connector=ir.OneToOne()),
    ir.Projection(name="p6", pre=EXC, post=OUTSIDER[[0, 1]], connector=ir.AllToAll(), delay=0.1),
]


def _network_blame(kwargs, bad) -> set[str]:
    """Joint rules of a network (oracle), for the parts of ``kwargs`` that are not junk."""
    blamed = set()
    pops = kwargs["populations"] if "populations" not in bad else None
    projs = kwargs["projections"] if "projections" not in bad else None
    if pops is not None:
        names = [p.name for p in pops]
        if not pops:
            blamed.add("populations")
        if len(set(names)) != len(names):
            blamed.add("population name")
    if projs is not None:
        proj_names = [p.name for p in projs]
        if len(set(proj_names)) != len(proj_names):
            blamed.add("projection name")
        for proj in projs:
            for side in ("pre", "post"):
                if pops is None or not any(getattr(proj, side).population is p for p in pops):
                    blamed.add(side)
            if "dt" not in bad and ir.network.all_delays_ms(proj).min() < kwargs["dt"] * (1 - 1e-9):
                blamed.add("delay")
    return blamed


@st.composite
def network_cases(draw):
    bad = draw(pick_bad(["dt", "numerics", "name", "populations", "projections"], max_bad=1))
    kwargs = {
        "populations": draw(
            st.one_of(
                st.just(list(POPULATIONS)),
                st.lists(st.sampled_from([*POPULATIONS, OTHER_EXC]), unique=True, max_size=4),
            )
        ),
        "projections": draw(st.lists(st.sampled_from(PROJECTIONS), unique=True, max_size=3)),
        "dt": draw(st.one_of(st.sampled_from([0.1, 2**-4, 1e-4, 10.0, 1]), numbers(1e-4, 10.0))),
    }
    blamed = set()
    if "dt" in bad:
        kwargs["dt"] = draw(st.one_of(junk(), EMPTY, outside(1e-4, 10.0), st.just([0.1])))
        blamed.add("dt")
    if "numerics" in bad:
        not_numerics = ["EXACT", "", None, 1, ["exact"], np.array(["exact", "x"])]
        kwargs["numerics"] = draw(st.sampled_from(not_numerics))
        blamed.add("numerics")
    elif draw(st.booleans()):
        kwargs["numerics"] = draw(st.sampled_from(ir.NUMERICS))
    if "name" in bad:
        kwargs["name"] = draw(INVALID_NAMES)
        blamed.add("name")
    elif draw(st.booleans()):
        kwargs["name"] = draw(VALID_NAMES)
    if "populations" in bad:
        kwargs["populations"] = draw(st.sampled_from([5, None, EXC, [EXC, "inh"], [ir.IF_curr_exp()]]))
        blamed.add("populations")
    elif "projections" in bad:
        kwargs["projections"] = draw(st.sampled_from([5, PROJECTIONS[0], [PROJECTIONS[0], "p2"], [EXC]]))
        blamed |= {"projections", "pre", "post"}  # a real projection before the junk is checked first
    return kwargs, blamed | _network_blame(kwargs, bad)


@FUZZ
@given(case=network_cases())
def test_network_builds_valid_or_names_the_bad_parameter(case):
    kwargs, blamed = case
    net = expect_outcome(lambda: ir.Network(**kwargs), blamed)
    if net is None:
        return
    assert type(net.dt) is float and 1e-4 <= net.dt <= 10.0
    assert net.numerics in ir.NUMERICS and is_valid_name(net.name)
    assert isinstance(net.populations, tuple) and isinstance(net.projections, tuple)
    assert net.n_neurons == sum(p.size for p in kwargs["populations"])
    for proj in net.projections:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            steps = ir.delay_steps(ir.network.all_delays_ms(proj), net.dt, owner=proj.name)
        assert steps.dtype == np.int64 and np.all(steps >= 1)
        assert len(caught) <= 1  # at most one rounding warning per call
