"""The Brian2 backend: compile an IR network for Brian2's runtime, cpp_standalone or
cuda_standalone device and run it into a :class:`~spikemem.results.Recording`."""

from __future__ import annotations

import shutil
import tempfile
import time
import weakref
from typing import Any

import numpy as np

from ...ir.errors import IRValidationError
from ...ir.network import Network
from ...ir.schedule import Schedule
from ...lowering import lower_dendrites, phase_infos, phase_steps, source_spikes
from ..base import Backend, Capability, Compilation, Runnable
from ..native import native_projections, without
from ..options import base_versions
from . import devices
from .lowering import (
    BACKEND,
    NATIVE_CONNECTORS,
    Plan,
    lower,
    phase_plan,
    single_phase_plan,
    weights_in_resolve_order,
)
from .network import STATE_NAMES, Objects, build_objects


class Brian2Backend(Backend):
    """Brian2 (the field's reference simulator) and brian2cuda (GPU).

    Options of :meth:`compile`, besides those every backend takes (``dt`` in ms, ``numerics``,
    ``seed``, ``record``, ``progress``, ``connectivity``; with ``connectivity="native"`` Brian2
    draws ``FixedProbability`` with ``connect(p=…)`` and ``FixedNumberPre``/``FixedNumberPost``
    with ``sample(N, size=n)`` itself, on every device, from a seed derived from the compile
    seed; ``FixedTotalNumber`` and ``with_replacement=True`` are refused):

    device : {"runtime", "cpp_standalone", "cuda_standalone"}
        ``runtime`` runs from Python (Cython when a C++ compiler works, else numpy; ``target``
        forces one); the standalone devices generate, compile and run a C++ / CUDA project.
    target : {"cython", "numpy"} or None
        Code-generation target of the runtime device.
    build_dir : str or None
        Project folder of the standalone devices; default a temporary folder, deleted with the
        compiled network (:meth:`Brian2Runnable.close`).
    build_binary : bool
        Standalone devices: ``False`` generates the code but does not compile it (``run``
        then raises); for checking CUDA code generation without a GPU.
    prefs : dict or None
        Extra Brian2 preferences for the build and the runs, e.g. brian2cuda's
        ``{"devices.cuda_standalone.cuda_backend.detect_gpus": False, ...}``. They are restored
        afterwards.

    The generated model repeats the reference engine's arithmetic operation by operation, so
    on the ``cython`` and ``cpp_standalone`` targets spikes, states and weights are identical to
    the Numba engine's; see ``spikemem/backends/brian2/README.md`` for the layout and the exceptions.
    """

    name = BACKEND

    def __init__(self) -> None:
        import importlib.util

        if importlib.util.find_spec("brian2") is None:
            raise ImportError("Brian2 is not installed: pip install 'spikemem[brian2]'")

    capabilities = frozenset(
        {
            Capability.NUMERICS_EXACT,
            Capability.NUMERICS_SPINNAKER,
            Capability.IF_CURR_EXP,
            Capability.IF_CURR_DELTA,
            Capability.DISCRETE_LIF,
            Capability.SPIKE_SOURCE_ARRAY,
            Capability.SPIKE_SOURCE_POISSON,
            Capability.STDP,
            Capability.STDP_HETEROGENEOUS_DELAYS,
            Capability.SCHEDULE,
            Capability.RECORD_STATE,
            Capability.RECORD_WEIGHTS,
            Capability.SPIKE_EXACT,
            Capability.NATIVE_CONNECTIVITY,
        }
    )

    def _check_options(
        self,
        compiled: Compilation,
        *,
        progress: bool | None,
        device: str = "runtime",
        target: str | None = None,
        build_dir: str | None = None,
        build_binary: bool = True,
        prefs: dict | None = None,
    ) -> dict[str, Any]:
        """Check the Brian2 options; see the class docstring.

        Raises
        ------
        IRValidationError
            For a bad option.
        ImportError
            When Brian2 is missing.
        """
        if device not in devices.DEVICES:
            raise IRValidationError("compile", "device", device, "one of " + ", ".join(devices.DEVICES))
        if target is not None and (device != "runtime" or target not in devices.TARGETS):
            allowed = "None, or one of " + ", ".join(devices.TARGETS) + " with device='runtime'"
            raise IRValidationError("compile", "target", target, allowed)
        if prefs is not None and not isinstance(prefs, dict):
            raise IRValidationError("compile", "prefs", prefs, "None or a dict of Brian2 preferences")
        import brian2  # noqa: F401 - fail here, with ImportError, when Brian2 is missing

        return {
            "progress": progress,
            "device": device,
            "target": target,
            "build_dir": build_dir,
            "build_binary": bool(build_binary),
            "extra_prefs": dict(prefs or {}),
        }

    def _lower(self, compiled: Compilation, settings: dict[str, Any]) -> dict[str, Any]:
        """The point-neuron network (dendrites lowered, natively generated projections left
        out) and its Brian2 plan."""
        o = compiled.options
        native = native_projections(
            compiled.network, o.connectivity, backend=BACKEND, connectors=NATIVE_CONNECTORS
        )
        lowered = _point_neurons(without(compiled.network, native), o.dt, o.seed)
        return {"lowered": lowered, "plan": lower(lowered, o.dt, o.numerics, o.seed, native)}

    def _runnable(
        self,
        compiled: Compilation,
        *,
        device: str,
        target: str | None,
        build_dir: str | None,
        build_binary: bool,
        **keywords: Any,
    ) -> Brian2Runnable:
        """A :class:`RuntimeRunnable` or, for the standalone devices, a :class:`StandaloneRunnable`."""
        if device == "runtime":
            target = devices.runtime_target(target)
            return RuntimeRunnable(compiled, target=target, **keywords)
        standalone = {"device": device, "build_dir": build_dir, "build_binary": build_binary}
        return StandaloneRunnable(compiled, **standalone, **keywords)


class Brian2Runnable(Runnable):
    """A network compiled for Brian2. Every :meth:`run` starts from the initial state.

    ``lowered`` is the network Brian2 runs (dendrites as point neurons), ``plan`` its Brian2
    plan; ``timings`` holds ``lower_s`` (the compile-time lowering, also ``build_s``) and the
    build and compile times of the device (s).
    """

    backend = BACKEND
    device = "runtime"
    target: str | None = None

    def __init__(
        self,
        compiled: Compilation,
        *,
        lowered: Network,
        plan: Plan,
        progress: bool | None,
        build_s: float,
        extra_prefs: dict,
    ) -> None:
        super().__init__(compiled, progress=progress, build_s=build_s)
        self.lowered = lowered
        self.plan = plan
        self.timings: dict[str, float] = {"lower_s": build_s}
        self.extra_prefs = extra_prefs

    def versions(self) -> dict[str, str]:
        """Versions of the software that produced a result."""
        return versions()

    def _prefs(self) -> dict:
        return devices.preference_values(self.target, self.device, self.extra_prefs)

    def close(self) -> None:
        """Release the resources (standalone: the temporary project folder)."""

    def __enter__(self) -> Brian2Runnable:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # ------------------------------------------------------------------ Recording

    def _recording(
        self,
        schedule: Schedule,
        spikes: dict[str, tuple[np.ndarray, np.ndarray]],
        state: dict[str, np.ndarray] | None,
        weights: dict,
        timings: dict,
        native: dict[str, int] | None = None,
    ) -> Any:
        from ...results import SpikeTrains, StateTrace

        flat = self.plan.flat
        dt = flat.dt
        starts = phase_steps(schedule, dt)
        trains = {}
        wanted = self.record.spikes
        sizes = {p.name: p.size for p in self.network.populations}
        for name, size in sizes.items():
            if wanted is not None and name not in wanted:
                continue
            group = "neurons" if flat.offsets[name] < flat.n_dynamic else "sources"
            base = flat.offsets[name] - (0 if group == "neurons" else flat.n_dynamic)
            steps, ids = spikes.get(group, (np.zeros(0, np.int64), np.zeros(0, np.int64)))
            mask = (ids >= base) & (ids < base + size)
            trains[name] = SpikeTrains(steps=steps[mask], ids=ids[mask] - base, dt=dt)
        traces = {}
        if state is not None:
            values, column = state, 0
            every = self.record.state_every
            n_samples = next(iter(values.values())).shape[0] if values else 0
            for name, wanted_vars in self.record.state.items():
                if not wanted_vars:
                    continue
                size = flat.sizes[name]
                traces[name] = StateTrace(
                    steps=np.arange(n_samples, dtype=np.int64) * every,
                    ids=np.arange(size, dtype=np.int64),
                    values={v: values[STATE_NAMES[v]][:, column : column + size].copy() for v in wanted_vars},
                    dt=dt,
                )
                column += size
        extra = {"native_synapses": native} if native else {}
        meta = self.meta(
            n_steps=int(starts[-1]), timings=timings, device=self.device, target=self.target, **extra
        )
        phases = phase_infos(schedule, starts)
        return self.recording(
            populations=sizes, spikes=trains, state=traces, weights=weights, phases=phases, meta=meta
        )

    def _phase_weights(
        self, schedule: Schedule, final: dict[int, np.ndarray], snapshots: dict[int, np.ndarray]
    ) -> dict[str, dict[str, np.ndarray]]:
        """Weights of every plastic projection at the end of every phase, in resolve order.

        ``final`` holds each plastic group's weights after the run; ``snapshots`` each group's
        block samples of its plastic synapses (taken at the start of a block, after the
        end-of-phase clipping).
        """
        plan = self.plan
        if not (self.record.weights and plan.plastic):
            return {}
        phases = phase_plan(schedule, plan.plastic, plan.flat.dt)
        out: dict[str, dict[str, np.ndarray]] = {}
        for k, phase in enumerate(schedule.phases):
            per_group = {}
            for index, w_end in final.items():
                group = plan.groups[index]
                if k == phases.n_phases - 1:
                    w = w_end.copy()
                    eop = group.stdp["eop"] == 1.0
                    w[eop] = np.clip(w[eop], group.stdp["wmin"][eop], group.stdp["wmax"][eop])
                else:
                    w = group.weight.copy()
                    w[group.projection >= 0] = snapshots[index][phases.snapshot_blocks[k]]
                per_group[index] = w
            out[phase.name] = {name: weights_in_resolve_order(plan, name, per_group) for name in plan.plastic}
        return out


class RuntimeRunnable(Brian2Runnable):
    """Runs on Brian2's runtime device (Cython or numpy code generation) from this process."""

    def __init__(
        self,
        compiled: Compilation,
        *,
        target: str,
        **settings: Any,
    ) -> None:
        super().__init__(compiled, **settings)
        self.target = target
        import brian2 as b2

        started = time.perf_counter()
        if self.schedule is not None:
            self.phases = phase_plan(self.schedule, self.plan.plastic, self.plan.flat.dt)
        else:
            self.phases = single_phase_plan(self.plan.plastic)
        with devices.brian2_prefs(self._prefs()):
            self.objects: Objects = build_objects(self.plan, self.record, self.phases)
            built = time.perf_counter()
            # a run of length zero generates (and for Cython compiles) every code object
            self.objects.network.run(0 * b2.ms, namespace={})
            self.objects.network.store("spikemem_initial")
        self.timings["build_s"] = built - started + self.timings["lower_s"]
        self.timings["compile_s"] = time.perf_counter() - built

    def _execute(self, schedule: Schedule) -> Any:
        """Run ``schedule`` from the stored initial state; return a Recording."""
        import brian2 as b2

        plan, objs = self.plan, self.objects
        flat = plan.flat
        dt = flat.dt
        starts = phase_steps(schedule, dt)
        steps, gids = source_spikes(self.lowered, schedule, flat, self.seed)
        bar = _progress_bar(self.progress, int(starts[-1]), f"brian2 {self.network.name}", dt)
        with devices.brian2_prefs(self._prefs()):
            objs.network.restore("spikemem_initial")
            if objs.sources is not None:
                objs.sources.set_spikes(gids - flat.n_dynamic, steps * dt * b2.ms, sorted=True)
            started = time.perf_counter()
            try:
                objs.network.run(
                    int(starts[-1]) * dt * b2.ms, namespace={}, report=bar.report if bar else None
                )
            finally:
                if bar:
                    bar.close()
            loop_s = time.perf_counter() - started
            spikes = {}
            for group, monitor in (("neurons", objs.spikes_neurons), ("sources", objs.spikes_sources)):
                if monitor is not None:
                    spikes[group] = (
                        np.rint(np.asarray(monitor.t_[:]) / (dt * 1e-3)).astype(np.int64),
                        np.asarray(monitor.i[:], dtype=np.int64),
                    )
            state = None
            if objs.state is not None:
                state = {v: np.asarray(getattr(objs.state, v)[:]).T.copy() for v in objs.state_variables}
            final = {
                index: np.asarray(s.w[:], dtype=np.float64)
                for index, (g, s) in enumerate(zip(plan.groups, objs.synapses, strict=True))
                if g.plastic
            }
            snapshots = {index: np.asarray(m.w[:], dtype=np.float64).T for index, m in objs.snapshots.items()}
            native = {g.projection: int(len(s)) for g, s in zip(plan.native, objs.native, strict=True)}
        weights = self._phase_weights(schedule, final, snapshots)
        timings = {**self.timings, "loop_s": loop_s}
        return self._recording(schedule, spikes, state, weights, timings, native)


class StandaloneRunnable(Brian2Runnable):
    """A cpp_standalone or cuda_standalone project: built once per schedule, its binary run
    for every :meth:`run` and its result files read without Brian2."""

    def __init__(
        self,
        compiled: Compilation,
        *,
        device: str,
        build_dir: str | None,
        build_binary: bool,
        **settings: Any,
    ) -> None:
        super().__init__(compiled, **settings)
        self.device = device
        self.build_binary = build_binary
        self._own_dir = build_dir is None
        self.build_dir = build_dir or tempfile.mkdtemp(prefix=f"spikemem_{device}_")
        self._finalizer = weakref.finalize(self, _remove, self.build_dir if self._own_dir else None)
        self._built_for: Schedule | None = None
        self._files: dict[str, Any] = {}
        if self.schedule is not None:
            self._build(self.schedule)

    def close(self) -> None:
        """Delete the project folder when spikemem created it."""
        self._finalizer()

    def _build(self, schedule: Schedule) -> None:
        plan = self.plan
        dt = plan.flat.dt
        phases = phase_plan(schedule, plan.plastic, dt)
        spikes = source_spikes(self.lowered, schedule, plan.flat, self.seed)
        started = time.perf_counter()
        with (
            devices.brian2_prefs(self._prefs()),
            devices.standalone_device(self.device, self.build_dir) as dev,
        ):
            import brian2 as b2

            objs = build_objects(plan, self.record, phases, spikes=spikes)
            objs.network.run(phases.n_steps * dt * b2.ms, namespace={})
            generated = time.perf_counter()
            dev.build(directory=self.build_dir, compile=self.build_binary, run=False, with_output=False)
            finished = time.perf_counter()
            self._files = _result_files(dev, objs, plan)
            make_s = dev.timers.get("compile", {}).get("make") if self.build_binary else None
        make_s = float(make_s) if make_s is not None else 0.0
        self.timings["build_s"] = (
            self.timings["lower_s"] + (generated - started) + (finished - generated - make_s)
        )
        self.timings["compile_s"] = make_s
        self._built_for = schedule

    def _execute(self, schedule: Schedule) -> Any:
        """Run the compiled binary (building first when compiled without a schedule)."""
        if self.schedule is None and (
            self._built_for is None or self._built_for.duration != schedule.duration
        ):
            self._build(schedule)
        if not self.build_binary:
            raise RuntimeError(
                f"the {self.device} project in {self.build_dir} was generated with build_binary=False; "
                "compile again with build_binary=True to run it"
            )
        times = devices.run_project(self.build_dir)
        plan, files = self.plan, self._files
        dt = plan.flat.dt

        def read(entry: tuple[str, Any]) -> np.ndarray:
            return devices.read_array(self.build_dir, entry[0], entry[1])

        spikes = {}
        for group, (t_entry, i_entry) in files["spikes"].items():
            spikes[group] = (
                np.rint(read(t_entry) / (dt * 1e-3)).astype(np.int64),
                read(i_entry).astype(np.int64),
            )
        state = None
        if files["state"]:
            state = {
                var: read(entry).reshape(-1, files["state_count"]) for var, entry in files["state"].items()
            }
        final = {index: read(entry).astype(np.float64) for index, entry in files["weights"].items()}
        snapshots = {
            index: read(entry).reshape(-1, count).astype(np.float64)
            for index, (entry, count) in files["snapshots"].items()
        }
        native = {name: int(read(entry).size) for name, entry in files["native"].items()}
        weights = self._phase_weights(self._built_for, final, snapshots)
        timings = {**self.timings, "loop_s": times["loop_s"], "run_s": times["run_s"]}
        return self._recording(self._built_for, spikes, state, weights, timings, native)


def _point_neurons(network: Network, dt: float, seed: int) -> Network:
    """``network`` with its dendritic populations rewritten as point neurons (Brian2 has no
    native segments; :func:`spikemem.lowering.lower_dendrites`), at the compile ``dt``."""
    from ...ir.dendrites import DendriticNeuron

    if not any(isinstance(p.cell, DendriticNeuron) for p in network.populations):
        return network
    if dt != network.dt:
        network = Network(
            populations=network.populations,
            projections=network.projections,
            dt=dt,
            numerics=network.numerics,
            name=network.name,
        )
    return lower_dendrites(network, seed=seed)


def _result_files(dev: Any, objs: Objects, plan: Plan) -> dict[str, Any]:
    def entry(var: Any) -> tuple[str, Any]:
        return dev.get_array_filename(var), var.dtype

    files: dict[str, Any] = {
        "spikes": {},
        "state": {},
        "weights": {},
        "snapshots": {},
        "state_count": 0,
        "native": {},
    }
    for group, monitor in (("neurons", objs.spikes_neurons), ("sources", objs.spikes_sources)):
        if monitor is not None:
            files["spikes"][group] = (entry(monitor.variables["t"]), entry(monitor.variables["i"]))
    if objs.state is not None:
        files["state"] = {v: entry(objs.state.variables[v]) for v in objs.state_variables}
        files["state_count"] = int(objs.state_ids.size)
    for index, (group, synapses) in enumerate(zip(plan.groups, objs.synapses, strict=True)):
        if group.plastic:
            files["weights"][index] = entry(synapses.variables["w"])
    for index, monitor in objs.snapshots.items():
        count = int(np.count_nonzero(plan.groups[index].projection >= 0))
        files["snapshots"][index] = (entry(monitor.variables["w"]), count)
    for group, synapses in zip(plan.native, objs.native, strict=True):
        files["native"][group.projection] = entry(synapses.variables["w"])
    return files


def _remove(directory: str | None) -> None:
    if directory is not None:
        shutil.rmtree(directory, ignore_errors=True)


class _Bar:
    """A tqdm bar fed by Brian2's ``report`` callback (runtime device)."""

    def __init__(self, total: int, desc: str, force: bool | None, dt_s: float) -> None:
        from tqdm.auto import tqdm

        self.total, self.dt_s, self.done = total, dt_s, 0
        self.bar = tqdm(total=total, unit="step", delay=0.0 if force else 2.0, desc=desc, leave=False)

    def report(self, elapsed: Any, completed: float, start: Any, duration: Any) -> None:
        seconds = float(start) + float(completed) * float(duration)
        steps = min(self.total, int(round(seconds / self.dt_s)))
        if steps > self.done:
            self.bar.update(steps - self.done)
            self.done = steps

    def close(self) -> None:
        self.bar.close()


def _progress_bar(progress: bool | None, total: int, desc: str, dt_ms: float) -> _Bar | None:
    if progress is False:
        return None
    return _Bar(total, desc, progress, dt_ms * 1e-3)


def versions() -> dict[str, str]:
    """Versions of the software that produced a result."""
    import brian2

    return {**base_versions(), "brian2": brian2.__version__}
