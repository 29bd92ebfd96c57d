"""``notebooks/hlop_continual_learning.ipynb`` runs top to bottom at CI size (about 20 s)."""

from __future__ import annotations

from pathlib import Path

import pytest

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "hlop_continual_learning.ipynb"


def test_hlop_notebook_executes(tmp_path):
    pytest.importorskip("sklearn", reason="scikit-learn is not installed (pip install scikit-learn)")
    nbformat = pytest.importorskip("nbformat", reason="nbformat is not installed (pip install nbformat)")
    nbclient = pytest.importorskip("nbclient", reason="nbclient is not installed (pip install nbclient)")
    pytest.importorskip("ipykernel", reason="ipykernel is not installed (pip install ipykernel)")
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(
        notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute()
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    text = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    for variant in ("vanilla", "hlop", "hlop-spiking"):
        assert f"{variant}: ACC" in text
    assert "identical spike counts: True" in text and "identical spikes: True" in text
    assert "below its input dimension 64" in text
    assert sum("image/png" in o.get("data", {}) for o in outputs) >= 3
    assert list(tmp_path.iterdir()) == []  # the notebook writes no files
