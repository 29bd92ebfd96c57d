"""PyNN's ``Population`` and ``PopulationView``.

A :class:`Population` keeps one value per neuron of every parameter and initial value (drawn on
the host), its :class:`~.recording.Recorder`, and becomes an IR population at ``run()``
(:meth:`Population.ir_population`). A :class:`PopulationView` is a selection of a population's
neurons (slice, index list or boolean mask); everything it does acts on its parent's neurons.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from .. import ir
from ..ir.errors import IRValidationError
from .cells import Sequence, SpikeSourceArray, StandardCellType
from .ids import ID
from .random import RandomDistribution
from .recording import Recorder, write_block
from .simulator import Simulator, current
from .spynnaker import no_effect, spynnaker_extras

__all__ = ["BasePopulation", "Population", "PopulationView"]


class BasePopulation:
    """What populations and views share: a root :class:`Population` and neuron ``indices`` in it."""

    root: Population
    indices: np.ndarray
    label: str

    # -- sizes and IDs ---------------------------------------------------------------------------
    @property
    def size(self) -> int:
        """Number of neurons."""
        return int(self.indices.size)

    def __len__(self) -> int:
        return self.size

    @property
    def local_size(self) -> int:
        """Number of neurons in this process (all of them)."""
        return self.size

    @property
    def celltype(self) -> StandardCellType:
        """The cell type."""
        return self.root._celltype

    @property
    def first_id(self) -> ID:
        """ID of the first neuron."""
        return ID(self.root._first_id + int(self.indices[0]), self.root)

    @property
    def last_id(self) -> ID:
        """ID of the last neuron."""
        return ID(self.root._first_id + int(self.indices[-1]), self.root)

    def all(self) -> list[ID]:
        """Every neuron's ID."""
        return [ID(self.root._first_id + int(i), self.root) for i in self.indices]

    all_cells = property(all)

    def __iter__(self) -> Any:
        return iter(self.all())

    def id_to_index(self, id: Any) -> Any:  # noqa: A002  (PyNN's name)
        """Position(s) in this population or view of the given ID(s)."""
        ids = np.atleast_1d(np.asarray(id, dtype=np.int64)) - self.root._first_id
        lookup = {int(k): n for n, k in enumerate(self.indices)}
        try:
            positions = np.array([lookup[int(k)] for k in ids], dtype=np.int64)
        except KeyError:
            raise IRValidationError(self.label, "id", id, "IDs of this population or view") from None
        return int(positions[0]) if np.ndim(id) == 0 else positions

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, (int, np.integer)) and not isinstance(index, bool):
            position = int(index) + (self.size if index < 0 else 0)
            if not 0 <= position < self.size:
                raise IndexError(f"{self.label}: index {index} out of range for size {self.size}")
            return ID(self.root._first_id + int(self.indices[position]), self.root)
        return PopulationView(self, index)

    def __add__(self, other: Any) -> Any:
        from .assembly import Assembly

        return Assembly(self, other)

    def sample(self, n: int, rng: Any = None) -> PopulationView:
        """A view of ``n`` neurons drawn at random without replacement."""
        generator = (rng or _fallback_rng()).generator(self.root._sim.options.seed, f"sample:{self.label}")
        return PopulationView(self, np.sort(generator.choice(self.size, size=int(n), replace=False)))

    def is_local(self, id: Any) -> bool:  # noqa: A002  (PyNN's name)
        """True: every neuron lives in this process."""
        return True

    def can_record(self, variable: str) -> bool:
        """Whether the cell type can record ``variable``."""
        return variable in self.celltype.recordable

    def find_units(self, variable: str) -> str:
        """Units of a variable or parameter."""
        return self.celltype.units.get(variable, "dimensionless")

    # -- parameters ------------------------------------------------------------------------------
    def set(self, **parameters: Any) -> None:
        """Set parameters of these neurons (a number, one value per neuron or a
        RandomDistribution); may be called between runs. ``v`` sets the initial (and, between
        runs, the current) membrane potential, as sPyNNaker allows, with a warning.

        Raises
        ------
        IRValidationError
            For a parameter name the cell type lacks or a value of the wrong size.
        """
        root = self.root
        for name, value in parameters.items():
            if (
                name in root._celltype.default_initial_values
                and name not in root._celltype.default_parameters
            ):
                warnings.warn(
                    f"{self.label}.set({name}=...): {name} is a state variable; "
                    f"PyNN wants initialize({name}=...), "
                    "taken as an initial value as sPyNNaker does",
                    UserWarning,
                    stacklevel=2,
                )
                self.initialize(**{name: value})
                continue
            if name not in root._celltype.default_parameters:
                raise IRValidationError(
                    f"Population {root.label!r}",
                    "parameter name",
                    name,
                    ", ".join(root._celltype.get_parameter_names()),
                )
            root._set_values(name, value, self.indices)

    def get(self, parameter_names: Any, gather: bool = False, simplify: bool = True) -> Any:
        """Values of one parameter (a name) or several (a list of names): one value when all
        neurons share it and ``simplify``, else one per neuron."""
        names = [parameter_names] if isinstance(parameter_names, str) else list(parameter_names)
        values = [self.root._get_values(name, self.indices, simplify) for name in names]
        return values[0] if isinstance(parameter_names, str) else values

    def initialize(self, **initial_values: Any) -> None:
        """Set initial values of state variables (``v`` in mV; ``isyn_exc``/``isyn_inh`` only 0).

        Raises
        ------
        IRValidationError
            For a variable the cell type lacks.
        NotImplementedError
            For non-zero initial synaptic currents.
        """
        for name, value in initial_values.items():
            self.root._initialize(name, value, self.indices)

    @property
    def initial_values(self) -> dict[str, np.ndarray]:
        """Initial values of the state variables (mV for ``v``)."""
        return (
            {"v": self.root._initial_v()[self.indices]} if "v" in self.celltype.default_initial_values else {}
        )

    def inject(self, current_source: Any) -> None:
        """Not supported: current sources."""
        raise NotImplementedError("current sources (inject) are not supported by spikemem.pynn; use i_offset")

    @property
    def positions(self) -> Any:
        """Not supported: spatial structure."""
        raise NotImplementedError("spatial structure (positions) is not supported by spikemem.pynn")

    # -- recording -------------------------------------------------------------------------------
    def record(
        self,
        variables: Any,
        to_file: Any = None,
        sampling_interval: float | None = None,
        locations: Any = None,
    ) -> None:
        """Record ``variables`` (``"spikes"``, ``"v"``, ``"isyn_exc"``, ``"isyn_inh"``, a list,
        ``"all"``, or ``None`` to stop) every ``sampling_interval`` ms (a multiple of the time
        step; default every step); ``to_file`` writes the data at ``end()``.

        Raises
        ------
        IRValidationError
            For a variable the cell type cannot record or a bad interval.
        """
        if locations is not None:
            raise NotImplementedError(
                "record(locations=...) (multi-compartment) is not supported by spikemem.pynn"
            )
        root = self.root
        variables = _spynnaker_names(variables, self.label)
        interval = None
        if sampling_interval is not None:
            interval = _interval_steps(sampling_interval, root._sim.dt, self.label)
        root.recorder.record(variables, self.indices, interval, f"Population {root.label!r}")
        if to_file is not None:
            root._sim.files.append((self, to_file))

    def get_data(
        self, variables: Any = "all", gather: bool = True, clear: bool = False, locations: Any = None
    ) -> Any:
        """The recorded data as a ``neo.Block`` (one Segment per run since setup or reset)."""
        if locations is not None:
            raise NotImplementedError("get_data(locations=...) is not supported by spikemem.pynn")
        root = self.root
        variables = _spynnaker_names(variables, self.label)
        block = root.recorder.block(
            self.indices,
            variables,
            label=self.label,
            first_id=root._first_id,
            now_step=root._sim.step,
            dt=root._sim.dt,
            annotations=self._annotations(),
            units=self.celltype.units,
            description=self.describe(),
        )
        if clear:
            root.recorder.clear()
        return block

    def write_data(
        self,
        io: Any,
        variables: Any = "all",
        gather: bool = True,
        clear: bool = False,
        annotations: Any = None,
    ) -> None:
        """Write the recorded data to ``io`` (a Neo IO object or a file name), atomically."""
        block = self.get_data(variables, gather=gather, clear=clear)
        if annotations:
            block.annotate(**annotations)
        write_block(block, io)

    def _annotations(self) -> dict[str, Any]:
        sim = self.root._sim
        return {
            "size": self.size,
            "first_index": 0,
            "last_index": self.size,
            "first_id": int(self.first_id),
            "last_id": int(self.last_id),
            "label": self.label,
            "simulator": f"spikemem.{sim.options.backend}",
            "dt": sim.dt,
            "mpi_processes": 1,
        }

    def spinnaker_get_data(
        self, variable: str, as_matrix: bool = False, view_indexes: Any = None
    ) -> np.ndarray:
        """sPyNNaker's numpy form of the current segment: for ``"spikes"`` rows
        ``(index, time ms)``, for a state variable rows ``(index, time ms, value)`` (or, with
        ``as_matrix``, one column per neuron)."""
        block = self.get_data(variable)
        segment = block.segments[-1]
        indices = None if view_indexes is None else set(int(i) for i in view_indexes)
        if variable == "spikes":
            rows = [
                (train.annotations["source_index"], float(t))
                for train in segment.spiketrains
                if indices is None or train.annotations["source_index"] in indices
                for t in train.magnitude
            ]
            array = np.array(rows, dtype=np.float64).reshape(-1, 2)
            return array[np.lexsort((array[:, 0], array[:, 1]))]
        if not segment.analogsignals:
            return np.zeros((0, 3))
        signal = segment.analogsignals[0]
        channels = np.asarray(signal.array_annotations["channel_index"])
        keep = np.array([indices is None or int(c) in indices for c in channels], dtype=bool)
        values = signal.magnitude[:, keep]
        if as_matrix:
            return values.copy()
        times = signal.times.rescale("ms").magnitude
        index, when = np.meshgrid(channels[keep], times)
        return np.column_stack([index.ravel(), when.ravel(), values.ravel()])

    def get_spike_counts(self, gather: bool = True) -> dict[ID, int]:
        """Spikes recorded per neuron in the current segment, by ID."""
        steps, ids = self.root.recorder.current.spikes()
        counts = np.bincount(ids, minlength=self.root.size)
        return {ID(self.root._first_id + int(i), self.root): int(counts[i]) for i in self.indices}

    def mean_spike_count(self, gather: bool = True) -> float:
        """Mean number of recorded spikes per neuron in the current segment."""
        counts = self.get_spike_counts()
        return float(np.mean(list(counts.values()))) if counts else 0.0

    def print_v(self, file: Any, gather: bool = True, compatible_output: bool = True) -> None:
        """Write the membrane potential (PyNN's old API) to ``file``."""
        self.write_data(file, "v")

    def describe(self, template: Any = None, engine: Any = None) -> str:
        """A one-line description."""
        return f"{type(self).__name__} {self.label!r}: {self.size} {type(self.celltype).__name__} neurons"

    def __repr__(self) -> str:
        return self.describe()


def _spynnaker_names(variables: Any, label: str) -> Any:
    """sPyNNaker's ``gsyn_exc``/``gsyn_inh`` of current-based cells are ``isyn_exc``/``isyn_inh``."""
    mapping = {"gsyn_exc": "isyn_exc", "gsyn_inh": "isyn_inh"}
    names = [variables] if isinstance(variables, str) else variables
    if names is None or not any(n in mapping for n in names):
        return variables
    warnings.warn(
        f"{label}: gsyn_exc/gsyn_inh of a current-based cell are its synaptic currents "
        "isyn_exc/isyn_inh (nA), "
        "recorded under those names",
        UserWarning,
        stacklevel=3,
    )
    renamed = [mapping.get(n, n) for n in names]
    return renamed[0] if isinstance(variables, str) else renamed


def _interval_steps(interval: Any, dt: float, label: str) -> int:
    value = float(interval) / dt
    steps = int(round(value))
    if steps < 1 or abs(value - steps) > 1e-9 * max(1.0, value):
        raise IRValidationError(
            label, "sampling_interval", interval, f"a positive multiple of the time step ({dt} ms)"
        )
    return steps


def _fallback_rng() -> Any:
    from .random import NumpyRNG

    return NumpyRNG()


class Population(BasePopulation):
    """A group of neurons of one cell type (PyNN's ``Population``).

    Parameters
    ----------
    size : int
        Number of neurons.
    cellclass : cell type class or instance
        E.g. ``IF_curr_exp`` or ``IF_curr_exp(tau_m=10.0)``.
    cellparams : dict or None
        Parameters when ``cellclass`` is a class (PyNN's older form).
    structure : None
        Spatial structure: not supported (anything else raises NotImplementedError).
    initial_values : dict
        Initial values of state variables (``v`` in mV).
    label : str or None
        Name; default ``"population<n>"``.
    """

    def __init__(
        self,
        size: int,
        cellclass: Any,
        cellparams: dict | None = None,
        structure: Any = None,
        initial_values: dict | None = None,
        label: str | None = None,
        additional_parameters: dict | None = None,
        **extra: Any,
    ) -> None:
        sim: Simulator = current()
        spynnaker = {**(additional_parameters or {}), **extra}
        if structure is not None:
            raise NotImplementedError(
                "Population(structure=...) (spatial structure) is not supported by spikemem.pynn"
            )
        if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or not 1 <= size <= 10**8:
            raise IRValidationError("Population", "size", size, "an integer in [1, 10**8]")
        if isinstance(cellclass, StandardCellType):
            if cellparams:
                raise IRValidationError(
                    "Population", "cellparams", cellparams, "None when cellclass is a cell type instance"
                )
            celltype = cellclass
        elif isinstance(cellclass, type) and issubclass(cellclass, StandardCellType):
            celltype = cellclass(**(cellparams or {}))
        else:
            raise IRValidationError(
                "Population", "cellclass", cellclass, "a cell type (e.g. IF_curr_exp) or an instance of one"
            )
        sim.check_structure_change("creating a Population")
        self._sim = sim
        self.root = self
        self.indices = np.arange(int(size), dtype=np.int64)
        self.label = label if label is not None else f"population{len(sim.populations)}"
        self.name = sim.unique_name(self.label)
        self._celltype = celltype
        spynnaker_extras(self.label, celltype, spynnaker)
        self._first_id = sim.next_id
        sim.next_id += int(size)
        self.annotations: dict[str, Any] = {}
        self._values: dict[str, Any] = {}
        for pname, value in celltype.parameter_space.items():
            self._values[pname] = celltype.per_neuron(
                pname, value, self.size, sim.options.seed, f"{self.name}.{pname}"
            )
        self._v: np.ndarray | None = None  # None: v_rest (sPyNNaker's and the IR's default)
        self.recorder = Recorder(self.size, celltype.recordable)
        self.changed = False
        """Parameters or initial values changed since the engine last took them."""
        self.ir_population()  # the IR's checks (ranges, v_reset < v_thresh), before anything runs
        sim.populations.append(self)
        if initial_values:
            self.initialize(**initial_values)

    def set_max_atoms_per_core(self, max_atoms_per_core: Any) -> None:
        """sPyNNaker's mapping hint: no effect here (a warning says so)."""
        no_effect(f"{self.label}.set_max_atoms_per_core")

    def add_placement_constraint(self, x: int, y: int, p: int | None = None) -> None:
        """sPyNNaker's placement hint: no effect here (a warning says so)."""
        no_effect(f"{self.label}.add_placement_constraint")

    def annotate(self, **annotations: Any) -> None:
        """Add annotations (copied into the Neo Block)."""
        self.annotations.update(annotations)

    # -- values ----------------------------------------------------------------------------------
    def _set_values(self, name: str, value: Any, indices: np.ndarray) -> None:
        seed, use = self._sim.options.seed, f"{self.name}.{name}.set{self._sim.step}"
        fresh = self._celltype.per_neuron(name, value, indices.size, seed, use)
        old = (
            list(self._values[name])
            if isinstance(self._celltype, SpikeSourceArray)
            else self._values[name].copy()
        )
        if isinstance(self._celltype, SpikeSourceArray):
            for k, index in enumerate(indices):
                self._values[name][int(index)] = fresh[k]
        else:
            self._values[name][indices] = fresh
        try:
            self.ir_population()  # the IR's checks (ranges, v_reset < v_thresh), now
        except Exception:
            self._values[name] = old
            raise
        self.changed = True

    def _get_values(self, name: str, indices: np.ndarray, simplify: bool) -> Any:
        if name not in self._values:
            raise IRValidationError(
                f"Population {self.label!r}", "parameter name", name, ", ".join(self._values)
            )
        if isinstance(self._celltype, SpikeSourceArray):
            sequences = [Sequence(self._values[name][int(i)]) for i in indices]
            same = all(np.array_equal(s.value, sequences[0].value) for s in sequences)
            return sequences[0] if simplify and same else sequences
        values = self._values[name][indices]
        return float(values[0]) if simplify and np.all(values == values[0]) else values.copy()

    def _value_of(self, name: str, index: int) -> Any:
        return self._get_values(name, np.array([index]), True)

    def _initial_v(self) -> np.ndarray:
        if self._v is not None:
            return self._v
        if "v_rest" in self._values:
            return self._values["v_rest"]
        return np.zeros(0)

    def _initialize(self, name: str, value: Any, indices: np.ndarray) -> None:
        defaults = self._celltype.default_initial_values
        if name not in defaults:
            raise IRValidationError(
                f"Population {self.label!r}", "initial value", name, ", ".join(defaults) or "none"
            )
        if isinstance(value, RandomDistribution):
            values = value.draw(indices.size, self._sim.options.seed, f"{self.name}.init.{name}")
        else:
            values = self._celltype.per_neuron(
                name, value, indices.size, self._sim.options.seed, f"{self.name}.{name}"
            )
        if name != "v":
            if np.any(values != 0.0):
                raise NotImplementedError(
                    f"non-zero initial {name} is not supported by spikemem.pynn (only v)"
                )
            return
        v = self._initial_v().copy()
        v[indices] = values
        self._v = v
        self.changed = True
        if self._sim.engine is not None:
            self._sim.engine.set_v(self, v)

    def ir_population(self) -> ir.Population:
        """The IR population with the current parameters and initial values."""
        initial = {"v": self._initial_v()}
        return ir.Population(
            name=self.name, size=self.size, cell=self._celltype.ir_cell(self._values, initial)
        )

    @property
    def grandparent(self) -> Population:
        """The population itself (for symmetry with views)."""
        return self


class PopulationView(BasePopulation):
    """A selection of a population's neurons (PyNN's ``PopulationView``).

    Parameters
    ----------
    parent : Population or PopulationView
        What to select from.
    selector : slice, array of int or array of bool
        The neurons (positions in ``parent``).
    label : str or None
        Name; default derived from the parent's.
    """

    def __init__(self, parent: BasePopulation, selector: Any, label: str | None = None) -> None:
        positions = _select(parent, selector)
        self.parent = parent
        self.root = parent.root
        self.indices = parent.indices[positions]
        self.mask = selector
        self.label = label if label is not None else f"view of {parent.label}"

    @property
    def grandparent(self) -> Population:
        """The population the view's neurons belong to."""
        return self.root

    def index_in_grandparent(self, indices: Any) -> np.ndarray:
        """Positions in the root population of the view's positions ``indices``."""
        return self.indices[np.asarray(indices, dtype=np.int64)]


def _select(parent: BasePopulation, selector: Any) -> np.ndarray:
    size = parent.size
    if isinstance(selector, slice):
        return np.arange(size, dtype=np.int64)[selector]
    array = np.asarray(selector)
    if array.dtype == bool:
        if array.shape != (size,):
            raise IRValidationError(
                parent.label, "mask", f"shape {array.shape}", f"a boolean mask of shape ({size},)"
            )
        return np.flatnonzero(array)
    if array.ndim == 0:
        array = array.reshape(1)
    if not np.issubdtype(array.dtype, np.integer) or array.ndim != 1:
        raise IRValidationError(
            parent.label, "selector", selector, "a slice, integer indices or a boolean mask"
        )
    array = np.where(array < 0, array + size, array).astype(np.int64)
    if array.size and (array.min() < 0 or array.max() >= size):
        raise IRValidationError(parent.label, "selector", selector, f"indices in [0, {size - 1}]")
    if np.unique(array).size != array.size:
        raise IRValidationError(parent.label, "selector", selector, "distinct indices")
    return array
