"""Random connectors drawn in O(synapses): their distributions against binomial/hypergeometric
oracles, exact counts, ordering, determinism, validation and memory."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest
from scipy import stats

from spikemem import ir
from spikemem.config import config_from_dict
from spikemem.ir import sampling
from spikemem.ir.serialize import network_to_dict


def _pop(name: str, size: int) -> ir.Population:
    return ir.Population(name=name, size=size, cell=ir.IF_curr_exp())


def _resolve(connector, n_pre: int, n_post: int, seed: int = 0, same: bool = False) -> ir.Synapses:
    pre = _pop("a", n_pre)
    post = pre if same else _pop("b", n_post)
    return ir.resolve(ir.Projection(name="p", pre=pre, post=post, connector=connector, weight=0.1), seed)


def _counts(syn: ir.Synapses, n_pre: int, n_post: int) -> np.ndarray:
    table = np.zeros((n_pre, n_post), dtype=np.int64)
    np.add.at(table, (syn.pre, syn.post), 1)
    return table


def _sorted(syn: ir.Synapses) -> bool:
    return bool(np.all((np.diff(syn.pre) > 0) | ((np.diff(syn.pre) == 0) & (np.diff(syn.post) >= 0))))


# -- FixedProbability -----------------------------------------------------------------------
def test_fixed_probability_each_pair_is_bernoulli_p_over_many_seeds():
    """2000 draws of a 6×5 grid: every pair's frequency within 5 binomial sigmas of p, none on
    the excluded diagonal."""
    p, draws = 0.3, 2000
    total = np.zeros((6, 5))
    for seed in range(draws):
        syn = _resolve(ir.FixedProbability(p=p, allow_self_connections=False, seed=seed), 6, 5)
        assert _sorted(syn)
        total += _counts(syn, 6, 5)
    sigma = np.sqrt(draws * p * (1 - p))
    off = ~np.eye(6, 5, dtype=bool)
    assert np.all(np.abs(total[off] - draws * p) < 5 * sigma)
    assert np.all(total[~off] == 0)


def test_fixed_probability_row_counts_follow_the_binomial_law():
    """Out-degrees of a 4000×300 draw against Binomial(300, 0.05) (chi-square, p > 1e-4)."""
    syn = _resolve(ir.FixedProbability(p=0.05, seed=7), 4000, 300)
    degree = np.bincount(syn.pre, minlength=4000)
    observed = np.bincount(np.clip(degree, 5, 27) - 5, minlength=23)
    cdf = stats.binom.cdf(np.arange(5, 28), 300, 0.05)
    expected = np.diff(np.concatenate([[0.0], cdf])) * 4000
    expected[-1] += (1.0 - cdf[-1]) * 4000
    assert stats.chisquare(observed, expected * observed.sum() / expected.sum()).pvalue > 1e-4


def test_fixed_probability_is_reproducible_and_chunk_independent(monkeypatch):
    first = _resolve(ir.FixedProbability(p=0.01, seed=3), 900, 800)
    monkeypatch.setattr(sampling, "CHUNK", 1000)  # many small chunks: the same stream, the same pairs
    again = _resolve(ir.FixedProbability(p=0.01, seed=3), 900, 800)
    np.testing.assert_array_equal(first.pre, again.pre)
    np.testing.assert_array_equal(first.post, again.post)


def test_fixed_probability_extremes():
    assert _resolve(ir.FixedProbability(p=0.0), 50, 40).size == 0
    full = _resolve(ir.FixedProbability(p=1.0, allow_self_connections=False), 5, 5, same=True)
    assert full.size == 20 and not np.any(full.pre == full.post)


def test_fixed_probability_memory_grows_with_synapses_not_the_grid():
    """200 000 × 200 000 at p = 5e-5 (2 M synapses): the dense mask would take 40 GB; the
    draw's peak stays within 100 bytes per synapse."""
    tracemalloc.start()
    try:
        syn = _resolve(ir.FixedProbability(p=5e-5, seed=1), 200_000, 200_000)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert abs(syn.size - 2e6) < 5 * np.sqrt(2e6)
    assert peak < 100 * syn.size


# -- FixedNumberPre / FixedNumberPost ------------------------------------------------------
@pytest.mark.parametrize("n", [3, 9])  # 9 of 10 candidates takes the dense path
def test_fixed_number_pre_exact_in_degree_distinct_and_uniform(n):
    n_pre, n_post, draws = 11, 7, 600
    total = np.zeros((n_pre, n_post))
    for seed in range(draws):
        syn = _resolve(ir.FixedNumberPre(n=n, allow_self_connections=False, seed=seed), n_pre, n_post)
        table = _counts(syn, n_pre, n_post)
        assert np.all(table.sum(axis=0) == n) and table.max() == 1
        assert _sorted(syn)
        total += table
    allowed = ~np.eye(n_pre, n_post, dtype=bool)
    q = n / (n_pre - 1)  # every allowed pre of a post column is drawn with probability n/10
    sigma = np.sqrt(draws * q * (1 - q))
    assert np.all(np.abs(total[allowed] - draws * q) < 5 * sigma)
    assert np.all(total[~allowed] == 0)


@pytest.mark.parametrize("n", [2, 6])
def test_fixed_number_post_exact_out_degree_distinct_and_uniform(n):
    n_pre, n_post, draws = 5, 8, 600
    total = np.zeros((n_pre, n_post))
    for seed in range(draws):
        syn = _resolve(ir.FixedNumberPost(n=n, seed=seed), n_pre, n_post)
        table = _counts(syn, n_pre, n_post)
        assert np.all(table.sum(axis=1) == n) and table.max() == 1
        assert _sorted(syn)
        total += table
    q = n / n_post
    assert np.all(np.abs(total - draws * q) < 5 * np.sqrt(draws * q * (1 - q)))


def test_with_replacement_keeps_the_count_and_may_repeat_pairs():
    syn = _resolve(ir.FixedNumberPost(n=30, with_replacement=True, seed=2), 20, 10)
    table = _counts(syn, 20, 10)
    assert np.all(table.sum(axis=1) == 30) and table.max() > 1


def test_fixed_number_pre_on_a_large_population_is_exact():
    syn = _resolve(ir.FixedNumberPre(n=80, seed=4), 50_000, 20_000)
    assert syn.size == 80 * 20_000
    np.testing.assert_array_equal(np.bincount(syn.post, minlength=20_000), np.full(20_000, 80))
    keys = syn.pre * 20_000 + syn.post
    assert np.unique(keys).size == keys.size and _sorted(syn)


# -- FixedTotalNumber ----------------------------------------------------------------------
def test_fixed_total_number_is_uniform_over_pairs():
    draws, n = 800, 12
    total = np.zeros((6, 6))
    for seed in range(draws):
        syn = _resolve(ir.FixedTotalNumber(n=n, allow_self_connections=False, seed=seed), 6, 6, same=True)
        table = _counts(syn, 6, 6)
        assert table.sum() == n and table.max() == 1 and np.trace(table) == 0
        total += table
    q = n / 30
    off = ~np.eye(6, dtype=bool)
    assert np.all(np.abs(total[off] - draws * q) < 5 * np.sqrt(draws * q * (1 - q)))


def test_fixed_total_number_on_a_large_grid_draws_distinct_pairs():
    syn = _resolve(ir.FixedTotalNumber(n=300_000, allow_self_connections=False, seed=5), 3000, 3000, same=True)
    keys = syn.pre * 3000 + syn.post
    assert syn.size == 300_000 and np.unique(keys).size == 300_000
    assert not np.any(syn.pre == syn.post) and _sorted(syn)


# -- validation, serialisation, TOML ------------------------------------------------------
@pytest.mark.parametrize(
    "connector, sizes, message",
    [
        (lambda: ir.FixedNumberPre(n=5), (4, 3), "FixedNumberPre.n=5; allowed: at most 4"),
        (lambda: ir.FixedNumberPre(n=4, allow_self_connections=False), (4, 3), "at most 3"),
        (lambda: ir.FixedNumberPost(n=4), (4, 3), "FixedNumberPost.n=4; allowed: at most 3"),
        (lambda: ir.FixedTotalNumber(n=13), (4, 3), "FixedTotalNumber.n=13; allowed: at most 12"),
    ],
)
def test_more_synapses_than_candidates_is_refused_at_construction(connector, sizes, message):
    with pytest.raises(ir.IRValidationError, match=message.replace(".", r"\.")):
        _resolve(connector(), *sizes)


@pytest.mark.parametrize("kind", [ir.FixedNumberPre, ir.FixedNumberPost, ir.FixedTotalNumber])
@pytest.mark.parametrize("bad", [-1, 2.5, True, "3", None])
def test_n_must_be_a_non_negative_integer(kind, bad):
    with pytest.raises(ir.IRValidationError, match=f"{kind.kind}: invalid n="):
        kind(n=bad)


def test_flags_and_seed_are_checked():
    with pytest.raises(ir.IRValidationError, match="with_replacement"):
        ir.FixedNumberPre(n=1, with_replacement="yes")
    with pytest.raises(ir.IRValidationError, match="seed"):
        ir.FixedTotalNumber(n=1, seed=-3)


@pytest.mark.parametrize(
    "connector",
    [
        ir.FixedNumberPre(n=3, allow_self_connections=False, seed=9),
        ir.FixedNumberPost(n=2, with_replacement=True),
        ir.FixedTotalNumber(n=7, seed=1),
    ],
)
def test_new_connectors_round_trip_through_to_dict(connector):
    a = _pop("a", 6)
    net = ir.Network(
        populations=(a,), projections=(ir.Projection(name="p", pre=a, post=a, connector=connector, weight=0.1),)
    )
    again = ir.Network.from_dict(network_to_dict(net))
    before, after = ir.resolve(net.projections[0], 4), ir.resolve(again.projections[0], 4)
    np.testing.assert_array_equal(before.pre, after.pre)
    np.testing.assert_array_equal(before.post, after.post)
    assert type(again.projections[0].connector) is type(connector)


def test_toml_accepts_the_fixed_number_connectors():
    config = config_from_dict(
        {
            "network": {"name": "n", "dt": 0.1},
            "population": [{"name": "a", "size": 20, "cell": "IF_curr_exp"}],
            "projection": [
                {"name": "p", "pre": "a", "post": "a", "connector": "FixedNumberPre", "n": 4,
                 "allow_self_connections": False, "weight": 0.1},
                {"name": "q", "pre": "a", "post": "a", "connector": "FixedTotalNumber", "n": 30,
                 "with_replacement": True, "weight": 0.1},
            ],
            "run": {"duration": 10.0},
        }
    )
    pre_conn, total_conn = (p.connector for p in config.network.projections)
    assert isinstance(pre_conn, ir.FixedNumberPre) and pre_conn.n == 4 and not pre_conn.allow_self_connections
    assert isinstance(total_conn, ir.FixedTotalNumber) and total_conn.with_replacement


# -- refusals before drawing ----------------------------------------------------------------
def test_a_connector_that_cannot_fit_in_memory_is_refused_before_drawing():
    """10⁶ × 10⁶ pairs at p = 0.5: 5·10¹¹ synapses (about 15 TiB) are refused at once."""
    pop = _pop("a", 1_000_000)
    proj = ir.Projection(name="huge", pre=pop, post=pop, connector=ir.FixedProbability(p=0.5), weight=0.1)
    with pytest.raises(ir.IRValidationError, match=r"Projection 'huge'.*5e\+11 synapses.*GiB are free"):
        ir.resolve(proj, 0)


@pytest.mark.parametrize("p", [5e-324, 1e-300, 1e-18])
def test_a_vanishing_probability_ends_with_no_synapse(p):
    """numpy's geometric variable overflows int64 for such p; the draw still ends (empty)."""
    assert _resolve(ir.FixedProbability(p=p, seed=1), 100_000, 100_000).size == 0
