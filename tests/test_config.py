"""Tests for spikemem.config: TOML run configurations."""

from __future__ import annotations

import copy
import textwrap
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spikemem import ir
from spikemem.config import config_from_dict, load_config

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"

BASE = """
[network]
name = "t"
dt = 0.1

[[population]]
name = "src"
size = 10
cell = "SpikeSourcePoisson"
rate = 20.0
seed = 3

[[population]]
name = "exc"
size = 20
cell = "IF_curr_exp"
tau_m = 10.0

[[projection]]
name = "src_exc"
pre = "src"
post = "exc"
connector = "FixedProbability"
p = 0.5
weight = 0.5
delay = 1.0

[run]
duration = 100.0
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "net.toml"
    path.write_text(textwrap.dedent(text))
    return path


def error_of(tmp_path: Path, text: str) -> str:
    with pytest.raises(ir.IRValidationError) as info:
        load_config(write(tmp_path, text))
    message = str(info.value)
    assert "net.toml" in message
    return message


# -- valid files ---------------------------------------------------------------------------
def test_base_config_and_defaults(tmp_path):
    config = load_config(write(tmp_path, BASE))
    net = config.network
    assert net.name == "t" and net.dt == 0.1 and net.numerics == "exact"
    assert [p.name for p in net.populations] == ["src", "exc"]
    assert isinstance(net.population("src").cell, ir.SpikeSourcePoisson)
    assert net.population("src").cell.seed == 3
    assert net.population("exc").cell.tau_m == 10.0
    proj = net.projection("src_exc")
    assert isinstance(proj.connector, ir.FixedProbability) and proj.connector.p == 0.5
    assert proj.receptor == "excitatory" and proj.plasticity is None
    assert config.schedule is None
    assert (config.duration, config.seed, config.backend) == (100.0, 0, "numba")
    assert config.record.spikes is None and config.record.state == {}
    assert config.source.endswith("net.toml")


@pytest.mark.parametrize("name", ["feedforward.toml", "cuba.toml", "store_recall.toml"])
def test_examples_load(name):
    config = load_config(EXAMPLES / name)
    assert config.network.n_neurons > 0 and config.duration > 0


def test_cuba_example_matches_the_benchmark():
    config = load_config(EXAMPLES / "cuba.toml")
    pop = config.network.population("cuba")
    cell = pop.cell
    assert pop.size == 4000
    assert (cell.v_rest, cell.v_thresh, cell.v_reset, cell.tau_m, cell.tau_refrac) == (-49, -50, -60, 20, 5)
    assert (cell.tau_syn_E, cell.tau_syn_I, cell.cm) == (5, 10, 1)
    assert cell.v_init.shape == (4000,) and cell.v_init.min() >= -60 and cell.v_init.max() < -50
    exc, inh = config.network.projections
    assert exc.pre.size == 3200 and inh.pre.size == 800 and exc.post is pop
    assert np.array_equal(inh.pre.indices, np.arange(3200, 4000))
    assert (exc.weight, inh.weight, exc.delay, inh.receptor) == (0.081, 0.45, 0.1, "inhibitory")
    assert exc.connector.p == inh.connector.p == 0.02
    again = load_config(EXAMPLES / "cuba.toml").network
    assert again == config.network  # the drawn initial potentials are seeded


def test_store_recall_example_schedule():
    config = load_config(EXAMPLES / "store_recall.toml")
    store, recall = config.schedule.phases
    assert config.duration == 300.0
    assert store.plastic == ("mem_mem",) and recall.plastic == ()
    assert store.stimuli[0].times.size == 30 and recall.stimuli[0].ids.tolist() == [0, 1, 2, 3, 4]
    stdp = config.network.projection("mem_mem").plasticity
    assert isinstance(stdp.weight, ir.Additive) and stdp.weight.w_max == 1.2
    assert stdp.timing.A_plus == 0.4 and stdp.delay_convention == "dendritic"
    assert config.record.weights is True


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("exc[0:5]", [0, 1, 2, 3, 4]),
        ("exc[::5]", [0, 5, 10, 15]),
        ("exc[15:]", [15, 16, 17, 18, 19]),
        ("exc[1, 4, 9]", [1, 4, 9]),
        ("exc[7]", [7]),
        (" exc [ 2 : 4 ] ", [2, 3]),
    ],
)
def test_views(tmp_path, text, expected):
    config = load_config(
        write(
            tmp_path,
            BASE + f'\n[[projection]]\nname = "v"\npre = "{text}"\npost = "exc"\nconnector = "AllToAll"\n',
        )
    )
    view = config.network.projection("v").pre
    assert isinstance(view, ir.PopulationView) and view.indices.tolist() == expected


def test_from_list_stdp_and_record(tmp_path):
    config = load_config(
        write(
            tmp_path,
            BASE
            + """
        [[projection]]
        name = "rec"
        pre = "exc"
        post = "exc[0:3]"
        connector = "FromList"
        pairs = [[0, 1, 0.2, 1.0], [3, 2, 0.3, 2.0]]
        [projection.stdp]
        weight_dependence = "multiplicative"
        w_max = 0.5
        tau_plus = 15.0
        zero_lag = "ignore"

        [record]
        spikes = ["exc"]
        state = { exc = ["v", "isyn_exc"] }
        state_every = 10
        weights = false
        """,
        )
    )
    proj = config.network.projection("rec")
    assert proj.connector.pre.tolist() == [0, 3] and proj.connector.delay.tolist() == [1.0, 2.0]
    assert isinstance(proj.plasticity.weight, ir.Multiplicative) and proj.plasticity.weight.w_max == 0.5
    assert proj.plasticity.timing.tau_plus == 15.0 and proj.plasticity.zero_lag == "ignore"
    assert config.record.spikes == ("exc",) and config.record.state == {"exc": ("v", "isyn_exc")}
    assert config.record.state_every == 10 and config.record.weights is False


def test_spike_source_array_forms(tmp_path):
    config = load_config(
        write(
            tmp_path,
            BASE
            + """
        [[population]]
        name = "a"
        size = 2
        cell = "SpikeSourceArray"
        times = [1.0, 2.0]
        ids = [0, 1]
        [[population]]
        name = "b"
        size = 2
        cell = "SpikeSourceArray"
        spike_times = [[1.0, 3.0], [2.0]]
        """,
        )
    )
    b = config.network.population("b").cell
    assert b.times.tolist() == [1.0, 3.0, 2.0] and b.ids.tolist() == [0, 0, 1]


def test_random_per_neuron_values_are_seeded(tmp_path):
    text = BASE.replace("tau_m = 10.0", "tau_m = 10.0\nv_init = { uniform = [-70.0, -60.0] }")
    first = load_config(write(tmp_path, text)).network.population("exc").cell.v_init
    second = load_config(write(tmp_path, text)).network.population("exc").cell.v_init
    assert first.shape == (20,) and np.array_equal(first, second)
    assert first.min() >= -70 and first.max() < -60
    other = BASE.replace("tau_m = 10.0", "tau_m = 10.0\nv_init = { uniform = [-70.0, -60.0], seed = 9 }")
    reseeded = load_config(write(tmp_path, other)).network.population("exc").cell.v_init
    assert not np.array_equal(reseeded, first)


def test_phases(tmp_path):
    text = (
        BASE.replace("[run]\nduration = 100.0", "")
        + """
        [[population]]
        name = "cue"
        size = 4
        cell = "SpikeSourceArray"

        [[phase]]
        name = "one"
        duration = 50.0
        [[phase.stimuli]]
        population = "cue"
        times = [1.0, 2.0]
        ids = [0, 3]

        [[phase]]
        name = "two"
        duration = 25.0
        plastic = []
        """
    )
    config = load_config(write(tmp_path, text))
    assert [p.name for p in config.schedule.phases] == ["one", "two"]
    assert config.duration == 75.0 and config.schedule.phases[0].plastic is None
    assert config.schedule.phases[1].plastic == ()


def test_config_from_dict_matches_file(tmp_path):
    path = write(tmp_path, BASE)
    data = tomllib.loads(path.read_text())
    assert config_from_dict(data).network == load_config(path).network


# -- errors: each names the file, the table, the key and what is allowed -----------------------
@pytest.mark.parametrize(
    ("old", "new", "fragments"),
    [
        ("[run]", "[runs]", ["top level", "runs", "network, population, projection, phase, run, record"]),
        ("tau_m = 10.0", "tau_mem = 10.0", ["[[population]] 'exc'", "tau_mem", "tau_m"]),
        ('cell = "IF_curr_exp"', 'cell = "LIF"', ["'exc'", "'LIF'", "IF_curr_exp, IF_curr_delta"]),
        ("tau_m = 10.0", "tau_m = -1.0", ["[[population]] 'exc'", "tau_m", "-1.0"]),
        ("tau_m = 10.0", "v_reset = -40.0", ["[[population]] 'exc'", "v_reset", "v_thresh"]),
        ("tau_m = 10.0", 'tau_m = "fast"', ["[[population]] 'exc'", "tau_m", "'fast'"]),
        ("size = 20", "size = 0", ["[[population]] 'exc'", "size"]),
        ("size = 20", "size = 2.5", ["[[population]] 'exc'", "size"]),
        ('name = "exc"', 'name = "src"', ["[[population]]", "distinct"]),
        ('connector = "FixedProbability"', 'connector = "Rnd"', ["'src_exc'", "Rnd", "OneToOne"]),
        ("p = 0.5", "p = 1.5", ["[[projection]] 'src_exc'", "p", "1.5"]),
        ("p = 0.5", "prob = 0.5", ["[[projection]] 'src_exc'", "prob", "allow_self_connections"]),
        ("delay = 1.0", "delay = 0.01", ["[[projection]] 'src_exc'", "delay", "dt"]),
        ("weight = 0.5", "weight = -0.5", ["[[projection]] 'src_exc'", "weight"]),
        ('post = "exc"', 'post = "src"', ["[[projection]] 'src_exc'", "post", "spike source"]),
        ('post = "exc"', 'post = "exc[0:50]"', ["[[projection]] 'src_exc'", "post", "exc[0:50]", "[0, 19]"]),
        ('post = "exc"', 'post = "inh[0:5]"', ["[[projection]] 'src_exc'", "post", "NAME one of src, exc"]),
        ('post = "exc"', 'post = "exc[a:b]"', ["[[projection]] 'src_exc'", "post", "NAME[a:b]"]),
        ('post = "exc"', 'post = "exc[1:2:3:4]"', ["[[projection]] 'src_exc'", "post"]),
        ('post = "exc"', 'post = "exc[1, 1]"', ["[[projection]] 'src_exc'", "post"]),
        ('post = "exc"', "post = 3", ["[[projection]] 'src_exc'", "post"]),
        ("dt = 0.1", "dt = 0.0", ["[network]", "dt"]),
        ("dt = 0.1", "timestep = 0.1", ["[network]", "timestep", "dt, numerics"]),
        ('name = "t"', 'name = "t"\nnumerics = "fast"', ["[network]", "numerics", "spinnaker"]),
        ("duration = 100.0", "duration = -1.0", ["[run]", "duration"]),
        ("duration = 100.0", "", ["[run]", "duration", "missing"]),
        ("duration = 100.0", "duration = 100.0\nseed = -3", ["[run]", "seed"]),
        ("duration = 100.0", "duration = 100.0\nthreads = 2", ["[run]", "threads", "backend"]),
        ("duration = 100.0", "duration = 100.0\nbackend = 3", ["[run]", "backend"]),
    ],
)
def test_errors(tmp_path, old, new, fragments):
    assert old in BASE
    message = error_of(tmp_path, BASE.replace(old, new, 1))
    for fragment in fragments:
        assert fragment in message, (fragment, message)


@pytest.mark.parametrize(
    ("extra", "fragments"),
    [
        ('[record]\nspikes = ["nope"]', ["[record]", "nope", "src, exc"]),
        ('[record]\nstate = { exc = ["w"] }', ["[record]", "'w'", "isyn_exc"]),
        ('[record]\nstate = { src = ["v"] }', ["[record]", "spike sources have no state"]),
        ("[record]\nstate = { exc = 3 }", ["[record]", "state['exc']", "list or tuple of names"]),
        ("[record]\nstate_every = 0", ["[record]", "state_every"]),
        ("[record]\nsample = 1", ["[record]", "sample", "state_every"]),
        ('[projection.stdp]\nweight_dependence = "log"', ["stdp", "log", "multiplicative"]),
        ("[projection.stdp]\ntau = 3.0", ["stdp", "tau", "tau_plus"]),
        ("[projection.stdp]\nw_max = 0.1", ["[[projection]] 'src_exc'", "weight", "STDP bounds"]),
        ('[projection.stdp]\ndelay_convention = "somatic"', ["stdp", "delay_convention", "axonal"]),
        ('[[phase]]\nname = "p"\nduration = 10.0', ["[run]", "duration", "no duration"]),
    ],
)
def test_errors_in_extra_tables(tmp_path, extra, fragments):
    message = error_of(tmp_path, BASE + "\n" + extra + "\n")
    for fragment in fragments:
        assert fragment in message, (fragment, message)


@pytest.mark.parametrize(
    ("phase", "fragments"),
    [
        ('name = "p"\nduration = 10.0\nplastic = ["src_exc"]', ["[[phase]]", "plastic", "src_exc"]),
        ('name = "p"\nduration = 10.0\nplastic = "src_exc"', ["[[phase]] 'p'", "plastic"]),
        ('name = "p"\nduration = 0.0', ["[[phase]] 'p'", "duration"]),
        ('name = "p"', ["[[phase]] 'p'", "duration", "missing"]),
        ('name = "p"\nduration = 10.0\nlength = 3', ["[[phase]] 'p'", "length", "stimuli"]),
        (
            'name = "p"\nduration = 10.0\nstimuli = [{ population = "exc", times = [1.0], ids = [0] }]',
            ["[[phase]]", "stimulus population", "SpikeSourceArray"],
        ),
        (
            'name = "p"\nduration = 10.0\nstimuli = [{ population = "src", time = [1.0] }]',
            ["[[phase]] 'p' stimuli", "time", "population, times, ids"],
        ),
        (
            'name = "p"\nduration = 10.0\nstimuli = [{ population = "src", times = [20.0], ids = [0] }]',
            ["[[phase]] 'p'", "stimuli", "relative to the phase start"],
        ),
    ],
)
def test_phase_errors(tmp_path, phase, fragments):
    text = BASE.replace("[run]\nduration = 100.0", "") + "\n[[phase]]\n" + phase + "\n"
    message = error_of(tmp_path, text)
    for fragment in fragments:
        assert fragment in message, (fragment, message)


def test_toml_syntax_error(tmp_path):
    message = error_of(tmp_path, BASE + "\nthis is not toml\n")
    assert "TOML" in message


def test_missing_populations(tmp_path):
    message = error_of(tmp_path, '[network]\nname = "x"\n[run]\nduration = 1.0\n')
    assert "population" in message and "missing" in message


def test_population_must_be_an_array_of_tables(tmp_path):
    message = error_of(tmp_path, '[population]\nname = "x"\n[run]\nduration = 1.0\n')
    assert "[[population]]" in message and "array of tables" in message


def test_errors_are_value_errors(tmp_path):
    with pytest.raises(ValueError, match="tau_mem"):
        load_config(write(tmp_path, BASE.replace("tau_m", "tau_mem")))


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        load_config(tmp_path / "absent.toml")


# -- fuzzing: any value in any slot loads or raises IRValidationError, never anything else --------
_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.lists(st.one_of(st.integers(-5, 30), st.floats(-5, 30), st.text(max_size=3)), max_size=4),
    st.dictionaries(
        st.sampled_from(["uniform", "seed", "x"]),
        st.one_of(st.integers(-3, 5), st.lists(st.floats(-80, 0), max_size=3)),
        max_size=2,
    ),
)


def _slots(data: dict) -> list[tuple]:
    """Every (container, key) pair of the parsed base config."""
    slots = []
    for key, value in data.items():
        slots.append((data, key))
        if isinstance(value, dict):
            slots.extend(_slots(value))
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, dict):
                    slots.extend(_slots(item))
    return slots


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(index=st.integers(0, 10_000), value=_VALUES, none_means_delete=st.booleans())
def test_fuzz_one_slot(index, value, none_means_delete):
    data = copy.deepcopy(tomllib.loads(BASE))
    data["record"] = {"spikes": ["exc"], "state": {"exc": ["v"]}, "state_every": 2}
    data["projection"][0]["stdp"] = {"w_max": 1.0, "tau_plus": 10.0}
    slots = _slots(data)
    container, key = slots[index % len(slots)]
    if value is None and none_means_delete:
        del container[key]
    elif value is not None:
        container[key] = value
    try:
        config_from_dict(data)
    except ir.IRValidationError:
        pass


@pytest.mark.parametrize(
    "bounds", ["[-50.0, -65.0]", "[-1e308, 1e308]", "[0.0, inf]", "[nan, 1.0]"]
)
def test_a_reversed_or_non_finite_uniform_range_is_refused_by_name(tmp_path, bounds):
    text = BASE.replace('tau_m = 10.0', f"tau_m = 10.0\nv_init = {{ uniform = {bounds}, seed = 1 }}")
    message = error_of(tmp_path, text)
    assert "v_init" in message and "uniform" in message and "low <= high" in message
