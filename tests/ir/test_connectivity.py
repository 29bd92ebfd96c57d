"""``spikemem.ir.resolve``: connectors to explicit synapses, identical for every backend."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spikemem import ir

A = ir.Population(name="a", size=5, cell=ir.IF_curr_exp())
B = ir.Population(name="b", size=7, cell=ir.IF_curr_exp())
BIG_PRE = ir.Population(name="big_pre", size=200, cell=ir.SpikeSourcePoisson(rate=5.0))
BIG_POST = ir.Population(name="big_post", size=150, cell=ir.IF_curr_exp())


def _proj(pre, post, connector, name="proj", **kwargs):
    return ir.Projection(name=name, pre=pre, post=post, connector=connector, **kwargs)


def _pairs(syn):
    return list(zip(syn.pre.tolist(), syn.post.tolist(), strict=True))


def test_one_to_one_pairs_positions():
    syn = ir.resolve(_proj(A, A, ir.OneToOne(), weight=0.3, delay=2.0))
    assert _pairs(syn) == [(i, i) for i in range(5)]
    np.testing.assert_array_equal(syn.weight, np.full(5, 0.3))
    np.testing.assert_array_equal(syn.delay, np.full(5, 2.0))
    assert syn.size == 5
    for name in ("pre", "post"):
        assert getattr(syn, name).dtype == np.int64
    for name in ("weight", "delay"):
        assert getattr(syn, name).dtype == np.float64


def test_one_to_one_between_views_maps_to_parent_indices():
    syn = ir.resolve(_proj(A[[4, 0, 2]], B[1:7:2], ir.OneToOne()))
    assert _pairs(syn) == [(4, 1), (0, 3), (2, 5)]


def test_all_to_all_with_self_connections_is_the_full_product_in_order():
    syn = ir.resolve(_proj(A, B, ir.AllToAll()))
    assert _pairs(syn) == [(i, j) for i in range(5) for j in range(7)]


def test_all_to_all_without_self_connections_drops_i_equals_j_within_a_population():
    syn = ir.resolve(_proj(A, A, ir.AllToAll(allow_self_connections=False)))
    assert _pairs(syn) == [(i, j) for i in range(5) for j in range(5) if i != j]


def test_all_to_all_without_self_connections_drops_equal_positions_between_populations():
    # sPyNNaker's documented behaviour: the flag also applies between different populations.
    syn = ir.resolve(_proj(A, B, ir.AllToAll(allow_self_connections=False)))
    expected = [(i, j) for i in range(5) for j in range(7) if i != j]
    assert _pairs(syn) == expected
    assert syn.size == 5 * 7 - 5


def test_self_connection_rule_uses_positions_within_views_not_parent_indices():
    pre, post = A[[3, 1, 4]], B[[1, 3, 6, 0]]
    syn = ir.resolve(_proj(pre, post, ir.AllToAll(allow_self_connections=False)))
    expected = [(pre.indices[i], post.indices[j]) for i in range(3) for j in range(4) if i != j]
    assert _pairs(syn) == [(int(a), int(b)) for a, b in expected]
    assert (3, 1) not in _pairs(syn)  # positions (0, 0)
    assert (1, 3) not in _pairs(syn)  # positions (1, 1)


def test_from_list_keeps_its_order_weights_and_delays():
    connector = ir.FromList(
        pre=[4, 0, 4, 2], post=[1, 6, 1, 0], weight=[0.4, 0.1, 0.3, 0.2], delay=[3.0, 1.0, 2.0, 1.5]
    )
    syn = ir.resolve(_proj(A, B, connector, weight=9.0, delay=9.0))
    assert _pairs(syn) == [(4, 1), (0, 6), (4, 1), (2, 0)]  # order and multapses kept
    np.testing.assert_array_equal(syn.weight, [0.4, 0.1, 0.3, 0.2])
    np.testing.assert_array_equal(syn.delay, [3.0, 1.0, 2.0, 1.5])


def test_from_list_without_weights_uses_the_projection_values():
    syn = ir.resolve(_proj(A, B, ir.FromList(pre=[1, 0], post=[0, 1]), weight=0.7, delay=1.5))
    np.testing.assert_array_equal(syn.weight, [0.7, 0.7])
    np.testing.assert_array_equal(syn.delay, [1.5, 1.5])


def test_from_list_positions_go_through_views():
    syn = ir.resolve(_proj(A[[4, 3]], B[5:], ir.FromList(pre=[1, 0, 1], post=[0, 1, 1])))
    assert _pairs(syn) == [(3, 5), (4, 6), (3, 6)]


def test_from_pairs_matches_from_list():
    connector = ir.FromList.from_pairs([[0, 1, 0.5, 2.0], [3, 2, 0.25, 1.0]])
    syn = ir.resolve(_proj(A, B, connector))
    assert _pairs(syn) == [(0, 1), (3, 2)]
    np.testing.assert_array_equal(syn.weight, [0.5, 0.25])
    np.testing.assert_array_equal(syn.delay, [2.0, 1.0])


def test_per_synapse_weight_array_follows_resolve_order_and_is_checked():
    weights = np.linspace(0.0, 1.0, 5)
    syn = ir.resolve(_proj(A, A, ir.OneToOne(), weight=weights))
    np.testing.assert_array_equal(syn.weight, weights)
    with pytest.raises(ir.IRValidationError) as info:
        ir.resolve(_proj(A, B, ir.AllToAll(), weight=weights))
    assert info.value.parameter == "weight" and "35" in info.value.allowed


# -- FixedProbability ------------------------------------------------------------------------
def test_fixed_probability_same_seed_same_synapses():
    proj = _proj(BIG_PRE, BIG_POST, ir.FixedProbability(p=0.1, seed=42))
    first, second = ir.resolve(proj), ir.resolve(proj, seed=999)  # own seed wins over compile seed
    np.testing.assert_array_equal(first.pre, second.pre)
    np.testing.assert_array_equal(first.post, second.post)


def test_fixed_probability_different_seed_different_synapses():
    first = ir.resolve(_proj(BIG_PRE, BIG_POST, ir.FixedProbability(p=0.1, seed=1)))
    second = ir.resolve(_proj(BIG_PRE, BIG_POST, ir.FixedProbability(p=0.1, seed=2)))
    assert _pairs(first) != _pairs(second)


def test_fixed_probability_without_seed_derives_it_from_compile_seed_and_name():
    proj = _proj(BIG_PRE, BIG_POST, ir.FixedProbability(p=0.1))
    same = ir.resolve(proj, seed=7), ir.resolve(proj, seed=7)
    assert _pairs(same[0]) == _pairs(same[1])
    assert _pairs(ir.resolve(proj, seed=8)) != _pairs(same[0])
    renamed = _proj(BIG_PRE, BIG_POST, ir.FixedProbability(p=0.1), name="other")
    assert _pairs(ir.resolve(renamed, seed=7)) != _pairs(same[0])


@pytest.mark.parametrize("p", [0.01, 0.1, 0.5, 0.9])
@pytest.mark.parametrize("seed", [0, 1, 12345])
def test_fixed_probability_count_within_five_sigma(p, seed):
    syn = ir.resolve(_proj(BIG_PRE, BIG_POST, ir.FixedProbability(p=p, seed=seed)))
    n = BIG_PRE.size * BIG_POST.size
    mean, sigma = n * p, math.sqrt(n * p * (1 - p))
    assert abs(syn.size - mean) <= 5 * sigma
    # No duplicates, sorted by pre then post, indices in range.
    keys = syn.pre * BIG_POST.size + syn.post
    assert np.all(np.diff(keys) > 0)


def test_fixed_probability_without_self_connections_count_and_diagonal():
    p, seed = 0.5, 3
    syn = ir.resolve(
        _proj(BIG_POST, BIG_POST, ir.FixedProbability(p=p, seed=seed, allow_self_connections=False))
    )
    assert not np.any(syn.pre == syn.post)
    n = BIG_POST.size * (BIG_POST.size - 1)
    assert abs(syn.size - n * p) <= 5 * math.sqrt(n * p * (1 - p))


def test_fixed_probability_edge_cases():
    none = ir.resolve(_proj(A, B, ir.FixedProbability(p=0.0, seed=1)))
    assert none.size == 0 and none.pre.dtype == np.int64 and none.weight.shape == (0,)
    full = ir.resolve(_proj(A, B, ir.FixedProbability(p=1.0, seed=1)))
    assert _pairs(full) == _pairs(ir.resolve(_proj(A, B, ir.AllToAll())))
    full_no_self = ir.resolve(_proj(A, B, ir.FixedProbability(p=1.0, allow_self_connections=False)))
    assert _pairs(full_no_self) == _pairs(ir.resolve(_proj(A, B, ir.AllToAll(allow_self_connections=False))))


def test_fixed_probability_on_views_uses_parent_indices():
    pre, post = BIG_PRE[10:60], BIG_POST[[149, 0, 75]]
    syn = ir.resolve(_proj(pre, post, ir.FixedProbability(p=0.5, seed=5)))
    assert np.all(np.isin(syn.pre, pre.indices)) and np.all(np.isin(syn.post, post.indices))
    assert syn.size > 0


@settings(max_examples=100, deadline=None)
@given(
    n_pre=st.integers(1, 12),
    n_post=st.integers(1, 12),
    p=st.floats(0, 1),
    seed=st.one_of(st.none(), st.integers(0, 2**63 - 1)),
    compile_seed=st.integers(0, 2**64 - 1),
    allow_self=st.booleans(),
)
def test_fixed_probability_is_a_subset_of_all_to_all(n_pre, n_post, p, seed, compile_seed, allow_self):
    pre = ir.Population(name="pre", size=n_pre, cell=ir.SpikeSourcePoisson())
    post = ir.Population(name="post", size=n_post, cell=ir.IF_curr_exp())
    connector = ir.FixedProbability(p=p, seed=seed, allow_self_connections=allow_self)
    syn = ir.resolve(_proj(pre, post, connector), seed=compile_seed)
    everything = set(_pairs(ir.resolve(_proj(pre, post, ir.AllToAll(allow_self_connections=allow_self)))))
    assert set(_pairs(syn)) <= everything
    assert len(set(_pairs(syn))) == syn.size
    assert _pairs(syn) == _pairs(ir.resolve(_proj(pre, post, connector), seed=compile_seed))
