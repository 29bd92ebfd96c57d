"""The documentation site builds with warnings as errors, documents every public object, and
shows the notebooks with their stored figures (they are not executed here: their own tests
execute them)."""

from __future__ import annotations

import importlib
import inspect
import json
import os
import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import pytest

import spikemem

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def public_modules() -> list[str]:
    names = ["spikemem"]
    for info in pkgutil.walk_packages(spikemem.__path__, "spikemem."):
        if not any(part.startswith("_") for part in info.name.split(".")):
            names.append(info.name)
    return names


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    pytest.importorskip("sphinx", reason="needs the docs extra: pip install -e '.[docs]'")
    pytest.importorskip("myst_nb", reason="needs the docs extra: pip install -e '.[docs]'")
    out = tmp_path_factory.mktemp("site")
    env = {**os.environ, "MPLBACKEND": "Agg"}
    command = [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html"]
    command += ["-d", str(out / "doctrees"), "docs", str(out / "html")]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env=env, timeout=600)
    assert result.returncode == 0, result.stderr[-5000:]
    return out / "html"


def test_site_builds_with_warnings_as_errors(site):
    for page in ("index", "gallery", "backends", "conventions", "api", "ca3", "sdr", "hlop", "spinnaker"):
        assert (site / f"{page}.html").is_file(), page
    conventions = (site / "conventions.html").read_text()
    assert "Delays" in conventions and "halves up" in conventions  # the README's section, included


def test_every_public_module_function_and_class_is_in_the_api_reference(site):
    """Each is documented once, where it is defined (packages re-export it)."""
    from sphinx.util.inventory import InventoryFile

    with open(site / "objects.inv", "rb") as stream:
        inventory = InventoryFile.load(stream, "", lambda base, uri: uri)
    documented = {name for kind, entries in inventory.items() if kind.startswith("py:") for name in entries}
    missing = []
    for name in public_modules():
        assert name in documented, f"module {name} has no API page"
        module = importlib.import_module(name)
        for attr in getattr(module, "__all__", ()):
            obj = getattr(module, attr)
            if not (inspect.isclass(obj) or inspect.isfunction(obj)):
                continue  # constants and click commands (the CLI is documented by --help)
            home = getattr(obj, "__module__", None) or name
            if not (
                f"{name}.{attr}" in documented or f"{home}.{getattr(obj, '__qualname__', attr)}" in documented
            ):
                missing.append(f"{name}.{attr}")
    assert not missing, f"not in the API reference: {missing}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_pages_show_their_stored_figures(site, path):
    page = (site / "notebooks" / f"{path.stem}.html").read_text()
    assert len(re.findall(r"<img [^>]*src=\"\.\./_images/", page)) >= 1


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_reads_on_its_own(path):
    """A title, what it shows, the paper it reproduces, its runtime, and its stored outputs."""
    notebook = json.loads(path.read_text())
    first = "".join(notebook["cells"][0]["source"])
    assert first.startswith("# ") and "*Reproduces " in first and "*Runtime: about " in first
    outputs = [o for cell in notebook["cells"] if cell["cell_type"] == "code" for o in cell["outputs"]]
    assert any("image/png" in o.get("data", {}) for o in outputs)
    assert not [o for o in outputs if o["output_type"] == "error"]


def test_docs_and_notebooks_refer_to_nothing_outside_the_repository():
    pages = [
        ROOT / "README.md",
        *(ROOT / "docs").glob("*.md"),
        *NOTEBOOKS,
        *(ROOT / "notebooks").glob("*.md"),
    ]
    pages += [*(ROOT / "hw").rglob("*.md"), *(ROOT / "experiments").rglob("*.md")]
    texts = {p: p.read_text() for p in pages}
    texts[ROOT / "docs" / "conf.py"] = (ROOT / "docs" / "conf.py").read_text()
    pattern = re.compile(r"/work/|\.\./shared|site-packages|spec §")
    found = {str(p.relative_to(ROOT)): pattern.findall(text) for p, text in texts.items()}
    assert not {p: hits for p, hits in found.items() if hits}
    leaving = []
    for path, text in texts.items():
        for target in re.findall(r"\]\(([^)\s]+)\)", text):
            if re.match(r"[a-z]+:|#", target):
                continue  # a web address or an anchor on the page
            if not (path.parent / target.split("#")[0]).resolve().is_relative_to(ROOT):
                leaving.append(f"{path.relative_to(ROOT)}: {target}")
    assert not leaving, f"links out of the repository: {leaving}"
