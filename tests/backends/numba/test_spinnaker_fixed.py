"""``numerics="spinnaker-fixed"``: sPyNNaker's fixed-point arithmetic, against hand-computed
encodings and against a SpiNNaker hardware recording (equality, not a tolerance)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

import spikemem
from spikemem import ir
from spikemem.backends.numba import fixed_point as fp
from spikemem.backends.numba import fixed_runner
from spikemem.ir import RecordSpec
from spikemem.ir.errors import IRValidationError, UnsupportedFeature

DATA = Path(__file__).resolve().parents[2] / "data" / "spinnaker_synfire"


# -- host-side conversions, by hand --------------------------------------------------------------


def test_s1615_encoding_rounds_the_decimal_form_half_to_even():
    assert fp.s1615(1.0) == 32768
    assert fp.s1615(-65.0) == -65 * 32768
    assert fp.s1615(0.25) == 8192
    # exp(-1/20) = 0.951229424500714 -> 0.951229424500714 * 32768 = 31169.886 -> 31170
    assert fp.s1615(math.exp(-1 / 20)) == 31170
    # exp(-1/5) = 0.8187307530779818 -> 26828.29 -> 26828
    assert fp.s1615(math.exp(-1 / 5)) == 26828
    assert fp.s1615(1.5 / 32768) == 2  # a tie (1.5 LSB) goes to the even neighbour
    assert fp.s1615(2.5 / 32768) == 2
    with pytest.raises(ValueError):
        fp.s1615(65536.0)


def test_u032_encoding():
    # exp(-1/20) * 2^32 = 4085499269.22 ; exp(-1/5) * 2^32 = 3516421808.70
    assert fp.u032(math.exp(-1 / 20)) == 4085499269
    assert fp.u032(math.exp(-1 / 5)) == 3516421809
    assert fp.u032(0.5) == 2**31


SYNFIRE_CELL = dict(
    cm=0.25,
    tau_m=20.0,
    tau_refrac=2.0,
    tau_syn_E=5.0,
    tau_syn_I=5.0,
    v_rest=-65.0,
    v_reset=-70.0,
    v_thresh=-50.0,
    i_offset=0.0,
)
"""The IF_curr_exp parameters of sPyNNaker's synfire test (PyNN units: nF, ms, mV, nA)."""


def test_host_scheme_truncates_like_the_spynnaker8_data_spec_writer():
    params = {**SYNFIRE_CELL, "v_init": -65.0}
    c = fp.lif_constants_host(params, 1.0, delta=False)
    assert c.exp_tc == 31169  # int(31169.886): truncated, not rounded
    assert c.r_membrane == 80 * 32768
    assert c.decay_e == 3516421808  # int(exp(-1/5) * 2^32) = int(3516421808.70)
    assert c.init_e == 3892727436  # int(5 (1 - exp(-1/5)) * 2^32) = int(3892727436.50)
    assert c.t_refract == 2
    assert c.v_rest == -65 * 32768 and c.v_thresh == -50 * 32768 and c.v_reset == -70 * 32768


def test_board_side_exponential_of_the_7_4_1_scheme():
    # expk truncates the u32.32 table value: e^-1 * 2^15 = 12054.66 -> 12054
    assert fp.expk(-32768) == 12054
    assert fp.expk(0) == 32768
    assert fp.expulr(0) == 0  # 2^32 wraps in the 32-bit result
    # dt/tau_m = kdivk(1, 20) = 1638 (1638.4 truncated); e^(-1638/32768) * 2^15 = 31170.27
    assert fp.kdivk(32768, 20 * 32768) == 1638
    assert fp.expk(-1638) == 31170
    for n in (-1638, -6553, -32768, -100000, 5000):
        exact = math.exp(n / 32768) * 2**32
        assert abs(fp.expi64(n) - exact) <= 2e-6 * exact  # the library's quadratic series: ~1e-6
    params = {**SYNFIRE_CELL, "v_init": -65.0}
    c = fp.lif_constants(params, 1.0, delta=False)
    assert c.exp_tc == 31170 and c.r_membrane == 80 * 32768 and c.t_refract == 2
    assert c.decay_e == fp.expulr(-6553)  # kdivk(1, 5) = 6553 (6553.6 truncated)


def test_fixed_point_products():
    assert fp.mul_round_nearest(3, 16384) == 2  # 1.5 LSB rounds up
    assert fp.mul_round_nearest(-3, 16384) == -1  # ties go up (towards +inf)
    assert fp.decay_s1615(-1, 2**31) == -1  # arithmetic shift floors
    assert fp.ceil_accum(2 * 32768) == 2 and fp.ceil_accum(2 * 32768 + 1) == 3


def test_ring_buffer_shift_and_weights():
    assert fp.ring_buffer_shift(4.0) == 3  # 2^2 <= 4: one more bit
    assert fp.ring_buffer_shift(3.9) == 2
    assert fp.ring_buffer_shift(0.5) == 0
    assert fp.weight_scale(3) == 4096.0
    np.testing.assert_array_equal(fp.encode_weights(np.array([2.0, 0.1]), 3), [8192, 410])


# -- the hardware recording -------------------------------------------------------------------------


def _synfire_network(numerics="spinnaker-fixed"):
    """sPyNNaker's synfire test: 20 IF_curr_exp in a ring (weight 2 nA, delay 1 ms), kicked once."""
    n = 20
    cell = ir.IF_curr_exp(**SYNFIRE_CELL)
    ring = ir.Population(name="ring", size=n, cell=cell)
    stim = ir.Population(name="stim", size=1, cell=ir.SpikeSourceArray(times=[0.0], ids=[0]))
    pairs = [(i, (i + 1) % n) for i in range(n)]
    projs = (
        ir.Projection(
            name="chain",
            pre=ring,
            post=ring,
            connector=ir.FromList(pre=[a for a, _ in pairs], post=[b for _, b in pairs]),
            weight=2.0,
            delay=1.0,
        ),
        ir.Projection(
            name="kick", pre=stim, post=ring, connector=ir.FromList(pre=[0], post=[0]), weight=2.0, delay=1.0
        ),
    )
    return ir.Network(populations=(ring, stim), projections=projs, dt=1.0, numerics=numerics)


SYNFIRE_RECORD = RecordSpec(state={"ring": ("v", "isyn_exc")})


def _synfire(numerics="spinnaker-fixed"):
    net = _synfire_network(numerics)
    return spikemem.compile(net, backend="numba", record=SYNFIRE_RECORD).run(duration=100.0)


def _board(name):
    data = np.loadtxt(DATA / name, delimiter=",")
    return data


@pytest.mark.parametrize("uniform", [False, True])
def test_synfire_ring_matches_the_board_bit_for_bit(uniform, monkeypatch):
    # the ring's 20 neurons run on the per-neuron path; forced, on the uniform-constants path
    segments = fixed_runner.kind_segments
    if uniform:
        monkeypatch.setattr(
            fixed_runner, "kind_segments", lambda c, s: segments(c, s) * np.array([1, 1, 1, 0]) + [0, 0, 0, 1]
        )
    rec = _synfire()
    spikes = rec.spikes["ring"]
    got = sorted(zip(spikes.ids.tolist(), (spikes.steps * 1.0).tolist(), strict=True))
    want = sorted((int(a), float(b)) for a, b in _board("20_1_spikes.csv"))
    assert got == want
    trace = rec.state["ring"]
    assert trace.steps.tolist() == list(range(100))
    for file, var in (("20_1_v.csv", "v"), ("20_1_gsyn.csv", "isyn_exc")):
        board = _board(file)
        expected = np.full((100, 20), np.nan)
        expected[board[:, 1].astype(int), board[:, 0].astype(int)] = board[:, 2]
        assert not np.isnan(expected).any()
        assert np.array_equal(trace.values[var], expected), (var, np.abs(trace.values[var] - expected).max())
    assert rec.meta["numerics"] == "spinnaker-fixed"


@pytest.mark.parametrize("backend", ["brian2", "nest", "nengo", "spinnaker"])
def test_other_backends_refuse_the_fixed_numerics(backend):
    from spikemem.backends import get_backend

    try:
        engine = get_backend(backend)
    except ImportError as error:
        pytest.skip(f"{backend} is not installed here: {error}")
    net = ir.Network(
        populations=(ir.Population(name="p", size=1, cell=ir.IF_curr_exp()),), projections=(), dt=1.0
    )
    with pytest.raises(
        UnsupportedFeature, match=rf"backend '{backend}' does not support numerics 'spinnaker-fixed'.*numba"
    ):
        engine.compile(net, numerics="spinnaker-fixed")


def test_delta_cells_take_the_weight_as_a_current_for_one_tick():
    """IF_curr_delta on the board: the weight enters as a current w/dt held for the tick, so V
    jumps by w·(tau_m/c_m)(1 − e^(−dt/tau_m))/dt, not by w."""
    cell = ir.IF_curr_delta(cm=1.0, tau_m=20.0, v_rest=-65.0, v_thresh=-50.0, v_reset=-65.0, tau_refrac=2.0)
    pop = ir.Population(name="n", size=1, cell=cell)
    src = ir.Population(name="s", size=1, cell=ir.SpikeSourceArray(times=[0.0], ids=[0]))
    proj = ir.Projection(name="p", pre=src, post=pop, connector=ir.OneToOne(), weight=4.0, delay=1.0)
    net = ir.Network(populations=(pop, src), projections=(proj,), dt=1.0, numerics="spinnaker-fixed")
    rec = spikemem.compile(net, backend="numba", record=RecordSpec(state={"n": ("v",)})).run(duration=5.0)
    v = rec.state["n"].values["v"][:, 0]
    # input 4.0 (x 1/dt = 1), R = 20, exp_TC = int(e^(-1/20) 2^15) = 31169: alpha - V = 4·20 exactly,
    # so V rises by 80·(1 − 31169/2^15) = 3.90380859375 mV (not by 4 mV)
    assert v[1] == -65.0 and v[2] - v[1] == 80.0 * (1 - 31169 / 32768)


def test_float_spinnaker_numerics_give_the_same_synfire_spikes():
    fixed, float_ = _synfire(), _synfire("spinnaker")
    assert fixed.spikes["ring"].steps.tolist() == float_.spikes["ring"].steps.tolist()
    assert fixed.spikes["ring"].ids.tolist() == float_.spikes["ring"].ids.tolist()


def test_board_side_scheme_runs_and_stays_close_to_the_board():
    """7.4.1 derives init from the truncated dt/tau (0.90627 instead of 0.90635): V moves by
    up to ~0.01 mV, the spikes stay."""
    from spikemem.backends.numba.fixed_runner import run_fixed
    from spikemem.ir.schedule import Schedule

    rec = _synfire()
    network = _synfire_network("exact")
    new = run_fixed(network, Schedule.single(100.0), 1.0, 0, SYNFIRE_RECORD, scheme="7.4.1")
    assert new.meta["fixed_point_scheme"] == "7.4.1"
    assert new.spikes["ring"].steps.tolist() == rec.spikes["ring"].steps.tolist()
    diff = np.abs(new.state["ring"].values["v"] - rec.state["ring"].values["v"]) * 32768
    assert 0 < diff.max() <= 0.02 * 32768


def test_ring_buffer_saturates_at_0xffff():
    from spikemem.backends.numba.fixed_runner import run_fixed
    from spikemem.ir.schedule import Schedule

    cell = ir.IF_curr_delta(cm=1.0, tau_m=20.0, v_rest=-65.0, v_thresh=0.0, v_reset=-65.0)
    pop = ir.Population(name="n", size=1, cell=cell)
    src = ir.Population(name="s", size=3, cell=ir.SpikeSourceArray(times=[0.0, 0.0, 0.0], ids=[0, 1, 2]))
    proj = ir.Projection(name="p", pre=src, post=pop, connector=ir.AllToAll(), weight=1.0, delay=1.0)
    net = ir.Network(populations=(pop, src), projections=(proj,), dt=1.0)
    record = RecordSpec(state={"n": ("v", "isyn_exc")})
    # sPyNNaker's own shift (max 3.0 -> 2) holds the sum: 3 x 8192 words -> 3.0
    rec = run_fixed(net, Schedule.single(3.0), 1.0, 0, record)
    assert rec.meta["ring_buffer_shifts"]["n:excitatory"] == 2
    assert rec.state["n"].values["isyn_exc"][1, 0] == 3.0
    # a forced shift of 0 (weights 32768 each) saturates the 16-bit word at 0xFFFF
    rec = run_fixed(net, Schedule.single(3.0), 1.0, 0, record, shifts={("n", "excitatory"): 0})
    assert rec.state["n"].values["isyn_exc"][1, 0] == 0xFFFF / 32768


def test_schedule_phases_and_sparse_sampling():
    cell = ir.IF_curr_exp(i_offset=1.0, tau_refrac=2.0)
    pop = ir.Population(name="n", size=2, cell=cell)
    net = ir.Network(populations=(pop,), projections=(), dt=0.5, numerics="spinnaker-fixed")
    from spikemem.ir.schedule import Phase, Schedule

    schedule = Schedule(phases=(Phase(name="a", duration=20.0), Phase(name="b", duration=30.0)))
    rec = spikemem.compile(
        net, schedule, backend="numba", record=RecordSpec(state={"n": ("v",)}, state_every=4)
    ).run()
    assert [p.name for p in rec.phases] == ["a", "b"] and rec.phases[-1].stop_step == 100
    assert rec.state["n"].steps.tolist() == list(range(0, 100, 4))
    v = rec.state["n"].values["v"]
    assert np.all(v * 32768 == np.round(v * 32768))
    assert rec.spikes["n"].steps.size > 0


def test_stdp_conventions_that_spynnaker_lacks_are_refused():
    stdp = ir.STDP(
        timing=ir.SpikePair(tau_plus=20.0, tau_minus=20.0, A_plus=0.01, A_minus=0.01),
        weight=ir.Additive(w_min=0.0, w_max=1.0),
        delay_convention="axonal",
    )
    a = ir.Population(name="a", size=1, cell=ir.IF_curr_exp())
    proj = ir.Projection(name="p", pre=a, post=a, connector=ir.OneToOne(), weight=0.5, plasticity=stdp)
    net = ir.Network(populations=(a,), projections=(proj,), dt=1.0, numerics="spinnaker-fixed")
    with pytest.raises(UnsupportedFeature, match="delay_convention='axonal'"):
        spikemem.compile(net, backend="numba")


def test_the_scheme_is_a_compile_option():
    net = _synfire_network()
    rec = spikemem.compile(net, backend="numba", record=SYNFIRE_RECORD, fixed_point_scheme="7.4.1").run(
        duration=100.0
    )
    assert rec.meta["fixed_point_scheme"] == "7.4.1"
    assert spikemem.compile(net, backend="numba").run(duration=1.0).meta["fixed_point_scheme"] == "host"
    with pytest.raises(IRValidationError, match="fixed_point_scheme"):
        spikemem.compile(net, backend="numba", fixed_point_scheme="8.0")
    with pytest.raises(IRValidationError, match="fixed_point_scheme"):
        spikemem.compile(net, backend="numba", numerics="spinnaker", fixed_point_scheme="host")


def test_delta_jump_at_half_a_millisecond_float_and_7_4_1_agree():
    """At dt = 0.5 ms sPyNNaker 7.x's InputTypeDelta divides the weight by dt (a current w/dt for
    one tick): V jumps by w·(tau_m/c_m)(1 − e^(−dt/tau_m))/dt, in the float ``spinnaker`` numerics
    and in the 7.4.1 fixed-point scheme; the sPyNNaker8-era build (InputTypeCurrent, scheme
    "host") has no 1/dt, so the jump is half as large."""
    cell = ir.IF_curr_delta(cm=1.0, tau_m=20.0, v_rest=-65.0, v_thresh=-50.0, v_reset=-65.0, tau_refrac=2.0)
    pop = ir.Population(name="n", size=1, cell=cell)
    src = ir.Population(name="s", size=1, cell=ir.SpikeSourceArray(times=[0.0], ids=[0]))
    proj = ir.Projection(name="p", pre=src, post=pop, connector=ir.OneToOne(), weight=4.0, delay=1.0)
    net = ir.Network(populations=(pop, src), projections=(proj,), dt=0.5)
    record = RecordSpec(state={"n": ("v",)})

    def v(numerics, **options):
        rec = spikemem.compile(net, backend="numba", numerics=numerics, record=record, **options).run(
            duration=3.0
        )
        return rec.state["n"].values["v"][:, 0]

    jump = 4.0 * 20.0 * (1.0 - math.exp(-0.5 / 20.0)) / 0.5
    # the input arrives at step 2: the float engine samples V at the end of the step, the board
    # at the start of the next tick
    assert v("spinnaker")[2] + 65.0 == pytest.approx(jump, abs=1e-12)
    assert v("spinnaker-fixed", fixed_point_scheme="7.4.1")[3] + 65.0 == pytest.approx(jump, abs=1e-3)
    # host scheme, by hand: I = 4 nA (no 1/dt), R = 20, alpha - V = 80 exactly, exp_TC truncated
    exp_tc = math.floor(math.exp(-0.5 / 20.0) * 32768)  # 31958
    assert v("spinnaker-fixed")[3] + 65.0 == 80.0 * (1 - exp_tc / 32768)  # 1.9775390625 ~ jump / 2


def test_source_spikes_in_chunks_give_the_run_of_one_chunk(monkeypatch):
    from spikemem.backends.numba import fixed_runner

    base = _synfire_network()
    ring = base.population("ring")
    kicks = ir.Population(
        name="stim", size=1, cell=ir.SpikeSourceArray(times=[0.0, 13.0, 27.0, 55.0], ids=[0] * 4)
    )
    connector = ir.FromList(pre=[0], post=[5])
    kick = ir.Projection(name="kick", pre=kicks, post=ring, connector=connector, weight=2.0, delay=1.0)
    net = ir.Network(
        populations=(ring, kicks),
        projections=(base.projections[0], kick),
        dt=1.0,
        numerics="spinnaker-fixed",
    )
    whole = spikemem.compile(net, backend="numba", record=SYNFIRE_RECORD).run(duration=100.0)
    monkeypatch.setattr(fixed_runner, "CHUNK_TICKS", 7)  # the kicks fall in different chunks
    chunked = spikemem.compile(net, backend="numba", record=SYNFIRE_RECORD).run(duration=100.0)
    assert whole.spike_count("stim") == 4 and whole.spike_count("ring") > 20
    assert chunked.spikes["ring"] == whole.spikes["ring"] and chunked.spikes["stim"] == whole.spikes["stim"]
    assert chunked.state["ring"] == whole.state["ring"]
