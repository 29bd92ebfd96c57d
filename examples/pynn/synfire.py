"""A 20-neuron synfire ring as a plain PyNN script (sPyNNaker's integration-test network).

One input spike at 0 ms starts a wave that runs round the ring i -> (i + 1) mod 20 for 100 ms.
``tests/data/spinnaker_synfire`` holds what a SpiNNaker board recorded for this network; with
``numerics="spinnaker"`` (or ``"spinnaker-fixed"``) spikemem gives the same spikes.

    python examples/pynn/synfire.py

On a board: ``import pyNN.spiNNaker as sim`` and drop ``backend``/``numerics`` from ``setup``.
"""

from __future__ import annotations

import spikemem.pynn as sim

N_NEURONS = 20
RUN_MS = 100.0
CELL = {"cm": 0.25, "tau_m": 20.0, "tau_refrac": 2.0, "tau_syn_E": 5.0, "tau_syn_I": 5.0,
        "v_rest": -65.0, "v_reset": -70.0, "v_thresh": -50.0, "i_offset": 0.0}  # fmt: skip


def run(**setup_options) -> list:
    """Run the ring; the spike trains (Neo) of its neurons."""
    sim.setup(timestep=1.0, **setup_options)
    try:
        ring = sim.Population(N_NEURONS, sim.IF_curr_exp(**CELL), label="ring")
        ring.initialize(v=CELL["v_rest"])
        stimulus = sim.Population(1, sim.SpikeSourceArray(spike_times=[0.0]), label="stimulus")
        links = [(i, (i + 1) % N_NEURONS, 2.0, 1.0) for i in range(N_NEURONS)]
        sim.Projection(ring, ring, sim.FromListConnector(links), receptor_type="excitatory")
        sim.Projection(
            stimulus, ring, sim.FromListConnector([(0, 0)]), sim.StaticSynapse(weight=2.0, delay=1.0)
        )
        ring.record("spikes")
        sim.run(RUN_MS)
        return list(ring.get_data("spikes").segments[0].spiketrains)
    finally:
        sim.end()


if __name__ == "__main__":
    for index, train in enumerate(run(backend="numba", numerics="spinnaker")):
        print(index, train.magnitude.tolist())
