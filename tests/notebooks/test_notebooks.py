"""Every tutorial notebook runs top to bottom in a fresh kernel, and is stored without outputs."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat", reason="needs nbformat (pip install 'trtlab[test]')")
nbclient = pytest.importorskip("nbclient", reason="needs nbclient (pip install 'trtlab[test]')")
pytest.importorskip("ipykernel", reason="needs ipykernel (pip install 'trtlab[test]')")

REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))
NAMES = ["01-quickstart.ipynb", "02-partitioning.ipynb", "03-precision.ipynb", "04-your-model.ipynb"]


def test_all_four_notebooks_exist():
    assert [p.name for p in NOTEBOOKS] == NAMES


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_stored_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"{path.name} has outputs"


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_runs(path, tmp_path, monkeypatch):
    pytest.importorskip("ipywidgets", reason="needs ipywidgets (pip install 'trtlab[lab]')")
    pytest.importorskip("plotly", reason="needs plotly (pip install 'trtlab[lab]')")
    nb = nbformat.read(path, as_version=4)
    # The kernel imports this checkout's trtlab and writes its files in a temporary folder.
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(
        p for p in (str(REPO), os.environ.get("PYTHONPATH", "")) if p))
    monkeypatch.setenv("TRTLAB_CACHE_DIR", str(tmp_path / "engine-cache"))
    client = nbclient.NotebookClient(nb, timeout=180, kernel_name="python3",
                                     resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    errors = [o for o in outputs if o.output_type == "error"]
    assert not errors, errors
    # Each notebook shows something: text, a table, a figure or a widget.
    assert any(o.output_type in ("display_data", "execute_result", "stream") for o in outputs)
