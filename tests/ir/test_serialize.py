"""Round trips (dict, JSON + npz files) and the content hash."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from spikemem import ir
from spikemem.ir import serialize

from networks import every_node_network, every_node_schedule

NETWORKS_SCRIPT = Path(__file__).parents[1] / "networks.py"
REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def net() -> ir.Network:
    return every_node_network()


def _resolved(network, seed=5):
    return {
        p.name: tuple(
            getattr(ir.resolve(p, seed=seed), f).tobytes() for f in ("pre", "post", "weight", "delay")
        )
        for p in network.projections
    }


def test_the_test_network_uses_every_node_type(net):
    kinds = {type(p.cell).__name__ for p in net.populations}
    assert kinds == {"IF_curr_exp", "IF_curr_delta", "SpikeSourceArray", "SpikeSourcePoisson"}
    connectors = {type(p.connector).__name__ for p in net.projections}
    assert connectors == {"OneToOne", "AllToAll", "FixedProbability", "FromList"}
    stdp = [p.plasticity for p in net.projections if p.plastic]
    for name, choices in (
        ("delay_convention", {"dendritic", "axonal", "none"}),
        ("zero_lag", {"depress", "potentiate", "ignore"}),
        ("amplitude", {"absolute", "w_max"}),
        ("clipping", {"per_event", "end_of_phase"}),
    ):
        assert {getattr(rule, name) for rule in stdp} == choices
    assert {type(rule.weight).__name__ for rule in stdp} == {"Additive", "Multiplicative"}
    assert any(isinstance(p.pre, ir.PopulationView) for p in net.projections)
    assert any(isinstance(p.post, ir.PopulationView) for p in net.projections)


def test_dict_round_trip_preserves_content_hash_and_synapses(net):
    rebuilt = ir.Network.from_dict(net.to_dict())
    assert rebuilt is not net
    assert rebuilt.content_hash() == net.content_hash()
    assert rebuilt == net and hash(rebuilt) == hash(net)
    assert _resolved(rebuilt) == _resolved(net)
    for original, copy_ in zip(net.projections, rebuilt.projections, strict=True):
        assert type(copy_.pre) is type(original.pre) and type(copy_.post) is type(original.post)
        np.testing.assert_array_equal(copy_.pre.indices, original.pre.indices)
        np.testing.assert_array_equal(copy_.post.indices, original.post.indices)


@pytest.mark.parametrize("filename", ["net.json", "nested/dir/net.json", "net"])
def test_save_load_round_trip_preserves_content_hash(net, tmp_path, filename):
    path = tmp_path / filename
    net.save(path)
    assert path.exists() and path.with_suffix(".npz").exists()
    json.loads(path.read_text())  # plain JSON
    with np.load(path.with_suffix(".npz"), allow_pickle=False) as arrays:  # no pickled objects
        assert arrays.files
    loaded = ir.Network.load(path)
    assert loaded.content_hash() == net.content_hash()
    assert _resolved(loaded) == _resolved(net)
    leftovers = [p.name for p in path.parent.iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []


def test_save_overwrites_atomically(net, tmp_path):
    path = tmp_path / "net.json"
    small = ir.Network(populations=(ir.Population(name="x", size=1, cell=ir.IF_curr_exp()),))
    small.save(path)
    net.save(path)
    assert ir.Network.load(path) == net


def test_network_without_arrays_round_trips_through_json_only(tmp_path):
    small = ir.Network(
        populations=(ir.Population(name="x", size=2, cell=ir.IF_curr_exp()),),
        projections=(),
    )
    path = tmp_path / "small.json"
    small.save(path)
    path.with_suffix(".npz").unlink()  # nothing in it is needed
    assert ir.Network.load(path) == small


def test_content_hash_is_stable_across_processes(net, tmp_path):
    env = dict(os.environ, PYTHONHASHSEED="12345")
    built = subprocess.run(
        [sys.executable, str(NETWORKS_SCRIPT)],
        capture_output=True,
        text=True,
        check=True,
        env=env,
        cwd=REPO_ROOT,
    )
    assert built.stdout.strip() == net.content_hash()
    path = tmp_path / "net.json"
    net.save(path)
    env["PYTHONHASHSEED"] = "999"
    loaded = subprocess.run(
        [sys.executable, str(NETWORKS_SCRIPT), str(path)],
        capture_output=True,
        text=True,
        check=True,
        env=env,
        cwd=REPO_ROOT,
    )
    assert loaded.stdout.strip() == net.content_hash()


def test_content_hash_is_a_sha256_hex_digest(net):
    digest = net.content_hash()
    assert len(digest) == 64 and int(digest, 16) >= 0
    assert every_node_network().content_hash() == digest  # a fresh, equal build


def test_content_hash_ignores_how_values_were_spelled():
    def build(cm, index, times):
        pop = ir.Population(name="p", size=3, cell=ir.IF_curr_exp(cm=cm))
        src = ir.Population(name="s", size=2, cell=ir.SpikeSourceArray(times=times, ids=[0, 1]))
        proj = ir.Projection(name="q", pre=src, post=pop[index], connector=ir.OneToOne(), weight=1)
        return ir.Network(populations=(pop, src), projections=(proj,))

    reference = build(1.0, [0, 1], [1.0, 2.0])
    assert build(1, slice(0, 2), np.array([1, 2])).content_hash() == reference.content_hash()
    assert build(np.float32(1.0), np.array([0, 1], dtype=np.int8), (1.0, 2.0)) == reference
    assert build(1.0, [1, 0], [1.0, 2.0]) != reference  # view order matters
    assert build([1.0, 1.0, 1.0], [0, 1], [1.0, 2.0]) != reference  # scalar and array differ


# -- every single change changes the hash ------------------------------------------------------
def _leaves(data, path=()):
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _leaves(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _leaves(value, (*path, index))
    else:
        yield path, data


def _replace(data, path, value):
    data = copy.deepcopy(data)
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return data


CHOICES = {
    "numerics": ir.NUMERICS,
    "receptor": ("excitatory", "inhibitory"),
    "delay_convention": ("dendritic", "axonal", "none"),
    "zero_lag": ("depress", "potentiate", "ignore"),
    "amplitude": ("absolute", "w_max"),
    "clipping": ("per_event", "end_of_phase"),
}


def _candidates(key, value, population_names=()):
    """Changed values to try for one leaf, most likely valid first."""
    if isinstance(value, (bool, np.bool_)):
        return [not value]
    if isinstance(value, str):
        if key == "population":  # a reference: point it at another population
            return [name for name in population_names if name != value]
        if key in CHOICES:
            return [c for c in CHOICES[key] if c != value]
        return [value + "x"]
    if isinstance(value, int):
        return [value + 1, value - 1]
    if isinstance(value, float):
        return [c for c in (value * 1.01, value * 0.99, value + 0.01, value - 0.01) if c != value]
    if isinstance(value, np.ndarray):
        out = []
        deltas = (1, -1) if value.dtype.kind in "iu" else (0.01, -0.01)
        for position in range(value.size):
            for delta in deltas:
                changed = value.copy()
                changed[position] = changed[position] + delta
                out.append(changed)
        return out
    return []


def test_changing_any_single_parameter_changes_the_hash(net):
    data = net.to_dict()
    reference = net.content_hash()
    changed, unchangeable = 0, []
    for path, value in _leaves(data):
        key = path[-1]
        if key in ("format", "version", "kind") or value is None:
            continue
        for candidate in _candidates(key, value, [p["name"] for p in data["populations"]]):
            try:
                other = ir.Network.from_dict(_replace(data, path, candidate))
            except ir.IRValidationError:
                continue  # this change makes an invalid network; try the next one
            assert other.content_hash() != reference, f"changing {path} did not change the hash"
            changed += 1
            break
        else:
            unchangeable.append(path)
    # What cannot change alone without making the network invalid: population names (they are
    # referenced by the projections), sizes fixed by per-neuron arrays or one-to-one projections,
    # and references or FromList indices that only one population or position can satisfy.
    assert set(unchangeable) == {
        *(("populations", i, "name") for i in range(5)),
        ("populations", 0, "size"),
        ("populations", 2, "size"),
        ("populations", 3, "size"),
        ("projections", 0, "pre", "population"),
        ("projections", 0, "post", "population"),
        ("projections", 4, "pre", "population"),
        ("projections", 4, "post", "population"),
        ("projections", 6, "connector", "post"),
    }
    assert changed > 60


def _rename_exc(data):
    data["populations"][0]["name"] = "renamed"
    for proj in data["projections"]:
        for side in ("pre", "post"):
            if proj[side]["population"] == "exc":
                proj[side]["population"] = "renamed"


STRUCTURAL_CHANGES = {
    "rename a population everywhere": _rename_exc,
    "weight dependence kind": lambda d: d["projections"][4]["plasticity"]["weight"].update(
        kind="Multiplicative"
    ),
    "connector kind": lambda d: d["projections"][1]["connector"].update(
        kind="AllToAll", allow_self_connections=True
    ),
    "connector seed None -> 0": lambda d: d["projections"][3]["connector"].update(seed=0),
    "v_init -> None": lambda d: d["populations"][1]["cell"].update(v_init=None),
    "view order": lambda d: d["projections"][0]["post"].update(indices=np.array([1, 5, 3, 0])),
    "view -> whole population": lambda d: d["projections"][1]["pre"].pop("indices"),
    "projection order": lambda d: d["projections"].reverse(),
    "plasticity removed": lambda d: d["projections"][6].update(plasticity=None),
}


@pytest.mark.parametrize("change", list(STRUCTURAL_CHANGES.values()), ids=list(STRUCTURAL_CHANGES))
def test_structural_changes_change_the_hash(net, change):
    data = copy.deepcopy(net.to_dict())
    change(data)
    other = ir.Network.from_dict(data)
    assert other.content_hash() != net.content_hash()
    assert other != net


# -- schedules and bad input --------------------------------------------------------------------
def test_schedule_dict_round_trip():
    schedule = every_node_schedule()
    data = serialize.schedule_to_dict(schedule)
    rebuilt = ir.schedule_from_dict(data)
    assert serialize.content_hash(serialize.schedule_to_dict(rebuilt)) == serialize.content_hash(data)
    assert [p.name for p in rebuilt.phases] == [p.name for p in schedule.phases]
    for original, copy_ in zip(schedule.phases, rebuilt.phases, strict=True):
        assert copy_.duration == original.duration and copy_.plastic == original.plastic
        assert len(copy_.stimuli) == len(original.stimuli)
        for a, b in zip(original.stimuli, copy_.stimuli, strict=True):
            assert a.population == b.population
            np.testing.assert_array_equal(a.times, b.times)
            np.testing.assert_array_equal(a.ids, b.ids)
    rebuilt.check_against(every_node_network())


def test_schedule_round_trips_through_json_and_npz():
    data = serialize.schedule_to_dict(every_node_schedule())
    text, npz = serialize.dumps_with_arrays(data)
    import io

    with np.load(io.BytesIO(npz), allow_pickle=False) as arrays:
        joined = serialize._join_arrays(json.loads(text), {k: arrays[k] for k in arrays.files})
    assert serialize.content_hash(serialize.schedule_to_dict(ir.schedule_from_dict(joined))) == (
        serialize.content_hash(data)
    )


@pytest.mark.parametrize(
    "mutate, parameter",
    [
        (lambda d: d.update(format="other"), "format"),
        (lambda d: d.update(version=99), "version"),
        (lambda d: d["populations"][0]["cell"].update(kind="HH"), "kind"),
        (lambda d: d["projections"][0]["pre"].update(population="ghost"), "population"),
        (lambda d: d["projections"][0]["connector"].update(kind="Distance"), "connector"),
        (lambda d: d["projections"][4]["plasticity"].update(kind="Hebb"), "plasticity"),
        (lambda d: d["populations"][0]["cell"].update(tau_m=-1.0), "tau_m"),
        (lambda d: d.update(dt=float("nan")), "dt"),
    ],
)
def test_from_dict_validates_everything_again(net, mutate, parameter):
    data = copy.deepcopy(net.to_dict())
    mutate(data)
    with pytest.raises(ir.IRValidationError) as info:
        ir.Network.from_dict(data)
    assert info.value.parameter == parameter


def test_schedule_from_dict_rejects_other_formats():
    with pytest.raises(ir.IRValidationError) as info:
        ir.schedule_from_dict({"format": "spikemem.network"})
    assert info.value.parameter == "format"
