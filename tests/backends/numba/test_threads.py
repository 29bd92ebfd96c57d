"""The multi-threaded engine: bit-identical spikes, state and weights for any thread count."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import spikemem
from spikemem import ir

# Runs in a fresh process with NUMBA_NUM_THREADS=8 (fixed when numba is imported), small neuron
# blocks and no minimum of neurons per thread, so that even a test-sized network is split over
# up to 8 threads; prints per thread count the threads used and a digest of everything recorded.
SCRIPT = r"""
import hashlib, json, sys
import numpy as np
sys.path.insert(0, sys.argv[1])
import spikemem
from spikemem import ir
from spikemem.backends.numba import parallel
from spikemem.networks.cuba import cuba_network
from networks import feedforward

parallel.BLOCK = 4
parallel.MIN_NEURONS_PER_THREAD = 1


def plastic_cuba():
    net = cuba_network(n=400, p=0.05, seed=2)
    exc = net.population("exc")
    stdp = ir.STDP(
        timing=ir.SpikePair(tau_plus=16.0, tau_minus=20.0, A_plus=0.01, A_minus=0.012),
        weight=ir.Additive(w_min=0.0, w_max=1.0),
    )
    learn = ir.Projection(name="learn", pre=exc[0:100], post=exc[100:300], connector=ir.FixedProbability(p=0.1),
                          weight=0.2, delay=0.3, plasticity=stdp)
    return ir.Network(populations=net.populations, projections=net.projections + (learn,), dt=net.dt, name="plastic")


def digest(rec):
    h = hashlib.sha256()
    for name in sorted(rec.spikes):
        h.update(rec.spikes[name].steps.tobytes()); h.update(rec.spikes[name].ids.tobytes())
    for name in sorted(rec.state):
        for var in sorted(rec.state[name].values):
            h.update(rec.state[name].values[var].tobytes())
    for phase in sorted(rec.weights):
        for proj in sorted(rec.weights[phase]):
            h.update(rec.weights[phase][proj].tobytes())
    return h.hexdigest()


out = {}
for label, net in (("feedforward", feedforward()), ("plastic_cuba", plastic_cuba())):
    state = {p.name: p.cell.state_variables for p in net.populations if p.cell.state_variables}
    for threads in (1, 2, 3, 4, 8):
        rec = spikemem.compile(net, seed=5, threads=threads, record=ir.RecordSpec(state=state)).run(duration=150.0)
        spikes = int(sum(t.steps.size for t in rec.spikes.values()))
        out.setdefault(label, []).append([threads, rec.meta["threads"], spikes, digest(rec)])
print(json.dumps(out))
"""


def test_results_are_bit_identical_for_1_2_3_4_and_8_threads():
    tests = Path(__file__).resolve().parents[2]
    env = dict(os.environ, NUMBA_NUM_THREADS="8")
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tests)], env=env, capture_output=True, text=True, timeout=1200, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads(done.stdout.strip().splitlines()[-1])
    for label, rows in results.items():
        used = [row[1] for row in rows]
        assert used == [1, 2, 3, 4, 8], f"{label}: threads used {used}"  # the parallel loop really ran
        assert rows[0][2] > 50, f"{label}: too few spikes to compare ({rows[0][2]})"
        digests = {row[3] for row in rows}
        assert len(digests) == 1, f"{label}: results differ between thread counts: {rows}"


@pytest.mark.parametrize("bad", [0, -1, 2.5, True, "2", 10**6])
def test_threads_outside_the_allowed_range_are_refused(bad):
    net = ir.Network(populations=(ir.Population(name="n", size=2, cell=ir.IF_curr_exp()),), dt=0.1)
    with pytest.raises(ir.IRValidationError, match=r"compile: invalid threads=.*allowed: None or an integer in \[1, "):
        spikemem.compile(net, threads=bad)


def test_a_small_network_runs_on_one_thread_and_says_so():
    net = ir.Network(populations=(ir.Population(name="n", size=10, cell=ir.IF_curr_exp(i_offset=1.0)),), dt=0.1)
    rec = spikemem.compile(net, threads=None).run(duration=10.0)
    assert rec.meta["threads"] == 1
