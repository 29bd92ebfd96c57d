"""The translation table covers every IR parameter, and every Brian2 name it gives exists in the
generated model; lowering works without Brian2."""

from __future__ import annotations

import ast
import dataclasses
import re
import subprocess
import sys

import numpy as np
import pytest

from spikemem import ir
from spikemem.backends.brian2 import codegen, translation
from spikemem.backends.brian2.lowering import lower_cell, lower_rule
from spikemem.ir.cells import CELL_TYPES, is_source
from spikemem.ir.plasticity import STDP, Additive, Multiplicative, SpikePair


def test_every_parameter_of_every_cell_is_translated():
    for kind, cls in CELL_TYPES.items():
        table = translation.SOURCE_CELLS if is_source(cls()) else translation.NEURON_CONSTANTS
        assert kind in table, f"cell type {kind} has no translation"
        names = set(cls.parameter_names()) | ({"v_init"} if "v_init" in cls.__dataclass_fields__ else set())
        assert names == set(table[kind]), f"{kind}: {names ^ set(table[kind])}"


def test_every_projection_and_stdp_field_is_translated():
    assert {f.name for f in dataclasses.fields(ir.Projection)} - {"name"} == set(translation.PROJECTION)
    stdp_fields = {f.name for f in dataclasses.fields(STDP)}
    timing = {f.name for f in dataclasses.fields(SpikePair)}
    bounds = {f.name for f in dataclasses.fields(Additive)} | {
        f.name for f in dataclasses.fields(Multiplicative)
    }
    assert stdp_fields | timing | bounds == set(translation.STDP_PARAMETERS)


def test_every_state_variable_is_translated():
    recordable = {v for cls in CELL_TYPES.values() for v in cls.state_variables}
    assert recordable == set(translation.STATE)


def _model_names() -> dict[str, set[str]]:
    neurons = set(re.findall(r"^(\w+) :", codegen.neuron_model(3, 2), flags=re.M))
    synapses = set(re.findall(r"^(\w+) :", codegen.SYNAPSE_MODEL_PLASTIC, flags=re.M))
    pathways = set(codegen.PATHWAY_ORDER) | {"tx"}
    return {"neurons": neurons, "synapses": synapses | pathways, "sources": set()}


def test_every_brian2_name_in_the_table_exists_in_the_generated_model():
    names = _model_names()
    for key, entry in translation.TABLE.items():
        assert entry.unit in translation.SI, key
        for target in entry.brian2:
            owner, _, variable = target.partition(".")
            assert owner in names, f"{key}: unknown object {owner}"
            if not variable or "{" in variable:
                continue
            assert variable.removesuffix("_post") in names[owner], (
                f"{key}: {target} not in the generated model"
            )
    assert set(translation.NEURON_VARIABLES) <= names["neurons"]
    assert set(translation.SYNAPSE_VARIABLES) <= names["synapses"]


def test_to_si():
    assert translation.to_si("mV", 1.5) == pytest.approx(1.5e-3)
    with pytest.raises(ValueError, match="time steps"):
        translation.to_si("steps", 3)


def test_lowering_dispatches_per_node_type():
    for cls in CELL_TYPES.values():
        assert lower_cell(cls())["group"] in ("neurons", "sources"), cls
    with pytest.raises(ir.UnsupportedFeature, match="brian2.*cell type str"):
        lower_cell("not a cell")
    with pytest.raises(ir.UnsupportedFeature, match="plasticity rule int"):
        lower_rule(3, 1)
    rule = STDP(
        timing=SpikePair(A_plus=0.1, A_minus=0.2),
        weight=Multiplicative(w_min=0.0, w_max=2.0),
        delay_convention="axonal",
        zero_lag="potentiate",
        amplitude="w_max",
        clipping="end_of_phase",
    )
    values = lower_rule(rule, 4)
    assert (values["a_pre"], values["a_post"]) == (4, 0)
    assert values["Ap"] == pytest.approx(0.2) and values["Am"] == pytest.approx(0.4)
    assert (values["mult"], values["ip"], values["idp"], values["clip_on"], values["eop"]) == (
        1.0,
        1.0,
        0.0,
        0.0,
        1.0,
    )


def test_lowering_does_not_import_brian2():
    code = (
        "import sys; from spikemem.networks import cuba_network;"
        "from spikemem.backends.brian2.lowering import lower;"
        "plan = lower(cuba_network(n=50), 0.1, 'exact', 0);"
        "print(len(plan.groups), 'brian2' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == ["2", "False"]


def test_dendritic_network_runs_as_its_point_neuron_lowering():
    """Brian2 has no native segments: it runs lower_dendrites' counters, with the same spikes
    as the reference engine on the lowered network."""
    import spikemem
    from spikemem.ir.dendrites import DendriticNeuron
    from spikemem.lowering import lower_dendrites

    src = ir.Population(
        name="src",
        size=6,
        cell=ir.SpikeSourceArray(
            times=[1.0, 1.0, 1.0, 5.0, 5.0, 9.0, 9.0, 9.0], ids=[0, 1, 2, 3, 4, 0, 1, 5]
        ),
    )
    den = ir.Population(
        name="den", size=2, cell=DendriticNeuron(n_segments=3, theta=2, window=2.0, soma_threshold=1)
    )
    proj = ir.Projection(
        name="src_den",
        pre=src,
        post=den,
        connector=ir.AllToAll(),
        weight=1.0,
        delay=1.0,
        segment=np.resize([0, 1, 2, 1], 12),
    )
    net = ir.Network(populations=(src, den), projections=(proj,), dt=0.5, name="dendrites")
    rec = spikemem.compile(net, backend="brian2", target="numpy", progress=False).run(duration=20.0)
    ref = spikemem.compile(lower_dendrites(net), backend="numba").run(duration=20.0)
    assert set(rec.populations) == {"src", "den"}
    assert len(rec.spikes["den"]) > 0 and rec.spikes["den"] == ref.spikes["den"]


def _chains(node: ast.AST) -> list[str]:
    """Sums of three or more terms and products of three or more factors: the expressions a
    rewriting pass could reassociate (arguments of int() and clip() select, they compute nothing)."""
    found = []
    for child in ast.walk(node):
        if isinstance(child, ast.Call):
            continue
        if isinstance(child, ast.BinOp):
            kinds = (ast.Add, ast.Sub) if isinstance(child.op, (ast.Add, ast.Sub)) else (ast.Mult,)
            if isinstance(child.op, kinds) and any(
                isinstance(side, ast.BinOp) and isinstance(side.op, kinds) and not _is_selection(side)
                for side in (child.left, child.right)
            ):
                found.append(ast.unparse(child))
    return found


def _is_selection(node: ast.BinOp) -> bool:
    return any(
        isinstance(side, ast.Call) and getattr(side.func, "id", "") == "int"
        for side in (node.left, node.right)
    )


def test_generated_statements_cannot_be_reassociated():
    """Every statement adds at most two terms and multiplies at most two factors, so no
    rewriting (Brian2's sympy passes, a compiler's reassociation) can change the result: the
    order of every floating-point operation is fixed, as in the reference engine."""
    code = "\n".join(
        [
            codegen.neuron_update(2, 3),
            codegen.pre_register(),
            codegen.post_potentiate(),
            codegen.pre_depress(),
            codegen.END_OF_PHASE_CLIP,
            codegen.RESET,
        ]
    )
    for line in code.splitlines():
        expr = ast.parse(line.split("=", 1)[1].strip(), mode="eval")
        assert _chains(expr) == [], line
