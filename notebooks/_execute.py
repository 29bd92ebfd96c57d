"""Execute notebooks in place and store their outputs, so that they (and the documentation
site, which renders them without executing) show their figures.

    python notebooks/_execute.py                  # every notebook here
    python notebooks/_execute.py sdr_fig4a.ipynb  # some

Each notebook runs top to bottom in a fresh kernel (working directory: a temporary folder); the
measured wall time is written into the first cell's ``Runtime:`` line. CI executes the
notebooks again (``tests/models/test_*_notebook.py``, ``tests/sdr/test_notebooks.py``) without
writing them.
"""

from __future__ import annotations

import re
import sys
import tempfile
import time
from pathlib import Path

import nbclient
import nbformat

HERE = Path(__file__).resolve().parent
RUNTIME = re.compile(r"\n*\*Runtime: .*\*$", flags=re.S)


def _environment_noise(output: dict) -> bool:
    """tqdm's warning that ipywidgets is missing (it names this machine's site-packages); in
    JupyterLab with ipywidgets the progress bars are widgets instead."""
    return output.get("name") == "stderr" and "TqdmWarning: IProgress not found" in output.get("text", "")


def execute(path: Path) -> float:
    """Run ``path`` top to bottom, store outputs and runtime; return the wall time (s)."""
    notebook = nbformat.read(path, as_version=4)
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        nbclient.NotebookClient(
            notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": folder}}
        ).execute()
        seconds = time.perf_counter() - start
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.outputs if not _environment_noise(o)]
    first = notebook.cells[0]
    line = (
        f"*Runtime: about {max(5, 5 * round(seconds / 5))} s to run top to bottom on 2 CPU cores "
        "(stored with its outputs; `python notebooks/_execute.py` runs it again).*"
    )
    first.source = RUNTIME.sub("", first.source.rstrip()) + "\n\n" + line
    if sys.prefix in nbformat.writes(notebook):
        raise RuntimeError(f"{path.name}: an output names this machine's Python ({sys.prefix})")
    nbformat.validate(notebook)
    nbformat.write(notebook, path)
    return seconds


def main(names: list[str]) -> None:
    paths = [HERE / name for name in names] or sorted(HERE.glob("*.ipynb"))
    for path in paths:
        print(f"{path.name}: {execute(path):.1f} s", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
