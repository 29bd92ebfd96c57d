"""The test networks shared by every test folder (IR only: no backend, no pytest).

Import it as a top-level module, ``from networks import feedforward``: ``tests/conftest.py`` puts
the ``tests`` folder on ``sys.path`` (pytest runs with ``--import-mode=importlib``, where relative
imports across test folders do not work). Run as a script it prints the content hash of
:func:`every_node_network`, or of the network saved at ``argv[1]`` (the cross-process hash test).

Every builder is deterministic: the same arguments give the same network (same seeds, names and
order), so tests that assert numbers derived from a network keep asserting the same numbers. A
test that needs a variant passes arguments instead of copying a builder.
"""

from __future__ import annotations

import numpy as np

from spikemem import ir
from spikemem.ir.cells import DiscreteLIF

# -- building blocks ------------------------------------------------------------------------------


def array_source(
    name: str, size: int, count: int, start: float, stop: float, rng: np.random.Generator, dt: float
) -> ir.Population:
    """``count`` spikes at uniform times in ``[start, stop)`` rounded to the ``dt`` grid, on uniform
    random ids (times drawn from ``rng`` first, then ids)."""
    times = np.round(rng.uniform(start, stop, count) / dt) * dt
    return ir.Population(
        name=name, size=size, cell=ir.SpikeSourceArray(times=times, ids=rng.integers(0, size, count))
    )


def varied_exp_cells(
    rng: np.random.Generator, size: int, *, i_offset_max: float, v_init_max: float, **fixed: float
) -> ir.IF_curr_exp:
    """``IF_curr_exp`` cells with per-neuron ``tau_m ~ U(8, 20)``, ``i_offset ~ U(0, i_offset_max)``
    and ``v_init ~ U(-70, v_init_max)`` (drawn from ``rng`` in that order); ``fixed`` sets the rest."""
    tau_m = rng.uniform(8.0, 20.0, size)
    i_offset = rng.uniform(0.0, i_offset_max, size)
    v_init = rng.uniform(-70.0, v_init_max, size)
    return ir.IF_curr_exp(tau_m=tau_m, i_offset=i_offset, v_init=v_init, **fixed)


# -- every IR node (tests/ir) ---------------------------------------------------------------------


def every_node_network() -> ir.Network:
    """Every IR node type: views as pre and post, per-neuron arrays, FromList with weights and
    delays, every connector, both weight dependences and every STDP convention value."""
    exc = ir.Population(
        name="exc",
        size=6,
        cell=ir.IF_curr_exp(
            tau_m=np.linspace(10.0, 20.0, 6),
            cm=[0.25, 0.5, 1.0, 0.25, 0.5, 1.0],
            v_thresh=-50.0,
            v_reset=np.full(6, -70.0),
            i_offset=0.1,
            v_init=np.linspace(-70.0, -60.0, 6),
        ),
    )
    inh = ir.Population(name="inh", size=3, cell=ir.IF_curr_delta(tau_refrac=2.0, v_init=-65.5))
    stim = ir.Population(
        name="stim", size=4, cell=ir.SpikeSourceArray(times=[1.0, 2.5, 0.0, 7.25], ids=[0, 3, 1, 0])
    )
    noise = ir.Population(
        name="noise",
        size=5,
        cell=ir.SpikeSourcePoisson(rate=[1.0, 2.0, 3.0, 4.0, 5.0], start=5.0, duration=100.0, seed=11),
    )
    drive = ir.Population(name="drive", size=2, cell=ir.SpikeSourcePoisson(rate=20.0))
    projections = (
        ir.Projection(
            name="stim-exc", pre=stim, post=exc[[5, 1, 3, 0]], connector=ir.OneToOne(), weight=0.5, delay=1.0
        ),
        ir.Projection(
            name="exc-inh",
            pre=exc[0:6:2],
            post=inh,
            connector=ir.AllToAll(allow_self_connections=False),
            weight=np.array([0.1, 0.2, 0.3, 0.4, 0.5, 0.6]),
            delay=0.5,
        ),
        ir.Projection(
            name="inh-exc",
            pre=inh,
            post=exc,
            connector=ir.FixedProbability(p=0.5, seed=3),
            weight=0.25,
            delay=1.5,
            receptor="inhibitory",
        ),
        ir.Projection(
            name="noise-exc",
            pre=noise,
            post=exc,
            connector=ir.FixedProbability(p=0.3),
            weight=0.05,
            delay=2.0,
        ),
        ir.Projection(
            name="exc-exc-list",
            pre=exc,
            post=exc[1:],
            connector=ir.FromList(
                pre=[0, 2, 5, 5], post=[4, 0, 1, 1], weight=[0.1, 0.2, 0.3, 0.4], delay=[1.0, 2.0, 0.5, 3.0]
            ),
            weight=0.3,
            delay=1.0,
            plasticity=ir.STDP(
                timing=ir.SpikePair(tau_plus=16.8, tau_minus=33.7, A_plus=0.005, A_minus=0.006),
                weight=ir.Additive(w_min=0.0, w_max=0.5),
                delay_convention="dendritic",
                zero_lag="depress",
                amplitude="absolute",
                clipping="per_event",
            ),
        ),
        ir.Projection(
            name="exc-exc-all",
            pre=exc,
            post=exc,
            connector=ir.AllToAll(),
            weight=0.2,
            delay=1.0,
            plasticity=ir.STDP(
                weight=ir.Multiplicative(w_min=0.1, w_max=0.9),
                delay_convention="axonal",
                zero_lag="potentiate",
                amplitude="w_max",
                clipping="end_of_phase",
            ),
        ),
        ir.Projection(
            name="drive-inh",
            pre=drive,
            post=inh[[2]],
            connector=ir.FromList(pre=[1, 0], post=[0, 0]),
            weight=1.0,
            delay=0.25,
            plasticity=ir.STDP(delay_convention="none", zero_lag="ignore", weight=ir.Additive(w_max=2.0)),
        ),
    )
    return ir.Network(
        populations=(exc, inh, stim, noise, drive),
        projections=projections,
        dt=0.25,
        numerics="spinnaker",
        name="every-node",
    )


def every_node_schedule() -> ir.Schedule:
    """A schedule for :func:`every_node_network`: stimuli, selective plasticity and all-on /
    all-off phases."""
    return ir.Schedule(
        phases=(
            ir.Phase(
                name="store-0",
                duration=50.0,
                stimuli=(ir.Stimulus(population="stim", times=[0.0, 10.5], ids=[0, 3]),),
            ),
            ir.Phase(name="recall", duration=25.5, plastic=()),
            ir.Phase(name="learn-list", duration=10.0, plastic=("exc-exc-list",)),
            ir.Phase(name="all", duration=1.0),
        )
    )


# -- feed-forward networks run against the reference (tests/equivalence, tests/backends) ----------


def feedforward(numerics: str = "exact", dt: float = 0.1, seed: int = 3) -> ir.Network:
    """Spike-exact agreement: Poisson and array sources -> exp and delta LIF layers, heterogeneous
    weights and delays (one-step neuron delays included), both receptors, a population view and an
    inhibitory loop. Weights are not dyadic, so sums of simultaneous inputs are exact only if they
    are added in the reference's order."""
    rng = np.random.default_rng(seed)
    poisson = ir.Population(name="poisson", size=40, cell=ir.SpikeSourcePoisson(rate=30.0, seed=seed))
    array = array_source("array", 10, 60, 0.0, 150.0, rng, dt)
    exc = ir.Population(
        name="exc",
        size=30,
        cell=varied_exp_cells(
            rng,
            30,
            i_offset_max=0.3,
            v_init_max=-55.0,
            cm=0.25,
            tau_syn_E=3.0,
            tau_syn_I=7.0,
            tau_refrac=2.0,
            v_rest=-65.0,
            v_reset=-70.0,
            v_thresh=-52.0,
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
    # heterogeneous per-synapse weights and delays on the first projection
    size = ir.resolve(projections[0], 0).size
    hetero = ir.Projection(
        name="poisson_exc",
        pre=poisson,
        post=exc,
        connector=ir.FixedProbability(p=0.3, seed=7),
        weight=rng.uniform(0.05, 0.4, size),
        delay=rng.choice([0.1, 0.5, 1.2, 2.0], size),
    )
    return ir.Network(
        populations=(poisson, array, exc, delta, inh),
        projections=(hetero,) + projections[1:],
        dt=dt,
        numerics=numerics,
        name=f"feedforward_{numerics}",
    )


def nest_feedforward(dt: float = 0.1, neuron_delay_steps: int = 2, feedback: bool = True) -> ir.Network:
    """What NEST can express exactly: sources -> exp layer ``a`` -> exp layer ``b`` and delta layer
    ``c``; neuron delays of ``neuron_delay_steps`` (at least 2 for NEST) onto exp cells, per-synapse
    heterogeneous weights on ``src_a``, both receptors, a view, and (``feedback``) ``b -> a``."""
    rng = np.random.default_rng(3)
    src = array_source("src", 20, 300, 0.3, 120.0, rng, dt)
    poisson = ir.Population(name="poisson", size=10, cell=ir.SpikeSourcePoisson(rate=40.0, start=0.5, seed=2))
    a = ir.Population(
        name="a",
        size=30,
        cell=varied_exp_cells(
            rng,
            30,
            i_offset_max=0.2,
            v_init_max=-56.0,
            cm=0.25,
            tau_syn_E=3.0,
            tau_syn_I=6.0,
            tau_refrac=2.0,
            v_reset=-70.0,
            v_thresh=-55.0,
        ),
    )
    b = ir.Population(
        name="b", size=10, cell=ir.IF_curr_exp(tau_m=12.0, tau_syn_E=2.0, tau_refrac=1.0, v_thresh=-58.0)
    )
    c = ir.Population(
        name="c", size=8, cell=ir.IF_curr_delta(tau_m=10.0, tau_refrac=1.5, v_thresh=-60.0, v_init=-62.0)
    )
    d = neuron_delay_steps * dt
    src_a = ir.FixedProbability(p=0.3, seed=1)
    n_src_a = ir.resolve(ir.Projection(name="src_a", pre=src, post=a, connector=src_a), 0).size
    projections = (
        ir.Projection(
            name="src_a",
            pre=src,
            post=a,
            connector=src_a,
            weight=rng.uniform(0.2, 0.9, n_src_a),
            delay=dt,
        ),
        ir.Projection(
            name="poisson_a",
            pre=poisson,
            post=a[10:30],
            connector=ir.AllToAll(),
            weight=0.15,
            delay=0.5,
            receptor="inhibitory",
        ),
        ir.Projection(
            name="a_b", pre=a, post=b, connector=ir.FixedProbability(p=0.4, seed=3), weight=0.6, delay=d
        ),
        ir.Projection(
            name="a_c", pre=a, post=c, connector=ir.FixedProbability(p=0.5, seed=4), weight=0.8, delay=dt
        ),
    )
    if feedback:
        projections += (
            ir.Projection(
                name="b_a",
                pre=b,
                post=a,
                connector=ir.AllToAll(),
                weight=0.2,
                delay=3 * dt,
                receptor="inhibitory",
            ),
        )
    return ir.Network(populations=(src, poisson, a, b, c), projections=projections, dt=dt, name="nest_ff")


def pynn_feedforward(dt: float = 0.1) -> ir.Network:
    """What every PyNN simulator can express exactly: sources (array and Poisson) -> exp layer
    ``exc`` -> exp layer ``out`` (two-step neuron delay, inhibitory feedback) and delta layer
    ``delta``; a view, both receptors."""
    rng = np.random.default_rng(8)
    array = array_source("array", 15, 250, 0.3, 150.0, rng, dt)
    poisson = ir.Population(name="poisson", size=20, cell=ir.SpikeSourcePoisson(rate=30.0, start=0.5, seed=5))
    exc = ir.Population(
        name="exc",
        size=25,
        cell=varied_exp_cells(
            rng,
            25,
            i_offset_max=0.25,
            v_init_max=-56.0,
            cm=0.25,
            tau_syn_E=3.0,
            tau_syn_I=7.0,
            tau_refrac=2.0,
            v_reset=-70.0,
            v_thresh=-54.0,
        ),
    )
    out = ir.Population(
        name="out", size=10, cell=ir.IF_curr_exp(cm=0.3, tau_m=10.0, tau_syn_E=2.0, v_thresh=-58.0)
    )
    delta = ir.Population(
        name="delta", size=10, cell=ir.IF_curr_delta(tau_m=10.0, tau_refrac=1.5, v_thresh=-58.0)
    )
    projections = (
        ir.Projection(
            name="array_exc",
            pre=array,
            post=exc,
            connector=ir.FixedProbability(p=0.4, seed=1),
            weight=0.6,
            delay=dt,
        ),
        ir.Projection(
            name="poisson_exc",
            pre=poisson,
            post=exc[5:25],
            connector=ir.AllToAll(),
            weight=0.08,
            delay=0.5,
            receptor="inhibitory",
        ),
        ir.Projection(
            name="exc_out",
            pre=exc,
            post=out,
            connector=ir.FixedProbability(p=0.5, seed=2),
            weight=0.35,
            delay=2 * dt,
        ),
        ir.Projection(
            name="exc_delta",
            pre=exc,
            post=delta,
            connector=ir.FixedProbability(p=0.4, seed=3),
            weight=2.5,
            delay=dt,
        ),
        ir.Projection(
            name="out_exc",
            pre=out,
            post=exc,
            connector=ir.AllToAll(),
            weight=0.15,
            delay=0.4,
            receptor="inhibitory",
        ),
    )
    return ir.Network(
        populations=(array, poisson, exc, out, delta), projections=projections, dt=dt, name="pynn_feedforward"
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


def feedforward_exp(copies: int = 10, dt: float = 0.1, ff_weight: float = 0.35) -> ir.Network:
    """Statistical agreement: ``copies`` disjoint feed-forward networks of ``IF_curr_exp`` cells
    only (one per seed): Poisson sources -> ``hidden`` (both receptors, different ``tau_syn``,
    heterogeneous ``i_offset`` and ``v_init``, delays of 1 and 5 steps) -> ``out`` (delay 15 steps).
    Populations ``poisson<k>``, ``hidden<k>``, ``out<k>`` for k = 1..copies. Parameters are
    homogeneous where Nengo keeps one value per ensemble (``tau_m``, ``tau_refrac``, ``tau_syn``).
    ``ff_weight`` is the weight of the ``hidden -> out`` projections ``ff<k>``."""
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
                weight=ff_weight, delay=1.5,
            ),
        ]
    return ir.Network(populations=tuple(populations), projections=tuple(projections), dt=dt, name="ff_exp")


# -- NIR export and import (tests/ir/test_nir_bridge.py, tests/cli/test_nir_cli.py) --------------


def small_network(numerics: str = "exact", tau_refrac: float = 0.0, dt: float = 0.1) -> ir.Network:
    """NIR mapping of exp cells: spike source -> ``exc`` (CubaLIF, ``i_offset``) -> ``inh`` with
    ``inh -> inh`` inhibition; AllToAll, FromList with per-synapse weights and OneToOne; ``exc``
    receives excitatory input only."""
    stim = ir.Population(name="stim", size=2, cell=ir.SpikeSourceArray(times=[1.0, 2.5, 4.0], ids=[0, 1, 0]))
    exc = ir.Population(
        name="exc",
        size=3,
        cell=ir.IF_curr_exp(
            cm=0.5,
            tau_m=20.0,
            v_rest=-65.0,
            i_offset=0.25,
            v_thresh=-50.0,
            v_reset=-70.0,
            tau_syn_E=5.0,
            tau_syn_I=10.0,
            tau_refrac=tau_refrac,
        ),
    )
    inh = ir.Population(
        name="inh",
        size=2,
        cell=ir.IF_curr_exp(cm=0.25, tau_m=10.0, tau_syn_E=2.0, tau_syn_I=2.0, tau_refrac=tau_refrac),
    )
    projections = (
        ir.Projection(name="stim_exc", pre=stim, post=exc, connector=ir.AllToAll(), weight=0.5, delay=1.0),
        ir.Projection(
            name="exc_inh",
            pre=exc,
            post=inh,
            connector=ir.FromList(pre=[0, 2], post=[1, 0], weight=[0.5, 0.7]),
            delay=0.3,
        ),
        ir.Projection(
            name="inh_inh",
            pre=inh,
            post=inh,
            connector=ir.OneToOne(),
            weight=0.2,
            delay=2.0,
            receptor="inhibitory",
        ),
    )
    return ir.Network(
        populations=(stim, exc, inh), projections=projections, dt=dt, numerics=numerics, name="small"
    )


def split_network(dt: float = 0.1) -> ir.Network:
    """NIR's split synapse: an ``IF_curr_exp`` population with ``tau_syn_E != tau_syn_I``
    receiving both receptor types."""
    stim = ir.Population(name="stim", size=2, cell=ir.SpikeSourceArray(times=[1.0, 3.0], ids=[0, 1]))
    cell = ir.IF_curr_exp(cm=0.5, tau_m=20.0, tau_syn_E=5.0, tau_syn_I=10.0, v_rest=-60.0, tau_refrac=0.0)
    post = ir.Population(name="post", size=3, cell=cell)
    projections = (
        ir.Projection(name="exc_in", pre=stim, post=post, connector=ir.AllToAll(), weight=1.0, delay=1.0),
        ir.Projection(
            name="inh_in",
            pre=stim,
            post=post,
            connector=ir.AllToAll(),
            weight=0.5,
            delay=1.5,
            receptor="inhibitory",
        ),
    )
    return ir.Network(populations=(stim, post), projections=projections, dt=dt, name="split")


def delta_network(dt: float = 0.1) -> ir.Network:
    """NIR mapping of delta-synapse cells (``IF_curr_delta`` with ``i_offset``), one source."""
    stim = ir.Population(name="stim", size=1, cell=ir.SpikeSourceArray(times=[2.0], ids=[0]))
    cells = ir.Population(
        name="cells",
        size=2,
        cell=ir.IF_curr_delta(cm=2.0, tau_m=10.0, v_rest=-70.0, i_offset=0.5, tau_refrac=0.0),
    )
    proj = ir.Projection(name="drive", pre=stim, post=cells, connector=ir.AllToAll(), weight=3.0, delay=0.5)
    return ir.Network(populations=(stim, cells), projections=(proj,), dt=dt, name="delta")


def random_network(seed: int, dt: float = 0.1) -> ir.Network:
    """NIR round trips on random networks: per-neuron parameters, every connector, both
    receptors, delays of several steps; everything drawn from ``seed``."""
    rng = np.random.default_rng(seed)
    n_stim = int(rng.integers(2, 6))
    times = np.round(rng.uniform(0.0, 80.0, 30), 1)
    stim = ir.Population(
        name="stim", size=n_stim, cell=ir.SpikeSourceArray(times=times, ids=rng.integers(0, n_stim, 30))
    )
    pops = [stim]
    for k in range(3):
        n = int(rng.integers(2, 6))
        tau_e = rng.uniform(1.0, 10.0, n)
        cell = ir.IF_curr_exp(
            cm=rng.uniform(0.2, 2.0, n),
            tau_m=rng.uniform(5.0, 40.0, n),
            tau_syn_E=tau_e,
            tau_syn_I=tau_e if k == 1 else rng.uniform(1.0, 10.0, n),
            v_rest=rng.uniform(-70.0, -60.0, n),
            v_thresh=rng.uniform(-55.0, -45.0, n),
            v_reset=rng.uniform(-80.0, -70.0, n),
            i_offset=rng.uniform(0.0, 0.6, n),
            tau_refrac=float(rng.choice([0.0, 1.0, 2.0])),
            v_init=rng.uniform(-70.0, -60.0, n) if k != 2 else None,
        )
        pops.append(ir.Population(name=f"pop{k}", size=n, cell=cell))
    n = int(rng.integers(2, 5))
    pops.append(
        ir.Population(
            name="delta",
            size=n,
            cell=ir.IF_curr_delta(
                tau_m=rng.uniform(5.0, 30.0, n), v_thresh=-55.0, i_offset=0.2, tau_refrac=0.0
            ),
        )
    )
    projections = []
    for k in range(8):
        pre = pops[int(rng.integers(0, len(pops)))]
        post = pops[int(rng.integers(1, len(pops)))]
        choice = int(rng.integers(0, 4))
        delay = float(rng.integers(1, 30)) * dt
        if choice == 0:
            connector, weight = (
                ir.AllToAll(allow_self_connections=bool(rng.integers(0, 2))),
                float(rng.uniform(0.05, 1)),
            )
        elif choice == 1:
            seed_k = int(rng.integers(0, 100)) if rng.integers(0, 2) else None
            connector, weight = ir.FixedProbability(p=0.6, seed=seed_k), float(rng.uniform(0.05, 1))
        else:
            pairs = [(i, j) for i in range(pre.size) for j in range(post.size)]
            chosen = rng.choice(len(pairs), size=min(len(pairs), 5), replace=False)
            count = chosen.size
            connector = ir.FromList(
                pre=[pairs[c][0] for c in chosen],
                post=[pairs[c][1] for c in chosen],
                weight=rng.uniform(0.05, 1.0, count),
                delay=rng.integers(1, 30, count) * dt,
            )
            weight = 0.0
        projections.append(
            ir.Projection(
                name=f"p{k}",
                pre=pre,
                post=post,
                connector=connector,
                weight=weight,
                delay=delay,
                receptor=str(rng.choice(["excitatory", "inhibitory"])),
            )
        )
    return ir.Network(populations=tuple(pops), projections=tuple(projections), dt=dt, name=f"random{seed}")


def static_network() -> ir.Network:
    """``spikemem export --to nir``: a spike source driving ``exc`` through both receptors, no
    plasticity (what NIR can hold)."""
    stim = ir.Population(name="stim", size=2, cell=ir.SpikeSourceArray(times=[1.0, 2.0, 3.0], ids=[0, 1, 0]))
    cell = ir.IF_curr_exp(cm=0.5, tau_m=20.0, v_thresh=-60.0, tau_syn_E=5.0, tau_syn_I=10.0, tau_refrac=2.0)
    exc = ir.Population(name="exc", size=3, cell=cell)
    projections = (
        ir.Projection(name="drive", pre=stim, post=exc, connector=ir.AllToAll(), weight=2.0, delay=1.0),
        ir.Projection(
            name="inhibit",
            pre=stim,
            post=exc,
            connector=ir.AllToAll(),
            weight=0.1,
            delay=2.0,
            receptor="inhibitory",
        ),
    )
    return ir.Network(populations=(stim, exc), projections=projections, dt=0.1, name="static")


if __name__ == "__main__":  # used by the cross-process hash test (tests/ir/test_serialize.py)
    import sys

    if len(sys.argv) > 1:
        print(ir.Network.load(sys.argv[1]).content_hash())
    else:
        print(every_node_network().content_hash())
