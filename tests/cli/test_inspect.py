from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import onnx
import pytest

from trtlab.cli import main


def run_cli(*args, env=None):
    return subprocess.run([sys.executable, "-m", "trtlab", *args], capture_output=True, text=True,
                          env=env, timeout=120)


def test_text_report_reads_like_a_dry_run(capsys):
    assert main(["inspect", "zoo:mixed"]) == 0
    out = capsys.readouterr().out
    assert "TensorRT engines: 2" in out
    assert "trap.roipool [MaxRoiPool]: TensorRT 10.1 has no importer for MaxRoiPool" in out
    assert ("Recommended min_block_size: 1, the current value. Every value up to 5 gives the same 2 engines."
            in out)


def test_a_one_block_model_is_not_told_to_use_its_whole_size(capsys):
    assert main(["inspect", "zoo:resnet18"]) == 0  # 69 nodes, one engine
    assert ("Recommended min_block_size: 1, the current value. Every value up to 69 gives the same 1 engine."
            in capsys.readouterr().out)


def test_json_is_exactly_the_documented_object(tmp_path, capsys):
    saved = tmp_path / "m.onnx"
    assert main(["inspect", "zoo:mixed", "--json", "--save-onnx", str(saved)]) == 0
    d = json.loads(capsys.readouterr().out)
    assert list(d) == ["model", "coverage", "partition"]
    assert list(d["model"]) == ["name", "nodes", "inputs", "outputs"]
    assert list(d["coverage"]) == ["source", "supported_nodes", "total_nodes", "unsupported_ops"]
    assert list(d["partition"]) == ["min_block_size", "subgraphs", "fallback_nodes"]
    assert all(list(s) == ["id", "nodes", "inputs", "outputs"] for s in d["partition"]["subgraphs"])
    assert d["partition"]["fallback_nodes"][0].keys() == {"name", "op", "reason"}
    names = {n.name for n in onnx.load(str(saved)).graph.node}
    listed = {n for s in d["partition"]["subgraphs"] for n in s["nodes"]}
    listed |= {f["name"] for f in d["partition"]["fallback_nodes"]}
    assert listed == names


def test_options_change_the_plan(capsys):
    main(["inspect", "zoo:resnet18", "--json", "--exclude", "MaxPool", "--min-block-size", "4"])
    d = json.loads(capsys.readouterr().out)
    fb = {f["name"]: f["reason"] for f in d["partition"]["fallback_nodes"]}
    assert "excluded by user (op type MaxPool)" in fb["maxpool"]
    assert all(len(s["nodes"]) >= 4 for s in d["partition"]["subgraphs"])
    main(["inspect", "zoo:resnet18", "--json", "--coverage", "mxnet-1.3"])
    d = json.loads(capsys.readouterr().out)
    assert d["coverage"]["source"] == "mxnet-1.3"
    assert d["coverage"]["unsupported_ops"] == {"MaxPool": 1, "GlobalAveragePool": 1}


def test_input_shape_option(tmp_path, capsys):
    from trtlab import load

    m = load("zoo:tiny").proto
    m.graph.input[0].type.tensor_type.shape.dim[0].dim_param = "batch"
    path = tmp_path / "dyn.onnx"
    onnx.save(m, str(path))
    assert main(["inspect", str(path), "--input", "data:4x3x32x32", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["model"]["nodes"] == len(m.graph.node)
    assert main(["inspect", str(path)]) == 2
    assert "--input data:1x3x32x32" in capsys.readouterr().err


def test_graph_files(tmp_path, capsys):
    before, after = tmp_path / "b.svg", tmp_path / "a.svg"
    assert main(["inspect", "zoo:mixed", "--svg-before", str(before), "--svg-after", str(after)]) == 0
    assert before.read_text().lstrip().startswith("<?xml") or "<svg" in before.read_text()[:400]
    assert "trap.roipool" in before.read_text() and "<svg" in after.read_text()


@pytest.mark.parametrize("args, message", [
    (["missing.onnx"], "No such file"),
    (["zoo:tiny", "--coverage", "magic"], "Unknown coverage source 'magic'"),
    (["zoo:tiny", "--precision", "fp9"], "Unknown precision 'fp9'"),
    (["zoo:nope"], "nope"),
])
def test_bad_input_is_one_line_and_status_2(args, message):
    res = run_cli("inspect", *args)
    assert res.returncode == 2
    err = res.stderr.strip()
    assert err.startswith("trtlab: error:") and message in err
    assert len(err.splitlines()) == 1 and "Traceback" not in err


def test_corrupt_file(tmp_path):
    bad = tmp_path / "bad.onnx"
    bad.write_bytes(b"\x08\x07garbage" * 10)
    res = run_cli("inspect", str(bad))
    assert res.returncode == 2 and "corrupt or truncated" in res.stderr and "Traceback" not in res.stderr


def test_no_dot_program(tmp_path):
    # A PATH holding Python but not graphviz's `dot`.
    bindir = tmp_path / "bin"
    bindir.mkdir()
    os.symlink(sys.executable, bindir / "python")
    env = dict(os.environ, PATH=str(bindir))
    assert shutil.which("dot", path=str(bindir)) is None
    res = run_cli("inspect", "zoo:tiny", "--svg-before", str(tmp_path / "x.svg"), env=env)
    assert res.returncode == 2
    assert "dot" in res.stderr and "graphviz" in res.stderr and len(res.stderr.strip().splitlines()) == 1
