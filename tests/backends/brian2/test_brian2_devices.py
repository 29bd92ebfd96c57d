"""Brian2 devices: no global state leaks between compiled networks, build folders are managed,
options are checked, and a Recording has the reference engine's structure."""

from __future__ import annotations

import gc
import os

import numpy as np
import pytest

import spikemem
from spikemem import ir
from spikemem.backends.brian2 import devices
from spikemem.ir import RecordSpec

brian2 = pytest.importorskip("brian2")

needs_compiler = pytest.mark.skipif(
    not devices.cython_available(), reason="no working C++ compiler for Brian2"
)


def small_network(weight: float = 0.6, name: str = "small") -> ir.Network:
    src = ir.Population(name="src", size=8, cell=ir.SpikeSourcePoisson(rate=80.0, seed=3))
    exc = ir.Population(
        name="exc",
        size=5,
        cell=ir.IF_curr_exp(tau_refrac=1.0, v_thresh=-60.0, v_init=np.linspace(-65, -61, 5)),
    )
    rule = ir.STDP(timing=ir.SpikePair(A_plus=0.05, A_minus=0.06), weight=ir.Additive(w_min=0.0, w_max=1.0))
    projections = (
        ir.Projection(
            name="src_exc",
            pre=src,
            post=exc,
            connector=ir.AllToAll(),
            weight=weight,
            delay=0.3,
            plasticity=rule,
        ),
        ir.Projection(
            name="exc_exc",
            pre=exc,
            post=exc,
            connector=ir.AllToAll(allow_self_connections=False),
            weight=0.2,
            delay=0.2,
            receptor="inhibitory",
        ),
    )
    return ir.Network(populations=(src, exc), projections=projections, dt=0.1, name=name)


SCHEDULE = ir.Schedule(
    phases=(ir.Phase(name="on", duration=60.0), ir.Phase(name="off", duration=40.0, plastic=()))
)
RECORD = RecordSpec(state={"exc": ("v", "isyn_exc")}, state_every=4)


def reference(net, schedule=SCHEDULE, duration=None):
    runnable = spikemem.compile(net, schedule, backend="numba", seed=2, record=RECORD)
    return runnable.run() if schedule is not None else runnable.run(duration)


def prefs_snapshot() -> dict:
    keys = devices.preference_values("numpy", "runtime")
    return {key: brian2.prefs[key] for key in keys}


def assert_same(rec, ref):
    assert rec.spike_hash() == ref.spike_hash()
    for name, trace in ref.state.items():
        for var, values in trace.values.items():
            np.testing.assert_array_equal(rec.state[name].values[var], values)
    assert rec.weights.keys() == ref.weights.keys()
    for phase in ref.weights:
        for proj, w in ref.weights[phase].items():
            np.testing.assert_array_equal(rec.weights[phase][proj], w)


def test_recording_has_the_reference_structure():
    net = small_network()
    ref = reference(net)
    runnable = spikemem.compile(
        net, SCHEDULE, backend="brian2", target="numpy", seed=2, record=RECORD, progress=True
    )
    rec = runnable.run()
    assert rec.populations == ref.populations and rec.spikes.keys() == ref.spikes.keys()
    assert rec.phases == ref.phases and rec.dt == ref.dt
    assert set(rec.meta["timings"]) >= {"build_s", "compile_s", "loop_s"}
    assert (
        rec.meta["backend"] == "brian2" and rec.meta["device"] == "runtime" and rec.meta["target"] == "numpy"
    )
    assert rec.meta["ir_hash"] == ref.meta["ir_hash"]
    assert_same(rec, ref)
    assert runnable.run().spike_hash() == rec.spike_hash()  # every run starts from the initial state


def test_runtime_leaves_preferences_and_device_as_they_were():
    before = prefs_snapshot()
    device = brian2.get_device()
    runnable = spikemem.compile(small_network(), SCHEDULE, backend="brian2", target="numpy", seed=2)
    runnable.run()
    assert prefs_snapshot() == before and brian2.get_device() is device


def test_two_runtime_networks_live_side_by_side():
    a = spikemem.compile(small_network(), SCHEDULE, backend="brian2", target="numpy", seed=2, record=RECORD)
    b = spikemem.compile(
        small_network(0.9, "other"), SCHEDULE, backend="brian2", target="numpy", seed=2, record=RECORD
    )
    rec_b, rec_a = b.run(), a.run()
    assert_same(rec_a, reference(small_network()))
    assert_same(rec_b, reference(small_network(0.9, "other")))


@needs_compiler
def test_standalone_networks_are_isolated_and_folders_managed(tmp_path):
    before = prefs_snapshot()
    runtime = brian2.get_device()
    a = spikemem.compile(small_network(), backend="brian2", device="cpp_standalone", seed=2, record=RECORD)
    own = a.build_dir
    b = spikemem.compile(
        small_network(0.9, "other"),
        SCHEDULE,
        backend="brian2",
        device="cpp_standalone",
        seed=2,
        record=RECORD,
        build_dir=str(tmp_path / "b"),
    )
    assert brian2.get_device() is runtime and prefs_snapshot() == before
    from brian2.devices.device import all_devices

    assert not all_devices["cpp_standalone"].code_objects  # reinitialised
    c = spikemem.compile(small_network(), SCHEDULE, backend="brian2", target="numpy", seed=2, record=RECORD)
    assert_same(b.run(), reference(small_network(0.9, "other")))
    assert_same(a.run(duration=100.0), reference(small_network(), None, 100.0))
    assert_same(c.run(), reference(small_network()))
    rec = a.run(duration=50.0)  # no schedule: built again for another length
    assert rec.duration_ms == 50.0 and rec.spike_hash() == reference(small_network(), None, 50.0).spike_hash()
    assert rec.meta["device"] == "cpp_standalone" and rec.meta["timings"]["compile_s"] > 0
    a.close()
    assert not os.path.exists(own)
    b.close()
    assert (tmp_path / "b" / "main").exists()  # a folder the user chose is kept
    with spikemem.compile(
        small_network(), SCHEDULE, backend="brian2", device="cpp_standalone", build_binary=False
    ) as generated:
        folder = generated.build_dir
        assert os.path.exists(os.path.join(folder, "main.cpp")) and not os.path.exists(
            os.path.join(folder, "main")
        )
        with pytest.raises(RuntimeError, match="build_binary=False"):
            generated.run()
    assert not os.path.exists(folder)
    d = spikemem.compile(small_network(), backend="brian2", device="cpp_standalone", build_binary=False)
    folder = d.build_dir
    del d
    gc.collect()
    assert not os.path.exists(folder)  # temporary folders go with the compiled network


def test_refuses_to_share_an_active_standalone_device(tmp_path):
    from brian2.devices.device import get_device, reset_device

    brian2.set_device("cpp_standalone", directory=str(tmp_path), build_on_run=False)
    try:
        with pytest.raises(RuntimeError, match="already active"):
            spikemem.compile(
                small_network(), SCHEDULE, backend="brian2", device="cpp_standalone", build_binary=False
            )
    finally:
        get_device().reinit()
        reset_device()


@pytest.mark.parametrize(
    "options, parameter",
    [
        ({"device": "gpu"}, "device"),
        ({"target": "weave"}, "target"),
        ({"device": "cpp_standalone", "target": "cython"}, "target"),
        ({"prefs": ["x"]}, "prefs"),
        ({"numerics": "euler"}, "numerics"),
        ({"seed": -1}, "seed"),
    ],
)
def test_invalid_options_name_the_parameter(options, parameter):
    with pytest.raises(ir.IRValidationError) as info:
        spikemem.compile(small_network(), backend="brian2", **options)
    assert info.value.parameter == parameter


def test_run_length_rules():
    runnable = spikemem.compile(small_network(), SCHEDULE, backend="brian2", target="numpy")
    with pytest.raises(ir.IRValidationError, match="duration"):
        runnable.run(duration=10.0)
    unscheduled = spikemem.compile(small_network(), backend="brian2", target="numpy")
    with pytest.raises(ir.IRValidationError, match="duration"):
        unscheduled.run()
    assert unscheduled.run(duration=20.0).duration_ms == 20.0
    assert unscheduled.run(duration=30.0).duration_ms == 30.0


def test_runtime_target_falls_back_to_numpy(monkeypatch):
    monkeypatch.setattr(devices, "cython_available", lambda: False)
    assert devices.runtime_target(None) == "numpy"
    assert devices.runtime_target("cython") == "cython"


def test_backend_reports_a_missing_brian2(monkeypatch):
    import importlib.util

    from spikemem.backends.brian2 import Brian2Backend

    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    with pytest.raises(ImportError, match=r"spikemem\[brian2\]"):
        Brian2Backend()


def test_cuda_standalone_host_code_is_built_as_cpp17():
    """CUDA 13's Thrust, CUB and libcu++ refuse older dialects (seen on an H200: every
    ``cuda_standalone`` build failed with ``-std=c++11``), with or without ``cuda_preferences``."""
    for values in (
        devices.preference_values(None, "cuda_standalone"),
        devices.cuda_preferences(detect=False, compute_capability=9.0),
    ):
        flags = values["codegen.cpp.extra_compile_args_gcc"]
        assert [f for f in flags if f.startswith("-std=")] == ["-std=c++17"]
    cpu = devices.preference_values(None, "cpp_standalone")["codegen.cpp.extra_compile_args_gcc"]
    assert cpu == devices.gcc_args()
