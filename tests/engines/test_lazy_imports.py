from __future__ import annotations

import subprocess
import sys


def test_precision_and_engines_import_no_heavy_package():
    code = ("import sys, trtlab.engines, trtlab.precision; "
            "heavy = {'tensorrt', 'tensorrt_rtx', 'onnxruntime', 'torch', 'mxnet', 'onnx_graphsurgeon', "
            "'onnxconverter_common', 'ipywidgets', 'plotly', 'IPython'}; "
            "print(sorted(heavy & set(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
