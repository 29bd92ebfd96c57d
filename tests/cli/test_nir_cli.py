"""``spikemem export --to nir`` and ``spikemem import`` (click's CliRunner), and the examples of
docs/nir.md."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

nir = pytest.importorskip(
    "nir", reason="the NIR commands need the optional 'nir' package: pip install 'spikemem[nir]'"
)

import spikemem.cli  # noqa: E402
from spikemem import ir  # noqa: E402
from spikemem.cli import main  # noqa: E402
from spikemem.interop.nir import write_nir  # noqa: E402

from networks import static_network  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
FF = ROOT / "examples" / "feedforward.toml"
DOC = ROOT / "docs" / "nir.md"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_help_lists_the_nir_commands(runner):
    result = runner.invoke(main, ["--help"])
    assert result.exit_code == 0
    assert re.search(r"^\s+export\s", result.output, flags=re.M)
    assert re.search(r"^\s+import\s", result.output, flags=re.M)
    assert "spikemem export --to nir" in spikemem.cli.__doc__
    assert "spikemem import FILE.nir" in spikemem.cli.__doc__


def test_export_of_a_saved_network_prints_the_fidelity_table(runner, tmp_path):
    saved = tmp_path / "static.json"
    static_network().save(saved)
    out = tmp_path / "static.nir"
    result = runner.invoke(main, ["export", "--to", "nir", str(saved), "-o", str(out)])
    assert result.exit_code == 0, result.output
    graph = nir.read(out, type_check=False)
    assert {"stim", "exc", "exc__syn_exc", "exc__syn_inh", "drive", "inhibit"} <= set(graph.nodes)
    assert f"wrote {out}" in result.output
    # 9 nodes: stim, exc (LIF), 2 LI, exc__output, 2 Linear, 2 Delay; the LIF is approximate (tau_refrac)
    assert "9 nodes (8 faithful, 1 approximate, 0 unsupported)" in result.output
    lines = result.output.splitlines()
    assert any(line.split()[:2] == ["exc", "LIF"] and line.endswith("approximate") for line in lines)
    assert any(line.split()[:2] == ["drive", "Linear"] and line.endswith("faithful") for line in lines)
    assert "not faithful:" in result.output and "tau_refrac = 2 ms" in result.output
    assert "external data:" in result.output


def test_export_of_a_config_stops_at_unsupported_constructs(runner, tmp_path):
    out = tmp_path / "ff.nir"
    result = runner.invoke(main, ["export", "--to", "nir", str(FF), "-o", str(out)])
    assert result.exit_code == 1
    assert "population 'stim' (SpikeSourcePoisson)" in result.output
    assert "--allow-unsupported" in result.output
    assert not out.exists()
    result = runner.invoke(main, ["export", "--to", "nir", str(FF), "-o", str(out), "--allow-unsupported"])
    assert result.exit_code == 0, result.output
    assert "1 unsupported" in result.output
    assert re.search(
        r"^stim\s+Input\s+population 'stim' \(SpikeSourcePoisson\)\s+unsupported$", result.output, re.M
    )
    assert nir.read(out, type_check=False).metadata["spikemem"]["seed"] == 1  # the config's [run] seed


def test_export_in_seconds(runner, tmp_path):
    saved = tmp_path / "static.json"
    static_network().save(saved)
    out = tmp_path / "s.nir"
    result = runner.invoke(main, ["export", str(saved), "-o", str(out), "--time-unit", "s"])
    assert result.exit_code == 0, result.output
    graph = nir.read(out, type_check=False)
    np.testing.assert_allclose(graph.nodes["exc"].tau, [0.02] * 3, rtol=1e-15)


def test_export_rejects_other_files(runner, tmp_path):
    other = tmp_path / "net.yaml"
    other.write_text("x: 1")
    result = runner.invoke(main, ["export", "--to", "nir", str(other), "-o", str(tmp_path / "x.nir")])
    assert result.exit_code == 2
    assert "expected a run config (.toml) or a network saved with Network.save (.json)" in result.output
    result = runner.invoke(main, ["export", "--to", "onnx", str(FF), "-o", str(tmp_path / "x.nir")])
    assert result.exit_code == 2 and "Invalid value for '--to'" in result.output
    broken = tmp_path / "broken.json"
    broken.write_text("{}")
    result = runner.invoke(main, ["export", str(broken), "-o", str(tmp_path / "x.nir")])
    assert result.exit_code == 1 and "could not read" in result.output


def test_import_writes_the_network_and_runs_it(runner, tmp_path):
    original = static_network()
    nir_file, json_file = tmp_path / "static.nir", tmp_path / "back.json"
    write_nir(original, nir_file)
    result = runner.invoke(main, ["import", str(nir_file), "-o", str(json_file), "--run", "50"])
    assert result.exit_code == 0, result.output
    loaded = ir.Network.load(json_file)
    assert [p.name for p in loaded.populations] == ["stim", "exc"]
    assert loaded.population("exc").cell.tau_syn_I == 10.0 and loaded.population("exc").cell.tau_refrac == 2.0
    assert ir.resolve(loaded.projection("inhibit")).size == 6
    assert re.search(r"^\s+exc\s+IF_curr_exp\s+3$", result.output, re.M)
    assert re.search(r"^\s+inhibit\s+stim -> exc\s+inhibitory\s+6$", result.output, re.M)
    recording = spikemem.compile(original, backend="numba", seed=0).run(50.0)
    for name in ("stim", "exc"):  # the printed spike counts are those of the original network
        assert re.search(
            rf"^\s+{name}\s+{loaded.population(name).size}\s+{recording.spike_count(name)}\s",
            result.output,
            re.M,
        )
    assert recording.spike_count("exc") > 0


def test_import_without_metadata(runner, tmp_path):
    nir_file, json_file = tmp_path / "static.nir", tmp_path / "plain.json"
    write_nir(static_network(), nir_file)
    result = runner.invoke(
        main, ["import", str(nir_file), "-o", str(json_file), "--no-metadata", "--dt", "0.05"]
    )
    assert result.exit_code == 0, result.output
    loaded = ir.Network.load(json_file)
    assert loaded.dt == 0.05 and loaded.population("exc").cell.tau_refrac == 0.0
    assert loaded.population("stim").cell.times.size == 0
    assert "no spike times in the graph" in result.output


def test_import_errors(runner, tmp_path):
    bad = tmp_path / "bad.nir"
    bad.write_text("not hdf5")
    result = runner.invoke(main, ["import", str(bad), "-o", str(tmp_path / "x.json")])
    assert result.exit_code == 1 and "could not import" in result.output and "NIR file" in result.output
    good = tmp_path / "good.nir"
    write_nir(static_network(), good)
    result = runner.invoke(main, ["import", str(good), "-o", str(tmp_path / "x.h5")])
    assert result.exit_code == 2 and "use a .json name" in result.output
    graph = nir.NIRGraph(
        nodes={
            "in": nir.Input(input_type={"input": np.array([2])}),
            "thr": nir.Threshold(threshold=np.ones(2)),
        },
        edges=[("in", "thr")],
        type_check=False,
    )
    odd = tmp_path / "odd.nir"
    nir.write(odd, graph)
    result = runner.invoke(main, ["import", str(odd), "-o", str(tmp_path / "x.json")])
    assert result.exit_code == 1 and "node 'thr' of type Threshold" in result.output
    assert not (tmp_path / "x.json").exists()


def test_missing_nir_is_a_one_line_error(runner, tmp_path, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "nir", None)
    result = runner.invoke(main, ["export", str(FF), "-o", str(tmp_path / "x.nir")])
    assert result.exit_code == 1 and "pip install 'spikemem[nir]'" in result.output


# -- docs/nir.md -----------------------------------------------------------------------------------
def _blocks(language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```", DOC.read_text(), flags=re.S | re.M)


def test_docs_python_examples_run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    blocks = _blocks("python")
    assert len(blocks) == 2
    for block in blocks:
        exec(compile(block, str(DOC), "exec"), {})
    assert (tmp_path / "demo.nir").stat().st_size > 0


def test_docs_cli_examples_run(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    commands = [
        line for block in _blocks("bash") for line in block.splitlines() if line.startswith("spikemem ")
    ]
    assert [c.split()[1] for c in commands] == ["export", "import"]
    for command in commands:
        args = [str(ROOT / a) if a.startswith("examples/") else a for a in shlex.split(command)[1:]]
        result = runner.invoke(main, args)
        assert result.exit_code == 0, (command, result.output)
    assert ir.Network.load(tmp_path / "feedforward.json").population("exc").size == 80
    assert "population" in result.output and "spikes" in result.output


def test_docs_index_links_the_nir_page():
    assert "(nir.md)" in (ROOT / "docs" / "README.md").read_text()
