from __future__ import annotations

import subprocess
import sys

import pytest


def test_precision_and_engines_import_no_heavy_package():
    code = ("import sys, trtlab.engines, trtlab.precision; "
            "heavy = {'tensorrt', 'tensorrt_rtx', 'onnxruntime', 'torch', 'mxnet', 'onnx_graphsurgeon', "
            "'onnxconverter_common', 'ipywidgets', 'plotly', 'IPython'}; "
            "print(sorted(heavy & set(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_build_worker_imports_only_what_a_build_needs():
    from pathlib import Path

    from trtlab.engines.worker import STUB_TRTLAB

    pytest.importorskip("tensorrt_rtx", reason="needs TensorRT-RTX (pip install 'trtlab[rtx]')")
    code = STUB_TRTLAB + ("import trtlab.engines.in_worker, trtlab.engines.tensorrt_calls, tensorrt_rtx; "
                          "print(sorted(m for m in sys.modules if m.split('.')[0] in "
                          "('onnx', 'numpy', 'google') or m.startswith('trtlab.')))")
    root = Path(__import__("trtlab").__file__).parent
    out = subprocess.run([sys.executable, "-c", code, str(root)], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == str(["trtlab.display", "trtlab.engines", "trtlab.engines.in_worker",
                                      "trtlab.engines.job", "trtlab.engines.mapped_weights", "trtlab.engines.result",
                                      "trtlab.engines.tensorrt_calls", "trtlab.errors",
                                      "trtlab.installed_tensorrt", "trtlab.profiles"])


def test_a_check_that_builds_leaves_tensorrt_to_its_worker(tmp_path):
    """The check's own process (a notebook's kernel) never imports TensorRT (~100 MB resident)
    to build: it names the installed TensorRT from its metadata and the worker imports it."""
    pytest.importorskip("tensorrt_rtx", reason="needs TensorRT-RTX (pip install 'trtlab[rtx]')")
    code = ("import sys, trtlab; from trtlab.check import check; "
            f"r = check('zoo:tiny', ['fp32'], timing=False, cache_dir={str(tmp_path)!r}); "
            "print(r.verdict('fp32').status, [(e.built, e.cache_hit) for e in r.engines], "
            "[m for m in ('tensorrt', 'tensorrt_rtx') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split(" ", 1) == ["pass", "[(True, False)] []\n"]  # built by the worker, here
