"""Deterministic test networks shared by the equivalence suite (IR only, no backend)."""

from __future__ import annotations

import numpy as np

from spikemem import ir
from spikemem.ir.cells import DiscreteLIF


def feedforward(numerics: str = "exact", dt: float = 0.1, seed: int = 3) -> ir.Network:
    """Poisson and array sources -> exp and delta LIF layers, heterogeneous weights and delays,
    both receptors, a population view and an inhibitory loop. Weights are not dyadic, so sums of
    simultaneous inputs are exact only if they are added in the reference's order."""
    rng = np.random.default_rng(seed)
    poisson = ir.Population(name="poisson", size=40, cell=ir.SpikeSourcePoisson(rate=30.0, seed=seed))
    times = np.round(rng.uniform(0.0, 150.0, 60) / dt) * dt
    array = ir.Population(
        name="array", size=10, cell=ir.SpikeSourceArray(times=times, ids=rng.integers(0, 10, 60))
    )
    exc = ir.Population(
        name="exc",
        size=30,
        cell=ir.IF_curr_exp(
            cm=0.25,
            tau_m=rng.uniform(8.0, 20.0, 30),
            tau_syn_E=3.0,
            tau_syn_I=7.0,
            tau_refrac=2.0,
            v_rest=-65.0,
            v_reset=-70.0,
            v_thresh=-52.0,
            i_offset=rng.uniform(0.0, 0.3, 30),
            v_init=rng.uniform(-70.0, -55.0, 30),
        ),
    )
    delta = ir.Population(
        name="delta",
        size=12,
        cell=ir.IF_curr_delta(
            cm=1.0, tau_m=10.0, tau_refrac=1.5, v_rest=-60.0, v_reset=-62.0, v_thresh=-55.0
        ),
    )
    inh = ir.Population(
        name="inh",
        size=8,
        cell=ir.IF_curr_exp(cm=0.2, tau_m=10.0, tau_syn_E=2.0, tau_syn_I=2.0, tau_refrac=1.0, v_thresh=-55.0),
    )
    projections = (
        ir.Projection(
            name="poisson_exc",
            pre=poisson,
            post=exc,
            connector=ir.FixedProbability(p=0.3, seed=7),
            weight=0.1,
            delay=0.1,
        ),
        ir.Projection(
            name="array_exc", pre=array, post=exc[0:15], connector=ir.AllToAll(), weight=0.37, delay=1.0
        ),
        ir.Projection(
            name="poisson_delta",
            pre=poisson[10:30],
            post=delta,
            connector=ir.FixedProbability(p=0.4),
            weight=1.3,
            delay=0.3,
        ),
        ir.Projection(
            name="exc_delta", pre=exc, post=delta, connector=ir.FixedProbability(p=0.5), weight=0.7, delay=0.4
        ),
        ir.Projection(
            name="exc_inh", pre=exc, post=inh, connector=ir.FixedProbability(p=0.4), weight=0.21, delay=0.7
        ),
        ir.Projection(
            name="inh_exc",
            pre=inh,
            post=exc,
            connector=ir.AllToAll(),
            weight=0.33,
            delay=0.2,
            receptor="inhibitory",
        ),
        ir.Projection(
            name="inh_delta",
            pre=inh,
            post=delta,
            connector=ir.AllToAll(),
            weight=0.9,
            delay=0.1,
            receptor="inhibitory",
        ),
    )
    # heterogeneous per-synapse weights and delays on one projection
    syn = ir.resolve(projections[0], 0)
    hetero = ir.Projection(
        name="poisson_exc",
        pre=poisson,
        post=exc,
        connector=ir.FixedProbability(p=0.3, seed=7),
        weight=rng.uniform(0.05, 0.4, syn.size),
        delay=rng.choice([0.1, 0.5, 1.2, 2.0], syn.size),
    )
    return ir.Network(
        populations=(poisson, array, exc, delta, inh),
        projections=(hetero,) + projections[1:],
        dt=dt,
        numerics=numerics,
        name=f"feedforward_{numerics}",
    )


def discrete(dt: float = 0.05, seed: int = 4) -> ir.Network:
    """HLOP's discrete-time neurons (``DiscreteLIF``, subtractive reset): a leaky layer driven by
    Poisson sources and an integrate-and-fire layer fed by it, with inhibition."""
    rng = np.random.default_rng(seed)
    src = ir.Population(name="src", size=20, cell=ir.SpikeSourcePoisson(rate=2000.0, seed=seed))
    leaky = ir.Population(
        name="leaky",
        size=16,
        cell=DiscreteLIF(tau_m=1.0, v_thresh=rng.uniform(0.8, 1.2, 16), alpha=0.3, i_offset=0.05),
    )
    ifire = ir.Population(
        name="ifire", size=8, cell=DiscreteLIF(tau_m=None, v_thresh=1.0, alpha=1.0, v_init=0.5)
    )
    projections = (
        ir.Projection(
            name="src_leaky",
            pre=src,
            post=leaky,
            connector=ir.FixedProbability(p=0.5, seed=seed),
            weight=0.4 + rng.uniform(0.0, 0.2),
            delay=dt,
        ),
        ir.Projection(
            name="leaky_if", pre=leaky, post=ifire, connector=ir.AllToAll(), weight=0.137, delay=2 * dt
        ),
        ir.Projection(
            name="if_leaky",
            pre=ifire,
            post=leaky,
            connector=ir.AllToAll(),
            weight=0.21,
            delay=dt,
            receptor="inhibitory",
        ),
    )
    return ir.Network(populations=(src, leaky, ifire), projections=projections, dt=dt, name="discrete")


def feedforward_exp(copies: int = 10, dt: float = 0.1) -> ir.Network:
    """``copies`` disjoint feed-forward networks of ``IF_curr_exp`` cells only (one per seed):
    Poisson sources -> ``hidden`` (both receptors, different ``tau_syn``, heterogeneous
    ``i_offset`` and ``v_init``, delays of 1 and 5 steps) -> ``out`` (delay 15 steps).
    Populations ``poisson<k>``, ``hidden<k>``, ``out<k>`` for k = 1..copies. Parameters are
    homogeneous where Nengo keeps one value per ensemble (``tau_m``, ``tau_refrac``, ``tau_syn``)."""
    populations, projections = [], []
    for k in range(1, copies + 1):
        rng = np.random.default_rng(100 + k)
        poisson = ir.Population(name=f"poisson{k}", size=50, cell=ir.SpikeSourcePoisson(rate=20.0, seed=k))
        hidden = ir.Population(
            name=f"hidden{k}",
            size=40,
            cell=ir.IF_curr_exp(
                cm=0.25, tau_m=15.0, tau_syn_E=3.0, tau_syn_I=8.0, tau_refrac=2.0,
                v_rest=-65.0, v_reset=-70.0, v_thresh=-55.0,
                i_offset=rng.uniform(0.0, 0.2, 40), v_init=rng.uniform(-70.0, -56.0, 40),
            ),
        )
        out = ir.Population(
            name=f"out{k}",
            size=20,
            cell=ir.IF_curr_exp(cm=0.5, tau_m=10.0, tau_syn_E=5.0, tau_refrac=1.0, v_thresh=-55.0),
        )
        populations += [poisson, hidden, out]
        projections += [
            ir.Projection(
                name=f"exc{k}", pre=poisson, post=hidden, connector=ir.FixedProbability(p=0.4, seed=k),
                weight=0.25, delay=0.1,
            ),
            ir.Projection(
                name=f"inh{k}", pre=poisson, post=hidden, connector=ir.FixedProbability(p=0.2, seed=50 + k),
                weight=0.15, delay=0.5, receptor="inhibitory",
            ),
            ir.Projection(
                name=f"ff{k}", pre=hidden, post=out, connector=ir.FixedProbability(p=0.5, seed=90 + k),
                weight=0.35, delay=1.5,
            ),
        ]
    return ir.Network(populations=tuple(populations), projections=tuple(projections), dt=dt, name="ff_exp")
