"""The CA3 content-addressable memory's functional test, written as a plain PyNN script.

Casanueva-Morato et al., "Bio-inspired computational memory model of the Hippocampus: an
approach to a neuromorphic spike-based Content-Addressable Memory", Neural Networks 2024,
experiment 1: n = 5 cues, m = 10 content bits, dt = 1 ms, nine operations 10 ms apart. The
circuit is the one described in docs/ca3.md (eight populations, eighteen projections, two of
them plastic); this script writes it with PyNN calls only, as an sPyNNaker user would.

Run it with spikemem (a laptop prediction of the board, spike for spike)::

    python examples/pynn/ca3_functional.py

and on a SpiNNaker board by swapping the import for ``import pyNN.spiNNaker as sim`` and
dropping the two spikemem keywords of ``setup`` (``backend``, ``numerics``).
"""

from __future__ import annotations

import spikemem.pynn as sim

N_CUES, N_BITS = 5, 10
PROGRAM = (  # (kind, cue, content bits), one operation every 10 ms from t = 0
    ("learn", 0, (0, 1, 8, 9)),
    ("learn", 4, (1, 5, 6)),
    ("learn", 3, (4, 5, 6)),
    ("recall_cue", 0, ()),
    ("recall_content", None, (6,)),
    ("recall_content", None, (0, 4)),
    ("learn", 3, (1, 3, 4, 8)),
    ("recall_cue", 3, ()),
    ("recall_content", None, (6,)),
)
RUN_MS = 90.0


def input_spike_times(n: int = N_CUES, m: int = N_BITS) -> list[list[float]]:
    """Spike times (ms) of each input neuron (cues 0..n-1, then content bits): a learn holds
    its cue and content neurons for three 1-ms steps, a recall fires them once."""
    times: list[list[float]] = [[] for _ in range(n + m)]
    for index, (kind, cue, bits) in enumerate(PROGRAM):
        at = 10.0 * index
        neurons = ([cue] if cue is not None else []) + [n + b for b in bits]
        for neuron in neurons:
            times[neuron].extend([at, at + 1.0, at + 2.0] if kind == "learn" else [at])
    return times


def build(n: int = N_CUES, m: int = N_BITS) -> dict:
    """The memory's populations (by name) after creating every projection."""
    type_a = {"cm": 0.27, "tau_m": 3.0, "v_rest": -60.0, "v_reset": -60.0, "v_thresh": -57.0,
              "tau_refrac": 1.0, "tau_syn_E": 0.3, "tau_syn_I": 0.3}  # fmt: skip
    type_b = dict(type_a, cm=0.14, tau_m=0.5)
    pops = {
        "IN": sim.Population(n + m, sim.SpikeSourceArray(spike_times=input_spike_times(n, m)), label="IN"),
        "CueCue": sim.Population(n, sim.IF_curr_exp(**type_a), label="CueCue"),
        "ContCue": sim.Population(m, sim.IF_curr_exp(**type_a), label="ContCue"),
        "ContCond": sim.Population(m, sim.IF_curr_exp(**type_b), label="ContCond"),
        "CondInt": sim.Population(1, sim.IF_curr_exp(**type_b), label="CondInt"),
        "ContCont": sim.Population(m, sim.IF_curr_exp(**type_a), label="ContCont"),
        "CueCont": sim.Population(n, sim.IF_curr_exp(**type_b), label="CueCont"),
        "MergeCue": sim.Population(n, sim.IF_curr_exp(**type_a), label="MergeCue"),
        "MergeCont": sim.Population(m, sim.IF_curr_exp(**type_a), label="MergeCont"),
        "OUT": sim.Population(n + m, sim.IF_curr_exp(**dict(type_a, v_thresh=-57.5)), label="OUT"),
    }
    stdp = sim.STDPMechanism(  # sPyNNaker reads A_plus/A_minus as weights (nA)
        timing_dependence=sim.SpikePairRule(tau_plus=3.0, tau_minus=3.0, A_plus=6.0, A_minus=6.0),
        weight_dependence=sim.AdditiveWeightDependence(w_min=0.0, w_max=6.0),
        weight=0.0,
        delay=1.0,
    )
    one, every = sim.OneToOneConnector(), sim.AllToAllConnector()
    not_self = sim.AllToAllConnector(allow_self_connections=False)
    p = pops
    wiring = [  # (pre, post, connector, weight nA or synapse type, delay ms, receptor)
        (p["IN"][0:n], p["CueCue"], one, 6.0, 1.0, "excitatory"),
        (p["IN"][n : n + m], p["ContCue"], one, 6.0, 1.0, "excitatory"),
        (p["CueCue"], p["CueCont"], one, 6.0, 2.0, "excitatory"),
        (p["CueCue"], p["CueCont"], not_self, 6.0 * m, 3.0, "inhibitory"),
        (p["CueCue"], p["ContCond"], every, 6.0, 2.0, "inhibitory"),
        (p["ContCue"], p["ContCond"], one, 9.0, 1.0, "excitatory"),
        (p["ContCond"], p["ContCont"], one, 6.0, 1.0, "excitatory"),
        (p["ContCue"], p["CondInt"], every, 6.0, 1.0, "excitatory"),
        (p["CondInt"], p["ContCond"], every, 2.0, 1.0, "excitatory"),
        (p["CueCue"], p["ContCue"], every, stdp, None, "excitatory"),  # learns cue -> content
        (p["ContCont"], p["CueCont"], every, stdp, None, "excitatory"),  # learns content -> cue
        (p["CueCont"], p["CueCont"], not_self, 6.0 * m, 2.0, "inhibitory"),
        (p["CueCue"], p["MergeCue"], one, 6.0, 3.0, "excitatory"),
        (p["CueCont"], p["MergeCue"], one, 6.0, 1.0, "excitatory"),
        (p["ContCue"], p["MergeCont"], one, 6.0, 3.0, "excitatory"),
        (p["ContCont"], p["MergeCont"], one, 6.0, 1.0, "excitatory"),
        (p["MergeCue"], p["OUT"][0:n], one, 6.0, 1.0, "excitatory"),
        (p["MergeCont"], p["OUT"][n : n + m], one, 6.0, 1.0, "excitatory"),
    ]
    for pre, post, connector, weight, delay, receptor in wiring:
        synapse = (
            weight if isinstance(weight, sim.STDPMechanism) else sim.StaticSynapse(weight=weight, delay=delay)
        )
        sim.Projection(pre, post, connector, synapse, receptor_type=receptor)
    return pops


def run(**setup_options) -> dict[str, list]:
    """Run the test; spike trains (Neo) of every population by name."""
    sim.setup(timestep=1.0, **setup_options)
    try:
        pops = build()
        for pop in pops.values():
            pop.record("spikes")
        sim.run(RUN_MS)
        return {name: pop.get_data("spikes").segments[0].spiketrains for name, pop in pops.items()}
    finally:
        sim.end()


if __name__ == "__main__":
    trains = run(backend="numba", numerics="spinnaker")
    for name, population in trains.items():
        print(f"{name:10s}", sum(len(t) for t in population), "spikes")
