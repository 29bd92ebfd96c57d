"""A network that uses every IR node type (importable without pytest, for subprocesses)."""

from __future__ import annotations

import numpy as np

from spikemem import ir


def every_node_network() -> ir.Network:
    """Views as pre and post, per-neuron arrays, FromList with weights and delays, every
    connector, both weight dependences and every STDP convention value."""
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
    """A schedule with stimuli, selective plasticity and all-on / all-off phases."""
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


if __name__ == "__main__":  # used by the cross-process hash test
    import sys

    if len(sys.argv) > 1:
        print(ir.Network.load(sys.argv[1]).content_hash())
    else:
        print(every_node_network().content_hash())
