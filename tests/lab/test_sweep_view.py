"""A sweep in a notebook: the progress bar and summary follow the rows as they arrive."""

from __future__ import annotations

import pytest

from trtlab.lab.sweep_view import SweepView

from tests.sweeps.sample import sample_sweep


def test_the_view_follows_the_sweep_live():
    sweep = sample_sweep()
    view = SweepView(sweep)
    assert (view.bar.value, view.bar.max) == (0, 6) and "running" in view.summary.value
    sweep._add(sweep.rows_to_come[0])
    assert view.bar.value == 1 and "1 of 6 tasks done: 1 pass" in view.label.value
    for row in sweep.rows_to_come[1:]:
        sweep._add(row)
    assert view.bar.value == 5 and not view.cancel.disabled
    sweep._finish()
    assert view.cancel.disabled and view.bar.bar_style == "warning"  # a fail and a not measured
    assert "mixed" in view.summary.value and "max rel error 0.3" in view.summary.value


def test_cancel_cancels_the_sweep_and_a_sweep_shows_as_the_view():
    sweep = sample_sweep()
    bundle = sweep._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    view = SweepView(sweep)
    view.cancel.click()
    assert sweep.cancelled


@pytest.mark.slow
def test_in_a_notebook_kernel_a_sweep_shows_as_a_live_view(tmp_path, monkeypatch):
    """A real kernel: trtlab.sweep's result displays as the view, whose bar reaches the end."""
    import os
    from pathlib import Path

    pytest.importorskip("distributed", reason="needs dask's distributed (pip install 'trtlab[sweep]')")
    nbformat = pytest.importorskip("nbformat", reason="needs nbformat (pip install 'trtlab[test]')")
    nbclient = pytest.importorskip("nbclient", reason="needs nbclient (pip install 'trtlab[test]')")
    repo = Path(__file__).resolve().parents[2]
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(p for p in (str(repo), os.environ.get("PYTHONPATH", "")) if p))
    cells = ["import trtlab\nrun = trtlab.sweep(['zoo:tiny'], ['fp32', 'fp16'], workers=1, timing=False, "
             f"cache_dir={str(tmp_path / 'cache')!r})\nrun",
             "run.wait()\nprint(run.summary())"]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    client = nbclient.NotebookClient(nb, timeout=300, kernel_name="python3", store_widget_state=True,
                                     resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    shown, printed = nb.cells[0].outputs, nb.cells[1].outputs
    assert any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in shown), shown
    assert "2 of 2 tasks done: 2 pass" in "".join(o.get("text", "") for o in printed)
    states = nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"].values()
    bars = [s["state"] for s in states if s["model_name"] == "IntProgressModel"]
    assert [(b["value"], b["max"]) for b in bars] == [(2, 2)]  # updated as the results came in
