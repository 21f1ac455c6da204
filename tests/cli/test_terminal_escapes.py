"""Names in a model cannot drive the terminal: `inspect`'s report, `trtlab: error:` lines and
`check`'s summary print ESC, BEL, CR, C1 controls and bidirectional overrides as visible escapes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import onnx
from onnx import TensorProto, helper

ROOT = Path(__file__).resolve().parents[2]
EVIL = "n\x1b]0;owned\x07\x1b[2J\rall checks passed\n\u202eevil\x9b"
_ACTED_ON = [chr(c) for c in (*range(0x00, 0x09), *range(0x0B, 0x20), 0x7F, *range(0x80, 0xA0), 0x202E)]


def _model(missing: bool = False) -> onnx.ModelProto:
    first = ("missing" if missing else "t") + EVIL
    nodes = [helper.make_node("Relu", ["x" + EVIL], ["t" + EVIL], name="relu" + EVIL),
             helper.make_node("Foo", [first], ["y"], name="foo" + EVIL, domain="my.domain")]
    graph = helper.make_graph(nodes, "g" + EVIL, [helper.make_tensor_value_info("x" + EVIL, TensorProto.FLOAT, [2, 3])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 3])])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid("my.domain", 1)])


def _trtlab(*argv) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "trtlab", *map(str, argv)], capture_output=True, env=env,
                          timeout=300)


def _assert_safe(out: bytes) -> str:
    text = out.decode("utf-8")
    raw = sorted({repr(c) for c in text if c in _ACTED_ON})
    assert not raw, f"printed raw: {raw}"
    return text


def test_the_inspect_report_escapes_names(tmp_path):
    path = tmp_path / "evil.onnx"
    onnx.save(_model(), path)
    out = _trtlab("inspect", path)
    assert out.returncode == 0, out.stderr
    text = _assert_safe(out.stdout)
    assert "foon\\x1b]0;owned\\x07\\x1b[2J\\rall checks passed\\n\\u202eevil\\x9b [Foo]" in text  # the fallback list
    assert not any(line.startswith("all checks passed") for line in text.splitlines())


def test_an_error_line_escapes_names(tmp_path):
    path = tmp_path / "evil.onnx"
    onnx.save(_model(missing=True), path)
    out = _trtlab("inspect", path)
    assert out.returncode == 2
    err = _assert_safe(out.stderr)
    assert len(err.splitlines()) == 1 and err.startswith("trtlab: error: Node 'foon\\x1b]0;owned")
