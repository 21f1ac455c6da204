"""A check's record: what `trtlab check --json` writes, read back with every figure, in a process
where TensorRT cannot be imported; the report and the Lab from it; bad records as one error."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from trtlab.check import load_result
from trtlab.errors import TrtlabError

from tests.models import conv_model

REPO = Path(__file__).resolve().parents[2]
FAST = ["--seconds", "0.01", "--iterations", "3", "--warmup-ms", "5"]

# Put on PYTHONPATH, this makes `import tensorrt` and `import tensorrt_rtx` fail in every process
# started with it, as on a laptop where neither is installed.
BLOCKER = textwrap.dedent('''
    import sys

    class _NoTensorRT:
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in ("tensorrt", "tensorrt_rtx"):
                raise ModuleNotFoundError(f"No module named {name!r} (blocked)", name=name)
            return None

    sys.meta_path.insert(0, _NoTensorRT())
''')


def _without_tensorrt(tmp_path: Path) -> dict:
    site = tmp_path / "blocker"
    site.mkdir(exist_ok=True)
    (site / "sitecustomize.py").write_text(BLOCKER)
    return dict(os.environ, PYTHONPATH=os.pathsep.join([str(site), str(REPO)]))


@pytest.fixture(scope="module")
def recorded(tmp_path_factory) -> Path:
    """`trtlab check --json` of a small CNN at fp32 and fp16 with per-node error, saved to a file."""
    tmp = tmp_path_factory.mktemp("record")
    model = tmp / "cnn.onnx"
    conv_model().save(model)
    out = subprocess.run([sys.executable, "-m", "trtlab", "check", str(model), "--precision", "fp32", "fp16",
                          "--per-node", "--json", "-q", "--cache-dir", str(tmp / "cache"), *FAST],
                         capture_output=True, text=True, timeout=600, cwd=REPO,
                         env=dict(os.environ, PYTHONPATH=str(REPO)))
    assert out.returncode in (0, 1), out.stderr
    path = tmp / "cnn.json"
    path.write_text(out.stdout)
    return path


def test_the_record_says_what_ran_where_and_holds_the_graph(recorded):
    d = json.loads(recorded.read_text())
    ran = d["ran_on"]
    assert ran["device"] and ran["cpu"].startswith("CPU: ") and ran["trtlab"] and ran["date"].endswith("UTC")
    from trtlab.installed_tensorrt import find_tensorrt

    trt = find_tensorrt()
    assert ran["tensorrt"] == (None if trt is None else
                               {"name": trt.label, "package": trt.module.__name__, "version": trt.version})
    assert d["model_file"]["path"].endswith("cnn.onnx") and len(d["model_file"]["sha256"]) == 64
    record = d["record"]
    assert record["format"] == 1 and record["model"]["encoding"] == "onnx, zlib, base64"
    assert len(record["coverage"]["nodes"]) == d["model"]["nodes"]
    assert all(isinstance(e["subgraph"], int) for e in d["engines"])


def test_a_record_reopens_without_tensorrt_with_every_figure(recorded, tmp_path):
    code = textwrap.dedent(f'''
        import json, sys
        import trtlab
        try:
            import tensorrt_rtx
        except ImportError:
            pass
        else:
            sys.exit("tensorrt_rtx imported")
        from trtlab.installed_tensorrt import find_tensorrt
        assert find_tensorrt() is None
        result = trtlab.load_result({str(recorded)!r})
        written = json.load(open({str(recorded)!r}))
        again = json.loads(result.to_json())
        diff = [k for k in written if written[k] != again.get(k)]
        assert not diff and set(written) == set(again), diff
        assert [e.subgraph for e in result.engines] == [e["subgraph"] for e in written["engines"]]
        print(result.summary())
        lab = trtlab.Lab.from_result({str(recorded)!r})
        panel = lab.build_panel
        assert panel.result.to_dict() == result.to_dict()
        assert panel.build.disabled and "recorded" in panel.build.tooltip.lower()
        assert "fp16" in panel.status.value and "pass" in panel.status.value
        assert lab.plan is panel.result.plan and "Recorded check, run on CPU: " in lab.header.value
        lab.graph.wait()
        overlays = [v for v, _ in lab.graph.before.data.overlays()]
        assert set(["precision", "error", "engine"]) <= set(overlays), overlays
        assert panel.accuracy.value and panel.engine_build.value
        print("LAB", len(lab.model.nodes), overlays)
        lab.close()
        assert not [m for m in sys.modules if m.split(".")[0] in ("tensorrt", "tensorrt_rtx")]
    ''')
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, cwd=tmp_path,
                         env=_without_tensorrt(tmp_path))
    assert out.returncode == 0, out.stdout + out.stderr
    assert "verdict fp16:" in out.stdout and "checked on CPU: " in out.stdout
    assert "LAB" in out.stdout


def test_engine_precision_and_fusion_are_frozen_rows_with_their_subgraph(recorded):
    """Each engine's kernel precisions and fusion savings are a typed, frozen row whose subgraph id
    is a field; the record keeps the layout earlier versions wrote (one flat object per engine with
    its "subgraph"), so records saved before read back the same."""
    import dataclasses

    from trtlab.check.result import EnginePrecisionRow, FusionRow

    written = json.loads(recorded.read_text())
    assert written["engine_precision"] and written["fusion"], "the fp16 build gave no layer list"
    for entry in written["engine_precision"] + written["fusion"]:
        assert isinstance(entry["subgraph"], int)
    result = load_result(recorded)
    assert all(isinstance(r, EnginePrecisionRow) for r in result.engine_precision)
    assert all(isinstance(r, FusionRow) for r in result.fusion)
    assert [r.subgraph for r in result.engine_precision] == [e["subgraph"] for e in written["engine_precision"]]
    assert [(r.subgraph, r.precision) for r in result.fusion] == [(f["subgraph"], f["precision"])
                                                                  for f in written["fusion"]]
    assert [r.to_dict() for r in result.engine_precision] == written["engine_precision"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.fusion[0].subgraph = 7


def test_trtlab_report_writes_the_html_report_from_a_record(recorded, tmp_path):
    html = tmp_path / "out.html"
    out = subprocess.run([sys.executable, "-m", "trtlab", "report", str(recorded), "--report", str(html)],
                         capture_output=True, text=True, timeout=300, cwd=tmp_path, env=_without_tensorrt(tmp_path))
    written = json.loads(recorded.read_text())
    assert out.returncode == (0 if written["passed"] else 1), out.stderr
    assert f"Wrote report: {html}" in out.stdout and "Traceback" not in out.stderr
    page = html.read_text()
    assert "trtlab-ran-on" in page and written["ran_on"]["device"] in page
    for v in written["verdicts"]:
        assert v["precision"] in page
    assert "<svg" in page  # the graphs, drawn from the recorded graph


def test_the_reloaded_result_equals_the_check(tmp_path):
    from trtlab.check import check, save_result

    r = check(conv_model(), ["fp32", "fp16"], cache_dir=False, build=False, per_node=True,
              timing_options={"warmup_ms": 5, "iterations": 3, "seconds": 0.01})
    path = save_result(r, tmp_path / "r.json")
    back = load_result(path)
    assert back.to_dict() == r.to_dict()
    assert [v.status for v in back.verdicts] == [v.status for v in r.verdicts]
    assert back.accuracy[1].outputs[0].max_abs == r.accuracy[1].outputs[0].max_abs
    assert back.timing[0].mean_ms == r.timing[0].mean_ms and back.timing[0].samples_ms == r.timing[0].samples_ms
    assert back.node_errors["fp16"].entry_points == r.node_errors["fp16"].entry_points
    assert [n.name for n in back.model.nodes] == [n.name for n in r.model.nodes]


@pytest.mark.parametrize("text, words", [
    ("not json", "is not a JSON check record"),
    ("[1, 2]", "is not a check record"),
    ('{"verdicts": []}', "holds no trtlab record"),
])
def test_a_bad_record_is_one_clear_error(tmp_path, text, words):
    path = tmp_path / "bad.json"
    path.write_text(text)
    with pytest.raises(TrtlabError, match=words):
        load_result(path)


def test_a_damaged_graph_is_named(tmp_path):
    from trtlab.check import check, save_result

    r = check(conv_model(), ["fp32"], cache_dir=False, build=False, timing=False)
    d = r.to_dict()
    d["record"]["model"]["sha256"] = "0" * 64
    path = tmp_path / "r.json"
    path.write_text(json.dumps(d))
    with pytest.raises(TrtlabError, match="does not match its sha256"):
        load_result(path)
    del d["record"]["model"]["graph"]
    path.write_text(json.dumps(d))
    with pytest.raises(TrtlabError, match="not a complete check record"):
        load_result(path)
